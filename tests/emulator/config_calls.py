# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calls to the emulator's configuration services (schemas and data nodes, accounts, parameters, restarts) that its
tests share: API requests, valid bodies, and the control calls of ``ddm_emulator.control_configure``."""

from __future__ import annotations

import urllib.parse

from ddm_emulator.schemas_state import DATA_NODE_ADMIN_PASSWORD, DATA_NODE_ADMIN_USER
from instance_calls import api, running, wait_for


# Short timings keep the tests quick; a test that needs others sets them itself.
FAST_CONFIGURE = {"schema_create_seconds": 0.6, "schema_delete_seconds": 0.6, "restart_seconds": 0.6, "config_seconds": 0.6}
ACCOUNT_PASSWORD = "Str0ng-Account-Pw"
ALL_AUTHORITIES = ["CREATE", "DROP", "ALTER", "INDEX", "INSERT", "DELETE", "UPDATE", "SELECT"]


def _instance_path(emulator, instance_id, what):
    return "instances/%s/%s" % (urllib.parse.quote(instance_id, safe=""), what)


def configure_settings(emulator, **settings):
    """Change the configuration services' settings (see ``configure.DEFAULT_SETTINGS``) and return them all."""
    if settings:
        return emulator.control("POST", "configure/settings", settings)["settings"]
    return emulator.control("GET", "configure/settings")["settings"]


def fail_next(emulator, operation, fail_reason="The task failed.", status=None):
    spec = {"operation": operation, "fail_reason": fail_reason}
    if status is not None:
        spec["status"] = status
    return emulator.control("POST", "configure/fail_next", spec)["fail_next"]


def add_weak_passwords(emulator, *passwords):
    return emulator.control("POST", "configure/weak_passwords", {"passwords": list(passwords)})["weak_passwords"]


def data_nodes(emulator, instance_id):
    return emulator.control("GET", _instance_path(emulator, instance_id, "data_nodes"))["data_nodes"]


def seed_data_nodes(emulator, instance_id, nodes, replace=False):
    return emulator.control("POST", _instance_path(emulator, instance_id, "data_nodes"), {"data_nodes": nodes, "replace": replace})["data_nodes"]


def control_schemas(emulator, instance_id):
    return emulator.control("GET", _instance_path(emulator, instance_id, "schemas"))["schemas"]


def control_accounts(emulator, instance_id):
    return emulator.control("GET", _instance_path(emulator, instance_id, "accounts"))["accounts"]


def control_parameters(emulator, instance_id):
    return emulator.control("GET", _instance_path(emulator, instance_id, "parameters"))


def seed_parameters(emulator, instance_id, **spec):
    return emulator.control("POST", _instance_path(emulator, instance_id, "parameters"), spec)


def make_busy(emulator, instance_id, seconds=5.0, status="BACKUP"):
    return emulator.control("POST", _instance_path(emulator, instance_id, "busy"), {"seconds": seconds, "status": status})["instance"]


def configuration(emulator, instance_id):
    return emulator.control("GET", _instance_path(emulator, instance_id, "configuration"))


def ready(emulator, **spec):
    """A seeded RUNNING instance with fast timings; return its id."""
    configure_settings(emulator, **FAST_CONFIGURE)
    return running(emulator, **spec)


def slow(emulator, seconds=3.0):
    """Longer operations, for a test that looks at one while it runs (a loaded machine must not outrun it)."""
    return configure_settings(emulator, schema_create_seconds=seconds, schema_delete_seconds=seconds, restart_seconds=seconds,
                              config_seconds=seconds)


def settled(emulator, instance_id):
    """Wait until the instance has no operation and reads RUNNING."""
    def ready():
        item = emulator.instance(instance_id)
        return item["operation"] is None and item["status"] == "RUNNING"

    return wait_for(ready)


# ----------------------------------------------------------------------------- schemas

def logins(emulator, instance_id, count=None):
    """dn_instances for the first ``count`` data nodes an instance offers, with their right logins."""
    nodes = data_nodes(emulator, instance_id)
    return [{"id": node["id"], "user_name": DATA_NODE_ADMIN_USER, "user_password": DATA_NODE_ADMIN_PASSWORD}
            for node in nodes[:count or len(nodes)]]


def schema_body(emulator, instance_id, name="orders", shard_mode="cluster", shard_number=4, count=None, **changes):
    body = {"name": name, "shard_mode": shard_mode, "shard_number": shard_number, "dn_instances": logins(emulator, instance_id, count)}
    body.update(changes)
    return body


def create_schema(emulator, instance_id, **body):
    return api(emulator, "POST", ("v3", "instances/%s/databases" % instance_id), schema_body(emulator, instance_id, **body))


def show_schema(emulator, instance_id, name):
    return api(emulator, "GET", ("v3", "instances/%s/databases/%s" % (instance_id, name)))


def list_schemas(emulator, instance_id, **params):
    return api(emulator, "GET", ("v1", "instances/%s/databases" % instance_id), params=params)


def delete_schema(emulator, instance_id, name, delete_dn_data="false"):
    params = {} if delete_dn_data is None else {"delete_dn_data": delete_dn_data}
    return api(emulator, "DELETE", ("v3", "instances/%s/databases/%s" % (instance_id, name)), params=params)


def running_schema(emulator, instance_id, name="orders", **body):
    """Create a schema and wait until it reads RUNNING and the instance is free again."""
    response = create_schema(emulator, instance_id, name=name, **body)
    assert response.status_code == 202, response.text
    wait_for(lambda: show_schema(emulator, instance_id, name).json().get("status") == "RUNNING")
    settled(emulator, instance_id)
    return response.json()


# ----------------------------------------------------------------------------- accounts

def account_body(name="app_user", password=ACCOUNT_PASSWORD, base_authority=("SELECT", "INSERT"), **changes):
    body = {"name": name, "password": password, "base_authority": list(base_authority)}
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def create_account(emulator, instance_id, **body):
    return api(emulator, "POST", ("v3", "instances/%s/users" % instance_id), account_body(**body))


def list_accounts(emulator, instance_id, **params):
    return api(emulator, "GET", ("v3", "instances/%s/users" % instance_id), params=params)


def accounts_by_name(emulator, instance_id):
    response = list_accounts(emulator, instance_id, limit=128)
    assert response.status_code == 200, response.text
    return {user["name"]: user for user in response.json()["users"]}


def update_account(emulator, instance_id, name, body):
    return api(emulator, "PUT", ("v3", "instances/%s/users/%s" % (instance_id, name)), body)


def delete_account(emulator, instance_id, name):
    return api(emulator, "DELETE", ("v3", "instances/%s/users/%s" % (instance_id, name)))


def reset_password(emulator, instance_id, name, password):
    return api(emulator, "POST", ("v3", "instances/%s/users/%s/password" % (instance_id, name)), {"password": password})


def weak_check(emulator, password):
    return api(emulator, "POST", ("v3", "weak-password-verification"), {"password": password})


# ----------------------------------------------------------------------------- parameters and restarts

def read_parameters(emulator, instance_id, **params):
    return api(emulator, "GET", ("v3", "instances/%s/configurations" % instance_id), params=params)


def parameter_values(emulator, instance_id):
    response = read_parameters(emulator, instance_id)
    assert response.status_code == 200, response.text
    return {item["name"]: item["value"] for item in response.json()["configuration_parameter"]}


def change_parameters(emulator, instance_id, values, version="v3.1"):
    return api(emulator, "PUT", (version, "instances/%s/configurations" % instance_id), {"values": values})


def restart(emulator, instance_id):
    return api(emulator, "POST", ("v3", "instances/%s/restart" % instance_id))
