# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One request as received on the wire, the credential it names, and its redacted entry in the request log."""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from urllib.parse import parse_qsl, urlsplit

from .times import iam_time


AUTH_PATTERN = re.compile(r"^(\S+)\s+Access=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]+)\s*$")
REDACTED = "***"
SECRET_HEADERS = ("authorization", "x-auth-token", "x-security-token", "x-subject-token", "x-metadata-token", "cookie")


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
