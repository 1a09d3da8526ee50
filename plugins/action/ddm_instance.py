# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shows the progress of a ddm_instance run's operations (their tasks, the instance's status) while it runs."""

from __future__ import annotations

from ansible_collections.huaweicloud.cloud.plugins.plugin_utils.progress import ProgressAction


class ActionModule(ProgressAction):
    """``ddm_instance`` waits on each operation's task, and on the last one unless ``wait: false``."""

    wait_default = True
