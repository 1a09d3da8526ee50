# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DDM instance model: an instance, the one operation it may have in progress, and the shapes the show and
list calls give of it.

Like the tasks of ``model.py``, nothing runs in the background: an instance's status is computed from the
monotonic time since its operation was accepted.  An operation is a task in the task store (its timeline is the
operation's); when the task ends the operation's changes apply (or, when the task failed, the failure's status).
For ``stale_seconds`` after a write is accepted the instance still reads as it was (``RUNNING``, old values), then
shows the operation's status; the new values show only once the task has ended.  A creation has no stale window: the
new instance reads ``CREATING`` at once.

Task names: CreateInstance, DeleteInstance, EnlargeNode and ReduceNode are documented; the flavor change's
(``ResizeFlavor``), the administrator password's (``ResetAdminPassword``) and the v3 rename's (``ModifyInstanceName``) are
not, and are this emulator's choice.

Node groups: every instance has at least one (the default group, role ``rw``); a control spec may give several (the others
are read-only groups, role ``r``), each with its own flavor, nodes and subnets.  The show call's ``flavor_ref``,
``core_count`` and ``ram_capacity`` are the default group's; ``nodes[].group_id`` says where each node belongs.
"""

from __future__ import annotations

import time
import uuid

from . import catalogue
from .errors import control_error
from .spec import number_field, string_field
from .times import api_time


# operation -> (task name, instance status while it runs, the setting that says how long it takes)
OPERATIONS = {
    "create": ("CreateInstance", "CREATING", "create_seconds"),
    "delete": ("DeleteInstance", "DELETING", "delete_seconds"),
    "resize": ("ResizeFlavor", "RESIZING", "operation_seconds"),
    "enlarge": ("EnlargeNode", "GROWING", "operation_seconds"),
    "reduce": ("ReduceNode", "REDUCING", "operation_seconds"),
    "password": ("ResetAdminPassword", "RESET_PASSWORD", "operation_seconds"),
    "rename": ("ModifyInstanceName", "MODIFY_NAME", "operation_seconds"),
}

DEFAULT_SETTINGS = {"create_seconds": 3.0, "operation_seconds": 2.0, "delete_seconds": 2.0, "stale_seconds": 1.0,
                    "offset_mode": "index", "busy_answer": 409, "password_answer": "job"}
SETTING_CHOICES = {"offset_mode": ("index", "page"), "busy_answer": (409, 403), "password_answer": ("job", "empty")}
MAX_NODES = 32
# How the show and list calls give a (prepaid) instance's order_id: as it is, "" , not at all, or null.
ORDER_ID_SHOWN = ("as_is", "empty", "absent", "null")
# The calls on one instance that a control call can make answer 404 as if it did not exist (a transient inconsistency).
NOT_FOUND_CALLS = ("show", "delete", "resize", "enlarge", "reduce", "rename", "rename_v3", "security_group", "password", "groups")
# Documented statuses that are not operations in progress (the control API may set any string).
DOCUMENTED_STILL_STATUSES = ("RUNNING", "CREATEFAILED", "ERROR", "FROZEN", "data_disk_full")


def check_settings(spec):
    """The settings of a control call, checked; unknown keys are refused."""
    if not isinstance(spec, dict):
        raise control_error("settings must be an object")
    unknown = sorted(set(spec) - set(DEFAULT_SETTINGS))
    if unknown:
        raise control_error("unknown settings: %s" % ", ".join(unknown))
    checked = {}
    for key, value in spec.items():
        if key in SETTING_CHOICES:
            if value not in SETTING_CHOICES[key] or isinstance(value, bool):
                raise control_error("%s must be one of %s" % (key, ", ".join(repr(v) for v in SETTING_CHOICES[key])))
            checked[key] = value
        else:
            checked[key] = number_field(spec, key, 0)
    return checked


def check_failure(spec):
    """A control call's {operation, fail_reason, status}: what the next operation of that kind does."""
    if not isinstance(spec, dict) or spec.get("operation") not in OPERATIONS:
        raise control_error("operation must be one of %s" % ", ".join(sorted(OPERATIONS)))
    status = spec.get("status")
    if status is not None and (not isinstance(status, str) or not status):
        raise control_error("status must be a non-empty string")
    return spec["operation"], {"fail_reason": string_field(spec, "fail_reason", "The task failed."), "status": status}


class Operation:
    """The operation an instance has in progress: its task, timing, what it changes, and whether it fails."""

    def __init__(self, name, job, duration, stale, apply, failure):
        self.name = name
        self.busy_status = OPERATIONS[name][1]
        self.job = job
        self.started = job.created_mono
        self.started_wall = job.created_wall
        self.duration = duration
        self.stale = 0.0 if name == "create" else stale
        self.apply = apply
        self.failure = failure

    def describe(self, now):
        return {"operation": self.name, "task": self.job.name, "job_id": self.job.id, "status": self.busy_status,
                "elapsed": round(now - self.started, 3), "duration": self.duration, "stale_seconds": self.stale,
                "fails": self.failure is not None}


def _list_field(spec, key, default, allowed):
    value = spec.get(key, default)
    if not isinstance(value, list) or not value or any(item not in allowed for item in value):
        raise control_error("%s must be a non-empty list of %s" % (key, ", ".join(allowed)))
    return list(value)


def _int_field(spec, key, default, minimum, maximum):
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise control_error("%s must be an integer from %d to %d" % (key, minimum, maximum))
    return value


def _group_specs(spec, flavor_ref, subnet_id):
    """The node groups of a control spec: ``groups`` [{id, name, node_count, flavor_ref, subnet_ids}], or one default group."""
    if "groups" not in spec:
        return [{"node_count": _int_field(spec, "node_count", 2, 1, MAX_NODES)}]
    groups = spec["groups"]
    if "node_count" in spec or not isinstance(groups, list) or not groups or any(not isinstance(group, dict) for group in groups):
        raise control_error("groups must be a non-empty list of objects (and node_count is then given per group)")
    checked = []
    for group in groups:
        code = string_field(group, "flavor_ref", flavor_ref)
        if catalogue.flavor(code) is None:
            raise control_error("a group's flavor_ref must be one of %s" % ", ".join(catalogue.FLAVOR_CODES))
        subnets = group.get("subnet_ids", [subnet_id])
        if not isinstance(subnets, list) or not subnets or any(not isinstance(item, str) or not item for item in subnets):
            raise control_error("a group's subnet_ids must be a non-empty list of strings")
        checked.append({"id": string_field(group, "id", ""), "name": string_field(group, "name", ""), "flavor_ref": code,
                        "subnet_ids": list(subnets), "node_count": _int_field(group, "node_count", 2, 1, MAX_NODES)})
    if len({group["id"] for group in checked if group["id"]}) != len([group for group in checked if group["id"]]):
        raise control_error("group ids must differ")
    return checked


def new_order_id():
    return "CS%s%s" % (time.strftime("%y%m%d%H%M%S"), uuid.uuid4().hex[:5].upper())


class Instance:
    """One DDM instance.  Built from a control spec (any field) or from a create request the API has checked."""

    def __init__(self, spec, default_project, clock=time.time):
        if not isinstance(spec, dict):
            raise control_error("instance spec must be an object")
        self.id = string_field(spec, "id", uuid.uuid4().hex + "in09")
        self.project_id = string_field(spec, "project_id", default_project)
        self.name = string_field(spec, "name", "ddm-emulator")
        self.status = string_field(spec, "status", "RUNNING")
        self.error_msg = string_field(spec, "error_msg", "")
        flavor_ref = string_field(spec, "flavor_ref", catalogue.FLAVOR_CODES[0])
        if catalogue.flavor(flavor_ref) is None:
            raise control_error("flavor_ref must be one of %s" % ", ".join(catalogue.FLAVOR_CODES))
        self.available_zones = _list_field(spec, "available_zones", [catalogue.AVAILABLE_ZONES[0]], catalogue.AVAILABLE_ZONES)
        self.engine_version = string_field(spec, "engine_version", catalogue.ENGINE_VERSIONS[-1])
        for key in ("vpc_id", "subnet_id", "security_group_id"):
            setattr(self, key, string_field(spec, key, getattr(catalogue, key.upper())))
        self.enterprise_project_id = string_field(spec, "enterprise_project_id", "0")
        self.param_group_id = string_field(spec, "param_group_id", "")
        self.time_zone = string_field(spec, "time_zone", "UTC")
        self.admin_user_name = string_field(spec, "admin_user_name", "")
        # Kept only to say whether one was set: no call ever shows it.
        self.admin_password_set = bool(string_field(spec, "admin_user_password", ""))
        self.order_id = string_field(spec, "order_id", "")
        self.order_id_shown = string_field(spec, "order_id_shown", "as_is")
        if self.order_id_shown not in ORDER_ID_SHOWN:
            raise control_error("order_id_shown must be one of %s" % ", ".join(ORDER_ID_SHOWN))
        self.enable_ssl = bool(spec.get("enable_ssl", False))
        age = number_field(spec, "age", 0)
        # The server's clock (the control API's clock skew shifts it), for the times the API shows.
        self.clock = clock
        self.created_wall = clock() - age
        self.updated_wall = self.created_wall
        # Newest first in the list: the store numbers instances as they are added.
        self.seq = 0
        self.operation = None
        self.delete_dn_data = []
        self.unpaid_orders = []
        # {call: how many more times it answers 404}
        self.not_found = {}
        self._addresses = 0
        self.nodes = []
        self.groups = []
        for number, group in enumerate(_group_specs(spec, flavor_ref, self.subnet_id)):
            group_id = group.get("id") or (self.id[:8] + "gr09" if number == 0 else uuid.uuid4().hex + "gr09")
            self.groups.append({"id": group_id, "name": group.get("name") or "group-%d" % (number + 1), "role": "rw" if number == 0 else "r",
                                "flavor_ref": group.get("flavor_ref", flavor_ref), "subnet_ids": group.get("subnet_ids", [self.subnet_id])})
            count = group["node_count"]
            self.add_nodes([self.available_zones[i % len(self.available_zones)] for i in range(count)], group_id,
                           [self.groups[-1]["subnet_ids"][i % len(self.groups[-1]["subnet_ids"])] for i in range(count)])

    # ------------------------------------------------------------------ node groups

    @property
    def flavor_ref(self):
        """The default group's flavor (what the show call gives)."""
        return self.groups[0]["flavor_ref"]

    @flavor_ref.setter
    def flavor_ref(self, spec_code):
        self.groups[0]["flavor_ref"] = spec_code

    def group(self, group_id):
        """The group of this id, or None."""
        return next((group for group in self.groups if group["id"] == group_id), None)

    def group_nodes(self, group_id):
        return [node for node in self.nodes if node["group_id"] == group_id]

    # ------------------------------------------------------------------ changes

    def add_nodes(self, zones, group_id=None, subnets=None):
        """Add nodes in these zones to a group (default: the default group), in these subnets (default: the group's first of those it
        spans)."""
        group = self.group(group_id) if group_id else self.groups[0]
        for number, zone in enumerate(zones):
            self._addresses += 1
            subnet = subnets[number] if subnets else group["subnet_ids"][0]
            self.nodes.append({"node_id": uuid.uuid4().hex + "no09", "available_zone": zone, "group_id": group["id"], "subnet_id": subnet,
                               "ip": "192.168.%d.%d" % (self._addresses // 250, 10 + self._addresses % 250)})

    def remove_nodes(self, count, group_id=None):
        """Remove the group's newest ``count`` nodes (default: the default group's)."""
        doomed = self.group_nodes(group_id or self.groups[0]["id"])[-count:]
        self.nodes = [node for node in self.nodes if node not in doomed]

    def take_not_found(self, call):
        """Whether this call answers 404 this time (a transient inconsistency the control API set), counting it down."""
        if self.not_found.get(call, 0) <= 0:
            return False
        self.not_found[call] -= 1
        return True

    def begin(self, name, job, duration, stale, apply, failure):
        """Start an operation whose task is ``job``; ``apply(instance)`` makes its changes when the task completes."""
        self.operation = Operation(name, job, duration, stale, apply, failure)

    def new_order(self, operation):
        """A yearly/monthly instance's change through the DDM API: an order nobody pays, and no change."""
        order_id = new_order_id()
        self.unpaid_orders.append({"order_id": order_id, "operation": operation})
        return order_id

    def set_status(self, status, error_msg):
        """Force a status (a control call): any operation in progress is abandoned, its task ends as scripted."""
        self.operation = None
        self.status = status
        self.error_msg = error_msg or ""
        self.updated_wall = self.clock()

    def settle(self, now):
        """End the operation whose task has ended; True when that deleted the instance."""
        operation = self.operation
        if operation is None or now - operation.started < operation.duration:
            return False
        self.operation = None
        self.updated_wall = operation.started_wall + operation.duration
        if operation.failure is not None:
            default = "CREATEFAILED" if operation.name == "create" else "RUNNING"
            self.status = operation.failure["status"] or default
            self.error_msg = operation.failure["fail_reason"] if self.status != "RUNNING" else ""
            return False
        operation.apply(self)
        self.status, self.error_msg = "RUNNING", ""
        return operation.name == "delete"

    def busy(self):
        """Whether a write must be refused: an operation in progress, or any status but RUNNING."""
        return self.operation is not None or self.status != "RUNNING"

    # ------------------------------------------------------------------ shapes

    def shown_status(self, now):
        operation = self.operation
        if operation is None or now - operation.started < operation.stale:
            return self.status
        return operation.busy_status

    def list_item(self, now):
        """An item of the list call: the show shape without nodes or admin_user_name."""
        status = self.shown_status(now)
        node_status = "CREATING" if status == "CREATING" else "ERROR" if status in ("CREATEFAILED", "ERROR") else "RUNNING"
        spec = catalogue.flavor(self.flavor_ref)
        item = {"id": self.id, "status": status, "name": self.name, "created": api_time(self.created_wall),
                "updated": api_time(self.updated_wall), "available_zone": ",".join(self.available_zones),
                "vpc_id": self.vpc_id, "subnet_id": self.subnet_id, "security_group_id": self.security_group_id,
                "node_count": len(self.nodes), "access_ip": ",".join(node["ip"] for node in self.nodes),
                "access_port": catalogue.ACCESS_PORT, "core_count": spec["vcpus"], "ram_capacity": spec["ram"],
                "node_status": node_status, "enterprise_project_id": self.enterprise_project_id, "project_id": self.project_id,
                "engine_version": self.engine_version, "order_id": self.order_id, "enable_ssl": self.enable_ssl,
                "flavor_ref": self.flavor_ref}
        # "Not returned when there is no error" (API reference).
        if self.error_msg:
            item["error_msg"] = self.error_msg
        # A prepaid instance whose answers hide its order (the writes on it still answer with orders).
        if self.order_id_shown == "absent":
            del item["order_id"]
        elif self.order_id_shown != "as_is":
            item["order_id"] = "" if self.order_id_shown == "empty" else None
        return item

    def show(self, now):
        item = self.list_item(now)
        nodes = [{"status": item["node_status"], "port": catalogue.ACCESS_PORT, "ip": node["ip"], "group_id": node["group_id"],
                  "node_id": node["node_id"]} for node in self.nodes]
        return dict(item, nodes=nodes, admin_user_name=self.admin_user_name)

    def group_shape(self, group):
        """A group as the group list call gives it (GroupInfo of the SDK)."""
        spec = catalogue.flavor(group["flavor_ref"])
        nodes = self.group_nodes(group["id"])
        return {"id": group["id"], "name": group["name"], "role": group["role"],
                "endpoint": ",".join("%s:%s" % (node["ip"], catalogue.ACCESS_PORT) for node in nodes), "ipv6_endpoint": "",
                "is_load_balance": False, "is_default_group": group is self.groups[0], "cpu_num_per_node": int(spec["vcpus"]),
                "mem_num_per_node": int(spec["ram"]), "architecture": spec["group_type"],
                "node_list": [{"id": node["node_id"], "name": "%s_node_%s" % (self.name, node["node_id"][:8]), "az": node["available_zone"]}
                              for node in nodes]}

    def control_shape(self, now):
        """What the control API lists: the show shape and what only tests see (never the password)."""
        groups = [dict(group, subnet_ids=list(group["subnet_ids"]), node_count=len(self.group_nodes(group["id"]))) for group in self.groups]
        return dict(self.show(now), actual_status=self.operation.busy_status if self.operation else self.status,
                    actual_order_id=self.order_id, order_id_shown=self.order_id_shown, not_found=dict(self.not_found), groups=groups,
                    node_subnets=[node["subnet_id"] for node in self.nodes],
                    operation=self.operation.describe(now) if self.operation else None, time_zone=self.time_zone,
                    param_group_id=self.param_group_id, admin_password_set=self.admin_password_set,
                    delete_dn_data=list(self.delete_dn_data), unpaid_orders=[dict(order) for order in self.unpaid_orders],
                    available_zones=list(self.available_zones), node_zones=[node["available_zone"] for node in self.nodes])
