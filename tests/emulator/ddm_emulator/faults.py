# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults a test queues through the control API: which requests they match, how often, and what they do.

``Fault`` reads the spec and says what to answer; ``server.Handler`` applies it on the wire (delay, drop,
trickle, padding), after letting the API handle the request when the fault says ``apply`` (and, with ``garble``,
makes that real answer unreadable).  ``Chaos`` draws random faults from a seeded generator, so a failing soak run
can be replayed with the same seed.  ``Latency`` is a standing delay on the matching requests, never used up.
"""

from __future__ import annotations

import json
import random
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
        # Let the API handle (apply) the request first, then drop or replace its answer: the write happened,
        # its answer was lost.
        self.apply = spec.get("apply", False)
        if not isinstance(self.apply, bool):
            raise control_error("apply must be true or false")
        # Send the answer (status line and headers included, or only its body) at this many bytes a second.
        self.trickle = number_field(spec, "trickle", 0) or None
        self.trickle_part = spec.get("trickle_part", "all")
        if self.trickle_part not in ("all", "body"):
            raise control_error("trickle_part must be 'all' or 'body'")
        # Pad the answer's body with trailing spaces (still valid JSON) to this many bytes.
        self.pad_to = int(number_field(spec, "pad_to", 0))
        # A server that echoes what it was sent: {{Header-Name}} in the body or the JSON's strings is replaced by
        # the request's value of that header (a token, say), as some error messages quote it.
        self.echo = spec.get("echo", False)
        if not isinstance(self.echo, bool):
            raise control_error("echo must be true or false")
        self.label = spec.get("label")
        # The write is applied and its real answer made unreadable (its status kept): an HTML page, the JSON cut short,
        # every value of the wrong type, or no body.
        self.garble = spec.get("garble")
        if self.garble is not None:
            if self.garble not in GARBLES:
                raise control_error("garble must be one of %s" % ", ".join(GARBLES))
            self.apply = True

    def matches(self, method, path):
        return (self.method is None or self.method == method) and (self.path is None or self.path.search(path) is not None)

    def describe(self):
        return {"method": self.method, "path": self.path.pattern if self.path else None, "remaining": self.remaining,
                "status": self.status, "delay": self.delay, "drop": self.drop, "apply": self.apply, "trickle": self.trickle, "pad_to": self.pad_to,
                "echo": self.echo, "label": self.label, "garble": self.garble}

    def answer(self, request_id, call=None):
        """(status, body bytes, headers) to answer instead of the API, or None to let the call through.

        With ``echo``, ``call`` (the request) fills the ``{{Header-Name}}`` placeholders.
        """
        if self.status is None:
            return None
        headers = {"X-Request-Id": request_id}
        echo = (lambda value: _echo(value, call)) if self.echo and call is not None else (lambda value: value)
        if self.has_json:
            data = json.dumps(_map_strings(with_request_id(self.json, request_id), echo)).encode("utf-8")
            headers["Content-Type"] = JSON_CONTENT_TYPE
        elif self.body:
            data = echo(self.body).encode("utf-8")
            headers["Content-Type"] = "text/html" if self.body.lstrip().startswith("<") else "text/plain"
        else:
            data = b""
        headers.update(self.headers)
        return self.status, data, headers

    def garbled(self, answer):
        """The API's real (status, body bytes, headers), made unreadable as ``garble`` says (the status is kept)."""
        status, data, headers = answer
        status, headers = self.status or status, dict(headers)
        if self.garble == "html":
            data = GARBLED_HTML.encode("utf-8")
            headers["Content-Type"] = "text/html"
        elif self.garble == "truncated":
            data = data[:max(1, len(data) // 2)] if len(data) > 1 else b"{"
        elif self.garble == "wrong_types":
            try:
                body = json.loads(data.decode("utf-8")) if data else {}
            except ValueError:
                body = data.decode("latin-1")
            body = {key: _wrong_type(value) for key, value in body.items()} if isinstance(body, dict) else {"value": _wrong_type(body)}
            data = json.dumps(body).encode("utf-8")
        else:
            data = b""
        return status, data, headers


GARBLES = ("html", "truncated", "wrong_types", "empty")
GARBLED_HTML = ("<!DOCTYPE html><html><head><title>Request accepted</title></head>"
                "<body><h1>Request accepted</h1><p>Your request is being processed.</p></body></html>")


def _wrong_type(value):
    """A value of another JSON type than ``value``: a string becomes a list holding it, a number a string, a list an object..."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, bool) or value is None:
        return {"value": value}
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return {"items": value}
    return len(value)


class Latency:
    """A standing delay on the matching requests (``where``: before the service sees the request, or before its answer
    leaves), plus up to ``jitter`` seconds drawn from a seeded generator; never used up."""

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise control_error("latency spec must be an object")
        self.matcher = Fault({"method": spec.get("method"), "path": spec.get("path")})
        self.delay = number_field(spec, "delay", 0)
        self.jitter = number_field(spec, "jitter", 0)
        self.where = spec.get("where", "before")
        if self.where not in ("before", "after"):
            raise control_error("where must be 'before' or 'after'")
        if not self.delay and not self.jitter:
            raise control_error("a latency needs a delay or a jitter (seconds)")
        seed = spec.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise control_error("seed must be an integer")
        self._random = random.Random(seed)
        self.label = spec.get("label")

    def matches(self, method, path):
        return self.matcher.matches(method, path)

    def draw(self):
        """This request's delay (the caller holds the state's lock)."""
        return self.delay + (self._random.uniform(0, self.jitter) if self.jitter else 0.0)

    def describe(self):
        return {"method": self.matcher.method, "path": self.matcher.path.pattern if self.matcher.path else None, "delay": self.delay,
                "jitter": self.jitter, "where": self.where, "label": self.label}


ECHO_PLACEHOLDER = re.compile(r"\{\{([A-Za-z0-9-]+)\}\}")


def _echo(text, call):
    """``text`` with each ``{{Header-Name}}`` replaced by that header of ``call`` (empty when it was not sent)."""
    lowered = {name.lower(): value for name, value in call.headers.items()}
    return ECHO_PLACEHOLDER.sub(lambda match: lowered.get(match.group(1).lower(), ""), text)


def _map_strings(value, change):
    """``value`` (JSON-like) with ``change`` applied to every string in it."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {key: _map_strings(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [_map_strings(item, change) for item in value]
    return value


# What the random faults of a soak look like; each is a fault spec (see Fault).
CHAOS_KINDS = {
    "drop": {"drop": True},
    "500": {"status": 500, "body": ""},
    "503-html": {"status": 503, "body": "<html><head><title>503 Service Temporarily Unavailable</title></head>"
                                        "<body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>"},
    "429": {"status": 429, "json": {"error_code": "APIG.0308", "error_msg": "The throttling threshold has been reached: "
                                    "policy user over ratelimit,limit:100,time:1 minute", "request_id": None},
            "headers": {"Retry-After": "1"}},
    "slow": {"delay": 3.0},
    # Hostile shapes, drawn only when named in ``kinds``. A 200 whose every field has the wrong type (terminal
    # escapes where a name would be): no reading of it is right, so a client must fail cleanly, naming the field.
    "wrong-types": {"status": 200, "json": {"job": {"id": 7, "name": ["\x1b[2J\x1b]0;owned\x07"], "status": {"Completed": True},
                                                    "process": -1, "created_time": 1e300, "instance": "\r\n"},
                                            "jobs": "\x1b[31m", "total": "many", "projects": {}, "token": []}},
    # A 502 page of 300 KB of control characters, escape sequences and markup: retried, summarised without them.
    "hostile-page": {"status": 502, "body": "\x1b[2J\x1b]0;owned\x07\r\n\x00\u202e\x7f<<<<<<<<" * 12000},
}
HOSTILE_KINDS = ("hostile-page", "wrong-types")


class Chaos:
    """A random fault on a share of the matching requests, drawn from a seeded generator."""

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise control_error("chaos spec must be an object")
        self.rate = number_field(spec, "rate", 0.2)
        if self.rate > 1:
            raise control_error("rate must be between 0 and 1")
        self.seed = spec.get("seed", 0)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise control_error("seed must be an integer")
        kinds = spec.get("kinds", sorted(set(CHAOS_KINDS) - set(HOSTILE_KINDS)))
        if not isinstance(kinds, list) or not kinds or any(kind not in CHAOS_KINDS for kind in kinds):
            raise control_error("kinds must be a non-empty list of %s" % ", ".join(sorted(CHAOS_KINDS)))
        self.kinds = kinds
        self.slow_delay = number_field(spec, "slow_delay", CHAOS_KINDS["slow"]["delay"])
        self.matcher = Fault({"method": spec.get("method"), "path": spec.get("path")})
        self._random = random.Random(self.seed)
        self.drawn = {kind: 0 for kind in kinds}

    def draw(self, method, path):
        """A one-off fault for this request, or None (the caller holds the state's lock)."""
        if not self.matcher.matches(method, path) or self._random.random() >= self.rate:
            return None
        kind = self._random.choice(self.kinds)
        self.drawn[kind] += 1
        spec = dict(CHAOS_KINDS[kind], label="chaos:" + kind)
        if kind == "slow":
            spec["delay"] = self.slow_delay
        return Fault(spec)

    def describe(self):
        return {"rate": self.rate, "seed": self.seed, "kinds": list(self.kinds), "slow_delay": self.slow_delay,
                "path": self.matcher.path.pattern if self.matcher.path else None, "drawn": dict(self.drawn)}
