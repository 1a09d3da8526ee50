# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unknown job ids, and every documented error body shape, as the user sees them."""

from __future__ import annotations

import pytest

from harness.emulator import PROJECT_ID  # pylint: disable=import-error

TASK = "Get the DDM job"


def test_unknown_job(ansible_runner, emulator, token_vars):
    run = ansible_runner.playbook("job_info.yml", dict(token_vars, ddm_job_id="ff8080817b7e5a8a017b7e6dffffffff", ddm_wait=True))

    assert run.rc == 2, run
    result = run.result(TASK)
    assert result["msg"] == "job ff8080817b7e5a8a017b7e6dffffffff not found in project %s" % PROJECT_ID
    assert "job" not in result
    # DDM answers 400 DBS.300400 for an unknown job: one request, not retried.
    assert [(entry["path"], entry["status"]) for entry in emulator.requests_log()] == [
        ("/v3/%s/jobs/ff8080817b7e5a8a017b7e6dffffffff" % PROJECT_ID, 400)]


# (fault response, expected text in the message); the request id is checked separately.
ERROR_SHAPES = {
    "gateway": ({"status": 403, "json": {"error_code": "APIGW.0302", "error_msg": "The IAM user is not authorized.", "request_id": None}},
                "HTTP 403 APIGW.0302: The IAM user is not authorized."),
    "ddm-v3": ({"status": 400, "json": {"error_code": "DBS.280001", "error_msg": "Invalid parameter."}},
               "HTTP 400 DBS.280001: Invalid parameter."),
    "ddm-v1": ({"status": 409, "json": {"errCode": "DBS.200019", "externalMessage": "The instance is being modified."}},
               "HTTP 409 DBS.200019: The instance is being modified."),
    "iam": ({"status": 401, "json": {"error": {"code": 401, "message": "The token has expired.", "title": "Unauthorized"}}},
            "HTTP 401: The token has expired."),
    "html": ({"status": 502, "body": "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"},
             "HTTP 502: non-JSON response: 502 Bad Gateway"),
    "empty": ({"status": 405}, "HTTP 405: empty response body"),
}


@pytest.mark.parametrize("shape", sorted(ERROR_SHAPES))
def test_error_bodies_surface_code_message_and_request_id(ansible_runner, emulator, token_vars, shape):
    fault, expected = ERROR_SHAPES[shape]
    emulator.add_fault(method="GET", path="/jobs/", **fault)
    job = emulator.post_job()

    # No retries: a retryable status (502) must show its body just the same.
    run = ansible_runner.playbook("job_info.yml", dict(token_vars, ddm_job_id=job["id"], hw_max_retries=0))

    assert run.rc == 2, run
    msg = run.result(TASK)["msg"]
    (entry,) = emulator.requests_log()
    assert entry["status"] == fault["status"]
    assert expected in msg, msg
    assert "(request id %s)" % entry["request_id"] in msg, msg
    assert "gave up" not in msg, msg


def test_wrong_endpoint_path_is_not_reported_as_a_missing_job(ansible_runner, emulator, token_vars):
    job = emulator.post_job()

    run = ansible_runner.playbook("job_info.yml", dict(token_vars, ddm_job_id=job["id"], hw_endpoint=emulator.url + "/ddm"))

    assert run.rc == 2, run
    (entry,) = emulator.requests_log()
    assert entry["status"] == 404
    msg = run.result(TASK)["msg"]
    assert "APIGW.0101" in msg, msg
    assert entry["request_id"] in msg, msg
