# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A soak with faults: many parallel waits while a share of the API requests meet a random fault.

The emulator's chaos mode draws the faults (dropped connections, 500 pages without a code, 503 HTML
pages, 429 with Retry-After, answers slower than ``api_timeout``) from a seeded generator: a failing
run names its seed, and ``SOAK_SEED=<seed>`` replays the same draws. ``SOAK_HOSTS``, ``SOAK_TASKS``
and ``SOAK_RATE`` make the run longer or harsher (docs/robustness.md reports a long run).

The long soak (``-m soak``, left out of the default run) is 200 waits, single ``job_id`` and
``job_ids`` groups, with hostile answer shapes mixed into the faults and hostile text in the tasks,
at ``-vvvv``: every wait must end right, or fail cleanly because of a hostile answer it was given.
"""

from __future__ import annotations

import json
import os
import re

import pytest

from harness.emulator import ACCESS_KEY, DOMAIN_NAME, PROJECT_ID, REGION, SECRET_KEY, STATIC_TOKEN, USER_NAME, USER_PASSWORD

SEED = int(os.environ.get("SOAK_SEED", "20261128"))
HOSTS = int(os.environ.get("SOAK_HOSTS", "6"))
TASKS = int(os.environ.get("SOAK_TASKS", "8"))
RATE = float(os.environ.get("SOAK_RATE", "0.2"))
# The whole run, generously: a CI run takes under a minute.
TIMEOUT = 120 + HOSTS * TASKS * 5
API_TIMEOUT = 2
SLOW = 3.0  # seconds: slower than API_TIMEOUT

WAIT_OPTIONS = """        wait: true
        wait_timeout: 90
        wait_interval: 2
        api_timeout: %d
        max_retries: 6
        endpoint: "{{ hw_endpoint }}"
        iam_endpoint: "{{ hw_endpoint }}"
        region: "%s"
        project_id: "{{ soak_auth.project_id | default(omit) }}"
        auth_token: "{{ soak_auth.auth_token | default(omit) }}"
        access_key: "{{ soak_auth.access_key | default(omit) }}"
        secret_key: "{{ soak_auth.secret_key | default(omit) }}"
        user_name: "{{ soak_auth.user_name | default(omit) }}"
        password: "{{ soak_auth.password | default(omit) }}"
        domain_name: "{{ soak_auth.domain_name | default(omit) }}"
""" % (API_TIMEOUT, REGION)

PLAYBOOK = """
- name: Soak
  hosts: all
  gather_facts: false
  tasks:
    - name: Wait for each task
      huaweicloud.cloud.ddm_job_info:
        job_id: "{{ item }}"
""" + WAIT_OPTIONS + """      loop: "{{ soak_job_ids }}"
      register: waits
      ignore_errors: true
"""

# Each host signs in its own way, so every kind of secret travels through the faults.
AUTH = (
    {"auth_token": STATIC_TOKEN, "project_id": PROJECT_ID},
    {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY},
    {"user_name": USER_NAME, "password": USER_PASSWORD, "domain_name": DOMAIN_NAME},
)


def _inventory(path, emulator, job_ids, groups=None):
    hosts = {}
    for index, ids in enumerate(job_ids):
        hosts["soak%02d" % index] = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                                     "hw_endpoint": emulator.url, "soak_job_ids": ids, "soak_auth": AUTH[index % len(AUTH)]}
        if groups is not None:
            hosts["soak%02d" % index]["soak_groups"] = groups[index]
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"all": {"hosts": hosts}}, handle)


def test_parallel_waits_survive_random_faults(ansible_runner, emulator, tmp_path):
    expected = {}
    job_ids = []
    for host in range(HOSTS):
        ids = []
        for task in range(TASKS):
            outcome = "Failed" if (host + task) % 4 == 0 else "Completed"
            job = emulator.post_job(duration=1 + (host * TASKS + task) % 6, outcome=outcome,
                                    fail_reason="Soak failure %d/%d." % (host, task) if outcome == "Failed" else "")
            ids.append(job["id"])
            expected[job["id"]] = outcome
        job_ids.append(ids)
    inventory = tmp_path / "inventory.json"
    _inventory(inventory, emulator, job_ids)
    playbook = tmp_path / "soak.yml"
    playbook.write_text(PLAYBOOK)
    emulator.start_chaos(rate=RATE, seed=SEED, slow_delay=SLOW, path="^/v3/")
    run = ansible_runner.run([ansible_runner.binary("ansible-playbook"), "-i", str(inventory), "-f", str(min(HOSTS, 6)), "-vvv",
                              str(playbook)], env={"ANSIBLE_PIPELINING": "1"}, timeout=TIMEOUT)
    drawn = emulator.stop_chaos()["drawn"]

    replay = "replay with SOAK_SEED=%d (faults drawn: %s)" % (SEED, drawn)
    print("soak: %d hosts x %d tasks, rate %s, seed %d, %.0f s, faults drawn: %s" % (HOSTS, TASKS, RATE, SEED, run.wall, drawn))
    assert sum(drawn.values()) >= HOSTS * TASKS * RATE / 2, replay  # the faults really happened
    results = {}
    warnings = []
    for name, hosts in run.tasks():
        if name != "Wait for each task":
            continue
        for host, result in hosts.items():
            for item in result["results"]:
                results[item["item"]] = item
            warnings += [w for w in result.get("warnings", []) if w.startswith("Huawei Cloud requests were retried")]
    assert sorted(results) == sorted(expected), replay
    for job_id, outcome in expected.items():
        item = results[job_id]
        assert item["job"]["status"] == outcome, (replay, item)
        assert bool(item.get("failed")) is (outcome == "Failed"), (replay, item)
        if outcome == "Failed":
            # The reason is a best-effort lookup in the task list, bounded in time: faults can make it miss (with a warning).
            reason = item["job"].get("fail_reason")
            assert item["msg"].endswith("ended with status Failed" + (": " + reason if reason else "")), (replay, item)
    assert warnings, replay  # retries were reported, not hidden
    missing = [job_id for job_id, outcome in expected.items() if outcome == "Failed" and not results[job_id]["job"].get("fail_reason")]
    lookup_warnings = [w for name, hosts in run.tasks() for result in hosts.values() for w in result.get("warnings", [])
                       if w.startswith("Could not read the task's failure reason")]
    assert len(lookup_warnings) >= len(missing), (replay, missing)
    output = run.stdout + run.stderr
    for secret in (STATIC_TOKEN, SECRET_KEY, USER_PASSWORD):
        assert secret not in output, replay


# --------------------------------------------------------------------------- the long soak (-m soak)

LONG_HOSTS = int(os.environ.get("SOAK_LONG_HOSTS", "8"))
LONG_SINGLE = int(os.environ.get("SOAK_LONG_SINGLE", "20"))  # single job_id waits per host
LONG_GROUPS = int(os.environ.get("SOAK_LONG_GROUPS", "5"))  # job_ids waits per host
GROUP_SIZE = 4
# Every kind of fault: the transient ones a client must get through, and the hostile shapes it must fail on cleanly.
LONG_KINDS = ["429", "500", "503-html", "drop", "hostile-page", "slow", "wrong-types"]
HOSTILE_ANSWER = "chaos:wrong-types"
# Server text a terminal must never receive raw: escapes that clear the screen, retitle the window, ring, reverse the text.
HOSTILE_NAME = "Create\x1b[2JInstance\x1b]0;owned\x07\r\n\u202e"
HOSTILE_REASON = "Soak failure %d/%d: \x1b[31mdisk\x1b[0m full\r\nInjected: line\x00\x7f"
HUGE_REASON = "Soak failure, huge: " + "\u00e9\u4e2dx" * 40000  # 120 000 characters, 200 KB of UTF-8
CONTROL = re.compile("[\x00-\x1f\x7f]")
# How a wait ended early by a hostile answer must fail: naming the answer (DDM's or IAM's), not crashing.
NAMES_THE_ANSWER = re.compile(r"unexpected answer from (DDM|IAM)|IAM answered")
ISSUED_TOKEN_PREFIX = "MIIEMU"  # every IAM token the emulator issues for a password login

LONG_PLAYBOOK = PLAYBOOK + """
    - name: Wait for each group
      huaweicloud.cloud.ddm_job_info:
        job_ids: "{{ item }}"
""" + WAIT_OPTIONS + """      loop: "{{ soak_groups }}"
      ignore_errors: true
"""


def _long_jobs(emulator):
    """({job id: (outcome, fail_reason)}, [ids of each host's single waits], [each host's groups of ids])."""
    expected, singles, groups = {}, [], []
    for host in range(LONG_HOSTS):
        ids = []
        for task in range(LONG_SINGLE + LONG_GROUPS * GROUP_SIZE):
            number = host * 1000 + task
            outcome = "Failed" if (host + task) % 4 == 0 else "Completed"
            reason = ""
            if outcome == "Failed":
                reason = HUGE_REASON if number % 97 == 0 else HOSTILE_REASON % (host, task) if task % 3 == 0 else "Soak failure %d/%d." % (host, task)
            # A host waits on its tasks one after the other: later ones last longer, so that each is waited on.
            position = task if task < LONG_SINGLE else LONG_SINGLE + (task - LONG_SINGLE) // GROUP_SIZE
            job = emulator.post_job(duration=2 + 4 * position + number % 4, outcome=outcome, fail_reason=reason,
                                    name=HOSTILE_NAME if task % 5 == 0 else "CreateInstance")
            ids.append(job["id"])
            expected[job["id"]] = (outcome, reason)
        singles.append(ids[:LONG_SINGLE])
        groups.append([ids[LONG_SINGLE + index:LONG_SINGLE + index + GROUP_SIZE] for index in range(0, LONG_GROUPS * GROUP_SIZE, GROUP_SIZE)])
    return expected, singles, groups


class HostileAnswers:
    """The hostile answers the emulator gave, to account for each wait that did not end with its tasks' outcome.

    A wait may fail cleanly because it was given an answer no reading of which is right; each such
    failure uses up one hostile answer: one on its own task's path if there is one, else one given to
    a request that names no task (the task list, IAM).
    """

    def __init__(self, log, job_ids, drawn):
        self.by_job = {}
        self.elsewhere = 0
        for entry in log:
            if (entry.get("fault") or {}).get("label") != HOSTILE_ANSWER:
                continue
            job = next((job_id for job_id in re.findall(r"[0-9a-f-]{36}", entry["path"]) if job_id in job_ids), None)
            if job is None:
                self.elsewhere += 1
            else:
                self.by_job[job] = self.by_job.get(job, 0) + 1
        # The log keeps the last requests only: hostile answers it no longer shows count as given elsewhere.
        self.elsewhere += drawn - self.elsewhere - sum(self.by_job.values())

    def account_for(self, jobs):
        for job in jobs:
            if self.by_job.get(job):
                self.by_job[job] -= 1
                return True
        if self.elsewhere:
            self.elsewhere -= 1
            return True
        return False


def _wrong_single(item, outcome, reason):
    """Why a single wait's result is not its task's outcome, or None."""
    job = item.get("job") or {}
    if job.get("status") != outcome or bool(item.get("failed")) is not (outcome == "Failed"):
        return "ended %s with status %s" % ("failed" if item.get("failed") else "ok", job.get("status"))
    if outcome == "Failed":
        if "ended with status Failed" not in item["msg"]:
            return "the failure does not say the task failed"
        # The reason is a best-effort lookup in the task list, bounded in time: faults can make it miss (with a warning).
        if job.get("fail_reason") and job["fail_reason"][:200] != reason[:200]:
            return "the wrong failure reason"
    return None


def _wrong_group(item, group, expected):
    """Why a job_ids wait's result is not its tasks' outcomes, or None."""
    statuses = {job.get("id"): job.get("status") for job in item.get("jobs") or []}
    if statuses != {job_id: expected[job_id][0] for job_id in group}:
        return "statuses %s" % statuses
    failed = sum(1 for job_id in group if expected[job_id][0] == "Failed")
    if bool(item.get("failed")) is not bool(failed):
        return "failed is %s with %d failed tasks" % (item.get("failed"), failed)
    if failed and not item["msg"].startswith("%d of %d DDM jobs did not succeed" % (failed, len(group))):
        return "the failure does not name the failed tasks"
    return None


@pytest.mark.soak
def test_long_soak_with_hostile_answers(ansible_runner, emulator, tmp_path):
    expected, singles, groups = _long_jobs(emulator)
    inventory = tmp_path / "inventory.json"
    _inventory(inventory, emulator, singles, groups)
    playbook = tmp_path / "soak.yml"
    playbook.write_text(LONG_PLAYBOOK)
    emulator.start_chaos(rate=RATE, seed=SEED, slow_delay=SLOW, path="^/v3/", kinds=LONG_KINDS)
    run = ansible_runner.run([ansible_runner.binary("ansible-playbook"), "-i", str(inventory), "-f", str(min(LONG_HOSTS, 8)), "-vvvv",
                              str(playbook)], env={"ANSIBLE_PIPELINING": "1"}, timeout=900 + LONG_HOSTS * (LONG_SINGLE + LONG_GROUPS) * 10)
    drawn = emulator.stop_chaos()["drawn"]

    replay = "replay with SOAK_SEED=%d (faults drawn: %s)" % (SEED, drawn)
    waits = {}
    warnings = []
    for _name, hosts in run.tasks():
        for result in hosts.values():
            for item in result.get("results", []):
                waits[tuple(item["item"]) if isinstance(item["item"], list) else (item["item"],)] = item
            warnings += [w for w in result.get("warnings", []) if w.startswith("Huawei Cloud requests were retried")]
    log = emulator.requests_log()
    hostile = HostileAnswers(log, expected, drawn["wrong-types"])
    wrong, failed_cleanly = [], []
    for jobs in [(job_id,) for ids in singles for job_id in ids] + [tuple(group) for host in groups for group in host]:
        item = waits.get(jobs)
        if item is None:
            wrong.append((jobs, "never ran"))
            continue
        if any(CONTROL.search(text) for text in [item.get("msg", "")] + item.get("warnings", [])):
            wrong.append((jobs, "raw control characters in %r" % item.get("msg")))
            continue
        problem = _wrong_single(item, *expected[jobs[0]]) if len(jobs) == 1 else _wrong_group(item, jobs, expected)
        if problem is None:
            continue
        # A hostile answer may end a wait early: cleanly, as a failure naming the answer, never as a success or a crash.
        if item.get("failed") and NAMES_THE_ANSWER.search(item["msg"]) and hostile.account_for(jobs):
            failed_cleanly.append(item["msg"])
            continue
        wrong.append((jobs, problem, item.get("msg", "")[:300]))
    print("long soak: %d waits (%d tasks), %d requests, rate %s, seed %d, %.0f s, faults drawn: %s, %d ended early by a hostile answer"
          % (len(waits), len(expected), len(log), RATE, SEED, run.wall, drawn, len(failed_cleanly)))
    for msg in failed_cleanly:
        print("  ended early: " + msg[:240])

    assert len(waits) == LONG_HOSTS * (LONG_SINGLE + LONG_GROUPS), (len(waits), replay)
    assert not wrong, (len(wrong), wrong[:5], replay)
    assert drawn["wrong-types"] and drawn["hostile-page"] and sum(drawn.values()) >= len(waits) * RATE, replay  # the faults really happened
    assert warnings, replay  # retries were reported, not hidden
    assert len(failed_cleanly) <= len(waits) // 4, replay  # most waits got through: the soak tested waiting, not only failing
    output = run.stdout + run.stderr
    for secret in (STATIC_TOKEN, SECRET_KEY, USER_PASSWORD, ISSUED_TOKEN_PREFIX):
        assert secret not in output, (secret, replay)
    assert "\x1b" not in output, replay  # the terminal never receives the server's escapes
