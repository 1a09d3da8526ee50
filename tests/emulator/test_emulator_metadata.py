# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's ECS metadata service: session tokens in their three modes, the agency's credentials, redaction."""

from __future__ import annotations

import time

import pytest
import requests

from emulator_calls import get_job
from harness.emulator import PROJECT_ID, EmulatorError

TOKEN_PATH = "/meta-data/latest/api/token"
KEY_PATH = "/openstack/latest/securitykey"


def session_token(emulator, ttl="21600"):
    return requests.put(emulator.url + TOKEN_PATH, headers={"X-Metadata-Token-Ttl-Seconds": ttl}, timeout=10)


def security_key(emulator, token=None):
    headers = {"X-Metadata-Token": token} if token else {}
    return requests.get(emulator.url + KEY_PATH, headers=headers, timeout=10)


def test_credentials_with_a_session_token_sign_requests(emulator):
    token = session_token(emulator)
    assert token.status_code == 200
    assert token.headers["Content-Type"].startswith("text/plain")
    answer = security_key(emulator, token.text)
    assert answer.status_code == 200
    credential = answer.json()["credential"]
    assert set(credential) == {"access", "secret", "securitytoken", "expires_at"}
    job = emulator.post_job()
    signed = get_job(emulator, job["id"], token=None, aksk=(credential["access"], credential["secret"]), project_id=PROJECT_ID,
                     security_token=credential["securitytoken"])
    assert signed.status_code == 200
    assert emulator.info()["temporary_issued"] == {"metadata": 1}
    # The session token never reaches the request log.
    logged = emulator.api_requests(KEY_PATH)[0]
    assert logged["headers"]["X-Metadata-Token"] == "***"
    assert token.text not in str(emulator.requests_log())


def test_token_modes(emulator):
    assert security_key(emulator).status_code == 200  # "optional": no token needed
    assert security_key(emulator, "forged").status_code == 401
    emulator.configure_metadata(token="required")
    assert security_key(emulator).status_code == 401
    assert security_key(emulator, session_token(emulator).text).status_code == 200
    emulator.configure_metadata(token="unsupported")
    assert session_token(emulator).status_code == 404
    emulator.reset()
    assert emulator.info()["metadata"] == {"token": "optional", "agency": True}


def test_session_tokens_expire(emulator):
    token = session_token(emulator, ttl="1").text
    assert security_key(emulator, token).status_code == 200
    time.sleep(1.2)
    assert security_key(emulator, token).status_code == 401


@pytest.mark.parametrize("ttl", ["0", "21601", "soon", ""])
def test_session_token_ttl_is_checked(emulator, ttl):
    assert session_token(emulator, ttl).status_code == 400


def test_without_an_agency(emulator):
    emulator.configure_metadata(agency=False)
    answer = security_key(emulator)
    assert answer.status_code == 401
    assert "Please configure Cloud Service Agency first" in answer.text
    assert emulator.info()["temporary_issued"] == {}


def test_not_behind_the_gateway(emulator):
    emulator.set_ratelimit(1, 60)
    assert all(security_key(emulator).status_code == 200 for _attempt in range(3))


def test_control_rejects_unknown_modes(emulator):
    with pytest.raises(EmulatorError, match="token must be one of"):
        emulator.configure_metadata(token="sometimes")
