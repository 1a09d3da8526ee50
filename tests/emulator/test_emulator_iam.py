# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IAM calls of the emulator: password tokens and their scopes, login errors, project lookup."""

from __future__ import annotations

import datetime
import json
import re
import time

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


def test_projects_a_token_may_use_include_sub_projects(emulator):
    response = signing.call("GET", emulator.url + "/v3/auth/projects", token=STATIC_TOKEN)
    assert response.status_code == 200
    assert response.headers["X-IAM-Trace-Id"]
    projects = {project["name"]: project for project in response.json()["projects"]}
    assert projects[harness.REGION]["id"] == PROJECT_ID
    assert projects[harness.SUBPROJECT_NAME]["id"] == harness.SUBPROJECT_ID
    assert projects[harness.SUBPROJECT_NAME]["parent_id"] == PROJECT_ID
    assert_gateway_error(signing.call("GET", emulator.url + "/v3/auth/projects"), 401, "APIGW.0301")
    named = signing.call("GET", emulator.url + "/v3/projects", {"name": harness.SUBPROJECT_NAME}, aksk=AKSK).json()["projects"]
    assert [project["id"] for project in named] == [harness.SUBPROJECT_ID]


def test_password_token_for_a_sub_project_by_name_and_domain_id(emulator):
    body = password_body({"project": {"name": harness.SUBPROJECT_NAME, "domain": {"id": harness.DOMAIN_ID}}})
    body["auth"]["identity"]["password"]["user"]["domain"] = {"id": harness.DOMAIN_ID}
    response = requests.post(emulator.url + "/v3/auth/tokens", json=body, timeout=10)
    assert response.status_code == 201
    assert response.json()["token"]["project"]["id"] == harness.SUBPROJECT_ID


def test_domain_scoped_token_needs_the_users_domain(emulator):
    assert issue_token(emulator, {"domain": {"id": harness.DOMAIN_ID}}).status_code == 201
    assert issue_token(emulator, {"domain": {"name": "someone-else"}}).status_code == 400


def assume_role_body(agency=harness.AGENCY_NAME, domain=harness.AGENCY_DOMAIN_NAME, duration=None):
    role = {"agency_name": agency, "domain_name": domain}
    if duration is not None:
        role["duration_seconds"] = duration
    return {"auth": {"identity": {"methods": ["assume_role"], "assume_role": role}}}


def assume_role(emulator, body, **auth):
    data = json.dumps(body).encode("utf-8")
    return signing.call("POST", emulator.url + "/v3.0/OS-CREDENTIAL/securitytokens", body=data, **auth)


@pytest.mark.parametrize("auth", ["token", "aksk"])
def test_assume_role_gives_working_temporary_credentials(any_verifier_emulator, auth):
    emulator = any_verifier_emulator
    credentials = {"token": {"token": STATIC_TOKEN}, "aksk": {"aksk": AKSK}}[auth]
    before = time.time()
    response = assume_role(emulator, assume_role_body(duration=1800), **credentials)
    assert response.status_code == 201
    assert response.headers["X-IAM-Trace-Id"]
    credential = response.json()["credential"]
    assert set(credential) == {"access", "secret", "securitytoken", "expires_at"}
    expires = datetime.datetime.strptime(credential["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    assert 1790 <= expires.timestamp() - before <= 1810
    job = emulator.post_job()
    signed = get_job(emulator, job["id"], token=None, aksk=(credential["access"], credential["secret"]), project_id=PROJECT_ID,
                     security_token=credential["securitytoken"])
    assert signed.status_code == 200
    assert emulator.info()["temporary_issued"] == {"assume_role": 1}
    logged = emulator.api_requests("/v3.0/OS-CREDENTIAL/securitytokens")[0]
    assert logged["status"] == 201


def test_assume_role_lifetime_cap_and_default_duration(emulator):
    emulator.cap_credential_lifetime(2)
    capped = assume_role(emulator, assume_role_body(duration=3600), token=STATIC_TOKEN).json()["credential"]
    emulator.cap_credential_lifetime(None)
    default = assume_role(emulator, assume_role_body(), token=STATIC_TOKEN).json()["credential"]

    def lifetime(credential):
        expires = datetime.datetime.strptime(credential["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
        return expires.timestamp() - time.time()

    assert 0 < lifetime(capped) <= 2
    assert 880 <= lifetime(default) <= 900


@pytest.mark.parametrize("body,status", [
    (assume_role_body(agency="unknown-agency"), 404),
    (assume_role_body(domain="unknown-domain"), 404),
    (assume_role_body(duration=60), 400),
    (assume_role_body(duration=86401), 400),
    ({"auth": {"identity": {"methods": ["password"]}}}, 400),
], ids=["unknown-agency", "unknown-domain", "too-short", "too-long", "wrong-method"])
def test_assume_role_refusals_are_iam_errors(emulator, body, status):
    response = assume_role(emulator, body, token=STATIC_TOKEN)
    assert response.status_code == status
    assert set(response.json()["error"]) == {"code", "message", "title"}
    assert emulator.info()["temporary_issued"] == {}


def test_assume_role_needs_authentication(emulator):
    assert_gateway_error(assume_role(emulator, assume_role_body()), 401, "APIGW.0301")
