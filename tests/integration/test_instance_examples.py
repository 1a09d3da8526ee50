# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The instance examples of examples/ run as shipped against the emulator: create, gate, configure; a second run changes nothing."""

from __future__ import annotations

import os

from harness.emulator import ACCESS_KEY, SECRET_KEY, SECURITY_GROUP_ID, SUBNET_ID, VPC_ID  # pylint: disable=import-error

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "examples")
AKSK = {"HW_ACCESS_KEY": ACCESS_KEY, "HW_SECRET_KEY": SECRET_KEY}
NETWORK = {"vpc_id": VPC_ID, "subnet_id": SUBNET_ID, "security_group_id": SECURITY_GROUP_ID}


# The emulator's data nodes accept this administrator login; the application's password follows the account rules.
SECRETS = {"rds_admin_password": "Rds-Admin-Passw0rd", "app_password": "Orders-App-2026x"}


def example_vars(emulator, **extra):
    return dict(NETWORK, hw_ddm_endpoint=emulator.url, hw_iam_endpoint=emulator.url, ddm_wait_timeout=60, **SECRETS, **extra)


def writes(emulator):
    return [(entry["method"], entry["path"]) for entry in emulator.requests_log() if entry["method"] in ("POST", "PUT", "DELETE")
            and "/instances" in entry["path"]]


def test_create_instance_example_creates_once_and_configures(ansible_runner, emulator):
    emulator.instance_settings(create_seconds=2)
    playbook = os.path.join(EXAMPLES, "create_instance.yml")
    first = ansible_runner.playbook(playbook, example_vars(emulator, ddm_name="orders-ddm"), env=AKSK)
    created = first.result("Make sure the instance exists, and wait until its creation task has completed")
    assert created["changed"] is True and created["instance"]["status"] == "RUNNING" and created["job"]["status"] == "Completed"
    configured = first.result("Configure the instance")["msg"]
    assert created["instance"]["id"] in configured and "(created now)" in configured
    assert "schema orders has 16 shards" in configured and "as orders_app (INSERT, DELETE, UPDATE, SELECT)" in configured
    assert "2 parameter(s) changed" in configured
    instance_id = created["instance"]["id"]
    state = emulator.control("GET", "instances/%s/configuration" % instance_id)
    assert state["schema_count"] == 1 and state["account_count"] == 1
    parameters = emulator.control("GET", "instances/%s/parameters" % instance_id)["parameters"]
    assert {name: parameters[name]["value"] for name in ("long_query_time", "max_connections")} == {"long_query_time": "2", "max_connections": "2000"}
    first_writes = writes(emulator)
    assert [method for method, _path in first_writes].count("POST") == 3 and len(first_writes) == 4  # instance, schema, account; parameters
    second = ansible_runner.playbook(playbook, example_vars(emulator, ddm_name="orders-ddm"), env=AKSK)
    for task in ("Make sure the instance exists, and wait until its creation task has completed", "Set the instance's parameters, and wait until they took",
                 "Make sure the schema exists, sharded over the data nodes", "Make sure the application's account exists, with its privileges on the schema"):
        assert second.result(task)["changed"] is False, task
    assert writes(emulator) == first_writes and len(emulator.instances()) == 1
    for secret in SECRETS.values():
        assert secret not in first.stdout + second.stdout


def test_create_instance_example_fails_the_play_when_the_creation_fails(ansible_runner, emulator):
    emulator.instance_settings(create_seconds=1)
    emulator.fail_next("create", fail_reason="Insufficient ECS capacity.")
    command = ansible_runner.playbook_command(os.path.join(EXAMPLES, "create_instance.yml"), example_vars(emulator, ddm_name="broken-ddm"))
    run = ansible_runner.run(command, env=AKSK)
    assert run.rc == 2, run
    shown = run.result("Show what is known of the instance")["msg"]
    assert "Insufficient ECS capacity." in shown["why"] and shown["instance"]["status"] == "CREATEFAILED" and shown["instance"]["id"]
    assert "failed" in run.result("Stop, the instance is not usable")


def test_many_instances_example_creates_without_waiting_then_waits_once(ansible_runner, emulator):
    emulator.instance_settings(create_seconds=3)
    tenants = [{"name": "tenant-%02d" % number} for number in range(4)]
    playbook = os.path.join(EXAMPLES, "gate_on_many_instances.yml")
    run = ansible_runner.playbook(playbook, example_vars(emulator, ddm_instances=tenants), env=AKSK)
    created = run.result("Ask DDM to create each instance, without waiting")["results"]
    assert [item["instance"]["status"] for item in created] == ["CREATING"] * 4 and all(item["job_id"] for item in created)
    waited = run.result("Wait once for every creation task")
    assert waited["counts"] == {"Completed": 4} and [job["id"] for job in waited["jobs"]] == [item["job_id"] for item in created]
    assert len(run.result("Configure each instance")["results"]) == 4
    rerun = ansible_runner.playbook(playbook, example_vars(emulator, ddm_instances=tenants), env=AKSK)
    assert not any(item["changed"] for item in rerun.result("Ask DDM to create each instance, without waiting")["results"])
    assert len(writes(emulator)) == 4
