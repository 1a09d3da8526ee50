# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start the DDM/IAM emulator as a subprocess and drive its control API (standard library only).

Usage from tests, the benchmark and scripts (with ``tests`` on ``sys.path``)::

    from harness.emulator import EmulatorProcess
    with EmulatorProcess(seed_demo=True) as emulator:
        job = emulator.post_job(duration=2, outcome="Completed")
        ...  # point the client at emulator.url
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

EMULATOR_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "emulator")
if EMULATOR_DIR not in sys.path:
    sys.path.insert(0, EMULATOR_DIR)

import ddm_emulator  # noqa: E402  pylint: disable=wrong-import-position,import-error

# The emulator is a package: run it as ``python -m ddm_emulator`` with EMULATOR_DIR on PYTHONPATH.
EMULATOR_MODULE = "ddm_emulator"

REGION = ddm_emulator.REGION
PROJECT_ID = ddm_emulator.PROJECT_ID
ACCESS_KEY = ddm_emulator.ACCESS_KEY
SECRET_KEY = ddm_emulator.SECRET_KEY
TEMP_ACCESS_KEY = ddm_emulator.TEMP_ACCESS_KEY
TEMP_SECRET_KEY = ddm_emulator.TEMP_SECRET_KEY
SECURITY_TOKEN = ddm_emulator.SECURITY_TOKEN
USER_NAME = ddm_emulator.USER_NAME
USER_PASSWORD = ddm_emulator.USER_PASSWORD
DOMAIN_NAME = ddm_emulator.DOMAIN_NAME
STATIC_TOKEN = ddm_emulator.STATIC_TOKEN
DEMO_JOB_IDS = dict(ddm_emulator.DEMO_JOB_IDS)
DOMAIN_ID = ddm_emulator.DOMAIN_ID
SUBPROJECT_ID = ddm_emulator.SUBPROJECT_ID
SUBPROJECT_NAME = ddm_emulator.SUBPROJECT_NAME
AGENCY_NAME = ddm_emulator.AGENCY_NAME
AGENCY_DOMAIN_NAME = ddm_emulator.AGENCY_DOMAIN_NAME
# What the DDM instance API offers (AZs, engine versions, flavors) and network ids a demo can pass.
AVAILABLE_ZONES = tuple(ddm_emulator.AVAILABLE_ZONES)
ENGINE_VERSIONS = tuple(ddm_emulator.ENGINE_VERSIONS)
ENGINES = tuple(dict(engine) for engine in ddm_emulator.ENGINES)
FLAVOR_CODES = tuple(ddm_emulator.FLAVOR_CODES)
FLAVORS = tuple(dict(flavor) for flavor in ddm_emulator.FLAVORS)
VPC_ID = ddm_emulator.VPC_ID
SUBNET_ID = ddm_emulator.SUBNET_ID
SECURITY_GROUP_ID = ddm_emulator.SECURITY_GROUP_ID
OTHER_SECURITY_GROUP_ID = ddm_emulator.OTHER_SECURITY_GROUP_ID
ACCESS_PORT = ddm_emulator.ACCESS_PORT
# {operation: (task name, instance status while it runs, setting of its duration)} and the default settings.
INSTANCE_OPERATIONS = dict(ddm_emulator.INSTANCE_OPERATIONS)
INSTANCE_SETTINGS = dict(ddm_emulator.INSTANCE_SETTINGS)


def emulator_env(env=None):
    """The given environment (default: this process's) with EMULATOR_DIR first on PYTHONPATH."""
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = os.pathsep.join([EMULATOR_DIR] + [path for path in env.get("PYTHONPATH", "").split(os.pathsep) if path])
    return env


class EmulatorError(RuntimeError):
    """The emulator did not start, or a control call failed."""


class EmulatorProcess:
    """One emulator subprocess on a free loopback port.

    ``url`` is both the DDM endpoint and the IAM endpoint.  Control helpers return the
    decoded JSON of the control API and raise EmulatorError on an unexpected status.
    The control API goes over one kept-alive connection, never through a proxy.
    """

    # Seconds for one control call; a bulk creation of many tasks answers only when all exist.
    control_timeout = 60

    def __init__(self, seed_demo=False, verifier="auto", tls_cert=None, tls_key=None, python=None, env=None, extra_args=()):
        self.seed_demo = seed_demo
        self.verifier = verifier
        self.tls_cert = tls_cert
        self.tls_key = tls_key
        self.python = python or sys.executable
        self.env = env
        self.extra_args = list(extra_args)
        self.port = None
        self.process = None
        self._workdir = None
        self._stderr = None
        self._http = None
        self._http_lock = threading.Lock()

    @classmethod
    def running(cls, port, tls_cert=None):
        """A handle on an emulator started elsewhere (control calls only; ``stop`` leaves it running)."""
        handle = cls(tls_cert=tls_cert)
        handle.port = port
        return handle

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self):
        if self.port is None:
            raise EmulatorError("the emulator is not running")
        return "%s://127.0.0.1:%d" % ("https" if self.tls_cert else "http", self.port)

    def command(self, port_file):
        command = [self.python, "-m", EMULATOR_MODULE, "--port", "0", "--port-file", port_file, "--verifier", self.verifier]
        if self.seed_demo:
            command.append("--seed-demo")
        if self.tls_cert:
            command += ["--tls-cert", self.tls_cert, "--tls-key", self.tls_key]
        return command + self.extra_args

    def start(self, timeout=20.0):
        """Launch the emulator and wait until it has written its port file."""
        self._workdir = tempfile.mkdtemp(prefix="ddm-emulator-")
        port_file = os.path.join(self._workdir, "port")
        env = emulator_env(self.env)
        # The emulator may import the SDK's signer; keep anything it might write out of the real home.
        env["HOME"] = self._workdir
        self._stderr = open(os.path.join(self._workdir, "stderr.log"), "w+")
        self.process = subprocess.Popen(self.command(port_file), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=self._stderr, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmulatorError("the emulator exited with %s: %s" % (self.process.returncode, self.stderr_text()))
            if os.path.exists(port_file):
                with open(port_file) as handle:
                    self.port = int(handle.read().strip())
                return self
            time.sleep(0.05)
        self.stop()
        raise EmulatorError("the emulator did not start within %s seconds" % timeout)

    def stop(self, timeout=10.0):
        """Stop with SIGTERM (SIGKILL as a last resort); return the exit code."""
        code = None
        self._close_control()
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
            try:
                code = self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                code = self.process.wait(timeout)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
        self.port = None
        return code

    def cpu_seconds(self):
        """CPU seconds (user + system) the emulator has used so far, from /proc; None where unavailable."""
        try:
            with open("/proc/%d/stat" % self.process.pid, encoding="ascii") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (AttributeError, OSError, IndexError):
            return None
        # Fields 14 and 15 of stat(5); the split above starts at field 3.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stderr_text(self):
        if self._stderr is None:
            return ""
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # ------------------------------------------------------------------ control API

    def control(self, method, path, payload=None, expect=(200, 201)):
        """Call /_emulator/<path>; return the decoded JSON body."""
        body = None if payload is None else json.dumps(payload).encode("utf-8")
        target = "/_emulator/" + path.lstrip("/")
        with self._http_lock:
            status, data = self._exchange(method, target, body)
        decoded = json.loads(data.decode("utf-8")) if data else {}
        if status not in expect:
            raise EmulatorError("control %s %s answered %s: %s" % (method, path, status, decoded))
        return decoded

    def _exchange(self, method, target, body):
        while True:
            reused = self._http is not None
            if not reused:
                self._http = self._connect()
            try:
                self._http.request(method, target, body=body, headers={"Content-Type": "application/json"})
                response = self._http.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError) as exc:
                self._close_control()
                # Retry once, on a fresh connection, only when the emulator had closed the kept-alive one
                # before reading the call: anything else may have reached it, and a second POST would act twice.
                closed = isinstance(exc, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError))
                if not (reused and closed):
                    raise EmulatorError("control %s %s failed: %s" % (method, target, exc)) from None

    def _connect(self):
        if self.port is None:
            raise EmulatorError("the emulator is not running")
        if self.tls_cert:
            context = ssl.create_default_context(cafile=self.tls_cert)
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=self.control_timeout, context=context)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.control_timeout)

    def _close_control(self):
        if self._http is not None:
            self._http.close()
            self._http = None

    def reset(self):
        return self.control("POST", "reset")

    def info(self):
        return self.control("GET", "info")

    def post_job(self, **spec):
        """Create a job (id, project_id, name, instance, duration, outcome, timeline, fail_reason,
        database_name, operations, age); return its API shape."""
        return self.control("POST", "jobs", spec)["job"]

    def create_job(self, **spec):
        """Create a job like :meth:`post_job`; return (its id, the epoch of its creation +- half a control round trip)."""
        before = time.time()
        job = self.post_job(**spec)
        return job["id"], (before + time.time()) / 2

    def post_jobs(self, count, **spec):
        """Create ``count`` jobs of one spec (without id) in a single call; return how many."""
        return self.control("POST", "jobs/bulk", dict(spec, count=count))["created"]

    def jobs(self):
        return self.control("GET", "jobs")["jobs"]

    def add_fault(self, count=1, **spec):
        """Queue a fault (method, path regex, status, body, json, headers, delay, drop) for the next `count` matches."""
        spec["count"] = count
        return self.control("POST", "faults", spec)["fault"]

    def faults(self):
        return self.control("GET", "faults")["faults"]

    def clear_faults(self):
        return self.control("DELETE", "faults")

    def start_chaos(self, rate=0.2, seed=0, **spec):
        """Draw a random fault (kinds: drop, 500, 503-html, 429, slow) for a share ``rate`` of the matching requests."""
        return self.control("POST", "chaos", dict(spec, rate=rate, seed=seed))["chaos"]

    def stop_chaos(self):
        """Stop drawing random faults; return what was drawn."""
        return self.control("DELETE", "chaos")["chaos"]

    def add_token(self, token, project_id=PROJECT_ID, expires_in=None):
        spec = {"token": token, "project_id": project_id}
        if expires_in is not None:
            spec["expires_in"] = expires_in
        return self.control("POST", "tokens", spec)

    def revoke_token(self, token):
        return self.control("DELETE", "tokens/" + urllib.parse.quote(token, safe=""))

    def revoke_issued_tokens(self):
        """Revoke every token issued through POST /v3/auth/tokens; return how many."""
        return self.control("DELETE", "tokens")["revoked"]

    def set_ratelimit(self, limit, window=60.0):
        return self.control("POST", "ratelimit", {"limit": limit, "window": window})

    def set_clock_skew(self, seconds):
        return self.control("POST", "clock", {"skew": seconds})

    def add_project(self, project_id, name):
        return self.control("POST", "projects", {"id": project_id, "name": name})

    def requests_log(self):
        return self.control("GET", "requests")["requests"]

    def clear_requests(self):
        return self.control("DELETE", "requests")

    def api_requests(self, path_contains=""):
        """The logged API requests whose path contains the given text."""
        return [entry for entry in self.requests_log() if path_contains in entry["path"]]

    def issue_credentials(self, expires_in=3600):
        """Temporary credentials ({access, secret, securitytoken, expires_at}) that expire in ``expires_in`` seconds."""
        return self.control("POST", "credentials", {"expires_in": expires_in})["credential"]

    def cap_credential_lifetime(self, seconds):
        """Temporary credentials issued from now on (agency, metadata) live at most ``seconds`` (None: no cap)."""
        return self.control("POST", "credentials/lifetime", {"seconds": seconds})

    def configure_metadata(self, token=None, agency=None):
        """The metadata service's session tokens ("optional", "required", "unsupported") and whether an agency is attached."""
        spec = {key: value for key, value in (("token", token), ("agency", agency)) if value is not None}
        return self.control("POST", "metadata", spec)["metadata"]

    # ------------------------------------------------------------------ DDM instances

    def add_instance(self, **spec):
        """Seed one instance as it is (id, project_id, name, status, error_msg, flavor_ref, available_zones, node_count,
        engine_version, vpc_id, subnet_id, security_group_id, order_id, admin_user_name, age...); return its control shape."""
        return self.control("POST", "instances", spec)["instance"]

    def add_instances_bulk(self, count, name_prefix=None, **spec):
        """Seed ``count`` instances of one spec (without id), named name_prefix00001... when a prefix is given; return how many."""
        if name_prefix is not None:
            spec["name_prefix"] = name_prefix
        return self.control("POST", "instances/bulk", dict(spec, count=count))["created"]

    def instances(self):
        """Every instance with what only tests see: actual_status, operation, delete_dn_data, unpaid_orders (no password)."""
        return self.control("GET", "instances")["instances"]

    def instance(self, instance_id):
        """One instance of :meth:`instances`, or None once it is gone."""
        return next((item for item in self.instances() if item["id"] == instance_id), None)

    def instance_settings(self, **settings):
        """Change (create_seconds, operation_seconds, delete_seconds, stale_seconds, offset_mode "index"|"page",
        busy_answer 409|403, password_answer "job"|"empty") and return the instance settings."""
        if settings:
            return self.control("POST", "instances/settings", settings)["settings"]
        return self.control("GET", "instances/settings")["settings"]

    def fail_next(self, operation, fail_reason="The task failed.", status=None):
        """The next ``operation`` (create, delete, resize, enlarge, reduce, password) fails; ``status`` is the instance's
        status afterwards (default CREATEFAILED for create, RUNNING otherwise)."""
        spec = {"operation": operation, "fail_reason": fail_reason}
        if status is not None:
            spec["status"] = status
        return self.control("POST", "instances/fail_next", spec)["fail_next"]

    def set_instance_status(self, instance_id, status, error_msg=None):
        """Force an instance's status (ERROR, FROZEN, any); return its control shape."""
        path = "instances/%s/status" % urllib.parse.quote(instance_id, safe="")
        return self.control("POST", path, {"status": status, "error_msg": error_msg})["instance"]

    def set_flavor_status(self, spec_code, az, status):
        """A flavor's status in one AZ: "normal", "unsupported" or "sellout"."""
        return self.control("POST", "instances/flavor_status", {"spec_code": spec_code, "az": az, "status": status})
