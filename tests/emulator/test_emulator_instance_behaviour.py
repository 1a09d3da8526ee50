# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the emulator's DDM instances behave over time: one operation at a time, stale reads, failures, forced
statuses, yearly/monthly instances, answers lost after the write, and the control calls."""

from __future__ import annotations

import time

import pytest
import requests

from harness.emulator import EmulatorError
from instance_calls import FAST, api, assert_error, create, create_body, job, running, show, shown, wait_for, wait_job


PREPAID = {"charge_mode": "prePaid", "period_type": "month", "period_num": 1, "is_auto_pay": True}


def resize(emulator, instance_id, spec_code="ddm.c6.xlarge.2"):
    return api(emulator, "PUT", ("v3", "instances/%s/flavor" % instance_id), {"spec_code": spec_code})


def list_item(emulator, instance_id):
    return [item for item in api(emulator, "GET", ("v1", "instances")).json()["instances"] if item["id"] == instance_id][0]


# ----------------------------------------------------------------------------- one operation at a time

def test_a_write_while_busy_is_409(emulator):
    instance_id = running(emulator)
    emulator.instance_settings(operation_seconds=30)
    assert resize(emulator, instance_id).status_code == 200
    body = assert_error(resize(emulator, instance_id, "ddm.c6.2xlarge.2"), 409, "DBS.200019")
    assert "Another operation" in body["error_msg"]
    assert_error(api(emulator, "PUT", ("v1", "instances/%s/modify-name" % instance_id), {"name": "abcd"}), 409, "DBS.200019", "v1")
    assert_error(api(emulator, "POST", ("v2", "instances/%s/action/reduce" % instance_id), {"node_number": 1}), 409, "DBS.200019", "v1")
    assert_error(api(emulator, "DELETE", ("v3", "instances/" + instance_id)), 409, "DBS.200019")
    # Reads are not writes.
    assert show(emulator, instance_id).status_code == 200


def test_a_write_while_busy_can_be_403(emulator):
    instance_id = running(emulator)
    emulator.instance_settings(operation_seconds=30, busy_answer=403)
    assert resize(emulator, instance_id).status_code == 200
    assert_error(resize(emulator, instance_id, "ddm.c6.2xlarge.2"), 403, "DBS.212033")
    assert_error(api(emulator, "PUT", ("v1", "instances/%s/modify-security-group" % instance_id), {"security_group_id": "sg"}),
                 403, "DBS.212033", "v1")


def test_a_creating_instance_is_busy(emulator):
    emulator.instance_settings(create_seconds=30)
    instance_id = create(emulator)["id"]
    assert_error(api(emulator, "DELETE", ("v3", "instances/" + instance_id)), 409, "DBS.200019")


# ----------------------------------------------------------------------------- stale reads

def test_stale_reads_then_busy_status_then_new_values(emulator):
    instance_id = running(emulator)
    emulator.instance_settings(stale_seconds=0.6, operation_seconds=1.2)
    accepted = time.monotonic()
    job_id = resize(emulator, instance_id).json()["job_id"]
    for read in (shown(emulator, instance_id), list_item(emulator, instance_id)):
        assert (read["status"], read["flavor_ref"]) == ("RUNNING", "ddm.c6.large.2")
    # Still refused meanwhile: the instance only looks idle.
    assert resize(emulator, instance_id, "ddm.c6.2xlarge.2").status_code == 409
    assert job(emulator, job_id)["status"] == "Running"
    wait_for(lambda: shown(emulator, instance_id)["status"] == "RESIZING")
    assert time.monotonic() - accepted >= 0.6
    assert list_item(emulator, instance_id)["status"] == "RESIZING"
    assert shown(emulator, instance_id)["flavor_ref"] == "ddm.c6.large.2"
    wait_job(emulator, job_id)
    assert (shown(emulator, instance_id)["status"], shown(emulator, instance_id)["flavor_ref"]) == ("RUNNING", "ddm.c6.xlarge.2")


def test_stale_reads_hide_a_deletion_for_a_while(emulator):
    instance_id = running(emulator)
    emulator.instance_settings(stale_seconds=0.5, delete_seconds=1.0)
    job_id = api(emulator, "DELETE", ("v3", "instances/" + instance_id), params={"delete_dn_data": "false"}).json()["job_id"]
    assert shown(emulator, instance_id)["status"] == "RUNNING"
    wait_for(lambda: shown(emulator, instance_id)["status"] == "DELETING")
    wait_job(emulator, job_id)
    assert show(emulator, instance_id).status_code == 404


def test_a_creation_reads_creating_at_once(emulator):
    emulator.instance_settings(stale_seconds=5, create_seconds=5)
    assert shown(emulator, create(emulator)["id"])["status"] == "CREATING"


# ----------------------------------------------------------------------------- failures

def test_failed_creation(emulator):
    emulator.instance_settings(**FAST)
    emulator.fail_next("create", fail_reason="No resources in cn-north-4a.")
    answer = create(emulator)
    failed = wait_job(emulator, answer["job_id"], "Failed")
    assert failed["name"] == "CreateInstance"
    item = [entry for entry in emulator.jobs() if entry["id"] == answer["job_id"]][0]
    assert item["fail_reason"] == "No resources in cn-north-4a."
    body = shown(emulator, answer["id"])
    assert (body["status"], body["error_msg"], body["node_status"]) == ("CREATEFAILED", "No resources in cn-north-4a.", "ERROR")
    # Only the next creation fails; a failed instance can still be deleted.
    assert wait_job(emulator, create(emulator)["job_id"])["status"] == "Completed"
    assert api(emulator, "DELETE", ("v3", "instances/" + answer["id"])).status_code == 202


def test_failed_operation_leaves_the_instance_running_with_its_old_values(emulator):
    instance_id = running(emulator)
    emulator.fail_next("resize", fail_reason="Resize failed.")
    job_id = resize(emulator, instance_id).json()["job_id"]
    wait_job(emulator, job_id, "Failed")
    body = shown(emulator, instance_id)
    assert (body["status"], body["flavor_ref"]) == ("RUNNING", "ddm.c6.large.2") and "error_msg" not in body
    assert wait_job(emulator, resize(emulator, instance_id).json()["job_id"])["status"] == "Completed"


@pytest.mark.parametrize("operation, call", [
    ("resize", lambda e, i: resize(e, i).json()["job_id"]),
    ("enlarge", lambda e, i: api(e, "POST", ("v3", "instances/%s/nodes" % i),
                                 {"nodes": [{"available_zone": "cn-north-4a"}]}).json()["job_id"]),
    ("reduce", lambda e, i: api(e, "POST", ("v2", "instances/%s/action/reduce" % i), {"node_number": 1}).json()["jobId"]),
    ("delete", lambda e, i: api(e, "DELETE", ("v3", "instances/" + i)).json()["job_id"]),
    ("password", lambda e, i: api(e, "PUT", ("v3", "instances/%s/admin-user" % i),
                                  {"name": "root", "password": "Secret-Passw0rd"}).json()["job_id"]),
])
def test_failed_operation_can_leave_a_failed_status(emulator, operation, call):
    instance_id = running(emulator)
    emulator.fail_next(operation, fail_reason="It went wrong.", status="%s_FAILED" % operation.upper())
    wait_job(emulator, call(emulator, instance_id), "Failed")
    body = shown(emulator, instance_id)
    assert (body["status"], body["error_msg"], body["node_count"]) == ("%s_FAILED" % operation.upper(), "It went wrong.", 2)
    assert_error(resize(emulator, instance_id), 409, "DBS.200019")


def test_forced_statuses(emulator):
    instance_id = running(emulator)
    forced = emulator.set_instance_status(instance_id, "FROZEN", error_msg="Arrears.")
    assert forced["status"] == "FROZEN"
    assert (shown(emulator, instance_id)["status"], shown(emulator, instance_id)["error_msg"]) == ("FROZEN", "Arrears.")
    assert_error(api(emulator, "DELETE", ("v3", "instances/" + instance_id)), 409, "DBS.200019")
    emulator.set_instance_status(instance_id, "ERROR", error_msg="Node lost.")
    assert_error(resize(emulator, instance_id), 409, "DBS.200019")
    assert api(emulator, "DELETE", ("v3", "instances/" + instance_id)).status_code == 202
    emulator.set_instance_status(instance_id, "RUNNING")
    assert "error_msg" not in shown(emulator, instance_id)
    assert resize(emulator, instance_id).status_code == 200


# ----------------------------------------------------------------------------- yearly/monthly instances

def test_prepaid_creation_answers_an_order(emulator):
    emulator.instance_settings(**FAST)
    response = api(emulator, "POST", ("v3", "instances"), create_body(charge_info=PREPAID))
    assert response.status_code == 202 and set(response.json()) == {"order_id"}
    instance = emulator.instances()[0]
    assert instance["order_id"] == response.json()["order_id"] and instance["order_id"]
    assert [entry["name"] for entry in emulator.jobs() if entry["instance_id"] == instance["id"]] == ["CreateInstance"]
    wait_for(lambda: shown(emulator, instance["id"])["status"] == "RUNNING")
    post_paid = api(emulator, "POST", ("v3", "instances"), create_body(charge_info={"charge_mode": "postPaid"}))
    assert set(post_paid.json()) == {"id", "job_id"}


def test_prepaid_changes_leave_unpaid_orders_and_removing_nodes_is_refused(emulator):
    instance_id = running(emulator, order_id="CS2401011200ABCDE", node_count=2)
    resized = resize(emulator, instance_id)
    grown = api(emulator, "POST", ("v3", "instances/%s/nodes" % instance_id), {"nodes": [{"available_zone": "cn-north-4a"}]})
    deleted = api(emulator, "DELETE", ("v3", "instances/" + instance_id), params={"delete_dn_data": "true"})
    assert (resized.status_code, grown.status_code, deleted.status_code) == (200, 202, 202)
    assert all(set(answer.json()) == {"order_id"} for answer in (resized, grown, deleted))
    assert_error(api(emulator, "POST", ("v2", "instances/%s/action/reduce" % instance_id), {"node_number": 1}), 400, "DBS.280001", "v1")
    instance = emulator.instance(instance_id)
    assert [order["operation"] for order in instance["unpaid_orders"]] == ["resize", "enlarge", "delete"]
    assert (instance["status"], instance["flavor_ref"], instance["node_count"]) == ("RUNNING", "ddm.c6.large.2", 2)
    assert [entry for entry in emulator.jobs() if entry["instance_id"] == instance_id] == []


# ----------------------------------------------------------------------------- answers lost after the write

def test_create_applied_then_connection_dropped(emulator):
    emulator.instance_settings(**FAST)
    emulator.add_fault(method="POST", path=r"/instances$", apply=True, drop=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        api(emulator, "POST", ("v3", "instances"), create_body(name="lost-answer"))
    instances = emulator.instances()
    assert [instance["name"] for instance in instances] == ["lost-answer"]
    logged = emulator.api_requests("/instances")[-1]
    assert (logged["status"], logged["applied_status"], logged["fault"]["apply"]) == (None, 202, True)
    wait_for(lambda: shown(emulator, instances[0]["id"])["status"] == "RUNNING")


def test_create_applied_then_gateway_timeout(emulator):
    emulator.instance_settings(**FAST)
    emulator.add_fault(method="POST", path=r"/instances$", apply=True, status=504,
                       json={"error_code": "APIGW.0201", "error_msg": "Gateway timeout", "request_id": None})
    response = api(emulator, "POST", ("v3", "instances"), create_body())
    assert response.status_code == 504 and response.json()["error_code"] == "APIGW.0201"
    assert len(emulator.instances()) == 1
    assert emulator.api_requests("/instances")[-1]["applied_status"] == 202
    # A second send creates a second instance: there is no idempotency token.
    assert create(emulator)["id"] and len(emulator.instances()) == 2


def test_nodes_applied_then_dropped_changes_the_count(emulator):
    instance_id = running(emulator, node_count=2)
    emulator.add_fault(path=r"/nodes$", apply=True, drop=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        api(emulator, "POST", ("v3", "instances/%s/nodes" % instance_id), {"nodes": [{"available_zone": "cn-north-4a"}]})
    wait_for(lambda: emulator.instance(instance_id)["node_count"] == 3)


def test_a_fault_without_apply_does_not_reach_the_api(emulator):
    emulator.add_fault(method="POST", path=r"/instances$", status=504)
    assert api(emulator, "POST", ("v3", "instances"), create_body()).status_code == 504
    assert emulator.instances() == []


# ----------------------------------------------------------------------------- control calls

def test_settings_and_reset(emulator):
    settings = emulator.instance_settings(create_seconds=9, offset_mode="page", busy_answer=403, password_answer="empty")
    assert (settings["create_seconds"], settings["offset_mode"], settings["busy_answer"]) == (9.0, "page", 403)
    emulator.fail_next("delete")
    emulator.set_flavor_status("ddm.c6.large.2", "cn-north-4a", "sellout")
    emulator.add_instance(name="seeded")
    emulator.reset()
    assert emulator.instances() == []
    assert emulator.instance_settings() == {"create_seconds": 3.0, "operation_seconds": 2.0, "delete_seconds": 2.0,
                                            "stale_seconds": 1.0, "offset_mode": "index", "busy_answer": 409,
                                            "password_answer": "job"}
    assert emulator.control("GET", "instances/settings")["fail_next"] == {}
    assert create(emulator, available_zones=["cn-north-4a"])["id"]


@pytest.mark.parametrize("method, path, payload", [
    ("POST", "instances/settings", {"offset_mode": "pages"}),
    ("POST", "instances/settings", {"busy_answer": 500}),
    ("POST", "instances/settings", {"stale_seconds": -1}),
    ("POST", "instances/settings", {"unknown": 1}),
    ("POST", "instances/fail_next", {"operation": "explode"}),
    ("POST", "instances/flavor_status", {"spec_code": "ddm.c6.large.2", "az": "cn-north-4a", "status": "gone"}),
    ("POST", "instances", {"flavor_ref": "nope"}),
    ("POST", "instances", {"available_zones": ["mars-1a"]}),
    ("POST", "instances", {"node_count": 0}),
    ("POST", "instances/bulk", {"count": 0}),
    ("POST", "instances/bulk", {"count": 2, "id": "fixed"}),
    ("POST", "instances/unknown-id/status", {"status": "ERROR"}),
    ("POST", "instances/unknown-id/status", {}),
])
def test_control_refuses_bad_calls(emulator, method, path, payload):
    with pytest.raises(EmulatorError):
        emulator.control(method, path, payload)


def test_seeded_instances_take_any_field(emulator):
    seeded = emulator.add_instance(id="fixed-idin09", name="x", status="BACKUP", order_id="CS1", node_count=4,
                                   available_zones=["cn-north-4b", "cn-north-4c"], flavor_ref="ddm.c6.2xlarge.2", age=3600)
    body = shown(emulator, "fixed-idin09")
    assert (body["status"], body["name"], body["order_id"], body["node_count"]) == ("BACKUP", "x", "CS1", 4)
    assert body["available_zone"] == "cn-north-4b,cn-north-4c" and seeded["node_zones"] == ["cn-north-4b", "cn-north-4c"] * 2
    assert body["created"] < shown(emulator, emulator.add_instance()["id"])["created"]
    assert emulator.add_instances_bulk(3, name="same") == 3
    assert [item["name"] for item in emulator.instances()].count("same") == 3
