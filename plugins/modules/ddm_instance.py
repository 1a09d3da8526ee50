#!/usr/bin/python
# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ddm_instance
short_description: Create, change and delete Huawei Cloud DDM instances
version_added: 1.1.0
description:
  - Makes a Huawei Cloud Distributed Database Middleware (DDM) instance present with the given settings,
    or absent.
  - Finds the instance by O(instance_id), or by its exact O(name) over the whole instance list. When
    two or more instances have that name, the module fails listing their ids and acts on none of them.
  - Creates pay-per-use instances with the v3 API and returns the creation task's id in RV(job_id).
    It never sends billing options, and refuses to resize, change the nodes of, or delete a
    yearly/monthly instance (those go through the billing centre).
  - "Changes one setting at a time, in this order: the name (the v3 call, which allows V(_) and runs as a task), the security group, the flavor (resize),
    the number of nodes (added across the instance's availability zones, or removed), the administrator
    password. It waits for each operation's task before the next one, even with O(wait=false), which
    only skips the wait after the last one."
  - An operation is complete when its task is V(Completed), not when the instance first reads
    V(RUNNING) again. Right after a change is accepted the instance can still read V(RUNNING) with
    its old settings.
  - A request to create, resize or delete an instance or to add or remove nodes is never sent twice.
    When its outcome is unclear (no answer, a reset connection, HTTP 502, 503 or 504, or a success
    whose answer cannot be read), the module reads back what happened instead, and adopts a task
    only when it is new since the request and the instance ends as asked; otherwise it fails saying
    the request may or may not have been applied. A later run adopts an instance created that way.
  - After creating an instance the module reads the list again by name; several instances of the
    name (runs on several hosts creating it at once) fail naming every id. Create from one host
    (C(run_once)) in plays over many hosts.
  - O(wait_timeout) bounds the whole run, every operation included.
author:
  - huaweicloud.cloud contributors (@huaweicloud)
options:
  state:
    description:
      - V(present) creates the instance if it does not exist, and changes what differs.
      - V(absent) deletes it (a failed instance included). Deleting an instance that does not exist changes nothing.
      - V(restarted) restarts the instance, and waits on the restart's task with O(wait). It never creates an
        instance (a missing one fails), reports a change on every run that sends the restart (as V(restarted) does across
        Ansible; a restart the API refuses changes nothing), and waits for an operation already under way
        on the instance to end first. Options that would change the instance fail with it, naming them, as a restart
        changes nothing else. M(huaweicloud.cloud.ddm_instance_config) restarts the instance when a parameter change needs it.
    type: str
    choices: [present, absent, restarted]
    default: present
  name:
    description:
      - The instance's name, 4 to 64 characters, starting with a letter, then letters, digits, V(-) and V(_).
      - Without O(instance_id), the name finds the instance (an exact match over the whole list).
      - With O(instance_id), the name the instance should have; a different name renames it.
    type: str
  instance_id:
    description:
      - The instance's id. With O(state=present) an unknown id fails; the module never creates an instance for it.
    type: str
  flavor:
    description:
      - The flavor's spec code, such as V(ddm.c6.large.2). Needed to create; a different one resizes the instance.
      - The flavor must be on sale (status V(normal)) in each of the instance's availability zones
        (see M(huaweicloud.cloud.ddm_flavor_info)); otherwise the module fails before sending anything.
    type: str
  node_num:
    description:
      - The number of nodes, 1 to 32. Needed to create; a different number adds or removes nodes.
      - With O(group_id), the number of nodes of that node group.
    type: int
  group_id:
    description:
      - The node group that O(flavor) and O(node_num) apply to, on an instance with several node groups (see the
        C(groups) of M(huaweicloud.cloud.ddm_instance_info)). On such an instance a change of flavor or nodes needs it,
        and the module fails, listing the groups, before sending anything.
      - On an instance with one node group it may be left out.
      - Nodes added to a group go into O(subnet_id) when it is given (needed when the group spans several subnets).
    type: str
    version_added: 2.0.0
  engine_version:
    description:
      - The DDM engine version, such as V(3.0.8.5). Needed to create (creation only; a different
        version of an existing instance is a warning). A version not on offer fails before anything is sent, listing those on offer.
    type: str
  availability_zones:
    description:
      - The availability zones of the nodes. Needed to create (creation only; a different set fails). A zone where DDM
        offers no flavor fails before anything is sent, listing the zones on offer.
    type: list
    elements: str
  vpc_id:
    description:
      - The VPC's id. Needed to create (creation only; a different VPC fails).
    type: str
  subnet_id:
    description:
      - The subnet's id (its network id). Needed to create (creation only; a different subnet fails).
    type: str
  security_group_id:
    description:
      - The security group's id. Needed to create; a different one is applied to the instance.
    type: str
  param_group_id:
    description:
      - The parameter group's id. Creation only.
    type: str
  time_zone:
    description:
      - The time zone, V(UTC) or V(UTC+hh:00) / V(UTC-hh:00) from V(UTC-12:00) to V(UTC+12:00), such as V(UTC+08:00). Creation only.
    type: str
  enterprise_project_id:
    description:
      - The enterprise project's id. Creation only.
    type: str
  admin_user:
    description:
      - The administrator's name, 1 to 32 characters, a letter first, then letters, digits and V(_). Set at creation; used to change the password.
    type: str
  admin_password:
    description:
      - The administrator's password, 8 to 32 characters of at least three kinds among upper case letters, lower case
        letters, digits and the specials V(~!@#%^*-_=+?) (no other characters). Set at creation; changed on an existing
        instance as O(update_password) says.
    type: str
  update_password:
    description:
      - V(on_create) sets O(admin_password) only when creating the instance.
      - V(always) also resets it on an existing instance, on every run (a password cannot be read back,
        so the module cannot tell whether it differs).
    type: str
    choices: [always, on_create]
    default: on_create
  delete_data_nodes:
    description:
      - With O(state=absent), also delete the data on the instance's data nodes (the API's C(delete_dn_data), always sent).
    type: bool
    default: false
extends_documentation_fragment:
  - huaweicloud.cloud.huaweicloud
  - huaweicloud.cloud.huaweicloud.ddm
  - huaweicloud.cloud.huaweicloud.resource_module
  - huaweicloud.cloud.huaweicloud.wait
notes:
  - DDM names need not be unique. Give O(instance_id) once you know it, or keep names unique.
seealso:
  - module: huaweicloud.cloud.ddm_instance_info
  - module: huaweicloud.cloud.ddm_flavor_info
  - module: huaweicloud.cloud.ddm_job_info
"""

EXAMPLES = r"""
- name: Create a DDM instance and wait until it is ready
  huaweicloud.cloud.ddm_instance:
    name: orders-ddm
    flavor: ddm.c6.large.2
    node_num: 2
    engine_version: 3.0.8.5
    availability_zones: [cn-north-4a, cn-north-4b]
    vpc_id: "{{ vpc_id }}"
    subnet_id: "{{ subnet_id }}"
    security_group_id: "{{ security_group_id }}"
    admin_user: root
    admin_password: "{{ ddm_admin_password }}"
  register: ddm

- name: Use it
  ansible.builtin.debug:
    msg: "{{ ddm.instance.id }} listens on {{ ddm.instance.access_ip }}:{{ ddm.instance.access_port }}"

- name: Grow it to four nodes on a larger flavor
  huaweicloud.cloud.ddm_instance:
    instance_id: "{{ ddm.instance.id }}"
    flavor: ddm.c6.xlarge.2
    node_num: 4

- name: Delete it, with the data of its data nodes
  huaweicloud.cloud.ddm_instance:
    instance_id: "{{ ddm.instance.id }}"
    state: absent
    delete_data_nodes: true
"""

RETURN = r"""
changed:
  description:
    - Whether the instance was (or, in check mode, would be) created, changed, deleted or restarted (with O(state=restarted), whenever the restart was sent).
    - A write the API refused (a 4xx) changed nothing; a write whose outcome could not be told counts as a change.
  returned: always
  type: bool
actions:
  description:
    - The writes the module sent, in order, that the API accepted or whose outcome was unclear (a write the API refused
      with a 4xx applied nothing and is not listed). Empty in check mode, which sends nothing (see RV(planned)).
  returned: always
  type: list
  elements: str
  sample: [resize, add nodes]
planned:
  description: In check mode, the writes the module would send, in order.
  returned: in check mode
  type: list
  elements: str
  sample: [resize, add nodes]
instance:
  description:
    - The instance as last read, also when the module fails after creating it, so that its id is never lost.
    - Absent when there is no instance (nothing found, or deleted).
  returned: when there is an instance
  type: dict
  contains:
    id:
      description: The instance's id.
      type: str
      returned: always
    name:
      description: Its name.
      type: str
      returned: always
    status:
      description:
        - Its status, such as V(RUNNING), V(CREATING) or V(CREATEFAILED).
        - V(data_disk_full) (the data disk is full) is not an operation in progress; the module fails at once on it, and
          O(state=absent) deletes such an instance.
      type: str
      returned: always
    flavor:
      description: The flavor's spec code.
      type: str
      returned: always
    node_num:
      description: The number of nodes.
      type: int
      returned: always
    availability_zones:
      description: Its availability zones.
      type: list
      elements: str
      returned: always
    vpc_id:
      description: The VPC's id.
      type: str
      returned: always
    subnet_id:
      description: The subnet's id.
      type: str
      returned: always
    security_group_id:
      description: The security group's id.
      type: str
      returned: always
    engine_version:
      description: The engine version.
      type: str
      returned: always
    admin_user:
      description: The administrator's name (never the password).
      type: str
      returned: always
    access_ip:
      description:
        - The one address applications connect to. When the API lists every node's address here, the first of them;
          each node's own address is in RV(instance.nodes[].ip).
        - Before 2.0.0, the API's text as given (possibly several comma-separated addresses).
      type: str
      returned: always
    access_port:
      description: The port applications connect to (a number since 2.0.0).
      type: int
      returned: always
    vcpus:
      description: CPUs of a node (of the default node group).
      type: int
      returned: always
      version_added: 2.0.0
    ram:
      description: Memory of a node in GB (of the default node group).
      type: int
      returned: always
      version_added: 2.0.0
    nodes:
      description: The nodes.
      type: list
      elements: dict
      returned: when the instance was read on its own
      contains:
        node_id:
          description: The node's id.
          type: str
        status:
          description: The node's status.
          type: str
        ip:
          description: The node's address.
          type: str
        port:
          description: The node's port (a number since 2.0.0).
          type: int
        group_id:
          description: The node group the node belongs to.
          type: str
    enterprise_project_id:
      description: The enterprise project's id.
      type: str
      returned: always
    created:
      description: When it was created.
      type: str
      returned: always
    updated:
      description: When it was last changed.
      type: str
      returned: always
    error_msg:
      description: Why it failed, for a failed instance, in full (failure messages show at most its first 300 characters). Null otherwise.
      type: str
      returned: always
    order_id:
      description: The order of a yearly/monthly instance; empty for pay-per-use.
      type: str
      returned: always
job_id:
  description: The id of the last operation's task (see M(huaweicloud.cloud.ddm_job_info)).
  returned: when an operation started a task
  type: str
job_ids:
  description: The ids of every task the run started, in order.
  returned: always
  type: list
  elements: str
job:
  description: The last task's state, when the module waited on it (same shape as M(huaweicloud.cloud.ddm_job_info)'s C(job)).
  returned: when the module waited on a task
  type: dict
diff:
  description: With C(--diff), the settings the module changes (C(name), C(security_group_id), C(flavor), C(node_num)), before and after.
  returned: when run with C(--diff)
  type: dict
  contains:
    before:
      description: The settings before.
      type: dict
    after:
      description: The settings after.
      type: dict
"""

import re

from ..module_utils._ddm.instances import MAX_NODES_PER_CALL, NAME, READY, describe, in_progress, instance_view, is_failed, \
    required_fields
from ..module_utils._ddm.jobs import FINAL_STATUSES, job_view
from ..module_utils._ddm.job_waiter import wait_interval
from ..module_utils._ddm.module import DdmModule
from ..module_utils._ddm.operations import Operation, settled
from ..module_utils._ddm.parameters import DdmParameters, restart_instance
from ..module_utils._ddm.writes import CLOCK_MARGIN, JOB_PAGES, JOBS_BEFORE, READ_BACK_SECONDS, WriteSender
from ..module_utils._cloud.errors import ConfigurationError, HuaweiCloudError, OperationFailed, printable, server_text
from ..module_utils._cloud.polling import wait_for
from ..module_utils._ansible.module import check_plain_id

STUCK_HINTS = {"DATA_DISK_FULL": " until space is freed on its data disk; this is not an operation that ends by itself"}
# Options a restart refuses: they would change the instance (the name too, with instance_id).
RESTART_REFUSES = ("flavor", "node_num", "engine_version", "availability_zones", "vpc_id", "subnet_id", "security_group_id", "param_group_id",
                   "time_zone", "enterprise_project_id", "admin_user", "admin_password", "delete_data_nodes", "group_id")
CREATE_NEEDS = ("flavor", "node_num", "engine_version", "availability_zones", "vpc_id", "subnet_id", "security_group_id")
CREATION_ONLY = (("vpc_id", "vpc_id"), ("subnet_id", "subnet_id"))
# What --diff shows: the settings the module can change.
DIFF_KEYS = ("name", "security_group_id", "flavor", "node_num")
# The API's limits (create, add nodes: 1 to 32 nodes; the reference of the instance API).
MAX_NODE_NUM = 32
ADMIN_USER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
PASSWORD_SPECIALS = "~!@#%^*-_=+?"
TIME_ZONE = re.compile(r"UTC([+-](0\d|1[0-2]):00)?")
# Failure messages quote at most this much of the server's text (the result keeps all of it).
SERVER_TEXT_SHOWN = 300
# An instance in these statuses is being deleted: absent waits for it (with wait) and sends nothing; present never writes to it.
DELETING_STATUSES = frozenset(("DELETING",))
# Changes that are never sent twice and whose unclear outcome is read back through the task they start (by these names; the
# resize task's name is not documented: any new task of the instance, proven by the flavor it leaves).
ADOPTABLE = {"resize": None, "add nodes": ("EnlargeNode",), "remove nodes": ("ReduceNode",)}
# Each change in messages (of the instance described), and what to check when its outcome cannot be told.
WHAT = {"rename": "rename %s", "change security group": "change the security group of %s", "resize": "resize %s",
        "add nodes": "add nodes to %s", "remove nodes": "remove nodes from %s", "reset admin password": "reset the administrator password of %s"}
CHECKS = {"resize": "the flavor", "add nodes": "the node count", "remove nodes": "the node count", "rename": "the name",
          "change security group": "the security group", "reset admin password": "the administrator password"}


class DdmInstance(DdmModule):
    wait_timeout_bounds_run = True
    resource_key = "instance"
    instance_api = DdmParameters  # the instance calls, and the restart
    required_one_of = (("name", "instance_id"),)

    @classmethod
    def argument_spec(cls):
        spec = super().argument_spec()
        spec.update(
            state=dict(type="str", choices=["present", "absent", "restarted"], default="present"),
            name=dict(type="str"), instance_id=dict(type="str"), flavor=dict(type="str"), node_num=dict(type="int"),
            engine_version=dict(type="str"), availability_zones=dict(type="list", elements="str"),
            vpc_id=dict(type="str"), subnet_id=dict(type="str"), security_group_id=dict(type="str"), param_group_id=dict(type="str"),
            time_zone=dict(type="str"), enterprise_project_id=dict(type="str"), admin_user=dict(type="str"),
            admin_password=dict(type="str", no_log=True), update_password=dict(type="str", no_log=False, choices=["always", "on_create"], default="on_create"),
            delete_data_nodes=dict(type="bool", default=False), group_id=dict(type="str"),
        )
        return spec

    def check_options(self):
        params = self.params
        self.check_restart_options()
        for option in ("instance_id", "vpc_id", "subnet_id", "security_group_id", "param_group_id", "enterprise_project_id", "group_id"):
            check_plain_id(params[option], option)
        if params["name"] is not None and not NAME.fullmatch(params["name"]):
            raise ConfigurationError("name must have 4 to 64 characters, start with a letter and hold only letters, digits, '-' and '_', "
                                     "got %r" % params["name"])
        if params["node_num"] is not None and not 1 <= params["node_num"] <= MAX_NODE_NUM:
            raise ConfigurationError("node_num must be from 1 to %d, got %d" % (MAX_NODE_NUM, params["node_num"]))
        check_admin(params["admin_user"], params["admin_password"])
        if params["time_zone"] is not None and not TIME_ZONE.fullmatch(params["time_zone"]):
            raise ConfigurationError("time_zone must be UTC or UTC+hh:00 / UTC-hh:00 from UTC-12:00 to UTC+12:00, got %r" % params["time_zone"])
        zones = params["availability_zones"]
        if zones is not None:
            for index, zone in enumerate(zones):
                check_plain_id(zone, "availability_zones[%d]" % index)
            if not zones or len(set(zones)) != len(zones):
                raise ConfigurationError("availability_zones must name at least one zone, each once, got %s" % zones)
        super().check_options()

    def view(self, resource):
        return instance_view(resource)

    def read(self, resource):
        return self.api.get(resource["id"])

    def run(self):
        self.sender = WriteSender(self, self.jobs)
        self.result.update(actions=[], job_ids=[])
        if self.check_mode:
            self.result["planned"] = []
        found = self.find()
        if self.params["state"] == "restarted":
            self.restart(found)
        elif self.params["state"] == "absent":
            self.delete(found)
        elif found is None:
            self.create()
        else:
            self.update(found)

    def find(self) -> dict | None:
        """The instance by id, or the one instance with the name; fails on an unknown id (present) and on two of a name."""
        params = self.params
        if params["instance_id"]:
            instance = self.api.get(params["instance_id"])
            if instance is None and params["state"] == "present":
                raise HuaweiCloudError("DDM instance %s does not exist; an instance_id never creates one (leave it out to create "
                                       "by name)" % params["instance_id"])
            if instance is not None and params["state"] == "absent" and params["name"] and instance.get("name") != params["name"]:
                # Identity before destruction: the id and the name must name the same instance.
                self.resource = instance
                raise HuaweiCloudError("instance_id %s is DDM instance %s, not %s: refusing to delete on a name and an id that disagree; "
                                       "nothing was changed" % (params["instance_id"], printable(str(instance.get("name"))), params["name"]))
            return instance
        if not params["name"]:
            raise ConfigurationError("name or instance_id is needed to find the instance")
        matches, truncated = self.api.find_by_name(params["name"])
        if len(matches) > 1:
            raise HuaweiCloudError("%d DDM instances are named %s (%s): give instance_id to choose one; nothing was changed" % (
                len(matches), params["name"], ", ".join(printable(item["id"]) for item in matches)))
        if not matches and truncated:
            raise HuaweiCloudError("The DDM instance list was cut short (%s), so whether %s exists is unknown; nothing was changed" % (
                truncated, params["name"]))
        if truncated:
            self.module.warn("The DDM instance list was cut short (%s): another instance named %s may exist" % (truncated, params["name"]))
        return self.read_listed(matches[0]) if matches else None

    def read_listed(self, item: dict) -> dict | None:
        """The instance of a list item, read on its own. A listed instance whose show answers 404 is an inconsistency: read again
        for a while; it is gone only once the list no longer shows it. Never taken for "no instance" (which would create another)."""
        def attempt():
            current = self.api.get(item["id"])
            if current is not None:
                return (current,)
            return (None,) if all(match["id"] != item["id"] for match in self.api.find_by_name(item["name"])[0]) else None

        found = attempt()
        if found is None:
            window = self.deadline.sooner(READ_BACK_SECONDS)
            found = wait_for(attempt, lambda value: value is not None, window, wait_interval(self.params["wait_interval"], window),
                             clock=self.clock, sleep=self.sleep).value if window.seconds > 0 else None
        if found is None:
            self.resource = item
            raise OperationFailed("%s is in the instance list, but its show call answers that it does not exist: the API contradicts "
                                  "itself; nothing was changed (no other instance is created over it). Run the task again later" % (
                                      printable(describe(item))), item)
        return found[0]

    # ------------------------------------------------------------------ create

    def create(self):
        params = self.params
        missing = [option for option in CREATE_NEEDS if params[option] is None]
        if missing:
            raise ConfigurationError("DDM instance %s does not exist; creating it needs %s" % (params["name"], ", ".join(missing)))
        if (params["admin_user"] is None) != (params["admin_password"] is None):
            raise ConfigurationError("creating DDM instance %s with an administrator needs both admin_user and admin_password" % params["name"])
        self.check_flavor(params["flavor"], params["availability_zones"])
        if self.check_mode:
            self.plan_to("create", {}, {key: params[key] for key in DIFF_KEYS})
            return
        name = params["name"]
        body = dict(name=name, available_zones=params["availability_zones"], node_num=params["node_num"],
                    engine_version=params["engine_version"], flavor_ref=params["flavor"], vpc_id=params["vpc_id"], subnet_id=params["subnet_id"],
                    security_group_id=params["security_group_id"])
        body.update({api: params[option] for api, option in (("param_group_id", "param_group_id"), ("time_zone", "time_zone"),
                                                             ("enterprise_project_id", "enterprise_project_id"), ("admin_user_name", "admin_user"),
                                                             ("admin_user_password", "admin_password")) if params[option] is not None})
        sent_at = self.sender.server_now()

        def record(found):
            if len(found) == 1:
                self.resource = found[0]  # its id is never lost, whatever happens next

        sent = self.sender.send("create", lambda: self.api.create(body), what="create DDM instance %s" % name, record=record,
                                look=lambda: self.api.find_by_name(name)[0],
                                check="the DDM instances named %s (ddm_instance_info, or the console)" % name)
        self.changed_by({}, {key: params[key] for key in DIFF_KEYS})
        if sent.found is not None:
            answer = self.adopt_created(sent, sent_at)
        else:
            answer = sent.answer
            if not answer.get("id"):
                raise HuaweiCloudError("DDM answered the creation of %s without an instance id (%s); check the DDM instances named %s" % (
                    name, ", ".join("%s %s" % (key, printable(value)) for key, value in sorted(answer.items())), name))
            self.resource = dict(id=answer["id"], name=name, status="CREATING")  # its id is never lost, whatever happens next
        self.check_single(answer["id"])
        operation = Operation("create", dict(id=answer["id"], name=name))
        self.follow(answer.get("job_id"), True, operation)
        if not answer.get("job_id") and params["wait"]:
            # An adopted creation whose job was not found: a new instance reads CREATING at once, so its status says when it ends.
            self.resource = self.operator.wait_for_status(self.resource, settled, READY, operation) or self.resource
            if is_failed(self.resource["status"]):
                raise OperationFailed("%s is %s%s" % (printable(describe(self.resource)), printable(self.resource["status"]),
                                                      ": %s" % server_text(self.resource["error_msg"]) if self.resource.get("error_msg") else ""))
        if params["wait"]:
            self.check_single(answer["id"])

    def adopt_created(self, sent, sent_at) -> dict:
        """The instance a creation whose answer was unclear made (found by name, already in the result); its creation task adopted
        only with proof, and looked up best-effort: a failing lookup never loses the instance."""
        name = self.params["name"]
        if len(sent.found) > 1:
            raise OperationFailed("The request to create DDM instance %s got no clear answer (%s); %d instances of that name exist now (%s): "
                                  "not choosing one" % (name, sent.cause, len(sent.found), ", ".join(printable(item["id"]) for item in sent.found)))
        item = sent.found[0]
        self.module.warn("The answer to the request to create DDM instance %s was lost (%s); the instance it created, %s, was found by name "
                         "and adopted" % (name, sent.cause, printable(item["id"])))
        try:
            job = self.sender.adopt_job(("CreateInstance",), item["id"], sent_at)
        except HuaweiCloudError as exc:
            self.module.warn("The creation task of DDM instance %s (%s) could not be looked up (%s); its status is followed instead" % (
                name, printable(item["id"]), exc))
            job = None
        return dict(id=item["id"], job_id=job["id"] if job else None)

    def check_single(self, own_id: str) -> None:
        """After a creation: the name must name one instance. Others (concurrent runs creating the same name) fail loudly, naming
        every id, this run's first."""
        name = self.params["name"]
        others = [item["id"] for item in self.api.find_by_name(name)[0] if item["id"] != own_id]
        if others:
            raise OperationFailed("%d DDM instances are named %s now: %s (created by this run), %s: another run created the same name at "
                                  "the same time. Keep one and delete the others; in a play over many hosts, create with run_once" % (
                                      len(others) + 1, name, printable(own_id), ", ".join(printable(other) for other in others)))

    def check_flavor(self, flavor, zones):
        """Refuse a flavor that is not on sale in one of the zones, before anything is written."""
        # An existing instance's own version (a different engine_version option only warns), else the one to create with.
        version = (self.resource or {}).get("engine_version") or self.params["engine_version"]
        if self.resource is None:
            versions = [engine["version"] for engine in self.api.engines()]
            if version not in versions:
                raise ConfigurationError("engine_version %s is not on offer (offered: %s); nothing was sent" % (version, ", ".join(versions) or "none"))
        flavors = self.api.flavors(engine_version=version)
        known = sorted({zone for item in flavors for zone in item["az_status"]})
        unknown = [zone for zone in zones if zone not in known]
        if unknown and self.resource is None:
            raise ConfigurationError("availability_zones: %s %s not on offer (offered: %s); nothing was sent" % (
                ", ".join(unknown), "is" if len(unknown) == 1 else "are", ", ".join(map(printable, known)) or "none"))
        offered = {item["spec_code"]: item for item in flavors}
        if flavor not in offered:
            raise HuaweiCloudError("flavor %s is not offered for engine version %s (offered: %s); nothing was changed" % (
                flavor, printable(str(version)), ", ".join(sorted(offered)) or "none"))
        unsold = ["%s in %s" % (offered[flavor]["az_status"].get(zone) or "not offered", zone) for zone in zones
                  if offered[flavor]["az_status"].get(zone) != "normal"]
        if unsold:
            raise HuaweiCloudError("flavor %s cannot be bought where the instance runs: %s; nothing was changed" % (flavor, ", ".join(unsold)))

    # ------------------------------------------------------------------ update

    def update(self, instance):
        self.resource = instance
        if instance["status"] in DELETING_STATUSES:
            raise OperationFailed("%s is being deleted (%s): nothing was sent to it" % (printable(describe(instance)), printable(instance["status"])))
        if is_failed(instance["status"]):
            raise OperationFailed("%s is %s%s: it cannot be changed%s (state: absent deletes it)" % (
                printable(describe(instance)), printable(instance["status"]),
                ": %s" % server_text(instance["error_msg"]) if isinstance(instance.get("error_msg"), str) and instance["error_msg"] else "",
                STUCK_HINTS.get(instance["status"].upper(), "")))
        operation = Operation("wait", dict(id=instance["id"], name=instance.get("name")))
        if in_progress(instance["status"]) and self.params["wait"]:
            # An operation under way is waited for, even when nothing is to change; changes are planned from a settled instance.
            self.resource = self.operator.wait_for_status(instance, settled, READY, operation)
            if self.resource is None:
                raise OperationFailed("%s was deleted while this run waited for it: nothing was sent to it" % printable(describe(instance)))
            return self.update(self.resource)
        view = instance_view(self.resource)
        self.check_creation_only(view)
        plan = self.plan(view)
        if plan and in_progress(view["status"]):
            self.operator.wait_until_settled(self.resource, False, operation)  # fails naming the status: wait is false
        if plan and not self.check_mode:
            plan = self.settle(view, plan, operation)
            view = instance_view(self.resource)
        paid = [name for name, _send, _after in plan if name in ("resize", "add nodes", "remove nodes")]
        if paid and view.get("order_id"):
            raise OperationFailed("%s is a yearly/monthly instance (order %s): %s goes through an order; use the billing centre. Nothing was "
                                  "sent" % (printable(describe(view)), printable(view["order_id"]), " and ".join(paid)))
        if any(name == "resize" for name, _send, _after in plan):
            self.check_flavor(self.params["flavor"], view["availability_zones"])
        if self.check_mode:
            for name, _send, after in plan:
                self.plan_to(name, {key: view[key] for key in after}, after)
            return
        for step, (name, send, after) in enumerate(plan, 1):
            self.change(name, send, after, Operation(name, dict(id=view["id"], name=view["name"]), step, len(plan)), step == len(plan))

    def settle(self, view, plan, operation) -> list:
        """The plan, made again once no task of the instance still runs: right after a write the instance can still read RUNNING
        with its old settings, and a plan made from them would repeat it. Without wait, a task still running fails naming it."""
        running = self.running_jobs(view["id"])
        if not running:
            return plan
        if not self.params["wait"]:
            raise OperationFailed("%s reads %s, but its task %s (%s) is still running: the settings it reads may be stale; set wait: true to "
                                  "wait for the task, nothing was sent" % (printable(describe(view)), printable(view["status"]), running[0]["id"],
                                                                           printable(str(running[0].get("name")))))
        for job in running:
            self.wait_for_job(job["id"], operation)
        self.resource = self.api.get(view["id"])
        if self.resource is None:
            raise OperationFailed("%s was deleted while this run waited for it: nothing was sent to it" % printable(describe(view)))
        self.resource = self.operator.wait_until_settled(self.resource, True, operation)
        view = instance_view(self.resource)
        self.check_creation_only(view)
        return self.plan(view)

    def running_jobs(self, instance_id: str) -> list:
        """The instance's tasks of the last day that have not ended, as the task list shows them (a few pages)."""
        now = self.sender.server_now()
        listing = self.jobs.iterate(now - JOBS_BEFORE, now + CLOCK_MARGIN, JOB_PAGES)
        return [job for job in (job_view(item) for item in listing)
                if (job.get("instance") or {}).get("id") == instance_id and job["status"] not in FINAL_STATUSES]

    def change(self, name, send, after, operation, last):
        """One change: sent once when the instance is settled; an unclear outcome read back, a task adopted only with proof."""
        view = instance_view(self.resource)
        may_wait = self.params["wait"] or operation.step > 1
        self.resource = self.operator.wait_until_settled(self.resource, may_wait, operation)
        if self.resource is None:
            raise OperationFailed("%s was deleted while this run waited for it: nothing more was sent" % printable(describe(view)))
        instance_id = view["id"]
        job_names = ADOPTABLE.get(name, ())
        seen = self.sender.jobs_of(instance_id) if name in ADOPTABLE else set()
        sent_at = self.sender.server_now()
        done = reached(after)

        def look():
            if name in ADOPTABLE:
                return self.sender.adopt_job(job_names, instance_id, sent_at, seen)
            current = self.api.get(instance_id)
            return {"reached": True} if done is not None and done(current) else None

        what = WHAT[name] % printable(describe(view))
        check = "%s of %s" % (CHECKS.get(name, "the settings"), printable(describe(view)))
        sent = self.sender.send(name, lambda: self.operator.send(self.resource, send, may_wait, operation, done=done), what=what, look=look,
                                check=check)
        self.changed_by({key: view[key] for key in after}, after)
        if sent.found is None:
            self.follow((sent.answer or {}).get("job_id"), last, operation)
            return
        job_id = sent.found.get("id")
        self.module.warn("The answer to the request to %s was lost (%s); %s" % (
            what, sent.cause, "its task %s was found and followed" % job_id if job_id else "the instance was found as asked"))
        self.follow(job_id, False, operation)  # an adopted task is always followed: the proof is the instance as asked once it ends
        self.sender.confirm(done is None or done(self.resource), what, job_id, check, self.resource)

    def plan(self, view) -> list:
        """(action, the write, the settings it changes) for each difference, in the documented order."""
        params, instance_id = self.params, view["id"]
        plan = []
        if params["instance_id"] and params["name"] and params["name"] != view["name"]:
            plan.append(self.rename_entry(instance_id))
        group_id, view = self.node_group(view)
        if params["security_group_id"] and params["security_group_id"] != view["security_group_id"]:
            plan.append(("change security group", lambda: self.api.set_security_group(instance_id, params["security_group_id"]),
                         dict(security_group_id=params["security_group_id"])))
        if params["flavor"] and params["flavor"] != view["flavor"]:
            plan.append(("resize", lambda: self.api.resize(instance_id, params["flavor"], group_id), dict(flavor=params["flavor"])))
        current = view["node_num"] or 0
        if params["node_num"] and current and params["node_num"] > current:
            required_fields({"available_zone": ",".join(view["availability_zones"])}, printable(describe(view)), ("available_zone",))
            zones = [view["availability_zones"][index % len(view["availability_zones"])] for index in range(current, params["node_num"])]
            for start in range(0, len(zones), MAX_NODES_PER_CALL):  # the API adds at most 32 nodes a call
                batch = zones[start:start + MAX_NODES_PER_CALL]
                plan.append(("add nodes", lambda batch=batch: self.api.add_nodes(instance_id, batch, group_id, group_id and params["subnet_id"]),
                             dict(node_num=current + start + len(batch))))
        elif params["node_num"] and params["node_num"] < current:
            plan.append(("remove nodes", lambda: self.api.remove_nodes(instance_id, current - params["node_num"], group_id),
                         dict(node_num=params["node_num"])))
        if params["admin_password"] and params["update_password"] == "always":
            user = params["admin_user"] or view["admin_user"]
            if not user:  # the API needs the name: fail before anything is sent
                raise ConfigurationError("resetting the administrator password of %s needs admin_user: the instance reports no "
                                         "administrator; nothing was changed" % printable(describe(view)))
            plan.append(("reset admin password", lambda: self.api.reset_password(instance_id, user, params["admin_password"]), {}))
        return plan

    def rename_entry(self, instance_id: str) -> tuple:
        """The plan's rename: the v3 call (``_`` allowed, a task to follow)."""
        name = self.params["name"]
        return ("rename", lambda: self.api.rename(instance_id, name), dict(name=name))

    def node_group(self, view) -> tuple:
        """(the group_id to send or None, the view whose flavor and node_num are those that O(flavor) and O(node_num) change).

        An instance with one node group: the instance's own. With several, the group of O(group_id), which a change needs.
        A field the comparison needs and the answer lacks fails, naming it.
        """
        params = self.params
        wanted = [option for option in ("flavor", "node_num") if params[option] is not None]
        if not wanted:
            return None, view
        node_groups = {node.get("group_id") for node in view.get("nodes") or [] if node.get("group_id")}
        if params["group_id"] is None and len(node_groups) <= 1:
            fields = {"flavor": "flavor_ref", "node_num": "node_count"}
            required_fields({fields[option]: view[option] for option in wanted}, printable(describe(view)), [fields[option] for option in wanted])
            return None, view
        groups = self.api.groups(view["id"])
        group = next((item for item in groups if item["id"] == params["group_id"]), None)
        if group is None:
            listed = ", ".join("%s (%s%s, %d nodes)" % (printable(item["id"]), printable(str(item["name"])), ", default" if item["is_default"] else "",
                                                        item["node_num"]) for item in groups)
            if params["group_id"] is None and len(groups) <= 1:
                return None, view
            raise ConfigurationError("%s group_id %s: %s has %d node groups (%s); nothing was sent" % (
                "unknown" if params["group_id"] else "a change of %s needs" % " and ".join(wanted), params["group_id"] or "",
                printable(describe(view)), len(groups), listed))
        flavor = view["flavor"] if group["is_default"] else self.group_flavor(group, view)
        return group["id"], dict(view, flavor=flavor, node_num=group["node_num"])

    def group_flavor(self, group: dict, view) -> str | None:
        """A non-default group's flavor: the groups call gives its CPUs, memory and architecture, not its spec code; the wanted
        flavor counts as the group's when they match."""
        wanted = self.params["flavor"]
        if wanted is None:
            return None
        offered = {item["spec_code"]: item for item in self.api.flavors(engine_version=view["engine_version"])}
        item = offered.get(wanted)
        if item is not None and (item["vcpus"], item["ram"], str(item["cpu_arch"]).upper()) == (
                group["vcpus"], group["ram"], str(group["cpu_arch"]).upper()):
            return wanted
        return None

    def check_creation_only(self, view):
        """Settings that only a new instance can have: a difference fails (never a silent re-create), the engine version warns."""
        params = self.params
        differences = ["%s is %s, not %s" % (option, printable(str(view[key])), params[option]) for option, key in CREATION_ONLY
                       if params[option] is not None and params[option] != view[key]]
        if params["availability_zones"] is not None and set(params["availability_zones"]) != set(view["availability_zones"]):
            current = ", ".join(map(printable, view["availability_zones"]))
            differences.append("availability_zones are %s, not %s" % (current, ", ".join(params["availability_zones"])))
        if differences:
            raise OperationFailed("%s cannot change: %s. These are set when an instance is created; nothing was sent" % (
                printable(describe(view)), "; ".join(differences)))
        if params["engine_version"] is not None and params["engine_version"] != view["engine_version"]:
            self.module.warn("%s runs engine version %s, not %s; the engine version is set when an instance is created" % (
                printable(describe(view)), printable(str(view["engine_version"])), params["engine_version"]))

    # ------------------------------------------------------------------ restart

    def check_restart_options(self):
        """With state=restarted, options that would change the instance fail, naming them, before anything is sent."""
        if self.params["state"] != "restarted":
            return
        given = [option for option in RESTART_REFUSES if self.params[option] not in (None, False)]
        if self.params["instance_id"] and self.params["name"]:
            given.insert(0, "name (with instance_id, a rename)")
        if given:
            raise ConfigurationError("state=restarted only restarts the instance; it cannot change %s: leave %s out, or change the instance "
                                     "with state=present first" % (", ".join(given), "it" if len(given) == 1 else "them"))

    def restart(self, instance):
        """state=restarted: restart an existing instance (waiting for an operation under way first), then follow the restart's task."""
        if instance is None:
            raise HuaweiCloudError("DDM instance %s does not exist; state=restarted never creates one" % (self.params["instance_id"] or self.params["name"]))
        self.resource = instance
        if self.check_mode:
            self.plan_to("restart")
            return
        operation = Operation("restart", dict(id=instance["id"], name=instance.get("name")))
        job_id, adopted = restart_instance(self.api, self.operator, self.sender, instance, self.params["wait"], operation)
        self.follow(job_id, not adopted, operation)  # an adopted task is always followed: the proof is the instance RUNNING once it ends
        if adopted:
            self.sender.confirm(self.resource is not None and self.resource.get("status") == READY, "restart %s" % printable(describe(instance)),
                                job_id, "the status of %s" % printable(describe(instance)), self.resource)

    # ------------------------------------------------------------------ delete

    def delete(self, instance):
        if instance is None:
            return
        self.resource = instance
        operation = Operation("delete", dict(id=instance["id"], name=instance.get("name")))
        if instance["status"] in DELETING_STATUSES:
            self.wait_until_gone(instance, operation)  # already being deleted: nothing is sent
            return
        view = instance_view(instance)
        if view.get("order_id"):
            raise OperationFailed("%s is a yearly/monthly instance (order %s): unsubscribe from it in the billing centre. Nothing was sent" % (
                printable(describe(view)), printable(view["order_id"])))
        if self.check_mode:
            self.plan_to("delete", {key: view[key] for key in DIFF_KEYS}, {})
            return
        self.resource = self.operator.wait_until_settled(instance, self.params["wait"], operation)
        if self.resource is None or self.resource["status"] in DELETING_STATUSES:
            self.wait_until_gone(self.resource, operation)  # deleted by someone else meanwhile: nothing is sent
            return
        sent_at = self.sender.server_now()
        seen = self.sender.jobs_of(view["id"])

        def look():
            current = self.api.get(view["id"])
            if current is None or current["status"] in DELETING_STATUSES:
                return self.sender.adopt_job(("DeleteInstance",), view["id"], sent_at, seen) or {"gone": current is None}
            return None

        what = "delete %s" % describe(view)
        sent = self.sender.send("delete", lambda: self.operator.send(self.resource, lambda: self.api.delete(view["id"], self.params["delete_data_nodes"]),
                                                                     self.params["wait"], operation, done=lambda current: current is None),
                                what=what, look=look, check="whether %s still exists" % printable(describe(view)))
        self.changed_by({key: view[key] for key in DIFF_KEYS}, {})
        if sent.found is not None:
            self.module.warn("The answer to the request to %s was lost (%s); the instance was found being deleted%s" % (
                what, sent.cause, ", by its task %s" % sent.found["id"] if sent.found.get("id") else ""))
        job_id = sent.found.get("id") if sent.found is not None else (sent.answer or {}).get("job_id")
        self.follow(job_id, True, operation)
        if self.params["wait"]:
            self.wait_until_gone(self.resource or instance, operation)

    def wait_until_gone(self, instance, operation):
        """With wait, until the instance (being deleted) is gone; it then leaves the result. Never sends anything."""
        if instance is not None and self.params["wait"]:
            self.operator.wait_for_status(instance, lambda current: current is None, "deleted", operation)
            instance = None
        self.resource = instance

    def follow(self, job_id, last: bool, operation):
        """Record the operation's job and wait for it (always between operations; after the last one with wait); then read the instance."""
        self.follow_job(job_id, operation, self.params["wait"] or not last)
        if self.resource is not None and not (last and self.params["state"] == "absent" and self.params["wait"]):
            self.resource = self.api.get(self.resource["id"]) or self.resource


def check_admin(user, password) -> None:
    """The administrator's name and password as the API takes them, checked before anything is sent (the password is never shown)."""
    if user is not None and not ADMIN_USER.fullmatch(user):
        raise ConfigurationError("admin_user must have 1 to 32 characters, start with a letter and hold only letters, digits and '_', got %r"
                                 % user)
    if password is None:
        return
    kinds = sum(1 for test in (str.isupper, str.islower, str.isdigit) if any(test(char) for char in password if char.isascii()))
    kinds += any(char in PASSWORD_SPECIALS for char in password)
    foreign = any(not (char.isascii() and char.isalnum()) and char not in PASSWORD_SPECIALS for char in password)
    if not 8 <= len(password) <= 32 or kinds < 3 or foreign:
        raise ConfigurationError("admin_password must have 8 to 32 characters of at least three kinds among upper case letters, lower case "
                                 "letters, digits and %s, and no others (its value is not shown)" % PASSWORD_SPECIALS)


def reached(after: dict):
    """Whether an instance (None once gone) has the settings ``after``; None when a write's effect cannot be read (the password)."""
    if not after:
        return None
    return lambda current: current is not None and all(instance_view(current).get(key) == value for key, value in after.items())


def main():
    DdmInstance.main()


if __name__ == "__main__":
    main()
