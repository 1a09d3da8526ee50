# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything the emulator knows at run time: jobs, projects, tokens, faults, rate limit, clock skew, request log."""

from __future__ import annotations

import collections
import math
import threading
import time

from .identities import (ACCESS_KEY, PROJECT_ID, REGION, SECRET_KEY, SECURITY_TOKEN, STATIC_TOKEN, TEMP_ACCESS_KEY,
                         TEMP_SECRET_KEY)
from .model import DEMO_INSTANCE, DEMO_JOBS, Job


TOKEN_LIFETIME = 24 * 3600
LOG_SIZE = 5000


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
