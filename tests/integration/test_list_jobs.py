# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Without job_id the module lists tasks; with instance_id it refuses to report on another instance's task."""

from __future__ import annotations

from harness.emulator import ACCESS_KEY, PROJECT_ID, SECRET_KEY  # pylint: disable=import-error

TASK = "Get the DDM job"
LIST_PATH = "/v3/%s/jobs" % PROJECT_ID
DAY_MS = 24 * 3600 * 1000


def _aksk_vars(emulator):
    return {"hw_endpoint": emulator.url, "hw_project_id": PROJECT_ID, "hw_access_key": ACCESS_KEY, "hw_secret_key": SECRET_KEY}


def test_list_filters_by_status_and_name(ansible_runner, emulator):
    wanted = emulator.post_job(name="EnlargeNode", outcome="Failed", fail_reason="No capacity.")
    emulator.post_job(name="EnlargeNode", outcome="Completed")
    emulator.post_job(name="RestartInstance", outcome="Failed")
    emulator.post_job(name="EnlargeNode", outcome="Failed", age=3 * 24 * 3600)  # outside the default 24 h window

    # AK/SK: the signed query string is checked by the official SDK signer.
    run = ansible_runner.playbook("job_info.yml", dict(_aksk_vars(emulator), ddm_status=["Failed"], ddm_name="EnlargeNode"))

    assert run.rc == 0, run
    jobs = run.result(TASK)["jobs"]
    assert [(job["id"], job["status"], job["fail_reason"]) for job in jobs] == [(wanted["id"], "Failed", "No capacity.")]
    (entry,) = emulator.requests_log()
    assert (entry["path"], entry["auth"], entry["status"]) == (LIST_PATH, "aksk", 200)
    params = entry["params"]
    assert (params["offset"], params["limit"]) == ("0", "128")
    assert int(params["end_time"]) - int(params["start_time"]) == DAY_MS


def test_list_reads_every_page(ansible_runner, emulator, token_vars):
    created = {emulator.post_job(name="loadMetadata")["id"] for _index in range(130)}

    run = ansible_runner.playbook("job_info.yml", dict(token_vars, ddm_name="loadMetadata"))

    assert run.rc == 0, run
    assert {job["id"] for job in run.result(TASK)["jobs"]} == created
    assert [entry["params"]["offset"] for entry in emulator.requests_log()] == ["0", "128"]


def test_list_rejects_a_window_beyond_retention(ansible_runner, emulator, token_vars):
    run = ansible_runner.playbook("job_info.yml", dict(token_vars, ddm_start_time="2020-01-01T00:00:00Z"))

    assert run.rc == 2, run
    assert "30 days" in run.result(TASK)["msg"]
    assert emulator.requests_log() == []


def test_wait_needs_a_job_id(ansible_runner, emulator, token_vars):
    run = ansible_runner.playbook("job_info.yml", dict(token_vars, ddm_wait=True))

    assert run.rc == 2, run
    assert run.result(TASK)["msg"] == "wait needs job_id: only a single task can be waited on"
    assert emulator.requests_log() == []


def test_instance_id_mismatch_fails_before_waiting(ansible_runner, emulator, token_vars):
    job = emulator.post_job(duration=3600, name="CreateInstance", instance={"id": "aaaa0000in09", "name": "ddm-a"})

    run = ansible_runner.playbook("job_info.yml", dict(token_vars, ddm_job_id=job["id"], ddm_instance_id="bbbb0000in09", ddm_wait=True))

    assert run.rc == 2, run
    msg = run.result(TASK)["msg"]
    assert job["id"] in msg and "aaaa0000in09" in msg and "bbbb0000in09" in msg, msg
    assert len(emulator.requests_log()) == 1
