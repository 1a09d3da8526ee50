#!/usr/bin/python
# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ddm_schema
short_description: Create and delete schemas (logical databases) of Huawei Cloud DDM instances
version_added: 2.0.0
description:
  - Makes a schema of a Huawei Cloud Distributed Database Middleware (DDM) instance present or absent. A schema is
    DDM's logical database, sharded over data nodes (RDS for MySQL instances).
  - Creates the schema with the v3 API and waits until its task is V(Completed) B(and) the schema reads V(RUNNING).
    A failed task, or a schema that reads V(CREATE_FAILED) (or V(CREATEFAILED)), fails the task with the schema and
    the task's C(fail_reason) in the result.
  - O(shard_mode), O(shard_number) and the set of data nodes are fixed when a schema is created. A difference fails
    naming each, and nothing is sent; the module never drops a schema to make it again. Changing a schema's shards
    is a separate workflow (the shard migration) that this module does not start.
  - Checks before writing anything the name's rule, the shard count against the number of data nodes, and each data
    node (one the instance offers for new schemas, or one its schemas already use).
  - A request to create a schema is never sent twice. When its answer is lost (no answer, a reset connection, HTTP
    502, 503 or 504), the module reads the schema back by name and adopts it; a later run adopts it too.
  - Deleting sends C(delete_dn_data) explicitly (V(true) only with O(delete_data=true)), waits for the task and until
    the schema has left the schema list, so that a schema of the same name can be created right after.
  - A schema's creation or deletion occupies the instance, as any other operation on it does. With O(wait), the
    module waits for an operation under way on the instance to end before its own; without it, it fails naming
    the instance's status.
  - O(wait_timeout) bounds the whole run, every request and wait included.
author:
  - huaweicloud.cloud contributors (@huaweicloud)
options:
  name:
    description:
      - The schema's name, 2 to 48 characters, starting with a lower-case letter, then lower-case letters, digits and
        V(_); not V(information_schema), V(mysql), V(performance_schema) or V(sys). Unique in the instance.
      - Some DDM versions allow 24 characters at most; they refuse a longer name before creating anything.
    type: str
    required: true
  state:
    description:
      - V(present) creates the schema if it does not exist. An existing schema is left as it is, unless
        O(shard_mode), O(shard_number) or O(data_nodes) differ, which fails.
      - V(absent) deletes it (a failed one included). Deleting a schema that does not exist changes nothing.
    type: str
    choices: [present, absent]
    default: present
  shard_mode:
    description:
      - V(cluster) shards the schema's tables over the data nodes; V(single) makes an unsharded schema, with one
        shard per data node.
    type: str
    choices: [cluster, single]
    default: cluster
  shard_number:
    description:
      - The number of shards. Needed to create.
      - For V(cluster), between the number of data nodes and 64 times that number; for V(single), the number of
        data nodes.
    type: int
  data_nodes:
    description:
      - The data nodes (RDS for MySQL instances) the schema is sharded over, each once. Needed to create.
      - Each must be offered by the instance for new schemas (see O(huaweicloud.cloud.ddm_schema_info#module:available_data_nodes)),
        or already be used by the instance's schemas.
      - For an existing schema only the set of ids is compared; the logins are not read back.
    type: list
    elements: dict
    suboptions:
      id:
        description: The data node's (RDS instance's) id.
        type: str
        required: true
      admin_user:
        description: An administrator login of the data node. Needed to create.
        type: str
      admin_password:
        description: Its password. Needed to create. Never shown in results, diffs, messages or progress lines.
        type: str
  delete_data:
    description:
      - With O(state=absent), also delete the schema's data on its data nodes (the API's C(delete_dn_data), always sent).
      - By default the data stays on the data nodes.
    type: bool
    default: false
extends_documentation_fragment:
  - huaweicloud.cloud.huaweicloud
  - huaweicloud.cloud.huaweicloud.ddm
  - huaweicloud.cloud.ddm_instance_lookup
  - huaweicloud.cloud.huaweicloud.resource_module
  - huaweicloud.cloud.huaweicloud.wait
notes:
  - A schema task occupies the instance, so schemas of one instance are created one after another. Several
    tasks with O(wait=false) must each wait for the one before to end (see the examples).
seealso:
  - module: huaweicloud.cloud.ddm_schema_info
  - module: huaweicloud.cloud.ddm_instance
  - module: huaweicloud.cloud.ddm_job_info
"""

EXAMPLES = r"""
- name: List the data nodes the instance offers for new schemas
  huaweicloud.cloud.ddm_schema_info:
    instance_id: "{{ ddm_instance_id }}"
    available_data_nodes: true
  register: offered

- name: Create a schema with 8 shards over the first two of them
  huaweicloud.cloud.ddm_schema:
    instance_id: "{{ ddm_instance_id }}"
    name: orders
    shard_mode: cluster
    shard_number: 8
    data_nodes:
      - id: "{{ offered.available_data_nodes[0].id }}"
        admin_user: root
        admin_password: "{{ rds_admin_password }}"
      - id: "{{ offered.available_data_nodes[1].id }}"
        admin_user: root
        admin_password: "{{ rds_admin_password }}"
  register: orders

- name: Use it
  ansible.builtin.debug:
    msg: "{{ orders.schema.name }} is {{ orders.schema.status }} with {{ orders.schema.shards | length }} shards"

- name: Delete it, keeping its data on the data nodes
  huaweicloud.cloud.ddm_schema:
    instance_id: "{{ ddm_instance_id }}"
    name: orders
    state: absent
"""

RETURN = r"""
changed:
  description: Whether the schema was (or, in check mode, would be) created or deleted.
  returned: always
  type: bool
actions:
  description:
    - The writes the module sent (V(create), V(delete)) that the API accepted or whose outcome was unclear (a write the API
      refused with a 4xx applied nothing and is not listed). Empty in check mode, which sends nothing (see RV(planned)).
  returned: always
  type: list
  elements: str
  sample: [create]
planned:
  description: In check mode, the writes the module would send.
  returned: in check mode, when the schema would be created or deleted
  type: list
  elements: str
  sample: [create]
schema:
  description:
    - The schema as last read, also when the module fails after creating it.
    - Absent when there is no schema (nothing found, or deleted).
  returned: when there is a schema
  type: dict
  contains:
    name:
      description: The schema's name.
      type: str
      returned: always
    status:
      description: Its status, such as V(RUNNING), V(CREATING), V(CREATE_FAILED) or V(DELETING).
      type: str
      returned: always
    shard_mode:
      description: V(cluster) or V(single).
      type: str
      returned: always
    shard_number:
      description: The number of shards.
      type: int
      returned: always
    data_nodes:
      description: The data nodes it is sharded over (C(id), C(name), C(status)).
      type: list
      elements: dict
      returned: always
    shards:
      description: Its shards (C(data_node_id), C(physical_db_name), C(status), C(shard_index)).
      type: list
      elements: dict
      returned: when the schema was read on its own
    created:
      description: When it was created (UTC, such as V(2026-11-28T10:00:00Z)).
      type: str
      returned: always
  sample:
    name: orders
    status: RUNNING
    shard_mode: cluster
    shard_number: 8
    data_nodes: [{id: 6f2a7c14de2b4c8e9e31d0b5a3c1f7e2in01, name: rds-ddm-01, status: normal}]
    shards: [{data_node_id: 6f2a7c14de2b4c8e9e31d0b5a3c1f7e2in01, physical_db_name: orders_0000, status: RUNNING, shard_index: 0}]
    created: "2026-11-28T10:00:00Z"
job_id:
  description: The id of the last write's task (see M(huaweicloud.cloud.ddm_job_info)).
  returned: when a write started a task
  type: str
job_ids:
  description: The ids of every task the run started.
  returned: always
  type: list
  elements: str
job:
  description: The task's state, when the module waited on it (same shape as M(huaweicloud.cloud.ddm_job_info)'s C(job)),
    with C(fail_reason) when it failed.
  returned: when the module waited on a task
  type: dict
"""

import functools

from ..module_utils._ddm.module import InstanceScopedModule
from ..module_utils._ddm.operations import Operation
from ..module_utils._ddm.progress import schema_record
from ..module_utils._ddm.writes import WriteSender
from ..module_utils._ddm.schemas import READY, STATUS_CODE, DdmSchemas, describe, in_progress, is_failed, name_problem, schema_view, \
    shard_problem
from ..module_utils._ansible.module import check_plain_id
from ..module_utils._cloud.errors import APIError, ConfigurationError, HuaweiCloudError, OperationFailed, printable


class DdmSchema(InstanceScopedModule):
    wait_timeout_bounds_run = True
    resource_key = "schema"

    @classmethod
    def argument_spec(cls):
        spec = super().argument_spec()
        spec.update(
            name=dict(type="str", required=True), state=dict(type="str", choices=["present", "absent"], default="present"),
            shard_mode=dict(type="str", choices=["cluster", "single"], default="cluster"), shard_number=dict(type="int"),
            data_nodes=dict(type="list", elements="dict", options=dict(id=dict(type="str", required=True), admin_user=dict(type="str"),
                                                                       admin_password=dict(type="str", no_log=True))),
            delete_data=dict(type="bool", default=False),
        )
        return spec

    def check_options(self):
        params = self.params
        problem = name_problem(params["name"])
        if problem:
            raise ConfigurationError("name %s" % problem)
        if params["shard_number"] is not None and params["shard_number"] < 1:
            raise ConfigurationError("shard_number must be 1 or more, got %d" % params["shard_number"])
        nodes = params["data_nodes"]
        if nodes is not None:
            ids = [node["id"] for node in nodes]
            for index, node_id in enumerate(ids):
                check_plain_id(node_id, "data_nodes[%d].id" % index)
            if not ids or len(set(ids)) != len(ids):
                raise ConfigurationError("data_nodes must name at least one data node, each once, got %s" % ", ".join(ids))
            if params["shard_number"] is not None:
                problem = shard_problem(params["shard_mode"], params["shard_number"], len(ids))
                if problem:
                    raise ConfigurationError(problem)
        super().check_options()

    def view(self, resource):
        return schema_view(resource)

    def read(self, resource):
        return self.schemas.get(self.instance["id"], resource["name"])

    def run(self):
        self.schemas = DdmSchemas(self.client, self.endpoint)
        self.sender = WriteSender(self, self.jobs)
        self.result.update(job_ids=[])
        self.instance = self.find_instance()
        self.about = dict(id=self.instance["id"], name=self.instance.get("name"))
        found = self.schemas.get(self.instance["id"], self.params["name"])
        if self.params["state"] == "absent":
            self.delete(found)
        elif found is None:
            self.create()
        else:
            self.keep(found)

    def settings(self, schema=None) -> dict:
        """What --diff shows of a schema (the options' values when ``schema`` is None): never a login."""
        if schema is None:
            params = self.params
            return dict(name=params["name"], shard_mode=params["shard_mode"], shard_number=params["shard_number"],
                        data_nodes=sorted(node["id"] for node in params["data_nodes"]))
        view = schema_view(schema)
        return dict(name=view["name"], shard_mode=view["shard_mode"], shard_number=view["shard_number"],
                    data_nodes=sorted(node["id"] for node in view["data_nodes"]))

    # ------------------------------------------------------------------ present

    def keep(self, schema):
        """An existing schema: its fixed settings must match; one being created is waited for (with wait)."""
        self.resource = schema
        view = schema_view(schema)
        params, differences = self.params, []
        if params["shard_mode"] != view["shard_mode"]:
            differences.append("shard_mode is %s, not %s" % (printable(str(view["shard_mode"])), params["shard_mode"]))
        if params["shard_number"] is not None and params["shard_number"] != view["shard_number"]:
            differences.append("shard_number is %s, not %d" % (view["shard_number"], params["shard_number"]))
        if params["data_nodes"] is not None:
            current = sorted(node["id"] for node in view["data_nodes"])
            wanted = sorted(node["id"] for node in params["data_nodes"])
            if current != wanted:
                differences.append("data_nodes are %s, not %s" % (", ".join(map(printable, current)) or "none", ", ".join(wanted)))
        if differences:
            raise OperationFailed("%s cannot change: %s. These are fixed when a schema is created (changing its shards is the shard "
                                  "migration, which this module does not start); nothing was sent" % (
                                      printable(describe(view, self.about)), "; ".join(differences)))
        if is_failed(view["status"]):
            raise OperationFailed("%s is %s: it cannot be used (state: absent deletes it)" % (
                printable(describe(view, self.about)), printable(view["status"])))
        if in_progress(view["status"]) and params["wait"]:
            self.wait_until_running(None, Operation("create schema %s" % params["name"], self.about))

    def create(self):
        params = self.params
        missing = [option for option in ("shard_number", "data_nodes") if params[option] is None]
        missing += ["data_nodes[%d].%s" % (index, key) for index, node in enumerate(params["data_nodes"] or [])
                    for key in ("admin_user", "admin_password") if not node[key]]
        if missing:
            raise ConfigurationError("schema %s does not exist; creating it needs %s" % (params["name"], ", ".join(missing)))
        self.check_data_nodes()
        if self.check_mode:
            self.plan_to("create", {}, self.settings())
            return
        operation = Operation("create schema %s" % params["name"], self.about)
        self.instance = self.operator.wait_until_settled(self.instance, params["wait"], operation)
        what = "create %s" % describe(dict(name=params["name"]), self.about)
        create = functools.partial(self.schemas.create, self.instance["id"], params["name"], params["shard_mode"], params["shard_number"],
                                   params["data_nodes"])
        sent = self.sender.send("create", lambda: self.operator.send(self.instance, create, params["wait"], operation), what=what,
                                look=lambda: self.schemas.get(self.instance["id"], params["name"]),
                                check="the schemas of DDM instance %s (%s) with ddm_schema_info (a rerun adopts the schema if it exists)" % (
                                    printable(str(self.about["name"])), self.about["id"]))
        self.changed_by({}, self.settings())
        answer = sent.answer or {}
        if sent.found is not None:
            self.module.warn("The answer to the request to %s was lost (%s); the schema was found by name and adopted" % (what, sent.cause))
        self.resource = dict(name=params["name"], status="CREATING", shard_mode=params["shard_mode"], shard_number=params["shard_number"],
                             data_nodes=[dict(id=node["id"]) for node in params["data_nodes"]])
        self.follow_job(answer.get("job_id"), operation, params["wait"])
        if params["wait"]:
            self.wait_until_running(self.result.get("job"), operation)
        else:
            self.resource = self.read_quietly()

    def check_data_nodes(self):
        """Each data node must be one the instance offers for new schemas, or one its schemas already use; fails before any write."""
        offered, truncated = self.schemas.available_data_nodes(self.instance["id"])
        allowed = {node["id"] for node in offered}
        wanted = [node["id"] for node in self.params["data_nodes"]]
        if not all(node_id in allowed for node_id in wanted):
            listing = self.schemas.iterate(self.instance["id"])
            allowed.update(node["id"] for item in listing for node in item.get("used_rds") or [])
            truncated = truncated or listing.truncated
        unknown = [node_id for node_id in wanted if node_id not in allowed]
        if unknown:
            raise HuaweiCloudError("data_nodes: %s %s not offered by DDM instance %s (%s) for new schemas, nor used by its schemas%s "
                                   "(offered: %s); nothing was changed" % (
                                       ", ".join(unknown), "is" if len(unknown) == 1 else "are", printable(str(self.about["name"])),
                                       self.about["id"], " (the list was cut short: %s)" % truncated if truncated else "",
                                       ", ".join(printable(node["id"]) for node in offered) or "none"))

    def wait_until_running(self, job, operation):
        """Done means done: the schema reads RUNNING; a failed one fails with the schema and the task (its fail_reason)."""
        name = self.params["name"]
        self.resource = self.wait_for_schema(lambda current: current is None or not in_progress(current["status"]), READY, operation)
        if self.resource is None:
            raise OperationFailed("%s disappeared while it was being created" % describe(dict(name=name), self.about), job=job)
        if is_failed(self.resource["status"]):
            reason = (job or {}).get("fail_reason")
            raise OperationFailed("%s is %s%s" % (printable(describe(self.resource, self.about)), printable(self.resource["status"]),
                                                  ": %s" % printable(reason) if reason else ""), self.resource, job)

    # ------------------------------------------------------------------ absent

    def delete(self, schema):
        if schema is None:
            return
        params = self.params
        self.resource = schema
        if self.check_mode:
            self.plan_to("delete", self.settings(schema), {})
            return
        operation = Operation("delete schema %s" % params["name"], self.about)
        if schema["status"] != "DELETING":  # a deletion under way is followed, not sent again
            if in_progress(schema["status"]):  # being created: a delete now is refused (DBS.300130)
                if not params["wait"]:
                    raise OperationFailed("%s is %s: an operation is under way on it; set wait: true to wait for it to end" % (
                        printable(describe(schema, self.about)), printable(schema["status"])), schema)
                self.resource = self.wait_for_schema(lambda current: current is None or not in_progress(current["status"]), READY, operation)
            self.instance = self.operator.wait_until_settled(self.instance, params["wait"], operation)
            what = "delete %s" % describe(schema, self.about)
            sent = self.sender.send("delete", lambda: self.operator.send(self.instance, lambda: self.send_delete(schema), params["wait"], operation),
                                    what=what, look=lambda: self.deleting(schema),
                                    check="whether %s still exists" % printable(describe(schema, self.about)))
            if sent.found is not None:
                self.module.warn("The answer to the request to %s was lost (%s); the schema was found %s" % (
                    what, sent.cause, "gone" if sent.found.get("gone") else "being deleted"))
            self.follow_job((sent.answer or {}).get("job_id"), operation, params["wait"])
        self.changed_by(self.settings(schema), {})
        if params["wait"]:
            self.wait_until_gone(operation)
            self.resource = None
        else:
            self.resource = self.read_quietly()

    def send_delete(self, schema) -> dict:
        """The deletion's answer; ``{}`` when a deletion is under way already (an earlier attempt whose answer was lost): it is followed."""
        params = self.params
        try:
            return self.schemas.delete(self.instance["id"], params["name"], params["delete_data"]) or {}
        except APIError as exc:
            if exc.code != STATUS_CODE or (self.read(schema) or {}).get("status") != "DELETING":
                raise
            return {}

    def deleting(self, schema) -> dict | None:
        """After a deletion whose outcome is unclear: ``{"gone": ...}`` once the schema is gone or being deleted, else None."""
        current = self.read(schema)
        return {"gone": current is None} if current is None or current.get("status") == "DELETING" else None

    def wait_until_gone(self, operation):
        """Until the schema has left the list, so that a schema of the same name can be created right after."""
        name, instance_id = self.params["name"], self.instance["id"]
        last = [None]

        def fetch():
            last[0] = self.schemas.listed(instance_id, name)[0]
            return last[0]

        self.resource = self.wait_for_schema(lambda current: current is None, "gone from the list", operation, fetch)
        if last[0] is not None:
            raise OperationFailed("%s is still listed (status %s)" % (describe(dict(name=name), self.about), printable(str(last[0].get("status")))),
                                  last[0])

    def wait_for_schema(self, done, wanted: str, operation, fetch=None):
        """Poll the schema (``fetch``, by default its own read) until ``done(schema or None)``; fails at the deadline with the last status."""
        name = self.params["name"]
        read = fetch or (lambda: self.schemas.get(self.instance["id"], name))
        context = operation.progress_context()
        last = [self.resource]

        def poll():
            last[0] = read()
            return last[0]

        def report(current, elapsed):
            shown = "gone" if current is None else current.get("status")
            self.reporter.update(shown, schema_record(name, shown, wanted, elapsed, **context))

        def seen():
            return "its status is still %s" % ("gone" if last[0] is None else printable(str(last[0].get("status")))), last[0] or self.resource

        return self.operator.watch(poll, done, report, lambda: "%s to be %s" % (describe(dict(name=name), self.about), wanted), seen)


def main():
    DdmSchema.main()


if __name__ == "__main__":
    main()
