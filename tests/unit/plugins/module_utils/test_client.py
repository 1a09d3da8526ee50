# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client's retry loop, token renewal and error handling, with scripted HTTP answers."""

from __future__ import annotations

import email.utils
import io
import json
import os
import time

import pytest
import requests

import yaml

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.auth import AkSkAuth, PasswordAuth, TokenAuth
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.client import COLLECTION_VERSION, MAX_ANSWER_BYTES, USER_AGENT
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.deadline import Deadline
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import (APIError, ConfigurationError, DeadlineExceeded, IdentityError,
                                                                                      TransportError, UnexpectedAnswer)

URL = "https://ddm.example.invalid/v3/pid/jobs/j1"


def test_success_sends_user_agent_and_token_and_disables_netrc(http):
    session = http.Session(http.answer(200, {"job": {"status": "Running"}}))
    client, sleeps = http.client(session)
    assert client.get_json(URL) == {"job": {"status": "Running"}}
    sent = session.sent[0]
    assert sent["headers"]["User-Agent"] == USER_AGENT and COLLECTION_VERSION in USER_AGENT
    assert sent["headers"]["X-Auth-Token"] == "tok"
    assert sent["allow_redirects"] is False
    assert session.auth is not None and session.auth("req") == "req"  # ~/.netrc cannot replace our headers
    assert sleeps == []


def test_throttling_honours_retry_after_then_succeeds(http):
    throttled = http.answer(429, {"error_code": "APIGW.0308", "error_msg": "throttled"}, {"Retry-After": "7"})
    session = http.Session(throttled, http.answer(503, text=""), http.answer(200, {"ok": 1}))
    client, sleeps = http.client(session)
    assert client.get_json(URL) == {"ok": 1}
    assert sleeps == [7.0, 2.0]  # Retry-After, then backoff for the 2nd retry (rng = 1.0)
    assert client.retry_events == ["HTTP 429 APIGW.0308", "HTTP 503"]


def test_connection_errors_are_retried_then_reported_cleanly(http):
    errors = [requests.exceptions.ConnectionError("Max retries exceeded (Caused by NewConnectionError('<urllib3.connection.HTTPConnection "
                                                  "object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused'))")] * 3
    client, sleeps = http.client(http.Session(*errors), max_retries=2)
    with pytest.raises(TransportError) as info:
        client.get_json(URL)
    message = str(info.value)
    assert message.startswith("GET %s: connection failed" % URL)
    assert "Connection refused" in message and "0x7f" not in message
    assert message.endswith("(gave up after 3 attempts)")
    assert len(sleeps) == 2


def test_read_timeout_is_named_and_retryable(http):
    client, sleeps = http.client(http.Session(requests.exceptions.ReadTimeout("x"), http.answer(200, {"ok": 1})), timeout=7)
    assert client.get_json(URL) == {"ok": 1}
    assert client.retry_events == ["no complete answer within the api_timeout (7 s)"] and sleeps == [1.0]


def test_tls_errors_fail_at_once(http):
    client, sleeps = http.client(http.Session(requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")))
    with pytest.raises(TransportError, match="TLS error: .*CERTIFICATE_VERIFY_FAILED"):
        client.get_json(URL)
    assert sleeps == []


def test_client_errors_are_not_retried(http):
    session = http.Session(http.answer(403, {"error_code": "DBS.280001", "error_msg": "Forbidden"}, {"X-Request-Id": "r1"}))
    client, sleeps = http.client(session)
    with pytest.raises(APIError) as info:
        client.get_json(URL)
    assert str(info.value) == "HTTP 403 DBS.280001: Forbidden (request id r1)"
    assert sleeps == [] and len(session.sent) == 1


def test_deadline_stops_retrying_early_and_keeps_the_last_error(http, clock):
    client, sleeps = http.client(http.Session(*[http.answer(503, text="")] * 6), clock=clock)
    with client.within(Deadline(2.5, clock)), pytest.raises(DeadlineExceeded) as info:
        client.get_json(URL)
    assert sleeps == [1.0]  # the 2nd backoff (2 s) would pass the deadline
    assert isinstance(info.value.last_error, APIError) and info.value.last_error.status == 503
    assert "no usable answer before the deadline; last error: HTTP 503: empty response body" in str(info.value)


def test_password_login_then_renewal_once_on_401(http):
    login = http.answer(201, {"token": {"project": {"id": "discovered"}}}, {"X-Subject-Token": "t1"})
    relogin = http.answer(201, {"token": {"project": {"id": "discovered"}}}, {"X-Subject-Token": "t2"})
    expired = http.answer(401, {"error_code": "APIGW.0301", "error_msg": "token expired"})
    session = http.Session(login, expired, relogin, http.answer(200, {"ok": 1}))
    client, _sleeps = http.client(session, auth=PasswordAuth("u", "p", "d", None, "cn-north-4"), project_id=None)
    assert client.project_id == "discovered"
    assert client.get_json("https://ddm.example.invalid/v3/discovered/jobs/j") == {"ok": 1}
    assert [s["headers"].get("X-Auth-Token") for s in session.sent] == [None, "t1", None, "t2"]
    login_body = json.loads(session.sent[0]["data"])
    assert login_body["auth"]["scope"] == {"project": {"name": "cn-north-4", "domain": {"name": "d"}}}


def test_password_renewal_happens_only_once_per_request(http):
    login = http.answer(201, {"token": {"project": {"id": "pid"}}}, {"X-Subject-Token": "t"})
    rejected = http.answer(401, {"error_code": "APIGW.0301", "error_msg": "revoked"})
    session = http.Session(login, rejected, login, rejected)
    client, _sleeps = http.client(session, auth=PasswordAuth("u", "p", "d", "pid", None))
    with pytest.raises(APIError, match="HTTP 401 APIGW.0301: revoked"):
        client.get_json(URL)
    assert len(session.sent) == 4


def test_failed_login_says_so_without_the_password(http):
    denied = http.answer(401, {"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}})
    client, _sleeps = http.client(http.Session(denied), auth=PasswordAuth("u", "hunter2", "d", "pid", None))
    # An IdentityError: no caller may take IAM's answer for the service's.
    with pytest.raises(IdentityError) as info:
        client.get_json(URL)
    assert str(info.value) == "IAM password login failed: HTTP 401: The username or password is wrong."
    assert isinstance(info.value.cause, APIError)
    assert "hunter2" not in str(info.value)


def test_aksk_project_discovery_and_signed_requests(http):
    projects = http.answer(200, {"projects": [{"id": "p-other", "name": "cn-north-1"}, {"id": "p-found", "name": "cn-north-4"}]})
    session = http.Session(projects, http.answer(200, {"ok": 1}))
    client, _sleeps = http.client(session, auth=AkSkAuth("AK", "SK"), project_id=None)
    client.get_json("https://ddm.example.invalid/v3/p-found/jobs/j")
    lookup, call = session.sent
    assert lookup["url"] == "https://iam.example.invalid/v3/projects?name=cn-north-4"
    assert "X-Project-Id" not in lookup["headers"] and lookup["headers"]["Authorization"].startswith("SDK-HMAC-SHA256 Access=AK,")
    assert call["headers"]["X-Project-Id"] == "p-found"


def test_clock_skew_is_explained_for_aksk(http):
    server_date = email.utils.formatdate(time.time() - 3600, usegmt=True)
    rejected = http.answer(401, {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"}, {"Date": server_date})
    client, _sleeps = http.client(http.Session(rejected), auth=AkSkAuth("AK", "SK"))
    with pytest.raises(APIError, match="clock is 60 minutes ahead of the server's; AK/SK signatures are rejected beyond 15 minutes"):
        client.get_json(URL)


def test_non_json_success_is_an_unexpected_answer_with_a_snippet(http):
    client, _sleeps = http.client(http.Session(http.answer(200, text="<html><title>Login portal</title></html>", headers={"X-Request-Id": "r9"})))
    with pytest.raises(UnexpectedAnswer) as info:
        client.get_json(URL, service="DDM")
    assert str(info.value) == "unexpected answer from DDM: expected a JSON object, got non-JSON response: Login portal (request id r9)"


def test_query_parameters_are_sent_in_canonical_order(http):
    session = http.Session(http.answer(200, {}))
    client, _sleeps = http.client(session)
    client.get_json(URL, params=[("start_time", 2), ("end_time", 3), ("limit", 10)])
    assert session.sent[0]["url"] == URL + "?end_time=3&limit=10&start_time=2"


def test_user_agent_version_matches_galaxy_yml():
    galaxy = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "galaxy.yml")
    with open(galaxy, encoding="utf-8") as handle:
        assert yaml.safe_load(handle)["version"] == COLLECTION_VERSION
    assert USER_AGENT.startswith("huaweicloud.cloud/%s " % COLLECTION_VERSION)


def test_throttling_during_a_wait_is_bounded_by_the_deadline_not_max_retries(http, clock):
    def throttled():
        return [http.answer(429, {"error_code": "APIGW.0308", "error_msg": "throttled"}, {"Retry-After": "0"}) for _i in range(8)]

    client, sleeps = http.client(http.Session(*throttled(), http.answer(200, {"ok": 1})), max_retries=2, clock=clock)
    with client.within(Deadline(60.0, clock)):
        assert client.get_json(URL) == {"ok": 1}
    assert sleeps == [1.0] * 8  # Retry-After: 0 still pauses a second
    outside_a_wait, sleeps = http.client(http.Session(*throttled()), max_retries=1)
    with pytest.raises(APIError, match="APIGW.0308.*gave up after 2 attempts"):
        outside_a_wait.get_json(URL)
    assert sleeps == [1.0]  # max_retries: 1 means one retry, whatever the status


def test_an_answer_larger_than_the_cap_is_refused_not_read_whole(http):
    class CountingBody(io.BytesIO):
        bytes_read = 0

        def read(self, size=-1):
            data = super().read(size)
            CountingBody.bytes_read += len(data)
            return data

    huge = http.answer(200, headers={"X-Request-Id": "big"})
    huge.raw = CountingBody(b'{"job": "' + b"x" * (4 * MAX_ANSWER_BYTES) + b'"}')
    client, _sleeps = http.client(http.Session(huge))
    with pytest.raises(UnexpectedAnswer, match=r"^unexpected answer from DDM: the answer is larger than 8 MiB, the most this client reads "
                                               r"\(request id big\)$"):
        client.get_json(URL, service="DDM")
    assert CountingBody.bytes_read <= MAX_ANSWER_BYTES + 128 * 1024  # stopped reading near the cap


@pytest.mark.parametrize("body,what", [
    (b"[" * 100_000, "JSON nested too deeply"),
    (b"[1, 2]", "a JSON array"),
    (b'"text"', "a JSON string"),
    (b"null", "a JSON null"),
    (b"", "an empty body"),
])
def test_answers_that_are_not_json_objects_are_named(http, body, what):
    client, _sleeps = http.client(http.Session(http.answer(200, text=body)))
    with pytest.raises(UnexpectedAnswer) as info:
        client.get_json(URL)
    assert str(info.value) == "unexpected answer from the API: expected a JSON object, got " + what


@pytest.mark.parametrize("token", ["S3cr3t\nX-Evil: 1", "S3cr3t\r\n", "S3cr3t\u2603"])
def test_a_header_that_http_cannot_carry_is_refused_before_sending_and_not_echoed(http, token):
    session = http.Session()
    client, _sleeps = http.client(session, auth=TokenAuth(token))
    with pytest.raises(ConfigurationError) as info:
        client.get_json(URL)
    assert session.sent == [] and "S3cr3t" not in str(info.value) and "X-Auth-Token header cannot be sent" in str(info.value)


def test_errors_that_may_quote_headers_are_replaced_by_a_fixed_text(http):
    leaky = requests.exceptions.InvalidHeader("Invalid leading whitespace in header value: ' S3cr3t'")
    client, sleeps = http.client(http.Session(leaky))
    with pytest.raises(TransportError) as info:
        client.get_json(URL)
    assert str(info.value) == "GET %s: the request could not be built (an invalid URL or header)" % URL
    assert sleeps == []


def test_password_login_errors_are_new_errors_not_rewritten_ones(http):
    denied = http.answer(401, {"error": {"code": 401, "message": "The username or password is wrong."}})
    client, _sleeps = http.client(http.Session(denied), auth=PasswordAuth("u", "p", "d", "pid", None))
    with pytest.raises(IdentityError) as info:
        client.get_json(URL)
    assert info.value.cause.status == 401 and info.value.cause.detail == "The username or password is wrong."
    assert str(info.value).startswith("IAM password login failed: HTTP 401")


def test_a_login_needed_by_a_poll_keeps_to_the_poll_deadline(http, clock):
    stalled = [requests.exceptions.ConnectionError("refused") for _i in range(6)]
    session = http.Session(*stalled)
    client, sleeps = http.client(session, auth=PasswordAuth("u", "p", "d", "pid", None), clock=clock)
    with client.within(Deadline(2.5, clock)), pytest.raises(DeadlineExceeded) as info:
        client.get_json(URL)  # a poll of a wait: its deadline also bounds the login it needs
    assert sleeps == [1.0] and len(session.sent) == 2  # the login's retries stopped at the poll's deadline
    assert session.sent[0]["url"] == "https://iam.example.invalid/v3/auth/tokens"
    assert isinstance(info.value.last_error, TransportError)
    assert client._deadlines == []  # pylint: disable=protected-access


def test_a_run_deadline_bounds_the_project_lookup_made_while_a_url_is_built(http, clock):
    # DDM URLs hold the project id, so the lookup happens before any request of the wait passes its deadline.
    session = http.Session(*[requests.exceptions.ConnectionError("refused") for _i in range(6)])
    client, sleeps = http.client(session, auth=TokenAuth("tok"), project_id=None, clock=clock)
    with client.within(Deadline(2.5, clock)), pytest.raises(DeadlineExceeded):
        str(client.project_id)
    assert sleeps == [1.0] and len(session.sent) == 2 and session.sent[0]["url"] == "https://iam.example.invalid/v3/auth/projects"
    assert session.sent[0]["timeout"] == 2.5  # each attempt is cut to what is left, not api_timeout
    assert client._deadlines == []  # pylint: disable=protected-access


def test_deadline_scopes_nest_and_never_extend_an_outer_one(http, clock):
    client, _sleeps = http.client(http.Session())
    fifty, eighty, twenty = Deadline(50.0, clock), Deadline(80.0, clock), Deadline(20.0, clock)
    with client.within(None) as none:
        assert none is None and client.deadline is None
        with client.within(fifty) as outer:
            with client.within(eighty) as inner, client.within(None) as unchanged:
                assert outer is fifty and inner is fifty and unchanged is fifty and client.deadline is fifty
            with client.within(twenty) as tighter:
                assert tighter is twenty and client.deadline is twenty
    assert client._deadlines == [] and client.deadline is None  # pylint: disable=protected-access


class OddScheme(TokenAuth):
    """A scheme whose project lookup finds an id that is not plain (a check of the scheme's own was forgotten)."""

    def discover_project(self, client, name):
        return "p/../x"


def test_a_project_id_found_by_any_scheme_must_be_plain(http):
    session = http.Session()
    client, _sleeps = http.client(session, auth=OddScheme("tok"), project_id=None)
    with pytest.raises(IdentityError, match=r"^unexpected answer from IAM: the project id found is 'p/\.\./x', expected a plain id"):
        str(client.project_id)
    assert session.sent == []


def test_secrets_obtained_at_run_time_are_passed_on(http):
    kept = []
    client, _sleeps = http.client(http.Session(), on_secret=kept.append)
    for value in ("MIIEMUtoken", "", None):
        client.keep_secret(value)
    assert kept == ["MIIEMUtoken"]  # an empty value would mask every position of every message
    http.client(http.Session())[0].keep_secret("no hook: nothing to do")


def test_a_secret_quoted_by_a_server_is_masked_before_the_message_is_cut(http):
    """A password near the 200-character cut: cutting first would leave its first characters visible."""
    secret = "Pw-Sekret-4711x"
    quoted = "x" * 190 + " password " + secret + " rejected"
    session = http.Session(http.answer(400, {"error_code": "DBS.280001", "error_msg": quoted}),
                           http.answer(502, text="<html><body>" + "y" * 195 + secret + "</body></html>"),
                           http.answer(200, text="z" * 196 + secret))
    client, _sleeps = http.client(session, max_retries=0, secrets={secret})
    for _attempt in range(2):
        with pytest.raises(APIError) as info:
            client.request("PUT", URL)
        assert secret[:4] not in str(info.value) and str(info.value).count("x") + str(info.value).count("y") >= 180
    with pytest.raises(UnexpectedAnswer) as info:
        client.get_json(URL)
    assert secret[:4] not in str(info.value)
    client.keep_secret("Later-Token-1")
    assert client.secrets == {secret, "Later-Token-1"}
