# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A command run with its output on a pseudo-terminal, as when a person runs ``ansible-playbook``.

On a pipe, ansible-core's own output is block-buffered unless PYTHONUNBUFFERED is set (as AWX
does), so only a terminal shows whether lines appear while a task still runs.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import time


class Terminal:
    """Runs ``command`` with stdout and stderr on a pseudo-terminal; ``text`` is what it printed so far."""

    def __init__(self, command, env, cwd=None):
        self._master, slave = pty.openpty()
        # pylint: disable-next=consider-using-with
        self.process = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.STDOUT)
        os.close(slave)
        self.text = ""

    def _read(self, timeout):
        """Append what arrives within ``timeout``; return its size, or None once the terminal is closed."""
        ready, _w, _x = select.select([self._master], [], [], timeout)
        try:
            chunk = os.read(self._master, 65536) if ready else b""
        except OSError:  # the terminal closed: the process ended
            return None
        self.text += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        return len(chunk)

    def read_until(self, pattern, timeout=120.0):
        """Read until ``pattern`` (a multiline regex) matches the output; return the match, or None."""
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.text, re.MULTILINE) and time.monotonic() < deadline:
            if self._read(0.5) is None:
                break
        return re.search(pattern, self.text, re.MULTILINE)

    def finish(self, timeout=180.0):
        """Read everything until the process ends; return its exit code (it is killed after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            size = self._read(0.5)
            if size is None or (size == 0 and self.process.poll() is not None):
                break
        os.close(self._master)
        if time.monotonic() >= deadline and self.process.poll() is None:
            self.process.kill()
        return self.process.wait(timeout=10)
