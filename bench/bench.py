# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmarks of huaweicloud.cloud.ddm_job_info against the local DDM emulator.

Run it through ``bench/run.sh [--quick]``, which prepares .venv and the installed collection.
This is a measuring tool, not a test: it prints a markdown table, writes every measurement
to a JSON file, and exits non-zero only when a run did not produce its result (a wait that
failed, a list that came back short). Wall times are reported, never judged.

Scenarios (see docs/performance.md):

1. ``wait``: a task that completes after 40 s, module ``wait: true`` vs the uri + until loop.
2. ``progress``: real detection latency x GETs per minute, completions spread over one poll interval.
3. ``adhoc``: ``ansible -m huaweicloud.cloud.ddm_job_info`` vs ``ansible -m ansible.builtin.uri``.
4. ``scale``: 12 hosts waiting at once under a per-user rate limit of 12 requests / 10 s.
5. ``cpu``: CPU time of a whole 30 s wait run, module vs the uri loop.
6. ``list``: list mode over 1k and 10k tasks: time and peak memory.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import http.client
import importlib.metadata
import json
import math
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
PLAYBOOKS = os.path.join(HERE, "playbooks")
sys.path.insert(0, os.path.join(REPO_ROOT, "tests"))

from harness.emulator import PROJECT_ID, STATIC_TOKEN, EmulatorProcess  # noqa: E402  pylint: disable=wrong-import-position,import-error

MODULE = "huaweicloud.cloud.ddm_job_info"
MODULE_PACKAGE = "ansible_collections.huaweicloud.cloud.plugins.modules.ddm_job_info"
SCENARIOS = ("adhoc", "wait", "cpu", "progress", "scale", "list")
# A fixed poll cadence of any interval T waits T/2 on average and sends 60/T GETs a minute.
FIXED_CADENCE_PRODUCT = 30.0
CREATE_WORKERS = 8
# The smaller list adds only a few MB and tenths of a second over the empty list: allow for that noise.
GROWTH_TOLERANCE = 1.1

# Scenario sizes: (full run, --quick).
PROFILES = {
    "full": dict(wait_duration=40, wait_reps=3, cpu_duration=30, cpu_reps=2, adhoc_reps=7, progress_duration=30, progress_phases=4,
                 scale_hosts=12, scale_duration=40, list_sizes=(0, 1000, 10000)),
    "quick": dict(wait_duration=6, wait_reps=1, cpu_duration=6, cpu_reps=1, adhoc_reps=1, progress_duration=6, progress_phases=1,
                  scale_hosts=3, scale_duration=6, list_sizes=(0, 20, 200)),
}
WAIT_INTERVAL = 5
URI_DELAY = 5
RATE_WINDOW = 10
# Rate limit: as many requests per RATE_WINDOW as there are hosts (12 / 10 s in the full run).
RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)
FATAL = re.compile(r"^fatal: \[([^\]]+)\]: FAILED! => (.*)$", re.MULTILINE)


def log(message):
    sys.stderr.write("bench: %s\n" % message)
    sys.stderr.flush()


class BenchError(Exception):
    """Setup failed (emulator, control API): nothing meaningful can be measured."""


# --------------------------------------------------------------------------- emulator control

class Control:
    """The emulator's control API over one keep-alive connection (loopback only, no proxies)."""

    def __init__(self, base_url):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self._connection = None

    def call(self, method, path, payload=None, expect=(200, 201)):
        body = None if payload is None else json.dumps(payload).encode("utf-8")
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self._connection.request(method, "/_emulator/" + path, body=body, headers={"Content-Type": "application/json"})
                response = self._connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError) as exc:
                self.close()
                if attempt == 2:
                    raise BenchError("control %s %s failed: %s" % (method, path, exc)) from None
        decoded = json.loads(data.decode("utf-8")) if data else {}
        if response.status not in expect:
            raise BenchError("control %s %s answered %s: %s" % (method, path, response.status, decoded))
        return decoded

    def close(self):
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def reset(self):
        self.call("POST", "reset")

    def create_job(self, **spec):
        """Create a task; return (job id, epoch of its creation +- half the control round trip)."""
        before = time.time()
        job = self.call("POST", "jobs", spec)["job"]
        return job["id"], (before + time.time()) / 2

    def requests_log(self):
        return self.call("GET", "requests")["requests"]

    def clear_requests(self):
        self.call("DELETE", "requests")

    def set_ratelimit(self, limit, window):
        self.call("POST", "ratelimit", {"limit": limit, "window": window})

    def create_jobs(self, count, spec):
        """Create ``count`` identical tasks: in one call when the emulator has a bulk route, else in parallel."""
        if count == 0:
            return "none"
        try:
            self.call("POST", "jobs/bulk", dict(spec, count=count))
            return "bulk"
        except BenchError as exc:
            if " answered 404" not in str(exc):
                raise
        chunks = [count // CREATE_WORKERS + (1 if index < count % CREATE_WORKERS else 0) for index in range(CREATE_WORKERS)]

        def create(chunk):
            control = Control("http://%s:%d" % (self.host, self.port))
            try:
                for _index in range(chunk):
                    control.call("POST", "jobs", spec)
            finally:
                control.close()

        with concurrent.futures.ThreadPoolExecutor(CREATE_WORKERS) as pool:
            for future in [pool.submit(create, chunk) for chunk in chunks if chunk]:
                future.result()
        return "parallel"


def job_gets(entries, job_id):
    """The logged GETs of one task, oldest first."""
    suffix = "/jobs/" + job_id
    return sorted((entry for entry in entries if entry["method"] == "GET" and entry["path"].endswith(suffix)), key=lambda entry: entry["epoch"])


def poll_stats(entries, job_id, end_epoch, created=None):
    """What the emulator saw of one wait: GETs, throttling, and how well the polls tracked completion.

    ``schedule_latency`` is the mean time from a completion uniformly distributed over the wait to the
    next poll, sum(gap^2) / 2 / span over the answered polls; ``detect_latency`` is the real one, from
    the task's completion to the first poll that could see it.
    """
    gets = job_gets(entries, job_id)
    answered = [entry["epoch"] for entry in gets if entry.get("status") == 200]
    stats = {"gets": len(gets), "answered": len(answered), "throttled": sum(1 for entry in gets if entry.get("status") == 429),
             "schedule_latency": None, "detect_latency": None, "gets_per_minute": None, "latency_x_rate": None,
             "first_poll_after": answered[0] - created if answered and created is not None else None,
             "poll_offsets": [round(epoch - created, 3) for epoch in answered] if created is not None else None}
    if len(answered) >= 2:
        span = answered[-1] - answered[0]
        gaps = [later - earlier for earlier, later in zip(answered, answered[1:])]
        stats["schedule_latency"] = sum(gap * gap for gap in gaps) / 2 / span if span > 0 else 0.0
    seen = [epoch for epoch in answered if epoch >= end_epoch]
    if seen and answered:
        detected = seen[0]
        stats["detect_latency"] = detected - end_epoch
        polls_until = sum(1 for epoch in answered if epoch <= detected)
        if detected > answered[0]:
            # Every wait pays its first poll; the cost of waiting is the polls after it, per minute waited.
            stats["gets_per_minute"] = 60.0 * (polls_until - 1) / (detected - answered[0])
            stats["latency_x_rate"] = stats["detect_latency"] * stats["gets_per_minute"]
    return stats


# --------------------------------------------------------------------------- running ansible

class Run:
    """One finished process: exit code, output, wall time and the resource usage of its whole tree."""

    def __init__(self, label, argv, rc, stdout, stderr, wall, usage, started):
        self.label = label
        self.argv = argv
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.wall = wall
        self.started = started
        self.cpu_user = usage.ru_utime
        self.cpu_sys = usage.ru_stime
        # Linux reports kilobytes: the peak of the largest single process of the tree.
        self.maxrss_mb = usage.ru_maxrss / 1024.0

    @property
    def cpu(self):
        return self.cpu_user + self.cpu_sys

    def recap(self):
        """{host: (ok, failed, unreachable)} from the PLAY RECAP."""
        return {match.group(1): (int(match.group(2)), int(match.group(5)), int(match.group(4))) for match in RECAP.finditer(self.stdout)}

    def failures(self):
        return ["%s: %s" % (match.group(1), _fatal_message(match.group(2))) for match in FATAL.finditer(self.stdout)]

    def summary(self):
        return {"label": self.label, "rc": self.rc, "wall": round(self.wall, 3), "cpu_user": round(self.cpu_user, 3),
                "cpu_sys": round(self.cpu_sys, 3), "cpu": round(self.cpu, 3), "maxrss_mb": round(self.maxrss_mb, 1)}

    def excerpt(self):
        return "rc=%s\n--- stdout (end):\n%s\n--- stderr (end):\n%s" % (self.rc, self.stdout[-3000:], self.stderr[-3000:])


def _fatal_message(text):
    try:
        return json.loads(text).get("msg", text)
    except ValueError:
        return text[:300]


def process_cpu(pid):
    """CPU seconds (user + system) a running process has used so far, from /proc; None elsewhere."""
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # Fields 14 and 15 of stat(5); the split above starts at field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class Ansible:
    """Runs ansible / ansible-playbook on localhost with a clean, explicit environment."""

    def __init__(self, collections_path, workdir, endpoint):
        self.workdir = workdir
        self.endpoint = endpoint
        self.collections_path = collections_path
        self.bin_dir = os.path.dirname(sys.executable)
        home = os.path.join(workdir, "home")
        os.makedirs(home, exist_ok=True)
        config = os.path.join(workdir, "ansible.cfg")
        with open(config, "w", encoding="utf-8") as handle:
            handle.write("[defaults]\n")
        self.env = {
            "PATH": os.pathsep.join((self.bin_dir, "/usr/bin", "/bin")),
            "HOME": home,
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "ANSIBLE_CONFIG": config,
            "ANSIBLE_HOME": os.path.join(home, ".ansible"),
            "ANSIBLE_LOCAL_TEMP": os.path.join(workdir, "tmp"),
            "ANSIBLE_COLLECTIONS_PATH": collections_path,
            "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_DEPRECATION_WARNINGS": "false",
            # Both sides read the token from the environment, as users keep it out of playbooks.
            "HW_AUTH_TOKEN": STATIC_TOKEN,
        }
        self._counter = 0

    def _file(self, stem, text):
        self._counter += 1
        path = os.path.join(self.workdir, "%s-%d" % (stem, self._counter))
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return path

    def inventory(self, hosts):
        """An INI inventory: {host name: task id or None}, every host on the local connection."""
        lines = []
        for name, job_id in hosts.items():
            line = "%s ansible_connection=local ansible_python_interpreter=%s" % (name, sys.executable)
            lines.append(line + (" ddm_job_id=%s" % job_id if job_id else ""))
        return self._file("inventory.ini", "\n".join(lines) + "\n")

    def extra_vars(self, values):
        data = {"bench_endpoint": self.endpoint, "bench_project_id": PROJECT_ID}
        data.update(values)
        return self._file("vars.json", json.dumps(data))

    def playbook(self, label, playbook, hosts, values=None, forks=None, timeout=900):
        argv = [os.path.join(self.bin_dir, "ansible-playbook"), "-i", self.inventory(hosts), "-e", "@" + self.extra_vars(values or {}),
                os.path.join(PLAYBOOKS, playbook)]
        if forks:
            argv += ["--forks", str(forks)]
        return self.run(label, argv, timeout)

    def module_alone(self, label, module_args, package=MODULE_PACKAGE, timeout=900):
        """A module's own process, without Ansible around it: python -m <module> <args file>."""
        args = self._file("args.json", json.dumps({"ANSIBLE_MODULE_ARGS": module_args}))
        return self.run(label, [sys.executable, "-m", package, args], timeout, {"PYTHONPATH": self.collections_path})

    def adhoc(self, label, module, args, timeout=300):
        argv = [os.path.join(self.bin_dir, "ansible"), "localhost", "-i", self.inventory({"localhost": None}), "-m", module, "-a", args]
        return self.run(label, argv, timeout)

    def run(self, label, argv, timeout, extra_env=None):
        """Run to completion; os.wait4 gives the CPU time and peak RSS of exactly this process tree."""
        with tempfile.TemporaryFile("w+", encoding="utf-8") as out, tempfile.TemporaryFile("w+", encoding="utf-8") as err:
            started = time.time()
            start = time.monotonic()
            process = subprocess.Popen(argv, cwd=self.workdir, env=dict(self.env, **(extra_env or {})), stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                       start_new_session=True)
            watchdog = threading.Timer(timeout, _kill_group, (process.pid,))
            watchdog.start()
            try:
                _pid, status, usage = os.wait4(process.pid, 0)
            except BaseException:
                _kill_group(process.pid)
                process.wait()
                raise
            finally:
                watchdog.cancel()
            wall = time.monotonic() - start
            process.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            return Run(label, argv, process.returncode, out.read(), err.read(), wall, usage, started)


# --------------------------------------------------------------------------- scenarios

def median(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


class Bench:
    def __init__(self, ansible, control, profile, quick, emulator_pid=None):
        self.emulator_pid = emulator_pid
        self.ansible = ansible
        self.control = control
        self.profile = profile
        self.quick = quick
        self.failures = []
        self.results = {}

    def fail(self, scenario, message, run=None):
        """A run that did not produce its result: reported, and the exit code becomes non-zero."""
        self.failures.append({"scenario": scenario, "message": message, "output": run.excerpt() if run else None})
        log("FAILED (%s): %s" % (scenario, message))
        if run is not None:
            log(run.excerpt())

    # ------------------------------------------------------------------ waits (scenarios 1, 2 and 5)

    def one_wait(self, scenario, variant, duration):
        """One single-host wait on a fresh task of ``duration`` seconds, measured on the emulator's log."""
        job_id, created = self.control.create_job(name="CreateInstance", duration=duration, outcome="Completed")
        end_epoch = created + duration
        self.control.clear_requests()
        hosts = {"localhost": job_id}
        if variant == "module":
            run = self.ansible.playbook("%s/module" % scenario, "wait_module.yml", hosts,
                                        {"bench_wait_interval": WAIT_INTERVAL, "bench_wait_timeout": 1800}, timeout=duration + 300)
        else:
            retries = int(math.ceil(duration / URI_DELAY)) + 10
            run = self.ansible.playbook("%s/uri" % scenario, "wait_uri.yml", hosts, {"bench_delay": URI_DELAY, "bench_retries": retries},
                                        timeout=duration + 300)
        stats = poll_stats(self.control.requests_log(), job_id, end_epoch, created)
        record = dict(run.summary(), variant=variant, duration=duration, job_id=job_id, **stats)
        ok = run.rc == 0 and run.recap().get("localhost", (0, 1, 0))[1] == 0
        if not ok:
            self.fail(scenario, "%s wait on a %g s task failed: %s" % (variant, duration, "; ".join(run.failures()) or "rc=%s" % run.rc), run)
        elif stats["detect_latency"] is None:
            self.fail(scenario, "%s wait ended without a poll after the task completed (GETs: %d)" % (variant, stats["gets"]), run)
        record["ok"] = ok and stats["detect_latency"] is not None
        log("%s %-6s %g s task: wall %.1f s, cpu %.2f s, GETs %d, schedule latency %s, detection latency %s"
            % (scenario, variant, duration, run.wall, run.cpu, stats["gets"], _fmt(stats["schedule_latency"], 2), _fmt(stats["detect_latency"], 2)))
        return record

    def interleaved_waits(self, scenario, duration, reps):
        runs = []
        for rep in range(reps):
            log("%s: repetition %d/%d (%d s task)" % (scenario, rep + 1, reps, duration))
            for variant in ("module", "uri"):
                runs.append(self.one_wait(scenario, variant, duration))
        return runs

    def scenario_wait(self):
        self.control.reset()
        duration, reps = self.profile["wait_duration"], self.profile["wait_reps"]
        runs = self.interleaved_waits("wait", duration, reps)
        self.results["wait"] = {"duration": duration, "reps": reps, "wait_interval": WAIT_INTERVAL, "uri_delay": URI_DELAY,
                                "runs": runs, "summary": _pair_summary(runs, ("wall", "gets", "schedule_latency", "detect_latency", "cpu"))}

    def scenario_cpu(self):
        self.control.reset()
        duration, reps = self.profile["cpu_duration"], self.profile["cpu_reps"]
        runs = self.interleaved_waits("cpu", duration, reps)
        self.results["cpu"] = {"duration": duration, "reps": reps, "runs": runs,
                               "summary": _pair_summary(runs, ("cpu", "cpu_user", "cpu_sys", "wall", "gets", "maxrss_mb"))}

    def scenario_progress(self):
        """Real detection latency x GETs per minute of the module, over completions spread across one poll interval.

        One run's latency depends on where the completion falls between two polls; tasks whose
        durations step through one ``wait_interval`` sample that phase evenly, so the means estimate
        what a fixed cadence would give as T/2 x 60/T = 30 s*GET/min.
        """
        self.control.reset()
        base, phases = self.profile["progress_duration"], self.profile["progress_phases"]
        durations = [base + WAIT_INTERVAL * (index + 0.5) / phases for index in range(phases)]
        runs = [self.one_wait("progress", "module", duration) for duration in durations]
        good = [run for run in runs if run["ok"]]
        latency = statistics.mean(run["detect_latency"] for run in good) if good else None
        rate = statistics.mean(run["gets_per_minute"] for run in good if run["gets_per_minute"] is not None) if good else None
        product = latency * rate if latency is not None and rate is not None else None
        self.results["progress"] = {"durations": durations, "runs": runs, "fixed_cadence_reference": FIXED_CADENCE_PRODUCT,
                                    "mean_detect_latency": latency, "mean_gets_per_minute": rate, "latency_x_rate": product,
                                    "ratio_to_fixed_cadence": product / FIXED_CADENCE_PRODUCT if product is not None else None}

    # ------------------------------------------------------------------ ad-hoc (scenario 3)

    def scenario_adhoc(self):
        self.control.reset()
        job_id, _created = self.control.create_job(name="CreateInstance", outcome="Completed")
        reps = self.profile["adhoc_reps"]
        runs = []
        module_args = "job_id=%s endpoint=%s project_id=%s" % (job_id, self.ansible.endpoint, PROJECT_ID)
        # The baseline gets its token inline, its cheapest form; the module reads HW_AUTH_TOKEN.
        uri_args = 'url=%s/v3/%s/jobs/%s headers={"X-Auth-Token":"%s"}' % (self.ansible.endpoint, PROJECT_ID, job_id, STATIC_TOKEN)
        alone_args = {"module": (MODULE_PACKAGE, {"job_id": job_id, "endpoint": self.ansible.endpoint, "project_id": PROJECT_ID}),
                      "uri": ("ansible.modules.uri", {"url": "%s/v3/%s/jobs/%s" % (self.ansible.endpoint, PROJECT_ID, job_id),
                                                      "headers": {"X-Auth-Token": STATIC_TOKEN}})}
        alone_runs = []
        for rep in range(reps):
            for variant, module, args in (("module", MODULE, module_args), ("uri", "ansible.builtin.uri", uri_args)):
                self.control.clear_requests()
                run = self.ansible.adhoc("adhoc/%s" % variant, module, args)
                gets = len(job_gets(self.control.requests_log(), job_id))
                ok = run.rc == 0 and "SUCCESS" in run.stdout and '"Completed"' in run.stdout and gets == 1
                if not ok:
                    self.fail("adhoc", "ad-hoc %s query did not return the task (GETs: %d)" % (variant, gets), run)
                runs.append(dict(run.summary(), variant=variant, gets=gets, ok=ok))
                log("adhoc %d/%d %-6s wall %.2f s, cpu %.2f s" % (rep + 1, reps, variant, run.wall, run.cpu))
            # The module processes alone: what the modules' own imports and work cost, without the controller's noise.
            for variant in ("module", "uri"):
                package, args = alone_args[variant]
                run = self.ansible.module_alone("adhoc/%s/alone" % variant, args, package)
                ok = run.rc == 0 and '"Completed"' in run.stdout
                if not ok:
                    self.fail("adhoc", "the %s module process alone did not return the task" % variant, run)
                alone_runs.append(dict(run.summary(), variant=variant, ok=ok))
        self.results["adhoc"] = {"reps": reps, "runs": runs, "summary": _pair_summary(runs, ("wall", "cpu", "maxrss_mb")),
                                 "alone_runs": alone_runs, "alone_summary": _pair_summary(alone_runs, ("wall", "cpu", "maxrss_mb"))}

    # ------------------------------------------------------------------ scale (scenario 4)

    def scenario_scale(self):
        self.control.reset()
        count, duration = self.profile["scale_hosts"], self.profile["scale_duration"]
        limit = count
        hosts, ends = {}, {}
        for index in range(count):
            job_id, created = self.control.create_job(name="CreateInstance", duration=duration, outcome="Completed")
            name = "ddm-host-%02d" % (index + 1)
            hosts[name], ends[name] = job_id, created + duration
        self.control.clear_requests()
        self.control.set_ratelimit(limit, RATE_WINDOW)
        log("scale: %d hosts (forks %d) waiting on %d s tasks, rate limit %d requests / %d s per credential"
            % (count, count, duration, limit, RATE_WINDOW))
        try:
            run = self.ansible.playbook("scale/module", "wait_module.yml", hosts, {"bench_wait_interval": WAIT_INTERVAL, "bench_wait_timeout": 1800},
                                        forks=count, timeout=duration + 600)
        finally:
            self.control.set_ratelimit(0, RATE_WINDOW)
        entries = self.control.requests_log()
        recap = run.recap()
        per_host = {}
        for name, job_id in hosts.items():
            stats = poll_stats(entries, job_id, ends[name])
            ok_count, failed, unreachable = recap.get(name, (0, 1, 0))
            stats["ok"] = ok_count >= 1 and failed == 0 and unreachable == 0 and stats["detect_latency"] is not None
            per_host[name] = stats
        succeeded = sum(1 for stats in per_host.values() if stats["ok"])
        if succeeded != count or run.rc != 0:
            self.fail("scale", "%d of %d waits succeeded under the rate limit: %s" % (succeeded, count, "; ".join(run.failures()) or "rc=%s" % run.rc), run)
        all_api = [entry for entry in entries if entry["path"].startswith("/v3/")]
        self.results["scale"] = dict(
            run.summary(), hosts=count, forks=count, duration=duration, ratelimit={"limit": limit, "window": RATE_WINDOW},
            succeeded=succeeded, throttled=sum(1 for entry in all_api if entry.get("status") == 429),
            gets=sum(stats["gets"] for stats in per_host.values()), answered=sum(stats["answered"] for stats in per_host.values()),
            max_detect_latency=max((stats["detect_latency"] for stats in per_host.values() if stats["detect_latency"] is not None), default=None),
            median_detect_latency=median(stats["detect_latency"] for stats in per_host.values()),
            retry_warnings=len(re.findall(r"were retried", run.stdout + run.stderr)), per_host=per_host)
        log("scale: %d/%d waits succeeded, %d GETs, %d answered 429, wall %.1f s"
            % (succeeded, count, self.results["scale"]["gets"], self.results["scale"]["throttled"], run.wall))

    # ------------------------------------------------------------------ list mode (scenario 6)

    def scenario_list(self):
        """For each size: the whole playbook run, then the module's own process on the same tasks."""
        sizes = self.profile["list_sizes"]
        runs = []
        for size in sizes:
            self.control.reset()
            start = time.monotonic()
            how = self.control.create_jobs(size, {"name": "CreateInstance", "outcome": "Completed"})
            created_in = time.monotonic() - start
            log("list: %d tasks created (%s) in %.1f s" % (size, how, created_in))
            record = {"tasks": size, "created_with": how, "create_seconds": round(created_in, 1)}
            emulator_cpu = process_cpu(self.emulator_pid)
            playbook = self.ansible.playbook("list/%d/playbook" % size, "list_module.yml", {"localhost": None}, timeout=900)
            match = re.search(r"bench-listed=(\d+)", playbook.stdout)
            listed = int(match.group(1)) if match else None
            record["playbook"] = dict(playbook.summary(), listed=listed, ok=playbook.rc == 0 and listed == size)
            emulator_cpu = _delta(process_cpu(self.emulator_pid), emulator_cpu)
            record["playbook"] = dict(record["playbook"], emulator_cpu=emulator_cpu)
            emulator_cpu = process_cpu(self.emulator_pid)
            alone = self.ansible.module_alone("list/%d/module" % size, {"endpoint": self.ansible.endpoint, "project_id": PROJECT_ID})
            emulator_cpu = _delta(process_cpu(self.emulator_pid), emulator_cpu)
            try:
                listed_alone = len(json.loads(alone.stdout)["jobs"])
            except (ValueError, KeyError, TypeError):
                listed_alone = None
            record["module"] = dict(alone.summary(), listed=listed_alone, ok=alone.rc == 0 and listed_alone == size, emulator_cpu=emulator_cpu)
            for kind, run in (("playbook", playbook), ("module", alone)):
                if not record[kind]["ok"]:
                    self.fail("list", "listing %d tasks (%s) returned %s" % (size, kind, record[kind]["listed"]), run)
                log("list: %d tasks, %-8s wall %.2f s, cpu %.2f s, peak RSS %.1f MB (emulator cpu %s s)"
                    % (size, kind, run.wall, run.cpu, run.maxrss_mb, _fmt(record[kind]["emulator_cpu"], 2)))
            runs.append(record)
        self.control.reset()
        self.results["list"] = {"runs": runs, "growth": {kind: _growth(runs, kind) for kind in ("playbook", "module")}}


def _delta(after, before):
    return None if after is None or before is None else round(after - before, 2)


def _fmt(value, digits=1):
    return "-" if value is None else "%.*f" % (digits, value)


def _pair_summary(runs, metrics):
    """Median of each metric per variant, and module / uri ratios."""
    summary = {}
    for metric in metrics:
        module = median(run.get(metric) for run in runs if run["variant"] == "module" and run.get("ok", True))
        uri = median(run.get(metric) for run in runs if run["variant"] == "uri" and run.get("ok", True))
        summary[metric] = {"module": module, "uri": uri, "ratio": module / uri if module is not None and uri else None}
    return summary


def _growth(runs, kind):
    """Growth between the two largest sizes, after subtracting the empty list's run (the fixed costs)."""
    by_size = {run["tasks"]: run[kind] for run in runs if run[kind]["ok"]}
    sizes = sorted(by_size)
    if len(sizes) < 3 or sizes[0] != 0:
        return None
    base, small, large = by_size[0], by_size[sizes[-2]], by_size[sizes[-1]]
    growth = {"from": sizes[-2], "to": sizes[-1], "size_ratio": sizes[-1] / sizes[-2]}
    for metric in ("wall", "cpu", "maxrss_mb"):
        small_extra, large_extra = small[metric] - base[metric], large[metric] - base[metric]
        growth[metric] = {"extra_small": round(small_extra, 3), "extra_large": round(large_extra, 3),
                          "ratio": large_extra / small_extra if small_extra > 0 and large_extra > 0 else None}
    return growth


# --------------------------------------------------------------------------- report

def _ratio(value, digits=2):
    return "-" if value is None else "%.*fx" % (digits, value)


def _met(condition):
    if condition is None:
        return "-"
    return "yes" if condition else "**no**"


def table(results):
    """The markdown table printed at the end and copied into docs/performance.md."""
    rows = [("Scenario", "Metric", "ddm_job_info", "Baseline", "Ratio", "Target", "Met"), ("---",) * 7]
    wait = results.get("wait")
    if wait:
        summary = wait["summary"]
        name = "1. wait, %d s task (median of %d)" % (wait["duration"], wait["reps"])
        gets_diff = None if summary["gets"]["module"] is None or summary["gets"]["uri"] is None else summary["gets"]["module"] - summary["gets"]["uri"]
        latency = summary["schedule_latency"]
        rows += [
            (name, "wall time (s)", _fmt(summary["wall"]["module"]), _fmt(summary["wall"]["uri"]), _ratio(summary["wall"]["ratio"]), "not judged", "-"),
            ("", "GETs", _fmt(summary["gets"]["module"]), _fmt(summary["gets"]["uri"]), _fmt(gets_diff) if gets_diff is None else "%+.1f" % gets_diff,
             "<= baseline + 3", _met(None if gets_diff is None else gets_diff <= 3)),
            ("", "mean detection latency of the poll schedule (s)", _fmt(latency["module"], 2), _fmt(latency["uri"], 2), _ratio(latency["ratio"]),
             "<= baseline", _met(None if latency["ratio"] is None else latency["module"] <= latency["uri"])),
        ]
    progress = results.get("progress")
    if progress:
        name = "2. progress-aware polling (%d tasks of %g-%g s, means)" % (len(progress["durations"]), min(progress["durations"]), max(progress["durations"]))
        product = progress["latency_x_rate"]
        rows += [
            (name, "real detection latency (s)", _fmt(progress["mean_detect_latency"], 2), "-", "-", "-", "-"),
            ("", "GETs per minute of waiting", _fmt(progress["mean_gets_per_minute"]), "-", "-", "-", "-"),
            ("", "latency x GETs/min (s*GET/min)", _fmt(product), "%d (any fixed cadence)" % FIXED_CADENCE_PRODUCT,
             _ratio(progress["ratio_to_fixed_cadence"]), "< %d" % FIXED_CADENCE_PRODUCT,
             _met(None if product is None else product < FIXED_CADENCE_PRODUCT)),
        ]
    adhoc = results.get("adhoc")
    if adhoc:
        summary = adhoc["summary"]
        rows += [
            ("3. ad-hoc query (median of %d)" % adhoc["reps"], "wall time (s)", _fmt(summary["wall"]["module"], 2), _fmt(summary["wall"]["uri"], 2),
             _ratio(summary["wall"]["ratio"]), "<= 1.00x", _met(None if summary["wall"]["ratio"] is None else summary["wall"]["ratio"] <= 1.0)),
            ("", "CPU time (s)", _fmt(summary["cpu"]["module"], 2), _fmt(summary["cpu"]["uri"], 2), _ratio(summary["cpu"]["ratio"]), "-", "-"),
        ]
        alone = adhoc["alone_summary"]
        rows.append(("", "module process alone, without Ansible: wall (s)", _fmt(alone["wall"]["module"], 3), _fmt(alone["wall"]["uri"], 3),
                     _ratio(alone["wall"]["ratio"]), "-", "-"))
    scale = results.get("scale")
    if scale:
        name = "4. scale: %d hosts, forks %d, %d/%d s limit" % (scale["hosts"], scale["forks"], scale["ratelimit"]["limit"], scale["ratelimit"]["window"])
        rows += [
            (name, "waits succeeded", "%d/%d" % (scale["succeeded"], scale["hosts"]), "-", "-", "all", _met(scale["succeeded"] == scale["hosts"])),
            ("", "429 answers / GETs", "%d / %d" % (scale["throttled"], scale["gets"]), "-", "-", "-", "-"),
            ("", "wall time (s); worst detection latency (s)", "%s; %s" % (_fmt(scale["wall"]), _fmt(scale["max_detect_latency"])),
             "-", "-", "not judged", "-"),
        ]
    cpu = results.get("cpu")
    if cpu:
        summary = cpu["summary"]
        rows += [
            ("5. CPU, %d s wait (median of %d)" % (cpu["duration"], cpu["reps"]), "CPU time, user+sys (s)", _fmt(summary["cpu"]["module"], 2),
             _fmt(summary["cpu"]["uri"], 2), _ratio(summary["cpu"]["ratio"]), "<= 0.80x",
             _met(None if summary["cpu"]["ratio"] is None else summary["cpu"]["ratio"] <= 0.8)),
        ]
    listing = results.get("list")
    if listing:
        for run in listing["runs"]:
            playbook, alone = run["playbook"], run["module"]
            value = "playbook run %s s, %s MB; module alone %s s, %s MB" % (
                _fmt(playbook["wall"], 2), _fmt(playbook["maxrss_mb"]), _fmt(alone["wall"], 2), _fmt(alone["maxrss_mb"]))
            rows.append(("6. list mode" if run is listing["runs"][0] else "", "%d tasks: wall, peak RSS" % run["tasks"], value, "-", "-", "-", "-"))
        for kind in ("playbook", "module"):
            growth = listing["growth"][kind]
            if not growth:
                continue
            limit = growth["size_ratio"] * GROWTH_TOLERANCE
            for metric, label, judged in (("wall", "wall time", False), ("cpu", "CPU time", True), ("maxrss_mb", "peak RSS", True)):
                ratio = growth[metric]["ratio"]
                rows.append(("", "%s growth %d -> %d tasks, above the empty list (%s)"
                             % (label, growth["from"], growth["to"], "playbook run" if kind == "playbook" else "module alone"),
                             _ratio(ratio, 1), "-", "-",
                             "<= %.0fx (linear, +%d%%)" % (growth["size_ratio"], round(100 * (GROWTH_TOLERANCE - 1))) if judged
                             else "not judged (includes the emulator)",
                             _met(None if ratio is None or not judged else ratio <= limit)))
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def machine():
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
            "platform": platform.platform(), "python": platform.python_version(),
            "ansible_core": importlib.metadata.version("ansible-core"), "requests": importlib.metadata.version("requests"),
            "loadavg": load}


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Benchmark huaweicloud.cloud.ddm_job_info against the local emulator.")
    parser.add_argument("--quick", action="store_true", help="short tasks, one repetition, small scale and list (CI smoke)")
    parser.add_argument("--collections", required=True, help="collections path holding the installed huaweicloud.cloud")
    parser.add_argument("--output", required=True, help="where to write the JSON results")
    parser.add_argument("--only", action="append", choices=SCENARIOS, help="run only these scenarios (repeatable)")
    parser.add_argument("--reps", type=int, help="repetitions of the wait and cpu pairs")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    profile = dict(PROFILES["quick" if args.quick else "full"])
    if args.reps:
        profile["wait_reps"] = profile["cpu_reps"] = args.reps
    selected = [name for name in SCENARIOS if not args.only or name in args.only]
    if not os.path.isdir(os.path.join(args.collections, "ansible_collections", "huaweicloud", "cloud")):
        log("huaweicloud.cloud is not installed in %s (bench/run.sh installs it)" % args.collections)
        return 2
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    started = time.monotonic()
    before = machine()
    log("profile %s, scenarios %s, %s CPUs, load %s" % ("quick" if args.quick else "full", ", ".join(selected), before["cpus"], before["loadavg"]))
    with tempfile.TemporaryDirectory(prefix="ddm-bench-") as workdir:
        try:
            with EmulatorProcess(verifier="builtin") as emulator:
                control = Control(emulator.url)
                bench = Bench(Ansible(os.path.abspath(args.collections), workdir, emulator.url), control, profile, args.quick,
                              emulator.process.pid)
                for name in selected:
                    getattr(bench, "scenario_" + name)()
                control.close()
        except BenchError as exc:
            log("setup failed: %s" % exc)
            return 2
    document = {"machine": before, "loadavg_after": machine()["loadavg"], "profile": "quick" if args.quick else "full", "settings": profile,
                "seconds": round(time.monotonic() - started, 1), "results": bench.results, "failures": bench.failures}
    markdown = table(bench.results)
    document["table"] = markdown
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2, sort_keys=True)
    sys.stdout.write("\nhuaweicloud.cloud benchmark, %s (%s CPUs, %s profile, %.0f s)\n\n%s\n\n"
                     % (before["date"], before["cpus"], document["profile"], document["seconds"], markdown))
    sys.stdout.write("Wall times depend on where each completion falls between polls: compare ratios, not single runs.\n")
    sys.stdout.write("Results: %s\n" % args.output)
    if bench.failures:
        sys.stdout.write("%d run(s) did not produce their result:\n%s\n" % (len(bench.failures), "\n".join("- " + f["message"] for f in bench.failures)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
