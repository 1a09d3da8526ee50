#!/usr/bin/python
# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ddm_instance_info
short_description: Get or list Huawei Cloud DDM instances
version_added: 1.1.0
description:
  - Reads one Huawei Cloud Distributed Database Middleware (DDM) instance by O(instance_id), with its
    nodes, or lists the project's instances, optionally filtered by exact O(name) and by O(status).
  - The list is read page by page with guards that hold whichever way the server reads its offset
    (an index or a page number). Every instance is read once, with a bounded number of requests, and a
    warning says when the list had to be cut short.
  - Names are matched here, exactly; they are never sent to the API.
author:
  - huaweicloud.cloud contributors (@huaweicloud)
options:
  instance_id:
    description:
      - The instance to read. An unknown id returns an empty RV(instances), not a failure.
    type: str
  name:
    description:
      - Keep only instances with exactly this name (names need not be unique).
    type: str
  status:
    description:
      - Keep only instances in one of these statuses, such as V(RUNNING) or V(CREATEFAILED) (any case).
      - A status DDM never reports is a warning (a typo matches nothing).
    type: list
    elements: str
notes:
  - A run ends within 600 seconds however slow the API answers (every page and retry included); it then fails saying so.
extends_documentation_fragment:
  - huaweicloud.cloud.huaweicloud
  - huaweicloud.cloud.huaweicloud.ddm
  - huaweicloud.cloud.huaweicloud.info_module
seealso:
  - module: huaweicloud.cloud.ddm_instance
"""

EXAMPLES = r"""
- name: Find the instance called orders-ddm
  huaweicloud.cloud.ddm_instance_info:
    name: orders-ddm
  register: found

- name: Fail unless exactly one exists
  ansible.builtin.assert:
    that: found.instances | length == 1
    fail_msg: "{{ found.instances | map(attribute='id') | list }}"

- name: Read one instance with its nodes
  huaweicloud.cloud.ddm_instance_info:
    instance_id: "{{ found.instances[0].id }}"
  register: one

- name: List the instances whose creation failed
  huaweicloud.cloud.ddm_instance_info:
    status: [CREATEFAILED, ERROR]
  register: broken
"""

RETURN = r"""
instances:
  description:
    - The instances found, in the shape of M(huaweicloud.cloud.ddm_instance)'s RV(huaweicloud.cloud.ddm_instance#module:instance).
    - C(nodes) and C(groups) only when O(instance_id) is given (the list does not carry them).
    - Since 2.0.0 C(node_num), C(access_port), C(vcpus), C(ram) and C(nodes[].port) are numbers, and C(access_ip) one
      address (each node's address is in C(nodes[].ip)).
  returned: always
  type: list
  elements: dict
  sample:
    - id: c0012003374d4e2b9657baa4762fce9cin09
      name: orders-ddm
      status: RUNNING
      flavor: ddm.c6.large.2
      node_num: 2
      availability_zones: [cn-north-4a, cn-north-4b]
      access_ip: 192.168.0.11
      access_port: 5066
      vcpus: 2
      ram: 4
  contains:
    groups:
      description:
        - The instance's node groups. An instance with several needs O(huaweicloud.cloud.ddm_instance#module:group_id) to change
          its flavor or nodes.
      type: list
      elements: dict
      returned: when O(instance_id) is given
      version_added: 2.0.0
      contains:
        id:
          description: The group's id.
          type: str
        name:
          description: Its name.
          type: str
        role:
          description: Its role, such as V(rw) or V(r).
          type: str
        is_default:
          description: Whether it is the default group (whose flavor is the instance's C(flavor)).
          type: bool
        node_num:
          description: Its number of nodes.
          type: int
        vcpus:
          description: CPUs of each of its nodes.
          type: int
        ram:
          description: Memory of each of its nodes in GB.
          type: int
        cpu_arch:
          description: Its CPU architecture.
          type: str
        availability_zones:
          description: The zones of its nodes.
          type: list
          elements: str
"""

from ..module_utils._ddm.instances import GONE_STATUSES, KNOWN_STATUSES, DdmInstances, instance_view, is_known_status
from ..module_utils._ddm.module import DdmModule
from ..module_utils._cloud.deadline import Deadline
from ..module_utils._ansible.module import check_plain_id


# However slow the API, a run ends within this many seconds (pages and their retries included).
INFO_RUN_SECONDS = 600


class DdmInstanceInfo(DdmModule):
    waits = False

    def run_deadline(self):
        """An overall bound: slow pages, each retried, must not hold a play for hours."""
        return Deadline(INFO_RUN_SECONDS, self.clock, whole_run=True, option="an info module's time limit")

    @classmethod
    def argument_spec(cls):
        spec = super().argument_spec()
        spec.update(instance_id=dict(type="str"), name=dict(type="str"), status=dict(type="list", elements="str"))
        return spec

    def check_options(self):
        check_plain_id(self.params["instance_id"], "instance_id")
        unknown = [status for status in self.params["status"] or [] if not is_known_status(status)]
        if unknown:
            self.module.warn("status: DDM never reports %s, so no instance matches %s (statuses: %s, and *_FAILED)" % (
                ", ".join(map(repr, unknown)), "it" if len(unknown) == 1 else "them", ", ".join(KNOWN_STATUSES)))

    def run(self):
        api = DdmInstances(self.client, self.endpoint)
        if self.params["instance_id"]:
            found = [record for record in [api.get(self.params["instance_id"])] if record is not None]
            if found and self.wanted(found[0]):
                self.result["instances"] = [dict(instance_view(found[0]), groups=api.groups(found[0]["id"]))]
                return
        else:
            # Deleted instances may still be listed for a while; show answers 404 (or DELETED) for them.
            found = [record for record in self.read_all(api.iterate(), "DDM instance list", "instances") if record["status"] not in GONE_STATUSES]
        self.result["instances"] = [instance_view(record) for record in found if self.wanted(record)]

    def wanted(self, record) -> bool:
        """Whether an instance passes the name and status filters."""
        statuses = {status.upper() for status in self.params["status"] or []}
        return (self.params["name"] is None or record.get("name") == self.params["name"]) and (not statuses or record["status"].upper() in statuses)


def main():
    DdmInstanceInfo.main()


if __name__ == "__main__":
    main()
