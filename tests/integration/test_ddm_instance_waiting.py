# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ddm_instance: an operation is complete when its task is, failed tasks, the run's deadline, and live progress."""

from __future__ import annotations

import re

from ddm_instance_cases import (  # pylint: disable=import-error
    CREATE, FAST, LARGE, assert_failed, assert_ok, instance_case, instance_path, run_instance_cases, seed, write_entries,
)
from harness.ansible_runner import case_results  # pylint: disable=import-error
from harness.emulator import PROJECT_ID, STATIC_TOKEN  # pylint: disable=import-error
from harness.terminal import Terminal  # pylint: disable=import-error

DEADLINE = {"wait_timeout": 5, "wait_interval": 1}


def test_an_operation_is_complete_when_its_task_is(ansible_runner, emulator):
    # Each write reads RUNNING with the old values for longer than the operation takes: only the task tells when it is done.
    emulator.instance_settings(**dict(FAST, operation_seconds=2, stale_seconds=30))
    resize, grow, shrink = seed(emulator, "stale-ddm-1"), seed(emulator, "stale-ddm-2"), seed(emulator, "stale-ddm-3", node_count=3)
    cases = [instance_case(emulator, "resize", name="stale-ddm-1", flavor=LARGE),
             instance_case(emulator, "grow", name="stale-ddm-2", node_num=3),
             instance_case(emulator, "shrink", instance_id=shrink, node_num=1)]

    results = run_instance_cases(ansible_runner, cases)[0]

    for label, instance_id, flavor, nodes in (("resize", resize, LARGE, 2), ("grow", grow, None, 3), ("shrink", shrink, None, 1)):
        item = results[label]
        assert_ok(item, True)
        assert item["job"]["status"] == "Completed" and item["job"]["id"] == item["job_id"]
        view = item["instance"]
        assert view["status"] == "RUNNING" and view["node_num"] == nodes and len(view["nodes"]) == nodes, (label, view)
        if flavor:
            assert view["flavor"] == flavor
        [write] = write_entries(emulator, instance_id)
        shows = [entry for entry in emulator.api_requests("/instances/" + instance_id) if entry["method"] == "GET"]
        assert shows[-1]["epoch"] - write["epoch"] >= 2, label  # read back only once the task had ended
        assert emulator.instance(instance_id)["operation"] is None


def test_failed_tasks_fail_the_module_and_keep_the_ids(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    resize = seed(emulator, "failing-ddm")
    emulator.fail_next("create", "Insufficient ECS capacity in cn-north-4a.")
    emulator.fail_next("resize", "The flavor change was rolled back.", status="RESIZE_ROLL_FAILED")
    cases = [instance_case(emulator, "create", name="failing-ddm-new", **CREATE),
             instance_case(emulator, "resize", name="failing-ddm", flavor=LARGE, node_num=3),
             instance_case(emulator, "present-afterwards", name="failing-ddm-new", **CREATE)]

    results = run_instance_cases(ansible_runner, cases)[0]

    [created] = [item for item in emulator.instances() if item["name"] == "failing-ddm-new"]
    item = results["create"]
    assert_failed(item, "(CreateInstance)", "ended with status Failed: Insufficient ECS capacity in cn-north-4a.")
    assert item["changed"] is True and item["actions"] == ["create"]
    assert item["instance"]["id"] == created["id"] and item["instance"]["status"] == "CREATEFAILED"
    assert item["instance"]["error_msg"] == "Insufficient ECS capacity in cn-north-4a."
    assert item["job_id"] == item["job"]["id"] and item["job"]["status"] == "Failed"
    item = results["resize"]
    assert_failed(item, "(ResizeFlavor)", "ended with status Failed: The flavor change was rolled back.")
    # The nodes were never asked for: the operations stop at the first failure, and actions lists what was sent.
    assert item["actions"] == ["resize"] and len(item["job_ids"]) == 1
    assert item["instance"]["id"] == resize and item["instance"]["status"] == "RESIZE_ROLL_FAILED"
    assert item["job"]["id"] == item["job_id"] and item["job"]["fail_reason"] == "The flavor change was rolled back."
    assert [entry["method"] for entry in write_entries(emulator, resize)] == ["PUT"]
    # A later run finds the failed creation and says so, never creating another.
    assert_failed(results["present-afterwards"], "is CREATEFAILED: Insufficient ECS capacity in cn-north-4a.")
    assert len(emulator.instances()) == 2


def test_wait_timeout_bounds_the_whole_run(ansible_runner, emulator, await_request):
    emulator.instance_settings(**dict(FAST, create_seconds=30, operation_seconds=30))
    stalled = seed(emulator, "stalled-ddm")
    cases = [instance_case(emulator, "slow-create", name="slow-ddm", **dict(CREATE, **DEADLINE)),
             instance_case(emulator, "stalled-poll", name="stalled-ddm", flavor=LARGE, api_timeout=60, **DEADLINE)]

    started = ansible_runner.start(ansible_runner.cases_command(cases, module="ddm_instance"))
    # Once the resize is accepted, every poll of its task stalls for a minute.
    await_request(lambda entry: entry["method"] == "PUT" and entry["path"] == instance_path(stalled, "/flavor"), timeout=120)
    emulator.add_fault(count=50, method="GET", path="/jobs/", delay=60)
    results = case_results(ansible_runner.finish(started), cases)[0]

    [created] = [item for item in emulator.instances() if item["name"] == "slow-ddm"]
    item = results["slow-create"]
    assert_failed(item, "Timed out", "(CreateInstance)")
    assert item["instance"]["id"] == created["id"] and item["job_id"] == created["operation"]["job_id"]
    item = results["stalled-poll"]
    assert_failed(item, "Timed out")
    assert item["instance"]["id"] == stalled and len(item["job_ids"]) == 1
    # Each case's requests, from its first to its last, fit in its 5 s (and a little for the loopback round trips).
    log = emulator.requests_log()
    create_job = created["operation"]["job_id"]
    last_of_first = max(index for index, entry in enumerate(log) if created["id"] in entry["path"] or create_job in entry["path"])
    for part in (log[:last_of_first + 1], log[last_of_first + 1:]):
        assert part[-1]["epoch"] - part[0]["epoch"] <= 6, [(entry["method"], entry["path"], entry["epoch"]) for entry in part]


PLAYBOOK = """
- name: Create a DDM instance and watch it
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Create the instance
      huaweicloud.cloud.ddm_instance:
        name: progress-ddm
        flavor: {flavor}
        node_num: 2
        engine_version: "{engine_version}"
        availability_zones: {zones}
        vpc_id: {vpc_id}
        subnet_id: {subnet_id}
        security_group_id: {security_group_id}
        wait_interval: 1
        endpoint: "{{{{ endpoint }}}}"
        project_id: "{{{{ project_id }}}}"
      register: ddm

    - name: Show the instance
      ansible.builtin.debug:
        msg: "instance {{{{ ddm.instance.id }}}} is {{{{ ddm.instance.status }}}}"
"""


def test_progress_lines_appear_while_the_instance_is_created(ansible_runner, emulator, tmp_path):
    emulator.instance_settings(**dict(FAST, create_seconds=6))
    playbook = tmp_path / "create.yml"
    options = {key: value for key, value in CREATE.items() if key != "availability_zones"}
    playbook.write_text(PLAYBOOK.format(zones=list(CREATE["availability_zones"]), **options), encoding="utf-8")
    command = ansible_runner.playbook_command(str(playbook), {"endpoint": emulator.url, "project_id": PROJECT_ID})

    env = ansible_runner._env({"HW_AUTH_TOKEN": STATIC_TOKEN}, json_output=False)  # pylint: disable=protected-access
    terminal = Terminal(command, env)
    line = r"^\[localhost\] DDM instance progress-ddm \((\w+)\), create: DDM job ([\w-]+) \(CreateInstance\): Running( \d+%)?, \d+ s elapsed$"
    first = terminal.read_until(line)
    assert first, terminal.text
    # Shown while the module still waits: live, not replayed at the end.
    assert terminal.process.poll() is None, terminal.text
    [instance] = emulator.instances()
    assert instance["actual_status"] == "CREATING" and first.group(1) == instance["id"]
    assert first.group(2) == instance["operation"]["job_id"]

    assert terminal.finish() == 0, terminal.text
    output = terminal.text
    lines = re.findall(r"^\[localhost\] DDM instance progress-ddm .*$", output, re.MULTILINE)
    assert lines[-1].split(": ", 1)[1].startswith("DDM job %s (CreateInstance): Completed" % first.group(2)), lines
    assert "instance %s is RUNNING" % instance["id"] in output
    assert "Traceback" not in output
