# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ddm_schema and ddm_schema_info against the emulator with real ansible-playbook runs: the issue's promises, each
checked through the emulator's request log and its own view of the schemas."""

from __future__ import annotations

import json
import re

from schema_cases import (  # pylint: disable=import-error
    DN_PASSWORD, INFO_MODULE, assert_failed, assert_ok, configure_settings, data_node_ids, fail_next, info_case, logins, make_busy,
    schema_case, schema_path, schemas, seed_data_nodes, seed_instance, writes, run_schema_cases,
)


def create_options(node_ids, **changes):
    """The options that create the schema ``orders`` with 4 shards over ``node_ids``, with ``changes``."""
    options = {"name": "orders", "shard_number": 4, "data_nodes": logins(node_ids)}
    options.update(changes)
    return options


def test_creates_once_a_second_run_sends_nothing_and_a_delete_lets_the_name_be_reused(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    nodes = data_node_ids(emulator, instance_id)
    options = create_options(nodes)
    cases = [schema_case(emulator, "create", instance_id, **options), schema_case(emulator, "again", instance_id, **options),
             # By exact name over the instance list, as the account and parameter modules find it too.
             schema_case(emulator, "by-name", None, instance_name="orders-ddm", **options)]

    results = run_schema_cases(ansible_runner, cases)[0]

    created = results["create"]
    assert_ok(created, True)
    assert created["actions"] == ["create"] and created["job_ids"] == [created["job_id"]] and created["job"]["status"] == "Completed"
    schema = created["schema"]
    assert (schema["name"], schema["status"], schema["shard_mode"], schema["shard_number"]) == ("orders", "RUNNING", "cluster", 4)
    assert [node["id"] for node in schema["data_nodes"]] == nodes and set(schema["data_nodes"][0]) == {"id", "name", "status"}
    assert [shard["physical_db_name"] for shard in schema["shards"]] == ["orders_%04d" % index for index in range(4)]
    assert set(schema["shards"][0]) == {"data_node_id", "physical_db_name", "status", "shard_index"} and schema["created"]
    for label in ("again", "by-name"):
        assert_ok(results[label], False)
        assert results[label]["job_ids"] == [] and results[label]["schema"]["status"] == "RUNNING"
    # One write in all: the v3 creation.
    assert writes(emulator) == [("POST", schema_path(instance_id), 202)]

    emulator.clear_requests()
    cases = [schema_case(emulator, "delete", instance_id, name="orders", state="absent"),
             schema_case(emulator, "recreate", instance_id, **options),
             schema_case(emulator, "info", instance_id, name="orders")]
    results = run_schema_cases(ansible_runner, cases[:2])[0]
    assert_ok(results["delete"], True)
    assert "schema" not in results["delete"] and results["delete"]["job"]["status"] == "Completed"
    # The delete was awaited until the name left the list: the creation right after did not collide (DBS.300112).
    assert_ok(results["recreate"], True)
    assert writes(emulator) == [("DELETE", schema_path(instance_id, "orders"), 202), ("POST", schema_path(instance_id), 202)]


def test_info_lists_reads_one_and_offers_data_nodes(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    nodes = data_node_ids(emulator, instance_id)
    run_schema_cases(ansible_runner, [schema_case(emulator, "create", instance_id, **create_options(nodes))])
    emulator.clear_requests()
    cases = [info_case(emulator, "list", instance_id, available_data_nodes=True), info_case(emulator, "one", instance_id, name="orders"),
             info_case(emulator, "none", instance_id, name="nothing"), info_case(emulator, "by-name", None, instance_name="orders-ddm")]

    results = ansible_runner.run_cases(cases, module=INFO_MODULE)[0]

    listed = results["list"]
    assert_ok(listed, False)
    assert [schema["name"] for schema in listed["schemas"]] == ["orders"] and "shards" not in listed["schemas"][0]
    assert [node["id"] for node in listed["schemas"][0]["data_nodes"]] == nodes
    assert [node["id"] for node in listed["available_data_nodes"]] == nodes
    assert set(listed["available_data_nodes"][0]) == {"id", "name", "status", "engine_version", "private_ip", "port"}
    assert len(results["one"]["schemas"][0]["shards"]) == 4 and results["none"]["schemas"] == []
    assert [schema["name"] for schema in results["by-name"]["schemas"]] == ["orders"]
    assert writes(emulator) == []


def test_fixed_settings_that_differ_fail_naming_each_and_nothing_is_sent(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    nodes = data_node_ids(emulator, instance_id)
    run_schema_cases(ansible_runner, [schema_case(emulator, "create", instance_id, **create_options(nodes))])
    emulator.clear_requests()
    cases = [schema_case(emulator, "shards", instance_id, **create_options(nodes, shard_number=8)),
             schema_case(emulator, "all", instance_id, **create_options(nodes[:1], shard_mode="single", shard_number=1))]

    results = run_schema_cases(ansible_runner, cases)[0]

    assert_failed(results["shards"], "schema orders of DDM instance orders-ddm (%s) cannot change: shard_number is 4, not 8." % instance_id,
                  "nothing was sent")
    assert_failed(results["all"], "shard_mode is cluster, not single; shard_number is 4, not 1; data_nodes are %s, not %s." % (
        ", ".join(sorted(nodes)), nodes[0]))
    assert results["all"]["schema"]["shard_number"] == 4
    assert writes(emulator) == []
    assert [(schema["name"], schema["shard_number"]) for schema in schemas(emulator, instance_id)] == [("orders", 4)]


def test_bad_input_fails_before_any_write(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    nodes = data_node_ids(emulator, instance_id)
    [taken] = seed_data_nodes(emulator, instance_id, [{"id": "rds-elsewhere-in01", "associated": True}], replace=True)
    cases = [schema_case(emulator, "upper", instance_id, **create_options(nodes, name="Orders")),
             schema_case(emulator, "reserved", instance_id, **create_options(nodes, name="mysql")),
             schema_case(emulator, "too-many-shards", instance_id, **create_options(nodes, shard_number=129)),
             schema_case(emulator, "single", instance_id, **create_options(nodes, shard_mode="single")),
             schema_case(emulator, "not-offered", instance_id, **create_options([taken["id"]], shard_number=1)),
             schema_case(emulator, "no-nodes", instance_id, name="orders", shard_number=2)]

    results = run_schema_cases(ansible_runner, cases)[0]

    assert_failed(results["upper"], "name must have 2 to 48 characters: a lower-case letter, then lower-case letters, digits and '_'")
    assert_failed(results["reserved"], "name must not be one of information_schema, mysql, performance_schema, sys")
    assert_failed(results["too-many-shards"], "shard_number must be between 2 and 128 for 2 data node(s), got 129")
    assert_failed(results["single"], "shard_number must be 2 for 2 data node(s), got 4")
    assert_failed(results["not-offered"], "data_nodes: rds-elsewhere-in01 is not offered by DDM instance orders-ddm", "(offered: none)")
    assert_failed(results["no-nodes"], "schema orders does not exist; creating it needs data_nodes")
    assert writes(emulator) == [] and schemas(emulator, instance_id) == []


def test_a_lost_creation_answer_is_adopted_without_a_second_post(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    nodes = data_node_ids(emulator, instance_id)
    emulator.add_fault(method="POST", path="/instances/%s/databases$" % instance_id, apply=True, drop=True)
    options = create_options(nodes)

    results = run_schema_cases(ansible_runner, [schema_case(emulator, "lost", instance_id, **options),
                                                schema_case(emulator, "later", instance_id, **options)])[0]

    lost = results["lost"]
    assert_ok(lost, True)
    assert lost["schema"]["status"] == "RUNNING"
    assert any("was lost" in warning and "found by name and adopted" in warning for warning in lost.get("warnings", [])), lost
    assert_ok(results["later"], False)
    assert [(method, path) for method, path, _status in writes(emulator)] == [("POST", schema_path(instance_id))]


def test_a_failed_task_or_schema_fails_with_the_schema_and_the_reason(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    nodes = data_node_ids(emulator, instance_id)
    fail_next(emulator, "schema_create", fail_reason="The RDS instance is being backed up.")

    results = run_schema_cases(ansible_runner, [schema_case(emulator, "failed", instance_id, **create_options(nodes))])[0]

    failed = results["failed"]
    assert_failed(failed, "ended with status Failed: The RDS instance is being backed up.")
    assert failed["schema"]["name"] == "orders" and failed["schema"]["status"] == "CREATE_FAILED"
    assert failed["job"]["fail_reason"] == "The RDS instance is being backed up." and failed["job_ids"] == [failed["job_id"]]

    # The older spelling, and a wrong data node login that only the task finds out: a second run fails on the failed schema.
    configure_settings(emulator, failed_schema_status="CREATEFAILED", dn_password_check="task")
    options = create_options(nodes, name="ledger", data_nodes=logins(nodes, password="Wrong-Passw0rd-1"))
    results = run_schema_cases(ansible_runner, [schema_case(emulator, "login", instance_id, **options),
                                                schema_case(emulator, "again", instance_id, **options)])[0]
    assert_failed(results["login"], "The administrator or password is incorrect.")
    assert results["login"]["schema"]["status"] == "CREATEFAILED"
    assert_failed(results["again"], "schema ledger of DDM instance orders-ddm (%s) is CREATEFAILED: it cannot be used (state: absent deletes it)"
                  % instance_id)


def test_delete_keeps_the_data_unless_asked_and_survives_both_readings_of_a_missing_schema(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    nodes = data_node_ids(emulator, instance_id)
    cases = [schema_case(emulator, "create-a", instance_id, **create_options(nodes, name="keep_a")),
             schema_case(emulator, "create-b", instance_id, **create_options(nodes, name="purge_b")),
             schema_case(emulator, "delete-a", instance_id, name="keep_a", state="absent"),
             schema_case(emulator, "delete-b", instance_id, name="purge_b", state="absent", delete_data=True),
             schema_case(emulator, "gone-400", instance_id, name="keep_a", state="absent")]
    results = run_schema_cases(ansible_runner, cases)[0]
    for label, changed in (("delete-a", True), ("delete-b", True), ("gone-400", False)):
        assert_ok(results[label], changed)
    deletes = [(entry["path"].rsplit("/", 1)[1], entry["params"]) for entry in emulator.api_requests("/databases/") if entry["method"] == "DELETE"]
    assert deletes == [("keep_a", {"delete_dn_data": "false"}), ("purge_b", {"delete_dn_data": "true"})]
    assert schemas(emulator, instance_id) == []

    configure_settings(emulator, missing_schema_answer=404)
    emulator.clear_requests()
    cases = [schema_case(emulator, "gone-404", instance_id, name="keep_a", state="absent"),
             schema_case(emulator, "create-404", instance_id, **create_options(nodes, name="keep_a"))]
    results = run_schema_cases(ansible_runner, cases)[0]
    assert_ok(results["gone-404"], False)
    assert_ok(results["create-404"], True)
    assert [method for method, _path, _status in writes(emulator)] == ["POST"]


def test_a_busy_instance_is_waited_for_with_wait_and_named_without(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    nodes = data_node_ids(emulator, instance_id)
    # Long enough that Ansible's start-up on a loaded machine cannot outrun it; the waiting case waits for it to end.
    make_busy(emulator, instance_id, seconds=15, status="BACKUP")
    results = run_schema_cases(ansible_runner, [schema_case(emulator, "no-wait", instance_id, wait=False, **create_options(nodes)),
                                                schema_case(emulator, "wait", instance_id, **create_options(nodes))])[0]
    assert_failed(results["no-wait"], "DDM instance orders-ddm (%s) is BACKUP: another operation is under way; set wait: true" % instance_id)
    assert_ok(results["wait"], True)
    assert [method for method, _path, _status in writes(emulator)] == ["POST"]

    # A schema task occupies the instance (refused with 409 DBS.200019 while the instance still reads RUNNING): a second
    # creation right after one without wait is refused; with wait it is sent again once the first task ends.
    configure_settings(emulator, schema_create_seconds=10.0)
    emulator.clear_requests()
    results = run_schema_cases(ansible_runner, [schema_case(emulator, "first", instance_id, wait=False, **create_options(nodes, name="first")),
                                                schema_case(emulator, "refused", instance_id, wait=False, **create_options(nodes, name="second")),
                                                schema_case(emulator, "queued", instance_id, **create_options(nodes, name="second"))])[0]
    assert_ok(results["first"], True)
    assert results["first"]["schema"]["status"] == "CREATING" and "job" not in results["first"]
    assert_failed(results["refused"], "is busy (HTTP 409 DBS.200019", "set wait: true to wait for the other operation to end")
    assert_ok(results["queued"], True)
    posted = [(path, status) for method, path, status in writes(emulator) if method == "POST"]
    assert posted[0] == (schema_path(instance_id), 202) and posted[-1] == (schema_path(instance_id), 202)
    assert {status for _path, status in posted[1:-1]} == {409}
    assert sorted(schema["name"] for schema in schemas(emulator, instance_id)) == ["first", "orders", "second"]


def test_wait_timeout_bounds_the_whole_run(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    configure_settings(emulator, schema_create_seconds=30.0)
    options = create_options(data_node_ids(emulator, instance_id), wait_timeout=3)
    results = run_schema_cases(ansible_runner, [schema_case(emulator, "slow", instance_id, **options)])[0]
    assert_failed(results["slow"], "Timed out (wait_timeout, 3 s, bounds the whole run)")
    assert results["slow"]["schema"]["status"] == "CREATING" and results["slow"]["job_ids"]


def test_check_mode_writes_nothing_and_diff_shows_no_login(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    nodes = data_node_ids(emulator, instance_id)
    cases = [schema_case(emulator, "create", instance_id, **create_options(nodes))]
    results = run_schema_cases(ansible_runner, cases, check=True)[0]
    assert_ok(results["create"], True)
    assert results["create"]["planned"] == ["create"] and results["create"]["actions"] == [] and writes(emulator) == []
    assert schemas(emulator, instance_id) == []


def test_data_node_passwords_stay_secret_at_every_verbosity(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    nodes = data_node_ids(emulator, instance_id)
    secret_nodes = logins(nodes)
    cases = [schema_case(emulator, "create", instance_id, name="orders", shard_number=2),
             schema_case(emulator, "wrong", instance_id, name="ledger", shard_number=2),
             schema_case(emulator, "differ", instance_id, name="orders", shard_number=3)]
    command = ansible_runner.cases_command(cases, defaults={"data_nodes": secret_nodes}, verbosity=4, module="huaweicloud.cloud.ddm_schema")
    # With --diff: the diff must hold no login either.
    run = ansible_runner.run(command + ["--diff"])
    text = run.stdout + run.stderr
    assert DN_PASSWORD not in text
    assert "DDM job" in text or '"job_id"' in text


def test_live_progress_lines_name_the_instance_the_operation_and_the_task(ansible_runner, emulator, tmp_path):
    instance_id = seed_instance(emulator)
    configure_settings(emulator, schema_create_seconds=3.0)
    nodes = data_node_ids(emulator, instance_id)
    playbook = tmp_path / "schema.yml"
    task = {"huaweicloud.cloud.ddm_schema": dict(schema_case(emulator, "x", instance_id, **create_options(nodes)))}
    task["huaweicloud.cloud.ddm_schema"].pop("case")
    playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": [dict(name="Create", **task)]}]), encoding="utf-8")

    run = ansible_runner.run(ansible_runner.playbook_command(str(playbook)), json_output=False)

    assert run.rc == 0, run
    pattern = r"^\[localhost\] DDM instance orders-ddm \(%s\), create schema orders: DDM job \S+ \(createLogicDb\): (\w+)" % instance_id
    assert "Running" in re.findall(pattern, run.stdout, re.MULTILINE), run.stdout
    assert DN_PASSWORD not in run.stdout + run.stderr


def test_data_nodes_of_the_instance_schemas_are_accepted_whether_or_not_still_offered(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    nodes = data_node_ids(emulator, instance_id)
    # The other reading: data nodes a schema uses are no longer offered for new schemas.
    configure_settings(emulator, offer_used_data_nodes=False)
    cases = [schema_case(emulator, "orders", instance_id, **create_options(nodes)),
             schema_case(emulator, "ledger", instance_id, **create_options(nodes[:1], name="ledger", shard_number=2))]
    results = run_schema_cases(ansible_runner, cases)[0]
    assert_ok(results["orders"], True)
    assert_ok(results["ledger"], True)
    assert [node["id"] for node in results["ledger"]["schema"]["data_nodes"]] == nodes[:1]
    offered = ansible_runner.run_cases([info_case(emulator, "offered", instance_id, available_data_nodes=True)], module=INFO_MODULE)[0]
    assert offered["offered"]["available_data_nodes"] == []
