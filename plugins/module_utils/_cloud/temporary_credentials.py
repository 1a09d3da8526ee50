# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Temporary AK/SK credentials that the collection fetches itself, and renews before they expire.

Two sources hand them out in the same shape, ``{"credential": {"access", "secret",
"securitytoken", "expires_at"}}``: IAM, for an agency (assume role), and the ECS metadata
service, for the agency attached to the ECS. :class:`RenewingAkSkAuth` signs with them,
fetches new ones shortly before ``expires_at`` (so a wait can outlive them) and once more
when the API rejects them.
"""

from __future__ import annotations

import datetime
import re
import time

from .auth import AuthScheme, list_projects_by_name, sign_with
from .errors import APIError, HuaweiCloudError, UnexpectedAnswer
from .retry import RetryPolicy

# Renew this long before expires_at, or after three quarters of a shorter lifetime.
RENEW_AHEAD = 300.0
RENEW_FRACTION = 0.25
DEFAULT_METADATA_URL = "http://169.254.169.254"
METADATA_TOKEN_TTL = 6 * 3600
# The metadata service answers these when it has no session-token API: go on without a token.
METADATA_NO_TOKEN_STATUSES = (404, 405, 503)
METADATA_NO_AGENCY = "Please configure Cloud Service Agency first"
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")


class TemporaryCredentials:
    """One set of temporary keys and when they expire (``time.time()`` values)."""

    def __init__(self, access: str, secret: str, security_token: str, expires_at: float, fetched_at: float):
        self.access = access
        self.secret = secret
        self.security_token = security_token
        self.expires_at = expires_at
        self.fetched_at = fetched_at

    def renew_due(self, now: float) -> bool:
        margin = min(RENEW_AHEAD, max(0.0, self.expires_at - self.fetched_at) * RENEW_FRACTION)
        return now >= self.expires_at - margin

    def expired(self, now: float) -> bool:
        return now >= self.expires_at


def parse_expiry(text) -> float | None:
    """``2026-11-28T21:17:59.000000Z`` (or any ISO 8601 time; UTC when no zone is given) as a timestamp."""
    if not isinstance(text, str):
        return None
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"  # Python 3.10's fromisoformat does not read 'Z'
    try:
        when = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.timestamp()


def parse_credential(body: dict, service: str, now: float) -> TemporaryCredentials:
    """The credentials of an IAM or metadata answer; their values never appear in an error."""
    credential = body.get("credential")
    expected = "expected credential.access, .secret, .securitytoken and .expires_at"
    if not isinstance(credential, dict):
        raise UnexpectedAnswer(service, expected + " (no credential object)")
    values = [credential.get(name) for name in ("access", "secret", "securitytoken")]
    if not all(isinstance(value, str) and value for value in values):
        raise UnexpectedAnswer(service, expected + " (a value is missing or not a string)")
    access, secret, security_token = values
    # Access key and token travel in headers: visible ASCII only, checked without showing them.
    if not (_VISIBLE_ASCII.fullmatch(access) and _VISIBLE_ASCII.fullmatch(security_token)):
        raise UnexpectedAnswer(service, "the temporary access key or security token holds characters an HTTP header cannot carry "
                                        "(the values are not shown)")
    expires_at = parse_expiry(credential.get("expires_at"))
    if expires_at is None:
        raise UnexpectedAnswer(service, expected + " (expires_at is not an ISO 8601 time)")
    return TemporaryCredentials(access, secret, security_token, expires_at, now)


class AgencySource:
    """IAM's temporary credentials for an agency, fetched with the base credentials (any scheme)."""

    def __init__(self, base: AuthScheme, agency_name: str, domain_name: str, duration: int):
        self.base = base
        self.agency_name = agency_name
        self.domain_name = domain_name
        self.duration = duration

    def describe(self) -> str:
        return "agency %r of account %r" % (self.agency_name, self.domain_name)

    def fetch(self, client, now: float) -> TemporaryCredentials:
        payload = {"auth": {"identity": {"methods": ["assume_role"], "assume_role": {
            "agency_name": self.agency_name, "domain_name": self.domain_name, "duration_seconds": self.duration}}}}
        try:
            response = client.request("POST", client.iam_url + "/v3.0/OS-CREDENTIAL/securitytokens", json_body=payload,
                                      project_scoped=False, auth=self.base, service="IAM")
            return parse_credential(client.decode_json(response, "IAM"), "IAM", now)
        except HuaweiCloudError as exc:
            raise exc.with_message("IAM did not give temporary credentials for %s: %s" % (self.describe(), exc.message)) from None


class MetadataSource:
    """The ECS metadata service's temporary credentials for the agency attached to this ECS.

    As the SDK does, a session token is asked for first (``PUT /meta-data/latest/api/token``)
    and sent as ``X-Metadata-Token``; a service without that API is used without one.
    """

    def __init__(self, base_url: str):
        self.base_url = base_url
        self._token = None
        self._token_tried = False

    def describe(self) -> str:
        return "the ECS metadata service"

    def _session_token(self, client, required: bool):
        self._token_tried = True
        try:
            response = client.request("PUT", self.base_url + "/meta-data/latest/api/token", authenticated=False,
                                      headers={"X-Metadata-Token-Ttl-Seconds": str(METADATA_TOKEN_TTL)},
                                      retry=RetryPolicy(max_retries=0), service="the ECS metadata service")
        except APIError as exc:
            if exc.status in METADATA_NO_TOKEN_STATUSES and not required:
                self._token = None
                return
            raise
        self._token = response.content.decode("latin-1").strip() or None
        client.keep_secret(self._token)  # a server may echo it in an error message

    def _get(self, client):
        headers = {"X-Metadata-Token": self._token} if self._token else {}
        return client.request("GET", self.base_url + "/openstack/latest/securitykey", authenticated=False, headers=headers,
                              service="the ECS metadata service")

    def fetch(self, client, now: float) -> TemporaryCredentials:
        try:
            if not self._token_tried:
                self._session_token(client, required=False)
            try:
                response = self._get(client)
            except APIError as exc:
                if exc.status != 401 or METADATA_NO_AGENCY in exc.detail:
                    raise
                self._session_token(client, required=True)  # the session token expired or is needed: ask once more
                response = self._get(client)
            return parse_credential(client.decode_json(response, "the ECS metadata service"), "the ECS metadata service", now)
        except APIError as exc:
            if METADATA_NO_AGENCY in exc.detail:
                raise exc.with_message("The ECS metadata service has no credentials: no agency is attached to this ECS "
                                       "(attach one in the ECS console, or give credentials another way): " + exc.message) from None
            raise exc.with_message("The ECS metadata service did not give temporary credentials: " + exc.message) from None
        except HuaweiCloudError as exc:
            raise exc.with_message("The ECS metadata service did not give temporary credentials: " + exc.message) from None


class RenewingAkSkAuth(AuthScheme):
    """Signs with temporary credentials from ``source``, renewed before they expire.

    A renewal that fails while the current credentials are still valid is not fatal:
    they are used, and the next request tries again. ``on_secret`` is told every new
    secret, so that the module can mask it in any output.
    """

    kind = "aksk"
    can_refresh = True

    def __init__(self, source, clock=time.time, on_secret=None):
        self.source = source
        self._clock = clock
        self._on_secret = on_secret
        self._credentials = None

    def _current(self, client) -> TemporaryCredentials:
        now = self._clock()
        if self._credentials is None or self._credentials.renew_due(now):
            try:
                fresh = self.source.fetch(client, now)
            except HuaweiCloudError:
                if self._credentials is None or self._credentials.expired(self._clock()):
                    raise
                return self._credentials
            for secret in (fresh.secret, fresh.security_token):
                client.keep_secret(secret)
                if self._on_secret is not None:
                    self._on_secret(secret)
            self._credentials = fresh
        return self._credentials

    def authorize(self, client, method, url, headers, body, project_id):
        credentials = self._current(client)
        return sign_with(credentials.access, credentials.secret, credentials.security_token, method, url, headers, body, project_id)

    def discover_project(self, client, name):
        return list_projects_by_name(client, name)

    def invalidate(self):
        self._credentials = None

    def explain_rejection(self, error, when):  # pylint: disable=unused-argument
        return error.with_message("%s (the temporary credentials from %s were renewed and rejected again)" % (error.message, self.source.describe()))
