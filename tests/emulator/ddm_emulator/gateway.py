# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the API gateway does before a service sees a call: authentication (tokens and SDK-HMAC-SHA256
signatures, verified by the builtin code or the official SDK's signer), project checks, and its error bodies."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import time
import types
from urllib.parse import quote, unquote

from .errors import ApiError
from .request import AUTH_PATTERN


SIGN_ALGORITHM = "SDK-HMAC-SHA256"
SDK_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_SKEW_SECONDS = 15 * 60

MSG_AUTH_PREFIX = "Incorrect IAM authentication information: "
MSG_NO_AUTH = MSG_AUTH_PREFIX + "x-auth-token not found"
MSG_BAD_SIGNATURE = MSG_AUTH_PREFIX + "verify aksk signature fail"
MSG_UNKNOWN_AK = MSG_AUTH_PREFIX + "the access key does not exist"
MSG_BAD_AUTH_HEADER = MSG_AUTH_PREFIX + "the Authorization header is malformed"
MSG_BAD_ALGORITHM = MSG_AUTH_PREFIX + "unsupported signing algorithm"
MSG_NO_DATE = MSG_AUTH_PREFIX + "x-sdk-date not found or not signed"
MSG_BAD_DATE = MSG_AUTH_PREFIX + "x-sdk-date is not in the format YYYYMMDDTHHMMSSZ"
MSG_SKEW = (MSG_AUTH_PREFIX + "the request time (X-Sdk-Date %s) is more than 15 minutes away from the server time (%s); "
            "check the client clock (clock skew)")
MSG_SECURITY_TOKEN = MSG_AUTH_PREFIX + "the security token is missing or does not match the temporary access key"
MSG_CREDENTIAL_EXPIRED = MSG_AUTH_PREFIX + "the temporary access key and security token have expired"
MSG_TOKEN_INVALID = MSG_AUTH_PREFIX + "the token is invalid"
MSG_TOKEN_EXPIRED = MSG_AUTH_PREFIX + "the token has expired"
MSG_TOKEN_REVOKED = MSG_AUTH_PREFIX + "the token has been revoked"
MSG_FORBIDDEN_PROJECT = "The IAM user is not authorized to access project %s"
MSG_PROJECT_MISMATCH = "The project id in the URL (%s) does not match the X-Project-Id header (%s)"
MSG_API_NOT_FOUND = "The API does not exist or has not been published in the environment"
MSG_THROTTLED = "The throttling threshold has been reached: policy user over ratelimit,limit:%d,time:%d second"


def gateway_error(status, code, message, headers=None):
    # request_id None is filled in with the response's X-Request-Id when sent.
    return ApiError(status, {"error_code": code, "error_msg": message, "request_id": None}, headers)


def unauthorized(message):
    return gateway_error(401, "APIGW.0301", message)


class SignInput:
    """What the signature covers, rebuilt from the request as received."""

    def __init__(self, method, raw_path, params, headers, body, signed):
        self.method = method
        self.raw_path = raw_path
        self.params = params
        self.headers = headers
        self.body = body
        self.signed = signed


def _encode(value):
    return quote(value, safe="~")


class BuiltinVerifier:
    """SDK-HMAC-SHA256 as the official SDK computes it (see the API reference, section 4.3)."""

    name = "builtin"

    @staticmethod
    def canonical_uri(raw_path):
        uri = "/".join(_encode(segment) for segment in unquote(raw_path).split("/"))
        return uri if uri.endswith("/") else uri + "/"

    @staticmethod
    def canonical_query(params):
        return "&".join("%s=%s" % (_encode(key), _encode(value)) for key, value in sorted(params))

    @staticmethod
    def payload_hash(data):
        if not data.body:
            return EMPTY_SHA256
        return data.headers.get("x-sdk-content-sha256") or hashlib.sha256(data.body).hexdigest()

    def canonical_request(self, data):
        headers = "".join("%s:%s\n" % (name, data.headers[name].strip()) for name in data.signed)
        return "\n".join([data.method.upper(), self.canonical_uri(data.raw_path), self.canonical_query(data.params),
                          headers, ";".join(data.signed), self.payload_hash(data)])

    def signature(self, data, secret_key):
        digest = hashlib.sha256(self.canonical_request(data).encode("utf-8")).hexdigest()
        string_to_sign = "%s\n%s\n%s" % (SIGN_ALGORITHM, data.headers["x-sdk-date"], digest)
        return hmac.new(secret_key.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


class SdkVerifier:
    """Asks huaweicloudsdkcore's own Signer for the expected signature (import only the signer: it writes nothing)."""

    name = "sdk"

    def __init__(self):
        from huaweicloudsdkcore.sdk_request import SdkRequest
        from huaweicloudsdkcore.signer.signer import Signer
        self._request_class = SdkRequest
        self._signer_class = Signer

    def signature(self, data, secret_key):
        request = self._request_class(method=data.method, schema="http", host=data.headers.get("host", ""),
                                      resource_path=data.raw_path, query_params=list(data.params),
                                      header_params={name: data.headers[name] for name in data.signed},
                                      body=data.body or None)
        credentials = types.SimpleNamespace(ak="verifier", sk=secret_key)
        self._signer_class(credentials).sign(request)
        match = re.search(r"Signature=([0-9a-f]+)", request.header_params.get("Authorization", ""))
        return match.group(1) if match else ""


def make_verifier(mode):
    """The verifier of a --verifier mode: ``auto`` falls back to the builtin one when the SDK cannot be imported."""
    if mode == "builtin":
        return BuiltinVerifier()
    try:
        return SdkVerifier()
    except ImportError:
        if mode == "sdk":
            raise
        return BuiltinVerifier()


class Principal:
    """Who made an API call, once authenticated."""

    def __init__(self, kind, project_id=None, access_key=None, domain_wide=False):
        self.kind = kind
        self.project_id = project_id
        self.access_key = access_key
        self.domain_wide = domain_wide


def _header_text(value):
    # http.server decodes header bytes as latin-1; the SDK signs the UTF-8 text.
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _check_date(state, headers, signed):
    date = headers.get("x-sdk-date")
    if date is None or "x-sdk-date" not in signed:
        raise unauthorized(MSG_NO_DATE)
    try:
        sent = datetime.datetime.strptime(date, SDK_DATE_FORMAT).replace(tzinfo=datetime.timezone.utc).timestamp()
    except ValueError:
        raise unauthorized(MSG_BAD_DATE)
    now = state.now()
    if abs(sent - now) > MAX_SKEW_SECONDS:
        raise unauthorized(MSG_SKEW % (date, time.strftime(SDK_DATE_FORMAT, time.gmtime(now))))


def verify_aksk(state, verifier, call):
    match = AUTH_PATTERN.match(call.header("Authorization").strip())
    if not match:
        raise unauthorized(MSG_BAD_AUTH_HEADER)
    algorithm, access_key, signed_list, signature = match.groups()
    if algorithm != SIGN_ALGORITHM:
        raise unauthorized(MSG_BAD_ALGORITHM)
    credential = state.credential(access_key)
    if credential is None:
        raise unauthorized(MSG_UNKNOWN_AK)
    headers = {name.lower(): _header_text(value) for name, value in call.headers.items()}
    signed = signed_list.lower().split(";")
    _check_date(state, headers, signed)
    if any(name not in headers for name in signed):
        raise unauthorized(MSG_BAD_SIGNATURE)
    data = SignInput(call.method, call.raw_path, call.params, headers, call.body, signed)
    if not hmac.compare_digest(verifier.signature(data, credential.secret_key), signature.lower()):
        raise unauthorized(MSG_BAD_SIGNATURE)
    if credential.security_token is not None and headers.get("x-security-token") != credential.security_token:
        raise unauthorized(MSG_SECURITY_TOKEN)
    if credential.expires is not None and credential.expires <= time.time():
        raise unauthorized(MSG_CREDENTIAL_EXPIRED)
    return Principal("aksk", headers.get("x-project-id"), access_key)


def verify_token(state, token):
    record = state.lookup_token(token)
    if record is None:
        raise unauthorized(MSG_TOKEN_INVALID)
    if record.revoked:
        raise unauthorized(MSG_TOKEN_REVOKED)
    if record.expires <= time.time():
        raise unauthorized(MSG_TOKEN_EXPIRED)
    return Principal("token", record.project_id, domain_wide=record.project_id is None)


def authenticate(state, verifier, call):
    token = call.header("X-Auth-Token")
    if token:
        return verify_token(state, token)
    if call.header("Authorization"):
        return verify_aksk(state, verifier, call)
    raise unauthorized(MSG_NO_AUTH)


def check_project(state, principal, project_id):
    forbidden = gateway_error(403, "APIGW.0302", MSG_FORBIDDEN_PROJECT % project_id)
    if principal.kind == "token":
        if principal.project_id != project_id:
            raise forbidden
        return
    if principal.project_id and principal.project_id != project_id:
        raise gateway_error(403, "APIGW.0302", MSG_PROJECT_MISMATCH % (project_id, principal.project_id))
    if not state.has_project(project_id):
        raise forbidden


def throttle(state, call):
    retry_after = state.throttle(call.credential_key())
    if retry_after is not None:
        ratelimit = state.ratelimit()
        raise gateway_error(429, "APIGW.0308", MSG_THROTTLED % (ratelimit["limit"], ratelimit["window"]), {"Retry-After": str(retry_after)})


def admit(state, verifier, call, route, args):
    """Let a routed call through to its handler, or raise the gateway's answer (429, 401, 403)."""
    throttle(state, call)
    if route.authenticated:
        principal = authenticate(state, verifier, call)
        if route.project_scoped:
            check_project(state, principal, args[0])
