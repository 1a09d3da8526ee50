# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``make try`` (scripts/try.sh): the emulator starts, the printed exports are enough to run an example, and Ctrl-C stops it all."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from harness.emulator import DEMO_JOB_IDS, PROJECT_ID, REGION  # pylint: disable=import-error

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read_exports(process, timeout=120):
    """The variables of the ``export`` lines try.sh prints, once it has printed its last comment line."""
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("#   ansible-playbook"):
            break
    exports = {}
    for line in lines:
        if line.startswith("export "):
            for word in shlex.split(line)[1:]:
                name, value = word.split("=", 1)
                exports[name] = value.replace("$PATH", os.environ["PATH"])
    return exports, "".join(lines)


def emulator_processes(parent):
    """The pids of the emulator processes that ``parent`` started (from /proc)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, encoding="ascii", errors="replace") as handle:
                # pid (comm) state ppid ...: comm may hold spaces, so split after its closing parenthesis.
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            with open("/proc/%s/cmdline" % entry, "rb") as handle:
                command = handle.read().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent and b"emulator" in command:
            pids.append(int(entry))
    return pids


def run_ansible(exports, tmp_path, args, drop=()):
    """An ad-hoc command in a new shell: only the printed variables (less ``drop``), a home and a temporary directory."""
    env = dict(exports, HOME=str(tmp_path), ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), ANSIBLE_NOCOLOR="1")
    for name in drop:
        del env[name]
    return subprocess.run(["ansible", "localhost", "-m", "huaweicloud.cloud.ddm_job_info", "-a", args], cwd=str(tmp_path), env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_try_prints_what_to_export_and_an_example_runs_with_only_that(tmp_path):
    stderr = tmp_path / "try.stderr"
    with open(stderr, "w", encoding="utf-8") as err:
        process = subprocess.Popen([os.path.join(ROOT, "scripts", "try.sh")], cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True,
                                   start_new_session=True)
    try:
        exports, text = read_exports(process)
        assert {"HW_DDM_ENDPOINT", "HW_AUTH_URL", "HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_AUTH_TOKEN", "HW_REGION_NAME", "ANSIBLE_COLLECTIONS_PATH",
                "ANSIBLE_INVENTORY"} <= set(exports), text
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", exports["HW_DDM_ENDPOINT"])
        # AK/SK signing, the project found from the region.
        query = run_ansible(exports, tmp_path, "job_id=%s" % DEMO_JOB_IDS["completed"], drop=("HW_AUTH_TOKEN",))
        assert query.returncode == 0, query
        assert '"status": "Completed"' in query.stdout, query.stdout
        assert "implicit localhost" not in query.stdout + query.stderr, query
        assert "DeprecationWarning" not in query.stderr, query.stderr
        # The docs' ad-hoc example: the exported token, region and project id given with -a.
        query = run_ansible(exports, tmp_path, "job_id=%s region=%s project_id=%s" % (DEMO_JOB_IDS["completed"], REGION, PROJECT_ID),
                            drop=("HW_ACCESS_KEY", "HW_SECRET_KEY"))
        assert query.returncode == 0, query
        assert '"status": "Completed"' in query.stdout, query.stdout
        # Ctrl-C reaches the terminal's process group: the emulator is outside it, so only the script gets
        # the SIGINT and stops the emulator itself; its exit cannot race the script's trap.
        emulators = emulator_processes(process.pid)
        assert emulators, "try.sh runs no emulator process"
        assert all(os.getpgid(pid) != process.pid for pid in emulators), emulators
    finally:
        os.killpg(process.pid, signal.SIGINT)
        status = process.wait(timeout=60)
    assert status == 0, stderr.read_text(encoding="utf-8")
    # The emulator went with it.
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(exports["HW_DDM_ENDPOINT"] + "/_emulator/info", timeout=2)  # pylint: disable=consider-using-with
