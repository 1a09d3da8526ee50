# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fidelity check of the DDM instance calls: the official SDK's request and response models against the emulator.

The SDK builds each request and parses each answer into its own models, so a field the emulator names or types
differently from the real API shows up here.
"""

from __future__ import annotations

import importlib

import pytest

from harness import emulator as harness
from harness.emulator import ACCESS_KEY, PROJECT_ID, SECRET_KEY
from instance_calls import FAST, wait_for

pytest.importorskip("huaweicloudsdkddm")


@pytest.fixture(scope="module")
def sdk(tmp_path_factory):
    """The SDK modules, imported with HOME in a temporary directory (the SDK writes ~/.huaweicloud)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(tmp_path_factory.mktemp("sdk-home")))
        names = ("huaweicloudsdkcore.auth.credentials", "huaweicloudsdkcore.http.http_config",
                 "huaweicloudsdkcore.exceptions.exceptions", "huaweicloudsdkddm.v1")
        yield {name.rsplit(".", 1)[-1]: importlib.import_module(name) for name in names}


@pytest.fixture
def client(sdk, emulator):
    config = sdk["http_config"].HttpConfig.get_default_config()
    config.timeout = (5, 10)
    emulator.instance_settings(**FAST)
    credentials = sdk["credentials"].BasicCredentials(ACCESS_KEY, SECRET_KEY, PROJECT_ID)
    return sdk["v1"].DdmClient.new_builder().with_http_config(config).with_credentials(credentials).with_endpoints([emulator.url]).build()


def test_sdk_create_show_and_list(sdk, client, emulator):
    v1 = sdk["v1"]
    body = v1.CreateDdmInstanceReq(name="sdk-instance", available_zones=list(harness.AVAILABLE_ZONES[:2]), node_num=2,
                                   engine_version=harness.ENGINE_VERSIONS[-1], flavor_ref=harness.FLAVOR_CODES[0],
                                   vpc_id=harness.VPC_ID, subnet_id=harness.SUBNET_ID, security_group_id=harness.SECURITY_GROUP_ID,
                                   admin_user_name="root", admin_user_password="Secret-Passw0rd", time_zone="UTC+08:00")
    created = client.create_ddm_instance(v1.CreateDdmInstanceRequest(body=body))
    assert created.id and created.job_id and created.order_id is None
    wait_for(lambda: client.show_instance(v1.ShowInstanceRequest(instance_id=created.id)).status == "RUNNING")
    shown = client.show_instance(v1.ShowInstanceRequest(instance_id=created.id))
    assert (shown.name, shown.available_zone, shown.node_count, shown.access_port) == ("sdk-instance", "cn-north-4a,cn-north-4b", 2, "5066")
    assert (shown.core_count, shown.ram_capacity, shown.flavor_ref, shown.admin_user_name) == ("2", "4", "ddm.c6.large.2", "root")
    assert all(isinstance(node, v1.GetDetailfNodesInfo) and node.ip for node in shown.nodes)
    listed = client.list_instances(v1.ListInstancesRequest(offset=0, limit=128))
    assert (listed.total_record, listed.page_size, listed.instance_num) == (1, 128, 1)
    assert isinstance(listed.instances[0], v1.ShowInstanceBeanResponse) and listed.instances[0].id == created.id


def test_sdk_operations(sdk, client, emulator):
    v1 = sdk["v1"]
    instance_id = emulator.add_instance(node_count=2)["id"]

    def settled():
        status = client.show_instance(v1.ShowInstanceRequest(instance_id=instance_id)).status
        return status == "RUNNING" and not emulator.instance(instance_id)["operation"]
    resized = client.resize_flavor(v1.ResizeFlavorRequest(instance_id=instance_id, body=v1.ResizeFlavorReq(spec_code="ddm.c6.xlarge.2")))
    assert resized.job_id and resized.order_id is None
    wait_for(settled)
    grown = client.expand_ddm_instance_nodes(v1.ExpandDdmInstanceNodesRequest(
        instance_id=instance_id, body=v1.ExpandDdmInstanceNodesRequestBody(nodes=[v1.EnlargeNodeInfo(available_zone="cn-north-4a")])))
    assert grown.job_id
    wait_for(settled)
    shrunk = client.shrink_instance_nodes(v1.ShrinkInstanceNodesRequest(instance_id=instance_id, body=v1.ReduceRequest(node_number=2)))
    assert (shrunk.instance_id, shrunk.job_id) == (instance_id, emulator.instance(instance_id)["operation"]["job_id"])
    wait_for(settled)
    renamed = client.update_instance_name(v1.UpdateInstanceNameRequest(instance_id=instance_id,
                                                                       body=v1.ModifyInstanceNameReq(name="sdk-renamed")))
    assert renamed.name == "sdk-renamed"
    group = client.update_instance_security_group(v1.UpdateInstanceSecurityGroupRequest(
        instance_id=instance_id, body=v1.ModifyInstanceSecurityGroupReq(security_group_id=harness.OTHER_SECURITY_GROUP_ID)))
    assert group.security_group_id == harness.OTHER_SECURITY_GROUP_ID
    admin = v1.AdminUserInfoReq(name="admin", password="Secret-Passw0rd")
    client.reset_administrator(v1.ResetAdministratorRequest(instance_id=instance_id, body=admin))
    wait_for(settled)
    shown = client.show_instance(v1.ShowInstanceRequest(instance_id=instance_id))
    assert (shown.flavor_ref, shown.node_count, shown.name, shown.admin_user_name) == ("ddm.c6.xlarge.2", 1, "sdk-renamed", "admin")
    client.delete_ddm_instance(v1.DeleteDdmInstanceRequest(instance_id=instance_id, delete_dn_data=True))
    assert emulator.instance(instance_id)["delete_dn_data"] == ["true"]
    # Shows DELETING, then answers 404 (which the SDK raises).
    with pytest.raises(sdk["exceptions"].ClientRequestException) as caught:
        wait_for(lambda: client.show_instance(v1.ShowInstanceRequest(instance_id=instance_id)).status == "never")
    assert caught.value.status_code == 404


def test_sdk_busy_errors(sdk, client, emulator):
    v1 = sdk["v1"]
    instance_id = emulator.add_instance()["id"]
    emulator.instance_settings(operation_seconds=30)
    client.resize_flavor(v1.ResizeFlavorRequest(instance_id=instance_id, body=v1.ResizeFlavorReq(spec_code="ddm.c6.xlarge.2")))
    with pytest.raises(sdk["exceptions"].ClientRequestException) as caught:
        client.resize_flavor(v1.ResizeFlavorRequest(instance_id=instance_id, body=v1.ResizeFlavorReq(spec_code="ddm.c6.2xlarge.2")))
    assert (caught.value.status_code, caught.value.error_code) == (409, "DBS.200019")
    # The SDK reads only error_code/error_msg: a v1 error keeps its body, the code falls back to the status.
    with pytest.raises(sdk["exceptions"].ClientRequestException) as caught:
        client.update_instance_name(v1.UpdateInstanceNameRequest(instance_id=instance_id, body=v1.ModifyInstanceNameReq(name="abcd")))
    assert caught.value.status_code == 409 and "DBS.200019" in caught.value.error_msg


def test_sdk_flavors_and_engines(sdk, client):
    v1 = sdk["v1"]
    engines = client.list_ddm_engines(v1.ListDdmEnginesRequest())
    assert [engine.version for engine in engines.engine_groups] == list(harness.ENGINE_VERSIONS) and engines.total == 3
    request = v1.ListDdmFlavorsRequest(engine_id=engines.engine_groups[0].id, available_zones="cn-north-4a,cn-north-4c")
    flavors = client.list_ddm_flavors(request)
    arm = [group for group in flavors.flavor_groups if group.group_type == "ARM"][0]
    assert isinstance(arm.flavors[0], v1.Flavor) and arm.flavors[0].spec_code == "ddm.kc1.large.2"
    assert [(info.code, info.status) for info in arm.flavors[0].az_infos] == [("cn-north-4a", "normal"), ("cn-north-4c", "unsupported")]


def test_sdk_prepaid_answers(sdk, client, emulator):
    v1 = sdk["v1"]
    charge = v1.ChargeInfo(charge_mode="prePaid", period_type="month", period_num=1, is_auto_pay=True)
    body = v1.CreateDdmInstanceReq(name="sdk-prepaid", available_zones=["cn-north-4a"], node_num=1,
                                   engine_version=harness.ENGINE_VERSIONS[-1], flavor_ref=harness.FLAVOR_CODES[0], vpc_id=harness.VPC_ID,
                                   subnet_id=harness.SUBNET_ID, security_group_id=harness.SECURITY_GROUP_ID, charge_info=charge)
    created = client.create_ddm_instance(v1.CreateDdmInstanceRequest(body=body))
    assert created.order_id and created.id is None and created.job_id is None
    instance_id = emulator.add_instance(order_id="CS0001")["id"]
    resized = client.resize_flavor(v1.ResizeFlavorRequest(instance_id=instance_id, body=v1.ResizeFlavorReq(spec_code="ddm.c6.xlarge.2")))
    assert resized.order_id and resized.job_id is None


def test_sdk_flavors_are_paged_per_group(sdk, client):
    v1 = sdk["v1"]
    codes = {arch: [flavor["spec_code"] for flavor in harness.FLAVORS if flavor["group_type"] == arch] for arch in ("X86", "ARM")}
    read = {"X86": [], "ARM": []}
    offset = 0
    while True:
        page = client.list_ddm_flavors(v1.ListDdmFlavorsRequest(engine_version=harness.ENGINE_VERSIONS[-1], offset=offset, limit=4))
        assert all(isinstance(group, v1.FlavorGroupInfo) and (group.offset, group.limit) == (offset, 4) for group in page.flavor_groups)
        for group in page.flavor_groups:
            read[group.group_type] += [flavor.spec_code for flavor in group.flavors]
        offset += 4
        if all(group.offset + group.limit >= group.total for group in page.flavor_groups):
            break
    assert read == codes and offset > 4


def test_sdk_v3_rename(sdk, client, emulator):
    v1 = sdk["v1"]
    instance_id = emulator.add_instance(name="sdk-old")["id"]
    renamed = client.update_ddm_instance_name(v1.UpdateDdmInstanceNameRequest(
        instance_id=instance_id, body=v1.UpdateDdmInstanceNameRequestBody(name="sdk_new_name")))
    assert renamed.job_id == emulator.instance(instance_id)["operation"]["job_id"]
    wait_for(lambda: client.show_instance(v1.ShowInstanceRequest(instance_id=instance_id)).name == "sdk_new_name")


def test_sdk_node_groups(sdk, client, emulator):
    v1 = sdk["v1"]
    other_subnet = "6f3c9b74-2d8f-4f3a-9b8c-9f4b2a6e7c99"
    instance_id = emulator.add_instance(groups=[{"node_count": 2}, {"node_count": 2, "subnet_ids": [harness.SUBNET_ID, other_subnet]}])["id"]
    groups = client.list_group(v1.ListGroupRequest(instance_id=instance_id))
    assert groups.total_count == 2 and all(isinstance(group, v1.GroupInfo) for group in groups.group_list)
    default, readers = groups.group_list
    assert (default.is_default_group, readers.role, readers.cpu_num_per_node, len(readers.node_list)) == (True, "r", 2, 2)
    assert isinstance(readers.node_list[0], v1.GroupNodeInfo) and readers.node_list[0].az == "cn-north-4a"

    def settled():
        return client.show_instance(v1.ShowInstanceRequest(instance_id=instance_id)).status == "RUNNING" and not emulator.instance(
            instance_id)["operation"]
    with pytest.raises(sdk["exceptions"].ClientRequestException) as caught:
        client.resize_flavor(v1.ResizeFlavorRequest(instance_id=instance_id, body=v1.ResizeFlavorReq(spec_code="ddm.c6.xlarge.2")))
    assert (caught.value.status_code, caught.value.error_code) == (400, "DBS.280001")
    client.resize_flavor(v1.ResizeFlavorRequest(instance_id=instance_id, body=v1.ResizeFlavorReq(spec_code="ddm.c6.xlarge.2",
                                                                                                 group_id=readers.id)))
    wait_for(settled)
    client.expand_ddm_instance_nodes(v1.ExpandDdmInstanceNodesRequest(instance_id=instance_id, body=v1.ExpandDdmInstanceNodesRequestBody(
        group_id=readers.id, subnet_id=other_subnet, nodes=[v1.EnlargeNodeInfo(available_zone="cn-north-4a")])))
    wait_for(settled)
    client.shrink_instance_nodes(v1.ShrinkInstanceNodesRequest(instance_id=instance_id, body=v1.ReduceRequest(node_number=1,
                                                                                                              group_id=default.id)))
    wait_for(settled)
    control = {group["id"]: group for group in emulator.instance(instance_id)["groups"]}
    assert (control[default.id]["node_count"], control[readers.id]["node_count"], control[readers.id]["flavor_ref"]) == (
        1, 3, "ddm.c6.xlarge.2")
    assert [node.group_id for node in client.show_instance(v1.ShowInstanceRequest(instance_id=instance_id)).nodes].count(readers.id) == 3
