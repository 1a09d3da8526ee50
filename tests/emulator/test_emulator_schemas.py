# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema and data node calls of the emulator: shapes, rules, the state machine, the busy rule, lost answers."""

from __future__ import annotations

import json
import re

import pytest
import requests

from config_calls import (FAST_CONFIGURE, configuration, configure_settings, control_schemas, create_schema, data_nodes, delete_schema,
                          fail_next, list_schemas, logins, make_busy, ready, slow, running_schema, schema_body, seed_data_nodes, settled,
                          show_schema)
from ddm_emulator.schemas_state import DATA_NODE_ADMIN_PASSWORD
from instance_calls import api, assert_error, job, wait_for, wait_job


AVAILABLE_KEYS = {"id", "name", "status", "engine_name", "engine_version", "private_ip", "port", "time_zone"}
DETAIL_KEYS = {"name", "status", "created", "updated", "shard_mode", "shard_number", "shards", "data_nodes"}
API_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$")


def available(emulator, instance_id, **params):
    return api(emulator, "GET", ("v3", "instances/%s/available-data-nodes" % instance_id), params=params)


def task_item(emulator, job_id):
    return next(item for item in emulator.jobs() if item["id"] == job_id)


# ----------------------------------------------------------------------------- data nodes

def test_every_instance_offers_default_data_nodes(emulator):
    instance_id = ready(emulator)
    body = available(emulator, instance_id).json()
    assert set(body) == {"data_nodes", "offset", "limit", "total"}
    assert (body["offset"], body["limit"], body["total"]) == (0, 10, 2)
    assert all(set(node) == AVAILABLE_KEYS and node["id"].endswith("in01") and node["status"] == "normal" for node in body["data_nodes"])
    assert isinstance(body["data_nodes"][0]["port"], int)
    # The same ids on every read, different ones for another instance.
    assert available(emulator, instance_id).json() == body
    other = ready(emulator)
    assert not {node["id"] for node in body["data_nodes"]} & {node["id"] for node in available(emulator, other).json()["data_nodes"]}


def test_seeded_data_nodes_page_and_only_usable_ones_are_offered(emulator):
    instance_id = ready(emulator)
    nodes = [{"id": "rds-%02din01" % n, "name": "rds-%d" % n} for n in range(12)]
    nodes.extend([{"id": "sick-in01", "status": "abnormal"}, {"id": "taken-in01", "associated": True}])
    seeded = seed_data_nodes(emulator, instance_id, nodes, replace=True)
    assert len(seeded) == 14 and all("admin_password" not in node for node in seeded)
    first = available(emulator, instance_id).json()
    assert first["total"] == 12 and len(first["data_nodes"]) == 10
    rest = available(emulator, instance_id, offset=10, limit=5).json()
    assert [node["id"] for node in rest["data_nodes"]] == ["rds-10in01", "rds-11in01"]
    assert_error(available(emulator, instance_id, limit=0), 400, "DBS.280001")
    assert_error(available(emulator, instance_id, limit=129), 400, "DBS.280001")


def test_data_nodes_of_a_missing_instance(emulator):
    assert_error(available(emulator, "no-such-instance"), 404, "DBS.200002")


# ----------------------------------------------------------------------------- create, show, list

def test_create_follows_its_task_from_creating_to_running(emulator):
    instance_id = ready(emulator)
    slow(emulator)
    response = create_schema(emulator, instance_id, name="orders", shard_number=5)
    assert response.status_code == 202, response.text
    answer = response.json()
    assert set(answer) == {"job_id", "name"} and answer["name"] == "orders"
    task = job(emulator, answer["job_id"])
    assert task["name"] == "createLogicDb" and task["status"] == "Running" and task["instance"]["id"] == instance_id
    assert task_item(emulator, answer["job_id"])["database_name"] == "orders"
    creating = show_schema(emulator, instance_id, "orders").json()
    assert creating["status"] == "CREATING" and {shard["status"] for shard in creating["shards"]} == {"CREATING"}
    wait_job(emulator, answer["job_id"])
    detail = show_schema(emulator, instance_id, "orders").json()
    assert set(detail) == DETAIL_KEYS
    assert (detail["status"], detail["shard_mode"], detail["shard_number"]) == ("RUNNING", "cluster", 5)
    assert API_TIME.match(detail["created"]) and API_TIME.match(detail["updated"])
    nodes = [node["id"] for node in data_nodes(emulator, instance_id)]
    assert [shard["physical_db_name"] for shard in detail["shards"]] == ["orders_%04d" % n for n in range(5)]
    assert [shard["shard_index"] for shard in detail["shards"]] == list(range(5))
    # Contiguous blocks over the data nodes in their order: 0-2 on the first, 3-4 on the second.
    assert [shard["data_node_id"] for shard in detail["shards"]] == [nodes[0]] * 3 + [nodes[1]] * 2
    assert [node["id"] for node in detail["data_nodes"]] == nodes
    assert set(detail["data_nodes"][0]) == {"id", "status", "name", "engine_name", "engine_version", "mem", "cpu"}


def test_list_is_v1_with_epoch_milliseconds_and_used_rds(emulator):
    instance_id = ready(emulator)
    for name in ("alpha", "beta", "gamma"):
        running_schema(emulator, instance_id, name=name, shard_number=2)
    body = list_schemas(emulator, instance_id).json()
    assert set(body) == {"databases", "total"} and body["total"] == 3
    assert [item["name"] for item in body["databases"]] == ["alpha", "beta", "gamma"]
    item = body["databases"][0]
    assert set(item) == {"name", "shard_mode", "shard_number", "status", "created", "used_rds", "shard_unit"}
    assert isinstance(item["created"], int) and item["created"] > 10 ** 12
    assert (item["shard_unit"], item["status"]) == (1, "RUNNING")
    assert [set(rds) for rds in item["used_rds"]] == [{"id", "name", "status"}] * 2
    paged = list_schemas(emulator, instance_id, offset=1, limit=1).json()
    assert [item["name"] for item in paged["databases"]] == ["beta"] and paged["total"] == 3
    assert_error(list_schemas(emulator, instance_id, limit=200), 400, "DBS.280001", "v1")
    assert_error(list_schemas(emulator, "no-such-instance"), 404, "DBS.200002", "v1")


def test_a_single_schema_has_one_shard_per_data_node(emulator):
    instance_id = ready(emulator)
    assert create_schema(emulator, instance_id, name="flat", shard_mode="single", shard_number=1, count=1).status_code == 202
    assert_error(create_schema(emulator, instance_id, name="flat2", shard_mode="single", shard_number=2, count=1), 400, "DBS.300102")


@pytest.mark.parametrize("name, code", [
    ("a", "DBS.300405"), ("a" * 49, "DBS.300405"), ("Orders", "DBS.300407"), ("1orders", "DBS.300109"), ("_orders", "DBS.300109"),
    ("order-s", "DBS.300109"), ("mysql", "DBS.300406"), ("information_schema", "DBS.300406"), ("sys", "DBS.300406"),
])
def test_names_are_checked(emulator, name, code):
    instance_id = ready(emulator)
    assert_error(create_schema(emulator, instance_id, name=name), 400, code)
    assert control_schemas(emulator, instance_id) == []


def test_name_rules_that_are_settings(emulator):
    instance_id = ready(emulator)
    configure_settings(emulator, schema_exclusive=False)
    assert create_schema(emulator, instance_id, name="a" * 48).status_code == 202
    assert create_schema(emulator, instance_id, name="mysql_orders").status_code == 202
    configure_settings(emulator, schema_name_max=24, schema_keyword_rule="contain")
    assert_error(create_schema(emulator, instance_id, name="b" * 25), 400, "DBS.300405")
    assert_error(create_schema(emulator, instance_id, name="my_sys_log"), 400, "DBS.300406")
    assert create_schema(emulator, instance_id, name="b" * 24).status_code == 202


@pytest.mark.parametrize("changes, code", [
    ({"shard_mode": "sharded"}, "DBS.280001"), ({"shard_number": "4"}, "DBS.280001"), ({"shard_number": 0}, "DBS.280001"),
    ({"shard_number": 1}, "DBS.300102"), ({"shard_number": 129}, "DBS.300102"), ({"dn_instances": []}, "DBS.280001"),
    ({"dn_instances": [{"id": "x"}]}, "DBS.280001"), ({"name": None}, "DBS.280001"),
])
def test_bodies_are_checked(emulator, changes, code):
    instance_id = ready(emulator)
    body = schema_body(emulator, instance_id, **changes)
    assert_error(api(emulator, "POST", ("v3", "instances/%s/databases" % instance_id), body), 400, code)
    assert configuration(emulator, instance_id)["schema_count"] == 0


def test_data_nodes_are_checked(emulator):
    instance_id = ready(emulator)
    seed_data_nodes(emulator, instance_id, [{"id": "sick-in01", "status": "abnormal"}, {"id": "taken-in01", "associated": True}])
    good = logins(emulator, instance_id, 1)[0]
    cases = [([good, good], "DBS.300108"), ([dict(good, id="nope-in01")], "DBS.300103"), ([dict(good, id="sick-in01")], "DBS.300110"),
             ([dict(good, id="taken-in01")], "DBS.300110"), ([dict(good, user_password="wrong")], "DBS.300114")]
    for dn_instances, code in cases:
        body = schema_body(emulator, instance_id, shard_number=2, dn_instances=dn_instances)
        assert_error(api(emulator, "POST", ("v3", "instances/%s/databases" % instance_id), body), 400, code)
    assert control_schemas(emulator, instance_id) == [] and emulator.instance(instance_id)["operation"] is None


def test_a_wrong_login_can_fail_the_task_instead(emulator):
    instance_id = ready(emulator)
    configure_settings(emulator, dn_password_check="task")
    body = schema_body(emulator, instance_id, name="orders", dn_instances=[dict(logins(emulator, instance_id, 1)[0], user_password="wrong")])
    answer = api(emulator, "POST", ("v3", "instances/%s/databases" % instance_id), body).json()
    wait_job(emulator, answer["job_id"], "Failed")
    assert show_schema(emulator, instance_id, "orders").json()["status"] == "CREATE_FAILED"
    assert task_item(emulator, answer["job_id"])["fail_reason"] == "The administrator or password is incorrect."


def test_a_name_in_use_is_refused_in_any_status(emulator):
    instance_id = ready(emulator)
    slow(emulator)
    configure_settings(emulator, schema_exclusive=False)
    running_schema(emulator, instance_id, name="orders")
    assert_error(create_schema(emulator, instance_id, name="orders"), 400, "DBS.300112")
    assert delete_schema(emulator, instance_id, "orders").status_code == 202
    assert show_schema(emulator, instance_id, "orders").json()["status"] == "DELETING"
    assert_error(create_schema(emulator, instance_id, name="orders"), 400, "DBS.300112")


def test_injected_creation_failure(emulator):
    instance_id = ready(emulator)
    fail_next(emulator, "schema_create", "Failed to create a physical database.")
    answer = create_schema(emulator, instance_id, name="orders").json()
    wait_job(emulator, answer["job_id"], "Failed")
    detail = show_schema(emulator, instance_id, "orders").json()
    assert detail["status"] == "CREATE_FAILED"
    assert task_item(emulator, answer["job_id"])["fail_reason"] == "Failed to create a physical database."
    assert control_schemas(emulator, instance_id)[0]["fail_reason"] == "Failed to create a physical database."
    # The instance is not harmed; the failed schema can be deleted, and the name used again.
    settled(emulator, instance_id)
    wait_job(emulator, delete_schema(emulator, instance_id, "orders").json()["job_id"])
    assert create_schema(emulator, instance_id, name="orders").status_code == 202


def test_older_spelling_of_the_failed_status(emulator):
    instance_id = ready(emulator)
    configure_settings(emulator, failed_schema_status="CREATEFAILED")
    fail_next(emulator, "schema_create")
    wait_job(emulator, create_schema(emulator, instance_id).json()["job_id"], "Failed")
    assert show_schema(emulator, instance_id, "orders").json()["status"] == "CREATEFAILED"


# ----------------------------------------------------------------------------- delete

def test_delete_follows_its_task_until_the_schema_is_gone(emulator):
    instance_id = ready(emulator)
    slow(emulator)
    running_schema(emulator, instance_id, name="orders")
    response = delete_schema(emulator, instance_id, "orders", "true")
    assert response.status_code == 202
    answer = response.json()
    assert set(answer) == {"job_id", "database_name"} and answer["database_name"] == "orders"
    assert job(emulator, answer["job_id"])["name"] == "deleteLogicDb"
    assert show_schema(emulator, instance_id, "orders").json()["status"] == "DELETING"
    assert list_schemas(emulator, instance_id).json()["databases"][0]["status"] == "DELETING"
    assert control_schemas(emulator, instance_id)[0]["delete_dn_data"] == [True]
    wait_job(emulator, answer["job_id"])
    assert list_schemas(emulator, instance_id).json() == {"databases": [], "total": 0}
    assert_error(show_schema(emulator, instance_id, "orders"), 400, "DBS.300129")


def test_delete_dn_data_is_mandatory_and_a_missing_schema_answers_as_set(emulator):
    instance_id = ready(emulator)
    assert_error(delete_schema(emulator, instance_id, "orders", None), 400, "DBS.280001")
    assert_error(delete_schema(emulator, instance_id, "orders", "yes"), 400, "DBS.280001")
    assert_error(delete_schema(emulator, instance_id, "orders"), 400, "DBS.300101")
    configure_settings(emulator, missing_schema_answer=404)
    assert_error(delete_schema(emulator, instance_id, "orders"), 404, "DBS.300129")
    assert_error(show_schema(emulator, instance_id, "orders"), 404, "DBS.300129")


def test_a_failed_delete_leaves_the_schema_running(emulator):
    instance_id = ready(emulator)
    running_schema(emulator, instance_id, name="orders")
    fail_next(emulator, "schema_delete", "Failed to delete the shard.")
    wait_job(emulator, delete_schema(emulator, instance_id, "orders").json()["job_id"], "Failed")
    assert show_schema(emulator, instance_id, "orders").json()["status"] == "RUNNING"


def test_a_schema_being_created_cannot_be_deleted(emulator):
    instance_id = ready(emulator)
    slow(emulator)
    configure_settings(emulator, schema_exclusive=False)
    create_schema(emulator, instance_id, name="orders")
    assert_error(delete_schema(emulator, instance_id, "orders"), 400, "DBS.300130")


# ----------------------------------------------------------------------------- the busy rule

def test_a_schema_task_occupies_the_instance(emulator):
    instance_id = ready(emulator)
    slow(emulator)
    answer = create_schema(emulator, instance_id, name="orders").json()
    control = emulator.instance(instance_id)
    assert control["operation"]["job_id"] == answer["job_id"] and control["status"] == "RUNNING"
    assert_error(create_schema(emulator, instance_id, name="second"), 409, "DBS.200019")
    assert_error(api(emulator, "PUT", ("v3", "instances/%s/flavor" % instance_id), {"spec_code": "ddm.c6.xlarge.2"}), 409, "DBS.200019")
    wait_job(emulator, answer["job_id"])
    settled(emulator, instance_id)
    assert create_schema(emulator, instance_id, name="second").status_code == 202


def test_the_busy_answer_and_the_instance_status_are_settings(emulator):
    instance_id = ready(emulator)
    slow(emulator)
    emulator.instance_settings(busy_answer=403)
    configure_settings(emulator, schema_instance_status="CREATE_DATABASE")
    create_schema(emulator, instance_id, name="orders")
    assert api(emulator, "GET", ("v1", "instances/" + instance_id)).json()["status"] == "CREATE_DATABASE"
    assert_error(create_schema(emulator, instance_id, name="second"), 403, "DBS.212033")


def test_schema_tasks_side_by_side_when_not_exclusive(emulator):
    instance_id = ready(emulator)
    configure_settings(emulator, schema_exclusive=False)
    jobs = [create_schema(emulator, instance_id, name=name).json()["job_id"] for name in ("one", "two", "three")]
    assert emulator.instance(instance_id)["operation"] is None
    for job_id in jobs:
        wait_job(emulator, job_id)
    assert [item["status"] for item in list_schemas(emulator, instance_id).json()["databases"]] == ["RUNNING"] * 3


def test_a_busy_or_missing_instance_refuses_schema_writes(emulator):
    instance_id = ready(emulator)
    running_schema(emulator, instance_id, name="orders")
    make_busy(emulator, instance_id, seconds=30, status="BACKUP")
    assert api(emulator, "GET", ("v1", "instances/" + instance_id)).json()["status"] == "BACKUP"
    assert_error(create_schema(emulator, instance_id, name="second"), 409, "DBS.200019")
    assert_error(delete_schema(emulator, instance_id, "orders"), 409, "DBS.200019")
    body = schema_body(emulator, instance_id, name="third")
    assert_error(api(emulator, "POST", ("v3", "instances/no-such-instance/databases"), body), 404, "DBS.200002")
    assert configuration(emulator, instance_id)["schema_count"] == 1


# ----------------------------------------------------------------------------- lost answers

def test_a_creation_whose_answer_is_lost_was_applied(emulator):
    instance_id = ready(emulator)
    emulator.add_fault(method="POST", path=r"/databases$", apply=True, drop=True)
    with pytest.raises(requests.ConnectionError):
        create_schema(emulator, instance_id, name="orders")
    logged = emulator.api_requests("/databases")[-1]
    assert (logged["status"], logged["applied_status"]) == (None, 202)
    assert show_schema(emulator, instance_id, "orders").json()["status"] in ("CREATING", "RUNNING")
    # Sending it again is refused: the instance is busy, then the name is taken.
    assert create_schema(emulator, instance_id, name="orders").status_code in (400, 409)


def test_a_creation_answered_504_after_applying(emulator):
    instance_id = ready(emulator)
    emulator.add_fault(method="POST", path=r"/databases$", apply=True, status=504, body="<html>504 Gateway Time-out</html>")
    assert create_schema(emulator, instance_id, name="orders").status_code == 504
    wait_for(lambda: show_schema(emulator, instance_id, "orders").json().get("status") == "RUNNING")
    assert [item["name"] for item in list_schemas(emulator, instance_id).json()["databases"]] == ["orders"]


def test_a_deletion_whose_answer_is_lost_was_applied(emulator):
    instance_id = ready(emulator)
    running_schema(emulator, instance_id, name="orders")
    emulator.add_fault(method="DELETE", path=r"/databases/", apply=True, drop=True)
    with pytest.raises(requests.ConnectionError):
        delete_schema(emulator, instance_id, "orders")
    wait_for(lambda: list_schemas(emulator, instance_id).json()["total"] == 0)


def test_passwords_of_data_nodes_are_never_shown(emulator):
    instance_id = ready(emulator)
    running_schema(emulator, instance_id, name="orders")
    texts = [show_schema(emulator, instance_id, "orders").text, list_schemas(emulator, instance_id).text,
             available(emulator, instance_id).text, json.dumps(configuration(emulator, instance_id)), json.dumps(emulator.jobs())]
    assert all(DATA_NODE_ADMIN_PASSWORD not in text for text in texts)


def test_fast_settings_are_what_the_helpers_set(emulator):
    ready(emulator)
    settings = configure_settings(emulator)
    assert all(settings[key] == value for key, value in FAST_CONFIGURE.items())
