# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transient failures are retried (and reported as a warning); persistent ones fail clearly."""

from __future__ import annotations

TASK = "Get the DDM job"
UNAVAILABLE = {"status": 503, "json": {"error_code": "APIGW.0203", "error_msg": "Service unavailable.", "request_id": None}}
THROTTLED = {"status": 429, "json": {"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached.", "request_id": None},
             "headers": {"Retry-After": "1"}}


def _statuses(emulator):
    return [entry["status"] for entry in emulator.requests_log()]


def _warnings(result):
    return [warning for warning in result.get("warnings", []) if "retried" in warning]


def test_unavailable_twice_then_success(ansible_runner, emulator, token_vars):
    job = emulator.post_job()
    emulator.add_fault(count=2, method="GET", path="/jobs/", **UNAVAILABLE)

    run = ansible_runner.playbook("job_info.yml", dict(token_vars, ddm_job_id=job["id"]))

    assert run.rc == 0, run
    result = run.result(TASK)
    assert result["job"]["status"] == "Completed"
    assert _warnings(result) == ["Huawei Cloud requests were retried 2 time(s): HTTP 503 APIGW.0203 x2"]
    assert _statuses(emulator) == [503, 503, 200]


def test_throttled_with_retry_after_as_a_human_sees_it(ansible_runner, emulator, token_vars):
    job = emulator.post_job()
    emulator.add_fault(count=1, method="GET", path="/jobs/", **THROTTLED)

    run = ansible_runner.playbook("job_info.yml", dict(token_vars, ddm_job_id=job["id"]), json_output=False)

    assert run.rc == 0, run
    assert "ok: [localhost]" in run.stdout
    assert "[WARNING]: Huawei Cloud requests were retried 1 time(s): HTTP 429 APIGW.0308 x1" in run.output, run
    first, second = emulator.requests_log()
    assert (first["status"], second["status"]) == (429, 200)
    # Retry-After: 1 was honoured (a lower bound on behaviour, not a speed check).
    assert second["epoch"] - first["epoch"] >= 0.9


def test_rate_limit_during_a_wait(ansible_runner, emulator, token_vars, await_request):
    # The emulator's own per-credential limit: the third request within 3 s is refused with Retry-After.
    emulator.set_ratelimit(2, window=3)
    job = emulator.post_job(duration=3600)
    command = ansible_runner.playbook_command("job_info.yml", dict(token_vars, ddm_job_id=job["id"], ddm_wait=True, ddm_wait_interval=1,
                                                                   ddm_wait_timeout=60))

    started = ansible_runner.start(command)
    await_request(lambda entry: entry["status"] == 200)
    emulator.post_job(id=job["id"], duration=2.5)
    run = ansible_runner.finish(started)

    assert run.rc == 0, run
    result = run.result(TASK)
    assert result["job"]["status"] == "Completed"
    statuses = _statuses(emulator)
    assert 429 in statuses
    assert statuses[-1] == 200
    assert "HTTP 429 APIGW.0308 x%d" % statuses.count(429) in _warnings(result)[0]
    # Throttled requests are retries inside one poll, not extra polls.
    assert result["polls"] == statuses.count(200)


def test_gives_up_after_max_retries(ansible_runner, emulator, token_vars):
    job = emulator.post_job()
    emulator.add_fault(count=3, method="GET", path="/jobs/", **UNAVAILABLE)

    run = ansible_runner.playbook("job_info.yml", dict(token_vars, ddm_job_id=job["id"], hw_max_retries=1))

    assert run.rc == 2, run
    result = run.result(TASK)
    msg = result["msg"]
    first, second = emulator.requests_log()
    assert msg.startswith("HTTP 503 APIGW.0203: Service unavailable."), msg
    assert "(request id %s)" % second["request_id"] in msg, msg
    assert msg.endswith("(gave up after 2 attempts)"), msg
    assert (first["status"], second["status"]) == (503, 503)
    # The third fault was never consumed: exactly max_retries + 1 attempts.
    assert [fault["remaining"] for fault in emulator.faults()] == [1]
    assert _warnings(result) == ["Huawei Cloud requests were retried 1 time(s): HTTP 503 APIGW.0203 x1"]


def test_dropped_connection_is_retried(ansible_runner, emulator, token_vars):
    job = emulator.post_job()
    emulator.add_fault(count=1, method="GET", path="/jobs/", drop=True)

    run = ansible_runner.playbook("job_info.yml", dict(token_vars, ddm_job_id=job["id"]))

    assert run.rc == 0, run
    result = run.result(TASK)
    assert result["job"]["id"] == job["id"]
    assert _statuses(emulator) == [None, 200]
    (warning,) = _warnings(result)
    assert warning.startswith("Huawei Cloud requests were retried 1 time(s): ")


def test_dropped_connections_exhaust_retries(ansible_runner, emulator, token_vars):
    job = emulator.post_job()
    emulator.add_fault(count=2, method="GET", path="/jobs/", drop=True)

    run = ansible_runner.playbook("job_info.yml", dict(token_vars, ddm_job_id=job["id"], hw_max_retries=1))

    assert run.rc == 2, run
    msg = run.result(TASK)["msg"]
    assert msg.startswith("GET %s/v3/" % emulator.url), msg
    assert "connection" in msg.lower(), msg
    assert msg.endswith("(gave up after 2 attempts)"), msg
    assert _statuses(emulator) == [None, None]
