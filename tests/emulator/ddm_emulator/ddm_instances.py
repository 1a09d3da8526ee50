# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DDM instance calls: create, show, list, delete, change flavor, add and remove nodes, rename (v1 at once, v3 as a task),
change the security group, reset the administrator, list the node groups; the flavor and engine catalogues.

v3 calls answer errors as {"error_code", "error_msg"}, v1 and v2 calls as {"errCode", "externalMessage"}.  A bad
parameter is 400 DBS.280001; an unknown or deleted instance 404 DBS.200002; a write to an instance that is not
``RUNNING`` (operation in progress, ``ERROR``, ``FROZEN``, ``*_FAILED``...) 409 DBS.200019, or 403 DBS.212033 with the
``busy_answer`` setting.  Deleting is also allowed from ``CREATEFAILED`` and ``ERROR``.  A yearly/monthly instance
(non-empty order_id) answers a flavor change, added nodes or deletion with ``{"order_id"}`` of an order nobody pays
and changes nothing, and refuses removing nodes (400).  On an instance with several node groups a flavor change, added or
removed nodes need ``group_id`` (added nodes also ``subnet_id`` when the group spans several subnets): 400 without.
The flavor list pages each CPU-architecture group on its own: ``offset``/``limit`` (default 10, at most 128) apply to every
group, and each group says its ``offset``, ``limit`` and ``total``.
"""

from __future__ import annotations

import math
import re
import time

from . import catalogue
from .errors import ddm_error, ddm_v1_error
from .instances import MAX_NODES, OPERATIONS, Instance, new_order_id
from .spec import json_object


NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{3,63}$")
# The v1 rename is stricter than creation and the v3 rename: no underscore (SDK model, OTC and Huawei EU pages).
V1_RENAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9-]{3,63}$")
ADMIN_NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
TIME_ZONE_PATTERN = re.compile(r"^UTC([+-](0\d|1[0-4]):[0-5]\d)?$")
PASSWORD_SPECIALS = "~!@#%^*-_=+?"
LIST_MAX_LIMIT = 128
FLAVOR_PAGE_SIZE = 10

MSG_PARAMETER = "Parameter error: %s"
MSG_NOT_FOUND = "The DB instance does not exist."
MSG_BUSY = "Another operation is being performed on the DB instance or the DB instance is faulty."
MSG_BUSY_403 = "The instance status does not allow this operation now."
MSG_PREPAID_REDUCE = "Nodes of a yearly/monthly DDM instance cannot be removed through this API."


def _bad(error, text):
    return error(MSG_PARAMETER % text)


def _body(call, error):
    return json_object(call.body, _bad(error, "the body must be a JSON object"))


def _string(body, key, error, required=True):
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _bad(error, "%s must be a non-empty string" % key)
    return value


def _matching(body, key, pattern, error, required=True):
    value = _string(body, key, error, required)
    if value is not None and not pattern.match(value):
        raise _bad(error, "%s is invalid" % key)
    return value


def _integer(value, key, minimum, maximum, error):
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise _bad(error, "%s must be an integer from %d to %d" % (key, minimum, maximum))
    return value


def _password(body, key, error):
    value = _string(body, key, error)
    kinds = sum((any(c.islower() for c in value), any(c.isupper() for c in value), any(c.isdigit() for c in value),
                 any(c in PASSWORD_SPECIALS for c in value)))
    if not 8 <= len(value) <= 32 or kinds < 3 or any(not (c.isalnum() or c in PASSWORD_SPECIALS) for c in value):
        raise _bad(error, "%s must have 8 to 32 characters of at least three kinds (upper, lower, digit, %s)" % (key, PASSWORD_SPECIALS))
    return value


def _flavor_on_offer(state, spec_code, zones, error):
    if catalogue.flavor(spec_code) is None:
        raise _bad(error, "unknown flavor %s" % spec_code)
    for zone in zones:
        status = state.flavor_status(spec_code, zone)
        if status != "normal":
            raise _bad(error, "flavor %s is %s in %s" % (spec_code, status, zone))


def _present(error, call=None):
    """A check that raises the 404 of a missing instance, also when the control API made ``call`` (one of
    ``NOT_FOUND_CALLS``) answer so for this instance a few more times; else returns the instance."""
    def check(instance):
        if instance is None or (call is not None and instance.take_not_found(call)):
            raise error(MSG_NOT_FOUND, "DBS.200002", 404)
        return instance
    return check


def _writable(state, instance, error, also=(), call=None):
    _present(error, call)(instance)
    if instance.operation is None and instance.status in also:
        return instance
    if instance.busy():
        if state.instance_settings()["busy_answer"] == 403:
            raise error(MSG_BUSY_403, "DBS.212033", 403)
        raise error(MSG_BUSY, "DBS.200019", 409)
    return instance


def _begin(state, instance, operation, apply):
    """Start an operation (and its task) on an instance; return the task."""
    settings = state.instance_settings()
    task, _status, duration_key = OPERATIONS[operation]
    failure = state.take_failure(operation)
    duration = settings[duration_key]
    job = state.add_job({"project_id": instance.project_id, "name": task, "instance": {"id": instance.id, "name": instance.name},
                         "duration": duration, "outcome": "Failed" if failure else "Completed",
                         "fail_reason": failure["fail_reason"] if failure else ""})
    instance.begin(operation, job, duration, settings["stale_seconds"], apply, failure)
    return job


# ---------------------------------------------------------------------- create, show, list, delete

def _charge_info(body, error):
    """True for a yearly/monthly (prePaid) creation."""
    charge = body.get("charge_info")
    if charge is None:
        return False
    if not isinstance(charge, dict) or charge.get("charge_mode") not in ("prePaid", "postPaid"):
        raise _bad(error, "charge_info.charge_mode must be prePaid or postPaid")
    if charge["charge_mode"] == "postPaid":
        return False
    if charge.get("period_type") not in ("month", "year"):
        raise _bad(error, "charge_info.period_type must be month or year")
    _integer(charge.get("period_num"), "charge_info.period_num", 1, 9, error)
    return True


def _create_spec(state, body, error):
    spec = {"name": _matching(body, "name", NAME_PATTERN, error)}
    zones = body.get("available_zones")
    if not isinstance(zones, list) or not zones or any(zone not in catalogue.AVAILABLE_ZONES for zone in zones):
        raise _bad(error, "available_zones must be a non-empty list of %s" % ", ".join(catalogue.AVAILABLE_ZONES))
    spec["available_zones"] = zones
    spec["node_count"] = _integer(body.get("node_num"), "node_num", 1, MAX_NODES, error)
    spec["engine_version"] = _string(body, "engine_version", error)
    if spec["engine_version"] not in catalogue.ENGINE_VERSIONS:
        raise _bad(error, "unknown engine_version %s" % spec["engine_version"])
    spec["flavor_ref"] = _string(body, "flavor_ref", error)
    _flavor_on_offer(state, spec["flavor_ref"], zones, error)
    for key in ("vpc_id", "subnet_id", "security_group_id"):
        spec[key] = _string(body, key, error)
    for key in ("param_group_id", "enterprise_project_id"):
        if body.get(key) is not None:
            spec[key] = _string(body, key, error)
    if body.get("time_zone") is not None:
        spec["time_zone"] = _matching(body, "time_zone", TIME_ZONE_PATTERN, error)
    if (body.get("admin_user_name") is None) != (body.get("admin_user_password") is None):
        raise _bad(error, "admin_user_name and admin_user_password go together")
    if body.get("admin_user_name") is not None:
        spec["admin_user_name"] = _matching(body, "admin_user_name", ADMIN_NAME_PATTERN, error)
        spec["admin_user_password"] = _password(body, "admin_user_password", error)
    return spec


def api_create_instance(ctx, project_id):
    body = _body(ctx.call, ddm_error)
    spec = _create_spec(ctx.state, body, ddm_error)
    prepaid = _charge_info(body, ddm_error)
    if prepaid:
        spec["order_id"] = new_order_id()
    # Names need not be unique: nothing says the real service refuses a second instance of one name.
    instance = Instance(dict(spec, project_id=project_id, status="CREATING"), project_id, ctx.state.now)
    job = _begin(ctx.state, instance, "create", lambda created: None)
    ctx.state.add_instance(instance)
    if prepaid:
        return 202, {"order_id": instance.order_id}, {}
    return 202, {"id": instance.id, "job_id": job.id}, {}


def api_show_instance(ctx, project_id, instance_id):
    check = _present(ddm_v1_error, "show")
    return 200, ctx.state.with_instance(project_id, instance_id, lambda instance: check(instance).show(time.monotonic())), {}


def _list_number(params, key, default, minimum, maximum, error):
    value = params.get(key)
    if value is None or value == "":
        return default
    if not re.match(r"^[0-9]{1,9}$", value) or not minimum <= int(value) <= maximum:
        raise _bad(error, "%s must be an integer from %d to %d" % (key, minimum, maximum))
    return int(value)


def api_list_instances(ctx, project_id):
    params = ctx.call.first_params()
    limit = _list_number(params, "limit", 10, 1, LIST_MAX_LIMIT, ddm_v1_error)
    offset = _list_number(params, "offset", 0, 0, 10 ** 9, ddm_v1_error)
    if ctx.state.instance_settings()["offset_mode"] == "page":
        # offset is a page number from 1; 0 reads as the first page too.
        page_no = max(offset, 1)
        start = (page_no - 1) * limit
    else:
        page_no, start = offset // limit + 1, offset
    total, items = ctx.state.list_instances(project_id, start, limit)
    return 200, {"instances": items, "instance_num": len(items), "page_no": page_no, "page_size": limit, "total_record": total,
                 "total_page": int(math.ceil(total / float(limit)))}, {}


def api_delete_instance(ctx, project_id, instance_id):
    delete_dn_data = ctx.call.first_params().get("delete_dn_data")
    if delete_dn_data not in (None, "true", "false"):
        raise _bad(ddm_error, "delete_dn_data must be true or false")

    def delete(instance):
        # A full data disk is not an operation in progress: the instance may still be deleted (no source says otherwise).
        _writable(ctx.state, instance, ddm_error, also=("CREATEFAILED", "ERROR", "data_disk_full"), call="delete")
        instance.delete_dn_data.append(delete_dn_data)
        if instance.order_id:
            return {"order_id": instance.new_order("delete")}
        return {"job_id": _begin(ctx.state, instance, "delete", lambda deleted: None).id}
    return 202, ctx.state.with_instance(project_id, instance_id, delete), {}


# ---------------------------------------------------------------------- operations with a task

def _group_id(body, error):
    """The optional ``group_id`` of a body, checked for its type."""
    group_id = body.get("group_id")
    if group_id is not None and (not isinstance(group_id, str) or not group_id):
        raise _bad(error, "group_id must be a non-empty string")
    return group_id


def _target_group(instance, group_id, error):
    """The node group a change is for: ``group_id``, needed when the instance has several groups."""
    if group_id is None:
        if len(instance.groups) > 1:
            raise _bad(error, "group_id is required: the instance has %d node groups" % len(instance.groups))
        return instance.groups[0]
    group = instance.group(group_id)
    if group is None:
        raise _bad(error, "group_id %s is not a node group of the instance" % group_id)
    return group


def api_resize_flavor(ctx, project_id, instance_id):
    body = _body(ctx.call, ddm_error)
    spec_code = _string(body, "spec_code", ddm_error)
    group_id = _group_id(body, ddm_error)
    if catalogue.flavor(spec_code) is None:
        raise _bad(ddm_error, "unknown spec_code %s" % spec_code)

    def apply(resized, group_id):
        resized.group(group_id)["flavor_ref"] = spec_code

    def resize(instance):
        _writable(ctx.state, instance, ddm_error, call="resize")
        group = _target_group(instance, group_id, ddm_error)
        if spec_code == group["flavor_ref"]:
            raise _bad(ddm_error, "the node group already has flavor %s" % spec_code)
        _flavor_on_offer(ctx.state, spec_code, instance.available_zones, ddm_error)
        if instance.order_id:
            return {"order_id": instance.new_order("resize")}
        return {"job_id": _begin(ctx.state, instance, "resize", lambda resized: apply(resized, group["id"])).id}
    return 200, ctx.state.with_instance(project_id, instance_id, resize), {}


def api_enlarge_nodes(ctx, project_id, instance_id):
    body = _body(ctx.call, ddm_error)
    nodes = body.get("nodes")
    if not isinstance(nodes, list) or not 1 <= len(nodes) <= 32 or any(not isinstance(node, dict) for node in nodes):
        raise _bad(ddm_error, "nodes must be a list of 1 to 32 objects")
    zones = [_string(node, "available_zone", ddm_error) for node in nodes]
    group_id, subnet_id = _group_id(body, ddm_error), _string(body, "subnet_id", ddm_error, required=False)

    def enlarge(instance):
        _writable(ctx.state, instance, ddm_error, call="enlarge")
        foreign = sorted(set(zones) - set(instance.available_zones))
        if foreign:
            raise _bad(ddm_error, "available_zone %s is not one of the instance's" % ", ".join(foreign))
        group = _target_group(instance, group_id, ddm_error)
        if subnet_id is None and len(group["subnet_ids"]) > 1:
            raise _bad(ddm_error, "subnet_id is required: the node group spans %d subnets" % len(group["subnet_ids"]))
        if subnet_id is not None and subnet_id not in group["subnet_ids"]:
            raise _bad(ddm_error, "subnet_id %s is not one of the node group's subnets" % subnet_id)
        if len(instance.group_nodes(group["id"])) + len(zones) > MAX_NODES:
            raise _bad(ddm_error, "a node group has at most %d nodes" % MAX_NODES)
        if instance.order_id:
            return {"order_id": instance.new_order("enlarge")}
        subnets = [subnet_id or group["subnet_ids"][0]] * len(zones)
        return {"job_id": _begin(ctx.state, instance, "enlarge", lambda grown: grown.add_nodes(zones, group["id"], subnets)).id}
    return 202, ctx.state.with_instance(project_id, instance_id, enlarge), {}


def api_reduce_nodes(ctx, project_id, instance_id):
    body = _body(ctx.call, ddm_v1_error)
    number = _integer(body.get("node_number"), "node_number", 1, MAX_NODES, ddm_v1_error)
    group_id = _group_id(body, ddm_v1_error)

    def reduce(instance):
        _writable(ctx.state, instance, ddm_v1_error, call="reduce")
        group = _target_group(instance, group_id, ddm_v1_error)
        count = len(instance.group_nodes(group["id"]))
        if number > count - 1:
            raise _bad(ddm_v1_error, "node_number must be from 1 to %d (the node count less one)" % (count - 1))
        if instance.order_id:
            raise ddm_v1_error(MSG_PREPAID_REDUCE)
        job = _begin(ctx.state, instance, "reduce", lambda reduced: reduced.remove_nodes(number, group["id"]))
        return {"instanceId": instance.id, "instanceName": instance.name, "jobId": job.id}
    return 200, ctx.state.with_instance(project_id, instance_id, reduce), {}


def api_reset_admin(ctx, project_id, instance_id):
    body = _body(ctx.call, ddm_error)
    name = _matching(body, "name", ADMIN_NAME_PATTERN, ddm_error)
    _password(body, "password", ddm_error)

    def apply(changed):
        changed.admin_user_name, changed.admin_password_set = name, True

    def reset(instance):
        _writable(ctx.state, instance, ddm_error, call="password")
        job = _begin(ctx.state, instance, "password", apply)
        # The SDK's answer model is empty: some deployments may answer {} (the password_answer setting).
        return {} if ctx.state.instance_settings()["password_answer"] == "empty" else {"job_id": job.id}
    return 202, ctx.state.with_instance(project_id, instance_id, reset), {}


def api_rename_instance_v3(ctx, project_id, instance_id):
    """The v3 rename: ``_`` allowed, a task (the instance reads MODIFY_NAME), the new name once it completes."""
    name = _matching(_body(ctx.call, ddm_error), "name", NAME_PATTERN, ddm_error)

    def rename(instance):
        _writable(ctx.state, instance, ddm_error, call="rename_v3")
        return {"job_id": _begin(ctx.state, instance, "rename", lambda renamed: setattr(renamed, "name", name)).id}
    return 200, ctx.state.with_instance(project_id, instance_id, rename), {}


# ---------------------------------------------------------------------- changes without a task

def _change_now(ctx, project_id, instance_id, attribute, value, call):
    def change(instance):
        _writable(ctx.state, instance, ddm_v1_error, call=call)
        setattr(instance, attribute, value)
        instance.updated_wall = instance.clock()
        return {attribute: value}
    return 200, ctx.state.with_instance(project_id, instance_id, change), {}


def api_rename_instance(ctx, project_id, instance_id):
    name = _matching(_body(ctx.call, ddm_v1_error), "name", V1_RENAME_PATTERN, ddm_v1_error)
    return _change_now(ctx, project_id, instance_id, "name", name, "rename")


def api_change_security_group(ctx, project_id, instance_id):
    group = _string(_body(ctx.call, ddm_v1_error), "security_group_id", ddm_v1_error)
    # The API reference's answer echoes the security group.
    return _change_now(ctx, project_id, instance_id, "security_group_id", group, "security_group")


def api_list_groups(ctx, project_id, instance_id):
    """The instance's node groups (GroupInfo), paged by index."""
    params = ctx.call.first_params()
    offset = _list_number(params, "offset", 0, 0, 10 ** 9, ddm_error)
    limit = _list_number(params, "limit", 10, 1, LIST_MAX_LIMIT, ddm_error)
    check = _present(ddm_error, "groups")

    def groups(instance):
        check(instance)
        return {"total_count": len(instance.groups), "group_list": [instance.group_shape(group) for group in instance.groups[offset:offset + limit]]}
    return 200, ctx.state.with_instance(project_id, instance_id, groups), {}


# ---------------------------------------------------------------------- catalogues

def api_list_flavors(ctx, project_id):
    params = ctx.call.first_params()
    if not params.get("engine_version") and not params.get("engine_id"):
        raise _bad(ddm_error, "engine_version or engine_id is required")
    if catalogue.engine(params.get("engine_id"), params.get("engine_version")) is None:
        raise _bad(ddm_error, "unknown engine")
    zones = [zone for zone in (params.get("available_zones") or "").split(",") if zone] or list(catalogue.AVAILABLE_ZONES)
    if any(zone not in catalogue.AVAILABLE_ZONES for zone in zones):
        raise _bad(ddm_error, "available_zones must name zones of %s" % ", ".join(catalogue.AVAILABLE_ZONES))
    offset = _list_number(params, "offset", 0, 0, 10 ** 9, ddm_error)
    limit = _list_number(params, "limit", FLAVOR_PAGE_SIZE, 1, LIST_MAX_LIMIT, ddm_error)
    groups = []
    for group_type in catalogue.CPU_ARCHITECTURES:
        # Each group is paged on its own: one answer holds the same page of every group.
        offered = [flavor for flavor in catalogue.FLAVORS if flavor["group_type"] == group_type]
        flavors = [{"id": flavor["id"], "spec_code": flavor["spec_code"], "vcpus": flavor["vcpus"], "ram": flavor["ram"],
                    "az_infos": [{"code": zone, "status": ctx.state.flavor_status(flavor["spec_code"], zone), "support_ipv6": False}
                                 for zone in zones]}
                   for flavor in offered[offset:offset + limit]]
        groups.append({"group_type": group_type, "flavors": flavors, "offset": offset, "limit": limit, "total": len(offered)})
    return 200, {"flavor_groups": groups}, {}


def api_list_engines(ctx, project_id):
    params = ctx.call.first_params()
    offset = _list_number(params, "offset", 0, 0, 10 ** 9, ddm_error)
    limit = _list_number(params, "limit", 10, 1, LIST_MAX_LIMIT, ddm_error)
    engines = [dict(engine) for engine in catalogue.ENGINES[offset:offset + limit]]
    return 200, {"engine_groups": engines, "offset": offset, "limit": limit, "total": len(catalogue.ENGINES)}, {}
