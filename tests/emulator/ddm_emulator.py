# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Loopback emulator of the Huawei Cloud DDM task API and the IAM calls it depends on.

Standard library only.  One base URL serves both services, so ``endpoint`` and
``iam_endpoint`` are the same ``http://127.0.0.1:PORT``.

Usage::

    python tests/emulator/ddm_emulator.py --port 0 --port-file FILE \\
        [--verifier auto|sdk|builtin] [--tls-cert F --tls-key F] [--seed-demo] [--verbose]

API served (behaviour as documented for the real services):

- ``GET  /v3/{project_id}/jobs/{job_id}``    DDM: one task (unknown -> 400 DBS.300400)
- ``GET  /v3/{project_id}/jobs``             DDM: list tasks (start_time/end_time required, integer ms)
- ``POST /v3/auth/tokens``                   IAM: password -> token (201, X-Subject-Token)
- ``GET  /v3/projects?name=REGION``          IAM: project lookup (token or AK/SK)

Authentication: ``X-Auth-Token`` (static, control-registered or IAM-issued; must be scoped to the
project in the path, else 403 APIGW.0302) or an ``SDK-HMAC-SHA256`` signature verified against the
request as received (X-Sdk-Date within 15 minutes of the emulator clock; temporary AKs need their
X-Security-Token; X-Project-Id, when sent, must match the path).  Failures answer 401 with the
gateway body ``{"error_code": "APIGW.0301", "error_msg": ..., "request_id": ...}``; the texts are
the ``MSG_*`` constants below.  Every response carries X-Request-Id, IAM ones X-IAM-Trace-Id too.

Control API (JSON, no auth; see ``_CONTROL_ROUTES``):

- ``POST /_emulator/reset``; ``GET /_emulator/info``
- ``POST /_emulator/jobs`` {id, project_id, name, instance, duration, outcome, timeline, fail_reason,
  database_name, operations, age}; posting an existing id replaces that job (its timeline restarts
  now), which lets a test script how a job it has seen running ends; ``GET /_emulator/jobs``;
  ``POST /_emulator/jobs/bulk`` {count, ...the same spec without id} creates many at once
- ``POST /_emulator/faults`` {method, path (regex searched in the path), count, status, body, json,
  headers (null drops a header), delay, drop}; ``GET``/``DELETE /_emulator/faults``
- ``POST /_emulator/tokens`` {token, project_id, expires_in}; ``DELETE /_emulator/tokens/{token}``;
  ``DELETE /_emulator/tokens`` revokes every token issued by ``POST /v3/auth/tokens``
- ``POST /_emulator/ratelimit`` {limit, window}; ``POST /_emulator/clock`` {skew}
- ``GET``/``DELETE /_emulator/requests``; ``POST /_emulator/projects`` {id, name}

Pre-seeded identities: region ``cn-north-4``, project ``0123456789abcdef0123456789abcdef``,
AK/SK, temporary AK/SK with security token, IAM user and a static token (see the constants below).

``--seed-demo`` creates these jobs in the default project (``POST /_emulator/reset`` re-creates them):

- ``ff8080817b7e5a8a017b7e6d2c1f0001`` CreateInstance, Completed
- ``ff8080817b7e5a8a017b7e6d2c1f0002`` EnlargeNode, Running for 20 s (process rising), then Completed
- ``ff8080817b7e5a8a017b7e6d2c1f0003`` RestartInstance, Failed (with a fail_reason in the list API)
- ``ff8080817b7e5a8a017b7e6d2c1f0004`` migrateLogicDb, Running for an hour
- ``ff8080817b7e5a8a017b7e6d2c1f0005`` EnlargeNode, Expanding for 10 s, then Completed
- ``ff8080817b7e5a8a017b7e6d2c1f0006`` ReduceNode, RollbackSuccess

Only loopback addresses can be bound.  SIGTERM/SIGINT stop the server cleanly.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import hashlib
import hmac
import ipaddress
import json
import math
import os
import re
import secrets
import signal
import socket
import ssl
import sys
import threading
import time
import types
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlsplit

REGION = "cn-north-4"
PROJECT_ID = "0123456789abcdef0123456789abcdef"
DOMAIN_ID = "fedcba9876543210fedcba9876543210"
DOMAIN_NAME = "emulator-domain"
USER_ID = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
USER_NAME = "emulator-user"
USER_PASSWORD = "Emulator-Passw0rd!"
ACCESS_KEY = "AKEMULATOR0000000000"
SECRET_KEY = "SKemulatorSecretKey00000000000000000000000"
TEMP_ACCESS_KEY = "AKTEMPEMULATOR000000"
TEMP_SECRET_KEY = "SKtempEmulatorSecret0000000000000000000000"
SECURITY_TOKEN = "emulator-security-token-0001"
STATIC_TOKEN = "emulator-static-token-0001"

DEMO_JOB_IDS = {
    "completed": "ff8080817b7e5a8a017b7e6d2c1f0001",
    "running": "ff8080817b7e5a8a017b7e6d2c1f0002",
    "failed": "ff8080817b7e5a8a017b7e6d2c1f0003",
    "long_running": "ff8080817b7e5a8a017b7e6d2c1f0004",
    "expanding": "ff8080817b7e5a8a017b7e6d2c1f0005",
    "rollback": "ff8080817b7e5a8a017b7e6d2c1f0006",
}

TERMINAL_STATUSES = ("Completed", "Failed", "CancelSuccess", "RollbackSuccess")
FAILURE_STATUSES = ("Failed", "CancelSuccess", "RollbackSuccess")
SIGN_ALGORITHM = "SDK-HMAC-SHA256"
SDK_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_SKEW_SECONDS = 15 * 60
TOKEN_LIFETIME = 24 * 3600
LIST_MAX_AGE_MS = 30 * 24 * 3600 * 1000
# Clients compute "now - 30 days" a moment before the request arrives; a little grace keeps that legal.
LIST_AGE_GRACE_MS = 5 * 60 * 1000
MAX_BODY = 1024 * 1024
LOG_SIZE = 5000
REDACTED = "***"
SECRET_HEADERS = ("authorization", "x-auth-token", "x-security-token", "x-subject-token", "cookie")

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
MSG_TOKEN_INVALID = MSG_AUTH_PREFIX + "the token is invalid"
MSG_TOKEN_EXPIRED = MSG_AUTH_PREFIX + "the token has expired"
MSG_TOKEN_REVOKED = MSG_AUTH_PREFIX + "the token has been revoked"
MSG_FORBIDDEN_PROJECT = "The IAM user is not authorized to access project %s"
MSG_PROJECT_MISMATCH = "The project id in the URL (%s) does not match the X-Project-Id header (%s)"
MSG_API_NOT_FOUND = "The API does not exist or has not been published in the environment"
MSG_THROTTLED = "The throttling threshold has been reached: policy user over ratelimit,limit:%d,time:%d second"
MSG_JOB_NOT_FOUND = "The task is not found."
MSG_IAM_BAD_LOGIN = "The username or password is wrong."

IAM_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}


class ApiError(Exception):
    """An error response: status, JSON body and extra headers."""

    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def gateway_error(status, code, message, headers=None):
    # request_id None is filled in with the response's X-Request-Id when sent.
    return ApiError(status, {"error_code": code, "error_msg": message, "request_id": None}, headers)


def ddm_error(message, code="DBS.280001", status=400):
    return ApiError(status, {"error_code": code, "error_msg": message})


def iam_error(status, message):
    return ApiError(status, {"error": {"code": status, "message": message, "title": IAM_TITLES.get(status, "Error")}})


def control_error(message, status=400):
    return ApiError(status, {"error": message})


def api_time(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(epoch))


def iam_time(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --------------------------------------------------------------------------- jobs

def _number(spec, key, default, minimum=0.0):
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise control_error("%s must be a number >= %s" % (key, minimum))
    return float(value)


def _string(spec, key, default):
    value = spec.get(key, default)
    if not isinstance(value, str):
        raise control_error("%s must be a string" % key)
    return value


def _timeline_entry(entry):
    if not isinstance(entry, dict) or not isinstance(entry.get("status"), str):
        raise control_error("timeline entries need a string status")
    process = entry.get("process")
    if process is not None and not isinstance(process, str):
        raise control_error("timeline process must be a string such as '40%'")
    return {"at": _number(entry, "at", 0), "status": entry["status"], "process": process}


def build_timeline(spec):
    """Turn duration/outcome or an explicit timeline into sorted steps starting at 0."""
    if "timeline" in spec:
        if not isinstance(spec["timeline"], list) or not spec["timeline"]:
            raise control_error("timeline must be a non-empty list")
        steps = sorted((_timeline_entry(e) for e in spec["timeline"]), key=lambda e: e["at"])
    else:
        duration = _number(spec, "duration", 0)
        outcome = _string(spec, "outcome", "Completed")
        steps = [{"at": 0.0, "status": "Running", "process": None}] if duration > 0 else []
        steps.append({"at": duration, "status": outcome, "process": None})
    if steps[0]["at"] > 0:
        steps.insert(0, {"at": 0.0, "status": "Running", "process": None})
    return steps


def _instance(spec):
    instance = spec.get("instance") or {}
    if not isinstance(instance, dict):
        raise control_error("instance must be an object with id and name")
    return {"id": str(instance.get("id", uuid.uuid4().hex + "in09")), "name": str(instance.get("name", "ddm-emulator"))}


class Job:
    """A scripted task; its state is computed from the monotonic time since creation."""

    def __init__(self, spec, default_project):
        if not isinstance(spec, dict):
            raise control_error("job spec must be an object")
        self.id = _string(spec, "id", uuid.uuid4().hex)
        self.project_id = _string(spec, "project_id", default_project)
        self.name = _string(spec, "name", "CreateInstance")
        self.instance = _instance(spec)
        self.fail_reason = _string(spec, "fail_reason", "")
        self.database_name = _string(spec, "database_name", "")
        self.operations = [str(op) for op in spec.get("operations") or []]
        self.steps = build_timeline(spec)
        age = _number(spec, "age", 0)
        self.created_wall = time.time() - age
        self.created_mono = time.monotonic() - age

    def _current(self, elapsed):
        index = 0
        for position, step in enumerate(self.steps):
            if step["at"] <= elapsed:
                index = position
        return index

    def _process(self, index, elapsed):
        step = self.steps[index]
        if step["process"] is not None:
            return step["process"]
        if step["status"] != "Running":
            return ""
        if index + 1 >= len(self.steps):
            return "0%"
        span = self.steps[index + 1]["at"] - step["at"]
        return "%d%%" % min(99, int(100 * (elapsed - step["at"]) / span)) if span > 0 else "0%"

    def state(self):
        elapsed = time.monotonic() - self.created_mono
        index = self._current(elapsed)
        step = self.steps[index]
        terminal = step["status"] in TERMINAL_STATUSES
        return {
            "status": step["status"],
            "process": self._process(index, elapsed),
            "end_time": api_time(self.created_wall + step["at"]) if terminal else "",
        }

    def _common_fields(self, state):
        """The fields the single-task and list calls share, keyed as the API names them."""
        return {
            "id": self.id,
            "name": self.name,
            "status": state["status"],
            "created_time": api_time(self.created_wall),
            "end_time": state["end_time"],
            "process": state["process"],
        }

    def api_shape(self):
        return dict(self._common_fields(self.state()), instance=dict(self.instance))

    def list_item(self):
        state = self.state()
        failed = state["status"] in FAILURE_STATUSES
        return dict(self._common_fields(state), instance_id=self.instance["id"], instance_name=self.instance["name"],
                    database_name=self.database_name, fail_reason=(self.fail_reason or "The task failed.") if failed else "",
                    operations=list(self.operations))


DEMO_INSTANCE = {"id": "a48e43ff268f4c0e879652d65e63d0fbin09", "name": "ddm-demo"}
DEMO_JOBS = (
    {"id": DEMO_JOB_IDS["completed"], "name": "CreateInstance", "outcome": "Completed"},
    {"id": DEMO_JOB_IDS["running"], "name": "EnlargeNode", "duration": 20, "outcome": "Completed"},
    {"id": DEMO_JOB_IDS["failed"], "name": "RestartInstance", "outcome": "Failed",
     "fail_reason": "The DDM instance failed to restart: node ddm-node-2 did not become ready.", "operations": ["toBeRetried"]},
    {"id": DEMO_JOB_IDS["long_running"], "name": "migrateLogicDb", "duration": 3600, "database_name": "orders"},
    {"id": DEMO_JOB_IDS["expanding"], "name": "EnlargeNode",
     "timeline": [{"at": 0, "status": "Expanding"}, {"at": 10, "status": "Completed"}]},
    {"id": DEMO_JOB_IDS["rollback"], "name": "ReduceNode", "outcome": "RollbackSuccess",
     "fail_reason": "Node reduction was rolled back."},
)


# --------------------------------------------------------------------------- state

class Fault:
    """One queued fault: which requests it matches, how often, and what it does."""

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise control_error("fault spec must be an object")
        self.method = spec.get("method")
        self.method = self.method.upper() if isinstance(self.method, str) else None
        try:
            self.path = re.compile(spec["path"]) if spec.get("path") else None
        except (re.error, TypeError) as exc:
            raise control_error("path must be a valid regular expression: %s" % exc)
        self.remaining = int(_number(spec, "count", 1, 1))
        self.status = spec.get("status")
        if self.status is not None and (isinstance(self.status, bool) or not isinstance(self.status, int) or not 100 <= self.status <= 599):
            raise control_error("status must be an integer HTTP status")
        self.body = spec.get("body")
        if self.body is not None and not isinstance(self.body, str):
            raise control_error("body must be a string (use json for objects)")
        self.has_json = "json" in spec
        self.json = spec.get("json")
        self.headers = spec.get("headers", {})
        if not isinstance(self.headers, dict) or not all(v is None or isinstance(v, (str, int)) for v in self.headers.values()):
            raise control_error("headers must map names to strings (null removes a header)")
        self.delay = _number(spec, "delay", 0)
        self.drop = bool(spec.get("drop", False))

    def matches(self, method, path):
        return (self.method is None or self.method == method) and (self.path is None or self.path.search(path) is not None)

    def describe(self):
        return {"method": self.method, "path": self.path.pattern if self.path else None, "remaining": self.remaining,
                "status": self.status, "delay": self.delay, "drop": self.drop}


class TokenRecord:
    def __init__(self, project_id, lifetime, issued=False):
        self.project_id = project_id
        self.expires = time.time() + lifetime
        self.revoked = False
        self.issued = issued


class RateLimiter:
    """Sliding-window limit per credential; limit 0 disables it."""

    def __init__(self):
        self.limit = 0
        self.window = 60.0
        self.hits = {}

    def configure(self, limit, window):
        self.limit, self.window, self.hits = limit, window, {}

    def check(self, key):
        """Record a hit; return None when allowed, else the seconds until a slot frees."""
        if not self.limit:
            return None
        now = time.monotonic()
        hits = self.hits.setdefault(key, collections.deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return max(1, int(math.ceil(hits[0] + self.window - now)))
        hits.append(now)
        return None


class EmulatorState:
    """Everything the emulator knows; every access goes through self.lock."""

    def __init__(self, seed_demo=False):
        self.lock = threading.RLock()
        self.seed_demo = seed_demo
        self.credentials = {ACCESS_KEY: (SECRET_KEY, None), TEMP_ACCESS_KEY: (TEMP_SECRET_KEY, SECURITY_TOKEN)}
        self.reset()

    def reset(self):
        with self.lock:
            self.jobs = collections.OrderedDict()
            self.projects = collections.OrderedDict([(PROJECT_ID, REGION)])
            self.tokens = {STATIC_TOKEN: TokenRecord(PROJECT_ID, 10 * 365 * 24 * 3600)}
            self.tokens_issued = 0
            self.faults = []
            self.limiter = RateLimiter()
            self.log = collections.deque(maxlen=LOG_SIZE)
            self.skew = 0.0
            if self.seed_demo:
                for spec in DEMO_JOBS:
                    self.add_job(dict(spec, instance=DEMO_INSTANCE))

    def add_job(self, spec):
        job = Job(spec, PROJECT_ID)
        with self.lock:
            self.jobs[job.id] = job
            self.projects.setdefault(job.project_id, "project-%s" % job.project_id[:8])
        return job

    def find_job(self, project_id, job_id):
        with self.lock:
            job = self.jobs.get(job_id)
            return job if job is not None and job.project_id == project_id else None

    def project_jobs(self, project_id):
        with self.lock:
            return [job for job in self.jobs.values() if job.project_id == project_id]

    def add_token(self, token, project_id, lifetime=TOKEN_LIFETIME, issued=False):
        with self.lock:
            self.tokens[token] = TokenRecord(project_id, lifetime, issued)
            if issued:
                self.tokens_issued += 1
            if project_id:
                self.projects.setdefault(project_id, "project-%s" % project_id[:8])
            return self.tokens[token]

    def lookup_token(self, token):
        with self.lock:
            return self.tokens.get(token)

    def revoke_token(self, token):
        with self.lock:
            record = self.tokens.get(token)
            if record is not None:
                record.revoked = True
            return record is not None

    def revoke_issued(self):
        with self.lock:
            records = [record for record in self.tokens.values() if record.issued and not record.revoked]
            for record in records:
                record.revoked = True
            return len(records)

    def add_fault(self, fault):
        with self.lock:
            self.faults.append(fault)

    def take_fault(self, method, path):
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self.faults.remove(fault)
                    return fault
            return None

    def throttle(self, key):
        with self.lock:
            return self.limiter.check(key)

    def now(self):
        """Wall clock as seen by the signature date check (shifted by the configured skew)."""
        with self.lock:
            return time.time() + self.skew

    def record(self, entry):
        with self.lock:
            self.log.append(entry)

    def update_record(self, entry, **values):
        with self.lock:
            entry.update(values)

    def requests(self):
        with self.lock:
            return [dict(entry, headers=dict(entry["headers"])) for entry in self.log]


# --------------------------------------------------------------------------- signatures

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
    if mode == "builtin":
        return BuiltinVerifier()
    try:
        return SdkVerifier()
    except ImportError:
        if mode == "sdk":
            raise
        return BuiltinVerifier()


AUTH_PATTERN = re.compile(r"^(\S+)\s+Access=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]+)\s*$")


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
        raise gateway_error(401, "APIGW.0301", MSG_NO_DATE)
    try:
        sent = datetime.datetime.strptime(date, SDK_DATE_FORMAT).replace(tzinfo=datetime.timezone.utc).timestamp()
    except ValueError:
        raise gateway_error(401, "APIGW.0301", MSG_BAD_DATE)
    now = state.now()
    if abs(sent - now) > MAX_SKEW_SECONDS:
        raise gateway_error(401, "APIGW.0301", MSG_SKEW % (date, time.strftime(SDK_DATE_FORMAT, time.gmtime(now))))


def verify_aksk(state, verifier, call):
    match = AUTH_PATTERN.match(call.header("Authorization").strip())
    if not match:
        raise gateway_error(401, "APIGW.0301", MSG_BAD_AUTH_HEADER)
    algorithm, access_key, signed_list, signature = match.groups()
    if algorithm != SIGN_ALGORITHM:
        raise gateway_error(401, "APIGW.0301", MSG_BAD_ALGORITHM)
    credential = state.credentials.get(access_key)
    if credential is None:
        raise gateway_error(401, "APIGW.0301", MSG_UNKNOWN_AK)
    headers = {name.lower(): _header_text(value) for name, value in call.headers.items()}
    signed = signed_list.lower().split(";")
    _check_date(state, headers, signed)
    if any(name not in headers for name in signed):
        raise gateway_error(401, "APIGW.0301", MSG_BAD_SIGNATURE)
    data = SignInput(call.method, call.raw_path, call.params, headers, call.body, signed)
    if not hmac.compare_digest(verifier.signature(data, credential[0]), signature.lower()):
        raise gateway_error(401, "APIGW.0301", MSG_BAD_SIGNATURE)
    if credential[1] is not None and headers.get("x-security-token") != credential[1]:
        raise gateway_error(401, "APIGW.0301", MSG_SECURITY_TOKEN)
    return Principal("aksk", headers.get("x-project-id"), access_key)


def verify_token(state, token):
    record = state.lookup_token(token)
    if record is None:
        raise gateway_error(401, "APIGW.0301", MSG_TOKEN_INVALID)
    if record.revoked:
        raise gateway_error(401, "APIGW.0301", MSG_TOKEN_REVOKED)
    if record.expires <= time.time():
        raise gateway_error(401, "APIGW.0301", MSG_TOKEN_EXPIRED)
    return Principal("token", record.project_id, domain_wide=record.project_id is None)


def authenticate(state, verifier, call):
    token = call.header("X-Auth-Token")
    if token:
        return verify_token(state, token)
    if call.header("Authorization"):
        return verify_aksk(state, verifier, call)
    raise gateway_error(401, "APIGW.0301", MSG_NO_AUTH)


def check_project(state, principal, project_id):
    forbidden = gateway_error(403, "APIGW.0302", MSG_FORBIDDEN_PROJECT % project_id)
    if principal.kind == "token":
        if principal.project_id != project_id:
            raise forbidden
        return
    if principal.project_id and principal.project_id != project_id:
        raise gateway_error(403, "APIGW.0302", MSG_PROJECT_MISMATCH % (project_id, principal.project_id))
    with state.lock:
        if project_id not in state.projects:
            raise forbidden


# --------------------------------------------------------------------------- API handlers

def _int_param(params, name, default=None):
    value = params.get(name)
    if value is None:
        if default is None:
            raise ddm_error("Invalid parameter: %s is required." % name)
        return default
    if not re.match(r"^[0-9]+$", value):
        return None
    return int(value)


def parse_list_params(params):
    start, end = _int_param(params, "start_time"), _int_param(params, "end_time")
    for name, value in (("start_time", start), ("end_time", end)):
        if value is None:
            raise ddm_error("Invalid parameter: %s must be a Unix timestamp in integer milliseconds." % name)
    if start < time.time() * 1000 - LIST_MAX_AGE_MS - LIST_AGE_GRACE_MS:
        raise ddm_error("Invalid parameter: start_time must be within the last 30 days.")
    if end < start:
        raise ddm_error("Invalid parameter: end_time must not be earlier than start_time.")
    offset = _int_param(params, "offset", 0)
    if offset is None:
        raise ddm_error("Invalid parameter: offset must be an integer greater than or equal to 0.")
    limit = _int_param(params, "limit", 10)
    if limit is None or not 1 <= limit <= 128:
        raise ddm_error("Invalid parameter: limit must be an integer from 1 to 128.")
    return start, end, offset, limit


def api_list_jobs(ctx, project_id):
    start, end, offset, limit = parse_list_params(ctx.call.first_params())
    jobs = [job for job in ctx.state.project_jobs(project_id) if start <= job.created_wall * 1000 <= end]
    jobs.sort(key=lambda job: (-job.created_wall, job.id))
    page = [job.list_item() for job in jobs[offset:offset + limit]]
    return 200, {"offset": offset, "limit": limit, "total": len(jobs), "jobs": page}, {}


def api_show_job(ctx, project_id, job_id):
    job = ctx.state.find_job(project_id, job_id)
    if job is None:
        raise ddm_error(MSG_JOB_NOT_FOUND, code="DBS.300400")
    return 200, {"job": job.api_shape()}, {}


def api_list_projects(ctx):
    name = ctx.call.first_params().get("name")
    with ctx.state.lock:
        projects = [(pid, pname) for pid, pname in ctx.state.projects.items() if name is None or pname == name]
    base = ctx.base_url
    items = [{"id": pid, "name": pname, "domain_id": DOMAIN_ID, "parent_id": DOMAIN_ID, "description": "",
              "enabled": True, "is_domain": False, "links": {"self": "%s/v3/projects/%s" % (base, pid)}}
             for pid, pname in projects]
    return 200, {"projects": items, "links": {"self": "%s/v3/projects" % base, "previous": None, "next": None}}, {}


def _json_object(raw, error):
    try:
        value = json.loads(raw.decode("utf-8")) if raw else None
    except (ValueError, UnicodeError):
        raise error
    if not isinstance(value, dict):
        raise error
    return value


def _password_user(identity):
    methods = identity.get("methods")
    user = ((identity.get("password") or {}).get("user") or {}) if isinstance(identity.get("password"), dict) else {}
    if not isinstance(methods, list) or "password" not in methods or not isinstance(user, dict):
        raise iam_error(400, "The request body is invalid: only the password method is supported.")
    domain = user.get("domain") if isinstance(user.get("domain"), dict) else {}
    domain_ok = domain.get("name") == DOMAIN_NAME or domain.get("id") == DOMAIN_ID
    if user.get("name") != USER_NAME or user.get("password") != USER_PASSWORD or not domain_ok:
        raise iam_error(401, MSG_IAM_BAD_LOGIN)


def _scope_project(state, scope):
    """Return (project_id, project_name) for a project scope, (None, None) otherwise."""
    project = scope.get("project") if isinstance(scope, dict) else None
    if not isinstance(project, dict):
        return None, None
    with state.lock:
        projects = dict(state.projects)
    if project.get("id"):
        if project["id"] not in projects:
            raise iam_error(400, "Invalid scope: the project %s does not exist." % project["id"])
        return project["id"], projects[project["id"]]
    domain = project.get("domain") if isinstance(project.get("domain"), dict) else {}
    if not domain:
        raise iam_error(400, "Invalid scope: a project given by name needs its domain.")
    if domain.get("name") != DOMAIN_NAME and domain.get("id") != DOMAIN_ID:
        raise iam_error(400, "Invalid scope: the project domain does not exist.")
    for pid, pname in projects.items():
        if pname == project.get("name"):
            return pid, pname
    raise iam_error(400, "Invalid scope: the project %s does not exist." % project.get("name"))


def api_issue_token(ctx):
    request = _json_object(ctx.call.body, iam_error(400, "The request body is invalid."))
    auth = request.get("auth") if isinstance(request.get("auth"), dict) else {}
    identity = auth.get("identity") if isinstance(auth.get("identity"), dict) else {}
    _password_user(identity)
    project_id, project_name = _scope_project(ctx.state, auth.get("scope"))
    token = "MIIEMU" + secrets.token_urlsafe(96)
    record = ctx.state.add_token(token, project_id, issued=True)
    domain = {"id": DOMAIN_ID, "name": DOMAIN_NAME}
    body = {"token": {"methods": ["password"], "expires_at": iam_time(record.expires), "issued_at": iam_time(time.time()),
                      "user": {"id": USER_ID, "name": USER_NAME, "domain": domain, "password_expires_at": ""},
                      "roles": [{"id": "0", "name": "op_service"}], "catalog": []}}
    if project_id:
        body["token"]["project"] = {"id": project_id, "name": project_name, "domain": domain}
    else:
        body["token"]["domain"] = domain
    return 201, body, {"X-Subject-Token": token}


# (method, path pattern, handler, needs auth, project-scoped, IAM service)
API_ROUTES = (
    ("POST", re.compile(r"^/v3/auth/tokens$"), api_issue_token, False, False, True),
    ("GET", re.compile(r"^/v3/projects$"), api_list_projects, True, False, True),
    ("GET", re.compile(r"^/v3/([^/]+)/jobs$"), api_list_jobs, True, True, False),
    ("GET", re.compile(r"^/v3/([^/]+)/jobs/([^/]+)$"), api_show_job, True, True, False),
)


def find_route(method, path):
    """Return (route, decoded path arguments, is IAM) or raise the gateway's 404."""
    trimmed = path[:-1] if len(path) > 1 and path.endswith("/") else path
    for route in API_ROUTES:
        match = route[1].match(trimmed)
        if match and route[0] == method:
            return route, [unquote(arg) for arg in match.groups()]
    raise gateway_error(404, "APIGW.0101", MSG_API_NOT_FOUND)


# --------------------------------------------------------------------------- HTTP plumbing

class Call:
    """One request as received on the wire."""

    def __init__(self, method, target, headers, body):
        split = urlsplit(target)
        self.method = method
        self.raw_path = split.path or "/"
        self.query = split.query
        self.params = parse_qsl(split.query, keep_blank_values=True)
        self.headers = headers
        self.body = body
        self.request_id = uuid.uuid4().hex

    def header(self, name):
        return self.headers.get(name)

    def first_params(self):
        values = {}
        for key, value in self.params:
            values.setdefault(key, value)
        return values

    def auth_kind(self):
        if self.header("X-Auth-Token"):
            return "token"
        return "aksk" if self.header("Authorization") else "none"

    def credential_key(self):
        token = self.header("X-Auth-Token")
        if token:
            return "token:" + hashlib.sha256(token.encode("utf-8")).hexdigest()
        match = AUTH_PATTERN.match((self.header("Authorization") or "").strip())
        return "ak:" + match.group(2) if match else "anonymous"


class ApiContext:
    def __init__(self, state, call, base_url):
        self.state = state
        self.call = call
        self.base_url = base_url


def redact_headers(headers):
    return {name: (REDACTED if name.lower() in SECRET_HEADERS else value) for name, value in headers.items()}


def log_entry(call):
    now = time.time()
    entry = {"time": iam_time(now), "epoch": now, "method": call.method, "path": call.raw_path, "query": call.query,
             "params": call.first_params(), "auth": call.auth_kind(), "status": None, "request_id": call.request_id,
             "headers": redact_headers(call.headers)}
    match = AUTH_PATTERN.match((call.header("Authorization") or "").strip())
    if match:
        entry["access_key"] = match.group(2)
    return entry


class BadRequest(Exception):
    """The request could not be read (framing, size)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class Handler(BaseHTTPRequestHandler):
    """Serves the API, the IAM calls and the control API on one port."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this, Nagle's algorithm delays
    # every answer on a kept-alive connection by the peer's delayed ACK (about 40 ms).
    disable_nagle_algorithm = True
    server_version = "DDMEmulator/1.0"
    sys_version = ""

    def version_string(self):
        return self.server_version

    def date_time_string(self, timestamp=None):
        # The Date header shows the server's own (possibly skewed) clock, as a real gateway's would.
        return super().date_time_string(self.app.state.now() if timestamp is None else timestamp)

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_PATCH(self):
        self._handle()

    def do_HEAD(self):
        self._handle()

    def do_OPTIONS(self):
        self._handle()

    @property
    def app(self):
        return self.server.app

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.app.verbose:
            sys.stderr.write("ddm-emulator: %s %s\n" % (self.address_string(), format % args))

    def send_error(self, code, message=None, explain=None):
        # Malformed requests get a JSON gateway body instead of the stock HTML page (with a status line, even for
        # a request line too broken to name its HTTP version).
        self.close_connection = True
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"
        body = {"error_code": "APIGW.0201", "error_msg": message or "Bad request", "request_id": uuid.uuid4().hex}
        try:
            headers = {"Content-Type": "application/json", "X-Request-Id": body["request_id"], "Connection": "close"}
            self._send(code, json.dumps(body).encode("utf-8"), headers)
        except OSError:
            pass

    def _read_chunked(self):
        chunks, total = [], 0
        while True:
            line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                size = int(line, 16)
            except ValueError:
                raise BadRequest(400, "Malformed chunked body")
            total += size
            if total > MAX_BODY:
                raise BadRequest(413, "Request body too large")
            if size == 0:
                self.rfile.readline(1024)
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit():
            raise BadRequest(400, "Invalid Content-Length")
        if int(length) > MAX_BODY:
            raise BadRequest(413, "Request body too large")
        return self.rfile.read(int(length)) if int(length) else b""

    def _send(self, status, data, headers):
        self.send_response(status)
        for name, value in headers.items():
            if value is not None:
                self.send_header(name, str(value))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD" and data:
            self.wfile.write(data)
        self.wfile.flush()

    def _send_json(self, call, status, body, headers=None, iam=False):
        if isinstance(body, dict) and "request_id" in body and body["request_id"] is None:
            body = dict(body, request_id=call.request_id)
        merged = {"Content-Type": "application/json;charset=UTF-8", "X-Request-Id": call.request_id}
        if iam:
            merged["X-IAM-Trace-Id"] = call.request_id
        merged.update(headers or {})
        self._send(status, json.dumps(body).encode("utf-8"), merged)

    def _handle(self):
        try:
            body = self._read_body()
        except BadRequest as exc:
            self.send_error(exc.status, exc.message)
            return
        call = Call(self.command, self.path, self.headers, body)
        try:
            if call.raw_path.startswith("/_emulator/"):
                self._serve_control(call)
            else:
                self._serve_api(call)
        except OSError as exc:
            # The client went away (e.g. it timed out during an injected delay).
            self.close_connection = True
            self.log_message("connection error: %s", exc)
        except Exception as exc:
            # An emulator bug must still answer with a body, never a traceback.
            self.close_connection = True
            sys.stderr.write("ddm-emulator: internal error on %s %s: %s: %s\n" % (call.method, call.raw_path, type(exc).__name__, exc))
            self._send_json(call, 500, {"error_code": "APIGW.0001", "error_msg": "Internal emulator error", "request_id": None})

    def _serve_control(self, call):
        try:
            status, body = self.app.control(call)
        except ApiError as err:
            status, body = err.status, err.body
        self._send_json(call, status, body)

    def _serve_api(self, call):
        entry = log_entry(call)
        self.app.state.record(entry)
        fault = self.app.state.take_fault(call.method, call.raw_path)
        if fault is not None:
            self.app.state.update_record(entry, fault=fault.describe())
            if self._apply_fault(call, fault, entry):
                return
        iam = call.raw_path.startswith("/v3/auth/") or call.raw_path.startswith("/v3/projects")
        try:
            status, body, headers = self._dispatch(call)
        except ApiError as err:
            status, body, headers = err.status, err.body, err.headers
        self.app.state.update_record(entry, status=status)
        self._send_json(call, status, body, headers, iam)

    def _dispatch(self, call):
        route, args = find_route(call.method, call.raw_path)
        retry_after = self.app.state.throttle(call.credential_key())
        if retry_after is not None:
            limiter = self.app.state.limiter
            raise gateway_error(429, "APIGW.0308", MSG_THROTTLED % (limiter.limit, limiter.window), {"Retry-After": str(retry_after)})
        ctx = ApiContext(self.app.state, call, self.app.base_url)
        if route[3]:
            principal = authenticate(self.app.state, self.app.verifier, call)
            if route[4]:
                check_project(self.app.state, principal, args[0])
        return route[2](ctx, *args)

    def _apply_fault(self, call, fault, entry):
        """Apply a queued fault; True when it produced the whole response."""
        if fault.delay:
            self.app.stopping.wait(fault.delay)
        if fault.drop:
            self.close_connection = True
            self.app.state.update_record(entry, status=None)
            self.connection.shutdown(socket.SHUT_RDWR)
            return True
        if fault.status is None:
            return False
        headers = {"X-Request-Id": call.request_id}
        if fault.has_json:
            body = fault.json
            if isinstance(body, dict) and "request_id" in body and body["request_id"] is None:
                body = dict(body, request_id=call.request_id)
            data, headers["Content-Type"] = json.dumps(body).encode("utf-8"), "application/json;charset=UTF-8"
        elif fault.body:
            data = fault.body.encode("utf-8")
            headers["Content-Type"] = "text/html" if fault.body.lstrip().startswith("<") else "text/plain"
        else:
            data = b""
        headers.update(fault.headers)
        self.app.state.update_record(entry, status=fault.status)
        self._send(fault.status, data, headers)
        return True


# --------------------------------------------------------------------------- control API

def _control_body(call):
    if not call.body:
        return {}
    return _json_object(call.body, control_error("the body must be a JSON object"))


def ctl_reset(app, call):
    app.state.reset()
    return 200, {"reset": True}


def ctl_add_job(app, call):
    job = app.state.add_job(_control_body(call))
    return 201, {"job": job.api_shape(), "item": job.list_item()}


MAX_BULK_JOBS = 100000


def ctl_add_jobs_bulk(app, call):
    spec = _control_body(call)
    count = spec.pop("count", None)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_BULK_JOBS or "id" in spec:
        raise control_error("count must be an integer from 1 to %d, and no id may be given" % MAX_BULK_JOBS)
    for _index in range(count):
        app.state.add_job(dict(spec))
    return 201, {"created": count}


def ctl_list_jobs(app, call):
    with app.state.lock:
        jobs = list(app.state.jobs.values())
    return 200, {"jobs": [dict(job.list_item(), project_id=job.project_id) for job in jobs]}


def ctl_add_fault(app, call):
    fault = Fault(_control_body(call))
    app.state.add_fault(fault)
    return 201, {"fault": fault.describe()}


def ctl_list_faults(app, call):
    with app.state.lock:
        return 200, {"faults": [fault.describe() for fault in app.state.faults]}


def ctl_clear_faults(app, call):
    with app.state.lock:
        app.state.faults = []
    return 200, {"faults": []}


def ctl_add_token(app, call):
    spec = _control_body(call)
    token = spec.get("token")
    if not isinstance(token, str) or not token:
        raise control_error("token must be a non-empty string")
    project_id = spec.get("project_id", PROJECT_ID)
    record = app.state.add_token(token, project_id, _number(spec, "expires_in", TOKEN_LIFETIME))
    return 201, {"project_id": project_id, "expires_at": iam_time(record.expires)}


def ctl_revoke_issued(app, call):
    return 200, {"revoked": app.state.revoke_issued()}


def ctl_set_ratelimit(app, call):
    spec = _control_body(call)
    limit = int(_number(spec, "limit", 0))
    window = _number(spec, "window", 60, 0.001)
    with app.state.lock:
        app.state.limiter.configure(limit, window)
    return 200, {"limit": limit, "window": window}


def ctl_requests(app, call):
    return 200, {"requests": app.state.requests()}


def ctl_clear_requests(app, call):
    with app.state.lock:
        app.state.log.clear()
    return 200, {"requests": []}


def ctl_info(app, call):
    with app.state.lock:
        return 200, {"verifier": app.verifier.name, "project_id": PROJECT_ID, "region": REGION, "project_name": REGION,
                     "domain_id": DOMAIN_ID, "domain_name": DOMAIN_NAME, "user_name": USER_NAME, "access_key": ACCESS_KEY,
                     "temp_access_key": TEMP_ACCESS_KEY, "base_url": app.base_url, "seed_demo": app.state.seed_demo,
                     "demo_job_ids": dict(DEMO_JOB_IDS) if app.state.seed_demo else {}, "skew": app.state.skew,
                     "tokens_issued": app.state.tokens_issued, "pending_faults": len(app.state.faults),
                     "ratelimit": {"limit": app.state.limiter.limit, "window": app.state.limiter.window}}


def ctl_clock(app, call):
    skew = _control_body(call).get("skew", 0)
    if isinstance(skew, bool) or not isinstance(skew, (int, float)):
        raise control_error("skew must be a number of seconds")
    with app.state.lock:
        app.state.skew = float(skew)
    return 200, {"skew": float(skew)}


def ctl_add_project(app, call):
    spec = _control_body(call)
    project_id, name = spec.get("id"), spec.get("name")
    if not isinstance(project_id, str) or not isinstance(name, str) or not project_id or not name:
        raise control_error("id and name must be non-empty strings")
    with app.state.lock:
        app.state.projects[project_id] = name
    return 201, {"project": {"id": project_id, "name": name}}


_CONTROL_ROUTES = {
    ("POST", "/_emulator/reset"): ctl_reset,
    ("POST", "/_emulator/jobs"): ctl_add_job,
    ("POST", "/_emulator/jobs/bulk"): ctl_add_jobs_bulk,
    ("GET", "/_emulator/jobs"): ctl_list_jobs,
    ("POST", "/_emulator/faults"): ctl_add_fault,
    ("GET", "/_emulator/faults"): ctl_list_faults,
    ("DELETE", "/_emulator/faults"): ctl_clear_faults,
    ("POST", "/_emulator/tokens"): ctl_add_token,
    ("DELETE", "/_emulator/tokens"): ctl_revoke_issued,
    ("POST", "/_emulator/ratelimit"): ctl_set_ratelimit,
    ("GET", "/_emulator/requests"): ctl_requests,
    ("DELETE", "/_emulator/requests"): ctl_clear_requests,
    ("GET", "/_emulator/info"): ctl_info,
    ("POST", "/_emulator/clock"): ctl_clock,
    ("POST", "/_emulator/projects"): ctl_add_project,
}


class EmulatorApp:
    """Ties state, verifier and control routes together for the request handler."""

    def __init__(self, state, verifier, verbose=False):
        self.state = state
        self.verifier = verifier
        self.verbose = verbose
        self.base_url = ""
        self.stopping = threading.Event()

    def control(self, call):
        path = call.raw_path.rstrip("/")
        if call.method == "DELETE" and path.startswith("/_emulator/tokens/"):
            token = unquote(path[len("/_emulator/tokens/"):])
            if not self.state.revoke_token(token):
                raise control_error("unknown token", 404)
            return 200, {"revoked": 1}
        handler = _CONTROL_ROUTES.get((call.method, path))
        if handler is None:
            raise control_error("unknown control endpoint %s %s" % (call.method, path), 404)
        return handler(self, call)


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address, app, family=socket.AF_INET):
        self.address_family = family
        self.app = app
        super().__init__(address, Handler)

    def handle_error(self, request, client_address):
        # One line instead of a traceback: a misbehaving client must not spam the output.
        exc = sys.exc_info()[1]
        sys.stderr.write("ddm-emulator: error serving %s: %s: %s\n" % (client_address[0], type(exc).__name__, exc))


# --------------------------------------------------------------------------- process

def loopback_address(host):
    """Return (address, family) for a loopback host or raise ValueError."""
    if host == "localhost":
        host = "127.0.0.1"
    address = ipaddress.ip_address(host)
    if not address.is_loopback:
        raise ValueError("refusing to bind %s: the emulator only listens on loopback addresses" % host)
    return str(address), socket.AF_INET6 if address.version == 6 else socket.AF_INET


def parse_args(argv):
    epilog = "demo jobs (--seed-demo): " + ", ".join("%s=%s" % item for item in DEMO_JOB_IDS.items())
    parser = argparse.ArgumentParser(description="Loopback emulator of the Huawei Cloud DDM task API and IAM.", epilog=epilog)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind, 0 picks a free one (default 0)")
    parser.add_argument("--port-file", help="write the bound port to this file once ready")
    parser.add_argument("--verifier", choices=("auto", "sdk", "builtin"), default="auto",
                        help="AK/SK signature check: the official SDK signer (sdk), the builtin one, or sdk when importable (auto)")
    parser.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--tls-key", help="private key for --tls-cert (PEM)")
    parser.add_argument("--seed-demo", action="store_true", help="pre-create the demo jobs listed below")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    return args


def write_port_file(path, port):
    temporary = "%s.%d.tmp" % (path, os.getpid())
    with open(temporary, "w") as handle:
        handle.write("%d\n" % port)
    os.replace(temporary, path)


def build_server(args):
    address, family = loopback_address(args.host)
    app = EmulatorApp(EmulatorState(seed_demo=args.seed_demo), make_verifier(args.verifier), args.verbose)
    server = EmulatorServer((address, args.port), app, family)
    scheme = "http"
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        scheme = "https"
    host = "[%s]" % address if family == socket.AF_INET6 else address
    app.base_url = "%s://%s:%d" % (scheme, host, server.server_address[1])
    return server


def serve(server, port_file):
    stop = threading.Event()

    def _on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    worker = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    worker.start()
    if port_file:
        write_port_file(port_file, server.server_address[1])
    sys.stderr.write("ddm-emulator: serving %s (verifier %s)\n" % (server.app.base_url, server.app.verifier.name))
    while not stop.wait(0.5):
        pass
    server.app.stopping.set()
    server.shutdown()
    server.server_close()
    remove_port_file(port_file, server.server_address[1])


def remove_port_file(path, port):
    """Remove the port file unless something else has replaced it meanwhile."""
    if not path:
        return
    try:
        with open(path) as handle:
            ours = handle.read().strip() == str(port)
        if ours:
            os.unlink(path)
    except OSError:
        pass


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        server = build_server(args)
    except ImportError:
        sys.stderr.write("ddm-emulator: --verifier sdk needs huaweicloudsdkcore, which is not importable\n")
        return 2
    except (ValueError, OSError, ssl.SSLError) as exc:
        sys.stderr.write("ddm-emulator: %s\n" % exc)
        return 2
    serve(server, args.port_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
