# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the integration tests: real ``ansible`` / ``ansible-playbook`` runs against the emulator.

The collection is built and installed from its tarball, as users get it (``built_collection``, and the
emulator fixtures, come from ``tests/harness/pytest_plugin.py``), and every Ansible process sees only
that copy and an explicit environment (nothing leaks in from the caller).
"""

from __future__ import annotations

import time

import pytest

from harness.ansible_runner import Ansible
from harness.emulator import PROJECT_ID, STATIC_TOKEN

SOAK_MARKER = "soak"


def pytest_configure(config):
    config.addinivalue_line("markers", "%s: a long soak (minutes), run only when asked for with -m soak" % SOAK_MARKER)


def pytest_collection_modifyitems(config, items):
    """Leave the long soaks out unless the marker expression names them (-m soak)."""
    if SOAK_MARKER in (config.getoption("markexpr") or ""):
        return
    kept = [item for item in items if item.get_closest_marker(SOAK_MARKER) is None]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item.get_closest_marker(SOAK_MARKER) is not None])
        items[:] = kept


@pytest.fixture(scope="session")
def emulator_options():
    """The SDK verifier makes every AK/SK request a check against the official signer."""
    return {"verifier": "sdk"}


@pytest.fixture(scope="session")
def ansible_runner(built_collection, tmp_path_factory):
    return Ansible(built_collection.collections_path, str(tmp_path_factory.mktemp("ansible")))


@pytest.fixture
def await_request(emulator):
    """``await_request(predicate)`` blocks until the emulator has logged a matching request and returns it."""

    def wait(predicate, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for entry in emulator.requests_log():
                if predicate(entry):
                    return entry
            time.sleep(0.05)
        raise AssertionError("no matching request within %s s: %s" % (timeout, emulator.requests_log()))

    return wait


@pytest.fixture
def token_vars(emulator):
    """Playbook variables for token authentication against the emulator."""
    return {"hw_endpoint": emulator.url, "hw_project_id": PROJECT_ID, "hw_auth_token": STATIC_TOKEN}
