# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``ansible localhost -m huaweicloud.cloud.ddm_job_info``: what an ad-hoc user gets."""

from __future__ import annotations

import json

from cases import job_path  # pylint: disable=import-error
from harness.emulator import PROJECT_ID, STATIC_TOKEN  # pylint: disable=import-error


def _token_args(emulator, job_id):
    return "job_id=%s endpoint=%s project_id=%s auth_token=%s" % (job_id, emulator.url, PROJECT_ID, STATIC_TOKEN)


def test_adhoc_prints_the_job_for_a_human(ansible_runner, emulator):
    job = emulator.post_job(name="CreateInstance", instance={"id": "inst0001in09", "name": "ddm-orders"})

    run = ansible_runner.adhoc(_token_args(emulator, job["id"]), json_output=False)

    assert run.rc == 0, run
    assert "localhost | SUCCESS => {" in run.stdout, run
    shown = json.loads(run.stdout[run.stdout.index("{"):])
    assert shown["changed"] is False
    assert shown["job"]["id"] == job["id"]
    assert shown["job"]["status"] == "Completed"
    assert shown["job"]["name"] == "CreateInstance"
    assert shown["job"]["instance"] == {"id": "inst0001in09", "name": "ddm-orders"}
    assert shown["polls"] == 1


def test_adhoc_json_result_and_request(ansible_runner, emulator):
    job = emulator.post_job(duration=600, name="EnlargeNode")

    run = ansible_runner.adhoc(_token_args(emulator, job["id"]))

    assert run.rc == 0, run
    result = run.result()
    assert result["changed"] is False
    assert "failed" not in result or result["failed"] is False
    assert result["job"]["id"] == job["id"]
    assert result["job"]["status"] == "Running"
    assert result["job"]["process"].endswith("%")
    requests = emulator.requests_log()
    assert [(r["method"], r["path"], r["auth"], r["status"]) for r in requests] == [
        ("GET", job_path(job["id"]), "token", 200)]
    assert requests[0]["headers"]["User-Agent"].startswith("huaweicloud.cloud/")


def test_adhoc_failure_is_readable(ansible_runner, emulator):
    run = ansible_runner.adhoc(_token_args(emulator, "nosuchjob0001"), json_output=False)

    assert run.rc == 2, run
    assert "localhost | FAILED! =>" in run.stdout, run
    assert "job nosuchjob0001 not found in project %s" % PROJECT_ID in run.stdout, run


def test_adhoc_check_mode(ansible_runner, emulator):
    job = emulator.post_job()

    run = ansible_runner.adhoc(_token_args(emulator, job["id"]), check=True)

    assert run.rc == 0, run
    assert run.result()["job"]["id"] == job["id"]
    assert run.result()["job"]["status"] == "Completed"
    assert [entry["path"] for entry in emulator.requests_log()] == [job_path(job["id"])]
