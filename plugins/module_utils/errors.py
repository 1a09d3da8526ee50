# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exceptions raised by the client, and parsing of Huawei Cloud error bodies."""

from __future__ import annotations

import json
import re

# Header names that carry the request id, in order of preference (IAM uses its own).
REQUEST_ID_HEADERS = ("X-Request-Id", "X-IAM-Trace-Id", "X-Openstack-Request-Id")
_SNIPPET_LENGTH = 200


class HuaweiCloudError(Exception):
    """Base class: anything the modules turn into a clean failure message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigurationError(HuaweiCloudError):
    """Invalid or incomplete options, detected before any request is sent."""


class NotFoundError(HuaweiCloudError):
    """The resource asked for does not exist."""


class TransportError(HuaweiCloudError):
    """The service could not be reached, or did not answer in time, after all retries."""


class APIError(HuaweiCloudError):
    """An HTTP error answer from the API, with the parsed code, message and request id."""

    def __init__(self, status: int, code: str | None, detail: str, request_id: str | None = None, hint: str | None = None):
        self.status = status
        self.code = code
        self.detail = detail
        self.request_id = request_id
        text = "HTTP %s" % status
        if code:
            text += " %s" % code
        text += ": %s" % detail
        if request_id:
            text += " (request id %s)" % request_id
        if hint:
            text += ". %s" % hint
        super().__init__(text)


def _plain_text(text: str) -> str:
    """A short, single-line rendering of a non-JSON body (an HTML page from a proxy, say)."""
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    if title:
        text = title.group(1)
    text = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    return text[:_SNIPPET_LENGTH] + ("..." if len(text) > _SNIPPET_LENGTH else "")


def _code_and_message(body) -> tuple[str | None, str | None, str | None]:
    """(code, message, request id) from any of the documented error body shapes."""
    if not isinstance(body, dict):
        return None, None, None
    if "error_code" in body or "error_msg" in body:  # API gateway and DDM v3
        return body.get("error_code"), body.get("error_msg"), body.get("request_id")
    if "errCode" in body or "externalMessage" in body:  # DDM v1/v2
        return body.get("errCode"), body.get("externalMessage"), None
    error = body.get("error")
    if isinstance(error, dict):  # IAM (Keystone style)
        # Its numeric "code" only repeats the HTTP status.
        return None, error.get("message") or error.get("title"), None
    if "code" in body and "message" in body:
        return str(body["code"]), body["message"], None
    return None, None, None


def request_id_from(headers) -> str | None:
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def parse_error(status: int, headers, text: str, hint: str | None = None) -> APIError:
    """Build an :class:`APIError` from an error response, whatever shape its body has."""
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    code, message, body_request_id = _code_and_message(body)
    if message is None:
        if not text or not text.strip():
            message = "empty response body"
        elif body is None:
            message = "non-JSON response: %s" % _plain_text(text)
        else:
            message = "unrecognised error body: %s" % _plain_text(text)
    return APIError(status, code, str(message), request_id_from(headers) or body_request_id, hint)
