# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress of a running wait: the records, and the side channel that carries them to the action plugin.

A module's result reaches Ansible only when the module ends, so during a long wait the
module appends one JSON line per change to a file named by an environment variable that
the action plugin sets; the plugin shows the lines as they appear
(``plugins/plugin_utils/progress.py`` turns each record into one line).

The records (this file owns their schema; every field but ``kind`` and ``elapsed`` is optional):

- ``task``: one task: ``id``, ``name``, ``status`` (``not visible yet`` before it appears), ``process``
- ``group``: many tasks: ``total``, ``completed``, ``failed`` {status: count}, ``running``, ``average``
  (per cent, of the running tasks that report it), ``not_found``
- ``job_failed``: one task of a group ended badly: ``id``, ``name``, ``status``, ``instance`` {id, name}, ``fail_reason``
- ``instance``: an instance's status while a module waits for it: ``status``, ``wanted`` (the status awaited)

Any record may carry ``operation`` {``name``, ``step``, ``steps``} and ``instance`` {``id``, ``name``}:
what the wait is for, when a module runs several operations on one instance.

- ``quiet``: the last record of a wait whose records reached ``MAX_FILE_BYTES``: no more lines come

Records are bounded before they are written: each text (a value or a key, at any depth) is cut
to ``MAX_TEXT`` characters (``...`` marks the cut), since a task name can be megabytes long; and
the file stops growing at ``MAX_FILE_BYTES``.
"""

from __future__ import annotations

import json
import os

PROGRESS_FILE_ENV = "HUAWEICLOUD_ANSIBLE_PROGRESS_FILE"
# A progress line shows at most this much of each text (the plugin cuts its escaped form to the same).
MAX_TEXT = 200
# Far more than a day of records at one per poll; the file never grows beyond it.
MAX_FILE_BYTES = 4 * 1024 * 1024
QUIET_RESERVE = 128  # room always kept for the last record


def bounded(value):
    """``value`` (a record, or any part of it) with every text, keys included, cut to ``MAX_TEXT`` characters."""
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "..."
    if isinstance(value, dict):
        return {bounded(key): bounded(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [bounded(item) for item in value]
    return value


def task_record(job_id: str, job: dict | None, elapsed: float, **context) -> dict:
    """One task's state (``job`` as results show it, None while the task is not visible yet)."""
    if job is None:
        return dict(context, kind="task", id=job_id, status="not visible yet", elapsed=elapsed)
    return dict(context, kind="task", id=job["id"], name=job.get("name"), status=job["status"], process=job.get("process"), elapsed=elapsed)


def group_record(summary: dict, elapsed: float, **context) -> dict:
    """A group's counts (``JobGroup.summary()``)."""
    return dict(context, kind="group", elapsed=elapsed, **summary)


def task_failed_record(job: dict, elapsed: float, **context) -> dict:
    """One task of a group that ended badly."""
    return dict(context, kind="job_failed", id=job["id"], name=job.get("name"), status=job["status"], instance=job.get("instance"),
                fail_reason=job.get("fail_reason"), elapsed=elapsed)


def instance_record(current: dict, wanted: str, elapsed: float, **context) -> dict:
    """An instance's status while a module waits for it to reach ``wanted``."""
    return dict(context, kind="instance", instance={key: current.get(key) for key in ("id", "name")}, status=current.get("status"),
                wanted=wanted, elapsed=elapsed)


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
        line = json.dumps(bounded(record), sort_keys=True) + "\n"  # ASCII: characters are bytes
        last = len(line) + QUIET_RESERVE > self._room
        if last:  # the file is full: one last record says that no more lines come
            line = json.dumps({"kind": "quiet", "elapsed": record.get("elapsed")}, sort_keys=True) + "\n"
        self._room -= len(line)
        path, self._path = self._path, (None if last else self._path)
        try:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(line)
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
