# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmarks of huaweicloud.cloud.ddm_job_info against the local DDM emulator.

Run it through ``bench/run.sh [--quick]``, which prepares .venv and the installed collection.
This is a measuring tool, not a test: it prints a markdown table, writes every measurement
to a JSON file, and exits non-zero only when a run did not produce its result (a wait that
failed, a list that came back short). Wall times are reported, never judged.

``scenarios.py`` runs the scenarios (see docs/performance.md), ``stats.py`` derives their
numbers, ``report.py`` writes the table and the JSON; the emulator process and the Ansible
runs come from ``tests/harness``, shared with the tests.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))

# pylint: disable=wrong-import-position,import-error
from harness.ansible_runner import Ansible  # noqa: E402
from harness.emulator import STATIC_TOKEN, EmulatorError, EmulatorProcess  # noqa: E402
from report import machine, write  # noqa: E402
from scenarios import PROFILES, SCENARIOS, Bench, log  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Benchmark huaweicloud.cloud.ddm_job_info against the local emulator.")
    parser.add_argument("--quick", action="store_true", help="short tasks, one repetition, small scale and list (CI smoke)")
    parser.add_argument("--collections", required=True, help="collections path holding the installed huaweicloud.cloud")
    parser.add_argument("--output", required=True, help="where to write the JSON results")
    parser.add_argument("--only", action="append", choices=SCENARIOS, help="run only these scenarios (repeatable)")
    parser.add_argument("--reps", type=int, help="repetitions of the wait and cpu pairs")
    return parser.parse_args(argv)


def ansible_runner(collections, workdir):
    """The tests' runner, measuring: bytecode is written as users' runs write it, and both sides read the token from the environment."""
    return Ansible(collections, workdir, env={"PYTHONDONTWRITEBYTECODE": None, "ANSIBLE_CALLBACK_PLUGINS": None,
                                              "ANSIBLE_LOCAL_TEMP": os.path.join(workdir, "tmp"), "ANSIBLE_DEPRECATION_WARNINGS": "false",
                                              "HW_AUTH_TOKEN": STATIC_TOKEN})


def main(argv=None):
    args = parse_args(argv)
    profile = dict(PROFILES["quick" if args.quick else "full"])
    if args.reps:
        profile["wait_reps"] = profile["cpu_reps"] = args.reps
    selected = [name for name in SCENARIOS if not args.only or name in args.only]
    if not os.path.isdir(os.path.join(args.collections, "ansible_collections", "huaweicloud", "cloud")):
        log("huaweicloud.cloud is not installed in %s (bench/run.sh installs it)" % args.collections)
        return 2
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    started = time.monotonic()
    before = machine()
    log("profile %s, scenarios %s, %s CPUs, load %s" % ("quick" if args.quick else "full", ", ".join(selected), before["cpus"], before["loadavg"]))
    with tempfile.TemporaryDirectory(prefix="ddm-bench-") as workdir:
        try:
            with EmulatorProcess(verifier="builtin") as emulator:
                bench = Bench(ansible_runner(os.path.abspath(args.collections), workdir), emulator, profile)
                for name in selected:
                    getattr(bench, "scenario_" + name)()
        except EmulatorError as exc:
            log("setup failed: %s" % exc)
            return 2
    document = {"machine": before, "loadavg_after": machine()["loadavg"], "profile": "quick" if args.quick else "full", "settings": profile,
                "seconds": round(time.monotonic() - started, 1), "results": bench.results, "failures": bench.failures}
    return 1 if write(document, args.output) else 0


if __name__ == "__main__":
    sys.exit(main())
