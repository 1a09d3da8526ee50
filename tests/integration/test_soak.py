# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A soak with faults: many parallel waits while a share of the API requests meet a random fault.

The emulator's chaos mode draws the faults (dropped connections, 500 pages without a code, 503 HTML
pages, 429 with Retry-After, answers slower than ``api_timeout``) from a seeded generator: a failing
run names its seed, and ``SOAK_SEED=<seed>`` replays the same draws. ``SOAK_HOSTS``, ``SOAK_TASKS``
and ``SOAK_RATE`` make the run longer or harsher (docs/robustness.md reports a long run).
"""

from __future__ import annotations

import json
import os

from harness.emulator import ACCESS_KEY, DOMAIN_NAME, PROJECT_ID, REGION, SECRET_KEY, STATIC_TOKEN, USER_NAME, USER_PASSWORD

SEED = int(os.environ.get("SOAK_SEED", "20261128"))
HOSTS = int(os.environ.get("SOAK_HOSTS", "6"))
TASKS = int(os.environ.get("SOAK_TASKS", "8"))
RATE = float(os.environ.get("SOAK_RATE", "0.2"))
# The whole run, generously: a CI run takes under a minute.
TIMEOUT = 120 + HOSTS * TASKS * 5
API_TIMEOUT = 2
SLOW = 3.0  # seconds: slower than API_TIMEOUT

PLAYBOOK = """
- name: Soak
  hosts: all
  gather_facts: false
  tasks:
    - name: Wait for each task
      huaweicloud.cloud.ddm_job_info:
        job_id: "{{ item }}"
        wait: true
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
      loop: "{{ soak_job_ids }}"
      register: waits
      ignore_errors: true
""" % (API_TIMEOUT, REGION)

# Each host signs in its own way, so every kind of secret travels through the faults.
AUTH = (
    {"auth_token": STATIC_TOKEN, "project_id": PROJECT_ID},
    {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY},
    {"user_name": USER_NAME, "password": USER_PASSWORD, "domain_name": DOMAIN_NAME},
)


def _inventory(path, emulator, job_ids):
    hosts = {}
    for index, ids in enumerate(job_ids):
        hosts["soak%02d" % index] = {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                                     "hw_endpoint": emulator.url, "soak_job_ids": ids, "soak_auth": AUTH[index % len(AUTH)]}
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
