# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small HTTP client for Huawei Cloud APIs: one attempt at a time, retried within a budget."""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import json
import re
import socket
import time
import traceback
import urllib.parse

from .answers import plain_id_problem
from .deadline import Deadline
from .errors import (APIError, ConfigurationError, DeadlineExceeded, HuaweiCloudError, IdentityError, OutcomeUnknown, TransportError,
                     UnexpectedAnswer, is_gateway_code, mask_secrets, parse_error, printable, request_id_from, summarize)
from .retry import RetryBudget, RetryPolicy, parse_retry_after
from .signer import canonical_query
from .timelimit import TimeLimitExpired, time_limit

try:
    import requests
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

COLLECTION_VERSION = "2.0.0"  # galaxy.yml's version; a unit test keeps the two equal
USER_AGENT = "huaweicloud.cloud/%s (Ansible collection)" % COLLECTION_VERSION

# The gateway rejects AK/SK signatures whose X-Sdk-Date is further off than this.
MAX_CLOCK_SKEW = datetime.timedelta(minutes=15)
# The largest successful answer read (a full list page is about 60 KB); error pages are read
# only as far as their summary needs.
MAX_ANSWER_BYTES = 8 * 1024 * 1024
MAX_ERROR_BYTES = 64 * 1024
_CHUNK = 64 * 1024
# A header value must be Latin-1 text without control characters (line breaks above all).
_HEADER_VALUE = re.compile(r"[\x20-\x7e\xa0-\xff]*")
_JSON_TYPES = {list: "array", str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}


def _no_auth(request):
    """Stops requests from adding ~/.netrc credentials over our own headers."""
    return request


def _transport_reason(exc) -> str:
    """The innermost, human-readable cause of a requests/urllib3 transport exception."""
    cause = exc
    for _depth in range(5):
        inner = getattr(cause, "reason", None)  # urllib3 wraps; ssl's .reason is only a code string
        if not isinstance(inner, BaseException):
            inner = next((a for a in getattr(cause, "args", ()) if isinstance(a, BaseException)), None)
        if inner is None:
            break
        cause = inner
    text = summarize(re.sub(r"<[^>]*>:\s*", "", str(cause)[:1000]), 300) if str(cause) else type(cause).__name__
    kind = "TLS error" if isinstance(exc, requests.exceptions.SSLError) else "connection failed"
    return "%s: %s" % (kind, text)


def _name_not_resolved(exc) -> bool:
    """Whether a transport exception comes from a host name that does not resolve (a region typo, a wrong endpoint)."""
    cause, seen = exc, 0
    while cause is not None and seen < 8:
        if isinstance(cause, socket.gaierror) or type(cause).__name__ == "NameResolutionError":
            return True
        inner = getattr(cause, "reason", None)
        if not isinstance(inner, BaseException):
            inner = next((a for a in getattr(cause, "args", ()) if isinstance(a, BaseException)), None)
        cause, seen = inner if inner is not None else cause.__context__, seen + 1
    return False


def check_header_values(headers: dict) -> None:
    """Refuse to send a header that HTTP cannot carry, without echoing its value (it may be a secret)."""
    for name, value in headers.items():
        if not isinstance(value, str) or not _HEADER_VALUE.fullmatch(value):
            raise ConfigurationError("The %s header cannot be sent: the credential or option that fills it holds a line break, "
                                     "a control character or a character outside Latin-1 (its value is not shown)" % name)


def _read_capped(response, limit: int) -> bytes:
    """The body, but never more than ``limit + 1`` bytes of it (decompressed)."""
    chunks, size = [], 0
    for chunk in response.iter_content(_CHUNK):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return b"".join(chunks)[:limit + 1]


class HuaweiCloudClient:
    """Sends requests with the configured auth, retrying transient failures.

    ``retry_events`` records each retried failure so that modules can show throttling
    to the user instead of hiding it.
    """

    def __init__(self, auth, *, iam_url: str, region: str | None = None, project_id: str | None = None,
                 project_name: str | None = None, timeout: float = 30, verify=True, retry: RetryPolicy | None = None,
                 session=None, sleep=time.sleep, on_secret=None, secrets=None):
        self.auth = auth
        self.iam_url = iam_url
        self.region = region
        self.project_name = project_name
        self._project_id = project_id
        self.timeout = timeout
        self.verify = verify
        self.retry = retry or RetryPolicy()
        self._session = session or requests.Session()
        self._session.auth = _no_auth
        self._sleep = sleep
        self.retry_events: list[str] = []
        self._deadlines: list = []  # of the scopes of within(), innermost last
        self._on_secret = on_secret
        # Every secret of the run (the options' and those found later), masked in server text before it is cut to a summary.
        self.secrets = secrets if secrets is not None else set()
        self.clock_offset = None  # the server's clock less this machine's, from the Date header of its latest answer

    def server_now(self) -> datetime.datetime:
        """The time on the server's clock, as its latest answer's Date header told it (whole seconds); this machine's before any answer.

        Times the server compares with its own records (the job list's window) must be on its clock: one running ahead
        would hide what it created "in the future" of ours.
        """
        now = datetime.datetime.now(datetime.timezone.utc)
        return now + self.clock_offset if self.clock_offset is not None else now

    def _note_server_time(self, response) -> None:
        server_time = _date_header(response)
        if server_time is not None:
            offset = server_time - datetime.datetime.now(datetime.timezone.utc)
            # The header has whole seconds: an offset within a second or two is no offset.
            self.clock_offset = offset if abs(offset) > datetime.timedelta(seconds=2) else datetime.timedelta(0)

    @property
    def project_id(self) -> str:
        """The configured project id, or the one IAM reports for the project name or the region (looked up once).

        It goes into URLs: whatever found it, it must be a plain id, as the options' project_id must.
        """
        if not self._project_id:
            found = _preparing(self.auth.discover_project, self, self.project_name or self.region)
            problem = plain_id_problem(found, "the project id found")
            if problem:
                raise IdentityError(UnexpectedAnswer("IAM", problem))
            self._project_id = found
        return self._project_id

    def keep_secret(self, value) -> None:
        """Note a secret obtained at run time (a login token, a session token, temporary keys), so that no output shows it."""
        if isinstance(value, str) and value:
            self.secrets.add(value)
            if self._on_secret is not None:
                self._on_secret(value)

    @property
    def deadline(self) -> Deadline | None:
        """The :class:`Deadline` that requests made now keep to (the innermost scope of :meth:`within`), or None."""
        return self._deadlines[-1] if self._deadlines else None

    @contextlib.contextmanager
    def within(self, deadline: Deadline | None):
        """Every request made in the block ends by ``deadline`` (None adds no limit); yields the deadline that applies.

        This is the one way a deadline reaches requests, including what prepares them: the project
        lookup, logins and temporary credentials. Scopes nest, and an inner deadline never extends an outer one.
        """
        outer = self.deadline
        self._deadlines.append(outer if deadline is None or (outer is not None and outer.end <= deadline.end) else deadline)
        try:
            yield self._deadlines[-1]
        finally:
            self._deadlines.pop()

    def get_json(self, url: str, params=None, project_scoped: bool = True, service: str = "the API") -> dict:
        response = self.request("GET", url, params=params, project_scoped=project_scoped, service=service)
        return self.decode_json(response, service)

    def decode_json(self, response, service: str = "the API") -> dict:
        """The answer's JSON object; anything else is an :class:`UnexpectedAnswer`."""
        try:
            body = json.loads(response.content)
            what = "a JSON %s" % _JSON_TYPES.get(type(body), "value")
        except RecursionError:
            body, what = None, "JSON nested too deeply"
        except ValueError:
            text = response.content[:MAX_ERROR_BYTES].decode("utf-8", "replace")
            body, what = None, ("non-JSON response: %s" % summarize(mask_secrets(text, self.secrets))) if text.strip() else "an empty body"
        if not isinstance(body, dict):
            raise UnexpectedAnswer(service, "expected a JSON object, got " + what, request_id_from(response.headers))
        return body

    def request(self, method: str, url: str, **options):
        """Send one API request and return the successful (2xx) response, its body read.

        Transient failures are retried within the retry policy (``retry``, else the
        client's) and, inside :meth:`within`, before its deadline, which also bounds every
        attempt; a request made while another one is prepared (a login, temporary
        credentials, a project lookup) keeps to that deadline too.
        Anything else raises a :class:`HuaweiCloudError`. ``auth`` authenticates this
        request instead of the client's scheme (an agency's base credentials calling IAM);
        ``headers`` are added to the usual ones.

        ``repeatable=False`` marks a write that must never be sent twice (a creation, a node
        change): only a throttled attempt (429, refused before the service saw it) is retried, and
        an attempt whose outcome is unclear raises :class:`OutcomeUnknown`, for the caller to read
        back what happened.
        """
        return self._request(method, url, self.deadline, **options)

    def _request(self, method: str, url: str, deadline: Deadline | None, *, params=None, json_body=None, project_scoped: bool = True,
                 authenticated: bool = True, service: str = "the API", auth=None, headers=None, retry: RetryPolicy | None = None,
                 repeatable: bool = True):
        query = canonical_query(params or [])
        full_url = url + ("?" + query if query else "")
        body = json.dumps(json_body).encode("utf-8") if json_body is not None else b""
        project_id = self.project_id if (project_scoped and authenticated) else None
        scheme = auth or self.auth
        budget = RetryBudget(retry or self.retry, deadline)
        renewed = False
        while True:
            sent = {"User-Agent": USER_AGENT, "Content-Type": "application/json", "Accept": "application/json"}
            sent.update(headers or {})
            if authenticated:
                # Credentials renewed here (a login, temporary keys) come from requests with their own
                # api_timeout and retries, made before this request's time limit starts but within its deadline.
                sent = _preparing(scheme.authorize, self, method, full_url, sent, body, project_id)
            check_header_values(sent)
            try:
                response = self._send_once(method, full_url, sent, body, deadline)
            except TransportError as exc:
                error, retry_after = exc, None
            else:
                self._note_server_time(response)
                if response.status_code < 300:
                    if len(response.content) > MAX_ANSWER_BYTES:
                        raise UnexpectedAnswer(service, "the answer is larger than %d MiB, the most this client reads"
                                               % (MAX_ANSWER_BYTES // 2 ** 20), request_id_from(response.headers))
                    return response
                if response.status_code == 401 and authenticated and scheme.can_refresh and not renewed:
                    renewed = True  # expired or revoked credentials: renew them, once
                    scheme.invalidate()
                    continue
                error = parse_error(response.status_code, response.headers, response.content, self._hint(response, scheme), self.secrets)
                if response.status_code == 401 and authenticated:
                    error = scheme.explain_rejection(error, _server_time(response))
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if not repeatable and _outcome_unclear(error):
                raise OutcomeUnknown(error)
            pause = budget.next_pause(error, retry_after)  # raises when the budget says stop
            self.retry_events.append(_event_name(error))
            self._sleep(pause)

    def _send_once(self, method: str, url: str, headers: dict, body: bytes, deadline: Deadline | None):
        """One attempt, headers and body included, within ``api_timeout`` and before ``deadline``."""
        limit = self.timeout
        left = None if deadline is None else deadline.remaining()
        clipped = left is not None and left < limit
        if clipped:
            limit = left
            if limit <= 0:
                raise DeadlineExceeded("%s %s: the deadline passed before the request could be sent" % (method, url), sent=False)
        response = None
        try:
            with time_limit(limit):
                response = self._session.request(method, url, headers=headers, data=body or None, timeout=limit, verify=self.verify,
                                                 allow_redirects=False, stream=True)
                cap = MAX_ANSWER_BYTES if response.status_code < 300 else MAX_ERROR_BYTES
                response._content = _read_capped(response, cap)  # pylint: disable=protected-access
        except (TimeLimitExpired, requests.exceptions.Timeout):
            if clipped:
                raise DeadlineExceeded("%s %s: no complete answer before the deadline" % (method, url)) from None
            raise TransportError("%s %s: no complete answer within the api_timeout (%g s)" % (method, url, self.timeout)) from None
        except requests.exceptions.SSLError as exc:
            # A certificate problem does not go away by retrying.
            raise TransportError("%s %s: %s" % (method, url, _transport_reason(exc)), retryable=False) from None
        except (requests.exceptions.InvalidHeader, requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                requests.exceptions.MissingSchema, UnicodeError, ValueError):
            # Their text can quote request headers, credentials included: never show it.
            raise TransportError("%s %s: the request could not be built (an invalid URL or header)" % (method, url), retryable=False,
                                 sent=False) from None
        except requests.exceptions.RequestException as exc:
            if _name_not_resolved(exc):
                # Retrying cannot make a misspelt host name resolve: say so at once. Nothing left this machine.
                raise TransportError("%s %s: the host name %s does not resolve: check region/endpoint (a region such as cn-north-4, or the "
                                     "endpoint option)" % (method, url, printable(urllib.parse.urlsplit(url).hostname or "")),
                                     retryable=False, sent=False) from None
            raise TransportError("%s %s: %s" % (method, url, _transport_reason(exc))) from None
        except OSError as exc:  # a local problem, such as an unreadable CA bundle: retrying cannot help
            raise TransportError("%s %s: %s" % (method, url, printable(str(exc))), retryable=False) from None
        finally:
            if response is not None:
                response.close()
        return response

    @staticmethod
    def _hint(response, scheme) -> str | None:
        """Explain the one 401 cause users cannot see in the body: a wrong local clock under AK/SK."""
        if response.status_code != 401 or scheme.kind != "aksk":
            return None
        server_time = _date_header(response)
        if server_time is None:
            return None
        skew = datetime.datetime.now(datetime.timezone.utc) - server_time
        if abs(skew) <= MAX_CLOCK_SKEW:
            return None
        return ("This machine's clock is %d minutes %s the server's; AK/SK signatures are rejected beyond 15 minutes: "
                "synchronise the clock (NTP)" % (round(abs(skew).total_seconds() / 60), "ahead of" if skew > datetime.timedelta(0) else "behind"))


def _preparing(step, *args):
    """Run a step that prepares a request (credentials, project lookup): what fails there is an IdentityError."""
    try:
        return step(*args)
    except (ConfigurationError, IdentityError, DeadlineExceeded):
        raise
    except HuaweiCloudError as exc:
        raise IdentityError(exc) from None


def _outcome_unclear(error: HuaweiCloudError) -> bool:
    """Whether a write that got this error may have been applied: no answer after sending, or a gateway's or a bare server error."""
    if isinstance(error, APIError):
        return error.status in (502, 503, 504) or (error.status >= 500 and (not error.code or is_gateway_code(error.code)))
    # A connection that failed or stalled after sending, or a deadline that passed while the answer was awaited.
    return isinstance(error, TransportError) and error.sent and (error.retryable or isinstance(error, DeadlineExceeded))


def _date_header(response) -> datetime.datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else None


def _server_time(response) -> datetime.datetime:
    """When the server answered: its Date header, else this machine's clock."""
    return _date_header(response) or datetime.datetime.now(datetime.timezone.utc)


def _event_name(error: HuaweiCloudError) -> str:
    if isinstance(error, APIError):
        return "HTTP %s%s" % (error.status, " " + error.code if error.code else "")
    return error.message.split(": ", 1)[-1]
