#!/usr/bin/python
# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ddm_account_info
short_description: List the accounts of a Huawei Cloud DDM instance
version_added: 2.0.0
description:
  - Lists the accounts (DDM users) of a Huawei Cloud Distributed Database Middleware (DDM) instance, or the one named O(name),
    with their privileges and schemas. Passwords cannot be read.
  - Finds the instance by O(instance_id), or by its exact O(instance_name) over the whole instance list (two instances of
    that name fail the task, listing their ids).
  - The whole account list is read, page by page; a warning says when it had to be cut short.
author:
  - huaweicloud.cloud contributors (@huaweicloud)
options:
  name:
    description:
      - Keep only the account with exactly this name; RV(accounts) is empty when there is none.
    type: str
extends_documentation_fragment:
  - huaweicloud.cloud.huaweicloud
  - huaweicloud.cloud.huaweicloud.ddm
  - huaweicloud.cloud.ddm_instance_lookup
  - huaweicloud.cloud.huaweicloud.info_module
seealso:
  - module: huaweicloud.cloud.ddm_account
"""

EXAMPLES = r"""
- name: List the accounts of orders-ddm
  huaweicloud.cloud.ddm_account_info:
    instance_name: orders-ddm
  register: found

- name: Show who may write
  ansible.builtin.debug:
    msg: "{{ found.accounts | selectattr('privileges', 'contains', 'INSERT') | map(attribute='name') | list }}"

- name: Read one account
  huaweicloud.cloud.ddm_account_info:
    instance_name: orders-ddm
    name: orders_app
  register: one

- name: Fail unless it may use the orders schema
  ansible.builtin.assert:
    that: one.accounts | length == 1 and 'orders' in one.accounts[0].schemas
"""

RETURN = r"""
accounts:
  description:
    - The accounts found, in the shape of M(huaweicloud.cloud.ddm_account)'s RV(huaweicloud.cloud.ddm_account#module:account).
  returned: always
  type: list
  elements: dict
  sample:
    - name: orders_app
      status: RUNNING
      privileges: [INSERT, DELETE, UPDATE, SELECT]
      schemas: [orders]
      description: The orders service
      password_lifetime: 0
      password_last_changed: "2026-12-07T10:00:00+0000"
      created: "2026-12-07T10:00:00+0000"
"""

from ..module_utils._ddm.accounts import DdmAccounts, account_view
from ..module_utils._ddm.instances import describe
from ..module_utils._ddm.module import InstanceScopedModule
from ..module_utils._cloud.errors import printable


class DdmAccountInfo(InstanceScopedModule):
    waits = False

    @classmethod
    def argument_spec(cls):
        spec = super().argument_spec()
        spec.update(name=dict(type="str"))
        return spec

    def run(self):
        instance = self.find_instance()
        listed = self.read_all(DdmAccounts(self.client, self.endpoint).iterate(instance["id"]), "account list of %s" % printable(describe(instance)),
                               "accounts")
        self.result["accounts"] = [account_view(item) for item in listed if self.params["name"] in (None, item["name"])]


def main():
    DdmAccountInfo.main()


if __name__ == "__main__":
    main()
