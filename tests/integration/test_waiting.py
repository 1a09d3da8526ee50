# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading one job and waiting on it: success, every kind of status, timeouts, failures, check mode."""

from __future__ import annotations

from cases import fault_on, finish_jobs_after_first_poll, job_path, job_requests, token_case  # pylint: disable=import-error
from harness.ansible_runner import case_results  # pylint: disable=import-error

INSTANCE = {"id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0in09", "name": "ddm-payments"}
WAIT = {"wait": True, "wait_interval": 1, "wait_timeout": 30}
# Statuses the module waits through: the documented ones, and one it has never heard of.
PENDING = ["Expanding", "Canceling", "Rollbacking", "Switching", "Resharding", "ToBeSwitched"]


def _describe(job_id, name):
    return "DDM job %s (%s) on instance %s (%s)" % (job_id, name, INSTANCE["name"], INSTANCE["id"])


def test_waits_through_progress_until_completed(ansible_runner, emulator, await_request):
    running = emulator.post_job(duration=3600, instance=INSTANCE)["id"]
    unknown = emulator.post_job(timeline=[{"at": 0, "status": "Rebalancing", "process": "10%"}])["id"]
    expanding = emulator.post_job(name="EnlargeNode", timeline=[{"at": 0, "status": "Expanding"}])["id"]
    cases = [token_case(emulator, "running", job_id=running, **WAIT), token_case(emulator, "unknown-status", job_id=unknown, **WAIT),
             token_case(emulator, "expanding", job_id=expanding, **WAIT)]
    endings = {
        running: {"duration": 1.5, "outcome": "Completed", "instance": INSTANCE},
        unknown: {"timeline": [{"at": 0, "status": "Rebalancing", "process": "10%"}, {"at": 1.5, "status": "Completed"}]},
        expanding: {"name": "EnlargeNode", "timeline": [{"at": 0, "status": "Expanding"}, {"at": 1, "status": "Completed"}]},
    }

    run = finish_jobs_after_first_poll(ansible_runner, emulator, await_request, ansible_runner.cases_command(cases), endings)
    results = case_results(run, cases)[0]

    for case in cases:
        item = results[case["case"]]
        assert item.get("failed") is not True, item
        assert item["changed"] is False
        assert item["job"]["status"] == "Completed", item
        # Seen in progress, then finished: one GET per poll, none refused.
        assert item["polls"] >= 2, item
        assert [entry["status"] for entry in job_requests(emulator, case["job_id"])] == [200] * item["polls"]
    item = results["running"]
    assert item["job"]["process"] == "" and item["job"]["end_time"], item
    assert item["job"]["instance"] == INSTANCE
    assert item["elapsed"] > 0


def test_timeouts_and_final_statuses(ansible_runner, emulator):
    jobs = {status: emulator.post_job(name="EnlargeNode", instance=INSTANCE, timeline=[{"at": 0, "status": status}])["id"] for status in PENDING}
    for status in ("CancelSuccess", "RollbackSuccess"):
        jobs[status] = emulator.post_job(name="ReduceNode", instance=INSTANCE, outcome=status, fail_reason="%s by the operator." % status)["id"]
    running = emulator.post_job(duration=3600, name="migrateLogicDb", instance=INSTANCE)["id"]
    failed = emulator.post_job(outcome="Failed", name="RestartInstance", fail_reason="The instance did not restart.")["id"]
    cases = [token_case(emulator, status, job_id=job, wait=True, wait_timeout=1, wait_interval=1) for status, job in jobs.items()]
    cases += [token_case(emulator, "running", job_id=running, wait=True, wait_timeout=3, wait_interval=1),
              # Without wait, a failed job is reported, not a failure.
              token_case(emulator, "failed-without-wait", job_id=failed)]

    results = ansible_runner.run_cases(cases)[0]

    for status in PENDING:
        item = results[status]
        assert item["failed"] is True, item
        note = " (the task waits for a manual switch-over)" if status == "ToBeSwitched" else ""
        assert item["msg"] == "Timed out after 1 s waiting for %s: last status %s%s, progress not reported" % (
            _describe(jobs[status], "EnlargeNode"), status, note), item["msg"]
        assert item["job"]["status"] == status
        assert item["polls"] >= 2, item
        assert len(job_requests(emulator, jobs[status])) == item["polls"]
    for status in ("CancelSuccess", "RollbackSuccess"):
        item = results[status]
        assert item["failed"] is True, item
        # The single-task call has no failure reason; the module looks it up in the task list.
        assert item["msg"] == "%s ended with status %s: %s by the operator." % (_describe(jobs[status], "ReduceNode"), status, status), item["msg"]
        assert item["job"]["status"] == status and item["job"]["fail_reason"] == "%s by the operator." % status
        assert item["polls"] == 1 and "elapsed" in item
    item = results["running"]
    assert item["failed"] is True, item
    assert item["msg"].startswith("Timed out after 3 s waiting for DDM job %s (migrateLogicDb)" % running), item["msg"]
    assert "last status Running, progress %s" % item["job"]["process"] in item["msg"]
    assert item["job"]["id"] == running and item["job"]["status"] == "Running"
    assert item["polls"] >= 2 and item["elapsed"] >= 2, item
    assert len(job_requests(emulator, running)) == item["polls"]
    item = results["failed-without-wait"]
    assert item.get("failed") is not True, item
    assert item["job"]["status"] == "Failed" and item["job"]["fail_reason"] == "The instance did not restart."
    assert item["polls"] == 1


def test_failed_wait_is_rescued_with_the_last_state(ansible_runner, emulator, await_request, token_vars):
    spec = {"outcome": "Failed", "name": "EnlargeNode", "instance": INSTANCE, "fail_reason": "Node ddm-node-2 did not become ready."}
    job = emulator.post_job(duration=3600, **spec)["id"]
    # A block/rescue playbook: the rescue asserts on the registered result itself.
    command = ansible_runner.playbook_command("wait_failure.yml", dict(token_vars, ddm_job_id=job, ddm_expected_status="Failed"))

    run = finish_jobs_after_first_poll(ansible_runner, emulator, await_request, command, {job: dict(spec, duration=1)})

    assert run.rc == 0, run
    assert run.data["stats"]["localhost"]["rescued"] == 1
    result = run.result("Wait for the DDM job")
    assert result["failed"] is True
    assert result["msg"] == "%s ended with status Failed: Node ddm-node-2 did not become ready." % _describe(job, "EnlargeNode"), result["msg"]
    assert result["job"]["fail_reason"] == "Node ddm-node-2 did not become ready."
    assert result["job"]["status"] == "Failed"
    assert result["polls"] == len(job_requests(emulator, job)) and result["polls"] >= 2
    assert "elapsed" in result
    assert run.result("Report the rescued job")["msg"] == "rescued %s Failed" % job


def test_failed_wait_as_a_human_sees_it(ansible_runner, emulator):
    job = emulator.post_job(outcome="Failed", name="RestartInstance", instance=INSTANCE)["id"]

    run = ansible_runner.run(ansible_runner.cases_command([token_case(emulator, "failed", job_id=job, wait=True)]), json_output=False)

    assert run.rc == 0, run  # the playbook ignores the error
    assert "failed: [localhost] (item=failed) =>" in run.stdout, run
    assert "%s ended with status Failed" % _describe(job, "RestartInstance") in run.stdout, run
    assert "ignored=1" in run.stdout, run


def test_check_mode_gives_the_same_result(ansible_runner, emulator):
    cases = [token_case(emulator, "completed", job_id=emulator.post_job(instance=INSTANCE)["id"]),
             token_case(emulator, "failed", job_id=emulator.post_job(outcome="Failed", instance=INSTANCE)["id"])]

    normal = ansible_runner.run_cases(cases)[0]
    normal_calls = [(entry["method"], entry["path"], entry["status"]) for entry in emulator.requests_log()]
    emulator.clear_requests()
    checked = ansible_runner.run_cases(cases, check=True)[0]

    for label in ("completed", "failed"):
        assert normal[label].get("failed") is not True, normal[label]
        for key in ("changed", "job", "polls"):
            assert checked[label][key] == normal[label][key], (label, key)
    assert checked["failed"]["job"]["status"] == "Failed"
    assert [(entry["method"], entry["path"], entry["status"]) for entry in emulator.requests_log()] == normal_calls
    assert normal_calls and all(method == "GET" for method, _path, _status in normal_calls)


# Each misbehaviour, from the first request on or after one good answer. Per-read timeouts could not stop
# any of these: a stall held a wait_timeout: 3 gate for 31 s, a trickle for 100 s (then reported ok).
MISBEHAVIOURS = {
    "stall": {"delay": 120},
    "trickled-body": {"trickle": 1, "trickle_part": "body"},
    "trickled-headers": {"trickle": 1},
}
DEADLINE_WAIT = {"wait": True, "wait_timeout": 5, "wait_interval": 1, "api_timeout": 30}


def test_the_deadline_holds_whatever_the_server_does(ansible_runner, emulator, await_request):
    from_start = {label: emulator.post_job(duration=3600)["id"] for label in MISBEHAVIOURS}
    after_one = {label: emulator.post_job(duration=3600)["id"] for label in MISBEHAVIOURS}
    for label, fault in MISBEHAVIOURS.items():
        fault_on(emulator, from_start[label], count=50, **fault)
    cases = [token_case(emulator, label, job_id=from_start[label], **DEADLINE_WAIT) for label in MISBEHAVIOURS]
    cases += [token_case(emulator, label + "-after-one-answer", job_id=after_one[label], **DEADLINE_WAIT) for label in MISBEHAVIOURS]
    # api_timeout bounds a whole answer outside waits too.
    trickled = emulator.post_job()["id"]
    fault_on(emulator, trickled, count=5, trickle=1, trickle_part="body")
    cases.append(token_case(emulator, "api-timeout-without-wait", job_id=trickled, api_timeout=2, max_retries=0))

    started = ansible_runner.start(ansible_runner.cases_command(cases))
    for label, fault in MISBEHAVIOURS.items():  # the server turns bad once the module has seen the task running
        await_request(lambda entry, path=job_path(after_one[label]): entry["path"] == path and entry["status"] == 200, timeout=120)
        fault_on(emulator, after_one[label], count=50, **fault)
    results = case_results(ansible_runner.finish(started), cases)[0]

    for label in MISBEHAVIOURS:
        item = results[label]
        assert item["failed"] is True and "job" not in item, item
        assert item["msg"] == ("Timed out after 5 s waiting for DDM job %s: no answer from DDM yet; the last poll got no answer: "
                               "GET %s%s: no complete answer before the deadline" % (from_start[label], emulator.url, job_path(from_start[label])))
        assert item["elapsed"] <= 5.5, item  # the deadline is hard: not 31 s, not 100 s
        late = results[label + "-after-one-answer"]
        assert late["failed"] is True and late["job"]["status"] == "Running", late  # never turned into ok
        assert late["msg"].startswith("Timed out after 5 s waiting for DDM job %s (CreateInstance)" % after_one[label]), late["msg"]
        assert "last status Running, progress " in late["msg"] and late["msg"].endswith("no complete answer before the deadline")
        assert late["elapsed"] <= 5.5 and late["polls"] >= 1, late
    item = results["api-timeout-without-wait"]
    assert item["msg"] == "GET %s%s: no complete answer within the api_timeout (2 s)" % (emulator.url, job_path(trickled)), item
