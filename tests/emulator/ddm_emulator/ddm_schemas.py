# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema calls: the data nodes an instance offers for new schemas (v3), create (v3, ``dn_instances``), list (v1
only), show (v3, with shards and data nodes), delete (v3, ``delete_dn_data`` mandatory).

Errors (HTTP 400 unless said): DBS.280001 a bad parameter; DBS.300109 a name with characters outside ``[a-z0-9_]``,
DBS.300405 its length, DBS.300406 a reserved name, DBS.300407 an upper-case letter, DBS.300112 a name in use (any
status); DBS.300102 a shard count outside [data nodes, data nodes x 64] (a ``single`` schema has one shard per data
node); DBS.300108 a data node named twice, DBS.300103 an unknown one, DBS.300110 one not offered (abnormal, or
associated with another DDM instance), DBS.300114 a wrong data node login; DBS.300130 a delete while the schema is
being created or deleted; a missing schema per the ``missing_schema_answer`` setting; 404 DBS.200002 a missing
instance; 409 DBS.200019 (or 403 DBS.212033) a busy instance.

Task names for schemas are not documented: ``createLogicDb`` and ``deleteLogicDb`` here (after ``migrateLogicDb``);
their list items carry the schema as ``database_name``.
"""

from __future__ import annotations

import re
import time

from .configure import add_task, bad, body_of, list_number, occupy, present, writable
from .errors import ddm_error, ddm_v1_error
from .schemas_state import MAX_SHARDS_PER_NODE, Schema


NAME_CHARACTERS = re.compile(r"^[a-z][a-z0-9_]*$")
RESERVED_NAMES = ("information_schema", "mysql", "performance_schema", "sys")
SHARD_MODES = ("cluster", "single")
MAX_DN_INSTANCES = 256
LIST_MAX_LIMIT = 128
TASK_NAMES = {"create": "createLogicDb", "delete": "deleteLogicDb"}

MSG_NAME_INVALID = "The schema name is invalid."
MSG_NAME_LENGTH = "The schema name length is invalid. Ensure that the schema name contains 2 to %d characters."
MSG_NAME_KEYWORD = "The schema name cannot contain keyword %s."
MSG_NAME_UPPER = "The schema name cannot contain uppercase letters."
MSG_NAME_EXISTS = "This schema name already exists."
MSG_SHARDS = "The number of shards in the RDS instances associated with the schema is invalid."
MSG_NODES_DUPLICATED = "The RDS instances are duplicated."
MSG_NODE_MISSING = "The RDS instance does not exist or it is not in the same VPC as the schema."
MSG_NODE_STATUS = "The status of the RDS instance does not allow associating with the schema."
MSG_NODE_LOGIN = "The administrator or password is incorrect."
MSG_SCHEMA_STATUS = "Invalid schema status."
MSG_SCHEMA_MISSING = "Failed to query schema information."
MSG_DELETE_MISSING = "Failed to delete the schema."


def settled_schemas(state, instance_id):
    """{name: Schema} of an instance, settled; a schema whose deletion completed leaves the accounts that used it."""
    schemas, gone = state.schemas.schemas(instance_id, time.monotonic())
    if gone:
        state.accounts.forget_schemas(instance_id, gone)
    return schemas


def _nodes(state, instance_id):
    return state.schemas.nodes(instance_id, state.configure_settings.get()["default_data_nodes"])


def _missing_schema(state, delete=False):
    if state.configure_settings.get()["missing_schema_answer"] == 404:
        return ddm_error(MSG_SCHEMA_MISSING, "DBS.300129", 404)
    return ddm_error(MSG_DELETE_MISSING, "DBS.300101") if delete else ddm_error(MSG_SCHEMA_MISSING, "DBS.300129")


def _check_name(name, settings):
    if not isinstance(name, str) or not name:
        raise bad(ddm_error, "name must be a non-empty string")
    if any(c.isupper() for c in name):
        raise ddm_error(MSG_NAME_UPPER, "DBS.300407")
    if not 2 <= len(name) <= settings["schema_name_max"]:
        raise ddm_error(MSG_NAME_LENGTH % settings["schema_name_max"], "DBS.300405")
    if not NAME_CHARACTERS.match(name):
        raise ddm_error(MSG_NAME_INVALID, "DBS.300109")
    contain = settings["schema_keyword_rule"] == "contain"
    for keyword in RESERVED_NAMES:
        if name == keyword or (contain and keyword in name):
            raise ddm_error(MSG_NAME_KEYWORD % keyword, "DBS.300406")
    return name


def _check_create_body(body, settings):
    name = _check_name(body.get("name"), settings)
    shard_mode = body.get("shard_mode")
    if shard_mode not in SHARD_MODES:
        raise bad(ddm_error, "shard_mode must be cluster or single")
    shard_number = body.get("shard_number")
    if isinstance(shard_number, bool) or not isinstance(shard_number, int) or shard_number < 1:
        raise bad(ddm_error, "shard_number must be a positive integer")
    logins = body.get("dn_instances")
    if not isinstance(logins, list) or not 1 <= len(logins) <= MAX_DN_INSTANCES or any(not isinstance(item, dict) for item in logins):
        raise bad(ddm_error, "dn_instances must be a list of 1 to %d objects" % MAX_DN_INSTANCES)
    for item in logins:
        for key in ("id", "user_name", "user_password"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise bad(ddm_error, "dn_instances[].%s must be a non-empty string" % key)
    ids = [item["id"] for item in logins]
    if len(set(ids)) != len(ids):
        raise ddm_error(MSG_NODES_DUPLICATED, "DBS.300108")
    low, high = (len(ids), len(ids)) if shard_mode == "single" else (len(ids), len(ids) * MAX_SHARDS_PER_NODE)
    if not low <= shard_number <= high:
        raise ddm_error(MSG_SHARDS, "DBS.300102")
    return name, shard_mode, shard_number, logins


def api_list_available_data_nodes(ctx, project_id, instance_id):
    params = ctx.call.first_params()
    offset = list_number(params, "offset", 0, 0, 10 ** 9, ddm_error)
    limit = list_number(params, "limit", 10, 1, LIST_MAX_LIMIT, ddm_error)

    def listing(instance):
        present(instance, ddm_error)
        settings = ctx.state.configure_settings.get()
        used = set() if settings["offer_used_data_nodes"] else ctx.state.schemas.used_node_ids(instance.id)
        offered = [node.available_item() for node in _nodes(ctx.state, instance.id).values() if node.usable() and node.id not in used]
        return {"data_nodes": offered[offset:offset + limit], "offset": offset, "limit": limit, "total": len(offered)}
    return 200, ctx.state.with_instance(project_id, instance_id, listing), {}


def api_create_schema(ctx, project_id, instance_id):
    body = body_of(ctx.call, ddm_error)
    state = ctx.state
    settings = state.configure_settings.get()
    name, shard_mode, shard_number, logins = _check_create_body(body, settings)

    def create(instance):
        writable(state, instance, ddm_error)
        if name in settled_schemas(state, instance.id):
            raise ddm_error(MSG_NAME_EXISTS, "DBS.300112")
        nodes = _nodes(state, instance.id)
        wrong_login = False
        for login in logins:
            node = nodes.get(login["id"])
            if node is None:
                raise ddm_error(MSG_NODE_MISSING, "DBS.300103")
            if not node.usable():
                raise ddm_error(MSG_NODE_STATUS, "DBS.300110")
            wrong_login = wrong_login or (login["user_name"], login["user_password"]) != (node.admin_user, node.admin_password)
        if wrong_login and settings["dn_password_check"] == "sync":
            raise ddm_error(MSG_NODE_LOGIN, "DBS.300114")
        failure = state.configure_settings.take_failure("schema_create")
        if failure is None and wrong_login:
            failure = {"fail_reason": MSG_NODE_LOGIN, "status": None}
        duration = settings["schema_create_seconds"]
        job = add_task(state, instance, TASK_NAMES["create"], duration, failure, database_name=name)
        schema = Schema(name, shard_mode, shard_number, [login["id"] for login in logins], settings["failed_schema_status"])
        schema.begin("create", job, duration, failure)
        state.schemas.add(instance.id, schema)
        if settings["schema_exclusive"]:
            occupy(state, instance, "schema_create", settings["schema_instance_status"], job, duration, stale=False)
        return {"job_id": job.id, "name": name}
    return 202, state.with_instance(project_id, instance_id, create), {}


def api_list_schemas(ctx, project_id, instance_id):
    params = ctx.call.first_params()
    offset = list_number(params, "offset", 0, 0, 10 ** 9, ddm_v1_error)
    limit = list_number(params, "limit", 10, 1, LIST_MAX_LIMIT, ddm_v1_error)

    def listing(instance):
        present(instance, ddm_v1_error)
        schemas = list(settled_schemas(ctx.state, instance.id).values())
        nodes = _nodes(ctx.state, instance.id)
        return {"databases": [schema.list_item(nodes) for schema in schemas[offset:offset + limit]], "total": len(schemas)}
    return 200, ctx.state.with_instance(project_id, instance_id, listing), {}


def api_show_schema(ctx, project_id, instance_id, name):
    def show(instance):
        present(instance, ddm_error)
        schema = settled_schemas(ctx.state, instance.id).get(name)
        if schema is None:
            raise _missing_schema(ctx.state)
        return schema.detail(_nodes(ctx.state, instance.id))
    return 200, ctx.state.with_instance(project_id, instance_id, show), {}


def api_delete_schema(ctx, project_id, instance_id, name):
    delete_dn_data = ctx.call.first_params().get("delete_dn_data")
    if delete_dn_data not in ("true", "false"):
        raise bad(ddm_error, "delete_dn_data is mandatory: true or false")
    state = ctx.state

    def delete(instance):
        writable(state, instance, ddm_error)
        schema = settled_schemas(state, instance.id).get(name)
        if schema is None:
            raise _missing_schema(state, delete=True)
        if schema.operation is not None:
            raise ddm_error(MSG_SCHEMA_STATUS, "DBS.300130")
        settings = state.configure_settings.get()
        failure = state.configure_settings.take_failure("schema_delete")
        duration = settings["schema_delete_seconds"]
        job = add_task(state, instance, TASK_NAMES["delete"], duration, failure, database_name=name)
        schema.delete_dn_data.append(delete_dn_data == "true")
        schema.begin("delete", job, duration, failure)
        if settings["schema_exclusive"]:
            occupy(state, instance, "schema_delete", settings["schema_instance_status"], job, duration, stale=False)
        return {"job_id": job.id, "database_name": name}
    return 202, state.with_instance(project_id, instance_id, delete), {}
