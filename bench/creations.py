# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 9, ``creations``: creating many DDM instances under the account's rate limit.

Two ways to create them: (a) one host per instance with forks, each running ``ddm_instance``
with ``wait: true`` (``create_instance.yml``); (b) one host, a loop of ``ddm_instance`` with
``wait: false``, then one ``ddm_job_info`` task with ``job_ids`` (``create_loop_job_ids.yml``,
as ``examples/gate_on_many_instances.yml`` does). Each variant starts from an empty emulator
and a fresh rate-limit window.

The emulator gives every creation the duration that its ``create_seconds`` setting has when the
creation is accepted, one value for all: the completions still spread, because the creation
requests themselves are spread by the throttling (forks) or by the loop's pace. The request log
gives what each variant sent, what was throttled, and when each creation's completion was first
seen; the emulator's instances and tasks give the outcome.
"""

from __future__ import annotations

import os
import statistics
import sys

from harness.emulator import (  # pylint: disable=import-error
    AVAILABLE_ZONES, ENGINE_VERSIONS, FLAVOR_CODES, PROJECT_ID, SECURITY_GROUP_ID, SUBNET_ID, VPC_ID,
)
from many import detection_latencies  # pylint: disable=import-error

VARIANTS = ("forks", "loop")
PLAYBOOKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks")
CREATE_PATH = "/v3/%s/instances" % PROJECT_ID
# What every instance is created with (ddm_instance's options, through the playbooks' bench_instance).
INSTANCE = {"flavor": FLAVOR_CODES[0], "node_num": 2, "engine_version": ENGINE_VERSIONS[-1], "availability_zones": list(AVAILABLE_ZONES[:2]),
            "vpc_id": VPC_ID, "subnet_id": SUBNET_ID, "security_group_id": SECURITY_GROUP_ID}


def is_api(entry):
    """A request of the DDM API (instances v1 and v3, tasks, flavors, engines), not of the emulator's control API."""
    return entry["path"].startswith(("/v1/", "/v3/"))


def creation_posts(entries):
    """The creation requests (``POST /v3/{project_id}/instances``), throttled ones included, oldest first."""
    return sorted((entry for entry in entries if entry["method"] == "POST" and entry["path"] == CREATE_PATH), key=lambda entry: entry["epoch"])


def completions(entries, jobs, seconds):
    """{creation task id: epoch of its completion}.

    The emulator keeps its tasks in the order it created them, and creates each one while it
    accepts a creation request (answered 202): the n-th accepted request started the n-th task,
    which completes ``seconds`` after the request's logged arrival. Two requests served at the
    same moment could swap places, and their arrivals differ by milliseconds.
    """
    accepted = [entry["epoch"] for entry in creation_posts(entries) if entry.get("status") == 202]
    created = [job["id"] for job in jobs if job.get("name") == "CreateInstance"]
    if len(accepted) != len(created):
        return None
    return {job_id: epoch + seconds for job_id, epoch in zip(created, accepted)}


class Creations:
    """Runs the two variants for one ``Bench`` (its emulator, runner and profile)."""

    def __init__(self, bench):
        self.bench = bench
        self.profile = bench.profile

    @property
    def count(self):
        return self.profile["creation_count"]

    def names(self):
        return ["bench-ddm-%02d" % (index + 1) for index in range(self.count)]

    def command(self, variant):
        values = {"bench_endpoint": self.bench.endpoint, "bench_project_id": PROJECT_ID, "bench_instance": INSTANCE,
                  "bench_wait_interval": self.profile["wait_interval"], "bench_wait_timeout": 3000}
        ansible = self.bench.ansible
        if variant == "forks":
            hosts = {"ddm-create-%02d" % (index + 1): {"bench_instance_name": name} for index, name in enumerate(self.names())}
            return ansible.playbook_command(os.path.join(PLAYBOOKS, "create_instance.yml"), values, hosts=hosts, forks=self.profile["creation_forks"])
        return ansible.playbook_command(os.path.join(PLAYBOOKS, "create_loop_job_ids.yml"), dict(values, bench_instance_names=self.names()))

    def played(self, variant, run):
        """Whether the play says every creation was done: each host's task ok (forks), or every creation task Completed (loop)."""
        if run.rc != 0:
            return False
        if variant == "forks":
            recap = run.recap()
            return all(recap.get(host, (0, 1, 0))[0] >= 1 and recap[host][1:] == (0, 0) for host in
                       ("ddm-create-%02d" % (index + 1) for index in range(self.count)))
        return "bench-completed=%d" % self.count in run.stdout

    def run_variant(self, variant):
        emulator, count, seconds = self.bench.emulator, self.count, self.profile["creation_seconds"]
        limit, window = self.profile["creation_limit"], self.profile["creation_window"]
        emulator.reset()
        emulator.instance_settings(create_seconds=seconds)
        emulator.clear_requests()
        emulator.set_ratelimit(limit, window)
        label = "creations/%s/%d" % (variant, count)
        try:
            run = self.bench.ansible.measure(self.command(variant), 3600, label=label)
        finally:
            emulator.set_ratelimit(0, window)
        entries = [entry for entry in emulator.requests_log() if is_api(entry)]
        instances = emulator.instances()
        tasks = completions(entries, emulator.jobs(), seconds)
        posts = creation_posts(entries)
        accepted = [entry["epoch"] for entry in posts if entry.get("status") == 202]
        # forks: each host's own GETs of its task; loop: the job_ids task's list requests (and any GET of one task).
        latencies = detection_latencies(entries, tasks or {}, "forks" if variant == "forks" else "job_ids")
        known = [latency for latency in latencies if latency is not None]
        minutes = run.wall / 60 if run.wall else None
        record = {"variant": variant, "instances": count, "rc": run.rc, "wall": round(run.wall, 1), "cpu": round(run.cpu, 2),
                  "requests": len(entries), "throttled": sum(1 for entry in entries if entry.get("status") == 429),
                  "requests_per_minute": round(len(entries) / minutes, 1) if minutes else None,
                  "creates_sent": len(posts), "creates_throttled": sum(1 for entry in posts if entry.get("status") == 429),
                  "creates_accepted": len(accepted), "accepted_over": round(accepted[-1] - accepted[0], 1) if accepted else None,
                  "created": len(instances), "running": sum(1 for item in instances if item["status"] == "RUNNING"),
                  "names": sorted(item["name"] for item in instances) == self.names(),
                  "mean_detect_latency": round(statistics.mean(known), 2) if known else None,
                  "max_detect_latency": round(max(known), 2) if known else None,
                  "undetected": len(latencies) - len(known) if tasks is not None else count}
        record["outcome_ok"] = record["created"] == record["running"] == record["creates_accepted"] == count and record["names"]
        record["ok"] = self.played(variant, run) and record["outcome_ok"] and record["undetected"] == 0
        if not record["ok"]:
            names = "as asked" if record["names"] else "not as asked"
            self.bench.fail("creations", "%s: rc %s, %d instance(s) created, %d RUNNING, %d creation request(s) accepted (%d expected), names %s, "
                            "%d creation(s) never seen completed" % (label, run.rc, record["created"], record["running"], record["creates_accepted"],
                                                                     count, names, record["undetected"]), run)
        line = ("creations %-5s %2d instances: wall %.0f s, cpu %.1f s, %d requests (%d answered 429), %d creation requests (%d answered 429, "
                "%d accepted over %s s), %d RUNNING, mean detection %s s") % (
            variant, count, run.wall, run.cpu, record["requests"], record["throttled"], record["creates_sent"], record["creates_throttled"],
            record["creates_accepted"], record["accepted_over"], record["running"], record["mean_detect_latency"])
        sys.stderr.write("bench: %s\n" % line)
        return record

    def run(self):
        runs = [self.run_variant(variant) for variant in VARIANTS]
        return {"instances": self.count, "create_seconds": self.profile["creation_seconds"], "forks": self.profile["creation_forks"],
                "ratelimit": {"limit": self.profile["creation_limit"], "window": self.profile["creation_window"]},
                "wait_interval": self.profile["wait_interval"], "runs": runs}
