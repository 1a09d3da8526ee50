# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the emulator's gateway does: SDK-HMAC-SHA256 verifiers, AK/SK and token checks, clock skew, throttling, routing."""

from __future__ import annotations

import re
import time

import pytest
import requests

from ddm_emulator import gateway
from emulator_calls import AKSK, assert_gateway_error, get_job, issue_token, job_url, list_url, window
from harness import emulator as harness
from harness.emulator import ACCESS_KEY, PROJECT_ID, SECRET_KEY, STATIC_TOKEN
import signing


REFERENCE_AKSK = ("AKTESTEXAMPLE0000000", "SKtestexampleSecretKey0000000000000000000")
REFERENCE_HEADERS = {"content-type": "application/json", "x-project-id": PROJECT_ID, "x-sdk-date": "20240102T030405Z",
                     "host": "ddm.cn-north-4.myhuaweicloud.com"}
REFERENCE_JOB_PATH = "/v3/%s/jobs/ff8080817b7e5a8a017b7e6d2c1f0001" % PROJECT_ID


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


def test_expired_temporary_credentials_are_rejected(any_verifier_emulator):
    emulator = any_verifier_emulator
    job_id = harness.DEMO_JOB_IDS["completed"] if emulator.seed_demo else emulator.post_job()["id"]
    credential = emulator.issue_credentials(expires_in=0.5)
    keys = (credential["access"], credential["secret"])
    assert credential["expires_at"].endswith("Z")
    fresh = get_job(emulator, job_id, token=None, aksk=keys, project_id=PROJECT_ID, security_token=credential["securitytoken"])
    assert fresh.status_code == 200
    time.sleep(0.7)
    stale = get_job(emulator, job_id, token=None, aksk=keys, project_id=PROJECT_ID, security_token=credential["securitytoken"])
    assert assert_gateway_error(stale, 401, "APIGW.0301")["error_msg"] == gateway.MSG_CREDENTIAL_EXPIRED
    # A wrong signature is still a wrong signature, expired or not.
    forged = get_job(emulator, job_id, token=None, aksk=(keys[0], "SK" + "x" * 40), project_id=PROJECT_ID,
                     security_token=credential["securitytoken"])
    assert assert_gateway_error(forged, 401, "APIGW.0301")["error_msg"] == gateway.MSG_BAD_SIGNATURE


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


# ----------------------------------------------------------------------------- routing

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
