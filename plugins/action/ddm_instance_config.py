# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shows the progress of a ddm_instance_config run (the instance's status while a change settles, the restart's task) while it runs."""

from __future__ import annotations

from ansible_collections.huaweicloud.cloud.plugins.plugin_utils.progress import ProgressAction


class ActionModule(ProgressAction):
    """``ddm_instance_config`` waits for the change to take effect, and on the restart's task, unless ``wait: false``."""

    wait_default = True
