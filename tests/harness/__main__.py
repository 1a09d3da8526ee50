# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The harness for shell scripts: ``PYTHONPATH=tests python -m harness COMMAND ...``.

- ``collection BUILD_DIR``: build the tarball into BUILD_DIR, check its contents, install it into
  BUILD_DIR/collections.
- ``importer TARBALL --bin-dir DIR --workdir W``: check the tarball with galaxy-importer from the venv
  whose bin directory is DIR, in W; fails on any WARNING or ERROR it reports.
- ``emulator --port-file F [--seed-demo] [--verifier V]``: run the emulator until SIGTERM or SIGINT;
  F gets its port once it answers.
- ``control --port-file F METHOD PATH [JSON] [EXPRESSION]``: call ``/_emulator/PATH`` and print
  EXPRESSION over the decoded answer ``r`` (default: the whole answer as JSON).
- ``integration-config OUTPUT (--emulator-url URL | --cloud)``: write the integration_config.yml of an
  ``ansible-test integration`` run (``integration_config.py``); prints the run's resource prefix.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys

from .collection import BuildError, build, contents_problems, galaxy_importer, install, tarball_members
from .emulator import EmulatorError, EmulatorProcess
from .integration_config import cloud_config, emulator_config, write

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def collection(args):
    workdir = os.path.abspath(args.build_dir)
    tarball = build(os.path.abspath(args.source), workdir)
    members = tarball_members(tarball)
    problems = contents_problems(members)
    if problems:
        raise BuildError("the tarball %s is not fit to ship:\n%s" % (tarball, "\n".join(problems)))
    print("tarball: %s, %d entries, no development files" % (os.path.basename(tarball), len(members)))
    print("installed: %s" % install(tarball, workdir))
    return 0


def importer(args):
    if not os.path.isfile(args.tarball):
        raise BuildError("no tarball at %s: build the collection first" % args.tarball)
    output, problems = galaxy_importer(args.tarball, os.path.abspath(args.bin_dir), os.path.abspath(args.workdir))
    sys.stdout.write(output)
    if problems:
        sys.stderr.write("galaxy-importer: %d problem(s) with %s:\n%s\n" % (len(problems), os.path.basename(args.tarball),
                                                                            "\n".join("  " + problem for problem in problems)))
        return 1
    print("galaxy-importer: %s imports without a warning" % os.path.basename(args.tarball))
    return 0


def _stop(signum, _frame):
    raise SystemExit(128 + signum)


def emulator(args):
    signal.signal(signal.SIGTERM, _stop)
    process = EmulatorProcess(seed_demo=args.seed_demo, verifier=args.verifier)
    try:
        process.start()
        partial = args.port_file + ".partial"
        with open(partial, "w", encoding="ascii") as handle:
            handle.write("%d\n" % process.port)
        os.replace(partial, args.port_file)
        code = process.process.wait()
        sys.stderr.write("the emulator exited with %s\n" % code)
        return 1
    except (KeyboardInterrupt, SystemExit):
        return 0
    finally:
        sys.stderr.write(process.stderr_text())
        process.stop()


def control(args):
    with open(args.port_file, encoding="ascii") as handle:
        port = int(handle.read().strip())
    answer = EmulatorProcess.running(port).control(args.method, args.path, json.loads(args.data) if args.data else None)
    try:
        # The expressions come from the calling script, like the code of ``python -c``.
        result = eval(args.expression, {"r": answer})  # pylint: disable=eval-used
    except Exception as exc:  # pylint: disable=broad-except
        raise ValueError("the expression %r failed: %s: %s" % (args.expression, type(exc).__name__, exc)) from None
    print(result if isinstance(result, str) else json.dumps(result))
    return 0


def integration_config(args):
    config = emulator_config(args.emulator_url) if args.emulator_url else cloud_config(os.environ)
    write(config, args.output)
    print(config["huaweicloud_resource_prefix"])
    return 0


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m harness", description=__doc__.split("\n\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("collection", help="build, check and install the collection")
    build_parser.add_argument("build_dir")
    build_parser.add_argument("--source", default=REPO_ROOT, help="the collection's source tree (default: this repository)")
    build_parser.set_defaults(run=collection)
    importer_parser = commands.add_parser("importer", help="check a built tarball with galaxy-importer")
    importer_parser.add_argument("tarball")
    importer_parser.add_argument("--bin-dir", required=True, help="the bin directory of the venv with galaxy-importer")
    importer_parser.add_argument("--workdir", required=True, help="emptied, then holds the importer's config, temporary files and result")
    importer_parser.set_defaults(run=importer)
    serve_parser = commands.add_parser("emulator", help="run the DDM/IAM emulator until SIGTERM")
    serve_parser.add_argument("--port-file", required=True)
    serve_parser.add_argument("--seed-demo", action="store_true")
    serve_parser.add_argument("--verifier", default="auto", choices=("auto", "sdk", "builtin"))
    serve_parser.set_defaults(run=emulator)
    control_parser = commands.add_parser("control", help="call the emulator's control API")
    control_parser.add_argument("--port-file", required=True)
    control_parser.add_argument("method")
    control_parser.add_argument("path", help="below /_emulator/")
    control_parser.add_argument("data", nargs="?", default="", help="JSON body")
    control_parser.add_argument("expression", nargs="?", default="r", help="Python expression over the answer r")
    control_parser.set_defaults(run=control)
    config_parser = commands.add_parser("integration-config", help="write the variables of an ansible-test integration run")
    config_parser.add_argument("output")
    mode = config_parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--emulator-url", help="the emulator's base URL")
    mode.add_argument("--cloud", action="store_true", help="a real account, from environment variables (HUAWEICLOUD_IT_BILLABLE=yes)")
    config_parser.set_defaults(run=integration_config)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        return args.run(args)
    except (BuildError, EmulatorError, OSError, ValueError, subprocess.TimeoutExpired) as exc:
        sys.stderr.write("harness %s: %s\n" % (args.command, exc))
        return 1


if __name__ == "__main__":
    sys.exit(main())
