# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Instance parameters: the table every instance starts with, and each instance's configured and effective values.

A parameter's *configured* value is what the last settled change set; its *effective* value is what the running
instance uses.  They differ only for a parameter that needs a restart, until the instance restarts.  What the read
call shows is the configured value, or the effective one with the ``pending_value_shown`` setting.  ``need_restart``
and ``read_only`` are "0"/"1" strings, values are strings, as the API gives them.

The names, ranges and defaults follow the SDK's ``UpdateParametersReqValues`` and the API pages;
``temp_table_size_limit`` is from the API page's example.  Which parameters need a restart
(``character_set_server``, ``collation_server``, ``max_backend_connections``, ``min_backend_connections``) and which
are read-only (``lower_case_table_names``, ``ddm_version``) no source lists: this table's choice, changeable per
instance through the control API.

Use a store only under the state's lock (inside ``EmulatorState.with_instance``).
"""

from __future__ import annotations

import collections
import re
import time

from .configure import derived_id
from .errors import control_error


# name, default value, value_range, data_type, need_restart, read_only, description
PARAMETERS = (
    ("bind_table", "", "", "string", "0", "0", "Relations between sharded tables, to push joins down to the data nodes."),
    ("character_set_server", "utf8mb4", "gbk|utf8|utf8mb4", "string", "1", "0", "Character set of the DDM server."),
    ("collation_server", "utf8mb4_unicode_ci",
     "utf8_bin|utf8_general_ci|utf8_unicode_ci|utf8mb4_bin|utf8mb4_general_ci|utf8mb4_unicode_ci|gbk_bin|gbk_chinese_ci",
     "string", "1", "0", "Collation of the DDM server."),
    ("concurrent_execution_level", "DATA_NODE", "DATA_NODE|RDS_INSTANCE|PHY_TABLE", "string", "0", "0",
     "How shards are scanned in parallel."),
    ("connection_idle_timeout", "28800", "60-28800", "integer", "0", "0", "Seconds an idle connection stays open."),
    ("ddm_version", "3.1.0.2", "", "string", "0", "1", "Kernel version of the DDM instance."),
    ("enable_table_recycle", "OFF", "OFF|ON", "string", "0", "0", "Whether dropped tables go to the recycle bin."),
    ("insert_to_load_data", "OFF", "OFF|ON", "string", "0", "0", "Whether constant inserts run as LOAD DATA."),
    ("live_transaction_timeout_on_shutdown", "1", "0-100", "integer", "0", "0",
     "Seconds transactions in flight may finish before a node shuts down."),
    ("long_query_time", "1", "0.01-10", "float", "0", "0", "Seconds from which a query is logged as slow."),
    ("lower_case_table_names", "1", "0|1", "integer", "0", "1", "Whether table names are stored in lower case."),
    ("max_allowed_packet", "1073741824", "1024-1073741824", "integer", "0", "0",
     "Largest packet in bytes (a multiple of 1024)."),
    ("max_backend_connections", "0", "0-10000000", "integer", "1", "0", "Most connections of each DDM node to the data nodes."),
    ("max_connections", "20000", "10-40000", "integer", "0", "0", "Most client connections at the same time."),
    ("min_backend_connections", "10", "0-10000000", "integer", "1", "0", "Fewest connections of each DDM node to the data nodes."),
    ("not_from_pushdown", "OFF", "OFF|ON", "string", "0", "0", "Whether statements without FROM are pushed down."),
    ("seconds_behind_master", "30", "0-7200", "integer", "0", "0", "Largest replication delay of a read replica that is read."),
    ("sql_audit", "OFF", "OFF|ON", "string", "0", "0", "Whether SQL audit is on."),
    ("sql_execute_timeout", "28800", "100-28800", "integer", "0", "0", "Seconds after which a statement times out."),
    ("support_ddl_binlog_hint", "OFF", "OFF|ON", "string", "0", "0", "Whether DDL statements get a binlog hint."),
    ("temp_table_size_limit", "1000000", "500000-2000000000", "integer", "0", "0", "Maximum size of the temporary table."),
    ("transaction_policy", "XA", "XA|FREE|NO_DTX", "string", "0", "0", "How distributed transactions are run."),
    ("ultimate_optimize", "ON", "OFF|ON", "string", "0", "0", "Whether the optimizer pushes statements down as far as it can."),
)
RANGE = re.compile(r"^(-?[0-9.]+)-(-?[0-9.]+)$")
DECIMAL = re.compile(r"^[0-9]+(\.[0-9]+)?$")
INTEGER = re.compile(r"^-?[0-9]+$")


def check_value(definition, value):
    """None when ``value`` (a string) is inside the parameter's value_range, else why not."""
    text = definition["value_range"]
    if not text:
        return None
    bounds = RANGE.match(text)
    if bounds is None:
        choices = text.split("|")
        return None if value in choices else "must be one of %s" % ", ".join(choices)
    low, high = bounds.groups()
    if definition["data_type"] == "integer":
        if not INTEGER.match(value) or not int(low) <= int(value) <= int(high):
            return "must be an integer from %s to %s" % (low, high)
        if definition["name"] == "max_allowed_packet" and int(value) % 1024:
            return "must be a multiple of 1024"
        return None
    if not DECIMAL.match(value) or not float(low) <= float(value) <= float(high):
        return "must be a number from %s to %s" % (low, high)
    return None


class InstanceParameters:
    """The parameters of one instance."""

    def __init__(self, instance):
        self.definitions = collections.OrderedDict(
            (name, {"name": name, "value_range": value_range, "data_type": data_type, "need_restart": restart, "read_only": read_only,
                    "description": description})
            for name, _default, value_range, data_type, restart, read_only, description in PARAMETERS)
        self.configured = {name: default for name, default, *_rest in PARAMETERS}
        self.configured["ddm_version"] = instance.engine_version
        self.effective = dict(self.configured)
        self.group_id = instance.param_group_id or derived_id("parameter-group", instance.id, suffix="pr09")
        self.group_name = "ddm_%s" % instance.id[:12]
        self.updated_wall = time.time()
        # (configured values) of changes made, oldest first: what a test can read back.
        self.changes = []

    def set(self, values):
        """A settled change: every value is configured; those needing no restart take effect now."""
        for name, value in values.items():
            self.configured[name] = value
            if self.definitions[name]["need_restart"] != "1":
                self.effective[name] = value
        self.updated_wall = time.time()
        self.changes.append(dict(values))

    def restart(self):
        self.effective = dict(self.configured)

    def pending(self):
        """Names whose configured value waits for a restart."""
        return sorted(name for name in self.configured if self.configured[name] != self.effective[name])

    def api_items(self, shown):
        values = self.configured if shown == "configured" else self.effective
        return [dict(definition, value=values[name]) for name, definition in self.definitions.items()]

    def control_shape(self):
        return {"parameters": {name: dict(definition, value=self.configured[name], effective=self.effective[name],
                                          pending_restart=self.configured[name] != self.effective[name])
                               for name, definition in self.definitions.items()},
                "restart_required": bool(self.pending()), "pending": self.pending(), "group_id": self.group_id,
                "changes": [dict(change) for change in self.changes]}

    def seed(self, spec):
        """A control call's {values, need_restart, read_only}: values take effect at once; flags are booleans."""
        if not isinstance(spec, dict):
            raise control_error("the body must be an object")
        for key in ("values", "need_restart", "read_only"):
            mapping = spec.get(key, {})
            if not isinstance(mapping, dict) or any(name not in self.definitions for name in mapping):
                raise control_error("%s must map parameter names of %s" % (key, ", ".join(self.definitions)))
        if any(not isinstance(value, str) for value in spec.get("values", {}).values()):
            raise control_error("values must be strings")
        for key in ("need_restart", "read_only"):
            if any(not isinstance(flag, bool) for flag in spec.get(key, {}).values()):
                raise control_error("%s must map names to true or false" % key)
        for name, value in spec.get("values", {}).items():
            self.configured[name] = self.effective[name] = value
        for key in ("need_restart", "read_only"):
            for name, flag in spec.get(key, {}).items():
                self.definitions[name][key] = "1" if flag else "0"


class ParameterStore:
    """The parameters of every instance, made on first use."""

    def __init__(self):
        self._instances = {}

    def of(self, instance):
        if instance.id not in self._instances:
            self._instances[instance.id] = InstanceParameters(instance)
        return self._instances[instance.id]
