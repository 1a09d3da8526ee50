# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tarball the tests install is clean, and the runs use that installed copy."""

from __future__ import annotations

import os
import re

JUNK = re.compile(r"(^|/)(\.venv|\.git|\.github|\.ci|\.ansible|\.tox|build|dist|tests/output|__pycache__|\.pytest_cache|\.mypy_cache|"
                  r"\.ruff_cache)(/|$)|\.py[co]$|\.tar\.gz$|\.log$")
REQUIRED = ("MANIFEST.json", "FILES.json", "LICENSE", "README.md", "meta/runtime.yml", "requirements.txt", "plugins/modules/ddm_job_info.py",
            "plugins/module_utils/client.py", "plugins/doc_fragments/huaweicloud.py")


def test_tarball_ships_no_development_files(built_collection):
    members = [name[2:] if name.startswith("./") else name for name in built_collection.members]
    assert [name for name in members if JUNK.search(name)] == []
    missing = [name for name in REQUIRED if name not in members]
    assert missing == []


def test_runs_use_the_installed_collection(ansible_runner, built_collection):
    run = ansible_runner.run([ansible_runner.binary("ansible-doc"), "-t", "module", "huaweicloud.cloud.ddm_job_info"], json_output=False)

    assert run.rc == 0, run
    installed = os.path.join(built_collection.collections_path, "ansible_collections", "huaweicloud", "cloud", "plugins", "modules",
                             "ddm_job_info.py")
    assert installed in run.stdout
    assert "group/huaweicloud.cloud.huaweicloud" in run.stdout
