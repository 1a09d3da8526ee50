# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the real DDM API behaves where it differs from a first reading of its docs (see the API reference notes).

Fresh tasks not visible yet, which 5xx answers are retried (502/503/504 whatever their body, not a 500 with a service code), both spellings of gateway codes,
end_time on running tasks, time-zone offsets, and the operations a failed task allows.
"""

from __future__ import annotations

import datetime

from cases import fault_on, finish_jobs_after_first_poll, job_requests, retry_warnings, token_case  # pylint: disable=import-error
from harness.ansible_runner import case_results  # pylint: disable=import-error
from harness.emulator import PROJECT_ID  # pylint: disable=import-error

WAIT = {"wait": True, "wait_interval": 1}
PARAMETER_ERROR = {"error_code": "DBS.280001", "error_msg": "Parameter error."}


def test_a_task_created_a_moment_ago_is_waited_for(ansible_runner, emulator):
    late = emulator.post_job(visible_after=3, duration=1)["id"]
    never = emulator.post_job(visible_after=3600)["id"]
    unknown_no_wait = emulator.post_job(visible_after=3600)["id"]
    cases = [token_case(emulator, "appears-late", job_id=late, wait_timeout=60, **WAIT),
             # The grace never outlasts wait_timeout: the wait times out, saying the task was not found yet.
             token_case(emulator, "never-within-the-timeout", job_id=never, wait_timeout=4, **WAIT),
             token_case(emulator, "not-found-without-wait", job_id=unknown_no_wait)]

    results = ansible_runner.run_cases(cases)[0]

    item = results["appears-late"]
    assert item.get("failed") is not True and item["job"]["status"] == "Completed", item
    statuses = [entry["status"] for entry in job_requests(emulator, late)]
    assert statuses[0] == 400 and statuses[-1] == 200 and len(statuses) == item["polls"], statuses  # not found, then found
    item = results["never-within-the-timeout"]
    assert item["msg"] == ("Timed out after 4 s waiting for DDM job %s: the task was not found yet "
                           "(a new task can take a while to appear)" % never), item
    assert "job" not in item and len(job_requests(emulator, never)) >= 2
    assert results["not-found-without-wait"]["msg"] == "job %s not found in project %s" % (unknown_no_wait, PROJECT_ID)
    assert len(job_requests(emulator, unknown_no_wait)) == 1


def test_a_task_still_not_found_after_the_grace_fails_as_not_found(ansible_runner, emulator):
    never = emulator.post_job(visible_after=3600)["id"]

    results = ansible_runner.run_cases([token_case(emulator, "gone", job_id=never, wait_timeout=120, wait_interval=5, wait=True)])[0]

    item = results["gone"]
    assert item["msg"] == "job %s not found in project %s (still not found after 30 s of waiting)" % (never, PROJECT_ID), item
    gets = job_requests(emulator, never)
    assert all(entry["status"] == 400 for entry in gets) and 5 <= len(gets) <= 12, gets  # the normal schedule, not a busy loop


def test_which_5xx_answers_are_retried(ansible_runner, emulator):
    busy = {"error_code": "DBS.200001", "error_msg": "Service busy."}
    answers = {
        # The ListTasks docs show HTTP 500 with DBS.280001: the service's answer, final at once.
        "500-service-code": ({"status": 500, "json": PARAMETER_ERROR}, False),
        # 502, 503 and 504 are transient whatever their body, a service code included.
        "502-service-code": ({"status": 502, "json": PARAMETER_ERROR}, True),
        "503-service-code": ({"status": 503, "json": busy}, True),
        "504-service-code": ({"status": 504, "json": {"error_code": "DBS.200006", "error_msg": "Request timed out."}}, True),
        "500-no-code": ({"status": 500, "body": "<html><title>500 Internal Server Error</title></html>"}, True),
        "503-gateway-code": ({"status": 503, "json": {"error_code": "APIG.0203", "error_msg": "Backend unavailable.", "request_id": None}},
                             True),
        "429-apig": ({"status": 429, "json": {"error_code": "APIG.0308", "error_msg": "The throttling threshold has been reached: policy "
                                              "user over ratelimit,limit:100,time:1 minute", "request_id": None},
                      "headers": {"Retry-After": "1"}}, True),
    }
    jobs = {label: emulator.post_job()["id"] for label in answers}
    for label, (fault, _retried) in answers.items():
        fault_on(emulator, jobs[label], count=1, **fault)
    # A 503 with a service code that lasts is retried until the retries run out, then named with its code.
    lasting = emulator.post_job()["id"]
    fault_on(emulator, lasting, count=5, status=503, json=busy)

    cases = [token_case(emulator, label, job_id=jobs[label], max_retries=2) for label in answers]
    results, task = ansible_runner.run_cases(cases + [token_case(emulator, "503-service-code-lasting", job_id=lasting, max_retries=2)])

    for label, (fault, retried) in answers.items():
        statuses = [entry["status"] for entry in job_requests(emulator, jobs[label])]
        if retried:
            assert results[label].get("failed") is not True and statuses == [fault["status"], 200], (label, results[label])
        else:
            (entry,) = job_requests(emulator, jobs[label])
            code = fault["json"]["error_code"]
            expected = "HTTP %d %s: %s (request id %s)" % (fault["status"], code, fault["json"]["error_msg"], entry["request_id"])
            assert results[label]["msg"] == expected, results[label]
    entries = job_requests(emulator, lasting)
    assert [entry["status"] for entry in entries] == [503, 503, 503], entries
    assert results["503-service-code-lasting"]["msg"] == ("HTTP 503 DBS.200001: Service busy. (request id %s) (gave up after 3 attempts)"
                                                          % entries[-1]["request_id"]), results["503-service-code-lasting"]
    warnings = retry_warnings(task)
    assert "Huawei Cloud requests were retried 1 time(s): HTTP 429 APIG.0308 x1" in warnings, warnings
    for expected in ("HTTP 502 DBS.280001 x1", "HTTP 503 DBS.200001 x1", "HTTP 504 DBS.200006 x1", "HTTP 503 DBS.200001 x2"):
        assert "Huawei Cloud requests were retried %s time(s): %s" % (expected[-1], expected) in warnings, (expected, warnings)
    assert not any("HTTP 500 DBS." in warning for warning in warnings), warnings


def test_gateway_codes_in_both_spellings(ansible_runner, emulator):
    jobs = {spelling: emulator.post_job()["id"] for spelling in ("APIG", "APIGW")}
    for spelling, job in jobs.items():
        fault_on(emulator, job, status=404, json={"error_code": spelling + ".0101", "error_msg": "The API does not exist or has not been "
                                                  "published in the environment.", "request_id": None})

    results = ansible_runner.run_cases([token_case(emulator, spelling, job_id=job) for spelling, job in jobs.items()])[0]

    for spelling, job in jobs.items():
        msg = results[spelling]["msg"]
        assert msg.startswith("HTTP 404 %s.0101: The API does not exist" % spelling), msg  # not "job ... not found"
        assert msg.endswith("The API gateway does not know this API: the endpoint (or region) or the API path is wrong"), msg


def test_end_time_on_a_running_task_is_not_completion(ansible_runner, emulator, await_request):
    job = emulator.post_job(duration=3600, running_end_time="expected")
    assert job["status"] == "Running" and job["end_time"]
    cases = [token_case(emulator, "end-time-while-running", job_id=job["id"], wait_timeout=60, **WAIT)]

    # Seen running with an end_time first, whatever the machine's load; then it runs 2 s more and completes.
    run = finish_jobs_after_first_poll(ansible_runner, emulator, await_request, ansible_runner.cases_command(cases),
                                       {job["id"]: {"duration": 2, "running_end_time": "expected"}})
    item = case_results(run, cases)[0]["end-time-while-running"]

    assert item["job"]["status"] == "Completed" and item["polls"] >= 2, item


def test_time_zones_of_task_times(ansible_runner, emulator):
    beijing = emulator.post_job(outcome="Failed", fail_reason="Beijing says no.", utc_offset="+0800", name="CreateInstance")
    newfoundland = emulator.post_job(outcome="Completed", utc_offset="-0330", name="RestartInstance")
    now = datetime.datetime.now(datetime.timezone.utc)
    window = {"start_time": (now - datetime.timedelta(minutes=10)).astimezone(datetime.timezone(datetime.timedelta(hours=8))).isoformat(),
              "end_time": (now + datetime.timedelta(minutes=10)).astimezone(datetime.timezone(datetime.timedelta(hours=-3, minutes=-30)))
              .strftime("%Y-%m-%dT%H:%M:%S%z")}
    cases = [token_case(emulator, "failed-in-beijing", job_id=beijing["id"], **WAIT),
             token_case(emulator, "list-across-offsets", **window)]

    results = ansible_runner.run_cases(cases)[0]

    item = results["failed-in-beijing"]
    # The failure-reason lookup window, computed from created_time +0800, found the task.
    assert item["job"]["created_time"].endswith("+0800") and item["job"]["fail_reason"] == "Beijing says no.", item
    listed = {job["id"]: job for job in results["list-across-offsets"]["jobs"]}
    assert set(listed) == {beijing["id"], newfoundland["id"]}
    assert listed[newfoundland["id"]]["created_time"] == newfoundland["created_time"] and newfoundland["created_time"].endswith("-0330")


def test_what_can_be_done_about_a_failed_task(ansible_runner, emulator):
    failed = emulator.post_job(outcome="Failed", operations=["toBeRetried", "toBeRolled"], fail_reason="Quota exceeded.")["id"]
    switching = emulator.post_job(timeline=[{"at": 0, "status": "ToBeSwitched"}], operations=["toBeSwitched"])["id"]
    completed = emulator.post_job(outcome="Completed", operations=["toBeRetried"])["id"]
    cases = [token_case(emulator, "failed", job_id=failed, **WAIT),
             token_case(emulator, "to-be-switched", job_id=switching, wait_timeout=2, **WAIT),
             token_case(emulator, "completed", job_id=completed, **WAIT)]

    results = ansible_runner.run_cases(cases)[0]

    assert results["failed"]["job"]["operations"] == ["toBeRetried", "toBeRolled"], results["failed"]
    assert results["to-be-switched"]["job"]["operations"] == ["toBeSwitched"], results["to-be-switched"]
    assert "(the task waits for a manual switch-over)" in results["to-be-switched"]["msg"]
    assert "operations" not in results["completed"]["job"]
    # One list lookup each for the failed and the switching task; none for the completed gate.
    assert len([entry for entry in emulator.requests_log() if entry["path"] == "/v3/%s/jobs" % PROJECT_ID]) == 2
