# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's scenarios: each runs real Ansible against the emulator and records what it measured.

1. ``wait``: a task that completes after 40 s, module ``wait: true`` vs the uri + until loop.
2. ``progress``: real detection latency x GETs per minute, completions spread over one poll interval.
3. ``adhoc``: ``ansible -m huaweicloud.cloud.ddm_job_info`` vs ``ansible -m ansible.builtin.uri``.
4. ``scale``: 12 hosts waiting at once under a per-user rate limit of 12 requests / 10 s.
5. ``cpu``: CPU time of a whole 30 s wait run, module vs the uri loop.
6. ``list``: list mode over 1k and 10k tasks: time and peak memory.
7. ``many``: 50 tasks under a rate limit of 40 requests a minute: forks vs a loop vs ``job_ids`` (``many.py``).
8. ``instances``: ``ddm_instance_info`` list mode over 1k and 10k instances: the module process's CPU time and peak memory.
9. ``creations``: 20 instances created under a rate limit of 40 requests a minute: forks vs a loop + one ``job_ids`` wait (``creations.py``).
"""

from __future__ import annotations

import json
import math
import os
import re
import statistics
import sys
import time

from creations import Creations  # pylint: disable=import-error
from harness.ansible_runner import MODULE, MODULE_PACKAGE  # pylint: disable=import-error
from harness.emulator import PROJECT_ID, STATIC_TOKEN  # pylint: disable=import-error
from many import Many  # pylint: disable=import-error
from report import fmt  # pylint: disable=import-error
from stats import FIXED_CADENCE_PRODUCT, delta, growth, job_gets, median, pair_ratios, pair_summary, poll_stats  # pylint: disable=import-error

PLAYBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks")
SCENARIOS = ("adhoc", "wait", "cpu", "progress", "scale", "list", "many", "instances", "creations")
# Scenario sizes, the seconds between polls of the module (wait_interval) and of the uri loop (uri_delay), and
# the scale scenario's rate limit: as many requests per rate_window seconds as there are hosts (12 / 10 s in the full run).
PROFILES = {
    "full": dict(wait_duration=40, wait_reps=3, cpu_duration=30, cpu_reps=2, adhoc_reps=7, progress_duration=30, progress_phases=4,
                 scale_hosts=12, scale_duration=40, list_sizes=(0, 10000, 20000),
                 many_tasks=50, many_small=10, many_durations=(20, 60), many_forks=15, many_limit=40, many_window=60,
                 instance_sizes=(0, 1000, 10000), instance_reps=5,
                 creation_count=20, creation_seconds=40, creation_forks=20, creation_limit=40, creation_window=60,
                 wait_interval=5, uri_delay=5, rate_window=10),
    # The smoke: every scenario once, on tasks of a few seconds polled every second.
    "quick": dict(wait_duration=1, wait_reps=1, cpu_duration=1, cpu_reps=1, adhoc_reps=1, progress_duration=1, progress_phases=1,
                  scale_hosts=3, scale_duration=1, list_sizes=(0, 20, 200),
                  many_tasks=6, many_small=3, many_durations=(0.5, 2), many_forks=3, many_limit=10, many_window=5,
                  instance_sizes=(0, 20, 200), instance_reps=1,
                  creation_count=4, creation_seconds=1, creation_forks=4, creation_limit=8, creation_window=1,
                  wait_interval=1, uri_delay=1, rate_window=2),
}
INSTANCE_INFO = "huaweicloud.cloud.ddm_instance_info"
INSTANCE_LIST_PATH = "/v1/%s/instances" % PROJECT_ID
INSTANCE_PAGE = 128


def log(message):
    sys.stderr.write("bench: %s\n" % message)
    sys.stderr.flush()


def summary(run):
    """What the results keep of every run."""
    return {"label": run.label, "rc": run.rc, "wall": round(run.wall, 3), "cpu_user": round(run.cpu_user, 3),
            "cpu_sys": round(run.cpu_sys, 3), "cpu": round(run.cpu, 3), "maxrss_mb": round(run.maxrss_mb, 1)}


def excerpt(run):
    return "rc=%s\n--- stdout (end):\n%s\n--- stderr (end):\n%s" % (run.rc, run.stdout[-3000:], run.stderr[-3000:])


class Bench:
    """Runs the scenarios on one emulator (``harness.emulator.EmulatorProcess``) and one ``harness.ansible_runner.Ansible``."""

    def __init__(self, ansible, emulator, profile):
        self.ansible = ansible
        self.emulator = emulator
        self.endpoint = emulator.url
        self.profile = profile
        self.failures = []
        self.results = {}

    def fail(self, scenario, message, run=None):
        """A run that did not produce its result: reported, and the exit code becomes non-zero."""
        self.failures.append({"scenario": scenario, "message": message, "output": excerpt(run) if run else None})
        log("FAILED (%s): %s" % (scenario, message))
        if run is not None:
            log(excerpt(run))

    def playbook(self, label, playbook, hosts=None, values=None, forks=None, timeout=900):
        """One of bench/playbooks on ``hosts`` ({name: task id}, default localhost alone), measured."""
        extra_vars = dict(values or {}, bench_endpoint=self.endpoint, bench_project_id=PROJECT_ID)
        inventory = None if hosts is None else {name: {"ddm_job_id": job_id} for name, job_id in hosts.items()}
        command = self.ansible.playbook_command(os.path.join(PLAYBOOKS, playbook), extra_vars, hosts=inventory, forks=forks)
        return self.ansible.measure(command, timeout, label=label)

    # ------------------------------------------------------------------ waits (scenarios 1, 2 and 5)

    def one_wait(self, scenario, variant, duration):
        """One single-host wait on a fresh task of ``duration`` seconds, measured on the emulator's log."""
        interval, delay = self.profile["wait_interval"], self.profile["uri_delay"]
        job_id, created = self.emulator.create_job(name="CreateInstance", duration=duration, outcome="Completed")
        end_epoch = created + duration
        self.emulator.clear_requests()
        hosts = {"localhost": job_id}
        if variant == "module":
            run = self.playbook("%s/module" % scenario, "wait_module.yml", hosts, {"bench_wait_interval": interval, "bench_wait_timeout": 1800},
                                timeout=duration + 300)
        else:
            retries = int(math.ceil(duration / delay)) + 10
            run = self.playbook("%s/uri" % scenario, "wait_uri.yml", hosts, {"bench_delay": delay, "bench_retries": retries}, timeout=duration + 300)
        stats = poll_stats(self.emulator.requests_log(), job_id, end_epoch, created)
        record = dict(summary(run), variant=variant, duration=duration, job_id=job_id, **stats)
        ok = run.rc == 0 and run.recap().get("localhost", (0, 1, 0))[1] == 0
        if not ok:
            self.fail(scenario, "%s wait on a %g s task failed: %s" % (variant, duration, "; ".join(run.failures()) or "rc=%s" % run.rc), run)
        elif stats["detect_latency"] is None:
            self.fail(scenario, "%s wait ended without a poll after the task completed (GETs: %d)" % (variant, stats["gets"]), run)
        record["ok"] = ok and stats["detect_latency"] is not None
        log("%s %-6s %g s task: wall %.1f s, cpu %.2f s, GETs %d, schedule latency %s, detection latency %s"
            % (scenario, variant, duration, run.wall, run.cpu, stats["gets"], fmt(stats["schedule_latency"], 2), fmt(stats["detect_latency"], 2)))
        return record

    def interleaved_waits(self, scenario, duration, reps):
        runs = []
        for rep in range(reps):
            log("%s: repetition %d/%d (%d s task)" % (scenario, rep + 1, reps, duration))
            for variant in ("module", "uri"):
                runs.append(self.one_wait(scenario, variant, duration))
        return runs

    def scenario_wait(self):
        self.emulator.reset()
        duration, reps = self.profile["wait_duration"], self.profile["wait_reps"]
        runs = self.interleaved_waits("wait", duration, reps)
        self.results["wait"] = {"duration": duration, "reps": reps, "wait_interval": self.profile["wait_interval"], "uri_delay": self.profile["uri_delay"],
                                "runs": runs, "summary": pair_summary(runs, ("wall", "gets", "schedule_latency", "detect_latency", "cpu"))}

    def scenario_cpu(self):
        self.emulator.reset()
        duration, reps = self.profile["cpu_duration"], self.profile["cpu_reps"]
        runs = self.interleaved_waits("cpu", duration, reps)
        self.results["cpu"] = {"duration": duration, "reps": reps, "runs": runs,
                               "summary": pair_summary(runs, ("cpu", "cpu_user", "cpu_sys", "wall", "gets", "maxrss_mb"))}

    def scenario_progress(self):
        """Real detection latency x GETs per minute of the module, over completions spread across one poll interval.

        One run's latency depends on where the completion falls between two polls; tasks whose
        durations step through one ``wait_interval`` sample that phase evenly, so the means estimate
        what a fixed cadence would give as T/2 x 60/T = 30 s*GET/min.
        """
        self.emulator.reset()
        base, phases = self.profile["progress_duration"], self.profile["progress_phases"]
        durations = [base + self.profile["wait_interval"] * (index + 0.5) / phases for index in range(phases)]
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
        self.emulator.reset()
        job_id, _created = self.emulator.create_job(name="CreateInstance", outcome="Completed")
        reps = self.profile["adhoc_reps"]
        runs, alone_runs = [], []
        for rep in range(reps):
            # The order alternates (module first, then uri first): neither side always runs right after the other.
            for variant in ("module", "uri") if rep % 2 == 0 else ("uri", "module"):
                runs.append(self.adhoc_query(job_id, variant))
                log("adhoc %d/%d %-6s wall %.2f s, cpu %.2f s" % (rep + 1, reps, variant, runs[-1]["wall"], runs[-1]["cpu"]))
            # The module processes alone: what the modules' own imports and work cost, without the controller's noise.
            for variant in ("module", "uri"):
                alone_runs.append(self.module_alone(job_id, variant))
        self.results["adhoc"] = {"reps": reps, "runs": runs, "summary": pair_summary(runs, ("wall", "cpu", "maxrss_mb")),
                                 "alone_runs": alone_runs, "alone_summary": pair_summary(alone_runs, ("wall", "cpu", "maxrss_mb")),
                                 "pair_ratios": pair_ratios(runs, "wall")}

    def adhoc_query(self, job_id, variant):
        if variant == "module":
            module, args = MODULE, "job_id=%s endpoint=%s project_id=%s" % (job_id, self.endpoint, PROJECT_ID)
        else:
            # The baseline gets its token inline, its cheapest form; the module reads HW_AUTH_TOKEN.
            module, args = "ansible.builtin.uri", 'url=%s/v3/%s/jobs/%s headers={"X-Auth-Token":"%s"}' % (self.endpoint, PROJECT_ID, job_id, STATIC_TOKEN)
        self.emulator.clear_requests()
        run = self.ansible.measure(self.ansible.adhoc_command(args, module=module), 300, label="adhoc/%s" % variant)
        gets = len(job_gets(self.emulator.requests_log(), job_id))
        ok = run.rc == 0 and "SUCCESS" in run.stdout and '"Completed"' in run.stdout and gets == 1
        if not ok:
            self.fail("adhoc", "ad-hoc %s query did not return the task (GETs: %d)" % (variant, gets), run)
        return dict(summary(run), variant=variant, gets=gets, ok=ok)

    def module_alone(self, job_id, variant):
        if variant == "module":
            package, args = MODULE_PACKAGE, {"job_id": job_id, "endpoint": self.endpoint, "project_id": PROJECT_ID}
        else:
            package, args = "ansible.modules.uri", {"url": "%s/v3/%s/jobs/%s" % (self.endpoint, PROJECT_ID, job_id), "headers": {"X-Auth-Token": STATIC_TOKEN}}
        run = self.ansible.module_alone(args, package, 900, label="adhoc/%s/alone" % variant)
        ok = run.rc == 0 and '"Completed"' in run.stdout
        if not ok:
            self.fail("adhoc", "the %s module process alone did not return the task" % variant, run)
        return dict(summary(run), variant=variant, ok=ok)

    # ------------------------------------------------------------------ scale (scenario 4)

    def scenario_scale(self):
        self.emulator.reset()
        count, duration = self.profile["scale_hosts"], self.profile["scale_duration"]
        limit, window = count, self.profile["rate_window"]
        hosts, ends = {}, {}
        for index in range(count):
            job_id, created = self.emulator.create_job(name="CreateInstance", duration=duration, outcome="Completed")
            name = "ddm-host-%02d" % (index + 1)
            hosts[name], ends[name] = job_id, created + duration
        self.emulator.clear_requests()
        self.emulator.set_ratelimit(limit, window)
        log("scale: %d hosts (forks %d) waiting on %d s tasks, rate limit %d requests / %d s per credential"
            % (count, count, duration, limit, window))
        try:
            run = self.playbook("scale/module", "wait_module.yml", hosts, {"bench_wait_interval": self.profile["wait_interval"], "bench_wait_timeout": 1800},
                                forks=count, timeout=duration + 600)
        finally:
            self.emulator.set_ratelimit(0, window)
        entries = self.emulator.requests_log()
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
            summary(run), hosts=count, forks=count, duration=duration, ratelimit={"limit": limit, "window": window},
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
        runs = [self.list_size(size) for size in self.profile["list_sizes"]]
        self.emulator.reset()
        self.results["list"] = {"runs": runs, "growth": {kind: growth(runs, kind) for kind in ("playbook", "module")}}

    def list_size(self, size):
        self.emulator.reset()
        start = time.monotonic()
        if size:
            self.emulator.post_jobs(size, name="CreateInstance", outcome="Completed")
        created_in = time.monotonic() - start
        how = "bulk" if size else "none"
        log("list: %d tasks created (%s) in %.1f s" % (size, how, created_in))
        record = {"tasks": size, "created_with": how, "create_seconds": round(created_in, 1)}
        emulator_cpu = self.emulator.cpu_seconds()
        playbook = self.playbook("list/%d/playbook" % size, "list_module.yml")
        match = re.search(r"bench-listed=(\d+)", playbook.stdout)
        listed = int(match.group(1)) if match else None
        record["playbook"] = dict(summary(playbook), listed=listed, ok=playbook.rc == 0 and listed == size,
                                  emulator_cpu=delta(self.emulator.cpu_seconds(), emulator_cpu))
        emulator_cpu = self.emulator.cpu_seconds()
        alone = self.ansible.module_alone({"endpoint": self.endpoint, "project_id": PROJECT_ID}, timeout=900, label="list/%d/module" % size)
        emulator_cpu = delta(self.emulator.cpu_seconds(), emulator_cpu)
        try:
            listed_alone = len(json.loads(alone.stdout)["jobs"])
        except (ValueError, KeyError, TypeError):
            listed_alone = None
        record["module"] = dict(summary(alone), listed=listed_alone, ok=alone.rc == 0 and listed_alone == size, emulator_cpu=emulator_cpu)
        for kind, run in (("playbook", playbook), ("module", alone)):
            if not record[kind]["ok"]:
                self.fail("list", "listing %d tasks (%s) returned %s" % (size, kind, record[kind]["listed"]), run)
            log("list: %d tasks, %-8s wall %.2f s, cpu %.2f s, peak RSS %.1f MB (emulator cpu %s s)"
                % (size, kind, run.wall, run.cpu, run.maxrss_mb, fmt(record[kind]["emulator_cpu"], 2)))
        return record

    # ------------------------------------------------------------------ many tasks (scenario 7)

    def scenario_many(self):
        self.results["many"] = Many(self).run()
        self.emulator.reset()

    # ------------------------------------------------------------------ instance list mode (scenario 8)

    def scenario_instances(self):
        """ddm_instance_info's own process listing every instance of the project, at each size.

        Each size keeps the least of its repetitions' times and peak RSS: on a shared machine the noise
        only adds, and the 1k list adds about 0.1 s of CPU time above the empty one, the size of that noise.
        """
        runs = [self.instance_size(size) for size in self.profile["instance_sizes"]]
        self.emulator.reset()
        self.results["instances"] = {"reps": self.profile["instance_reps"], "runs": runs, "growth": {"module": growth(runs, "module", "instances")}}

    def instance_size(self, size):
        self.emulator.reset()
        start = time.monotonic()
        if size:
            self.emulator.add_instances_bulk(size, name_prefix="bench-ddm-")
        created_in = time.monotonic() - start
        log("instances: %d instances created (bulk) in %.1f s" % (size, created_in))
        reps = [self.instance_list_alone(size, rep) for rep in range(self.profile["instance_reps"])]
        good = [rep for rep in reps if rep["ok"]]
        module = {metric: min((rep[metric] for rep in good if rep[metric] is not None), default=None)
                  for metric in ("wall", "cpu", "cpu_user", "cpu_sys", "maxrss_mb", "emulator_cpu")}
        module.update(ok=len(good) == len(reps), listed=reps[-1]["listed"], requests=reps[-1]["requests"])
        return {"instances": size, "create_seconds": round(created_in, 1), "module": module, "reps": reps}

    def instance_list_alone(self, size, rep):
        """One run of the module process alone (python -m ...ddm_instance_info), measured: it must list every instance, once, without a warning."""
        self.emulator.clear_requests()
        emulator_cpu = self.emulator.cpu_seconds()
        run = self.ansible.module_alone({"endpoint": self.endpoint, "project_id": PROJECT_ID}, timeout=900, label="instances/%d/module" % size,
                                        module=INSTANCE_INFO)
        emulator_cpu = delta(self.emulator.cpu_seconds(), emulator_cpu)
        requests = len([entry for entry in self.emulator.requests_log() if entry["path"] == INSTANCE_LIST_PATH])
        try:
            answer = json.loads(run.stdout)
            listed, unique, warnings = len(answer["instances"]), len({item["id"] for item in answer["instances"]}), answer.get("warnings") or []
        except (ValueError, KeyError, TypeError):
            listed = unique = warnings = None
        # Offsets read as indexes: one request a page (the empty list still asks once).
        pages = max(1, math.ceil(size / float(INSTANCE_PAGE)))
        ok = run.rc == 0 and listed == unique == size and warnings == [] and requests == pages
        if not ok:
            self.fail("instances", "listing %d instances returned %s (%s distinct) in %d requests (%d pages), warnings %s"
                      % (size, listed, unique, requests, pages, warnings), run)
        log("instances: %d instances, module alone %d/%d: wall %.2f s, cpu %.2f s, peak RSS %.1f MB, %d requests (emulator cpu %s s)"
            % (size, rep + 1, self.profile["instance_reps"], run.wall, run.cpu, run.maxrss_mb, requests, fmt(emulator_cpu, 2)))
        return dict(summary(run), listed=listed, requests=requests, ok=ok, emulator_cpu=emulator_cpu)

    # ------------------------------------------------------------------ many creations (scenario 9)

    def scenario_creations(self):
        self.results["creations"] = Creations(self).run()
        self.emulator.reset()
