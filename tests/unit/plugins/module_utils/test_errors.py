# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every documented error body shape yields its code, message and request id."""

from __future__ import annotations

import json

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import SUMMARY_PREFIX, parse_error, printable, summarize, without_surrogates

CASES = [
    ("gateway", 401, {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information", "request_id": "body-rid"},
     {}, "APIGW.0301", "Incorrect IAM authentication information", "body-rid"),
    ("ddm v3", 400, {"error_code": "DBS.300400", "error_msg": "The task is not found."},
     {"X-Request-Id": "rid-1"}, "DBS.300400", "The task is not found.", "rid-1"),
    ("ddm v1", 409, {"errCode": "DBS.200019", "externalMessage": "Instance is busy."},
     {"X-Request-Id": "rid-2"}, "DBS.200019", "Instance is busy.", "rid-2"),
    ("iam", 401, {"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}},
     {"X-IAM-Trace-Id": "trace-3"}, None, "The username or password is wrong.", "trace-3"),
]


@pytest.mark.parametrize("name,status,body,headers,code,message,request_id", CASES, ids=[c[0] for c in CASES])
def test_documented_shapes(name, status, body, headers, code, message, request_id):  # pylint: disable=unused-argument
    error = parse_error(status, headers, json.dumps(body).encode())
    assert (error.status, error.code, error.detail, error.request_id) == (status, code, message, request_id)
    assert str(error).startswith("HTTP %d" % status)
    assert message in str(error)
    assert request_id in str(error)


def test_header_request_id_wins_over_body():
    error = parse_error(429, {"X-Request-Id": "hdr"}, json.dumps({"error_code": "APIGW.0308", "error_msg": "throttled", "request_id": "body"}).encode())
    assert error.request_id == "hdr"


def test_html_page_from_a_proxy_is_summarised():
    page = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>" + "x" * 5000 + "</body></html>"
    error = parse_error(502, {}, page.encode())
    assert error.code is None
    assert error.detail == "non-JSON response: 502 Bad Gateway"


def test_long_plain_text_is_truncated():
    error = parse_error(500, {}, b"oops " * 200)
    assert error.detail.endswith("...")
    assert len(error.detail) < 260


@pytest.mark.parametrize("text", [b"", b"   "])
def test_empty_body(text):
    assert parse_error(503, {}, text).detail == "empty response body"


def test_unknown_json_shape_is_shown_not_dropped():
    error = parse_error(500, {}, json.dumps({"weird": "shape"}).encode())
    assert "weird" in error.detail


def test_hint_is_appended():
    error = parse_error(401, {}, json.dumps({"error_code": "APIGW.0301", "error_msg": "bad"}).encode(), hint="Check the clock")
    assert str(error).endswith("bad. Check the clock")


@pytest.mark.parametrize("page", [b"<" * 200_000, b"<title>" * 30_000, b"<a " * 70_000 + b">", b"<!--" + b"-" * 200_000])
def test_hostile_pages_summarise_to_a_short_markup_free_line(page):
    detail = parse_error(502, {}, page).detail
    assert detail.startswith("non-JSON response: ") and "<" not in detail and len(detail) < 260


def test_only_a_bounded_prefix_of_a_body_is_read():
    body = b"x" * SUMMARY_PREFIX + b"<title>far away</title>"
    assert "far away" not in parse_error(500, {}, body).detail
    assert summarize("<p>" + "a" * 10 + "</p>" + "b" * (SUMMARY_PREFIX * 3)).startswith("aaaaaaaaaa b")


def test_server_text_cannot_carry_terminal_escapes():
    body = json.dumps({"error_code": "DBS.1\u001b[2J", "error_msg": "bad\u001b]0;title\u0007\nok: [localhost]"}).encode()
    error = parse_error(400, {"X-Request-Id": "r\u001b[1m"}, body)
    assert not any(ord(char) < 32 or ord(char) == 127 for char in str(error))
    assert "\\x1b[2J" in error.code and error.detail == "bad\\x1b]0;title\\x07 ok: [localhost]"  # one line, escapes shown
    assert printable("plain text") == "plain text"


def test_error_fields_that_are_not_text_are_ignored():
    error = parse_error(400, {}, json.dumps({"error_code": ["x"], "error_msg": {"deep": 1}}).encode())
    assert error.code is None and error.detail == "unrecognised error body: {\"error_code\": [\"x\"], \"error_msg\": {\"deep\": 1}}"


def test_deeply_nested_json_error_body_does_not_crash():
    error = parse_error(500, {}, b"[" * 100_000)
    assert error.detail.startswith("non-JSON response: [[[")


@pytest.mark.parametrize("code", ["APIGW.0101", "APIG.0101", "apig.0101"])
def test_an_unknown_api_says_the_endpoint_or_path_is_wrong(code):
    error = parse_error(404, {"X-Request-Id": "r1"}, json.dumps({"error_code": code, "error_msg": "The API does not exist"}).encode())
    assert error.from_gateway and str(error) == ("HTTP 404 %s: The API does not exist (request id r1). The API gateway does not know this API: "
                                                 "the endpoint (or region) or the API path is wrong" % code)


def test_service_codes_are_not_gateway_codes():
    assert not parse_error(400, {}, json.dumps({"error_code": "DBS.300400", "error_msg": "x"}).encode()).from_gateway


def test_printable_is_idempotent_and_shows_lone_surrogates():
    text = "a\x1b[2J\ud800\n\u4e2d"
    assert printable(text) == "a\\x1b[2J\\ud800\\n\u4e2d"
    assert printable(printable(text)) == printable(text)  # escaping twice changes nothing


def test_without_surrogates_escapes_only_lone_surrogates_everywhere_in_a_result():
    value = {"name\udfff": ["x\ud800y", 3, None, {"k": "\x1b\u4e2d"}], "n": 1.5}
    assert without_surrogates(value) == {"name\\udfff": ["x\\ud800y", 3, None, {"k": "\x1b\u4e2d"}], "n": 1.5}
    json.dumps(without_surrogates(value), ensure_ascii=False).encode("utf-8")  # now UTF-8 text
