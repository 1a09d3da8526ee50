# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A become method that stays the user Ansible runs as, so a become task works without a password or root.

The action plugin only sees that the task uses become; what matters to the tests is that the
module then runs exactly as Ansible runs any become task.
"""

from __future__ import annotations

from ansible.plugins.become import BecomeBase

DOCUMENTATION = """
name: same_user
short_description: Becomes the current user (tests only)
description:
  - Test double of a privilege escalation method.
author: huaweicloud.cloud contributors (@huaweicloud)
"""


class BecomeModule(BecomeBase):
    name = "same_user"

    def build_become_command(self, cmd, shell):
        super().build_become_command(cmd, shell)
        # Announce success the way real methods do after switching user, then run the command as is.
        return self._build_success_command(cmd, shell)
