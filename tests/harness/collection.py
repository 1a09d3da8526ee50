# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection built with ``ansible-galaxy collection build`` and installed from its tarball, as users get it.

``python -m harness collection BUILD_DIR`` (with ``tests`` on ``PYTHONPATH``) does the same for scripts:
the tarball lands in BUILD_DIR, the installed copy in BUILD_DIR/collections.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tarfile

from .ansible_runner import BIN_DIR, RUN_TIMEOUT

# Development leftovers that must never ship, and what a usable collection cannot lack.
JUNK = re.compile(r"(^|/)(\.venv|\.git|\.github|\.ci|\.ansible|\.tox|build|dist|tests/output|__pycache__|\.pytest_cache|\.mypy_cache|"
                  r"\.ruff_cache)(/|$)|\.py[co]$|\.tar\.gz$|\.log$")
REQUIRED = ("MANIFEST.json", "FILES.json", "LICENSE", "README.md", "CHANGELOG.rst", "requirements.txt", "bindep.txt", "meta/runtime.yml",
            "meta/execution-environment.yml", "changelogs/changelog.yaml", "plugins/modules/ddm_job_info.py", "plugins/module_utils/client.py",
            "plugins/doc_fragments/huaweicloud.py")


class BuildError(RuntimeError):
    """ansible-galaxy failed, or did not write the one tarball expected."""


class BuiltCollection:
    def __init__(self, tarball, collections_path):
        self.tarball = tarball
        self.collections_path = collections_path
        self.members = tarball_members(tarball)


def tarball_members(tarball):
    with tarfile.open(tarball) as archive:
        return archive.getnames()


def contents_problems(members):
    """What is wrong with a tarball's member names: files that must not ship, then required files it lacks."""
    names = [name[2:] if name.startswith("./") else name for name in members]
    return (["must not ship: %s" % name for name in names if JUNK.search(name)]
            + ["missing: %s" % name for name in REQUIRED if name not in names])


def _galaxy(args, cwd):
    env = {"PATH": os.pathsep.join((BIN_DIR, "/usr/bin", "/bin")), "HOME": cwd, "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
           "ANSIBLE_HOME": os.path.join(cwd, ".ansible")}
    completed = subprocess.run([os.path.join(BIN_DIR, "ansible-galaxy")] + args, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
    if completed.returncode != 0:
        raise BuildError("ansible-galaxy %s failed:\n%s\n%s" % (" ".join(args), completed.stdout, completed.stderr))
    return completed


def build(source, workdir):
    """Build ``source`` into ``workdir``, replacing an earlier tarball; return the tarball's path."""
    os.makedirs(workdir, exist_ok=True)
    pattern = os.path.join(workdir, "huaweicloud-cloud-*.tar.gz")
    for stale in glob.glob(pattern):
        os.remove(stale)
    _galaxy(["collection", "build", "--force", "--output-path", workdir, source], workdir)
    tarballs = glob.glob(pattern)
    if len(tarballs) != 1:
        raise BuildError("expected one tarball in %s, found %s" % (workdir, tarballs))
    return tarballs[0]


def install(tarball, workdir):
    """Install the tarball into ``workdir/collections``, emptied first; return that collections path."""
    collections_path = os.path.join(workdir, "collections")
    shutil.rmtree(collections_path, ignore_errors=True)
    _galaxy(["collection", "install", "--offline", "--force", "-p", collections_path, tarball], workdir)
    return collections_path


def build_and_install(source, workdir):
    """Build ``source`` into ``workdir`` and install the tarball into ``workdir/collections``."""
    tarball = build(source, workdir)
    return BuiltCollection(tarball, install(tarball, workdir))
