# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shows the progress of a ddm_schema run (its task, the instance's and the schema's status) while it runs."""

from __future__ import annotations

from ansible_collections.huaweicloud.cloud.plugins.plugin_utils.progress import ProgressAction


class ActionModule(ProgressAction):
    """``ddm_schema`` waits on its task and the schema unless ``wait: false``."""

    wait_default = True
