# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's control API: reset, bulk jobs, the request log and its redaction, info, bad input."""

from __future__ import annotations

import json

import pytest
import requests

from emulator_calls import get_job, issue_token, list_url
from harness import emulator as harness
from harness.emulator import PROJECT_ID, STATIC_TOKEN
import signing


def test_reset_forgets_created_jobs(emulator):
    job = emulator.post_job()
    emulator.reset()
    assert get_job(emulator, job["id"]).status_code == 400


def test_bulk_job_creation(emulator):
    before = {job["id"] for job in emulator.jobs()}
    assert emulator.control("POST", "jobs/bulk", {"count": 250, "name": "ReduceNode", "outcome": "Completed"})["created"] == 250
    created = [job for job in emulator.jobs() if job["id"] not in before]
    assert len(created) == 250 and len({job["id"] for job in created}) == 250
    assert {(job["name"], job["status"]) for job in created} == {("ReduceNode", "Completed")}
    for bad in ({"count": 0}, {"count": "3"}, {"count": 2, "id": "x"}):
        with pytest.raises(harness.EmulatorError):
            emulator.control("POST", "jobs/bulk", bad)


def test_request_log_records_and_redacts(emulator):
    emulator.clear_requests()
    get_job(emulator, harness.DEMO_JOB_IDS["completed"])
    get_job(emulator, "x", token=None, aksk=(harness.TEMP_ACCESS_KEY, harness.TEMP_SECRET_KEY), project_id=PROJECT_ID,
            security_token=harness.SECURITY_TOKEN)
    signing.call("GET", list_url(emulator), {"start_time": 1, "end_time": 2})
    issue_token(emulator, {"project": {"id": PROJECT_ID}})
    log = emulator.requests_log()
    assert [entry["auth"] for entry in log] == ["token", "aksk", "none", "none"]
    assert [entry["status"] for entry in log] == [200, 400, 401, 201]
    assert log[1]["access_key"] == harness.TEMP_ACCESS_KEY
    assert log[2]["query"] == "start_time=1&end_time=2"
    assert log[0]["headers"]["X-Auth-Token"] == "***"
    assert log[1]["headers"]["Authorization"] == "***" and log[1]["headers"]["X-Security-Token"] == "***"
    dumped = json.dumps(log)
    for secret in (STATIC_TOKEN, harness.SECURITY_TOKEN, harness.TEMP_SECRET_KEY, harness.USER_PASSWORD):
        assert secret not in dumped
    for entry in log:
        assert {"time", "method", "path", "query", "auth", "status", "headers"} <= set(entry)


def test_info_reports_verifier(emulator, builtin_emulator):
    try:
        import huaweicloudsdkcore.signer.signer  # noqa: F401  pylint: disable=unused-import
        expected = "sdk"
    except ImportError:
        expected = "builtin"
    info = emulator.info()
    assert info["verifier"] == expected
    assert (info["project_id"], info["region"]) == (PROJECT_ID, harness.REGION)
    assert builtin_emulator.info()["verifier"] == "builtin"


@pytest.mark.parametrize("path,payload", [("jobs", "not json"), ("jobs", {"duration": "long"}), ("jobs", {"timeline": []}),
                                          ("clock", {"skew": "x"}), ("tokens", {"project_id": "p"}), ("projects", {"id": 1})])
def test_control_rejects_bad_input(emulator, path, payload):
    data = payload if isinstance(payload, str) else json.dumps(payload)
    response = requests.post("%s/_emulator/%s" % (emulator.url, path), data=data, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"]
