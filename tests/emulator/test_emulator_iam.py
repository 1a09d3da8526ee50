# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IAM calls of the emulator: password tokens and their scopes, login errors, project lookup."""

from __future__ import annotations

import re

import pytest
import requests

from emulator_calls import AKSK, assert_gateway_error, get_job, issue_token, password_body
from harness import emulator as harness
from harness.emulator import PROJECT_ID, STATIC_TOKEN
import signing


def test_password_token_scoped_by_project_id(emulator):
    response = issue_token(emulator, {"project": {"id": PROJECT_ID}})
    assert response.status_code == 201
    token = response.headers["X-Subject-Token"]
    assert response.headers["X-IAM-Trace-Id"]
    assert response.headers["X-Request-Id"]
    body = response.json()["token"]
    assert body["project"]["id"] == PROJECT_ID
    assert body["project"]["name"] == harness.REGION
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$", body["expires_at"])
    assert token not in response.text
    assert get_job(emulator, harness.DEMO_JOB_IDS["completed"], token=token).status_code == 200
    assert emulator.info()["tokens_issued"] == 1


def test_password_token_scoped_by_project_name_needs_domain(emulator):
    scoped = issue_token(emulator, {"project": {"name": harness.REGION, "domain": {"name": harness.DOMAIN_NAME}}})
    assert scoped.status_code == 201
    assert scoped.json()["token"]["project"]["id"] == PROJECT_ID
    missing = issue_token(emulator, {"project": {"name": harness.REGION}})
    assert missing.status_code == 400
    assert set(missing.json()["error"]) == {"code", "message", "title"}


@pytest.mark.parametrize("field", ["password", "user", "domain"])
def test_wrong_login_is_iam_401(emulator, field):
    values = {"password": harness.USER_PASSWORD, "user": harness.USER_NAME, "domain": harness.DOMAIN_NAME}
    values[field] = "wrong"
    response = requests.post(emulator.url + "/v3/auth/tokens", json=password_body({"project": {"id": PROJECT_ID}}, **values), timeout=10)
    assert response.status_code == 401
    assert response.json() == {"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}}
    assert response.headers["X-IAM-Trace-Id"]
    assert "X-Subject-Token" not in response.headers


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"auth": {"identity": {"methods": ["token"]}}}'])
def test_malformed_token_request_is_iam_400(emulator, body):
    response = requests.post(emulator.url + "/v3/auth/tokens", data=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 400


def test_domain_scoped_token_cannot_read_project_jobs(emulator):
    token = issue_token(emulator, {"domain": {"name": harness.DOMAIN_NAME}}).headers["X-Subject-Token"]
    assert_gateway_error(get_job(emulator, harness.DEMO_JOB_IDS["completed"], token=token), 403, "APIGW.0302")


def test_project_lookup(any_verifier_emulator):
    emulator = any_verifier_emulator
    url = emulator.url + "/v3/projects"
    signed = signing.call("GET", url, {"name": harness.REGION}, aksk=AKSK)
    assert signed.status_code == 200
    projects = signed.json()["projects"]
    assert len(projects) == 1
    assert projects[0]["id"] == PROJECT_ID and projects[0]["name"] == harness.REGION and projects[0]["domain_id"]
    assert signed.headers["X-IAM-Trace-Id"]
    by_token = signing.call("GET", url, {"name": harness.REGION}, token=STATIC_TOKEN)
    assert by_token.json()["projects"][0]["id"] == PROJECT_ID
    assert signing.call("GET", url, {"name": "xx-nowhere-1"}, aksk=AKSK).json()["projects"] == []
    emulator.add_project("11111111111111111111111111111111", harness.REGION)
    assert len(signing.call("GET", url, {"name": harness.REGION}, aksk=AKSK).json()["projects"]) == 2
    assert_gateway_error(signing.call("GET", url, {"name": harness.REGION}), 401, "APIGW.0301")
