# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The task model: scripted jobs, their timelines, the shapes the get and list calls show, and the demo jobs."""

from __future__ import annotations

import re
import time
import uuid

from .errors import control_error
from .spec import number_field, string_field
from .times import api_time


DEMO_JOB_IDS = {
    "completed": "5b0c7e2a-3f1d-4c8e-9a6f-0d2b4e6a8c01",
    "running": "5b0c7e2a-3f1d-4c8e-9a6f-0d2b4e6a8c02",
    "failed": "5b0c7e2a-3f1d-4c8e-9a6f-0d2b4e6a8c03",
    "long_running": "5b0c7e2a-3f1d-4c8e-9a6f-0d2b4e6a8c04",
    "expanding": "5b0c7e2a-3f1d-4c8e-9a6f-0d2b4e6a8c05",
    "rollback": "5b0c7e2a-3f1d-4c8e-9a6f-0d2b4e6a8c06",
}


TERMINAL_STATUSES = ("Completed", "Failed", "CancelSuccess", "RollbackSuccess")
FAILURE_STATUSES = ("Failed", "CancelSuccess", "RollbackSuccess")
# What a running task shows as end_time: nothing, or (as the API docs' own examples do) a time.
RUNNING_END_TIMES = ("", "expected", "created")


def _timeline_entry(entry):
    if not isinstance(entry, dict) or not isinstance(entry.get("status"), str):
        raise control_error("timeline entries need a string status")
    process = entry.get("process")
    if process is not None and not isinstance(process, str):
        raise control_error("timeline process must be a string such as '40%'")
    return {"at": number_field(entry, "at", 0), "status": entry["status"], "process": process}


def build_timeline(spec):
    """Turn duration/outcome or an explicit timeline into sorted steps starting at 0."""
    if "timeline" in spec:
        if not isinstance(spec["timeline"], list) or not spec["timeline"]:
            raise control_error("timeline must be a non-empty list")
        steps = sorted((_timeline_entry(e) for e in spec["timeline"]), key=lambda e: e["at"])
    else:
        duration = number_field(spec, "duration", 0)
        outcome = string_field(spec, "outcome", "Completed")
        steps = [{"at": 0.0, "status": "Running", "process": None}] if duration > 0 else []
        steps.append({"at": duration, "status": outcome, "process": None})
    if steps[0]["at"] > 0:
        steps.insert(0, {"at": 0.0, "status": "Running", "process": None})
    return steps


def _utc_offset(spec):
    """The task's time zone as minutes from UTC, from "+0800", "+08:00" or "-0530"."""
    text = string_field(spec, "utc_offset", "+0000")
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", text)
    if not match or int(match.group(2)) > 14 or int(match.group(3)) > 59:
        raise control_error("utc_offset must look like +0800 or -05:30")
    return (1 if match.group(1) == "+" else -1) * (int(match.group(2)) * 60 + int(match.group(3)))


def _instance(spec):
    instance = spec.get("instance") or {}
    if not isinstance(instance, dict):
        raise control_error("instance must be an object with id and name")
    return {"id": str(instance.get("id", uuid.uuid4().hex + "in09")), "name": str(instance.get("name", "ddm-emulator"))}


class Job:
    """A scripted task; its state is computed from the monotonic time since creation."""

    def __init__(self, spec, default_project, now=None):
        """``now``: the server's wall clock (default: this machine's), which the task's times show."""
        if not isinstance(spec, dict):
            raise control_error("job spec must be an object")
        self.id = string_field(spec, "id", str(uuid.uuid4()))
        self.project_id = string_field(spec, "project_id", default_project)
        self.name = string_field(spec, "name", "CreateInstance")
        self.instance = _instance(spec)
        self.fail_reason = string_field(spec, "fail_reason", "")
        self.database_name = string_field(spec, "database_name", "")
        self.operations = [str(op) for op in spec.get("operations") or []]
        self.steps = build_timeline(spec)
        # A task created a moment ago may not be visible to the API yet.
        self.visible_after = number_field(spec, "visible_after", 0)
        self.utc_offset = _utc_offset(spec)
        self.running_end_time = string_field(spec, "running_end_time", "")
        if self.running_end_time not in RUNNING_END_TIMES:
            raise control_error("running_end_time must be one of %s" % ", ".join(repr(v) for v in RUNNING_END_TIMES))
        age = number_field(spec, "age", 0)
        self.created_wall = (time.time() if now is None else now) - age
        self.created_mono = time.monotonic() - age

    def _current(self, elapsed):
        index = 0
        for position, step in enumerate(self.steps):
            if step["at"] <= elapsed:
                index = position
        return index

    def _process(self, index, elapsed):
        step = self.steps[index]
        if step["process"] is not None:
            return step["process"]
        if step["status"] != "Running":
            return ""
        if index + 1 >= len(self.steps):
            return "0%"
        span = self.steps[index + 1]["at"] - step["at"]
        return "%d%%" % min(99, int(100 * (elapsed - step["at"]) / span)) if span > 0 else "0%"

    def visible(self):
        return time.monotonic() - self.created_mono >= self.visible_after

    def _end_time(self, step):
        if step["status"] in TERMINAL_STATUSES:
            return api_time(self.created_wall + step["at"], self.utc_offset)
        if self.running_end_time == "expected":
            return api_time(self.created_wall + self.steps[-1]["at"], self.utc_offset)
        if self.running_end_time == "created":
            return api_time(self.created_wall, self.utc_offset)
        return ""

    def state(self):
        elapsed = time.monotonic() - self.created_mono
        index = self._current(elapsed)
        step = self.steps[index]
        return {
            "status": step["status"],
            "process": self._process(index, elapsed),
            "end_time": self._end_time(step),
        }

    def _common_fields(self, state):
        """The fields the single-task and list calls share, keyed as the API names them."""
        return {
            "id": self.id,
            "name": self.name,
            "status": state["status"],
            "created_time": api_time(self.created_wall, self.utc_offset),
            "end_time": state["end_time"],
            "process": state["process"],
        }

    def api_shape(self):
        return dict(self._common_fields(self.state()), instance=dict(self.instance))

    def list_item(self):
        state = self.state()
        failed = state["status"] in FAILURE_STATUSES
        return dict(self._common_fields(state), instance_id=self.instance["id"], instance_name=self.instance["name"],
                    database_name=self.database_name, fail_reason=(self.fail_reason or "The task failed.") if failed else "",
                    operations=list(self.operations))


DEMO_INSTANCE = {"id": "a48e43ff268f4c0e879652d65e63d0fbin09", "name": "ddm-demo"}
DEMO_JOBS = (
    {"id": DEMO_JOB_IDS["completed"], "name": "CreateInstance", "outcome": "Completed"},
    {"id": DEMO_JOB_IDS["running"], "name": "EnlargeNode", "duration": 20, "outcome": "Completed"},
    {"id": DEMO_JOB_IDS["failed"], "name": "RestartInstance", "outcome": "Failed",
     "fail_reason": "The DDM instance failed to restart: node ddm-node-2 did not become ready.", "operations": ["toBeRetried"]},
    {"id": DEMO_JOB_IDS["long_running"], "name": "migrateLogicDb", "duration": 3600, "database_name": "orders",
     "running_end_time": "expected", "utc_offset": "+0800"},
    {"id": DEMO_JOB_IDS["expanding"], "name": "EnlargeNode",
     "timeline": [{"at": 0, "status": "Expanding"}, {"at": 10, "status": "Completed"}]},
    {"id": DEMO_JOB_IDS["rollback"], "name": "ReduceNode", "outcome": "RollbackSuccess",
     "fail_reason": "Node reduction was rolled back."},
)
