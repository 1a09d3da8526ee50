# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's own tests run it as a real subprocess on a free loopback port (``tests/harness/pytest_plugin.py``)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def emulator_options():
    """The demo jobs are seeded (and seeded again by each reset); signatures are checked by the best verifier there is."""
    return {"seed_demo": True, "verifier": "auto"}
