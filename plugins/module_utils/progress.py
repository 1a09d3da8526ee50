# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The side channel that carries a running wait's progress to the action plugin, live.

A module's result reaches Ansible only when the module ends, so during a long wait the
module appends one JSON line per change to a file named by an environment variable that
the action plugin sets; the plugin shows the lines as they appear.
"""

from __future__ import annotations

import json
import os

PROGRESS_FILE_ENV = "HUAWEICLOUD_ANSIBLE_PROGRESS_FILE"


class ProgressReporter:
    """Writes a record whenever its ``key`` changes; does nothing without a progress file."""

    def __init__(self, path: str | None):
        self._path = path
        self._last_key = None

    @classmethod
    def from_environment(cls) -> ProgressReporter:
        return cls(os.environ.get(PROGRESS_FILE_ENV))

    def update(self, key, record: dict) -> None:
        if not self._path or key == self._last_key:
            return
        self._last_key = key
        self.write(record)

    def write(self, record: dict) -> None:
        """Write ``record`` whatever the last key was (an event, such as one task of a group failing)."""
        if not self._path:
            return
        try:
            with open(self._path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(record, sort_keys=True) + "\n")
        except OSError:
            self._path = None  # progress is a courtesy: never fail the wait over it


def read_new_records(handle) -> list:
    """Complete JSON lines appended since the last call (a partial last line waits for the next)."""
    records = []
    while True:
        position = handle.tell()
        line = handle.readline()
        if not line:
            return records
        if not line.endswith("\n"):
            handle.seek(position)
            return records
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
