# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 7, ``many``: waiting on many tasks under the account's rate limit.

Tasks of staggered durations, a per-user limit on every API request, and three ways to wait:
(a) one host per task with forks, (b) a loop of single waits on one host, (c) one ``job_ids``
task. Each variant gets fresh tasks created at its start and a fresh rate-limit window. The
emulator's request log gives what each sent, what was throttled, and when each task's
completion was first seen.
"""

from __future__ import annotations

import statistics
import sys

from harness.emulator import PROJECT_ID  # pylint: disable=import-error
from stats import job_gets  # pylint: disable=import-error

VARIANTS = ("forks", "loop", "job_ids")
LIST_PATH = "/v3/%s/jobs" % PROJECT_ID


def durations(count, shortest, longest):
    """``count`` durations spread evenly from ``shortest`` to ``longest`` seconds."""
    if count == 1:
        return [float(longest)]
    return [shortest + (longest - shortest) * index / (count - 1) for index in range(count)]


def detection_latencies(entries, tasks, variant):
    """Seconds from each task's completion to the first answered request that could see it."""
    lists = sorted(entry["epoch"] for entry in entries if entry["path"] == LIST_PATH and entry.get("status") == 200)
    latencies = []
    for job_id, end in tasks.items():
        seen = lists if variant == "job_ids" else []
        seen = seen + [entry["epoch"] for entry in job_gets(entries, job_id) if entry.get("status") == 200]
        after = [epoch for epoch in seen if epoch >= end]
        latencies.append(min(after) - end if after else None)
    return latencies


class Many:
    """Runs the three variants for one ``Bench`` (its emulator, runner and profile)."""

    def __init__(self, bench):
        self.bench = bench
        self.profile = bench.profile

    def create(self, count):
        """Fresh tasks: {job id: epoch of its completion}."""
        tasks = {}
        for seconds in durations(count, *self.profile["many_durations"]):
            job_id, created = self.bench.emulator.create_job(name="CreateInstance", duration=seconds, outcome="Completed")
            tasks[job_id] = created + seconds
        return tasks

    def run_variant(self, variant, count):
        emulator = self.bench.emulator
        emulator.reset()
        tasks = self.create(count)
        emulator.clear_requests()
        emulator.set_ratelimit(self.profile["many_limit"], self.profile["many_window"])
        values = {"bench_wait_interval": self.profile["wait_interval"], "bench_wait_timeout": 1800}
        label = "many/%s/%d" % (variant, count)
        try:
            if variant == "forks":
                hosts = {"ddm-task-%03d" % index: job_id for index, job_id in enumerate(tasks)}
                run = self.bench.playbook(label, "wait_module.yml", hosts, values, forks=self.profile["many_forks"], timeout=3600)
            else:
                playbook = "wait_loop.yml" if variant == "loop" else "wait_job_ids.yml"
                run = self.bench.playbook(label, playbook, values=dict(values, bench_job_ids=list(tasks)), timeout=3600)
        finally:
            emulator.set_ratelimit(0, self.profile["many_window"])
        entries = [entry for entry in emulator.requests_log() if entry["path"].startswith("/v3/")]
        latencies = detection_latencies(entries, tasks, variant)
        known = [latency for latency in latencies if latency is not None]
        minutes = run.wall / 60 if run.wall else None
        record = {"variant": variant, "tasks": count, "rc": run.rc, "wall": round(run.wall, 1), "cpu": round(run.cpu, 2),
                  "requests": len(entries), "throttled": sum(1 for entry in entries if entry.get("status") == 429),
                  "requests_per_minute": round(len(entries) / minutes, 1) if minutes else None,
                  "mean_detect_latency": round(statistics.mean(known), 2) if known else None, "undetected": len(latencies) - len(known)}
        record["ok"] = run.rc == 0 and record["undetected"] == 0
        if not record["ok"]:
            self.bench.fail("many", "%s: rc %s, %d task(s) never seen completed" % (label, run.rc, record["undetected"]), run)
        line = "many %-7s %3d tasks: wall %.0f s, cpu %.1f s, %d requests (%d answered 429), %s req/min, mean detection %s s" % (
            variant, count, run.wall, run.cpu, record["requests"], record["throttled"], record["requests_per_minute"], record["mean_detect_latency"])
        sys.stderr.write("bench: %s\n" % line)
        return record

    def run(self):
        count, small = self.profile["many_tasks"], self.profile["many_small"]
        runs = [self.run_variant(variant, count) for variant in VARIANTS]
        runs.append(self.run_variant("job_ids", small))
        return {"tasks": count, "small": small, "durations": list(self.profile["many_durations"]), "forks": self.profile["many_forks"],
                "ratelimit": {"limit": self.profile["many_limit"], "window": self.profile["many_window"]},
                "wait_interval": self.profile["wait_interval"], "runs": runs}
