# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything the emulator knows at run time: jobs, DDM instances and their settings, projects, tokens, temporary
credentials, the ECS metadata service's settings, faults, rate limit, clock skew, request log."""

from __future__ import annotations

import collections
import math
import secrets
import threading
import time

from .catalogue import DEFAULT_FLAVOR_AZ_STATUS
from .identities import (ACCESS_KEY, PROJECT_ID, REGION, SECRET_KEY, SECURITY_TOKEN, STATIC_TOKEN, SUBPROJECT_ID, SUBPROJECT_NAME,
                         TEMP_ACCESS_KEY, TEMP_SECRET_KEY)
from .instances import DEFAULT_SETTINGS
from .model import DEMO_INSTANCE, DEMO_JOB_IDS, DEMO_JOBS, Job
from .accounts_state import AccountStore
from .configure import ConfigureSettings
from .parameters_state import ParameterStore
from .schemas_state import SchemaStore


TOKEN_LIFETIME = 24 * 3600
STATIC_TOKEN_LIFETIME = 10 * 365 * 24 * 3600
LOG_SIZE = 5000
# How the metadata service treats session tokens: "optional" (as ECS does), "required", or
# "unsupported" (no token API: PUT /meta-data/latest/api/token answers 404).
METADATA_TOKEN_MODES = ("optional", "required", "unsupported")


class CredentialRecord:
    """An access key the gateway knows: its secret key, its security token (None: permanent) and expiry (None: never)."""

    def __init__(self, secret_key, security_token=None, expires=None):
        self.secret_key = secret_key
        self.security_token = security_token
        self.expires = expires


def new_temporary_credential(lifetime):
    """(access key, record) of fresh temporary credentials, in the shapes IAM hands out."""
    access_key = "AKTEMP" + secrets.token_hex(7).upper()
    record = CredentialRecord("SKtemp" + secrets.token_urlsafe(30), "gQpjbi1ub3J0aC00" + secrets.token_urlsafe(120), time.time() + lifetime)
    return access_key, record


class TokenRecord:
    """A token the gateway accepts: its project (None: domain-scoped), expiry, and whether IAM issued it."""

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
    """Everything the emulator knows.  Threads share it: read and change it only through these methods."""

    def __init__(self, seed_demo=False):
        self._lock = threading.RLock()
        self.seed_demo = seed_demo
        self.reset()

    def reset(self):
        with self._lock:
            self._jobs = collections.OrderedDict()
            # Oldest first: the list call reads it backwards (newest first).
            self._instances = collections.OrderedDict()
            self._instances_added = 0
            self._instance_settings = dict(DEFAULT_SETTINGS)
            self._failures = {}
            self._flavor_status = dict(DEFAULT_FLAVOR_AZ_STATUS)
            self._projects = collections.OrderedDict([(PROJECT_ID, REGION), (SUBPROJECT_ID, SUBPROJECT_NAME)])
            self._tokens = {STATIC_TOKEN: TokenRecord(PROJECT_ID, STATIC_TOKEN_LIFETIME)}
            self._tokens_issued = 0
            self._credentials = {ACCESS_KEY: CredentialRecord(SECRET_KEY), TEMP_ACCESS_KEY: CredentialRecord(TEMP_SECRET_KEY, SECURITY_TOKEN)}
            self._temporary_issued = collections.Counter()
            self._lifetime_cap = None
            self._metadata = {"token": "optional", "agency": True}
            self._metadata_tokens = {}
            self._faults = []
            self._chaos = None
            self._limiter = RateLimiter()
            self._log = collections.deque(maxlen=LOG_SIZE)
            self._skew = 0.0
            # The configuration services: used under this lock (inside with_instance).
            self.configure_settings = ConfigureSettings()
            self.schemas = SchemaStore()
            self.accounts = AccountStore()
            self.parameters = ParameterStore()
            if self.seed_demo:
                for spec in DEMO_JOBS:
                    self.add_job(dict(spec, instance=DEMO_INSTANCE))

    def info(self):
        """What GET /_emulator/info shows of the state."""
        with self._lock:
            return {"seed_demo": self.seed_demo, "demo_job_ids": dict(DEMO_JOB_IDS) if self.seed_demo else {},
                    "skew": self._skew, "tokens_issued": self._tokens_issued, "pending_faults": len(self._faults),
                    "chaos": self.chaos(),
                    "ratelimit": self.ratelimit(), "temporary_issued": dict(self._temporary_issued),
                    "lifetime_cap": self._lifetime_cap, "metadata": dict(self._metadata)}

    # ------------------------------------------------------------------ jobs

    def add_job(self, spec):
        """Create a job from a control spec, replacing any job with its id."""
        job = Job(spec, PROJECT_ID)
        with self._lock:
            self._jobs[job.id] = job
            self._know_project(job.project_id)
        return job

    def find_job(self, project_id, job_id):
        with self._lock:
            job = self._jobs.get(job_id)
            return job if job is not None and job.project_id == project_id else None

    def project_jobs(self, project_id):
        with self._lock:
            return [job for job in self._jobs.values() if job.project_id == project_id]

    def all_jobs(self):
        with self._lock:
            return list(self._jobs.values())

    # ------------------------------------------------------------------ DDM instances

    def add_instance(self, instance):
        with self._lock:
            self._instances_added += 1
            instance.seq = self._instances_added
            self._instances[instance.id] = instance
            self._know_project(instance.project_id)
        return instance

    def _settled(self, instance, now):
        # An instance whose deletion task has completed is gone.
        if instance.settle(now):
            del self._instances[instance.id]
            return None
        return instance

    def with_instance(self, project_id, instance_id, action):
        """Return ``action(instance)`` run under the lock (a read, or a check and a change as one step); the
        instance is None when unknown, in another project (project_id None: any) or deleted."""
        with self._lock:
            instance = self._instances.get(instance_id)
            if instance is not None and project_id in (None, instance.project_id):
                return action(self._settled(instance, time.monotonic()))
            return action(None)

    def _current_instances(self, project_id=None):
        now = time.monotonic()
        return [instance for instance in list(self._instances.values())
                if (project_id is None or instance.project_id == project_id) and self._settled(instance, now) is not None]

    def list_instances(self, project_id, start, count):
        """(how many instances the project has, the list items of ``count`` of them from ``start``, newest first)."""
        with self._lock:
            instances = self._current_instances(project_id)
            instances.reverse()
            now = time.monotonic()
            return len(instances), [instance.list_item(now) for instance in instances[start:start + count]]

    def control_instances(self):
        with self._lock:
            now = time.monotonic()
            return [instance.control_shape(now) for instance in self._current_instances()]

    def instance_settings(self):
        with self._lock:
            return dict(self._instance_settings)

    def configure_instances(self, settings):
        with self._lock:
            self._instance_settings.update(settings)
            return dict(self._instance_settings)

    def set_failure(self, operation, failure):
        """The next operation of this kind fails (failure: {fail_reason, status})."""
        with self._lock:
            self._failures[operation] = failure

    def take_failure(self, operation):
        with self._lock:
            return self._failures.pop(operation, None)

    def failures(self):
        with self._lock:
            return {operation: dict(failure) for operation, failure in self._failures.items()}

    def flavor_status(self, spec_code, zone):
        with self._lock:
            return self._flavor_status.get((spec_code, zone), "normal")

    def set_flavor_status(self, spec_code, zone, status):
        with self._lock:
            self._flavor_status[(spec_code, zone)] = status

    # ------------------------------------------------------------------ projects

    def _know_project(self, project_id):
        # A project first met in a job or a token gets a made-up name.
        self._projects.setdefault(project_id, "project-%s" % project_id[:8])

    def add_project(self, project_id, name):
        with self._lock:
            self._projects[project_id] = name

    def has_project(self, project_id):
        with self._lock:
            return project_id in self._projects

    def projects(self):
        """A copy of {project id: project name}, oldest first."""
        with self._lock:
            return collections.OrderedDict(self._projects)

    # ------------------------------------------------------------------ credentials and tokens

    def credential(self, access_key):
        """The CredentialRecord of a known access key, else None."""
        with self._lock:
            return self._credentials.get(access_key)

    def issue_temporary(self, lifetime, origin):
        """New temporary credentials for ``lifetime`` seconds (or the shorter lifetime cap); ``origin`` is counted."""
        with self._lock:
            if self._lifetime_cap is not None:
                lifetime = min(lifetime, self._lifetime_cap)
            access_key, record = new_temporary_credential(lifetime)
            self._credentials[access_key] = record
            self._temporary_issued[origin] += 1
            return access_key, record

    def set_lifetime_cap(self, seconds):
        """Temporary credentials issued from now on live at most ``seconds`` (None: as long as asked)."""
        with self._lock:
            self._lifetime_cap = seconds

    # ------------------------------------------------------------------ ECS metadata service

    def metadata(self):
        with self._lock:
            return dict(self._metadata)

    def configure_metadata(self, token_mode=None, agency=None):
        with self._lock:
            if token_mode is not None:
                self._metadata["token"] = token_mode
            if agency is not None:
                self._metadata["agency"] = agency

    def add_metadata_token(self, ttl):
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._metadata_tokens[token] = time.time() + ttl
        return token

    def metadata_token_valid(self, token):
        with self._lock:
            return self._metadata_tokens.get(token, 0) > time.time()

    def add_token(self, token, project_id, lifetime=TOKEN_LIFETIME, issued=False):
        with self._lock:
            self._tokens[token] = TokenRecord(project_id, lifetime, issued)
            if issued:
                self._tokens_issued += 1
            if project_id:
                self._know_project(project_id)
            return self._tokens[token]

    def lookup_token(self, token):
        with self._lock:
            return self._tokens.get(token)

    def revoke_token(self, token):
        with self._lock:
            record = self._tokens.get(token)
            if record is not None:
                record.revoked = True
            return record is not None

    def revoke_issued(self):
        with self._lock:
            records = [record for record in self._tokens.values() if record.issued and not record.revoked]
            for record in records:
                record.revoked = True
            return len(records)

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
        """Wall clock as seen by the signature date check (shifted by the configured skew)."""
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
