# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small HTTP client for Huawei Cloud APIs: auth, retries and error parsing in one place."""

from __future__ import annotations

import datetime
import email.utils
import json
import re
import time
import traceback

from .errors import APIError, HuaweiCloudError, TransportError, parse_error
from .retry import RETRYABLE_STATUSES, RetryPolicy, parse_retry_after
from .signer import canonical_query

try:
    import requests
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

COLLECTION_VERSION = "1.0.0"
USER_AGENT = "huaweicloud.cloud/%s (Ansible collection)" % COLLECTION_VERSION

# Never hammer a throttling gateway, even when it answers Retry-After: 0.
MIN_THROTTLED_PAUSE = 1.0
# The gateway rejects AK/SK signatures whose X-Sdk-Date is further off than this.
MAX_CLOCK_SKEW = datetime.timedelta(minutes=15)


def _no_auth(request):
    """Stops requests from adding ~/.netrc credentials over our own headers."""
    return request


def _transport_reason(exc) -> str:
    """The innermost, human-readable cause of a requests/urllib3 transport exception."""
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "no response within the api_timeout"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connection timed out"
    cause = exc
    for _depth in range(5):
        inner = getattr(cause, "reason", None)  # urllib3 wraps; ssl's .reason is only a code string
        if not isinstance(inner, BaseException):
            inner = next((a for a in getattr(cause, "args", ()) if isinstance(a, BaseException)), None)
        if inner is None:
            break
        cause = inner
    text = re.sub(r"<[^>]*>:\s*", "", str(cause)) or type(cause).__name__
    kind = "TLS error" if isinstance(exc, requests.exceptions.SSLError) else "connection failed"
    return "%s: %s" % (kind, text)


class HuaweiCloudClient:
    """Sends requests with the configured auth, retrying transient failures.

    ``retry_events`` records each retried failure so that modules can show throttling
    to the user instead of hiding it.
    """

    def __init__(self, auth, *, iam_url: str, region: str | None = None, project_id: str | None = None,
                 timeout: float = 30, verify=True, retry: RetryPolicy | None = None, session=None,
                 sleep=time.sleep, clock=time.monotonic):
        self.auth = auth
        self.iam_url = iam_url
        self.region = region
        self._project_id = project_id
        self.timeout = timeout
        self.verify = verify
        self.retry = retry or RetryPolicy()
        self._session = session or requests.Session()
        self._session.auth = _no_auth
        self._sleep = sleep
        self._clock = clock
        self.retry_events: list[str] = []

    @property
    def project_id(self) -> str:
        """The configured project id, or the one IAM reports for the region (looked up once)."""
        if not self._project_id:
            if not self.region and self.auth.kind != "password":
                raise HuaweiCloudError("Cannot find the project: set project_id (HW_PROJECT_ID) or region (HW_REGION_NAME)")
            self._project_id = self.auth.discover_project(self, self.region)
        return self._project_id

    def get_json(self, url: str, params=None, project_scoped: bool = True, deadline: float | None = None) -> dict:
        return self.decode_json(self.request("GET", url, params=params, project_scoped=project_scoped, deadline=deadline))

    @staticmethod
    def decode_json(response) -> dict:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            error = parse_error(response.status_code, response.headers, response.text)
            raise APIError(response.status_code, None, "expected a JSON object, got " + error.detail, error.request_id)
        return body

    def request(self, method: str, url: str, *, params=None, json_body=None, project_scoped: bool = True,
                authenticated: bool = True, deadline: float | None = None):
        """Send one API request and return the successful (2xx) response.

        Transient failures are retried within the retry policy (and before ``deadline``,
        a ``time.monotonic()`` value); anything else raises a :class:`HuaweiCloudError`.
        """
        query = canonical_query(params or [])
        full_url = url + ("?" + query if query else "")
        body = json.dumps(json_body).encode("utf-8") if json_body is not None else b""
        project_id = self.project_id if (project_scoped and authenticated) else None
        attempts = retries = 0
        renewed = False
        while True:
            headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json", "Accept": "application/json"}
            if authenticated:
                headers = self.auth.authorize(self, method, full_url, headers, body, project_id)
            try:
                response = self._session.request(method, full_url, headers=headers, data=body or None,
                                                 timeout=self.timeout, verify=self.verify, allow_redirects=False)
            except requests.exceptions.SSLError as exc:
                # A certificate problem does not go away by retrying.
                raise TransportError("%s %s: %s" % (method, url, _transport_reason(exc))) from None
            except requests.exceptions.RequestException as exc:
                error, retry_after = TransportError("%s %s: %s" % (method, url, _transport_reason(exc))), None
            except OSError as exc:  # a local problem, such as an unreadable CA bundle: retrying cannot help
                raise TransportError("%s %s: %s" % (method, url, exc)) from None
            else:
                if response.status_code < 300:
                    return response
                if response.status_code == 401 and authenticated and self.auth.can_refresh and not renewed:
                    renewed = True  # an expired or revoked token: log in again, once
                    self.auth.invalidate()
                    continue
                error = parse_error(response.status_code, response.headers, response.text, self._hint(response))
                if response.status_code not in RETRYABLE_STATUSES:
                    raise error
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
            attempts += 1
            pause = self.retry.delay(attempts, retry_after)
            if isinstance(error, APIError) and error.status == 429:
                pause = max(pause, MIN_THROTTLED_PAUSE)
                if deadline is None:
                    retries += 1
                # else: throttling inside a wait is bounded by the wait's deadline, not by max_retries,
                # so many parallel waits sharing one account slow down instead of failing.
            else:
                retries += 1
            if not self.retry.should_retry(retries - 1) or (deadline is not None and self._clock() + pause > deadline):
                raise _gave_up(error, attempts)
            self.retry_events.append(_event_name(error))
            self._sleep(pause)

    def _hint(self, response) -> str | None:
        """Explain the one 401 cause users cannot see in the body: a wrong local clock under AK/SK."""
        if response.status_code != 401 or self.auth.kind != "aksk":
            return None
        try:
            server_time = email.utils.parsedate_to_datetime(response.headers.get("Date", ""))
        except (TypeError, ValueError, IndexError):
            return None
        if server_time.tzinfo is None:
            return None
        skew = datetime.datetime.now(datetime.timezone.utc) - server_time
        if abs(skew) <= MAX_CLOCK_SKEW:
            return None
        return ("This machine's clock is %d minutes %s the server's; AK/SK signatures are rejected beyond 15 minutes: "
                "synchronise the clock (NTP)" % (round(abs(skew).total_seconds() / 60), "ahead of" if skew > datetime.timedelta(0) else "behind"))


def _event_name(error: HuaweiCloudError) -> str:
    if isinstance(error, APIError):
        return "HTTP %s%s" % (error.status, " " + error.code if error.code else "")
    return error.message.split(": ", 1)[-1]


def _gave_up(error: HuaweiCloudError, attempts: int) -> HuaweiCloudError:
    if attempts > 1:
        error.message += " (gave up after %d attempts)" % attempts
    return error
