# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The options that name the DDM instance a configuration module works on (plugins/module_utils/_ddm/instance_lookup.py)."""

    DOCUMENTATION = r"""
options:
  instance_id:
    description:
      - The DDM instance's id. Exactly one of O(instance_id) and O(instance_name) is needed.
      - An unknown id fails the task.
    type: str
  instance_name:
    description:
      - The DDM instance's name, matched exactly over the whole instance list, instead of O(instance_id).
      - When no instance or two or more instances have the name, the task fails (listing their ids) and changes nothing.
    type: str
"""
