# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tarball the tests install is clean, and the runs use that installed copy."""

from __future__ import annotations

import os
import re

import yaml

from harness.collection import REQUIRED, contents_problems


def test_tarball_ships_no_development_files(built_collection):
    assert contents_problems(built_collection.members) == []


def test_contents_check_flags_development_files_and_missing_files():
    members = ["./" + name for name in REQUIRED if name != "LICENSE"] + [".venv/bin/python", "plugins/__pycache__/x.pyc", "build.log"]

    assert contents_problems(members) == ["must not ship: .venv/bin/python", "must not ship: plugins/__pycache__/x.pyc", "must not ship: build.log",
                                          "missing: LICENSE"]


def test_runs_use_the_installed_collection(ansible_runner, built_collection):
    run = ansible_runner.run([ansible_runner.binary("ansible-doc"), "-t", "module", "huaweicloud.cloud.ddm_job_info"], json_output=False)

    assert run.rc == 0, run
    installed = os.path.join(built_collection.collections_path, "ansible_collections", "huaweicloud", "cloud", "plugins", "modules",
                             "ddm_job_info.py")
    assert installed in run.stdout
    assert "group/huaweicloud.cloud.huaweicloud" in run.stdout
    # The docs link the APIs the module calls (ddm_api_01_0102 is the weak-password check, not a task API).
    assert "api-ddm/en-us_topic_0000002113619085.html" in run.stdout and "api-ddm/ListTasks.html" in run.stdout
    assert "ddm_api_01_0102" not in run.stdout


def test_every_place_names_one_version(built_collection):
    """galaxy.yml, the tarball, the changelog's newest release, the install commands of the docs and every version_added agree."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

    def read(*parts):
        with open(os.path.join(root, *parts), encoding="utf-8") as handle:
            return handle.read()

    version = yaml.safe_load(read("galaxy.yml"))["version"]
    assert os.path.basename(built_collection.tarball) == "huaweicloud-cloud-%s.tar.gz" % version
    releases = yaml.safe_load(read("changelogs", "changelog.yaml"))["releases"]
    assert max(releases, key=lambda name: [int(part) for part in name.split(".")]) == version
    for document in ("README.md", os.path.join("docs", "user-guide.md")):
        assert set(re.findall(r"huaweicloud-cloud-([0-9.]+)\.tar\.gz", read(document))) == {version}, document
    newest = [int(part) for part in version.split(".")]
    for folder in ("modules", "doc_fragments"):
        for name in os.listdir(os.path.join(root, "plugins", folder)):
            for added in re.findall(r"version_added: *\"?([0-9.]+)", read("plugins", folder, name)):
                assert [int(part) for part in added.split(".")] <= newest, "%s says version_added %s, after %s" % (name, added, version)
