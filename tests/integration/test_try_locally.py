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

from harness.emulator import DEMO_JOB_IDS  # pylint: disable=import-error

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


def test_try_prints_what_to_export_and_an_example_runs_with_only_that(tmp_path):
    process = subprocess.Popen([os.path.join(ROOT, "scripts", "try.sh")], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, start_new_session=True)
    try:
        exports, text = read_exports(process)
        assert {"HW_DDM_ENDPOINT", "HW_AUTH_URL", "HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_REGION_NAME", "ANSIBLE_COLLECTIONS_PATH",
                "ANSIBLE_INVENTORY"} <= set(exports), text
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", exports["HW_DDM_ENDPOINT"])
        # A new shell: only the printed variables (and a home and a temporary directory) reach Ansible.
        env = dict(exports, HOME=str(tmp_path), ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), ANSIBLE_NOCOLOR="1")
        command = ["ansible", "localhost", "-m", "huaweicloud.cloud.ddm_job_info", "-a", "job_id=%s" % DEMO_JOB_IDS["completed"]]
        query = subprocess.run(command, cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=120, check=False)
        assert query.returncode == 0, query
        assert '"status": "Completed"' in query.stdout, query.stdout
        assert "implicit localhost" not in query.stdout + query.stderr, query
    finally:
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=30) == 0
    # The emulator went with it.
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(exports["HW_DDM_ENDPOINT"] + "/_emulator/info", timeout=2)  # pylint: disable=consider-using-with
