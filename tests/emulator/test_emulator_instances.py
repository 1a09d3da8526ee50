# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DDM instance calls of the emulator: every route, its answer's shape, its parameter checks."""

from __future__ import annotations

import json
import re

import pytest

from harness import emulator as harness
from instance_calls import FAST, api, assert_error, create, create_body, job, running, show, shown, wait_for, wait_job


SHOW_KEYS = {"id", "status", "name", "created", "updated", "available_zone", "vpc_id", "subnet_id", "security_group_id", "node_count",
             "access_ip", "access_port", "node_status", "core_count", "ram_capacity", "project_id", "order_id", "enterprise_project_id",
             "engine_version", "nodes", "admin_user_name", "enable_ssl", "flavor_ref"}
NODE_KEYS = {"status", "port", "ip", "group_id", "node_id"}
PASSWORD = "Secret-Passw0rd"


# ----------------------------------------------------------------------------- create and show

def test_create_answers_id_and_job_and_the_instance_is_created(emulator):
    emulator.instance_settings(**FAST)
    answer = create(emulator, admin_user_name="root", admin_user_password=PASSWORD, time_zone="UTC+08:00")
    assert set(answer) == {"id", "job_id"}
    task = job(emulator, answer["job_id"])
    assert task["name"] == "CreateInstance" and task["status"] == "Running"
    assert task["instance"] == {"id": answer["id"], "name": "ddm-test-1"}
    creating = shown(emulator, answer["id"])
    assert creating["status"] == "CREATING"
    wait_job(emulator, answer["job_id"])
    body = shown(emulator, answer["id"])
    assert set(body) == SHOW_KEYS
    assert body["status"] == "RUNNING" and body["node_status"] == "RUNNING"
    assert body["available_zone"] == "cn-north-4a,cn-north-4b"
    assert body["node_count"] == 2 and len(body["nodes"]) == 2
    assert all(set(node) == NODE_KEYS and node["port"] == "5066" for node in body["nodes"])
    assert (body["access_port"], body["core_count"], body["ram_capacity"]) == ("5066", "2", "4")
    assert (body["flavor_ref"], body["engine_version"], body["order_id"]) == ("ddm.c6.large.2", harness.ENGINE_VERSIONS[-1], "")
    assert (body["admin_user_name"], body["enterprise_project_id"], body["enable_ssl"]) == ("root", "0", False)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$", body["created"])
    control = emulator.instance(answer["id"])
    assert control["time_zone"] == "UTC+08:00" and control["admin_password_set"] is True
    # The password is never shown, by the API or the control API.
    for text in (show(emulator, answer["id"]).text, api(emulator, "GET", ("v1", "instances")).text, json.dumps(emulator.instances())):
        assert PASSWORD not in text


def test_duplicate_names_are_allowed(emulator):
    emulator.instance_settings(**FAST)
    first, second = create(emulator, name="same-name"), create(emulator, name="same-name")
    assert first["id"] != second["id"]
    listed = api(emulator, "GET", ("v1", "instances")).json()["instances"]
    assert [item["name"] for item in listed] == ["same-name", "same-name"]


@pytest.mark.parametrize("changes", [
    {"name": None}, {"name": "abc"}, {"name": "1abcd"}, {"name": "ab cd"}, {"name": "a" * 65},
    {"available_zones": []}, {"available_zones": "cn-north-4a"}, {"available_zones": ["cn-north-4z"]},
    {"node_num": 0}, {"node_num": "2"}, {"node_num": True}, {"node_num": 33}, {"engine_version": "9.9"}, {"engine_version": None},
    {"flavor_ref": "ddm.nope"}, {"flavor_ref": None}, {"vpc_id": None}, {"subnet_id": ""}, {"security_group_id": 5},
    {"time_zone": "Europe/Paris"}, {"admin_user_name": "root"}, {"admin_user_name": "root", "admin_user_password": "weak"},
    {"charge_info": {"charge_mode": "monthly"}}, {"charge_info": {"charge_mode": "prePaid", "period_type": "month"}},
    {"flavor_ref": "ddm.kc1.large.2", "available_zones": ["cn-north-4c"]},
])
def test_create_refuses_bad_parameters(emulator, changes):
    response = api(emulator, "POST", ("v3", "instances"), create_body(**changes))
    assert_error(response, 400, "DBS.280001")
    assert emulator.instances() == []


def test_create_refuses_a_body_that_is_not_an_object(emulator):
    assert_error(api(emulator, "POST", ("v3", "instances"), b"[1, 2]"), 400, "DBS.280001")
    assert_error(api(emulator, "POST", ("v3", "instances"), b"{not json"), 400, "DBS.280001")


def test_create_refuses_a_flavor_sold_out_in_one_of_its_zones(emulator):
    emulator.set_flavor_status("ddm.c6.large.2", "cn-north-4b", "sellout")
    assert_error(api(emulator, "POST", ("v3", "instances"), create_body()), 400, "DBS.280001")
    assert create(emulator, available_zones=["cn-north-4a"])["id"]


def test_show_unknown_instance_is_404_in_the_v1_shape(emulator):
    body = assert_error(show(emulator, "no-such-instance"), 404, "DBS.200002", "v1")
    assert body["externalMessage"] == "The DB instance does not exist."


def test_instances_of_another_project_are_not_seen(emulator):
    other = emulator.add_instance(project_id="99999999999999999999999999999999")["id"]
    assert show(emulator, other).status_code == 404
    assert api(emulator, "GET", ("v1", "instances")).json()["total_record"] == 0


def test_error_msg_is_shown_only_when_there_is_one(emulator):
    instance = emulator.add_instance(status="ERROR", error_msg="node lost")
    assert shown(emulator, instance["id"])["error_msg"] == "node lost"
    assert "error_msg" not in shown(emulator, emulator.add_instance()["id"])


# ----------------------------------------------------------------------------- list

def test_list_pages_by_index_newest_first(emulator):
    emulator.add_instances_bulk(25, name_prefix="bulk-")
    first = api(emulator, "GET", ("v1", "instances")).json()
    assert set(first) == {"instances", "instance_num", "page_no", "page_size", "total_record", "total_page"}
    assert (first["instance_num"], first["page_no"], first["page_size"], first["total_record"], first["total_page"]) == (10, 1, 10, 25, 3)
    assert first["instances"][0]["name"] == "bulk-00025"
    assert all("nodes" not in item and "admin_user_name" not in item for item in first["instances"])
    last = api(emulator, "GET", ("v1", "instances"), params={"offset": 20, "limit": 10}).json()
    assert [item["name"] for item in last["instances"]] == ["bulk-%05d" % n for n in range(5, 0, -1)]
    assert last["page_no"] == 3
    odd = api(emulator, "GET", ("v1", "instances"), params={"offset": 3, "limit": 4}).json()
    assert [item["name"] for item in odd["instances"]] == ["bulk-00022", "bulk-00021", "bulk-00020", "bulk-00019"]
    beyond = api(emulator, "GET", ("v1", "instances"), params={"offset": 100, "limit": 128}).json()
    assert beyond["instances"] == [] and beyond["total_record"] == 25


def test_list_offset_as_a_page_number(emulator):
    emulator.add_instances_bulk(25, name_prefix="bulk-")
    emulator.instance_settings(offset_mode="page")

    def names(offset):
        page = api(emulator, "GET", ("v1", "instances"), params={"offset": offset, "limit": 10}).json()
        return [item["name"] for item in page["instances"]]
    assert names(0) == names(1) == ["bulk-%05d" % n for n in range(25, 15, -1)]
    assert names(3) == ["bulk-%05d" % n for n in range(5, 0, -1)]
    assert names(4) == []
    assert api(emulator, "GET", ("v1", "instances"), params={"offset": 2, "limit": 10}).json()["page_no"] == 2


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 129}, {"limit": "x"}, {"offset": -1}, {"offset": "1.5"}])
def test_list_refuses_bad_paging(emulator, params):
    assert_error(api(emulator, "GET", ("v1", "instances"), params=params), 400, "DBS.280001", "v1")


def test_list_of_ten_thousand_instances(emulator):
    assert emulator.add_instances_bulk(10000, name_prefix="perf-", node_count=1) == 10000
    page = api(emulator, "GET", ("v1", "instances"), params={"offset": 9990, "limit": 128}).json()
    assert page["total_record"] == 10000 and page["total_page"] == 79
    assert [item["name"] for item in page["instances"]] == ["perf-%05d" % n for n in range(10, 0, -1)]


# ----------------------------------------------------------------------------- delete

def test_delete_runs_a_task_then_the_instance_is_gone(emulator):
    instance_id = running(emulator, name="to-delete")
    response = api(emulator, "DELETE", ("v3", "instances/" + instance_id), params={"delete_dn_data": "true"})
    assert response.status_code == 202 and set(response.json()) == {"job_id"}
    task = job(emulator, response.json()["job_id"])
    assert (task["name"], task["instance"]) == ("DeleteInstance", {"id": instance_id, "name": "to-delete"})
    assert shown(emulator, instance_id)["status"] == "DELETING"
    assert emulator.instance(instance_id)["delete_dn_data"] == ["true"]
    logged = [entry for entry in emulator.api_requests("/instances/" + instance_id) if entry["method"] == "DELETE"][-1]
    assert logged["params"] == {"delete_dn_data": "true"} and logged["query"] == "delete_dn_data=true"
    wait_job(emulator, response.json()["job_id"])
    assert_error(show(emulator, instance_id), 404, "DBS.200002", "v1")
    assert emulator.instance(instance_id) is None
    assert_error(api(emulator, "DELETE", ("v3", "instances/" + instance_id)), 404, "DBS.200002")


def test_delete_records_what_was_sent_and_refuses_other_values(emulator):
    instance_id = running(emulator)
    assert_error(api(emulator, "DELETE", ("v3", "instances/" + instance_id), params={"delete_dn_data": "yes"}), 400, "DBS.280001")
    assert api(emulator, "DELETE", ("v3", "instances/" + instance_id)).status_code == 202
    assert emulator.instance(instance_id)["delete_dn_data"] == [None]


# ----------------------------------------------------------------------------- flavor, nodes, admin

def test_resize_flavor(emulator):
    instance_id = running(emulator)
    path = ("v3", "instances/%s/flavor" % instance_id)
    assert_error(api(emulator, "PUT", path, {"spec_code": "ddm.c6.large.2"}), 400, "DBS.280001")
    assert_error(api(emulator, "PUT", path, {"spec_code": "ddm.c9.huge"}), 400, "DBS.280001")
    assert_error(api(emulator, "PUT", path, {}), 400, "DBS.280001")
    response = api(emulator, "PUT", path, {"spec_code": "ddm.c6.xlarge.2"})
    assert response.status_code == 200 and set(response.json()) == {"job_id"}
    assert job(emulator, response.json()["job_id"])["name"] == "ResizeFlavor"
    assert shown(emulator, instance_id)["status"] == "RESIZING"
    assert shown(emulator, instance_id)["flavor_ref"] == "ddm.c6.large.2"
    wait_job(emulator, response.json()["job_id"])
    body = shown(emulator, instance_id)
    assert (body["status"], body["flavor_ref"], body["core_count"], body["ram_capacity"]) == ("RUNNING", "ddm.c6.xlarge.2", "4", "8")


def test_resize_refuses_a_flavor_not_on_offer_in_the_instance_zones(emulator):
    instance_id = running(emulator, available_zones=["cn-north-4c"])
    response = api(emulator, "PUT", ("v3", "instances/%s/flavor" % instance_id), {"spec_code": "ddm.kc1.large.2"})
    assert_error(response, 400, "DBS.280001")


def test_add_nodes(emulator):
    instance_id = running(emulator, available_zones=["cn-north-4a", "cn-north-4b"], node_count=2)
    path = ("v3", "instances/%s/nodes" % instance_id)
    for bad in ({"nodes": []}, {"nodes": [{"available_zone": "cn-north-4a"}] * 33}, {"nodes": [{"available_zone": "cn-north-4c"}]},
                {"nodes": ["cn-north-4a"]}, {}):
        assert_error(api(emulator, "POST", path, bad), 400, "DBS.280001")
    response = api(emulator, "POST", path, {"nodes": [{"available_zone": "cn-north-4a"}, {"available_zone": "cn-north-4b"}]})
    assert response.status_code == 202 and set(response.json()) == {"job_id"}
    assert job(emulator, response.json()["job_id"])["name"] == "EnlargeNode"
    assert (shown(emulator, instance_id)["status"], shown(emulator, instance_id)["node_count"]) == ("GROWING", 2)
    wait_job(emulator, response.json()["job_id"])
    body = shown(emulator, instance_id)
    assert (body["status"], body["node_count"], len(body["nodes"])) == ("RUNNING", 4, 4)


def test_remove_nodes_answers_camel_case(emulator):
    instance_id = running(emulator, name="reduce-me", node_count=3)
    path = ("v2", "instances/%s/action/reduce" % instance_id)
    for bad in ({"node_number": 3}, {"node_number": 0}, {"node_number": "1"}, {}):
        assert_error(api(emulator, "POST", path, bad), 400, "DBS.280001", "v1")
    response = api(emulator, "POST", path, {"node_number": 2})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"instanceId", "instanceName", "jobId"}
    assert (body["instanceId"], body["instanceName"]) == (instance_id, "reduce-me")
    assert job(emulator, body["jobId"])["name"] == "ReduceNode"
    assert shown(emulator, instance_id)["status"] == "REDUCING"
    wait_job(emulator, body["jobId"])
    assert (shown(emulator, instance_id)["status"], shown(emulator, instance_id)["node_count"]) == ("RUNNING", 1)


def test_rename_and_security_group_apply_at_once(emulator):
    instance_id = running(emulator)
    renamed = api(emulator, "PUT", ("v1", "instances/%s/modify-name" % instance_id), {"name": "new-name-2"})
    assert (renamed.status_code, renamed.json()) == (200, {"name": "new-name-2"})
    assert shown(emulator, instance_id)["name"] == "new-name-2"
    # The v1 rename allows letters, digits and '-' only (creation and the v3 rename allow '_' too).
    for name in ("x", "new_name_3"):
        assert_error(api(emulator, "PUT", ("v1", "instances/%s/modify-name" % instance_id), {"name": name}), 400, "DBS.280001", "v1")
    assert shown(emulator, instance_id)["name"] == "new-name-2"
    path = ("v1", "instances/%s/modify-security-group" % instance_id)
    changed = api(emulator, "PUT", path, {"security_group_id": harness.OTHER_SECURITY_GROUP_ID})
    assert (changed.status_code, changed.json()) == (200, {"security_group_id": harness.OTHER_SECURITY_GROUP_ID})
    assert shown(emulator, instance_id)["security_group_id"] == harness.OTHER_SECURITY_GROUP_ID
    assert_error(api(emulator, "PUT", path, {"security_group_id": ""}), 400, "DBS.280001", "v1")
    assert_error(api(emulator, "PUT", ("v1", "instances/nope/modify-name"), {"name": "abcd"}), 404, "DBS.200002", "v1")
    assert [entry for entry in emulator.jobs() if entry["instance_id"] == instance_id] == []


def test_reset_admin_runs_a_task(emulator):
    instance_id = running(emulator)
    path = ("v3", "instances/%s/admin-user" % instance_id)
    assert_error(api(emulator, "PUT", path, {"name": "root", "password": "short"}), 400, "DBS.280001")
    assert_error(api(emulator, "PUT", path, {"name": "9root", "password": PASSWORD}), 400, "DBS.280001")
    response = api(emulator, "PUT", path, {"name": "root", "password": PASSWORD})
    assert response.status_code == 202 and set(response.json()) == {"job_id"}
    assert job(emulator, response.json()["job_id"])["name"] == "ResetAdminPassword"
    assert shown(emulator, instance_id)["status"] == "RESET_PASSWORD"
    wait_job(emulator, response.json()["job_id"])
    assert shown(emulator, instance_id)["admin_user_name"] == "root"
    assert PASSWORD not in json.dumps(emulator.requests_log()) + json.dumps(emulator.instances())


def test_reset_admin_may_answer_an_empty_object(emulator):
    instance_id = running(emulator)
    emulator.instance_settings(password_answer="empty")
    response = api(emulator, "PUT", ("v3", "instances/%s/admin-user" % instance_id), {"name": "root", "password": PASSWORD})
    assert (response.status_code, response.json()) == (202, {})
    assert shown(emulator, instance_id)["status"] == "RESET_PASSWORD"
    wait_for(lambda: shown(emulator, instance_id)["status"] == "RUNNING")


# ----------------------------------------------------------------------------- flavors and engines

def test_flavors(emulator):
    response = api(emulator, "GET", ("v3", "flavors"), params={"engine_version": harness.ENGINE_VERSIONS[0], "limit": 128})
    assert response.status_code == 200
    groups = response.json()["flavor_groups"]
    assert [group["group_type"] for group in groups] == ["X86", "ARM"]
    codes = [flavor["spec_code"] for group in groups for flavor in group["flavors"]]
    assert sorted(codes) == sorted(harness.FLAVOR_CODES)
    arm = groups[1]["flavors"][0]
    assert set(arm) == {"id", "spec_code", "vcpus", "ram", "az_infos"}
    statuses = {info["code"]: info["status"] for info in arm["az_infos"]}
    assert statuses == {"cn-north-4a": "normal", "cn-north-4b": "normal", "cn-north-4c": "unsupported"}
    assert all(set(info) == {"code", "status", "support_ipv6"} for info in arm["az_infos"])
    emulator.set_flavor_status("ddm.c6.xlarge.2", "cn-north-4b", "sellout")
    narrowed = api(emulator, "GET", ("v3", "flavors"), params={"engine_id": harness.ENGINES[1]["id"], "available_zones": "cn-north-4b"})
    xlarge = [flavor for flavor in narrowed.json()["flavor_groups"][0]["flavors"] if flavor["spec_code"] == "ddm.c6.xlarge.2"][0]
    assert xlarge["az_infos"] == [{"code": "cn-north-4b", "status": "sellout", "support_ipv6": False}]


def test_flavors_are_paged_per_cpu_architecture(emulator):
    """offset and limit (default 10) page every group at once; each group says its own offset, limit and total."""
    def page(**params):
        response = api(emulator, "GET", ("v3", "flavors"), params=dict(params, engine_version=harness.ENGINE_VERSIONS[-1]))
        assert response.status_code == 200, response.text
        return {group["group_type"]: group for group in response.json()["flavor_groups"]}

    catalogue = {arch: [flavor["spec_code"] for flavor in harness.FLAVORS if flavor["group_type"] == arch] for arch in ("X86", "ARM")}
    assert len(catalogue["X86"]) > 10 and 1 < len(catalogue["ARM"]) <= 10
    first = page()
    assert {arch: (group["offset"], group["limit"], group["total"]) for arch, group in first.items()} == {
        "X86": (0, 10, len(catalogue["X86"])), "ARM": (0, 10, len(catalogue["ARM"]))}
    assert [flavor["spec_code"] for flavor in first["X86"]["flavors"]] == catalogue["X86"][:10]
    assert [flavor["spec_code"] for flavor in first["ARM"]["flavors"]] == catalogue["ARM"]
    second = page(offset=10)
    assert [flavor["spec_code"] for flavor in second["X86"]["flavors"]] == catalogue["X86"][10:]
    assert second["ARM"]["flavors"] == [] and second["ARM"]["total"] == len(catalogue["ARM"])
    read = {"X86": [], "ARM": []}
    for offset in range(0, 20, 2):
        for arch, group in page(offset=offset, limit=2).items():
            assert (group["offset"], group["limit"]) == (offset, 2)
            read[arch] += [flavor["spec_code"] for flavor in group["flavors"]]
    assert read == catalogue


@pytest.mark.parametrize("params", [{}, {"engine_version": "0.1"}, {"engine_id": "nope"},
                                    {"engine_version": "3.1.0.2", "available_zones": "cn-north-4z"},
                                    {"engine_version": "3.1.0.2", "limit": 0}, {"engine_version": "3.1.0.2", "limit": 129},
                                    {"engine_version": "3.1.0.2", "offset": -1}])
def test_flavors_refuse_bad_parameters(emulator, params):
    assert_error(api(emulator, "GET", ("v3", "flavors"), params=params), 400, "DBS.280001")


def test_engines(emulator):
    body = api(emulator, "GET", ("v3", "engines")).json()
    assert set(body) == {"engine_groups", "offset", "limit", "total"}
    assert [engine["version"] for engine in body["engine_groups"]] == list(harness.ENGINE_VERSIONS)
    assert all(set(engine) == {"id", "name", "version"} for engine in body["engine_groups"])
    assert body["total"] == len(harness.ENGINES)


def test_instance_routes_need_authentication(emulator):
    response = api(emulator, "GET", ("v1", "instances"), token=None)
    assert response.status_code == 401 and response.json()["error_code"] == "APIGW.0301"
