# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema examples run as pasted against the emulator: the ``ansible-doc`` examples of ddm_schema and
ddm_schema_info, and examples/configure_schema.yml (a second run changes nothing)."""

from __future__ import annotations

import os

from harness.emulator import ACCESS_KEY, SECRET_KEY  # pylint: disable=import-error
from schema_cases import (  # pylint: disable=import-error
    DN_PASSWORD, configure_settings, data_node_ids, logins, schema_case, schemas, seed_instance, writes, run_schema_cases,
)
from test_doc_examples import guide_snippet, module_examples, ran, run_tasks  # pylint: disable=import-error

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "examples")
AKSK = {"HW_ACCESS_KEY": ACCESS_KEY, "HW_SECRET_KEY": SECRET_KEY}


def test_ddm_schema_examples_create_use_and_delete(ansible_runner, emulator, tmp_path):
    instance_id = seed_instance(emulator)
    run = run_tasks(ansible_runner, emulator, tmp_path, module_examples("ddm_schema"),
                    {"ddm_instance_id": instance_id, "rds_admin_password": DN_PASSWORD})
    assert run.rc == 0, run
    [created] = ran(run, "Create a schema with 8 shards over the first two of them")
    assert created["changed"] is True and created["schema"]["status"] == "RUNNING" and len(created["schema"]["shards"]) == 8
    [used] = ran(run, "Use it")
    assert used["msg"] == "orders is RUNNING with 8 shards"
    [deleted] = ran(run, "Delete it, keeping its data on the data nodes")
    assert deleted["changed"] is True and schemas(emulator, instance_id) == []
    assert [entry["params"] for entry in emulator.api_requests("/databases/orders") if entry["method"] == "DELETE"] == [{"delete_dn_data": "false"}]
    assert DN_PASSWORD not in run.stdout + run.stderr


def test_ddm_schema_info_examples_list_read_and_offer(ansible_runner, emulator, tmp_path):
    instance_id = seed_instance(emulator)
    nodes = data_node_ids(emulator, instance_id)
    run_schema_cases(ansible_runner, [schema_case(emulator, "orders", instance_id, name="orders", shard_number=2, data_nodes=logins(nodes))])
    run = run_tasks(ansible_runner, emulator, tmp_path, module_examples("ddm_schema_info"))
    assert run.rc == 0, run
    assert [schema["name"] for schema in ran(run, "List the schemas of an instance")[0]["schemas"]] == ["orders"]
    assert ran(run, "Show where its shards are")[0]["msg"] == ["orders_0000", "orders_0001"]
    assert [node["id"] for node in ran(run, "List the data nodes the instance offers for new schemas")[0]["available_data_nodes"]] == nodes


def test_configure_schema_example_creates_one_after_another_then_many_at_once(ansible_runner, emulator):
    main = seed_instance(emulator, name="main-ddm")
    tenants = [seed_instance(emulator, name="tenant-%02d" % number) for number in range(3)]
    # Each schema task occupies its instance (the reference: one operation per instance at a time).
    configure_settings(emulator, schema_exclusive=True, schema_create_seconds=2.0)
    variables = {"ddm_instance_id": main, "rds_admin_password": DN_PASSWORD, "tenant_instance_ids": tenants, "hw_ddm_endpoint": emulator.url,
                 "hw_iam_endpoint": emulator.url, "ddm_wait_timeout": 60}
    playbook = os.path.join(EXAMPLES, "configure_schema.yml")

    run = ansible_runner.playbook(playbook, variables, env=AKSK)

    created = run.result("Create the schemas one after another, each once its task has completed and it reads RUNNING")["results"]
    assert [(item["schema"]["name"], item["schema"]["status"], item["schema"]["shard_number"]) for item in created] == [
        ("orders", "RUNNING", 8), ("customers", "RUNNING", 8)]
    started = run.result("Start one schema on each tenant instance, without waiting (the instances work side by side)")["results"]
    assert [item["schema"]["status"] for item in started] == ["CREATING"] * 3
    waited = run.result("Wait once for every tenant schema's task")
    assert waited["counts"] == {"Completed": 3} and [job["id"] for job in waited["jobs"]] == [item["job_id"] for item in started]
    assert all(schema["status"] == "RUNNING" for tenant in tenants for schema in schemas(emulator, tenant))
    assert DN_PASSWORD not in run.stdout + run.stderr
    # Never refused as busy: the creates on one instance came one after another.
    assert {status for _method, _path, status in writes(emulator)} == {202}

    rerun = ansible_runner.playbook(playbook, variables, env=AKSK)
    assert not any(item["changed"] for item in rerun.result(
        "Create the schemas one after another, each once its task has completed and it reads RUNNING")["results"])
    assert "skip_reason" in rerun.result("Wait once for every tenant schema's task")
    assert len(writes(emulator)) == 5


def test_user_guide_schema_snippets_run_as_pasted(ansible_runner, emulator, tmp_path):
    main = seed_instance(emulator, name="main-ddm")
    tenants = [seed_instance(emulator, name="tenant-%02d" % number) for number in range(2)]
    first = guide_snippet("List the data nodes the instance offers for new schemas")
    many = guide_snippet("Start one schema on each tenant instance, without waiting")
    variables = {"ddm_instance_id": main, "rds_admin_password": DN_PASSWORD,
                 "tenants": [{"id": tenant, "data_node_id": data_node_ids(emulator, tenant)[0]} for tenant in tenants]}

    run = run_tasks(ansible_runner, emulator, tmp_path, first + many, variables)

    assert run.rc == 0, run
    [created] = ran(run, "Create a schema with 8 shards over two data nodes")
    assert created["schema"]["status"] == "RUNNING" and created["schema"]["shard_number"] == 8
    [waited] = ran(run, "Wait once for all their tasks")
    assert waited["counts"] == {"Completed": 2}
    assert [[schema["name"] for schema in schemas(emulator, tenant)] for tenant in tenants] == [["tenant"], ["tenant"]]
    assert DN_PASSWORD not in run.stdout + run.stderr
