# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fidelity check of the schema, account, parameter and restart calls: the official SDK's request and response models
against the emulator, so a field the emulator names or types differently from the real API shows up here."""

from __future__ import annotations

import importlib

import pytest

from config_calls import FAST_CONFIGURE, configure_settings, control_accounts, control_parameters, settled
from ddm_emulator.schemas_state import DATA_NODE_ADMIN_PASSWORD, DATA_NODE_ADMIN_USER
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
    configure_settings(emulator, **FAST_CONFIGURE)
    credentials = sdk["credentials"].BasicCredentials(ACCESS_KEY, SECRET_KEY, PROJECT_ID)
    return sdk["v1"].DdmClient.new_builder().with_http_config(config).with_credentials(credentials).with_endpoints([emulator.url]).build()


def test_sdk_schemas(sdk, client, emulator):
    v1 = sdk["v1"]
    instance_id = emulator.add_instance()["id"]
    offered = client.list_available_rds(v1.ListAvailableRdsRequest(instance_id=instance_id, offset=0, limit=10))
    assert offered.total == 2 and isinstance(offered.data_nodes[0], v1.AvailableDnInstance)
    assert offered.data_nodes[0].port == 3306 and offered.data_nodes[0].engine_name == "mysql"
    logins = [v1.DatabaseDnInstances(id=node.id, user_name=DATA_NODE_ADMIN_USER, user_password=DATA_NODE_ADMIN_PASSWORD)
              for node in offered.data_nodes]
    body = v1.CreateDdmDatabaseRequestBody(name="orders", shard_mode="cluster", shard_number=4, dn_instances=logins)
    created = client.create_ddm_database(v1.CreateDdmDatabaseRequest(instance_id=instance_id, body=body))
    assert created.name == "orders" and created.job_id

    def show():
        return client.show_instance_database(v1.ShowInstanceDatabaseRequest(instance_id=instance_id, database_name="orders"))
    wait_for(lambda: show().status == "RUNNING")
    detail = show()
    assert detail.shard_number == 4 and detail.shard_mode == "cluster"
    assert all(isinstance(shard, v1.Shards) for shard in detail.shards) and [shard.shard_index for shard in detail.shards] == [0, 1, 2, 3]
    assert [node.id for node in detail.data_nodes] == [node.id for node in offered.data_nodes] and detail.data_nodes[0].cpu == 2
    listed = client.list_databases(v1.ListDatabasesRequest(instance_id=instance_id, offset=0, limit=128))
    assert listed.total == 1 and isinstance(listed.databases[0], v1.GetDatabaseInfo)
    assert (listed.databases[0].shard_unit, len(listed.databases[0].used_rds)) == (2, 2) and isinstance(listed.databases[0].created, int)
    settled(emulator, instance_id)
    deleted = client.delete_ddm_database(v1.DeleteDdmDatabaseRequest(instance_id=instance_id, database_name="orders", delete_dn_data=True))
    assert (deleted.database_name, bool(deleted.job_id)) == ("orders", True)
    # The SDK sends the boolean as the API's lower-case "true".
    assert emulator.api_requests("/databases/orders")[-1]["params"]["delete_dn_data"] == "true"
    wait_for(lambda: client.list_databases(v1.ListDatabasesRequest(instance_id=instance_id)).total == 0)


def test_sdk_schema_errors_are_service_errors(sdk, client, emulator):
    v1, exceptions = sdk["v1"], sdk["exceptions"]
    instance_id = emulator.add_instance()["id"]
    with pytest.raises(exceptions.ClientRequestException) as raised:
        client.show_instance_database(v1.ShowInstanceDatabaseRequest(instance_id=instance_id, database_name="nope"))
    assert (raised.value.status_code, raised.value.error_code) == (400, "DBS.300129")


def test_sdk_accounts(sdk, client, emulator):
    v1 = sdk["v1"]
    instance_id = emulator.add_instance()["id"]
    weak = client.validate_weak_password(v1.ValidateWeakPasswordRequest(body=v1.WeakPasswordReq(password="Admin@123")))
    assert weak.is_weak_password is True
    body = v1.CreateUserRequestV3(name="app_user", password="Str0ng-Account-Pw", base_authority=["SELECT", "INSERT"], description="app",
                                  password_lifetime=30)
    client.create_ddm_user(v1.CreateDdmUserRequest(instance_id=instance_id, body=body))
    users = client.list_ddm_users(v1.ListDdmUsersRequest(instance_id=instance_id, offset=0, limit=10))
    assert users.total == 1 and isinstance(users.users[0], v1.GetUsersListDetailResponsesV3)
    user = users.users[0]
    assert (user.name, user.base_authority, user.password_lifetime, user.description) == ("app_user", ["INSERT", "SELECT"], 30, "app")
    client.update_ddm_user(v1.UpdateDdmUserRequest(instance_id=instance_id, username="app_user",
                                                   body=v1.UpdateUserV3RequestBody(base_authority=["SELECT"], description="changed")))
    client.reset_ddm_user_password(v1.ResetDdmUserPasswordRequest(instance_id=instance_id, username="app_user",
                                                                  body=v1.ResetUserPasswordV3RequestBody(password="New-Passw0rd-1")))
    assert control_accounts(emulator, instance_id)[0]["password_changes"] == 1
    user = client.list_ddm_users(v1.ListDdmUsersRequest(instance_id=instance_id)).users[0]
    assert (user.base_authority, user.description) == (["SELECT"], "changed")
    client.delete_ddm_user(v1.DeleteDdmUserRequest(instance_id=instance_id, username="app_user"))
    assert client.list_ddm_users(v1.ListDdmUsersRequest(instance_id=instance_id)).total == 0


def test_sdk_parameters_and_restart(sdk, client, emulator):
    v1 = sdk["v1"]
    instance_id = emulator.add_instance()["id"]
    shown = client.show_instance_param(v1.ShowInstanceParamRequest(instance_id=instance_id))
    assert shown.limit == 128 and shown.total == len(shown.configuration_parameter)
    items = {item.name: item for item in shown.configuration_parameter}
    assert isinstance(items["long_query_time"], v1.ConfigurationParameterList)
    assert (items["long_query_time"].value, items["long_query_time"].need_restart, items["long_query_time"].read_only) == ("1", "0", "0")
    changed = client.modify_configuration(v1.ModifyConfigurationRequest(
        instance_id=instance_id, body=v1.ParaGroupUpdate(values={"long_query_time": "2", "character_set_server": "utf8"})))
    assert changed.need_restart is True
    settled(emulator, instance_id)
    old = client.update_instance_param(v1.UpdateInstanceParamRequest(
        instance_id=instance_id, body=v1.UpdateParametersReq(values=v1.UpdateParametersReqValues(max_connections="500"))))
    assert old.job_id and old.need_restart is False and old.config_id.endswith("pr09") and old.node_list
    settled(emulator, instance_id)
    restarted = client.restart_ddm_instance(v1.RestartDdmInstanceRequest(instance_id=instance_id))
    assert restarted.job_id
    settled(emulator, instance_id)
    control = control_parameters(emulator, instance_id)
    assert control["restart_required"] is False and control["parameters"]["character_set_server"]["effective"] == "utf8"
    assert control["parameters"]["max_connections"]["value"] == "500"
