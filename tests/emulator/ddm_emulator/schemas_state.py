# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Schemas (DDM's logical databases) and the data nodes (RDS for MySQL instances) they are sharded over.

Each instance offers data nodes for new schemas: ``default_data_nodes`` of them (ids derived from the instance's,
administrator ``DATA_NODE_ADMIN_USER`` / ``DATA_NODE_ADMIN_PASSWORD``) until a test seeds its own.  A schema's status
comes from its operation's task, as an instance's does: CREATING while its creation task runs, then RUNNING (or
CREATE_FAILED when the task failed); DELETING while its deletion task runs, then gone (or RUNNING again when it
failed).  Nothing runs in the background: the store settles a schema whenever it is read.

Use a store only under the state's lock (inside ``EmulatorState.with_instance``).
"""

from __future__ import annotations

import collections
import time

from .configure import derived_id
from .errors import control_error
from .spec import number_field, string_field
from .times import api_time


DATA_NODE_ADMIN_USER = "root"
DATA_NODE_ADMIN_PASSWORD = "Rds-Admin-Passw0rd"
DATA_NODE_STATUSES = ("normal", "abnormal", "creating", "createfail", "rebooting", "resizing", "backing up", "storage full")
MAX_SHARDS_PER_NODE = 64


class DataNode:
    """An RDS for MySQL instance a DDM instance may shard schemas over."""

    def __init__(self, spec, index):
        if not isinstance(spec, dict):
            raise control_error("a data node must be an object")
        self.id = string_field(spec, "id", derived_id("data-node", str(index), str(time.time()), suffix="in01"))
        self.name = string_field(spec, "name", "rds-ddm-%02d" % index)
        self.status = string_field(spec, "status", "normal")
        self.engine_name = string_field(spec, "engine_name", "mysql")
        self.engine_version = string_field(spec, "engine_version", "8.0")
        self.private_ip = string_field(spec, "private_ip", "192.168.10.%d" % (100 + index % 150))
        self.port = int(number_field(spec, "port", 3306, 1))
        self.time_zone = string_field(spec, "time_zone", "UTC+08:00")
        self.cpu = int(number_field(spec, "cpu", 2, 1))
        self.mem = int(number_field(spec, "mem", 4, 1))
        self.admin_user = string_field(spec, "admin_user", DATA_NODE_ADMIN_USER)
        self.admin_password = string_field(spec, "admin_password", DATA_NODE_ADMIN_PASSWORD)
        # Associated with another DDM instance: neither offered nor accepted.
        self.associated = spec.get("associated", False)
        if not isinstance(self.associated, bool):
            raise control_error("associated must be true or false")

    def usable(self):
        return self.status == "normal" and not self.associated

    def available_item(self):
        return {"id": self.id, "name": self.name, "status": self.status, "engine_name": self.engine_name,
                "engine_version": self.engine_version, "private_ip": self.private_ip, "port": self.port, "time_zone": self.time_zone}

    def detail_item(self):
        return {"id": self.id, "status": self.status, "name": self.name, "engine_name": self.engine_name,
                "engine_version": self.engine_version, "mem": self.mem, "cpu": self.cpu}

    def control_shape(self):
        """Everything but the administrator's password."""
        return dict(self.available_item(), cpu=self.cpu, mem=self.mem, admin_user=self.admin_user, associated=self.associated)


def default_nodes(instance_id, count):
    return [DataNode({"id": derived_id("data-node", instance_id, str(index), suffix="in01"), "name": "rds-ddm-%02d" % (index + 1),
                      "private_ip": "192.168.10.%d" % (100 + index)}, index + 1) for index in range(count)]


class SchemaOperation:
    """A schema's creation or deletion: its task, and whether it fails."""

    def __init__(self, kind, job, duration, failure):
        self.kind = kind
        self.job = job
        self.started = job.created_mono
        self.started_wall = job.created_wall
        self.duration = duration
        self.failure = failure


class Schema:
    """A logical database of one instance."""

    def __init__(self, name, shard_mode, shard_number, node_ids, failed_status):
        self.name = name
        self.shard_mode = shard_mode
        self.shard_number = shard_number
        self.node_ids = list(node_ids)
        self.status = "RUNNING"
        self.failed_status = failed_status
        self.created_wall = time.time()
        self.updated_wall = self.created_wall
        self.operation = None
        self.status_before = self.status
        self.delete_dn_data = []
        self.fail_reason = ""

    def begin(self, kind, job, duration, failure):
        self.operation = SchemaOperation(kind, job, duration, failure)
        # A failed deletion leaves the schema as it was (RUNNING or CREATE_FAILED).
        self.status_before = self.status
        self.status = "CREATING" if kind == "create" else "DELETING"

    def settle(self, now):
        """End the operation whose task has ended; True when that deleted the schema."""
        operation = self.operation
        if operation is None or now - operation.started < operation.duration:
            return False
        self.operation = None
        self.updated_wall = operation.started_wall + operation.duration
        if operation.failure is not None:
            self.fail_reason = operation.failure["fail_reason"]
            self.status = operation.failure["status"] or (self.failed_status if operation.kind == "create" else self.status_before)
            return False
        self.status, self.fail_reason = "RUNNING", ""
        return operation.kind == "delete"

    def shards(self):
        """Shards in contiguous blocks over the data nodes, in their order: {name}_0000, {name}_0001..."""
        count = len(self.node_ids)
        return [{"data_node_id": self.node_ids[index * count // self.shard_number], "physical_db_name": "%s_%04d" % (self.name, index),
                 "status": self.status, "shard_index": index} for index in range(self.shard_number)]

    def shard_unit(self):
        return -(-self.shard_number // len(self.node_ids))

    def detail(self, nodes):
        """The v3 show call's answer."""
        return {"name": self.name, "status": self.status, "created": api_time(self.created_wall), "updated": api_time(self.updated_wall),
                "shard_mode": self.shard_mode, "shard_number": self.shard_number, "shards": self.shards(),
                "data_nodes": [nodes[node_id].detail_item() for node_id in self.node_ids if node_id in nodes]}

    def list_item(self, nodes):
        """An item of the v1 list call: times in epoch milliseconds, data nodes as used_rds."""
        return {"name": self.name, "shard_mode": self.shard_mode, "shard_number": self.shard_number, "status": self.status,
                "created": int(self.created_wall * 1000), "shard_unit": self.shard_unit(),
                "used_rds": [{"id": node_id, "name": nodes[node_id].name, "status": nodes[node_id].status}
                             for node_id in self.node_ids if node_id in nodes]}

    def control_shape(self, now):
        operation = self.operation
        return {"name": self.name, "status": self.status, "shard_mode": self.shard_mode, "shard_number": self.shard_number,
                "data_node_ids": list(self.node_ids), "delete_dn_data": list(self.delete_dn_data), "fail_reason": self.fail_reason,
                "operation": None if operation is None else {
                    "kind": operation.kind, "job_id": operation.job.id, "task": operation.job.name,
                    "elapsed": round(now - operation.started, 3), "duration": operation.duration, "fails": operation.failure is not None}}


class SchemaStore:
    """The data nodes and schemas of every instance."""

    def __init__(self):
        self._nodes = {}
        self._schemas = {}

    def nodes(self, instance_id, default_count):
        """{id: DataNode} of an instance, oldest first (seeded with the default ones on first use)."""
        if instance_id not in self._nodes:
            self._nodes[instance_id] = collections.OrderedDict((node.id, node) for node in default_nodes(instance_id, default_count))
        return self._nodes[instance_id]

    def seed_nodes(self, instance_id, specs, replace, default_count):
        if not isinstance(specs, list):
            raise control_error("data_nodes must be a list of objects")
        nodes = collections.OrderedDict() if replace else self.nodes(instance_id, default_count)
        for spec in specs:
            node = DataNode(spec, len(nodes) + 1)
            nodes[node.id] = node
        self._nodes[instance_id] = nodes
        return list(nodes.values())

    def schemas(self, instance_id, now):
        """{name: Schema} of an instance, settled, oldest first; returns the names whose deletion just completed too."""
        schemas = self._schemas.setdefault(instance_id, collections.OrderedDict())
        gone = [name for name, schema in list(schemas.items()) if schema.settle(now)]
        for name in gone:
            del schemas[name]
        return schemas, gone

    def add(self, instance_id, schema):
        self._schemas.setdefault(instance_id, collections.OrderedDict())[schema.name] = schema

    def used_node_ids(self, instance_id):
        return {node_id for schema in self._schemas.get(instance_id, {}).values() for node_id in schema.node_ids}
