#!/usr/bin/python
# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ddm_schema_info
short_description: Get or list the schemas of a Huawei Cloud DDM instance, and the data nodes it offers
version_added: 2.0.0
description:
  - Reads one schema (logical database) of a Huawei Cloud Distributed Database Middleware (DDM) instance by
    O(name), with its shards and data nodes, or lists every schema of the instance (the whole list, page by page).
  - With O(available_data_nodes=true), also returns the data nodes (RDS for MySQL instances) that the instance
    offers for new schemas.
author:
  - huaweicloud.cloud contributors (@huaweicloud)
options:
  name:
    description:
      - The schema to read. A schema that does not exist returns an empty RV(schemas), not a failure.
    type: str
  available_data_nodes:
    description:
      - Also return the data nodes the instance offers for new schemas, in RV(available_data_nodes).
    type: bool
    default: false
extends_documentation_fragment:
  - huaweicloud.cloud.huaweicloud
  - huaweicloud.cloud.huaweicloud.ddm
  - huaweicloud.cloud.ddm_instance_lookup
  - huaweicloud.cloud.huaweicloud.info_module
seealso:
  - module: huaweicloud.cloud.ddm_schema
"""

EXAMPLES = r"""
- name: List the schemas of an instance
  huaweicloud.cloud.ddm_schema_info:
    instance_name: orders-ddm
  register: listed

- name: Read one schema with its shards
  huaweicloud.cloud.ddm_schema_info:
    instance_name: orders-ddm
    name: orders
  register: one

- name: Show where its shards are
  ansible.builtin.debug:
    msg: "{{ one.schemas[0].shards | map(attribute='physical_db_name') | list }}"
  when: one.schemas | length == 1

- name: List the data nodes the instance offers for new schemas
  huaweicloud.cloud.ddm_schema_info:
    instance_name: orders-ddm
    available_data_nodes: true
  register: offered
"""

RETURN = r"""
schemas:
  description:
    - The schemas found, in the shape of M(huaweicloud.cloud.ddm_schema)'s RV(huaweicloud.cloud.ddm_schema#module:schema).
    - C(shards) only when O(name) is given (the list does not carry them).
  returned: always
  type: list
  elements: dict
  sample:
    - name: orders
      status: RUNNING
      shard_mode: cluster
      shard_number: 8
      data_nodes: [{id: 6f2a7c14de2b4c8e9e31d0b5a3c1f7e2in01, name: rds-ddm-01, status: normal}]
      created: "2026-11-28T10:00:00Z"
available_data_nodes:
  description: The data nodes the instance offers for new schemas (C(id), C(name), C(status), C(engine_version), C(private_ip), C(port)).
  returned: when O(available_data_nodes=true)
  type: list
  elements: dict
  sample:
    - id: 6f2a7c14de2b4c8e9e31d0b5a3c1f7e2in01
      name: rds-ddm-01
      status: normal
      engine_version: "8.0"
      private_ip: 192.168.10.100
      port: 3306
"""

from ..module_utils._ddm.module import InstanceScopedModule
from ..module_utils._ddm.schemas import DdmSchemas, schema_view

DATA_NODE_KEYS = ("id", "name", "status", "engine_version", "private_ip", "port")


class DdmSchemaInfo(InstanceScopedModule):
    waits = False

    @classmethod
    def argument_spec(cls):
        spec = super().argument_spec()
        spec.update(name=dict(type="str"), available_data_nodes=dict(type="bool", default=False))
        return spec

    def run(self):
        schemas = DdmSchemas(self.client, self.endpoint)
        instance_id = self.find_instance()["id"]
        if self.params["name"]:
            found = [record for record in [schemas.get(instance_id, self.params["name"])] if record is not None]
        else:
            found = self.read_all(schemas.iterate(instance_id), "schema list", "schemas")
        self.result["schemas"] = [schema_view(record) for record in found]
        if self.params["available_data_nodes"]:
            nodes, truncated = schemas.available_data_nodes(instance_id)
            if truncated:
                self.module.warn("The list of data nodes was cut short (%s), so data nodes may be missing" % truncated)
            self.result["available_data_nodes"] = [{key: node.get(key) for key in DATA_NODE_KEYS} for node in nodes]


def main():
    DdmSchemaInfo.main()


if __name__ == "__main__":
    main()
