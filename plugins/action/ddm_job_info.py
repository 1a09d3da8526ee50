# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shows a ddm_job_info wait on DDM tasks (``wait: true``) while it runs, then returns the module's result."""

from __future__ import annotations

from ansible_collections.huaweicloud.cloud.plugins.plugin_utils.progress import ProgressAction


class ActionModule(ProgressAction):
    """``ddm_job_info`` waits on its tasks only when asked to."""

    wait_default = False
