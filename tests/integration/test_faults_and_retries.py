# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults and retries: dropped connections, slow answers, throttling, 5xx bursts, error bodies, odd answers, revoked tokens, clock skew.

Transient failures are retried within ``max_retries`` and reported as a warning; the rest fail with
the API's code, message and request id. Each case reads its own job, and faults match that job only.
"""

from __future__ import annotations

from cases import (  # pylint: disable=import-error
    HTML_502, THROTTLED, UNAVAILABLE, fault_on, job_path, job_requests, retry_warnings, token_case,
)
from harness.ansible_runner import case_results  # pylint: disable=import-error
from harness.emulator import ACCESS_KEY, DOMAIN_NAME, PROJECT_ID, REGION, SECRET_KEY, USER_NAME, USER_PASSWORD  # pylint: disable=import-error


def _statuses(emulator, job_id):
    return [entry["status"] for entry in job_requests(emulator, job_id)]


def test_bursts_within_max_retries_succeed(ansible_runner, emulator):
    # (fault, times, max_retries): None is the module's default (5).
    faults = {
        "drop": ({"drop": True}, 2, 2),
        # A 500 page without an error code is a hiccup; one with a service code is an answer (see test_ddm_api_behaviour.py).
        "500": ({"status": 500, "body": ""}, 2, 2),
        "502": ({"status": 502, "body": HTML_502}, 2, 2),
        "503": (UNAVAILABLE, 2, 2),
        "504": ({"status": 504, "body": ""}, 2, 2),
        "503-default-max-retries": (UNAVAILABLE, 2, None),
        "drop-default-max-retries": ({"drop": True}, 1, None),
    }
    jobs, cases = {}, []
    for label, (fault, times, max_retries) in faults.items():
        jobs[label] = emulator.post_job()["id"]
        fault_on(emulator, jobs[label], count=times, **fault)
        cases.append(token_case(emulator, label, job_id=jobs[label], **({} if max_retries is None else {"max_retries": max_retries})))

    results, task = ansible_runner.run_cases(cases)

    for label, (fault, times, _max_retries) in faults.items():
        item = results[label]
        assert item.get("failed") is not True, (label, item)
        assert item["job"]["id"] == jobs[label] and item["job"]["status"] == "Completed", item
        # The faulty attempts, then the answer: all within one poll.
        assert item["polls"] == 1, item
        assert _statuses(emulator, jobs[label]) == [fault.get("status")] * times + [200], label
    assert emulator.faults() == []
    warnings = retry_warnings(task)
    assert len(warnings) == len(faults), warnings
    for status, code in (("500", ""), ("502", ""), ("503", " APIGW.0203"), ("504", "")):
        assert "Huawei Cloud requests were retried 2 time(s): HTTP %s%s x2" % (status, code) in warnings, warnings
    assert warnings.count("Huawei Cloud requests were retried 2 time(s): HTTP 503 APIGW.0203 x2") == 2, warnings
    assert any(warning.startswith("Huawei Cloud requests were retried 2 time(s): connection failed") for warning in warnings), warnings
    assert any(warning.startswith("Huawei Cloud requests were retried 1 time(s): connection failed") for warning in warnings), warnings


def test_retries_run_out(ansible_runner, emulator):
    unavailable, dropped = emulator.post_job()["id"], emulator.post_job()["id"]
    fault_on(emulator, unavailable, count=3, **UNAVAILABLE)
    fault_on(emulator, dropped, count=2, drop=True)

    results, task = ansible_runner.run_cases([token_case(emulator, "503", job_id=unavailable, max_retries=1),
                                              token_case(emulator, "drop", job_id=dropped, max_retries=1)])

    msg = results["503"]["msg"]
    first, second = job_requests(emulator, unavailable)
    assert (first["status"], second["status"]) == (503, 503)
    assert msg == "HTTP 503 APIGW.0203: Service unavailable. (request id %s) (gave up after 2 attempts)" % second["request_id"], msg
    # Exactly max_retries + 1 attempts: the third fault was never consumed.
    assert [fault["remaining"] for fault in emulator.faults()] == [1]
    msg = results["drop"]["msg"]
    assert msg.startswith("GET %s%s: " % (emulator.url, job_path(dropped))), msg
    assert "connection" in msg.lower() and msg.endswith("(gave up after 2 attempts)"), msg
    assert _statuses(emulator, dropped) == [None, None]
    warnings = retry_warnings(task)
    assert warnings[0] == "Huawei Cloud requests were retried 1 time(s): HTTP 503 APIGW.0203 x1", warnings
    assert warnings[1].startswith("Huawei Cloud requests were retried 1 time(s): connection failed"), warnings


def test_retries_as_a_human_sees_them(ansible_runner, emulator):
    throttled, burst = emulator.post_job()["id"], emulator.post_job()["id"]
    fault_on(emulator, throttled, headers={"Retry-After": "1"}, **THROTTLED)
    fault_on(emulator, burst, status=502, body=HTML_502)
    fault_on(emulator, burst, status=504, json={"error_code": "APIGW.0204", "error_msg": "Backend timeout.", "request_id": None})
    fault_on(emulator, burst, **UNAVAILABLE)
    cases = [token_case(emulator, "throttled", job_id=throttled), token_case(emulator, "burst", job_id=burst, max_retries=1)]

    # The default callback, as a user sees it.
    run = ansible_runner.run(ansible_runner.cases_command(cases), json_output=False)

    assert run.rc == 0, run  # the playbook ignores the errors
    assert "ok: [localhost] => (item=throttled)" in run.stdout, run
    assert "[WARNING]: Huawei Cloud requests were retried 1 time(s): HTTP 429 APIGW.0308 x1" in run.output, run
    first, second = job_requests(emulator, throttled)
    assert (first["status"], second["status"]) == (429, 200)
    # Retry-After: 1 was honoured (a lower bound on behaviour, not a speed check).
    assert second["epoch"] - first["epoch"] >= 0.9
    first, second = job_requests(emulator, burst)
    assert (first["status"], second["status"]) == (502, 504)
    assert "failed: [localhost] (item=burst)" in run.stdout, run
    # The last error and its request id; the earlier 502 is only in the retry warning.
    failure = run.stdout.split("failed: [localhost] (item=burst)", 1)[1].split("[WARNING]")[0]
    assert "HTTP 504 APIGW.0204: Backend timeout. (request id %s) (gave up after 2 attempts)" % second["request_id"] in failure, run
    assert "HTTP 502" not in failure, run
    assert "[WARNING]: Huawei Cloud requests were retried 1 time(s): HTTP 502 x1" in run.output, run
    # max_retries=1: the third fault was never requested.
    assert [fault["status"] for fault in emulator.faults()] == [503]


def test_answers_slower_than_api_timeout(ansible_runner, emulator):
    slow_once, slow_always = emulator.post_job()["id"], emulator.post_job()["id"]
    fault_on(emulator, slow_always, count=2, delay=3)
    fault_on(emulator, slow_once, count=1, delay=3)

    results, task = ansible_runner.run_cases([token_case(emulator, "always", job_id=slow_always, api_timeout=1, max_retries=1),
                                              token_case(emulator, "once", job_id=slow_once, api_timeout=1, max_retries=1)])

    failed = results["always"]
    assert failed["failed"] is True
    url = emulator.url + job_path(slow_always)
    assert failed["msg"] == "GET %s: no complete answer within the api_timeout (1 s) (gave up after 2 attempts)" % url
    assert [entry["fault"]["delay"] for entry in job_requests(emulator, slow_always)] == [3, 3]
    recovered = results["once"]
    assert recovered.get("failed") is not True, recovered
    assert recovered["job"]["status"] == "Completed"
    attempts = job_requests(emulator, slow_once)
    assert len(attempts) == 2 and "fault" in attempts[0] and "fault" not in attempts[1], attempts
    assert retry_warnings(task) == ["Huawei Cloud requests were retried 1 time(s): no complete answer within the api_timeout (1 s) x1"] * 2


def test_throttling_with_and_without_retry_after(ansible_runner, emulator):
    with_header, without_header = emulator.post_job()["id"], emulator.post_job()["id"]
    fault_on(emulator, with_header, headers={"Retry-After": "2"}, **THROTTLED)
    fault_on(emulator, without_header, **THROTTLED)

    results, task = ansible_runner.run_cases([token_case(emulator, "retry-after", job_id=with_header, max_retries=1),
                                              token_case(emulator, "no-retry-after", job_id=without_header, max_retries=1)])

    for label, job in (("retry-after", with_header), ("no-retry-after", without_header)):
        assert results[label].get("failed") is not True, results[label]
        assert results[label]["job"]["id"] == job
        assert _statuses(emulator, job) == [429, 200]
    first, second = job_requests(emulator, with_header)
    # Retry-After: 2 was honoured: the backoff alone would have come back within a second.
    assert second["epoch"] - first["epoch"] >= 1.9, (first, second)
    assert retry_warnings(task) == ["Huawei Cloud requests were retried 1 time(s): HTTP 429 APIGW.0308 x1"] * 2


def test_rate_limit_during_a_wait(ansible_runner, emulator, await_request):
    # The emulator's own per-credential limit: the third request within 3 s is refused with Retry-After.
    emulator.set_ratelimit(2, window=3)
    job = emulator.post_job(duration=3600)["id"]
    cases = [token_case(emulator, "rate-limited", job_id=job, wait=True, wait_interval=1, wait_timeout=60)]

    started = ansible_runner.start(ansible_runner.cases_command(cases))
    await_request(lambda entry: entry["status"] == 200)
    emulator.post_job(id=job, duration=2.5)
    results, task = case_results(ansible_runner.finish(started), cases)

    item = results["rate-limited"]
    assert item.get("failed") is not True, item
    assert item["job"]["status"] == "Completed"
    statuses = _statuses(emulator, job)
    assert 429 in statuses and statuses[-1] == 200, statuses
    assert "HTTP 429 APIGW.0308 x%d" % statuses.count(429) in retry_warnings(task)[0]
    # Throttled requests are retries inside one poll, not extra polls.
    assert item["polls"] == statuses.count(200)


def test_gateway_pages_are_summarised(ansible_runner, emulator):
    long_page = "<html><body>" + "<p>upstream connect error or disconnect/reset before headers</p>" * 20 + "</body></html>"
    pages = {"html": HTML_502, "long-html": long_page, "empty": ""}
    jobs = {label: emulator.post_job()["id"] for label in pages}
    for label, body in pages.items():
        fault_on(emulator, jobs[label], count=2, status=502, body=body)

    results, _task = ansible_runner.run_cases([token_case(emulator, label, job_id=jobs[label], max_retries=1) for label in pages])

    for label in pages:
        item = results[label]
        assert item["failed"] is True
        request_id = job_requests(emulator, jobs[label])[-1]["request_id"]
        assert item["msg"].endswith("(request id %s) (gave up after 2 attempts)" % request_id), item["msg"]
    assert results["html"]["msg"].startswith("HTTP 502: non-JSON response: 502 Bad Gateway (request id"), results["html"]["msg"]
    summary = results["long-html"]["msg"]
    assert summary.startswith("HTTP 502: non-JSON response: upstream connect error or disconnect/reset before headers upstream"), summary
    assert "<" not in summary and "..." in summary and len(summary) < 400, summary
    assert results["empty"]["msg"].startswith("HTTP 502: empty response body (request id"), results["empty"]["msg"]


def test_unusable_success_answers(ansible_runner, emulator):
    answers = {
        "html": ({"body": "<html><title>Welcome</title></html>"}, "unexpected answer from DDM: expected a JSON object, got non-JSON response: Welcome"),
        "text": ({"body": "OK"}, "unexpected answer from DDM: expected a JSON object, got non-JSON response: OK"),
        "json-list": ({"json": []}, "unexpected answer from DDM: expected a JSON object, got a JSON array"),
        "no-job": ({"json": {"jobs": []}}, "unexpected answer from DDM: job is null, expected an object"),
        "job-without-status": ({"json": {"job": {"id": "x"}}}, "unexpected answer from DDM: job.status is null, expected a non-empty string"),
    }
    jobs = {label: emulator.post_job()["id"] for label in answers}
    for label, (spec, _message) in answers.items():
        fault_on(emulator, jobs[label], status=200, **spec)

    results, task = ansible_runner.run_cases([token_case(emulator, label, job_id=jobs[label]) for label in answers])

    for label, (_spec, message) in answers.items():
        item = results[label]
        assert item["failed"] is True, (label, item)
        assert item["msg"].startswith(message), (label, item["msg"])
        assert "job" not in item, item
        # A 200 is never retried; its request id is named like any other failure's.
        (entry,) = job_requests(emulator, jobs[label])
        assert item["msg"].endswith("(request id %s)" % entry["request_id"]), (label, item["msg"])
    assert results["text"]["msg"] == "%s (request id %s)" % (answers["text"][1], job_requests(emulator, jobs["text"])[0]["request_id"])
    assert retry_warnings(task) == []


def test_error_bodies_surface_code_message_and_request_id(ansible_runner, emulator):
    # (fault, message without the request id); none of them is retried.
    shapes = {
        "gateway": ({"status": 403, "json": {"error_code": "APIGW.0302", "error_msg": "The IAM user is not authorized.", "request_id": None}},
                    "HTTP 403 APIGW.0302: The IAM user is not authorized."),
        "ddm-v3": ({"status": 400, "json": {"error_code": "DBS.280001", "error_msg": "Invalid parameter: job_id."}},
                   "HTTP 400 DBS.280001: Invalid parameter: job_id."),
        "ddm-v1": ({"status": 409, "json": {"errCode": "DBS.200019", "externalMessage": "The instance is being modified."}},
                   "HTTP 409 DBS.200019: The instance is being modified."),
        "iam": ({"status": 401, "json": {"error": {"code": 401, "message": "The token has expired.", "title": "Unauthorized"}}},
                "HTTP 401: The token has expired."),
        # max_retries=0 below: a retryable status shows its body just the same.
        "html": ({"status": 502, "body": HTML_502}, "HTTP 502: non-JSON response: 502 Bad Gateway"),
        "empty": ({"status": 405}, "HTTP 405: empty response body"),
    }
    jobs = {label: emulator.post_job()["id"] for label in shapes}
    for label, (fault, _message) in shapes.items():
        fault_on(emulator, jobs[label], **fault)
    # The IAM shape as the password login gets it.
    emulator.add_fault(method="POST", path="^/v3/auth/tokens$", status=401,
                       json={"error": {"code": 401, "message": "The password has expired.", "title": "Unauthorized"}})
    login, elsewhere = emulator.post_job()["id"], emulator.post_job()["id"]
    unknown = "ff8080817b7e5a8a017b7e6dffffffff"
    cases = [token_case(emulator, label, job_id=jobs[label], max_retries=0) for label in shapes]
    cases += [
        {"case": "iam-login", "job_id": login, "endpoint": emulator.url, "iam_endpoint": emulator.url, "region": REGION,
         "user_name": USER_NAME, "password": USER_PASSWORD, "domain_name": DOMAIN_NAME},
        # DDM answers 400 DBS.300400 for an unknown job: not retried (inside a wait, a fresh task gets a grace period:
        # see test_ddm_api_behaviour.py).
        token_case(emulator, "unknown-job", job_id=unknown),
        # A gateway 404 for a wrong base path is not a missing job.
        token_case(emulator, "wrong-endpoint-path", job_id=elsewhere, endpoint=emulator.url + "/ddm"),
    ]

    results, _task = ansible_runner.run_cases(cases)

    for label, (fault, message) in shapes.items():
        (entry,) = job_requests(emulator, jobs[label])
        assert entry["status"] == fault["status"]
        assert results[label]["msg"] == "%s (request id %s)" % (message, entry["request_id"]), results[label]["msg"]
    (entry,) = emulator.api_requests("/v3/auth/tokens")
    assert entry["status"] == 401
    assert results["iam-login"]["msg"] == "IAM password login failed: HTTP 401: The password has expired. (request id %s)" % entry["request_id"]
    assert job_requests(emulator, login) == []
    assert results["unknown-job"]["msg"] == "job %s not found in project %s" % (unknown, PROJECT_ID)
    assert "job" not in results["unknown-job"]
    assert _statuses(emulator, unknown) == [400]
    (entry,) = emulator.api_requests("/ddm" + job_path(elsewhere))
    assert entry["status"] == 404
    assert "APIGW.0101" in results["wrong-endpoint-path"]["msg"] and entry["request_id"] in results["wrong-endpoint-path"]["msg"]
    assert "not found" not in results["wrong-endpoint-path"]["msg"]


def test_token_revoked_during_a_wait_is_renewed_once(ansible_runner, emulator, await_request):
    job = emulator.post_job(duration=3600)["id"]
    cases = [{"case": "revoked", "job_id": job, "wait": True, "wait_interval": 1, "wait_timeout": 60, "endpoint": emulator.url,
              "iam_endpoint": emulator.url, "region": REGION, "user_name": USER_NAME, "password": USER_PASSWORD, "domain_name": DOMAIN_NAME}]

    started = ansible_runner.start(ansible_runner.cases_command(cases))
    await_request(lambda entry: entry["path"] == job_path(job) and entry["status"] == 200)
    assert emulator.revoke_issued_tokens() == 1
    # Once the module has been refused, let the job finish.
    await_request(lambda entry: entry["path"] == job_path(job) and entry["status"] == 401)
    emulator.post_job(id=job, duration=1)
    item = case_results(ansible_runner.finish(started), cases)[0]["revoked"]

    assert item.get("failed") is not True, item
    assert item["job"]["status"] == "Completed"
    calls = [(entry["method"], entry["path"], entry["status"]) for entry in emulator.requests_log()]
    logins = [index for index, call in enumerate(calls) if call == ("POST", "/v3/auth/tokens", 201)]
    assert len(logins) == 2, calls
    # The refused poll is followed by the second login, then by the same poll with the new token.
    refused = calls.index(("GET", job_path(job), 401))
    assert logins[1] == refused + 1, calls
    assert calls[refused + 2] == ("GET", job_path(job), 200), calls
    assert calls[-1] == ("GET", job_path(job), 200)
    assert emulator.info()["tokens_issued"] == 2


def test_aksk_clock_skew_is_explained(ansible_runner, emulator):
    job = emulator.post_job()["id"]
    emulator.set_clock_skew(1800)

    results, task = ansible_runner.run_cases([{"case": "skew", "job_id": job, "endpoint": emulator.url, "project_id": PROJECT_ID,
                                               "access_key": ACCESS_KEY, "secret_key": SECRET_KEY}])

    msg = results["skew"]["msg"]
    (entry,) = emulator.requests_log()
    assert (entry["auth"], entry["status"]) == ("aksk", 401)
    assert msg.startswith("HTTP 401 APIGW.0301: "), msg
    assert "(request id %s)" % entry["request_id"] in msg, msg
    assert "This machine's clock is 30 minutes behind the server's" in msg, msg
    assert "rejected beyond 15 minutes" in msg, msg
    assert retry_warnings(task) == []


def test_hostile_answers_fail_cleanly(ansible_runner, emulator):
    """Answers no real API would give: each one once crashed the module (a MODULE FAILURE with a traceback)."""
    jobs = {}

    def job_answer(label, job, **spec):
        jobs[label] = emulator.post_job(outcome="Failed")["id"]
        fault_on(emulator, jobs[label], status=200, json={"job": dict(job, id=jobs[label])}, **spec)

    job_answer("status-list", {"status": ["Running"]})
    job_answer("status-dict", {"status": {"value": "Running"}})
    job_answer("instance-string", {"status": "Running", "instance": "ddm-1"})
    job_answer("created-time-int", {"status": "Failed", "created_time": 1704067200})
    jobs["nested-100k"] = emulator.post_job()["id"]
    fault_on(emulator, jobs["nested-100k"], status=200, body="[" * 100_000)
    jobs["50-MB"] = emulator.post_job()["id"]
    fault_on(emulator, jobs["50-MB"], pad_to=50 * 1024 * 1024)
    # A valid answer whose failed task was created in year 1: the failure-reason lookup must not overflow.
    jobs["created-year-1"] = emulator.post_job(outcome="Failed", fail_reason="disk full")["id"]
    fault_on(emulator, jobs["created-year-1"], status=200, json={"job": {"id": jobs["created-year-1"], "status": "Failed", "name": "X",
                                                                         "created_time": "0001-01-01T00:00:00+0000"}})
    expected = {
        "status-list": "job.status is an array, expected a non-empty string",
        "status-dict": "job.status is an object, expected a non-empty string",
        "instance-string": "job.instance is a string, expected an object",
        "created-time-int": "job.created_time is a number, expected a string",
        "nested-100k": "expected a JSON object, got JSON nested too deeply",
        "50-MB": "the answer is larger than 8 MiB, the most this client reads",
    }
    cases = [token_case(emulator, label, job_id=job_id, wait=True, wait_timeout=30) for label, job_id in jobs.items()]

    results = ansible_runner.run_cases(cases)[0]

    for label, what in expected.items():
        (entry,) = job_requests(emulator, jobs[label])
        assert results[label]["msg"] == "unexpected answer from DDM: %s (request id %s)" % (what, entry["request_id"]), results[label]
    item = results["created-year-1"]
    assert item["msg"] == "DDM job %s (X) ended with status Failed: disk full" % jobs["created-year-1"], item


def test_hostile_list_answers_fail_cleanly(ansible_runner, emulator):
    pages = {
        "jobs-string": ({"offset": 0, "limit": 128, "total": 1, "jobs": "none"}, "jobs is a string, expected an array"),
        "jobs-ints": ({"offset": 0, "limit": 128, "total": 2, "jobs": [1, 2]}, "jobs[0] is a number, expected an object"),
        "total-text": ({"offset": 0, "limit": 128, "total": "many", "jobs": []}, "total is a string, expected a count"),
    }
    cases = []
    for label, (page, _what) in pages.items():
        emulator.add_fault(method="GET", path="/jobs$", status=200, json=page)
        cases.append(token_case(emulator, label))

    results = ansible_runner.run_cases(cases)[0]

    for label, (_page, what) in pages.items():
        assert results[label]["msg"].startswith("unexpected answer from DDM: %s (request id " % what), results[label]


def test_error_pages_are_summarised_cheaply_and_briefly(ansible_runner, emulator):
    """A 200 KB page of '<' once took 24 s of CPU per attempt (quadratic regexes), holding a 3 s wait for 50 s."""
    job = emulator.post_job(duration=3600)["id"]
    fault_on(emulator, job, count=100, status=502, body="<" * 200_000)

    results = ansible_runner.run_cases([token_case(emulator, "angle-brackets", job_id=job, wait=True, wait_timeout=3, wait_interval=1)])[0]

    item = results["angle-brackets"]
    assert item["failed"] is True and item["elapsed"] <= 3.5, item
    last = job_requests(emulator, job)[-1]
    assert item["msg"].endswith("the last poll got no answer: HTTP 502: non-JSON response: markup only (request id %s)" % last["request_id"]), item
    assert "<" not in item["msg"] and len(item["msg"]) < 400


def test_throttling_outside_a_wait_counts_against_max_retries(ansible_runner, emulator):
    """Without wait, six 429 answers were once all retried although max_retries was 1."""
    job = emulator.post_job()["id"]
    fault_on(emulator, job, count=6, headers={"Retry-After": "0"}, **THROTTLED)

    results, task = ansible_runner.run_cases([token_case(emulator, "throttled", job_id=job, max_retries=1)])

    assert results["throttled"]["msg"].endswith("(gave up after 2 attempts)"), results["throttled"]
    assert _statuses(emulator, job) == [429, 429]
    assert retry_warnings(task) == ["Huawei Cloud requests were retried 1 time(s): HTTP 429 APIGW.0308 x1"]
