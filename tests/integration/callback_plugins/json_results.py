# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stdout callback for the integration tests: every task result of the run as one JSON document.

ansible-core ships no JSON stdout callback (``ansible.posix.json`` lives in another
collection), so the tests bring this small one, shaped like ``ansible.posix.json``:
``{"plays": [{"play": {...}, "tasks": [{"task": {...}, "hosts": {host: result}}]}], "stats": {...}}``.
"""

from __future__ import annotations

import json

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: json_results
type: stdout
short_description: Print every task result of the run as one JSON document
description:
  - Test support for the collection's integration tests.
"""


def _plain(value):
    """Best-effort conversion of anything Ansible puts in results to JSON-compatible data."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "_asdict"):
        return _plain(value._asdict())
    if hasattr(value, "__dataclass_fields__"):
        return _plain({name: getattr(value, name) for name in value.__dataclass_fields__})
    return str(value)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "json_results"

    def __init__(self, display=None):
        super().__init__(display)
        self.plays = []
        # (host, task name) -> whether each loop item failed, in order.
        self._item_failures = {}

    def _current_tasks(self):
        if not self.plays:
            self.plays.append({"play": {"name": ""}, "tasks": []})
        return self.plays[-1]["tasks"]

    def v2_playbook_on_play_start(self, play):
        self.plays.append({"play": {"name": play.get_name()}, "tasks": []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._current_tasks().append({"task": {"name": task.get_name(), "action": task.action}, "hosts": {}})

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def _record(self, result, **extra):
        tasks = self._current_tasks()
        if not tasks or tasks[-1]["task"]["name"] != result._task.get_name():
            tasks.append({"task": {"name": result._task.get_name(), "action": result._task.action}, "hosts": {}})
        data = _plain(dict(result._result))
        # Newer ansible-core keeps the outcome out of the result dict: record it explicitly.
        data.update(extra)
        # ansible-core 2.21 also keeps it out of each loop item's result: take it from the item events.
        failures = self._item_failures.pop((result._host.get_name(), result._task.get_name()), [])
        items = data.get("results")
        if isinstance(items, list) and len(items) == len(failures):
            for item, failed in zip(items, failures):
                if isinstance(item, dict):
                    item.setdefault("failed", failed)
        tasks[-1]["hosts"][result._host.get_name()] = data

    def _item(self, result, failed):
        self._item_failures.setdefault((result._host.get_name(), result._task.get_name()), []).append(failed)

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True, ignore_errors=ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)

    def v2_runner_item_on_ok(self, result):
        self._item(result, False)

    def v2_runner_item_on_failed(self, result):
        self._item(result, True)

    def v2_runner_item_on_skipped(self, result):
        self._item(result, False)

    def v2_playbook_on_stats(self, stats):
        summary = {host: stats.summarize(host) for host in sorted(stats.processed.keys())}
        self._display.display(json.dumps({"plays": self.plays, "stats": summary}, indent=2, sort_keys=True))
