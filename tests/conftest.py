# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make ``ansible_collections.huaweicloud.cloud`` and the shared test ``harness`` importable under plain pytest,
and load the harness's fixtures (``tests/harness/pytest_plugin.py``: emulators, the installed collection).

``ansible-test units`` runs from an ``ansible_collections/huaweicloud/cloud`` tree already;
a plain ``pytest`` run from the repository gets the same import path through a symlink.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(TESTS_DIR)


def _expose_collection():
    if os.path.basename(os.path.dirname(os.path.dirname(REPO_ROOT))) == "ansible_collections":
        return
    # One link per checkout, so test runs in two clones at once never import each other's code.
    checkout = hashlib.sha256(REPO_ROOT.encode("utf-8")).hexdigest()[:12]
    root = os.path.join(tempfile.gettempdir(), "huaweicloud-cloud-pytest-%d-%s" % (os.getuid(), checkout))
    namespace = os.path.join(root, "ansible_collections", "huaweicloud")
    os.makedirs(namespace, exist_ok=True)
    link = os.path.join(namespace, "cloud")
    if os.path.realpath(link) != REPO_ROOT:
        if os.path.islink(link):
            os.unlink(link)
        os.symlink(REPO_ROOT, link)
    if root not in sys.path:
        sys.path.insert(0, root)


_expose_collection()
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

pytest_plugins = ["harness.pytest_plugin"]
