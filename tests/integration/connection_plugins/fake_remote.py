# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A connection that runs commands on this machine but does not call itself local.

It stands in for a remote host (SSH, WinRM...) without sending a packet anywhere, so the
tests can check what the action plugin does when the module runs elsewhere.
"""

from __future__ import annotations

from ansible.plugins.connection.local import Connection as LocalConnection

DOCUMENTATION = """
name: fake_remote
short_description: Runs commands locally while presenting itself as a remote transport (tests only)
description:
  - Test double of a remote connection.
author: huaweicloud.cloud contributors (@huaweicloud)
"""


class Connection(LocalConnection):
    transport = "fake_remote"
