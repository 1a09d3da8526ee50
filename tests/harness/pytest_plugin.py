# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pytest fixtures every test folder shares: emulator processes, the per-test reset, the installed collection.

``tests/conftest.py`` loads this plugin. A folder picks the options of its default emulator by
overriding the session fixture ``emulator_options`` in its conftest (``tests/emulator`` seeds the
demo jobs, ``tests/integration`` checks every AK/SK signature with the official SDK's signer);
the fixtures below are the same everywhere.

Under pytest-xdist every worker starts its own emulator processes (each on a free port, so
workers never see each other's jobs, faults or request log), and the collection is built and
installed once for the whole run: the first worker to get the lock builds it, the others reuse it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os

import pytest

from .collection import BuiltCollection, build_and_install
from .emulator import EmulatorProcess

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Written next to the shared build once it is complete: a worker that finds it reuses the build.
BUILD_DONE = "built"


class EmulatorPool:
    """One emulator process per set of options, started on first use and stopped at the end of the session."""

    def __init__(self):
        self._processes = {}

    def get(self, seed_demo=False, verifier="auto"):
        key = (bool(seed_demo), verifier)
        if key not in self._processes:
            process = EmulatorProcess(seed_demo=seed_demo, verifier=verifier)
            process.start()
            self._processes[key] = process
        return self._processes[key]

    def stop(self):
        while self._processes:
            _key, process = self._processes.popitem()
            process.stop()


def _xdist_worker(config):
    """The pytest-xdist worker id ("gw0", ...), or None when this process runs the tests itself."""
    return getattr(config, "workerinput", {}).get("workerid")


@contextlib.contextmanager
def _locked(path):
    with open(path, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def shared_build(workdir):
    """Build and install the collection into ``workdir`` unless a process of this run already has; the lock makes one build."""
    os.makedirs(workdir, exist_ok=True)
    done = os.path.join(workdir, BUILD_DONE)
    with _locked(os.path.join(workdir, "lock")):
        if os.path.exists(done):
            with open(done, encoding="utf-8") as handle:
                tarball, collections_path = handle.read().splitlines()
            return BuiltCollection(tarball, collections_path)
        built = build_and_install(REPO_ROOT, workdir)
        with open(done, "w", encoding="utf-8") as handle:
            handle.write("%s\n%s\n" % (built.tarball, built.collections_path))
        return built


@pytest.fixture(scope="session")
def built_collection(request, tmp_path_factory):
    """The collection built with ``ansible-galaxy collection build`` and installed from the tarball, once per run."""
    if _xdist_worker(request.config) is None:
        return build_and_install(REPO_ROOT, str(tmp_path_factory.mktemp("galaxy")))
    # The workers' base temporary directories share the parent of this run, and only this run's workers.
    return shared_build(os.path.join(str(tmp_path_factory.getbasetemp().parent), "galaxy"))


@pytest.fixture(scope="session")
def emulator_pool():
    pool = EmulatorPool()
    yield pool
    pool.stop()


@pytest.fixture(scope="session")
def emulator_options():
    """The options (``seed_demo``, ``verifier``: sdk, builtin or auto) of the folder's default emulator; conftests override it."""
    return {}


# A look-up for each test, not a session fixture: a session fixture is made once, with the options of
# the first folder that asks, and would hand that emulator to the other folders too.
@pytest.fixture
def emulator_process(emulator_pool, emulator_options):
    """The folder's default emulator process, running for the whole session (or xdist worker), as the last test left it."""
    return emulator_pool.get(**emulator_options)


@pytest.fixture
def emulator_server(emulator_process):
    """Another name of ``emulator_process``: the running emulator without the per-test reset."""
    return emulator_process


@pytest.fixture(scope="session")
def builtin_emulator(emulator_pool):
    """An emulator that checks AK/SK signatures with its own signer, whatever the folder's default."""
    return emulator_pool.get(verifier="builtin")


@pytest.fixture
def emulator(emulator_process):
    """The folder's emulator, reset to its initial state (no faults, rate limit or log; the demo jobs where seeded) for each test."""
    emulator_process.reset()
    return emulator_process


@pytest.fixture(params=["auto", "builtin"])
def any_verifier_emulator(request, emulator_process, builtin_emulator):
    """Each AK/SK test runs against both signature verifiers: the folder's emulator and the built-in signer's, reset."""
    process = emulator_process if request.param == "auto" else builtin_emulator
    process.reset()
    return process
