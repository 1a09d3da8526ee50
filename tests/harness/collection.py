# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection built with ``ansible-galaxy collection build`` and installed from its tarball, as users get it."""

from __future__ import annotations

import glob
import os
import subprocess
import tarfile

from .ansible_runner import BIN_DIR, RUN_TIMEOUT


class BuiltCollection:
    def __init__(self, tarball, collections_path):
        self.tarball = tarball
        self.collections_path = collections_path
        with tarfile.open(tarball) as archive:
            self.members = archive.getnames()


def _galaxy(args, cwd):
    env = {"PATH": os.pathsep.join((BIN_DIR, "/usr/bin", "/bin")), "HOME": cwd, "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
           "ANSIBLE_HOME": os.path.join(cwd, ".ansible")}
    completed = subprocess.run([os.path.join(BIN_DIR, "ansible-galaxy")] + args, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
    assert completed.returncode == 0, "ansible-galaxy %s failed:\n%s\n%s" % (" ".join(args), completed.stdout, completed.stderr)
    return completed


def build_and_install(source, workdir):
    """Build ``source`` into ``workdir/dist`` and install the tarball into ``workdir/collections``."""
    dist = os.path.join(workdir, "dist")
    collections_path = os.path.join(workdir, "collections")
    _galaxy(["collection", "build", "--force", "--output-path", dist, source], workdir)
    tarballs = glob.glob(os.path.join(dist, "huaweicloud-cloud-*.tar.gz"))
    assert len(tarballs) == 1, tarballs
    _galaxy(["collection", "install", "--offline", "--force", "-p", collections_path, tarballs[0]], workdir)
    return BuiltCollection(tarballs[0], collections_path)
