# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the emulator's state knows of the traffic rather than of a service: queued and random faults and standing latencies
(``faults.py``), the rate limit, the server's clock skew and the request log (``server.py`` and ``gateway.py`` use them)."""

from __future__ import annotations

import collections
import math
import threading
import time


LOG_SIZE = 5000


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


class TrafficState:
    """The faults, rate limit, clock and request log part of ``EmulatorState``."""

    def _reset_traffic(self):
        self._faults = []
        self._chaos = None
        self._latencies = []
        # A reset releases the requests a latency still holds.
        if getattr(self, "_latency_release", None) is not None:
            self._latency_release.set()
        self._latency_release = threading.Event()
        self._limiter = RateLimiter()
        self._log = collections.deque(maxlen=LOG_SIZE)
        self._skew = 0.0

    def _traffic_info(self):
        return {"skew": self._skew, "pending_faults": len(self._faults), "chaos": self.chaos(), "ratelimit": self.ratelimit(),
                "latency": self.latencies()}

    # ------------------------------------------------------------------ faults

    def add_fault(self, fault):
        with self._lock:
            self._faults.append(fault)

    def take_fault(self, method, path):
        """The first queued fault matching the request, counted down (and dropped once used up);
        else, in chaos mode, maybe a random one; else None."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
            return self._chaos.draw(method, path) if self._chaos is not None else None

    def set_chaos(self, chaos):
        """Start (or, with None, stop) drawing random faults."""
        with self._lock:
            self._chaos = chaos

    def chaos(self):
        with self._lock:
            return self._chaos.describe() if self._chaos is not None else None

    def describe_faults(self):
        with self._lock:
            return [fault.describe() for fault in self._faults]

    def clear_faults(self):
        with self._lock:
            self._faults = []

    # ------------------------------------------------------------------ latency

    def add_latency(self, latency):
        with self._lock:
            self._latencies.append(latency)

    def latencies(self):
        with self._lock:
            return [latency.describe() for latency in self._latencies]

    def clear_latencies(self):
        """Remove every latency and release the requests they hold."""
        with self._lock:
            self._latencies = []
            self._latency_release.set()
            self._latency_release = threading.Event()

    def latency(self, method, path):
        """(seconds before the service sees the request, seconds before its answer leaves, an event set when the latencies are
        cleared, which ends both waits early): every matching latency's sum."""
        with self._lock:
            release = self._latency_release
            before = after = 0.0
            for latency in self._latencies:
                if latency.matches(method, path):
                    delay = latency.draw()
                    if latency.where == "before":
                        before += delay
                    else:
                        after += delay
            return before, after, release

    # ------------------------------------------------------------------ rate limit and clock

    def set_ratelimit(self, limit, window):
        with self._lock:
            self._limiter.configure(limit, window)

    def ratelimit(self):
        with self._lock:
            return {"limit": self._limiter.limit, "window": self._limiter.window}

    def throttle(self, key):
        """Count a call by this credential; None when allowed, else the seconds until it may call again."""
        with self._lock:
            return self._limiter.check(key)

    def set_skew(self, skew):
        with self._lock:
            self._skew = skew

    def now(self):
        """The server's wall clock (shifted by the configured skew): the signature date check, the Date header and the times the
        DDM calls show go by it."""
        with self._lock:
            return time.time() + self._skew

    # ------------------------------------------------------------------ request log

    def record(self, entry):
        with self._lock:
            self._log.append(entry)

    def update_record(self, entry, **values):
        with self._lock:
            entry.update(values)

    def requests(self):
        with self._lock:
            return [dict(entry, headers=dict(entry["headers"])) for entry in self._log]

    def clear_requests(self):
        with self._lock:
            self._log.clear()
