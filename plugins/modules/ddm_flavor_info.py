#!/usr/bin/python
# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ddm_flavor_info
short_description: List the flavors and engine versions of Huawei Cloud DDM
version_added: 1.1.0
description:
  - Lists the engine versions of Huawei Cloud Distributed Database Middleware (DDM) on offer, and
    the flavors (node specifications) of one engine version, with their status in each availability
    zone, so that a play can choose a flavor that is on sale where the instance will run.
  - M(huaweicloud.cloud.ddm_instance) makes the same check before it creates or resizes an instance.
  - The API pages the flavors of each CPU architecture on its own; every page of every architecture is read.
  - An O(engine_version) or O(engine_id) not on offer fails, listing those on offer.
author:
  - huaweicloud.cloud contributors (@huaweicloud)
options:
  engine_version:
    description:
      - The engine version whose flavors to list, such as V(3.0.8.5).
      - Without it (and without O(engine_id)), the newest version on offer.
    type: str
  engine_id:
    description:
      - The engine's id instead of its version.
    type: str
  availability_zones:
    description:
      - The availability zones to report each flavor's status in. Without them, every zone the API reports.
    type: list
    elements: str
  cpu_arch:
    description:
      - Keep only flavors of this CPU architecture.
    type: str
    choices: [X86, ARM]
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
- name: Flavors of engine 3.0.8.5 in two zones
  huaweicloud.cloud.ddm_flavor_info:
    engine_version: 3.0.8.5
    availability_zones: [cn-north-4a, cn-north-4b]
  register: offer

- name: An x86 flavor on sale in both zones
  ansible.builtin.set_fact:
    ddm_flavor: >-
      {{ offer.flavors | selectattr('cpu_arch', 'equalto', 'X86')
         | selectattr('on_sale') | map(attribute='spec_code') | first }}

- name: Flavors with at least 8 GB of memory
  ansible.builtin.debug:
    msg: "{{ offer.flavors | selectattr('ram', '>=', 8) | map(attribute='spec_code') | list }}"
"""

RETURN = r"""
flavors:
  description: The flavors of the engine version, in the order the API gives them.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The flavor's id.
      type: str
      returned: always
    spec_code:
      description: The spec code that M(huaweicloud.cloud.ddm_instance)'s O(huaweicloud.cloud.ddm_instance#module:flavor) takes.
      type: str
      returned: always
    vcpus:
      description: CPUs of a node (a number since 2.0.0).
      type: int
      returned: always
    ram:
      description: Memory of a node in GB (a number since 2.0.0).
      type: int
      returned: always
    cpu_arch:
      description: V(X86) or V(ARM).
      type: str
      returned: always
    az_status:
      description: The flavor's status in each zone (of O(availability_zones), when given) - V(normal), V(unsupported) or V(sellout).
      type: dict
      returned: always
      sample: {cn-north-4a: normal, cn-north-4b: sellout}
    on_sale:
      description: Whether the status is V(normal) in every zone of RV(flavors[].az_status).
      type: bool
      returned: always
engines:
  description: The engine versions on offer.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The engine's id.
      type: str
      returned: always
    name:
      description: Its name.
      type: str
      returned: always
    version:
      description: Its version.
      type: str
      returned: always
engine_version:
  description: The engine version whose flavors were listed (the newest on offer when none was given).
  returned: always
  type: str
"""

from ..module_utils._ddm.instances import DdmInstances
from ..module_utils._ddm.module import DdmModule
from ..module_utils._cloud.deadline import Deadline
from ..module_utils._cloud.errors import ConfigurationError, HuaweiCloudError, printable
from ..module_utils._ansible.module import check_plain_id


def version_key(version: str):
    """Sorts 3.0.10 after 3.0.9; parts that are not numbers sort first."""
    return [(int(part), "") if part.isdigit() else (-1, part) for part in str(version).split(".")]


# However slow the API, a run ends within this many seconds (pages and their retries included).
INFO_RUN_SECONDS = 600


class DdmFlavorInfo(DdmModule):
    waits = False

    def run_deadline(self):
        """An overall bound: slow pages, each retried, must not hold a play for hours."""
        return Deadline(INFO_RUN_SECONDS, self.clock, whole_run=True, option="an info module's time limit")
    mutually_exclusive = (("engine_version", "engine_id"),)

    @classmethod
    def argument_spec(cls):
        spec = super().argument_spec()
        spec.update(engine_version=dict(type="str"), engine_id=dict(type="str"), availability_zones=dict(type="list", elements="str"),
                    cpu_arch=dict(type="str", choices=["X86", "ARM"]))
        return spec

    def check_options(self):
        check_plain_id(self.params["engine_id"], "engine_id")
        for index, zone in enumerate(self.params["availability_zones"] or []):
            check_plain_id(zone, "availability_zones[%d]" % index)

    def run(self):
        api = DdmInstances(self.client, self.endpoint)
        params = self.params
        engines = api.engines()
        version = params["engine_version"]
        if version is None and params["engine_id"] is None:
            if not engines:
                raise HuaweiCloudError("DDM offers no engine version in this region")
            version = max((engine["version"] for engine in engines), key=version_key)
        if version is None:
            version = next((engine["version"] for engine in engines if engine["id"] == params["engine_id"]), None)
            if version is None:
                raise ConfigurationError("engine_id %s is not on offer (offered: %s)" % (
                    params["engine_id"], ", ".join("%s (%s)" % (printable(engine["id"]), printable(engine["version"])) for engine in engines) or "none"))
        elif version not in [engine["version"] for engine in engines]:
            raise ConfigurationError("engine_version %s is not on offer (offered: %s)" % (
                version, ", ".join(printable(engine["version"]) for engine in engines) or "none"))
        zones = params["availability_zones"]
        flavors = api.flavors(engine_version=None if params["engine_id"] else version, engine_id=params["engine_id"], zones=zones)
        for flavor in flavors:
            if zones:
                flavor["az_status"] = {zone: flavor["az_status"].get(zone) or "unsupported" for zone in zones}
            flavor["on_sale"] = bool(flavor["az_status"]) and all(status == "normal" for status in flavor["az_status"].values())
        wanted = [flavor for flavor in flavors if params["cpu_arch"] is None or str(flavor["cpu_arch"]).upper() == params["cpu_arch"]]
        self.result.update(flavors=wanted, engines=engines, engine_version=version)


def main():
    DdmFlavorInfo.main()


if __name__ == "__main__":
    main()
