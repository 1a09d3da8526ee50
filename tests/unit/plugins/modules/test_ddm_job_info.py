# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module's own logic, through main() with a patched AnsibleModule and a scripted DDM layer:
option checks, the list window, and the shapes of results and failures."""

from __future__ import annotations

import contextlib
import datetime
import json

import pytest

from ansible.module_utils import basic

from ansible_collections.huaweicloud.cloud.plugins.module_utils.errors import DeadlineExceeded, NotFoundError, TransportError
from ansible_collections.huaweicloud.cloud.plugins.modules import ddm_job_info

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19
    @contextlib.contextmanager
    def patch_module_args(args):
        previous = basic._ANSIBLE_ARGS  # pylint: disable=protected-access
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode()  # pylint: disable=protected-access
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = previous  # pylint: disable=protected-access

CONNECTION = dict(auth_token="tok", endpoint="https://ddm.example.invalid", project_id="0123456789abcdef0123456789abcdef")
UTC = datetime.timezone.utc


class ModuleExit(Exception):
    def __init__(self, failed, result):
        super().__init__(result)
        self.failed = failed
        self.result = result


class ScriptedJobs:
    """Stands in for DdmJobs: answers from a script, and records every call (none may happen on bad input)."""

    def __init__(self, states=(), items=(), truncated=None, listed=None):
        self.states = list(states)
        self.items = list(items)
        self.truncated = truncated
        self.listed = listed  # what find_list_item finds
        self.calls = []

    def get(self, job_id, deadline=None):
        self.calls.append(("get", job_id, deadline))
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        if isinstance(state, Exception):
            raise state
        return dict(state, id=job_id)

    def iterate(self, start, end, *_args):
        self.calls.append(("iterate", start, end))
        return self

    def __iter__(self):
        return iter(self.items)

    def find_list_item(self, job, deadline=None):
        self.calls.append(("find_list_item", job["id"], deadline))
        return self.listed


def raiser(exception):
    def raise_it(*args, **kwargs):  # pylint: disable=unused-argument
        raise exception
    return raise_it


@pytest.fixture
def run(monkeypatch):
    """``run(options, jobs)`` runs main() and returns the ModuleExit (result, failed) and the warnings."""
    warnings = []

    def exit_json(self, **result):  # pylint: disable=unused-argument
        raise ModuleExit(False, result)

    def fail_json(self, **result):  # pylint: disable=unused-argument
        raise ModuleExit(True, result)
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, text: warnings.append(text))

    def run_module(options, jobs=None):
        jobs = jobs or ScriptedJobs()
        monkeypatch.setattr(ddm_job_info, "DdmJobs", lambda client, endpoint: jobs)
        with patch_module_args(dict(CONNECTION, **options)):
            with pytest.raises(ModuleExit) as info:
                ddm_job_info.main()
        return info.value, warnings
    return run_module


@pytest.mark.parametrize("options,message", [
    (dict(wait=True), "wait needs job_id: only a single task can be waited on"),
    (dict(job_id="j1", status=["Failed"], name="x"), "status, name only filter the task list"),
    (dict(job_id="j1", wait_timeout=0), "wait_timeout must be a positive number of seconds, got 0"),
    (dict(job_id="j1", wait_interval=-5), "wait_interval must be a positive number of seconds, got -5"),
    (dict(job_id="j1", wait_timeout=10, wait_interval=11), "wait_interval (11) must not be larger than wait_timeout (10)"),
    (dict(job_id="j/../x"), "job_id must be a plain id"),
    (dict(start_time="yesterday"), "start_time must be an ISO 8601 time such as"),
    (dict(end_time="2026-11-28T10:00:00"), "end_time needs a time zone (Z or an offset such as +08:00)"),
    (dict(end_time="0001-01-01T00:00:00Z"), "end_time is out of range (1970 to 8999)"),
    (dict(start_time="2026-11-28T10:00:00Z", end_time="2026-11-28T09:00:00Z"), "start_time (2026-11-28T10:00:00+00:00) is after end_time"),
    (dict(start_time="2020-01-01T00:00:00Z"), "is more than 30 days ago; the DDM API only keeps 30 days of tasks"),
])
def test_bad_options_fail_before_any_request(run, options, message):
    jobs = ScriptedJobs()
    outcome, _warnings = run(options, jobs)
    assert outcome.failed and message in outcome.result["msg"]
    assert jobs.calls == []


def test_list_window_defaults_to_the_last_24_hours_and_filters(run):
    items = [dict(id="a", status="Failed", name="CreateInstance", instance_id="i1"), dict(id="b", status="Completed", name="CreateInstance"),
             dict(id="c", status="Failed", name="RestartInstance", instance_id="i1")]
    jobs = ScriptedJobs(items=items)
    before = datetime.datetime.now(UTC)
    outcome, warnings = run(dict(status=["Failed"], instance_id="i1", name="CreateInstance"), jobs)
    (_call, start, end), = jobs.calls
    assert before <= end <= datetime.datetime.now(UTC) and end - start == datetime.timedelta(hours=24)
    assert not outcome.failed and outcome.result == dict(changed=False, jobs=[items[0]]) and warnings == []


def test_list_window_honours_offsets(run):
    jobs = ScriptedJobs()
    now = datetime.datetime.now(UTC)
    start = (now - datetime.timedelta(hours=2)).astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    run(dict(start_time=start.isoformat()), jobs)
    (_call, seen_start, seen_end), = jobs.calls
    assert seen_start == start and seen_start.utcoffset() == datetime.timedelta(hours=8)
    assert datetime.timedelta(hours=2) <= seen_end - seen_start < datetime.timedelta(hours=2, minutes=1)  # end defaults to now


def test_a_truncated_list_is_returned_with_a_warning(run):
    jobs = ScriptedJobs(items=[dict(id="a", status="Running")], truncated="reading stopped after 200 pages (25600 tasks)")
    outcome, warnings = run({}, jobs)
    assert outcome.result["jobs"] == [dict(id="a", status="Running")]
    assert warnings == ["The DDM task list was cut short (reading stopped after 200 pages (25600 tasks)), so tasks may be missing: "
                        "narrow start_time and end_time"]


def test_without_wait_one_read_returns_the_task_whatever_its_status(run):
    jobs = ScriptedJobs(states=[dict(status="Failed", name="CreateInstance")], listed=dict(fail_reason="quota", operations=["toBeRetried"]))
    outcome, _warnings = run(dict(job_id="j1"), jobs)
    assert not outcome.failed and outcome.result["changed"] is False and outcome.result["polls"] == 1
    assert outcome.result["job"] == dict(id="j1", status="Failed", name="CreateInstance", fail_reason="quota", operations=["toBeRetried"])
    assert [call[0] for call in jobs.calls] == ["get", "find_list_item"] and jobs.calls[0][2] is None  # no deadline outside a wait


def test_a_failed_wait_fails_with_the_last_state_and_reason(run):
    jobs = ScriptedJobs(states=[dict(status="Failed", name="CreateInstance", instance=dict(id="i1", name="ddm-a"))],
                        listed=dict(fail_reason="No quota.", operations=[]))
    outcome, _warnings = run(dict(job_id="j1", wait=True), jobs)
    assert outcome.failed
    assert outcome.result["msg"] == "DDM job j1 (CreateInstance) on instance ddm-a (i1) ended with status Failed: No quota."
    assert outcome.result["job"]["fail_reason"] == "No quota." and outcome.result["polls"] == 1 and outcome.result["changed"] is False


def test_a_failure_reason_that_cannot_be_read_is_a_warning(run):
    jobs = ScriptedJobs(states=[dict(status="RollbackSuccess")])
    jobs.find_list_item = raiser(TransportError("GET x: connection failed: refused"))
    outcome, warnings = run(dict(job_id="j1", wait=True), jobs)
    assert outcome.result["msg"] == "DDM job j1 (unnamed) ended with status RollbackSuccess" and "fail_reason" not in outcome.result["job"]
    assert warnings == ["Could not read the task's failure reason and operations from the task list: GET x: connection failed: refused"]


def test_a_wrong_instance_is_refused(run):
    jobs = ScriptedJobs(states=[dict(status="Running", name="CreateInstance", instance=dict(id="other"))])
    outcome, _warnings = run(dict(job_id="j1", instance_id="mine", wait=True), jobs)
    assert outcome.failed and "belongs to instance other, not to instance_id mine" in outcome.result["msg"]
    assert len(jobs.calls) == 1


def test_a_timeout_reports_the_last_state_and_the_last_error(run):
    jobs = ScriptedJobs(states=[dict(status="Running", process="40%"), DeadlineExceeded("GET x: no complete answer before the deadline")])
    outcome, _warnings = run(dict(job_id="j1", wait=True, wait_timeout=5), jobs)
    assert outcome.failed and outcome.result["job"]["process"] == "40%"
    assert outcome.result["msg"] == ("Timed out after 5 s waiting for DDM job j1 (unnamed): last status Running, progress 40%; "
                                     "the last poll got no answer: GET x: no complete answer before the deadline")
    assert all(call[2] is not None for call in jobs.calls)  # every poll of a wait has a deadline


def test_a_timeout_before_any_answer_has_no_job(run):
    jobs = ScriptedJobs(states=[DeadlineExceeded("x", last_error=TransportError("GET x: connection failed: refused"))])
    outcome, _warnings = run(dict(job_id="j1", wait=True, wait_timeout=3), jobs)
    assert outcome.failed and "job" not in outcome.result and outcome.result["polls"] == 0
    assert outcome.result["msg"] == ("Timed out after 3 s waiting for DDM job j1: no answer from DDM yet; "
                                     "the last poll got no answer: GET x: connection failed: refused")


@pytest.mark.parametrize("status,looked_up", [("Completed", False), ("ToBeSwitched", True), ("CancelSuccess", True), ("Running", False)])
def test_operations_come_from_the_list_for_failed_and_switch_over_tasks(run, status, looked_up):
    jobs = ScriptedJobs(states=[dict(status=status)], listed=dict(fail_reason="", operations=["toBeSwitched"]))
    outcome, _warnings = run(dict(job_id="j1"), jobs)
    assert ("operations" in outcome.result["job"]) is looked_up and "fail_reason" not in outcome.result["job"]
    assert [call[0] for call in jobs.calls] == ["get"] + (["find_list_item"] if looked_up else [])


def test_a_task_not_visible_yet_is_waited_for(run, monkeypatch):
    monkeypatch.setattr(ddm_job_info, "NOT_FOUND_GRACE", 30)
    jobs = ScriptedJobs(states=[NotFoundError("job j1 not found in project p"), dict(status="Completed")], listed=dict(operations=[]))
    outcome, _warnings = run(dict(job_id="j1", wait=True), jobs)
    assert not outcome.failed and outcome.result["job"]["status"] == "Completed" and outcome.result["polls"] == 2


def test_a_task_still_not_found_after_the_grace_fails_with_the_not_found_message(run, monkeypatch):
    monkeypatch.setattr(ddm_job_info, "NOT_FOUND_GRACE", 0)
    jobs = ScriptedJobs(states=[NotFoundError("job j1 not found in project p")])
    outcome, _warnings = run(dict(job_id="j1", wait=True), jobs)
    assert outcome.failed and outcome.result["msg"] == "job j1 not found in project p (still not found after 0 s of waiting)"


def test_without_wait_not_found_fails_at_once(run):
    jobs = ScriptedJobs(states=[NotFoundError("job j1 not found in project p")])
    outcome, _warnings = run(dict(job_id="j1"), jobs)
    assert outcome.failed and outcome.result["msg"] == "job j1 not found in project p" and len(jobs.calls) == 1


def test_a_task_that_disappears_during_a_wait_fails_at_once(run):
    jobs = ScriptedJobs(states=[dict(status="Running"), NotFoundError("job j1 not found in project p")])
    outcome, _warnings = run(dict(job_id="j1", wait=True), jobs)
    assert outcome.failed and outcome.result["msg"] == "job j1 not found in project p (it was found earlier in this wait)"
    assert len(jobs.calls) == 2
