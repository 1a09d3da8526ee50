# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shows the status of a busy DDM instance while a ddm_account run waits for it."""

from __future__ import annotations

from ansible_collections.huaweicloud.cloud.plugins.plugin_utils.progress import ProgressAction


class ActionModule(ProgressAction):
    """``ddm_account`` waits for a busy instance unless ``wait: false``."""

    wait_default = True
