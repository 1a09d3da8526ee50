# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection built with ``ansible-galaxy collection build`` and installed from its tarball, as users get it.

``python -m harness collection BUILD_DIR`` (with ``tests`` on ``PYTHONPATH``) does the same for scripts:
the tarball lands in BUILD_DIR, the installed copy in BUILD_DIR/collections.

``python -m harness importer TARBALL --bin-dir DIR --workdir DIR`` checks a tarball as Galaxy does on
upload: galaxy-importer (installed in a venv of its own, whose bin directory is DIR) with flake8 on
and ansible-test off, offline. Any WARNING or ERROR it logs is a problem.
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
            "meta/execution-environment.yml", "changelogs/changelog.yaml", "plugins/modules/ddm_job_info.py", "plugins/module_utils/_cloud/client.py",
            "plugins/doc_fragments/huaweicloud.py")


# galaxy-importer's settings (galaxy_importer/config.py reads them from GALAXY_IMPORTER_CONFIG).
# Galaxy's own import runs ansible-test in a container: the sanity stage covers that here.
IMPORTER_SETTINGS = (
    ("run_ansible_test", False),
    ("run_flake8", True),
    ("run_ansible_lint", True),
    ("offline_ansible_lint", True),
    ("run_ansible_doc", True),
    ("check_changelog", True),
    ("check_required_tags", True),
    ("require_v1_or_greater", True),
    ("log_level_main", "INFO"),
)
IMPORTER_TIMEOUT = 900
# The importer's log lines: "WARNING: text", "ERROR: text"; INFO lines carry no level.
IMPORTER_FINDING = re.compile(r"^(WARNING|ERROR|CRITICAL): ?(.*)$", re.MULTILINE)
IMPORTER_DONE = "Importer processing completed successfully"
IMPORTER_FLAKE8 = re.compile(r"^Linting \S+ \S+ via flake8", re.MULTILINE)


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


def importer_config(workdir):
    """The galaxy-importer config file for runs in ``workdir`` (its temporary files stay there too)."""
    settings = list(IMPORTER_SETTINGS) + [("ansible_local_tmp", os.path.join(workdir, "ansible-tmp")), ("tmp_root_dir", workdir)]
    return "[galaxy-importer]\n" + "".join("%s = %s\n" % (key.upper(), value) for key, value in settings)


def importer_findings(output):
    """The WARNING and ERROR lines of galaxy-importer's output, as printed."""
    return [match.group(0).rstrip() for match in IMPORTER_FINDING.finditer(output)]


def importer_problems(rc, output):
    """What fails the import check: every finding, a failed or unfinished run, flake8 not run."""
    problems = importer_findings(output)
    if rc != 0:
        problems.append("galaxy-importer exited with %s" % rc)
    if IMPORTER_DONE not in output:
        problems.append("galaxy-importer did not report '%s'" % IMPORTER_DONE)
    if not IMPORTER_FLAKE8.search(output):
        problems.append("galaxy-importer ran no flake8 (is RUN_FLAKE8 honoured?)")
    return problems


def galaxy_importer(tarball, bin_dir, workdir, timeout=IMPORTER_TIMEOUT):
    """Run galaxy-importer (the venv of ``bin_dir``) on ``tarball`` in ``workdir``, emptied first: (output, problems).

    Only the importer's venv is on PATH: it calls the flake8, ansible-lint and ansible-doc found there.
    """
    shutil.rmtree(workdir, ignore_errors=True)
    home = os.path.join(workdir, "home")
    os.makedirs(os.path.join(workdir, "ansible-tmp"))
    os.makedirs(home)
    config = os.path.join(workdir, "galaxy-importer.cfg")
    with open(config, "w", encoding="utf-8") as handle:
        handle.write(importer_config(workdir))
    env = {"PATH": os.pathsep.join((bin_dir, "/usr/bin", "/bin")), "HOME": home, "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
           "GALAXY_IMPORTER_CONFIG": config, "ANSIBLE_HOME": os.path.join(home, ".ansible"), "ANSIBLE_NOCOLOR": "1", "NO_COLOR": "1"}
    # It writes importer_result.json into its working directory.
    completed = subprocess.run([os.path.join(bin_dir, "python"), "-m", "galaxy_importer.main", os.path.abspath(tarball)], cwd=workdir, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout,
                               check=False)
    return completed.stdout, importer_problems(completed.returncode, completed.stdout)
