# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Surviving faults: dropped connections, slow answers, throttling, 5xx bursts, odd bodies, revoked tokens, clock skew.

Several cases share one ansible-playbook run (``robust_cases.yml`` loops over them); each case reads
its own job and the emulator's faults match that job's path only, so cases cannot steal each
other's faults.
"""

from __future__ import annotations

from harness.emulator import ACCESS_KEY, DOMAIN_NAME, PROJECT_ID, REGION, SECRET_KEY, STATIC_TOKEN, USER_NAME, USER_PASSWORD  # pylint: disable=import-error

# Pipelining runs each module in one Python process instead of copying it to a temporary file first:
# the same module code, but loops over several cases finish sooner.
FAST = {"ANSIBLE_PIPELINING": "1"}
GATEWAY_503 = {"error_code": "APIGW.0203", "error_msg": "Service unavailable.", "request_id": None}
HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr>nginx</body></html>"


def _case(emulator, label, job_id, **options):
    return dict({"case": label, "job_id": job_id, "endpoint": emulator.url, "project_id": PROJECT_ID, "auth_token": STATIC_TOKEN}, **options)


def _job_path(job_id):
    return "/v3/%s/jobs/%s" % (PROJECT_ID, job_id)


def _fault_on(emulator, job_id, count=1, **spec):
    emulator.add_fault(count=count, method="GET", path="/jobs/%s$" % job_id, **spec)


def _log(emulator, job_id):
    return emulator.api_requests(_job_path(job_id))


def _retry_warnings(task):
    # Loop items' warnings are gathered on the task result.
    return [warning for warning in task.get("warnings", []) if warning.startswith("Huawei Cloud requests were retried")]


def test_bursts_within_max_retries_succeed(ansible_runner, emulator):
    faults = {
        "drop": {"drop": True},
        "500": {"status": 500, "json": {"error_code": "DBS.000001", "error_msg": "Internal error."}},
        "502": {"status": 502, "body": HTML_502},
        "503": {"status": 503, "json": GATEWAY_503},
        "504": {"status": 504, "body": ""},
    }
    jobs = {}
    for label, fault in faults.items():
        jobs[label] = emulator.post_job()["id"]
        _fault_on(emulator, jobs[label], count=2, **fault)

    results, task = ansible_runner.run_cases([_case(emulator, label, jobs[label], max_retries=2) for label in faults])

    for label, fault in faults.items():
        item = results[label]
        assert item.get("failed") is not True, (label, item)
        assert item["job"]["id"] == jobs[label] and item["job"]["status"] == "Completed", item
        assert item["polls"] == 1, item
        # Two faulty attempts, then the answer: all within one poll.
        statuses = [entry["status"] for entry in _log(emulator, jobs[label])]
        assert statuses == [fault.get("status"), fault.get("status"), 200], (label, statuses)
    assert emulator.faults() == []
    warnings = _retry_warnings(task)
    assert len(warnings) == len(faults), warnings
    for status, code in (("500", " DBS.000001"), ("502", ""), ("503", " APIGW.0203"), ("504", "")):
        assert "Huawei Cloud requests were retried 2 time(s): HTTP %s%s x2" % (status, code) in warnings, warnings
    assert any("retried 2 time(s): connection failed" in warning for warning in warnings), warnings


def test_burst_beyond_max_retries_fails_naming_the_last_error(ansible_runner, emulator):
    job = emulator.post_job()["id"]
    _fault_on(emulator, job, status=502, body=HTML_502)
    _fault_on(emulator, job, status=504, json={"error_code": "APIGW.0204", "error_msg": "Backend timeout.", "request_id": None})
    _fault_on(emulator, job, status=503, json=GATEWAY_503)

    # The default callback, as a user sees it.
    run = ansible_runner.playbook("robust_cases.yml", {"cases": [_case(emulator, "burst", job, max_retries=1)]}, env=FAST, json_output=False)

    assert run.rc == 0, run  # the playbook ignores the error
    first, second = _log(emulator, job)
    assert (first["status"], second["status"]) == (502, 504)
    assert "failed: [localhost] (item=burst)" in run.stdout, run
    assert "HTTP 504 APIGW.0204: Backend timeout. (request id %s) (gave up after 2 attempts)" % second["request_id"] in run.stdout, run
    assert "HTTP 502" not in run.stdout.split("failed: [localhost]", 1)[1].split("[WARNING]")[0], run
    assert "[WARNING]: Huawei Cloud requests were retried 1 time(s): HTTP 502 x1" in run.output, run
    # max_retries=1: the third fault was never requested.
    assert [fault["status"] for fault in emulator.faults()] == [503]


def test_answers_slower_than_api_timeout(ansible_runner, emulator):
    slow_once, slow_always = emulator.post_job()["id"], emulator.post_job()["id"]
    _fault_on(emulator, slow_always, count=2, delay=3)
    _fault_on(emulator, slow_once, count=1, delay=3)

    results, task = ansible_runner.run_cases([_case(emulator, "always", slow_always, api_timeout=1, max_retries=1),
                                              _case(emulator, "once", slow_once, api_timeout=1, max_retries=1)])

    failed = results["always"]
    assert failed["failed"] is True
    assert failed["msg"] == "GET %s%s: no response within the api_timeout (gave up after 2 attempts)" % (emulator.url, _job_path(slow_always))
    assert [entry["fault"]["delay"] for entry in _log(emulator, slow_always)] == [3, 3]
    recovered = results["once"]
    assert recovered.get("failed") is not True, recovered
    assert recovered["job"]["status"] == "Completed"
    attempts = _log(emulator, slow_once)
    assert len(attempts) == 2 and "fault" in attempts[0] and "fault" not in attempts[1], attempts
    assert _retry_warnings(task) == ["Huawei Cloud requests were retried 1 time(s): no response within the api_timeout x1"] * 2


def test_throttling_with_and_without_retry_after(ansible_runner, emulator):
    throttled = {"status": 429, "json": {"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached.", "request_id": None}}
    with_header, without_header = emulator.post_job()["id"], emulator.post_job()["id"]
    _fault_on(emulator, with_header, headers={"Retry-After": "2"}, **throttled)
    _fault_on(emulator, without_header, **throttled)

    results, task = ansible_runner.run_cases([_case(emulator, "retry-after", with_header, max_retries=1),
                                              _case(emulator, "no-retry-after", without_header, max_retries=1)])

    for label, job in (("retry-after", with_header), ("no-retry-after", without_header)):
        assert results[label].get("failed") is not True, results[label]
        assert results[label]["job"]["id"] == job
        assert [entry["status"] for entry in _log(emulator, job)] == [429, 200]
    first, second = _log(emulator, with_header)
    # Retry-After: 2 was honoured: the backoff alone would have come back within a second.
    assert second["epoch"] - first["epoch"] >= 1.9, (first, second)
    assert _retry_warnings(task) == ["Huawei Cloud requests were retried 1 time(s): HTTP 429 APIGW.0308 x1"] * 2


def test_gateway_pages_are_summarised(ansible_runner, emulator):
    long_page = "<html><body>" + "<p>upstream connect error or disconnect/reset before headers</p>" * 20 + "</body></html>"
    pages = {"html": HTML_502, "long-html": long_page, "empty": ""}
    jobs = {label: emulator.post_job()["id"] for label in pages}
    for label, body in pages.items():
        _fault_on(emulator, jobs[label], count=2, status=502, body=body)

    results, _task = ansible_runner.run_cases([_case(emulator, label, jobs[label], max_retries=1) for label in pages])

    for label in pages:
        item = results[label]
        assert item["failed"] is True
        request_id = _log(emulator, jobs[label])[-1]["request_id"]
        assert item["msg"].endswith("(request id %s) (gave up after 2 attempts)" % request_id), item["msg"]
    assert results["html"]["msg"].startswith("HTTP 502: non-JSON response: 502 Bad Gateway (request id"), results["html"]["msg"]
    summary = results["long-html"]["msg"]
    assert summary.startswith("HTTP 502: non-JSON response: upstream connect error or disconnect/reset before headers upstream"), summary
    assert "<" not in summary and "..." in summary and len(summary) < 400, summary
    assert results["empty"]["msg"].startswith("HTTP 502: empty response body (request id"), results["empty"]["msg"]


def test_unusable_success_answers(ansible_runner, emulator):
    answers = {
        "html": ({"body": "<html><title>Welcome</title></html>"}, "HTTP 200: expected a JSON object, got non-JSON response: Welcome"),
        "text": ({"body": "OK"}, "HTTP 200: expected a JSON object, got non-JSON response: OK"),
        "json-list": ({"json": []}, "HTTP 200: expected a JSON object"),
        "no-job": ({"json": {"jobs": []}}, "HTTP 200: the DDM answer carries no job with a status"),
        "job-without-status": ({"json": {"job": {"id": "x"}}}, "HTTP 200: the DDM answer carries no job with a status"),
    }
    jobs = {label: emulator.post_job()["id"] for label in answers}
    for label, (spec, _message) in answers.items():
        _fault_on(emulator, jobs[label], status=200, **spec)

    results, task = ansible_runner.run_cases([_case(emulator, label, jobs[label]) for label in answers])

    for label, (_spec, message) in answers.items():
        item = results[label]
        assert item["failed"] is True, (label, item)
        assert item["msg"].startswith(message), (label, item["msg"])
        assert "job" not in item, item
        # A 200 is never retried; its request id is named like any other failure's.
        (entry,) = _log(emulator, jobs[label])
        assert item["msg"].endswith("(request id %s)" % entry["request_id"]), (label, item["msg"])
    assert results["text"]["msg"] == "%s (request id %s)" % (answers["text"][1], _log(emulator, jobs["text"])[0]["request_id"])
    assert _retry_warnings(task) == []


def test_documented_error_bodies_surface_code_message_and_request_id(ansible_runner, emulator):
    shapes = {
        "gateway": (403, {"error_code": "APIGW.0302", "error_msg": "The IAM user is not authorized.", "request_id": None},
                    "HTTP 403 APIGW.0302: The IAM user is not authorized."),
        "ddm-v3": (400, {"error_code": "DBS.280001", "error_msg": "Invalid parameter: job_id."}, "HTTP 400 DBS.280001: Invalid parameter: job_id."),
        "ddm-v1": (409, {"errCode": "DBS.200019", "externalMessage": "The instance is being modified."},
                   "HTTP 409 DBS.200019: The instance is being modified."),
        "iam": (401, {"error": {"code": 401, "message": "The token has expired.", "title": "Unauthorized"}}, "HTTP 401: The token has expired."),
    }
    jobs = {label: emulator.post_job()["id"] for label in shapes}
    for label, (status, body, _message) in shapes.items():
        _fault_on(emulator, jobs[label], status=status, json=body)
    # The IAM shape as the password login gets it.
    emulator.add_fault(method="POST", path="^/v3/auth/tokens$", status=401,
                       json={"error": {"code": 401, "message": "The password has expired.", "title": "Unauthorized"}})
    login = emulator.post_job()["id"]
    cases = [_case(emulator, label, jobs[label]) for label in shapes]
    cases.append({"case": "iam-login", "job_id": login, "endpoint": emulator.url, "iam_endpoint": emulator.url, "region": REGION,
                  "user_name": USER_NAME, "password": USER_PASSWORD, "domain_name": DOMAIN_NAME})

    results, _task = ansible_runner.run_cases(cases)

    for label, (status, _body, message) in shapes.items():
        (entry,) = _log(emulator, jobs[label])
        assert entry["status"] == status
        assert results[label]["msg"] == "%s (request id %s)" % (message, entry["request_id"]), results[label]["msg"]
    (entry,) = emulator.api_requests("/v3/auth/tokens")
    assert entry["status"] == 401
    assert results["iam-login"]["msg"] == "IAM password login failed: HTTP 401: The password has expired. (request id %s)" % entry["request_id"]
    assert _log(emulator, login) == []


def test_token_revoked_during_a_wait_is_renewed_once(ansible_runner, emulator, await_request):
    job = emulator.post_job(duration=3600)["id"]
    case = {"case": "revoked", "job_id": job, "wait": True, "wait_interval": 1, "wait_timeout": 60, "endpoint": emulator.url,
            "iam_endpoint": emulator.url, "region": REGION, "user_name": USER_NAME, "password": USER_PASSWORD, "domain_name": DOMAIN_NAME}

    started = ansible_runner.start(ansible_runner.playbook_command("robust_cases.yml", {"cases": [case]}), env=FAST)
    await_request(lambda entry: entry["path"] == _job_path(job) and entry["status"] == 200)
    assert emulator.revoke_issued_tokens() == 1
    # Once the module has been refused, let the job finish.
    await_request(lambda entry: entry["path"] == _job_path(job) and entry["status"] == 401)
    emulator.post_job(id=job, duration=1)
    run = ansible_runner.finish(started)

    assert run.rc == 0, run
    item = run.result("Run each case")["results"][0]
    assert item.get("failed") is not True, item
    assert item["job"]["status"] == "Completed"
    calls = [(entry["method"], entry["path"], entry["status"]) for entry in emulator.requests_log()]
    logins = [index for index, call in enumerate(calls) if call == ("POST", "/v3/auth/tokens", 201)]
    assert len(logins) == 2, calls
    # The refused poll is followed by the second login, then by the same poll with the new token.
    refused = calls.index(("GET", _job_path(job), 401))
    assert logins[1] == refused + 1, calls
    assert calls[refused + 2][:2] == ("GET", _job_path(job)) and calls[refused + 2][2] == 200, calls
    assert calls[-1] == ("GET", _job_path(job), 200)
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
    assert _retry_warnings(task) == []
