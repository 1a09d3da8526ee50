# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Behaviour of the DDM/IAM emulator, exercised over real HTTP against a subprocess."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest
import requests

from ddm_emulator import gateway
from harness import emulator as harness
import signing
from harness.emulator import ACCESS_KEY, PROJECT_ID, SECRET_KEY, STATIC_TOKEN

API_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$")
JOB_KEYS = {"id", "name", "status", "created_time", "end_time", "process", "instance"}
ITEM_KEYS = {"id", "name", "status", "created_time", "end_time", "process", "instance_id", "instance_name",
             "database_name", "fail_reason", "operations"}
AKSK = (ACCESS_KEY, SECRET_KEY)
REFERENCE_AKSK = ("AKTESTEXAMPLE0000000", "SKtestexampleSecretKey0000000000000000000")
REFERENCE_HEADERS = {"content-type": "application/json", "x-project-id": PROJECT_ID, "x-sdk-date": "20240102T030405Z",
                     "host": "ddm.cn-north-4.myhuaweicloud.com"}
REFERENCE_JOB_PATH = "/v3/%s/jobs/ff8080817b7e5a8a017b7e6d2c1f0001" % PROJECT_ID


def job_url(emulator, job_id, project_id=PROJECT_ID):
    return "%s/v3/%s/jobs/%s" % (emulator.url, project_id, job_id)


def list_url(emulator, project_id=PROJECT_ID):
    return "%s/v3/%s/jobs" % (emulator.url, project_id)


def now_ms():
    return int(time.time() * 1000)


def window(**extra):
    params = {"start_time": now_ms() - 3600 * 1000, "end_time": now_ms() + 60 * 1000}
    params.update(extra)
    return params


def get_job(emulator, job_id, **kwargs):
    kwargs.setdefault("token", STATIC_TOKEN)
    return signing.call("GET", job_url(emulator, job_id), **kwargs)


def wait_for_status(emulator, job_id, wanted, timeout=8.0):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = get_job(emulator, job_id).json()["job"]
        if not seen or seen[-1]["status"] != job["status"]:
            seen.append(job)
        if job["status"] == wanted:
            return seen
        time.sleep(0.1)
    raise AssertionError("job %s never reached %s; saw %s" % (job_id, wanted, [j["status"] for j in seen]))


def assert_gateway_error(response, status, code):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error_code", "error_msg", "request_id"}
    assert body["error_code"] == code
    assert body["request_id"] == response.headers["X-Request-Id"]
    return body


def password_body(scope, password=harness.USER_PASSWORD, user=harness.USER_NAME, domain=harness.DOMAIN_NAME):
    return {"auth": {"identity": {"methods": ["password"],
                                  "password": {"user": {"name": user, "password": password, "domain": {"name": domain}}}},
                     "scope": scope}}


def issue_token(emulator, scope):
    return requests.post(emulator.url + "/v3/auth/tokens", json=password_body(scope), timeout=10)


# ----------------------------------------------------------------------------- signatures

def test_builtin_verifier_matches_reference_vectors():
    verifier = gateway.BuiltinVerifier()
    signed = sorted(REFERENCE_HEADERS)
    show = gateway.SignInput("GET", REFERENCE_JOB_PATH, [], REFERENCE_HEADERS, b"", signed)
    assert verifier.signature(show, REFERENCE_AKSK[1]) == "9630db963243157f87bffb513ba354917f3331b1a405df47bfe6734a4cdb21c0"
    params = [("end_time", "1704153600000"), ("limit", "10"), ("offset", "0"), ("start_time", "1704067200000")]
    listing = gateway.SignInput("GET", "/v3/%s/jobs" % PROJECT_ID, params, REFERENCE_HEADERS, b"", signed)
    assert verifier.signature(listing, REFERENCE_AKSK[1]) == "6d9b68e8e2fc00979217e9c6c4279af45b80da3aa8c9713687266143b93cf7a9"


def test_test_signer_matches_reference_vectors():
    headers = {"Content-Type": "application/json", "X-Project-Id": PROJECT_ID, "X-Sdk-Date": "20240102T030405Z"}
    url = "https://ddm.cn-north-4.myhuaweicloud.com/v3/%s/jobs" % PROJECT_ID
    params = [("start_time", 1704067200000), ("end_time", 1704153600000), ("offset", 0), ("limit", 10)]
    signed_url, signed_headers = signing.sign("GET", url, params, headers, b"", *REFERENCE_AKSK)
    assert signed_url.endswith("?end_time=1704153600000&limit=10&offset=0&start_time=1704067200000")
    assert signed_headers["Authorization"] == ("SDK-HMAC-SHA256 Access=AKTESTEXAMPLE0000000, SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
                                               "Signature=6d9b68e8e2fc00979217e9c6c4279af45b80da3aa8c9713687266143b93cf7a9")


def test_sdk_verifier_agrees_with_builtin_on_odd_paths():
    pytest.importorskip("huaweicloudsdkcore.signer.signer")
    headers = dict(REFERENCE_HEADERS, **{"x-custom": "  spaced value  "})
    data = gateway.SignInput("GET", "/v3/p/jobs/a%20b~c", [("b", "x y"), ("a", "1"), ("a", "0")], headers, b"",
                             sorted(headers))
    assert gateway.SdkVerifier().signature(data, "sk") == gateway.BuiltinVerifier().signature(data, "sk")


# ----------------------------------------------------------------------------- show job

def test_show_job_shape(emulator):
    job = emulator.post_job(name="RestartInstance", instance={"id": "inst-1in09", "name": "DDM-test"}, duration=30)
    response = get_job(emulator, job["id"])
    assert response.status_code == 200
    assert response.headers["X-Request-Id"]
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["job"]
    shown = body["job"]
    assert set(shown) == JOB_KEYS
    assert shown["id"] == job["id"]
    assert shown["name"] == "RestartInstance"
    assert shown["status"] == "Running"
    assert re.match(r"^\d{1,2}%$", shown["process"])
    assert shown["end_time"] == ""
    assert API_TIME.match(shown["created_time"])
    assert shown["instance"] == {"id": "inst-1in09", "name": "DDM-test"}


def test_unknown_job_is_400_task_not_found(emulator):
    response = get_job(emulator, "no-such-job")
    assert response.status_code == 400
    assert response.json() == {"error_code": "DBS.300400", "error_msg": "The task is not found."}
    assert response.headers["X-Request-Id"]


def test_job_in_another_project_is_not_found(emulator):
    other = "99999999999999999999999999999999"
    job = emulator.post_job(project_id=other)
    emulator.add_token("other-project-token", project_id=other)
    assert get_job(emulator, job["id"]).status_code == 400
    found = signing.call("GET", job_url(emulator, job["id"], other), token="other-project-token")
    assert found.status_code == 200


def test_duration_timeline_runs_then_completes(emulator):
    job = emulator.post_job(duration=1.5, outcome="Completed")
    seen = wait_for_status(emulator, job["id"], "Completed")
    assert seen[0]["status"] == "Running"
    assert seen[0]["process"].endswith("%")
    final = seen[-1]
    assert final["process"] == ""
    assert API_TIME.match(final["end_time"])
    assert final["end_time"] >= final["created_time"]


def test_process_rises_while_running(emulator):
    job = emulator.post_job(duration=2, outcome="Failed")
    first = int(get_job(emulator, job["id"]).json()["job"]["process"].rstrip("%"))
    time.sleep(0.6)
    second = int(get_job(emulator, job["id"]).json()["job"]["process"].rstrip("%"))
    assert second > first
    assert wait_for_status(emulator, job["id"], "Failed")[-1]["end_time"]


def test_explicit_timeline_with_lesser_statuses(emulator):
    timeline = [{"at": 0, "status": "Expanding"}, {"at": 0.5, "status": "ToBeSwitched"},
                {"at": 1.0, "status": "SomeFutureStatus", "process": "70%"}, {"at": 1.5, "status": "CancelSuccess"}]
    job = emulator.post_job(timeline=timeline)
    seen = wait_for_status(emulator, job["id"], "CancelSuccess")
    statuses = [entry["status"] for entry in seen]
    assert statuses[0] == "Expanding"
    assert statuses.index("Expanding") < statuses.index("CancelSuccess")
    future = [entry for entry in seen if entry["status"] == "SomeFutureStatus"]
    assert all(entry["process"] == "70%" for entry in future)
    assert all(entry["end_time"] == "" for entry in seen[:-1])
    assert seen[-1]["end_time"]


@pytest.mark.parametrize("status", ["Running", "Completed", "Failed", "Expanding", "Canceling", "Rollbacking",
                                    "RollbackSuccess", "CancelSuccess", "ToBeSwitched", "Switching"])
def test_every_documented_status_can_be_scripted(emulator, status):
    job = emulator.post_job(timeline=[{"at": 0, "status": status}])
    shown = get_job(emulator, job["id"]).json()["job"]
    assert shown["status"] == status
    assert bool(shown["end_time"]) == (status in ("Completed", "Failed", "RollbackSuccess", "CancelSuccess"))


def test_demo_jobs_are_seeded(emulator):
    for key, job_id in harness.DEMO_JOB_IDS.items():
        shown = get_job(emulator, job_id).json()["job"]
        assert shown["id"] == job_id, key
    assert get_job(emulator, harness.DEMO_JOB_IDS["completed"]).json()["job"]["status"] == "Completed"
    assert get_job(emulator, harness.DEMO_JOB_IDS["failed"]).json()["job"]["status"] == "Failed"
    assert emulator.info()["demo_job_ids"] == harness.DEMO_JOB_IDS


def test_reset_forgets_created_jobs(emulator):
    job = emulator.post_job()
    emulator.reset()
    assert get_job(emulator, job["id"]).status_code == 400


# ----------------------------------------------------------------------------- list jobs

def test_list_shape_and_paging(emulator):
    emulator.reset()
    created = [emulator.post_job(name="CreateGroup", database_name="db%d" % i) for i in range(5)]
    response = signing.call("GET", list_url(emulator), window(offset=2, limit=2), token=STATIC_TOKEN)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"offset", "limit", "total", "jobs"}
    assert (body["offset"], body["limit"]) == (2, 2)
    assert body["total"] == 5 + len(harness.DEMO_JOB_IDS)
    assert len(body["jobs"]) == 2
    for item in body["jobs"]:
        assert set(item) == ITEM_KEYS
        assert isinstance(item["operations"], list)
    default = signing.call("GET", list_url(emulator), window(), token=STATIC_TOKEN).json()
    assert default["limit"] == 10 and default["offset"] == 0
    listed = {item["id"] for item in default["jobs"]}
    assert {job["id"] for job in created} <= listed


def test_list_carries_fail_reason_and_operations(emulator):
    job = emulator.post_job(outcome="Failed", fail_reason="disk full", operations=["toBeRetried"], instance={"id": "i1", "name": "n1"})
    items = signing.call("GET", list_url(emulator), window(limit=128), token=STATIC_TOKEN).json()["jobs"]
    item = [entry for entry in items if entry["id"] == job["id"]][0]
    assert item["status"] == "Failed"
    assert item["fail_reason"] == "disk full"
    assert item["operations"] == ["toBeRetried"]
    assert (item["instance_id"], item["instance_name"]) == ("i1", "n1")
    assert "fail_reason" not in get_job(emulator, job["id"]).json()["job"]


def test_list_filters_by_creation_time(emulator):
    old = emulator.post_job(age=2 * 86400)
    recent = emulator.post_job()
    ids = [item["id"] for item in signing.call("GET", list_url(emulator), window(limit=128), token=STATIC_TOKEN).json()["jobs"]]
    assert recent["id"] in ids
    assert old["id"] not in ids
    wide = {"start_time": now_ms() - 3 * 86400 * 1000, "end_time": now_ms(), "limit": 128}
    assert old["id"] in [item["id"] for item in signing.call("GET", list_url(emulator), wide, token=STATIC_TOKEN).json()["jobs"]]


@pytest.mark.parametrize("params", [
    {"end_time": "now"},
    {"start_time": "hour"},
    {"start_time": "float"},
    {"start_time": "old"},
    {"start_time": "abc"},
    {"limit": 0},
    {"limit": 129},
    {"limit": "x"},
    {"offset": -1},
    {"end_before_start": True},
])
def test_list_rejects_bad_parameters(emulator, params):
    query = {"start_time": now_ms() - 3600 * 1000, "end_time": now_ms()}
    if params.get("end_time") == "now":
        del query["start_time"]
    elif params.get("start_time") == "hour":
        del query["end_time"]
    elif params.get("start_time") == "float":
        query["start_time"] = "%d.0" % query["start_time"]
    elif params.get("start_time") == "old":
        query["start_time"] = now_ms() - 31 * 86400 * 1000
    elif params.get("start_time") == "abc":
        query["start_time"] = "abc"
    elif params.get("end_before_start"):
        query["end_time"] = query["start_time"] - 1
    else:
        query.update(params)
    response = signing.call("GET", list_url(emulator), query, token=STATIC_TOKEN)
    assert response.status_code == 400
    body = response.json()
    assert body["error_code"].startswith("DBS.")
    assert body["error_msg"]


def test_list_accepts_boundaries(emulator):
    query = {"start_time": now_ms() - 30 * 86400 * 1000 + 60000, "end_time": now_ms(), "limit": 128, "offset": 0}
    assert signing.call("GET", list_url(emulator), query, token=STATIC_TOKEN).status_code == 200
    assert signing.call("GET", list_url(emulator), dict(query, limit=1), token=STATIC_TOKEN).json()["limit"] == 1


# ----------------------------------------------------------------------------- IAM

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


# ----------------------------------------------------------------------------- AK/SK and tokens

def test_aksk_accepted_and_rejected(any_verifier_emulator):
    emulator = any_verifier_emulator
    job_id = emulator.post_job()["id"]
    assert get_job(emulator, job_id, token=None, aksk=AKSK, project_id=PROJECT_ID).status_code == 200
    listing = signing.call("GET", list_url(emulator), window(), aksk=AKSK, project_id=PROJECT_ID)
    assert listing.status_code == 200
    body = assert_gateway_error(get_job(emulator, job_id, token=None, aksk=(ACCESS_KEY, "wrong"), project_id=PROJECT_ID), 401, "APIGW.0301")
    assert body["error_msg"] == gateway.MSG_BAD_SIGNATURE
    unknown = get_job(emulator, job_id, token=None, aksk=("AKUNKNOWN00000000000", SECRET_KEY), project_id=PROJECT_ID)
    assert assert_gateway_error(unknown, 401, "APIGW.0301")["error_msg"] == gateway.MSG_UNKNOWN_AK
    assert_gateway_error(get_job(emulator, job_id, token=None), 401, "APIGW.0301")


def test_aksk_signature_covers_what_arrived(any_verifier_emulator):
    emulator = any_verifier_emulator
    url, headers = signing.sign("GET", list_url(emulator), list(window().items()), {"X-Project-Id": PROJECT_ID}, b"", *AKSK)
    assert requests.get(url, headers=headers, timeout=10).status_code == 200
    tampered = re.sub(r"limit=\d+", "limit=99", url) if "limit=" in url else url + "&limit=99"
    assert_gateway_error(requests.get(tampered, headers=headers, timeout=10), 401, "APIGW.0301")
    headers["X-Project-Id"] = "0" * 32
    assert_gateway_error(requests.get(url, headers=headers, timeout=10), 401, "APIGW.0301")


def test_aksk_project_header_must_match_path(any_verifier_emulator):
    emulator = any_verifier_emulator
    response = get_job(emulator, "x", token=None, aksk=AKSK, project_id="0" * 32)
    assert_gateway_error(response, 403, "APIGW.0302")


def test_temporary_credentials_need_security_token(any_verifier_emulator):
    emulator = any_verifier_emulator
    temp = (harness.TEMP_ACCESS_KEY, harness.TEMP_SECRET_KEY)
    job_id = harness.DEMO_JOB_IDS["completed"] if emulator.seed_demo else emulator.post_job()["id"]
    good = get_job(emulator, job_id, token=None, aksk=temp, project_id=PROJECT_ID, security_token=harness.SECURITY_TOKEN)
    assert good.status_code == 200
    missing = get_job(emulator, job_id, token=None, aksk=temp, project_id=PROJECT_ID)
    assert assert_gateway_error(missing, 401, "APIGW.0301")["error_msg"] == gateway.MSG_SECURITY_TOKEN
    wrong = get_job(emulator, job_id, token=None, aksk=temp, project_id=PROJECT_ID, security_token="other")
    assert_gateway_error(wrong, 401, "APIGW.0301")


def test_clock_skew(any_verifier_emulator):
    emulator = any_verifier_emulator
    old = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() - 20 * 60))
    stale = get_job(emulator, "x", token=None, aksk=AKSK, project_id=PROJECT_ID, date=old)
    message = assert_gateway_error(stale, 401, "APIGW.0301")["error_msg"]
    assert "15 minutes" in message and "skew" in message
    near = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() - 10 * 60))
    assert get_job(emulator, "x", token=None, aksk=AKSK, project_id=PROJECT_ID, date=near).status_code == 400
    emulator.set_clock_skew(1200)
    assert_gateway_error(get_job(emulator, "x", token=None, aksk=AKSK, project_id=PROJECT_ID), 401, "APIGW.0301")
    emulator.set_clock_skew(0)
    assert get_job(emulator, "x", token=None, aksk=AKSK, project_id=PROJECT_ID).status_code == 400
    garbage = get_job(emulator, "x", token=None, aksk=AKSK, project_id=PROJECT_ID, date="yesterday")
    assert assert_gateway_error(garbage, 401, "APIGW.0301")["error_msg"] == gateway.MSG_BAD_DATE


def test_token_checks(emulator):
    job_id = harness.DEMO_JOB_IDS["completed"]
    assert_gateway_error(get_job(emulator, job_id, token="no-such-token"), 401, "APIGW.0301")
    emulator.add_token("elsewhere-token", project_id="22222222222222222222222222222222")
    assert_gateway_error(get_job(emulator, job_id, token="elsewhere-token"), 403, "APIGW.0302")
    emulator.add_token("short-lived", expires_in=0.3)
    assert get_job(emulator, job_id, token="short-lived").status_code == 200
    time.sleep(0.5)
    expired = assert_gateway_error(get_job(emulator, job_id, token="short-lived"), 401, "APIGW.0301")
    assert expired["error_msg"] == gateway.MSG_TOKEN_EXPIRED


def test_token_revocation(emulator):
    job_id = harness.DEMO_JOB_IDS["completed"]
    emulator.add_token("revocable/token+1")
    assert get_job(emulator, job_id, token="revocable/token+1").status_code == 200
    emulator.revoke_token("revocable/token+1")
    revoked = assert_gateway_error(get_job(emulator, job_id, token="revocable/token+1"), 401, "APIGW.0301")
    assert revoked["error_msg"] == gateway.MSG_TOKEN_REVOKED
    issued = issue_token(emulator, {"project": {"id": PROJECT_ID}}).headers["X-Subject-Token"]
    assert get_job(emulator, job_id, token=issued).status_code == 200
    assert emulator.revoke_issued_tokens() == 1
    assert_gateway_error(get_job(emulator, job_id, token=issued), 401, "APIGW.0301")
    assert get_job(emulator, job_id, token=STATIC_TOKEN).status_code == 200
    with pytest.raises(harness.EmulatorError):
        emulator.revoke_token("never-issued")


# ----------------------------------------------------------------------------- faults

def test_fault_status_with_html_body_and_retry_after(emulator):
    emulator.add_fault(status=503, body="<html><body>Service Unavailable</body></html>", headers={"Retry-After": "2"})
    response = get_job(emulator, harness.DEMO_JOB_IDS["completed"])
    assert response.status_code == 503
    assert response.text == "<html><body>Service Unavailable</body></html>"
    assert response.headers["Content-Type"] == "text/html"
    assert response.headers["Retry-After"] == "2"
    assert response.headers["X-Request-Id"]
    assert get_job(emulator, harness.DEMO_JOB_IDS["completed"]).status_code == 200


@pytest.mark.parametrize("shape", [
    {"error_code": "APIGW.0101", "error_msg": "gone", "request_id": None},
    {"error_code": "DBS.300400", "error_msg": "The task is not found."},
    {"errCode": "DBS.200019", "externalMessage": "Another operation is being performed."},
    {"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}},
])
def test_fault_json_bodies(emulator, shape):
    emulator.add_fault(status=409, json=shape)
    response = get_job(emulator, "anything")
    assert response.status_code == 409
    body = response.json()
    expected = dict(shape, request_id=response.headers["X-Request-Id"]) if "request_id" in shape else shape
    assert body == expected


def test_fault_empty_and_non_json_200(emulator):
    emulator.add_fault(status=502)
    emulator.add_fault(status=200, body="this is not json")
    emulator.add_fault(status=200, json={"unexpected": True})
    empty = get_job(emulator, "x")
    assert empty.status_code == 502 and empty.content == b"" and empty.headers["Content-Length"] == "0"
    plain = get_job(emulator, "x")
    assert plain.status_code == 200 and plain.text == "this is not json"
    assert get_job(emulator, "x").json() == {"unexpected": True}
    assert get_job(emulator, "x").status_code == 400


def test_fault_count_method_and_path_matching(emulator):
    emulator.add_fault(count=2, method="GET", path=r"/jobs$", status=500, json={"error_code": "DBS.000001", "error_msg": "boom"})
    job_id = harness.DEMO_JOB_IDS["completed"]
    assert get_job(emulator, job_id).status_code == 200
    assert signing.call("GET", list_url(emulator), window(), token=STATIC_TOKEN).status_code == 500
    assert signing.call("GET", list_url(emulator), window(), token=STATIC_TOKEN).status_code == 500
    assert signing.call("GET", list_url(emulator), window(), token=STATIC_TOKEN).status_code == 200
    emulator.add_fault(method="POST", status=500)
    assert get_job(emulator, job_id).status_code == 200
    assert len(emulator.faults()) == 1
    emulator.clear_faults()
    assert emulator.faults() == []


def test_fault_delay_provokes_read_timeout(emulator):
    emulator.add_fault(delay=1.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        get_job(emulator, harness.DEMO_JOB_IDS["completed"], timeout=0.3)
    assert get_job(emulator, harness.DEMO_JOB_IDS["completed"]).status_code == 200


def test_fault_delay_then_normal_answer(emulator):
    emulator.add_fault(delay=0.2)
    assert get_job(emulator, harness.DEMO_JOB_IDS["completed"]).json()["job"]["status"] == "Completed"


def test_fault_drop_closes_without_response(emulator):
    emulator.add_fault(drop=True)
    with requests.Session() as session, pytest.raises(requests.exceptions.ConnectionError):
        session.get(job_url(emulator, "x"), headers={"X-Auth-Token": STATIC_TOKEN}, timeout=5)
    assert get_job(emulator, harness.DEMO_JOB_IDS["completed"]).status_code == 200
    dropped = [entry for entry in emulator.requests_log() if entry.get("fault", {}).get("drop")]
    assert len(dropped) == 1 and dropped[0]["status"] is None


def test_fault_can_remove_request_id(emulator):
    emulator.add_fault(status=500, body="", headers={"X-Request-Id": None})
    assert "X-Request-Id" not in get_job(emulator, "x").headers


@pytest.mark.parametrize("spec", [{"status": "500"}, {"status": 99}, {"path": "("}, {"delay": -1}, {"headers": []}, {"body": {}}])
def test_bad_fault_specs_rejected(emulator, spec):
    with pytest.raises(harness.EmulatorError, match="400"):
        emulator.add_fault(**spec)


# ----------------------------------------------------------------------------- rate limit

def test_rate_limit_per_credential(emulator):
    emulator.set_ratelimit(2, 30)
    job_id = harness.DEMO_JOB_IDS["completed"]
    assert get_job(emulator, job_id).status_code == 200
    assert get_job(emulator, job_id).status_code == 200
    throttled = get_job(emulator, job_id)
    body = assert_gateway_error(throttled, 429, "APIGW.0308")
    assert "limit:2" in body["error_msg"]
    assert 1 <= int(throttled.headers["Retry-After"]) <= 30
    assert get_job(emulator, job_id, token=None, aksk=AKSK, project_id=PROJECT_ID).status_code == 200
    emulator.set_ratelimit(0)
    assert get_job(emulator, job_id).status_code == 200


def test_rate_limit_window_frees(emulator):
    emulator.set_ratelimit(1, 0.5)
    job_id = harness.DEMO_JOB_IDS["completed"]
    assert get_job(emulator, job_id).status_code == 200
    assert get_job(emulator, job_id).status_code == 429
    time.sleep(0.7)
    assert get_job(emulator, job_id).status_code == 200


# ----------------------------------------------------------------------------- request log, info, control

def test_request_log_records_and_redacts(emulator):
    emulator.clear_requests()
    get_job(emulator, harness.DEMO_JOB_IDS["completed"])
    get_job(emulator, "x", token=None, aksk=(harness.TEMP_ACCESS_KEY, harness.TEMP_SECRET_KEY), project_id=PROJECT_ID,
            security_token=harness.SECURITY_TOKEN)
    signing.call("GET", list_url(emulator), {"start_time": 1, "end_time": 2})
    issue_token(emulator, {"project": {"id": PROJECT_ID}})
    log = emulator.requests_log()
    assert [entry["auth"] for entry in log] == ["token", "aksk", "none", "none"]
    assert [entry["status"] for entry in log] == [200, 400, 401, 201]
    assert log[1]["access_key"] == harness.TEMP_ACCESS_KEY
    assert log[2]["query"] == "start_time=1&end_time=2"
    assert log[0]["headers"]["X-Auth-Token"] == "***"
    assert log[1]["headers"]["Authorization"] == "***" and log[1]["headers"]["X-Security-Token"] == "***"
    dumped = json.dumps(log)
    for secret in (STATIC_TOKEN, harness.SECURITY_TOKEN, harness.TEMP_SECRET_KEY, harness.USER_PASSWORD):
        assert secret not in dumped
    for entry in log:
        assert {"time", "method", "path", "query", "auth", "status", "headers"} <= set(entry)


def test_info_reports_verifier(emulator, builtin_emulator):
    try:
        import huaweicloudsdkcore.signer.signer  # noqa: F401  pylint: disable=unused-import
        expected = "sdk"
    except ImportError:
        expected = "builtin"
    info = emulator.info()
    assert info["verifier"] == expected
    assert (info["project_id"], info["region"]) == (PROJECT_ID, harness.REGION)
    assert builtin_emulator.info()["verifier"] == "builtin"


def test_unknown_routes(emulator):
    assert_gateway_error(signing.call("GET", emulator.url + "/v2/nothing", token=STATIC_TOKEN), 404, "APIGW.0101")
    assert_gateway_error(signing.call("DELETE", job_url(emulator, "x"), token=STATIC_TOKEN), 404, "APIGW.0101")
    with pytest.raises(harness.EmulatorError, match="404"):
        emulator.control("GET", "nothing")


def test_trailing_slash_and_encoded_job_id(emulator):
    job = emulator.post_job(id="job with space")
    assert signing.call("GET", job_url(emulator, "job%20with%20space") + "/", token=STATIC_TOKEN).status_code == 200
    signed = get_job(emulator, "job%20with%20space", token=None, aksk=AKSK, project_id=PROJECT_ID)
    assert signed.json()["job"]["id"] == job["id"]


def test_keep_alive_and_content_length(emulator):
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=10)
    try:
        for job_id in (harness.DEMO_JOB_IDS["completed"], "missing", harness.DEMO_JOB_IDS["failed"]):
            connection.request("GET", "/v3/%s/jobs/%s" % (PROJECT_ID, job_id), headers={"X-Auth-Token": STATIC_TOKEN})
            response = connection.getresponse()
            data = response.read()
            assert int(response.getheader("Content-Length")) == len(data)
            assert not response.will_close
            json.loads(data)
    finally:
        connection.close()


def raw_exchange(emulator, payload):
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=5) as sock:
        sock.sendall(payload)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("payload", [
    b"GARBAGE\r\n\r\n",
    b"GET /v3/x/jobs HTTP/1.1\r\nHost: a\r\nContent-Length: nope\r\nConnection: close\r\n\r\n",
    b"POST /v3/auth/tokens HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n",
])
def test_malformed_requests_get_400_json(emulator, payload):
    answer = raw_exchange(emulator, payload)
    head, body = answer.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.") and b" 400 " in head.split(b"\r\n")[0]
    assert json.loads(body.decode())["error_code"]
    assert emulator.info()["project_id"] == PROJECT_ID
    assert "Traceback" not in emulator.stderr_text()


def test_chunked_body_is_read(emulator):
    body = json.dumps(password_body({"project": {"id": PROJECT_ID}})).encode()
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    answer = raw_exchange(emulator, b"POST /v3/auth/tokens HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                                    b"Connection: close\r\n\r\n" + chunked)
    assert answer.split(b"\r\n", 1)[0].endswith(b"201 Created")


@pytest.mark.parametrize("path,payload", [("jobs", "not json"), ("jobs", {"duration": "long"}), ("jobs", {"timeline": []}),
                                          ("clock", {"skew": "x"}), ("tokens", {"project_id": "p"}), ("projects", {"id": 1})])
def test_control_rejects_bad_input(emulator, path, payload):
    data = payload if isinstance(payload, str) else json.dumps(payload)
    response = requests.post("%s/_emulator/%s" % (emulator.url, path), data=data, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"]


# ----------------------------------------------------------------------------- process behaviour

def run_emulator(*args):
    return subprocess.run([sys.executable, "-m", harness.EMULATOR_MODULE] + list(args), capture_output=True, text=True, timeout=30,
                          check=False, env=harness.emulator_env())


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.1", "::"])
def test_refuses_non_loopback(host):
    result = run_emulator("--host", host, "--port", "0")
    assert result.returncode == 2
    assert "loopback" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_clean_shutdown_on_signals(sig):
    process = harness.EmulatorProcess()
    process.start()
    port_file_dir = process._workdir  # pylint: disable=protected-access
    process.process.send_signal(getattr(__import__("signal"), sig))
    assert process.process.wait(10) == 0
    assert not os.path.exists(os.path.join(port_file_dir, "port"))
    assert "Traceback" not in process.stderr_text()
    process.stop()


def test_tls(tmp_path):
    openssl = shutil.which("openssl")
    if not openssl:
        pytest.skip("openssl is not installed")
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    with harness.EmulatorProcess(tls_cert=cert, tls_key=key) as process:
        assert process.url.startswith("https://")
        assert process.info()["base_url"] == process.url
        job = process.post_job()
        verified = requests.get(job_url(process, job["id"]), headers={"X-Auth-Token": STATIC_TOKEN}, verify=cert, timeout=10)
        assert verified.status_code == 200
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(job_url(process, job["id"]), headers={"X-Auth-Token": STATIC_TOKEN}, timeout=10)


def test_bulk_job_creation(emulator):
    before = {job["id"] for job in emulator.jobs()}
    assert emulator.control("POST", "jobs/bulk", {"count": 250, "name": "ReduceNode", "outcome": "Completed"})["created"] == 250
    created = [job for job in emulator.jobs() if job["id"] not in before]
    assert len(created) == 250 and len({job["id"] for job in created}) == 250
    assert {(job["name"], job["status"]) for job in created} == {("ReduceNode", "Completed")}
    for bad in ({"count": 0}, {"count": "3"}, {"count": 2, "id": "x"}):
        with pytest.raises(harness.EmulatorError):
            emulator.control("POST", "jobs/bulk", bad)
