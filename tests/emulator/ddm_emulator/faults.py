# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults a test queues through the control API: which requests they match, how often, and what they do.

``Fault`` reads the spec and says what to answer; ``server.Handler`` applies it on the wire (delay, drop).
"""

from __future__ import annotations

import json
import re

from .errors import JSON_CONTENT_TYPE, control_error, with_request_id
from .spec import number_field


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
        self.remaining = int(number_field(spec, "count", 1, 1))
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
        self.delay = number_field(spec, "delay", 0)
        self.drop = bool(spec.get("drop", False))

    def matches(self, method, path):
        return (self.method is None or self.method == method) and (self.path is None or self.path.search(path) is not None)

    def describe(self):
        return {"method": self.method, "path": self.path.pattern if self.path else None, "remaining": self.remaining,
                "status": self.status, "delay": self.delay, "drop": self.drop}

    def answer(self, request_id):
        """(status, body bytes, headers) to answer instead of the API, or None to let the call through."""
        if self.status is None:
            return None
        headers = {"X-Request-Id": request_id}
        if self.has_json:
            data, headers["Content-Type"] = json.dumps(with_request_id(self.json, request_id)).encode("utf-8"), JSON_CONTENT_TYPE
        elif self.body:
            data = self.body.encode("utf-8")
            headers["Content-Type"] = "text/html" if self.body.lstrip().startswith("<") else "text/plain"
        else:
            data = b""
        headers.update(self.headers)
        return self.status, data, headers
