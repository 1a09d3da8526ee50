# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calls to the emulator's API that its tests share: URLs, a list-time window, token and signed requests."""

from __future__ import annotations

import time

import requests

from harness import emulator as harness
from harness.emulator import ACCESS_KEY, PROJECT_ID, SECRET_KEY, STATIC_TOKEN
import signing


AKSK = (ACCESS_KEY, SECRET_KEY)


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
