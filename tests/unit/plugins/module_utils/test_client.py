# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client's retry loop, token renewal and error handling, with scripted HTTP answers."""

from __future__ import annotations

import email.utils
import os
import json
import time

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from ansible_collections.huaweicloud.cloud.plugins.module_utils.auth import AkSkAuth, PasswordAuth, TokenAuth
from ansible_collections.huaweicloud.cloud.plugins.module_utils.client import COLLECTION_VERSION, USER_AGENT, HuaweiCloudClient
from ansible_collections.huaweicloud.cloud.plugins.module_utils.errors import APIError, TransportError
from ansible_collections.huaweicloud.cloud.plugins.module_utils.retry import RetryPolicy

URL = "https://ddm.example.invalid/v3/pid/jobs/j1"


def answer(status=200, body=None, headers=None, text=None):
    response = requests.Response()
    response.status_code = status
    response.headers = CaseInsensitiveDict(headers or {})
    response._content = (text if text is not None else json.dumps(body if body is not None else {})).encode()  # pylint: disable=protected-access
    return response


class ScriptedSession:
    """Plays back answers (or raises exceptions) in order and records what was sent."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent = []
        self.auth = None

    def request(self, method, url, **kwargs):
        self.sent.append(dict(kwargs, method=method, url=url))
        item = self.answers.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


def make_client(session, auth=None, max_retries=5, **kwargs):
    sleeps = []
    client = HuaweiCloudClient(auth or TokenAuth("tok"), iam_url="https://iam.example.invalid", region="cn-north-4",
                               project_id=kwargs.pop("project_id", "pid"), retry=RetryPolicy(max_retries=max_retries, rng=lambda: 1.0),
                               session=session, sleep=sleeps.append, **kwargs)
    return client, sleeps


def test_success_sends_user_agent_and_token_and_disables_netrc():
    session = ScriptedSession(answer(200, {"job": {"status": "Running"}}))
    client, sleeps = make_client(session)
    assert client.get_json(URL) == {"job": {"status": "Running"}}
    sent = session.sent[0]
    assert sent["headers"]["User-Agent"] == USER_AGENT and COLLECTION_VERSION in USER_AGENT
    assert sent["headers"]["X-Auth-Token"] == "tok"
    assert sent["allow_redirects"] is False
    assert session.auth is not None and session.auth("req") == "req"  # ~/.netrc cannot replace our headers
    assert sleeps == []


def test_throttling_honours_retry_after_then_succeeds():
    throttled = answer(429, {"error_code": "APIGW.0308", "error_msg": "throttled"}, {"Retry-After": "7"})
    session = ScriptedSession(throttled, answer(503, text=""), answer(200, {"ok": 1}))
    client, sleeps = make_client(session)
    assert client.get_json(URL) == {"ok": 1}
    assert sleeps == [7.0, 2.0]  # Retry-After, then backoff for the 2nd retry (rng = 1.0)
    assert client.retry_events == ["HTTP 429 APIGW.0308", "HTTP 503"]


def test_connection_errors_are_retried_then_reported_cleanly():
    errors = [requests.exceptions.ConnectionError("Max retries exceeded (Caused by NewConnectionError('<urllib3.connection.HTTPConnection "
                                                  "object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused'))")] * 3
    client, sleeps = make_client(ScriptedSession(*errors), max_retries=2)
    with pytest.raises(TransportError) as info:
        client.get_json(URL)
    message = str(info.value)
    assert message.startswith("GET %s: connection failed" % URL)
    assert "Connection refused" in message and "0x7f" not in message
    assert message.endswith("(gave up after 3 attempts)")
    assert len(sleeps) == 2


def test_read_timeout_is_named():
    client, _sleeps = make_client(ScriptedSession(requests.exceptions.ReadTimeout("x")), max_retries=0)
    with pytest.raises(TransportError, match="no response within the api_timeout$"):
        client.get_json(URL)


def test_tls_errors_fail_at_once():
    client, sleeps = make_client(ScriptedSession(requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")))
    with pytest.raises(TransportError, match="TLS error: .*CERTIFICATE_VERIFY_FAILED"):
        client.get_json(URL)
    assert sleeps == []


def test_client_errors_are_not_retried():
    session = ScriptedSession(answer(403, {"error_code": "DBS.280001", "error_msg": "Forbidden"}, {"X-Request-Id": "r1"}))
    client, sleeps = make_client(session)
    with pytest.raises(APIError) as info:
        client.get_json(URL)
    assert str(info.value) == "HTTP 403 DBS.280001: Forbidden (request id r1)"
    assert sleeps == [] and len(session.sent) == 1


def test_deadline_stops_retrying_early():
    now = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    client = HuaweiCloudClient(TokenAuth("tok"), iam_url="https://iam.example.invalid", project_id="pid", session=ScriptedSession(*[answer(503, text="")] * 6),
                               retry=RetryPolicy(rng=lambda: 1.0), sleep=sleep, clock=lambda: now[0])
    with pytest.raises(APIError):
        client.get_json(URL, deadline=2.5)
    assert sleeps == [1.0]  # the 2nd backoff (2 s) would pass the deadline


def test_password_login_then_renewal_once_on_401():
    login = answer(201, {"token": {"project": {"id": "discovered"}}}, {"X-Subject-Token": "t1"})
    relogin = answer(201, {"token": {"project": {"id": "discovered"}}}, {"X-Subject-Token": "t2"})
    expired = answer(401, {"error_code": "APIGW.0301", "error_msg": "token expired"})
    session = ScriptedSession(login, expired, relogin, answer(200, {"ok": 1}))
    client, _sleeps = make_client(session, auth=PasswordAuth("u", "p", "d", None, "cn-north-4"), project_id=None)
    assert client.project_id == "discovered"
    assert client.get_json("https://ddm.example.invalid/v3/discovered/jobs/j") == {"ok": 1}
    assert [s["headers"].get("X-Auth-Token") for s in session.sent] == [None, "t1", None, "t2"]
    login_body = json.loads(session.sent[0]["data"])
    assert login_body["auth"]["scope"] == {"project": {"name": "cn-north-4", "domain": {"name": "d"}}}


def test_password_renewal_happens_only_once_per_request():
    login = answer(201, {"token": {"project": {"id": "pid"}}}, {"X-Subject-Token": "t"})
    rejected = answer(401, {"error_code": "APIGW.0301", "error_msg": "revoked"})
    session = ScriptedSession(login, rejected, login, rejected)
    client, _sleeps = make_client(session, auth=PasswordAuth("u", "p", "d", "pid", None))
    with pytest.raises(APIError, match="HTTP 401 APIGW.0301: revoked"):
        client.get_json(URL)
    assert len(session.sent) == 4


def test_failed_login_says_so_without_the_password():
    denied = answer(401, {"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}})
    client, _sleeps = make_client(ScriptedSession(denied), auth=PasswordAuth("u", "hunter2", "d", "pid", None))
    with pytest.raises(APIError) as info:
        client.get_json(URL)
    assert str(info.value) == "IAM password login failed: HTTP 401: The username or password is wrong."
    assert "hunter2" not in str(info.value)


def test_aksk_project_discovery_and_signed_requests():
    projects = answer(200, {"projects": [{"id": "p-other", "name": "cn-north-1"}, {"id": "p-found", "name": "cn-north-4"}]})
    session = ScriptedSession(projects, answer(200, {"ok": 1}))
    client, _sleeps = make_client(session, auth=AkSkAuth("AK", "SK"), project_id=None)
    client.get_json("https://ddm.example.invalid/v3/p-found/jobs/j")
    lookup, call = session.sent
    assert lookup["url"] == "https://iam.example.invalid/v3/projects?name=cn-north-4"
    assert "X-Project-Id" not in lookup["headers"] and lookup["headers"]["Authorization"].startswith("SDK-HMAC-SHA256 Access=AK,")
    assert call["headers"]["X-Project-Id"] == "p-found"


def test_clock_skew_is_explained_for_aksk():
    server_date = email.utils.formatdate(time.time() - 3600, usegmt=True)
    rejected = answer(401, {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"}, {"Date": server_date})
    client, _sleeps = make_client(ScriptedSession(rejected), auth=AkSkAuth("AK", "SK"))
    with pytest.raises(APIError, match="clock is 60 minutes ahead of the server's; AK/SK signatures are rejected beyond 15 minutes"):
        client.get_json(URL)


def test_non_json_success_is_an_error_with_a_snippet():
    client, _sleeps = make_client(ScriptedSession(answer(200, text="<html><title>Login portal</title></html>")))
    with pytest.raises(APIError, match="HTTP 200: expected a JSON object, got non-JSON response: Login portal"):
        client.get_json(URL)


def test_query_parameters_are_sent_in_canonical_order():
    session = ScriptedSession(answer(200, {}))
    client, _sleeps = make_client(session)
    client.get_json(URL, params=[("start_time", 2), ("end_time", 3), ("limit", 10)])
    assert session.sent[0]["url"] == URL + "?end_time=3&limit=10&start_time=2"


def test_user_agent_version_matches_galaxy_yml():
    yaml = pytest.importorskip("yaml")
    galaxy = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "galaxy.yml")
    with open(galaxy, encoding="utf-8") as handle:
        assert yaml.safe_load(handle)["version"] == COLLECTION_VERSION
    assert USER_AGENT.startswith("huaweicloud.cloud/%s " % COLLECTION_VERSION)


def test_throttling_during_a_wait_is_bounded_by_the_deadline_not_max_retries():
    now = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    throttled = [answer(429, {"error_code": "APIGW.0308", "error_msg": "throttled"}, {"Retry-After": "0"})] * 8
    client = HuaweiCloudClient(TokenAuth("tok"), iam_url="https://iam.example.invalid", project_id="pid",
                               session=ScriptedSession(*throttled, answer(200, {"ok": 1})),
                               retry=RetryPolicy(max_retries=2, rng=lambda: 1.0), sleep=sleep, clock=lambda: now[0])
    assert client.get_json(URL, deadline=60.0) == {"ok": 1}
    assert sleeps == [1.0] * 8  # Retry-After: 0 still pauses a second
    outside_a_wait = HuaweiCloudClient(TokenAuth("tok"), iam_url="https://iam.example.invalid", project_id="pid",
                                       session=ScriptedSession(*throttled), retry=RetryPolicy(max_retries=2, rng=lambda: 1.0),
                                       sleep=sleep, clock=lambda: now[0])
    with pytest.raises(APIError, match="APIGW.0308.*gave up after 3 attempts"):
        outside_a_wait.get_json(URL)
