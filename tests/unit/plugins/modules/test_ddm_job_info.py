# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module's own logic, through main() with a patched AnsibleModule and a scripted DDM layer:
option checks, the list window, and the shapes of results and failures."""

from __future__ import annotations

import contextlib
import datetime
import itertools
import json
import weakref

import pytest

from ansible.module_utils import basic

from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm import job_waiter
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm import module as ddm_module
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import DeadlineExceeded, NotFoundError, TransportError
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ansible.progress import PROGRESS_FILE_ENV, read_new_records
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


def next_of(script):
    """The script's next entry; the last one repeats."""
    return script.pop(0) if len(script) > 1 else script[0]


class ScriptedJobs:
    """Stands in for DdmJobs: answers from a script, and records every call with the deadline the client's requests then had
    (none may happen on bad input).

    ``states`` answers get() (``by_id`` per task instead); ``items`` is the list, or ``lists`` one list per iterate().
    """

    def __init__(self, states=(), items=(), truncated=None, listed=None, lists=None, by_id=None):
        self.states = list(states)
        self.items = list(items)
        self.lists = lists
        self.by_id = by_id or {}
        self.truncated = truncated
        self.listed = listed  # what find_list_item finds
        self.calls = []
        self.client = None

    def bind(self, client):
        """Take the module's client, as DdmJobs(client, endpoint) does."""
        self.client = client
        return self

    def get(self, job_id):
        self.calls.append(("get", job_id, self.client.deadline))
        state = next_of(self.by_id.get(job_id, self.states))
        if isinstance(state, Exception):
            raise state
        return dict(state, id=job_id)

    def iterate(self, start, end, *args, **kwargs):  # pylint: disable=unused-argument
        self.calls.append(("iterate", start, end, self.client.deadline))
        if self.lists:
            self.items = next_of(self.lists)
        return self

    def __iter__(self):
        if isinstance(self.items, Exception):
            raise self.items
        return iter(self.items)

    def find_list_item(self, job):
        self.calls.append(("find_list_item", job["id"], self.client.deadline))
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

    # Polls follow one another at once: these tests script answers, not time.
    monkeypatch.setattr(ddm_job_info.DdmJobInfo, "sleep", staticmethod(lambda seconds: None))

    def run_module(options, jobs=None):
        jobs = jobs or ScriptedJobs()
        monkeypatch.setattr(ddm_module, "DdmJobs", lambda client, endpoint: jobs.bind(client))
        with patch_module_args(dict(CONNECTION, **options)):
            with pytest.raises(ModuleExit) as info:
                ddm_job_info.main()
        return info.value, warnings
    return run_module


@pytest.mark.parametrize("options,message", [
    (dict(wait=True), "wait needs job_id or job_ids: only given tasks can be waited on"),
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
    (dict(job_id="j1", job_ids=["j2"]), "parameters are mutually exclusive: job_id|job_ids"),
    (dict(job_ids=[]), "job_ids is empty: give at least one task id"),
    (dict(job_ids=["j1", "j/../x"]), "job_ids[1] must be a plain id"),
    (dict(job_ids=["j1", "j2", "j1", "j3", "j2"]), "job_ids names j1, j2 more than once: give each task once"),
    (dict(job_ids=["j%d" % n for n in range(201)]), "job_ids names 201 tasks; at most 200 can be read in one task: split the list"),
    (dict(job_ids=["j1"], status=["Failed"]), "status only filters the task list, which is read when neither job_id nor job_ids is given"),
    (dict(job_ids=["j1"], instance_id="i1"), "instance_id checks the task of job_id; with job_ids, check each task's instance.id"),
    (dict(job_ids=["j1"], wait=True, wait_timeout=-1), "wait_timeout must be a positive number of seconds, got -1"),
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
    (_call, start, end, deadline), = jobs.calls
    assert deadline is None and before <= end <= datetime.datetime.now(UTC) and end - start == datetime.timedelta(hours=24)
    # The job shape only: the flat instance_id of list items before 1.1.0 is gone in 2.0.0.
    listed = dict(id="a", status="Failed", name="CreateInstance", instance=dict(id="i1"))
    assert not outcome.failed and outcome.result == dict(changed=False, jobs=[listed]) and warnings == []


def test_a_list_status_ddm_never_reports_warns(run):
    outcome, warnings = run(dict(status=["Failed", "Faild"]), ScriptedJobs(items=[]))
    assert not outcome.failed and len(warnings) == 1 and "'Faild'" in warnings[0] and "'Failed'" not in warnings[0]


def test_list_window_honours_offsets(run):
    jobs = ScriptedJobs()
    now = datetime.datetime.now(UTC)
    start = (now - datetime.timedelta(hours=2)).astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    run(dict(start_time=start.isoformat()), jobs)
    (_call, seen_start, seen_end, _deadline), = jobs.calls
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
    assert all(call[2] is not None for call in jobs.calls)  # every poll of a wait keeps to the run's deadline


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
    monkeypatch.setattr(job_waiter, "NOT_FOUND_GRACE", 30)
    jobs = ScriptedJobs(states=[NotFoundError("job j1 not found in project p"), dict(status="Completed")], listed=dict(operations=[]))
    outcome, _warnings = run(dict(job_id="j1", wait=True), jobs)
    assert not outcome.failed and outcome.result["job"]["status"] == "Completed" and outcome.result["polls"] == 2


def test_a_task_still_not_found_after_the_grace_fails_with_the_not_found_message(run, monkeypatch):
    monkeypatch.setattr(job_waiter, "NOT_FOUND_GRACE", 0)
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


def listed(job_id, status, **fields):
    return dict(dict(id=job_id, status=status, name="CreateInstance", instance_id="i-" + job_id, instance_name="ddm-" + job_id,
                     process="", fail_reason="", operations=[]), **fields)


def test_job_ids_without_wait_read_every_task_in_one_list_call_and_a_failure_does_not_fail(run):
    jobs = ScriptedJobs(items=[listed("b", "Failed", fail_reason="No quota."), listed("x", "Completed"), listed("a", "Running", process="40%")])
    outcome, _warnings = run(dict(job_ids=["a", "b"]), jobs)
    assert not outcome.failed and [call[0] for call in jobs.calls] == ["iterate"]
    assert outcome.result["jobs"] == [
        dict(id="a", status="Running", name="CreateInstance", process="40%", instance=dict(id="i-a", name="ddm-a"), operations=[]),
        dict(id="b", status="Failed", name="CreateInstance", process="", instance=dict(id="i-b", name="ddm-b"), operations=[], fail_reason="No quota.")]
    assert outcome.result["counts"] == {"Running": 1, "Failed": 1} and outcome.result["polls"] == 1


def test_job_ids_wait_for_every_task_and_report_each_failure_once(run, tmp_path, monkeypatch):
    progress = tmp_path / "progress"
    monkeypatch.setenv(PROGRESS_FILE_ENV, str(progress))
    lists = [[listed("a", "Running", process="20%"), listed("b", "Failed", fail_reason="No quota."), listed("c", "Running", process="60%")],
             [listed("a", "Running", process="50%"), listed("c", "Running", process="60%")],
             [listed("a", "Completed"), listed("c", "RollbackSuccess", fail_reason="Rolled back.")]]
    jobs = ScriptedJobs(lists=lists)
    outcome, _warnings = run(dict(job_ids=["a", "b", "c"], wait=True), jobs)
    assert outcome.failed and outcome.result["polls"] == 3  # the failure of b did not end the wait
    assert outcome.result["msg"] == ("2 of 3 DDM jobs did not succeed: DDM job b (CreateInstance) on instance ddm-b (i-b) ended with status Failed: "
                                     "No quota.; DDM job c (CreateInstance) on instance ddm-c (i-c) ended with status RollbackSuccess: Rolled back.")
    assert [job["status"] for job in outcome.result["jobs"]] == ["Completed", "Failed", "RollbackSuccess"]
    assert outcome.result["counts"] == {"Completed": 1, "Failed": 1, "RollbackSuccess": 1}
    assert [call[0] for call in jobs.calls] == ["iterate"] * 3 and all(call[3] is not None for call in jobs.calls)  # the run's deadline
    with open(progress, encoding="utf-8") as handle:
        records = read_new_records(handle)
    assert [(r["kind"], r.get("id"), r.get("completed"), r.get("running")) for r in records] == [
        ("job_failed", "b", None, None), ("group", None, 0, 2), ("job_failed", "c", None, None), ("group", None, 1, 0)]
    assert records[1]["average"] == 40.0 and records[1]["failed"] == {"Failed": 1} and records[0]["fail_reason"] == "No quota."


def test_job_ids_a_task_not_visible_yet_is_looked_for_again_in_the_list(run, monkeypatch):
    monkeypatch.setattr(job_waiter, "NOT_FOUND_GRACE", 30)
    jobs = ScriptedJobs(lists=[[listed("a", "Completed")], [listed("b", "Completed")]], by_id={"b": [NotFoundError("job b not found in project p")]})
    outcome, _warnings = run(dict(job_ids=["a", "b"], wait=True), jobs)
    assert not outcome.failed and outcome.result["counts"] == {"Completed": 2}
    assert [call[:2] for call in jobs.calls][1:] == [("get", "b"), ("iterate", jobs.calls[2][1])]


def test_job_ids_a_task_never_found_fails_the_wait_with_every_state(run, monkeypatch):
    monkeypatch.setattr(job_waiter, "NOT_FOUND_GRACE", 0)
    jobs = ScriptedJobs(items=[listed("a", "Running")], by_id={"b": [NotFoundError("job b not found in project p")]})
    outcome, _warnings = run(dict(job_ids=["a", "b"], wait=True), jobs)
    assert outcome.failed and outcome.result["msg"] == "job b not found in project p"
    assert outcome.result["jobs"][1] == dict(id="b", status=None) and outcome.result["jobs"][0]["status"] == "Running"
    assert outcome.result["polls"] == 0


def test_job_ids_timeout_names_the_tasks_still_running(run):
    jobs = ScriptedJobs(lists=[[listed("a", "Running", process="40%"), listed("b", "Failed"), listed("c", "Completed")],
                               DeadlineExceeded("GET x: no complete answer before the deadline")])
    outcome, _warnings = run(dict(job_ids=["a", "b", "c"], wait=True, wait_timeout=5), jobs)
    assert outcome.failed and outcome.result["polls"] == 1 and outcome.result["counts"] == {"Running": 1, "Failed": 1, "Completed": 1}
    assert outcome.result["msg"] == ("Timed out after 5 s waiting for 3 DDM jobs, 1 still in progress: DDM job a (CreateInstance) on instance ddm-a (i-a): "
                                     "last status Running, progress 40%. Failed meanwhile: DDM job b (CreateInstance) on instance ddm-b (i-b) "
                                     "ended with status Failed; the last poll got no answer: GET x: no complete answer before the deadline")


def test_job_ids_a_final_task_read_on_its_own_gets_the_list_details(run):
    jobs = ScriptedJobs(items=[], by_id={"a": [dict(status="Failed", name="CreateInstance")]},
                        listed=dict(fail_reason="Disk full.", operations=["toBeRetried"]))
    outcome, _warnings = run(dict(job_ids=["a"], wait=True), jobs)
    assert outcome.result["msg"] == "1 of 1 DDM jobs did not succeed: DDM job a (CreateInstance) ended with status Failed: Disk full."
    assert [call[0] for call in jobs.calls] == ["iterate", "get", "find_list_item"]


def test_job_ids_tasks_seen_final_only_after_the_deadline_still_time_out(run, monkeypatch):
    clock = itertools.count(0, 10)  # every reading of the run's clock is 10 s later: the first answer comes after the deadline
    monkeypatch.setattr(ddm_job_info.DdmJobInfo, "clock", staticmethod(lambda: next(clock)))
    jobs = ScriptedJobs(items=[listed("a", "Completed")])
    outcome, _warnings = run(dict(job_ids=["a"], wait=True, wait_timeout=5), jobs)
    assert outcome.failed and outcome.result["msg"] == "Timed out after 5 s waiting for 1 DDM jobs: every task was final, but seen only after the deadline"


def test_list_statuses_match_in_any_case(run):
    jobs = ScriptedJobs(items=[dict(id="a", status="Failed"), dict(id="b", status="Completed"), dict(id="c", status="RollbackSuccess")])
    outcome, _warnings = run(dict(status=["failed", "ROLLBACKSUCCESS"]), jobs)
    assert [job["id"] for job in outcome.result["jobs"]] == ["a", "c"]


def test_a_wrong_instance_returns_the_task_that_was_read(run):
    jobs = ScriptedJobs(states=[dict(status="Completed", name="CreateInstance", instance=dict(id="other"))])
    outcome, _warnings = run(dict(job_id="j1", instance_id="mine"), jobs)
    assert outcome.failed and outcome.result["job"]["instance"] == {"id": "other"} and outcome.result["job"]["status"] == "Completed"


def test_job_ids_timeout_tells_tasks_never_found_from_tasks_in_progress(run, monkeypatch):
    monkeypatch.setattr(job_waiter, "NOT_FOUND_GRACE", 3600)
    jobs = ScriptedJobs(lists=[[listed("a", "Running", process="40%")], DeadlineExceeded("GET x: no complete answer before the deadline")],
                        by_id={"b": [NotFoundError("job b not found in project p")]})
    outcome, _warnings = run(dict(job_ids=["a", "b"], wait=True, wait_timeout=5), jobs)
    assert outcome.result["msg"].startswith("Timed out after 5 s waiting for 2 DDM jobs, 1 still in progress: DDM job a (CreateInstance) on "
                                            "instance ddm-a (i-a): last status Running, progress 40%; 1 not found yet (a new task can take "
                                            "a while to appear): b; the last poll")


class Text(str):
    """Text that can be referenced weakly, to see which answers a wait still holds."""


class ManyAnswers(ScriptedJobs):
    """``polls`` Running answers, then Completed; ``held`` counts, at each poll, the earlier answers still in memory."""

    def __init__(self, polls):
        super().__init__()
        self.polls = polls
        self.refs = []
        self.held = []

    def get(self, job_id):
        self.calls.append(("get", job_id, self.client.deadline))
        self.held.append(sum(ref() is not None for ref in self.refs))
        name = Text("CreateInstance")
        self.refs.append(weakref.ref(name))
        return {"id": job_id, "name": name, "status": "Running" if len(self.calls) < self.polls else "Completed"}


def test_a_long_wait_holds_only_the_last_answer(run):
    """Every answer of a wait was kept: about 6 MB more per poll with large answers."""
    jobs = ManyAnswers(30)
    outcome, _warnings = run(dict(job_id="j1", wait=True), jobs)
    assert not outcome.failed and outcome.result["polls"] == 30
    assert max(jobs.held) <= 1, jobs.held
