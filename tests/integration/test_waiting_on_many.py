# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""job_ids: waiting on many tasks in one Ansible task, with one list request per poll.

Ansible's start-up time varies with the machine's load, so tasks that simply last a few seconds
could be over before the first poll. The tests create long tasks, wait until the module has read
them, then script how they end by creating them again under the same ids.
"""

from __future__ import annotations

import re
import time

from cases import retry_warnings, token_case  # pylint: disable=import-error
from harness.emulator import PROJECT_ID  # pylint: disable=import-error
from harness.terminal import Terminal  # pylint: disable=import-error

PLAYBOOK = "wait_many.yml"
TASK = "Wait for the DDM jobs"
LIST_PATH = "/v3/%s/jobs" % PROJECT_ID
INSTANCES = [{"id": "%032xin09" % number, "name": "ddm-tenant-%02d" % number} for number in range(40)]


def _create(emulator, count, **spec):
    return [emulator.post_job(instance=INSTANCES[number], **spec)["id"] for number in range(count)]


def _finish(emulator, ids, skip=(), **spec):
    for number, job_id in enumerate(ids):
        if job_id not in skip:
            emulator.post_job(id=job_id, instance=INSTANCES[number], **spec)


def _list_requests(emulator):
    return [entry for entry in emulator.requests_log() if entry["path"] == LIST_PATH]


def _single_requests(emulator):
    return [entry for entry in emulator.requests_log() if entry["path"].startswith(LIST_PATH + "/")]


def _first_list_read(entry):
    return entry["path"] == LIST_PATH and entry["status"] == 200


def _wait_many(ansible_runner, token_vars, ids, **extra):
    return ansible_runner.playbook_command(PLAYBOOK, dict(token_vars, ddm_job_ids=ids, **extra))


def _wait_then_finish(ansible_runner, emulator, token_vars, await_request, ids, duration, failing=None):
    """Wait on ``ids``; once the module has read the list, they complete after ``duration`` s (``failing``, a number: that one fails)."""
    started = ansible_runner.start(_wait_many(ansible_runner, token_vars, ids))
    await_request(_first_list_read)
    if failing is not None:
        emulator.post_job(id=ids[failing], instance=INSTANCES[failing], duration=0.5, outcome="Failed", fail_reason="Insufficient quota for ECS instances.",
                          operations=["toBeRetried"])
    _finish(emulator, ids, skip=[ids[failing]] if failing is not None else [], duration=duration, outcome="Completed")
    return ansible_runner.finish(started)


def test_many_tasks_cost_one_list_request_per_poll(ansible_runner, emulator, token_vars, await_request):
    # Older tasks of other teams fill the first, 24-hour window beyond one page; ours are the newest.
    emulator.post_jobs(150, age=7200)
    ids = _create(emulator, 30, duration=3600)

    run = _wait_then_finish(ansible_runner, emulator, token_vars, await_request, ids, 2)

    assert run.rc == 0, run
    result = run.result(TASK)
    assert [job["id"] for job in result["jobs"]] == ids
    assert all(job["status"] == "Completed" and job["instance"] == INSTANCES[n] for n, job in enumerate(result["jobs"]))
    assert result["counts"] == {"Completed": 30} and result["polls"] >= 2 and result.get("failed") is not True
    assert run.result("Report the completed jobs")["msg"] == "completed 30 of 30"
    # One list request per poll, whatever the number of tasks: never a GET per task.
    lists = _list_requests(emulator)
    assert len(lists) == result["polls"], lists
    assert all(entry["params"]["offset"] == "0" and entry["status"] == 200 for entry in lists)
    assert _single_requests(emulator) == []
    # After the first poll, the window starts at the tasks' creation, not 24 hours back.
    first, later = lists[0]["params"], lists[-1]["params"]
    assert int(first["end_time"]) - int(first["start_time"]) == 24 * 3600 * 1000
    assert int(later["end_time"]) - int(later["start_time"]) < 3600 * 1000


def test_one_failing_task_among_many_is_reported_after_every_task_ended(ansible_runner, emulator, token_vars, await_request):
    ids = _create(emulator, 10, duration=3600)
    failing = ids[3]

    run = _wait_then_finish(ansible_runner, emulator, token_vars, await_request, ids, 2.5, failing=3)

    assert run.rc == 0, run
    assert run.data["stats"]["localhost"]["rescued"] == 1
    result = run.result(TASK)
    assert result["failed"] is True
    assert result["msg"] == "1 of 10 DDM jobs did not succeed: DDM job %s (CreateInstance) on instance %s (%s) ended with status Failed: " \
        "Insufficient quota for ECS instances." % (failing, INSTANCES[3]["name"], INSTANCES[3]["id"]), result["msg"]
    # The wait went on until every task was final: the rescue sees them all.
    assert result["counts"] == {"Completed": 9, "Failed": 1}
    failed = result["jobs"][3]
    assert failed["fail_reason"] == "Insufficient quota for ECS instances." and failed["operations"] == ["toBeRetried"]
    assert run.result("Report the tasks to clean up")["msg"] == "clean up %s" % failing
    assert _single_requests(emulator) == []


def test_timeout_names_the_tasks_still_running(ansible_runner, emulator, token_vars):
    ids = _create(emulator, 3, outcome="Completed") + _create(emulator, 2, duration=3600, name="migrateLogicDb")

    run = ansible_runner.playbook(PLAYBOOK, dict(token_vars, ddm_job_ids=ids, ddm_wait_timeout=3))

    assert run.rc == 0 and run.data["stats"]["localhost"]["rescued"] == 1, run
    result = run.result(TASK)
    msg = result["msg"]
    assert msg.startswith("Timed out after 3 s waiting for 5 DDM jobs, 2 still in progress: "), msg
    for number in (0, 1):
        job = result["jobs"][3 + number]
        assert job["status"] == "Running"
        assert "DDM job %s (migrateLogicDb) on instance %s (%s): last status Running, progress %s" % (
            ids[3 + number], INSTANCES[number]["name"], INSTANCES[number]["id"], job["process"]) in msg, msg
    assert result["counts"] == {"Completed": 3, "Running": 2}
    assert run.result("Report the tasks to clean up")["msg"] == "clean up %s,%s" % (ids[3], ids[4])
    assert len(_list_requests(emulator)) == result["polls"] >= 2


def test_a_task_that_appears_late_is_looked_for_in_the_list_again(ansible_runner, emulator, token_vars, await_request):
    early = _create(emulator, 1, duration=3600)[0]
    # Created, but not yet visible to the API (as a task created a moment ago can be).
    late = emulator.post_job(visible_after=3600, instance=INSTANCES[1])["id"]

    started = ansible_runner.start(_wait_many(ansible_runner, token_vars, [early, late]))
    await_request(lambda entry: entry["path"] == "%s/%s" % (LIST_PATH, late) and entry["status"] == 400)
    emulator.post_job(id=late, instance=INSTANCES[1], visible_after=1.5, outcome="Completed")
    _finish(emulator, [early], duration=1, outcome="Completed")
    run = ansible_runner.finish(started)

    assert run.rc == 0, run
    result = run.result(TASK)
    assert result["counts"] == {"Completed": 2} and [job["id"] for job in result["jobs"]] == [early, late]
    # Read on its own once ("not found" within the grace: not visible yet), then found by the list.
    assert [(entry["path"].rsplit("/", 1)[-1], entry["status"]) for entry in _single_requests(emulator)] == [(late, 400)]
    assert len(_list_requests(emulator)) == result["polls"] >= 2


def test_a_throttled_wait_slows_down_and_succeeds(ansible_runner, emulator, token_vars, await_request):
    ids = _create(emulator, 20, duration=3600)
    # At most one request every 2 s for this user: polls 1 s apart are refused with Retry-After.
    emulator.set_ratelimit(1, window=2)

    run = _wait_then_finish(ansible_runner, emulator, token_vars, await_request, ids, 3)

    assert run.rc == 0, run
    result = run.result(TASK)
    assert result.get("failed") is not True and result["counts"] == {"Completed": 20}
    statuses = [entry["status"] for entry in _list_requests(emulator)]
    assert 429 in statuses and statuses.count(200) == result["polls"], statuses
    assert retry_warnings(result) == ["Huawei Cloud requests were retried %d time(s): HTTP 429 APIGW.0308 x%d" % (statuses.count(429), statuses.count(429))]
    assert _single_requests(emulator) == []


def test_live_group_line_and_failure_line(ansible_runner, emulator, token_vars):
    ids = _create(emulator, 4, duration=3600)
    terminal = Terminal(_wait_many(ansible_runner, token_vars, ids), ansible_runner._env({}, json_output=False))  # pylint: disable=protected-access

    assert terminal.read_until(r"^\[localhost\] DDM jobs: 0/4 Completed, 4 running \(avg \d+%\), \d+ s elapsed$"), terminal.text
    # Shown while the module is still waiting: live, not replayed at the end.
    assert terminal.process.poll() is None, terminal.text
    emulator.post_job(id=ids[0], instance=INSTANCES[0], outcome="Failed", fail_reason="Node ddm-node-2 did not become ready.")
    _finish(emulator, ids, skip=[ids[0]], duration=1.5, outcome="Completed")
    assert terminal.finish() == 0, terminal.text

    output = terminal.text
    assert "[localhost] DDM job %s (CreateInstance) on instance %s (%s) ended with status Failed, " % (
        ids[0], INSTANCES[0]["name"], INSTANCES[0]["id"]) in output, output
    assert re.search(r" s elapsed: Node ddm-node-2 did not become ready\.$", output, re.MULTILINE), output
    assert re.search(r"^\[localhost\] DDM jobs: 3/4 Completed, 1 Failed, 0 running, \d+ s elapsed$", output, re.MULTILINE), output


def test_bad_job_ids_are_refused_before_any_request(ansible_runner, emulator):
    cases = [token_case(emulator, "empty", job_ids=[]), token_case(emulator, "malformed", job_ids=["a1", "../v3"]),
             token_case(emulator, "repeated", job_ids=["a1", "a1"]), token_case(emulator, "with-job_id", job_id="a1", job_ids=["a2"]),
             token_case(emulator, "with-instance_id", job_ids=["a1"], instance_id="i1", wait=True),
             token_case(emulator, "too-many", job_ids=["a%d" % number for number in range(201)])]

    results = ansible_runner.run_cases(cases)[0]

    expected = {"empty": "job_ids is empty: give at least one task id", "malformed": "job_ids[1] must be a plain id",
                "repeated": "job_ids names a1 more than once", "with-job_id": "parameters are mutually exclusive: job_id|job_ids",
                "with-instance_id": "instance_id checks the task of job_id", "too-many": "job_ids names 201 tasks; at most 200"}
    for label, message in expected.items():
        assert results[label]["failed"] is True and message in results[label]["msg"], results[label]
    assert emulator.requests_log() == []


def _listed(job, status):
    """A task as the task list shows it, with the given status."""
    return {"id": job["id"], "name": job["name"], "status": status, "created_time": job["created_time"], "end_time": "", "process": "",
            "instance_id": job["instance"]["id"], "instance_name": job["instance"]["name"], "fail_reason": "", "database_name": "",
            "operations": []}


def _single_reads_per_poll(emulator):
    """How many tasks were read on their own after each list request, in order."""
    counts = []
    for entry in emulator.requests_log():
        if entry["path"] == LIST_PATH:
            counts.append(0)
        elif entry["path"].startswith(LIST_PATH + "/") and counts:
            counts[-1] += 1
    return counts


def test_tasks_the_list_never_shows_cost_a_few_requests_per_poll(ansible_runner, emulator, token_vars):
    """A list that never shows the tasks (a server clock ahead of ours puts them after the window): each poll once read every one."""
    ids = _create(emulator, 8, duration=3600)
    emulator.add_fault(method="GET", path=LIST_PATH + "$", count=1000, status=200, json={"jobs": [], "total": 0})

    started = ansible_runner.start(_wait_many(ansible_runner, token_vars, ids))
    deadline = time.monotonic() + 60
    while len(_list_requests(emulator)) < 4 and time.monotonic() < deadline:
        time.sleep(0.2)
    _finish(emulator, ids, outcome="Completed")
    run = ansible_runner.finish(started)

    assert run.rc == 0, run
    result = run.result(TASK)
    assert result.get("failed") is not True and result["counts"] == {"Completed": 8}, result
    reads = _single_reads_per_poll(emulator)
    # One read each on the first poll, as the user guide says; then at most three per poll, in turn.
    assert reads[0] == 8 and len(reads) == result["polls"] >= 5 and max(reads[1:]) <= 3, reads
    singles = [entry["path"].rsplit("/", 1)[-1] for entry in _single_requests(emulator)][8:]
    assert all(singles.count(job_id) >= 1 for job_id in ids), singles  # every task had its turn


def test_odd_entries_of_the_list_do_not_abort_the_wait(ansible_runner, emulator, token_vars):
    """One malformed item of another task once failed every job_ids wait; a task listed twice, contradicting itself, was taken as either."""
    ours = [emulator.post_job(instance=INSTANCES[number], outcome="Completed") for number in range(2)]
    listed = [{"id": 7, "status": ["Running"]},  # another team's task, malformed
              _listed(ours[0], "Running"), _listed(ours[0], "Completed"),  # one of ours twice, with different statuses
              _listed(ours[1], "Completed")]
    emulator.add_fault(method="GET", path=LIST_PATH + "$", count=100, status=200, json={"jobs": listed, "total": len(listed)})

    run = ansible_runner.playbook(PLAYBOOK, dict(token_vars, ddm_job_ids=[job["id"] for job in ours]))

    assert run.rc == 0, run
    result = run.result(TASK)
    assert result.get("failed") is not True and result["counts"] == {"Completed": 2}, result
    # The task the list contradicts was read on its own; the other was taken from the list.
    assert [entry["path"].rsplit("/", 1)[-1] for entry in _single_requests(emulator)] == [ours[0]["id"]]
    assert result["warnings"] == [
        "The DDM task list held malformed items of other tasks (1 on one read); they were left out",
        "The DDM task list showed 1 of the tasks twice, with different statuses, so they were read on their own: %s (Completed, Running)"
        % ours[0]["id"]], result["warnings"]
