# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The matrix's Pythons and virtual environments.

A venv lives in ``$XDG_CACHE_HOME/huaweicloud-cloud-matrix`` (``~/.cache`` by default), so it
outlives ``make clean`` and fresh clones. Its directory name carries a hash of the interpreter
and the requirements: a second run with the same pins reuses it without calling pip, and a
changed pin builds a new one and removes the old one of the same name.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import os
import shutil
import subprocess

CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "huaweicloud-cloud-matrix")
COMPLETE = ".matrix-complete"  # written last: a venv without it was interrupted and is rebuilt
PIP_TIMEOUT = 900
VERSION_SCRIPT = "import sys; print('%d.%d.%d' % sys.version_info[:3])"


class MissingPython(RuntimeError):
    """No interpreter of the wanted version on this machine."""


class VenvError(RuntimeError):
    """A virtual environment could not be created."""


class Venv:
    def __init__(self, path, version):
        self.path = path
        self.version = version
        self.bin_dir = os.path.join(path, "bin")
        self.python = os.path.join(self.bin_dir, "python")


def python_version(python):
    """The full version of an interpreter that runs, else None (a pyenv shim for a version that is not selected fails)."""
    try:
        completed = subprocess.run([python, "-c", VERSION_SCRIPT], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


def find_python(wanted):
    """An interpreter of version ``wanted`` (such as "3.11"): python3.11 on PATH, else the newest ~/.pyenv/versions/3.11.*."""
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates = [shutil.which("python" + wanted)]
    candidates += sorted(glob.glob(os.path.join(root, "versions", wanted + ".*", "bin", "python" + wanted)),
                         key=lambda path: [int(part) for part in path.split(os.sep)[-3].split(".") if part.isdigit()], reverse=True)
    for candidate in candidates:
        version = candidate and python_version(candidate)
        if version and version.rsplit(".", 1)[0] == wanted:
            return candidate
    raise MissingPython("Python %s is not on this machine (no working python%s on PATH, nothing in %s/versions/%s.*): install it, "
                        "for example with 'pyenv install %s'" % (wanted, wanted, root, wanted, wanted))


def _key(python, version, pip_args, requirement_files):
    digest = hashlib.sha256()
    for part in [os.path.realpath(python), version] + list(pip_args):
        digest.update(part.encode("utf-8") + b"\0")
    for path in requirement_files:
        with open(path, "rb") as handle:
            digest.update(handle.read() + b"\0")
    return digest.hexdigest()[:12]


def cached_venv(python, pip_args, name, requirement_files=()):
    """The venv ``name`` on ``python`` with ``pip install pip_args``; returns (Venv, created)."""
    version = python_version(python)
    if not version:
        raise VenvError("%s does not run" % python)
    os.makedirs(CACHE, exist_ok=True)
    prefix = "%s-py%s-" % (name, version.rsplit(".", 1)[0])
    path = os.path.join(CACHE, prefix + _key(python, version, pip_args, requirement_files))
    # Two runs at once (two clones on one machine) build a venv once; the second waits for it.
    with open(os.path.join(CACHE, prefix + "lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.isfile(os.path.join(path, COMPLETE)):
            return Venv(path, version), False
        for stale in glob.glob(os.path.join(CACHE, prefix + "*")):
            if os.path.isdir(stale):
                shutil.rmtree(stale, ignore_errors=True)
        commands = [[python, "-m", "venv", path],
                    [os.path.join(path, "bin", "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"] + list(pip_args)]
        for command in commands:
            completed = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=PIP_TIMEOUT, check=False)
            if completed.returncode != 0:
                shutil.rmtree(path, ignore_errors=True)
                raise VenvError("%s failed:\n%s%s" % (" ".join(command), completed.stdout, completed.stderr[-3000:]))
        with open(os.path.join(path, COMPLETE), "w", encoding="utf-8") as handle:
            handle.write(" ".join(pip_args) + "\n")
    return Venv(path, version), True
