# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Node groups, the v3 rename and the data_disk_full status of the emulator's DDM instances."""

from __future__ import annotations

import pytest

from harness import emulator as harness
from harness.emulator import EmulatorError
from instance_calls import api, assert_error, job, running, shown, wait_job


OTHER_SUBNET = "6f3c9b74-2d8f-4f3a-9b8c-9f4b2a6e7c99"
GROUP_KEYS = {"id", "name", "role", "endpoint", "ipv6_endpoint", "is_load_balance", "is_default_group", "cpu_num_per_node",
              "mem_num_per_node", "architecture", "node_list"}


def grouped(emulator):
    """An instance with a default group of 2 nodes and a read-only group of 3 in two subnets; (its id, the groups' ids)."""
    instance_id = running(emulator, id="grouped0000000000000000000000000in09", groups=[
        {"node_count": 2}, {"id": "readonly-gr09", "name": "readers", "node_count": 3, "flavor_ref": "ddm.c6.xlarge.2",
                            "subnet_ids": [harness.SUBNET_ID, OTHER_SUBNET]}])
    return instance_id, [group["id"] for group in emulator.instance(instance_id)["groups"]]


def groups_of(emulator, instance_id, **params):
    response = api(emulator, "GET", ("v3", "instances/%s/groups" % instance_id), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def resize(emulator, instance_id, **body):
    return api(emulator, "PUT", ("v3", "instances/%s/flavor" % instance_id), dict({"spec_code": "ddm.c6.2xlarge.2"}, **body))


def enlarge(emulator, instance_id, **body):
    return api(emulator, "POST", ("v3", "instances/%s/nodes" % instance_id), dict({"nodes": [{"available_zone": "cn-north-4a"}]}, **body))


def reduce(emulator, instance_id, **body):
    return api(emulator, "POST", ("v2", "instances/%s/action/reduce" % instance_id), dict({"node_number": 1}, **body))


# ----------------------------------------------------------------------------- node groups

def test_the_show_and_the_group_list_give_the_groups(emulator):
    instance_id, (default, readers) = grouped(emulator)
    body = shown(emulator, instance_id)
    assert body["node_count"] == 5 and [node["group_id"] for node in body["nodes"]] == [default] * 2 + [readers] * 3
    # The instance's flavor is its default group's.
    assert (body["flavor_ref"], body["core_count"], body["ram_capacity"]) == ("ddm.c6.large.2", "2", "4")
    listed = groups_of(emulator, instance_id)
    assert listed["total_count"] == 2 and all(set(group) == GROUP_KEYS for group in listed["group_list"])
    first, second = listed["group_list"]
    assert (first["id"], first["role"], first["is_default_group"], len(first["node_list"])) == (default, "rw", True, 2)
    assert (second["id"], second["name"], second["role"], second["is_default_group"]) == (readers, "readers", "r", False)
    assert (second["cpu_num_per_node"], second["mem_num_per_node"], second["architecture"]) == (4, 8, "X86")
    assert [node["id"] for node in second["node_list"]] == [node["node_id"] for node in body["nodes"][2:]]
    assert second["endpoint"] == ",".join("%s:5066" % node["ip"] for node in body["nodes"][2:])
    paged = groups_of(emulator, instance_id, offset=1, limit=1)
    assert paged["total_count"] == 2 and [group["id"] for group in paged["group_list"]] == [readers]
    assert emulator.instance(instance_id)["node_subnets"] == [harness.SUBNET_ID, harness.SUBNET_ID, harness.SUBNET_ID, OTHER_SUBNET,
                                                              harness.SUBNET_ID]


def test_an_instance_has_one_default_group_unless_seeded_with_more(emulator):
    instance_id = running(emulator, node_count=3)
    listed = groups_of(emulator, instance_id)["group_list"]
    assert len(listed) == 1 and listed[0]["is_default_group"] and len(listed[0]["node_list"]) == 3
    assert {node["group_id"] for node in shown(emulator, instance_id)["nodes"]} == {listed[0]["id"]}
    assert_error(api(emulator, "GET", ("v3", "instances/nope/groups")), 404, "DBS.200002")
    # On one group, group_id may be given or not.
    assert resize(emulator, instance_id, group_id=listed[0]["id"]).status_code == 200


def test_resize_on_several_groups_needs_the_group(emulator):
    instance_id, (default, readers) = grouped(emulator)
    refused = assert_error(resize(emulator, instance_id), 400, "DBS.280001")
    assert "group_id" in refused["error_msg"]
    assert_error(resize(emulator, instance_id, group_id="no-such-group"), 400, "DBS.280001")
    assert_error(resize(emulator, instance_id, group_id=readers, spec_code="ddm.c6.xlarge.2"), 400, "DBS.280001")  # its own flavor
    wait_job(emulator, resize(emulator, instance_id, group_id=readers).json()["job_id"])
    groups = {group["id"]: group for group in emulator.instance(instance_id)["groups"]}
    assert (groups[default]["flavor_ref"], groups[readers]["flavor_ref"]) == ("ddm.c6.large.2", "ddm.c6.2xlarge.2")
    assert groups_of(emulator, instance_id)["group_list"][1]["cpu_num_per_node"] == 8
    assert shown(emulator, instance_id)["flavor_ref"] == "ddm.c6.large.2"


def test_adding_nodes_on_several_groups_needs_the_group_and_its_subnet(emulator):
    instance_id, (default, readers) = grouped(emulator)
    assert "group_id" in assert_error(enlarge(emulator, instance_id), 400, "DBS.280001")["error_msg"]
    assert "subnet_id" in assert_error(enlarge(emulator, instance_id, group_id=readers), 400, "DBS.280001")["error_msg"]
    assert_error(enlarge(emulator, instance_id, group_id=readers, subnet_id="not-its-subnet"), 400, "DBS.280001")
    wait_job(emulator, enlarge(emulator, instance_id, group_id=readers, subnet_id=OTHER_SUBNET).json()["job_id"])
    # The default group spans one subnet: no subnet_id needed.
    wait_job(emulator, enlarge(emulator, instance_id, group_id=default).json()["job_id"])
    control = emulator.instance(instance_id)
    assert {group["id"]: group["node_count"] for group in control["groups"]} == {default: 3, readers: 4}
    assert control["node_subnets"][-2:] == [OTHER_SUBNET, harness.SUBNET_ID] and shown(emulator, instance_id)["node_count"] == 7


def test_removing_nodes_on_several_groups_needs_the_group(emulator):
    instance_id, (default, readers) = grouped(emulator)
    assert "group_id" in assert_error(reduce(emulator, instance_id), 400, "DBS.280001", "v1")["externalMessage"]
    # The default group has two nodes: it can lose one, not two.
    assert_error(reduce(emulator, instance_id, group_id=default, node_number=2), 400, "DBS.280001", "v1")
    wait_job(emulator, reduce(emulator, instance_id, group_id=readers, node_number=2).json()["jobId"])
    assert {group["id"]: group["node_count"] for group in emulator.instance(instance_id)["groups"]} == {default: 2, readers: 1}


@pytest.mark.parametrize("groups", [[], "two", [{"node_count": 0}], [{"flavor_ref": "nope"}], [{"subnet_ids": []}],
                                    [{"id": "same"}, {"id": "same"}]])
def test_bad_group_specs_are_refused(emulator, groups):
    with pytest.raises(EmulatorError):
        emulator.add_instance(groups=groups)
    with pytest.raises(EmulatorError):
        emulator.add_instance(groups=[{"node_count": 1}], node_count=2)


# ----------------------------------------------------------------------------- the v3 rename

def test_the_v3_rename_allows_underscores_and_runs_as_a_task(emulator):
    instance_id = running(emulator, name="old-name")
    emulator.instance_settings(operation_seconds=30)
    response = api(emulator, "PUT", ("v3", "instances/%s/name" % instance_id), {"name": "new_name_1"})
    assert response.status_code == 200 and set(response.json()) == {"job_id"}
    task = job(emulator, response.json()["job_id"])
    assert (task["name"], task["status"], task["instance"]["id"]) == ("ModifyInstanceName", "Running", instance_id)
    body = shown(emulator, instance_id)
    assert (body["status"], body["name"]) == ("MODIFY_NAME", "old-name")
    assert_error(api(emulator, "PUT", ("v3", "instances/%s/name" % instance_id), {"name": "other_name"}), 409, "DBS.200019")
    instance_id_2 = running(emulator)  # fast timings again
    wait_job(emulator, api(emulator, "PUT", ("v3", "instances/%s/name" % instance_id_2), {"name": "renamed_2"}).json()["job_id"])
    assert shown(emulator, instance_id_2)["name"] == "renamed_2"


@pytest.mark.parametrize("body", [{"name": "abc"}, {"name": "1abcd"}, {"name": "ab cd"}, {"name": "a" * 65}, {}, {"name": 5}])
def test_the_v3_rename_refuses_bad_names_in_the_v3_shape(emulator, body):
    instance_id = running(emulator)
    assert_error(api(emulator, "PUT", ("v3", "instances/%s/name" % instance_id), body), 400, "DBS.280001")


def test_the_v3_rename_can_fail(emulator):
    instance_id = running(emulator, name="kept-name")
    emulator.fail_next("rename", fail_reason="Rename failed.")
    wait_job(emulator, api(emulator, "PUT", ("v3", "instances/%s/name" % instance_id), {"name": "lost_name"}).json()["job_id"], "Failed")
    assert (shown(emulator, instance_id)["name"], shown(emulator, instance_id)["status"]) == ("kept-name", "RUNNING")


# ----------------------------------------------------------------------------- data_disk_full

def test_data_disk_full_refuses_changes_but_not_deletion(emulator):
    instance_id = running(emulator)
    assert emulator.set_instance_status(instance_id, "data_disk_full")["status"] == "data_disk_full"
    assert shown(emulator, instance_id)["status"] == "data_disk_full"
    assert api(emulator, "GET", ("v1", "instances")).json()["instances"][0]["status"] == "data_disk_full"
    assert_error(resize(emulator, instance_id), 409, "DBS.200019")
    assert_error(enlarge(emulator, instance_id), 409, "DBS.200019")
    assert_error(api(emulator, "PUT", ("v3", "instances/%s/name" % instance_id), {"name": "new_name"}), 409, "DBS.200019")
    deleted = api(emulator, "DELETE", ("v3", "instances/" + instance_id), params={"delete_dn_data": "false"})
    assert deleted.status_code == 202 and wait_job(emulator, deleted.json()["job_id"])
