# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exceptions raised by the client, and parsing of Huawei Cloud error bodies."""

from __future__ import annotations

import json

# Header names that carry the request id, in order of preference (IAM uses its own).
REQUEST_ID_HEADERS = ("X-Request-Id", "X-IAM-Trace-Id", "X-Openstack-Request-Id")
SNIPPET_LENGTH = 200
# A server's text quoted in a failure message is cut here.
SERVER_TEXT_LENGTH = 300
# Only this much of an error body is ever looked at: enough for any real error page.
SUMMARY_PREFIX = 64 * 1024
# The API gateway's error codes, in both spellings Huawei uses (APIGW.0308, APIG.0308).
GATEWAY_CODE_PREFIXES = ("APIGW.", "APIG.")
UNKNOWN_API_HINT = "The API gateway does not know this API: the endpoint (or region) or the API path is wrong"
# What a secret quoted by a server becomes (Ansible's own mask).
MASK = "********"


class HuaweiCloudError(Exception):
    """Base class: anything the modules turn into a clean failure message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def with_message(self, message: str) -> HuaweiCloudError:
        """A copy of this error (same class and attributes) that says ``message``."""
        clone = self.__class__.__new__(self.__class__)
        clone.__dict__.update(self.__dict__)
        clone.message = message
        clone.args = (message,)
        return clone


class ConfigurationError(HuaweiCloudError):
    """Invalid or incomplete options, detected before any request is sent."""


class IdentityError(HuaweiCloudError):
    """IAM or the ECS metadata service failed while a request was being prepared (credentials, project lookup).

    Kept apart from :class:`APIError` so that no caller takes it for the service's own answer
    (an IAM 404 is not a missing task). ``cause`` is the original error.
    """

    def __init__(self, cause: HuaweiCloudError):
        super().__init__(cause.message)
        self.cause = cause


class NotFoundError(HuaweiCloudError):
    """The resource asked for does not exist."""


class TransportError(HuaweiCloudError):
    """The service could not be reached, or did not answer in time, after all retries.

    ``sent`` is False when the request certainly never left this machine (it could not be built,
    or the deadline passed first).
    """

    def __init__(self, message: str, retryable: bool = True, sent: bool = True):
        super().__init__(message)
        self.retryable = retryable
        self.sent = sent


class DeadlineExceeded(TransportError):
    """A wait's deadline passed before a usable answer came; ``last_error`` is what was seen meanwhile."""

    def __init__(self, message: str, last_error: HuaweiCloudError | None = None, sent: bool = True):
        super().__init__(message, retryable=False, sent=sent)
        self.last_error = last_error


class OutcomeUnknown(HuaweiCloudError):
    """A write that must not be sent twice was sent, but its answer was lost (no answer, a reset, a 502/503/504,
    a 5xx without a service code): it may or may not have been applied. ``cause`` is what was seen."""

    def __init__(self, cause: HuaweiCloudError):
        super().__init__("the request may or may not have been applied: %s" % cause)
        self.cause = cause


class ResourceBusy(HuaweiCloudError):
    """A write refused because another operation is under way on the resource (DDM's DBS.200019, DBS.212033)."""


class OperationFailed(HuaweiCloudError):
    """An operation failed or timed out; ``resource`` and ``job`` are their last states seen, for the result."""

    def __init__(self, message: str, resource: dict | None = None, job: dict | None = None):
        super().__init__(message)
        self.resource = resource
        self.job = job


class WrongInstance(OperationFailed):
    """A job of another instance than the one expected; ``job`` is the job as read."""

    def __init__(self, message: str, job: dict):
        super().__init__(message, job=job)


class UnexpectedAnswer(HuaweiCloudError):
    """A successful HTTP answer whose body is not what the API documents."""

    def __init__(self, service: str, what: str, request_id: str | None = None):
        self.service = service
        self.what = what
        self.request_id = request_id
        text = "unexpected answer from %s: %s" % (service, what)
        if request_id:
            text += " (request id %s)" % request_id
        super().__init__(text)


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

    @property
    def from_gateway(self) -> bool:
        """True when the API gateway itself answered (throttling, auth, unknown API), not the service."""
        return is_gateway_code(self.code)


def is_gateway_code(code: str | None) -> bool:
    return bool(code) and code.upper().startswith(GATEWAY_CODE_PREFIXES)


def gateway_code_number(code: str | None) -> str | None:
    """``0101`` for ``APIGW.0101`` and ``APIG.0101``; None for other codes."""
    return code.split(".", 1)[1] if is_gateway_code(code) else None


def printable(text: str) -> str:
    """``text`` with control characters shown as escapes, so server text cannot drive a terminal."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)


def server_text(text, length: int = SERVER_TEXT_LENGTH) -> str:
    """A server's text (an ``error_msg``, a ``fail_reason``) for a failure message: printable, and cut after ``length`` characters
    (the result keeps the full text)."""
    text = str(text)
    if len(text) <= length:
        return printable(text)
    return "%s... (%d characters in all; the result has the full text)" % (printable(text[:length]), len(text))


def _escape_surrogates(text: str) -> str:
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "".join(char.encode("unicode_escape").decode("ascii") if "\ud800" <= char <= "\udfff" else char for char in text)


def without_surrogates(value):
    """JSON-like ``value`` (a result) with every lone surrogate of its text shown as an escape (``\\ud800``).

    A JSON answer may hold one (``"\\ud800"``); it is not Unicode text, cannot be written as UTF-8, and
    ansible-core refuses a whole module result that holds it. Other text is left as it is.
    """
    if isinstance(value, str):
        return _escape_surrogates(value)
    if isinstance(value, dict):
        return {without_surrogates(key): without_surrogates(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [without_surrogates(item) for item in value]
    return value


def _strip_markup(text: str) -> str:
    """Text outside ``<...>`` tags, in one pass (regexes over hostile pages can take quadratic time)."""
    kept = []
    depth = 0
    for char in text:
        if char == "<":
            depth = 1
        elif char == ">" and depth:
            depth = 0
            kept.append(" ")
        elif not depth:
            kept.append(char)
    return "".join(kept)


def _title(text: str) -> str | None:
    lower = text.lower()
    start = lower.find("<title")
    if start < 0:
        return None
    start = lower.find(">", start)
    end = lower.find("</title", start)
    return text[start + 1:end] if 0 <= start < end else None


def mask_secrets(text: str, secrets=()) -> str:
    """``text`` with every secret in it masked, longest first: done before any cut, which would leave a secret's start visible."""
    for secret in sorted((secret for secret in secrets if isinstance(secret, str) and secret), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def summarize(text: str, length: int = SNIPPET_LENGTH) -> str:
    """A short, single-line, markup-free rendering of a non-JSON body (an HTML page from a proxy, say)."""
    text = text[:SUMMARY_PREFIX]
    title = _title(text)
    text = " ".join(_strip_markup(title if title is not None else text).split())
    text = printable(text[:length]) + ("..." if len(text) > length else "")
    return text or "markup only"


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
        return body["code"], body["message"], None
    return None, None, None


def _short(value, secrets=()) -> str | None:
    """A field of an error body as short printable text (bodies are server-controlled), secrets masked before the cut."""
    if value is None or isinstance(value, (dict, list)):
        return None
    return summarize(mask_secrets(str(value), secrets), SNIPPET_LENGTH)


def request_id_from(headers) -> str | None:
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return _short(value)
    return None


def parse_error(status: int, headers, content: bytes, hint: str | None = None, secrets=()) -> APIError:
    """Build an :class:`APIError` from an error response, whatever shape its body has; ``secrets`` quoted in it are masked."""
    text = content[:SUMMARY_PREFIX].decode("utf-8", "replace")
    try:
        body = json.loads(text) if len(content) <= SUMMARY_PREFIX else None
    except (ValueError, RecursionError):
        body = None
    code, message, body_request_id = (_short(value, secrets) for value in _code_and_message(body))
    if message is None:
        if not text.strip():
            message = "empty response body"
        elif body is None:
            message = "non-JSON response: %s" % summarize(mask_secrets(text, secrets))
        else:
            message = "unrecognised error body: %s" % summarize(mask_secrets(text, secrets))
    if status == 404 and gateway_code_number(code) == "0101":
        hint = hint or UNKNOWN_API_HINT
    return APIError(status, code, message, request_id_from(headers) or body_request_id, hint)
