# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress of a running wait: the side channel that carries a module's progress records to its action plugin.

A module's result reaches Ansible only when the module ends, so during a long wait the
module appends one JSON line per change to a file named by an environment variable that
the action plugin sets; the plugin shows each record's ``line`` as it appears, after the
host (``plugins/plugin_utils/progress.py``).

Every record has ``kind``, ``elapsed`` (seconds) and ``line``: the sentence users see, rendered once,
in the module, with server text escaped (:func:`shown`). Its other fields are for machine
readers; each service defines its kinds (DDM: ``module_utils/_ddm/progress.py``). This file
knows only one kind:

- ``quiet``: the last record of a wait whose records reached ``MAX_FILE_BYTES``: no more lines come

Records are bounded before they are written: each text (a value or a key, at any depth) is cut
to ``MAX_TEXT`` characters (``...`` marks the cut), since a task name can be megabytes long, and
the ``line`` to ``MAX_LINE``; the file stops growing at ``MAX_FILE_BYTES``.
"""

from __future__ import annotations

import json
import math
import os

from .._cloud.errors import printable

PROGRESS_FILE_ENV = "HUAWEICLOUD_ANSIBLE_PROGRESS_FILE"
# A progress line shows at most this much of each text.
MAX_TEXT = 200
# A line holds a few texts of MAX_TEXT and their words (2 KB at most for DDM); the plugin cuts what it shows to the same.
MAX_LINE = 4096
# Far more than a day of records at one per poll; the file never grows beyond it.
MAX_FILE_BYTES = 4 * 1024 * 1024
QUIET_RESERVE = 256  # room always kept for the last record


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def bounded(value):
    """``value`` (a record, or any part of it) with every text, keys included, cut to ``MAX_TEXT`` characters."""
    if isinstance(value, str):
        return _cut(value, MAX_TEXT)
    if isinstance(value, dict):
        return {bounded(key): bounded(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [bounded(item) for item in value]
    return value


def shown(value, limit: int = MAX_TEXT) -> str:
    """``value`` as a line shows it: control characters (ANSI escape sequences, line breaks) as escapes, cut to ``limit`` characters."""
    text = printable(str(value)[:limit + 1])  # never more than a line's worth is escaped
    return _cut(text, limit)


def number(value) -> bool:
    """Whether ``value`` is a finite number (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def seconds(elapsed) -> int:
    """``elapsed`` in whole seconds, 0 if it is no finite number."""
    return round(elapsed) if number(elapsed) else 0


def quiet_record(elapsed) -> dict:
    """The last record of a full progress file."""
    return {"kind": "quiet", "elapsed": elapsed, "line": "no more progress lines (there were too many); the wait goes on, %d s elapsed" % seconds(elapsed)}


class ProgressReporter:
    """Writes a record whenever its ``key`` changes; does nothing without a progress file."""

    def __init__(self, path: str | None, max_bytes: int = MAX_FILE_BYTES):
        self._path = path
        self._last_key = None
        self._room = max_bytes

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
        line = json.dumps(_bounded_record(record), sort_keys=True) + "\n"  # ASCII: characters are bytes
        last = len(line) + QUIET_RESERVE > self._room
        if last:  # the file is full: one last record says that no more lines come
            line = json.dumps(_bounded_record(quiet_record(record.get("elapsed"))), sort_keys=True) + "\n"
        self._room -= len(line)
        path, self._path = self._path, (None if last else self._path)
        try:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(line)
        except OSError:
            self._path = None  # progress is a courtesy: never fail the wait over it


def _bounded_record(record: dict) -> dict:
    """``record`` with its ``line`` cut to ``MAX_LINE`` characters and every other text to ``MAX_TEXT``."""
    line = record.get("line")
    kept = bounded({key: value for key, value in record.items() if key != "line"})
    if isinstance(line, str):
        kept["line"] = _cut(line, MAX_LINE)
    return kept


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
