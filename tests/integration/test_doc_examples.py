# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every example of ``ansible-doc`` and of the user guide runs as pasted against the emulator, and does its job.

The examples take their credentials, region and endpoints from the environment, as the user guide
tells users to; variables the examples name (a job id, network ids) are given as extra variables.
A gate whose rescue catches a failure must still end the play failed.
"""

from __future__ import annotations

import os
import re

import yaml

from harness.emulator import (ACCESS_KEY, ENGINE_VERSIONS, REGION, SECRET_KEY, SECURITY_GROUP_ID, SUBNET_ID,  # pylint: disable=import-error
                              VPC_ID)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NETWORK = {"vpc_id": VPC_ID, "subnet_id": SUBNET_ID, "security_group_id": SECURITY_GROUP_ID}
INSTANCE = {"id": "5f1c3e2a9b8d4c7e8f6a0b1c2d3e4f50in09", "name": "ddm-orders"}


def environment(emulator):
    return {"HW_ACCESS_KEY": ACCESS_KEY, "HW_SECRET_KEY": SECRET_KEY, "HW_REGION_NAME": REGION, "HW_DDM_ENDPOINT": emulator.url,
            "HW_AUTH_URL": emulator.url}


def module_examples(module):
    with open(os.path.join(ROOT, "plugins", "modules", module + ".py"), encoding="utf-8") as handle:
        source = handle.read()
    return yaml.safe_load(re.search(r'^EXAMPLES = r"""\n(.*?)^"""', source, re.M | re.S).group(1))


def guide_snippet(first_task_name):
    """The YAML block of the user guide that starts with the task (or play) of this name."""
    with open(os.path.join(ROOT, "docs", "user-guide.md"), encoding="utf-8") as handle:
        blocks = re.findall(r"```yaml\n(.*?)```", handle.read(), re.S)
    for block in blocks:
        data = yaml.safe_load(block)
        if isinstance(data, list) and data and data[0].get("name") == first_task_name:
            return data
    raise AssertionError("no YAML block of the user guide starts with %r" % first_task_name)


def run_tasks(ansible_runner, emulator, tmp_path, tasks, extra_vars=None, plays=None):
    path = tmp_path / "examples.yml"
    path.write_text(yaml.safe_dump(plays or [{"name": "Examples", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]),
                    encoding="utf-8")
    return ansible_runner.measure(ansible_runner.playbook_command(str(path), extra_vars or {}), env=environment(emulator), json_output=True)


def ran(run, task_name):
    """The localhost results of every run of the named task."""
    return [hosts["localhost"] for name, hosts in run.tasks() if name == task_name and "localhost" in hosts]


def test_ddm_job_info_examples_gate_wait_and_list(ansible_runner, emulator, tmp_path):
    emulator.instance_settings(create_seconds=2)
    job = emulator.post_job(duration=2, outcome="Completed", instance=INSTANCE)["id"]
    failed = emulator.post_job(name="EnlargeNode", outcome="Failed", fail_reason="No quota.")["id"]
    run = run_tasks(ansible_runner, emulator, tmp_path, module_examples("ddm_job_info"), dict(NETWORK, ddm_create_job_id=job))
    assert run.rc == 0, run
    assert "Instance %s is ready" % INSTANCE["id"] in ran(run, "Configure the new instance")[0]["msg"]
    assert ran(run, "Wait for every creation task")[0]["counts"] == {"Completed": 3}
    assert [item["id"] for item in ran(run, "List the failed tasks of the last two days")[0]["jobs"]] == [failed]


def test_ddm_job_info_gate_example_ends_the_play_failed_when_the_creation_failed(ansible_runner, emulator, tmp_path):
    job = emulator.post_job(duration=1, outcome="Failed", fail_reason="Insufficient capacity.", instance=INSTANCE)["id"]
    tasks = [task for task in module_examples("ddm_job_info") if task["name"].startswith("Gate on an instance creation")]
    run = run_tasks(ansible_runner, emulator, tmp_path, tasks, {"ddm_create_job_id": job})
    assert run.rc == 2, run
    assert "Insufficient capacity." in ran(run, "Report the task's last state")[0]["msg"]
    assert ran(run, "Stop, the instance is not usable")[0]["failed"] is True


def test_ddm_job_info_many_example_ends_the_play_failed_when_a_creation_failed(ansible_runner, emulator, tmp_path):
    emulator.instance_settings(create_seconds=1)
    emulator.fail_next("create", fail_reason="No quota.")
    tasks = [task for task in module_examples("ddm_job_info") if task["name"] in (
        "Create many instances without waiting on each", "Wait once for their creation tasks (one request per poll, not one per task)")]
    run = run_tasks(ansible_runner, emulator, tmp_path, tasks, NETWORK)
    assert run.rc == 2, run
    assert ran(run, "Stop, some instances are not usable")[0]["failed"] is True


def test_ddm_instance_examples_create_grow_and_delete(ansible_runner, emulator, tmp_path):
    emulator.instance_settings(create_seconds=1, operation_seconds=1, delete_seconds=1)
    run = run_tasks(ansible_runner, emulator, tmp_path, module_examples("ddm_instance"), dict(NETWORK, ddm_admin_password="Orders-Passw0rd"))
    assert run.rc == 0, run
    created = ran(run, "Create a DDM instance and wait until it is ready")[0]
    assert created["changed"] and created["instance"]["status"] == "RUNNING"
    grown = ran(run, "Grow it to four nodes on a larger flavor")[0]
    assert grown["actions"] == ["resize", "add nodes"] and grown["instance"]["node_num"] == 4
    assert ran(run, "Delete it, with the data of its data nodes")[0]["changed"] and emulator.instances() == []


def test_ddm_instance_info_and_flavor_info_examples(ansible_runner, emulator, tmp_path):
    emulator.add_instance(name="orders-ddm")
    emulator.add_instance(name="broken-ddm", status="CREATEFAILED", error_msg="No capacity.")
    run = run_tasks(ansible_runner, emulator, tmp_path, module_examples("ddm_instance_info") + module_examples("ddm_flavor_info"))
    assert run.rc == 0, run
    assert [item["name"] for item in ran(run, "List the instances whose creation failed")[0]["instances"]] == ["broken-ddm"]
    assert ran(run, "Read one instance with its nodes")[0]["instances"][0]["nodes"]
    assert ran(run, "An x86 flavor on sale in both zones")[0]["ansible_facts"]["ddm_flavor"].startswith("ddm.")


def test_user_guide_examples(ansible_runner, emulator, tmp_path):
    emulator.instance_settings(create_seconds=1)
    tasks = guide_snippet("Create a DDM instance (or find it) and wait until it is ready") + guide_snippet("Find orders-ddm") \
        + guide_snippet("Flavors on sale in both zones")
    run = run_tasks(ansible_runner, emulator, tmp_path, tasks, NETWORK)
    assert run.rc == 0, run
    assert ran(run, "Connect to it")[0]["msg"].endswith(":5066")
    assert ran(run, "Pick one on sale")[0]["ansible_facts"]["ddm_flavor"]

    jobs = [emulator.post_job(duration=1, outcome="Completed", instance=INSTANCE)["id"] for _index in range(2)]
    failed = emulator.post_job(name="EnlargeNode", outcome="Failed", instance=INSTANCE)["id"]
    extra = {"ddm_create_job_id": jobs[0], "ddm_instance_id": INSTANCE["id"], "created": {"results": [{"job_id": job} for job in jobs]}}
    gate = guide_snippet("Configure a DDM instance once it exists")
    run = run_tasks(ansible_runner, emulator, tmp_path, None, extra, plays=gate)
    assert run.rc == 0, run
    assert ran(run, "Configure the instance")[0]["msg"].startswith("Configuring %s" % INSTANCE["id"])
    tasks = guide_snippet("Wait once for every creation task") + guide_snippet("Tasks of one instance that failed in the last three days")
    run = run_tasks(ansible_runner, emulator, tmp_path, tasks, extra)
    assert run.rc == 0, run
    assert ran(run, "Wait once for every creation task")[0]["counts"] == {"Completed": 2}
    assert [job["id"] for job in ran(run, "Tasks of one instance that failed in the last three days")[0]["jobs"]] == [failed]
    assert "3.0.8.5" in ENGINE_VERSIONS  # the examples' engine version is on offer
