# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures that run the emulator as a real subprocess on a free loopback port."""

from __future__ import annotations

import pytest

from harness.emulator import EmulatorProcess


@pytest.fixture(scope="session")
def emulator_process():
    process = EmulatorProcess(seed_demo=True)
    process.start()
    yield process
    process.stop()


@pytest.fixture
def emulator(emulator_process):
    """The shared emulator, reset to its initial state (demo jobs seeded) for each test."""
    emulator_process.reset()
    yield emulator_process


@pytest.fixture(scope="session")
def builtin_emulator():
    process = EmulatorProcess(verifier="builtin")
    process.start()
    yield process
    process.stop()


@pytest.fixture(params=["auto", "builtin"])
def any_verifier_emulator(request, emulator_process, builtin_emulator):
    """Each AK/SK test runs against both signature verifiers."""
    process = emulator_process if request.param == "auto" else builtin_emulator
    process.reset()
    return process
