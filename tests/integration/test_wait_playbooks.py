# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wait=true: success, failure statuses, unknown statuses, timeouts, and a token revoked mid-wait."""

from __future__ import annotations

import pytest

from harness.emulator import DOMAIN_NAME, PROJECT_ID, REGION, USER_NAME, USER_PASSWORD  # pylint: disable=import-error

TASK = "Get the DDM job"
INSTANCE = {"id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0in09", "name": "ddm-payments"}


def _job_gets(emulator, job_id):
    return emulator.api_requests("/v3/%s/jobs/%s" % (PROJECT_ID, job_id))


def _run_then_finish_job(ansible_runner, emulator, await_request, command, job_id, **finish):
    """Run ``command`` and, once the module has seen the job in progress, script how the job ends.

    Ansible's start-up time varies with the machine's load, so a job that simply lasts a few
    seconds could already be over at the first poll. Re-creating the job under the same id once
    it has been read makes "seen in progress, then finished" certain.
    """
    started = ansible_runner.start(command)
    await_request(lambda entry: entry["path"].endswith("/jobs/" + job_id) and entry["status"] == 200)
    emulator.post_job(id=job_id, **finish)
    return ansible_runner.finish(started)


def test_wait_until_completed(ansible_runner, emulator, token_vars, await_request):
    job = emulator.post_job(duration=3600, instance=INSTANCE)
    command = ansible_runner.playbook_command("job_info.yml", dict(token_vars, ddm_job_id=job["id"], ddm_wait=True, ddm_wait_interval=1,
                                                                   ddm_wait_timeout=30))

    run = _run_then_finish_job(ansible_runner, emulator, await_request, command, job["id"], duration=1.5, outcome="Completed", instance=INSTANCE)

    assert run.rc == 0, run
    result = run.result(TASK)
    assert result["changed"] is False
    assert result["job"]["status"] == "Completed"
    assert result["job"]["process"] == ""
    assert result["job"]["end_time"]
    assert result["job"]["instance"] == INSTANCE
    assert result["polls"] > 1
    assert result["elapsed"] > 0
    gets = _job_gets(emulator, job["id"])
    assert len(gets) == result["polls"]
    assert all(entry["status"] == 200 for entry in gets)


def test_without_wait_a_failed_job_is_reported_not_failed(ansible_runner, emulator, token_vars):
    job = emulator.post_job(outcome="Failed", name="RestartInstance", fail_reason="The instance did not restart.")

    run = ansible_runner.playbook("job_info.yml", dict(token_vars, ddm_job_id=job["id"]))

    assert run.rc == 0, run
    result = run.result(TASK)
    assert result.get("failed") is not True
    assert result["job"]["status"] == "Failed"
    assert result["job"]["fail_reason"] == "The instance did not restart."
    assert result["polls"] == 1


@pytest.mark.parametrize("status, duration", [("Failed", 1), ("CancelSuccess", 0), ("RollbackSuccess", 0)])
def test_wait_fails_on_a_failure_status(ansible_runner, emulator, token_vars, await_request, status, duration):
    spec = dict(outcome=status, name="EnlargeNode", instance=INSTANCE, fail_reason="Node ddm-node-2 did not become ready.")
    job = emulator.post_job(duration=3600 if duration else 0, **spec)
    # The playbook rescues the failure and asserts on the registered result itself.
    command = ansible_runner.playbook_command("wait_failure.yml", dict(token_vars, ddm_job_id=job["id"], ddm_expected_status=status))

    if duration:
        run = _run_then_finish_job(ansible_runner, emulator, await_request, command, job["id"], duration=duration, **spec)
    else:
        run = ansible_runner.run(command)

    assert run.rc == 0, run
    assert run.data["stats"]["localhost"]["rescued"] == 1
    result = run.result("Wait for the DDM job")
    assert result["failed"] is True
    msg = result["msg"]
    assert msg.startswith("DDM job %s (EnlargeNode) on instance %s (%s) ended with status %s" % (job["id"], INSTANCE["name"], INSTANCE["id"], status)), msg
    # The single-task call has no failure reason; the module looks it up in the task list.
    assert msg.endswith(": Node ddm-node-2 did not become ready."), msg
    assert result["job"]["fail_reason"] == "Node ddm-node-2 did not become ready."
    assert result["job"]["status"] == status
    assert result["polls"] == len(_job_gets(emulator, job["id"]))
    assert result["polls"] >= (2 if duration else 1)
    assert "elapsed" in result
    assert run.result("Report the rescued job")["msg"] == "rescued %s %s" % (job["id"], status)


def test_wait_failure_as_a_human_sees_it(ansible_runner, emulator, token_vars):
    job = emulator.post_job(outcome="Failed", name="RestartInstance", instance=INSTANCE)

    run = ansible_runner.playbook("job_info.yml", dict(token_vars, ddm_job_id=job["id"], ddm_wait=True), json_output=False)

    assert run.rc == 2, run
    assert "fatal: [localhost]: FAILED! =>" in run.stdout, run
    assert "DDM job %s (RestartInstance) on instance %s (%s) ended with status Failed" % (job["id"], INSTANCE["name"], INSTANCE["id"]) in run.stdout
    assert "failed=1" in run.stdout


def test_unknown_status_keeps_waiting(ansible_runner, emulator, token_vars, await_request):
    # A status this collection has never heard of must count as "in progress".
    timeline = [{"at": 0, "status": "Rebalancing", "process": "10%"}, {"at": 1.5, "status": "Completed"}]
    job = emulator.post_job(timeline=timeline[:1])
    assert job["status"] == "Rebalancing"
    command = ansible_runner.playbook_command("job_info.yml", dict(token_vars, ddm_job_id=job["id"], ddm_wait=True, ddm_wait_interval=1,
                                                                   ddm_wait_timeout=30))

    run = _run_then_finish_job(ansible_runner, emulator, await_request, command, job["id"], timeline=timeline)

    assert run.rc == 0, run
    result = run.result(TASK)
    assert result["job"]["status"] == "Completed"
    assert result["polls"] >= 2
    assert len(_job_gets(emulator, job["id"])) == result["polls"]


def test_wait_timeout(ansible_runner, emulator, token_vars):
    job = emulator.post_job(duration=3600, name="migrateLogicDb", instance=INSTANCE)

    run = ansible_runner.playbook("job_info.yml", dict(token_vars, ddm_job_id=job["id"], ddm_wait=True, ddm_wait_interval=1,
                                                       ddm_wait_timeout=3))

    assert run.rc == 2, run
    result = run.result(TASK)
    msg = result["msg"]
    assert msg.startswith("Timed out after 3 s waiting for DDM job %s (migrateLogicDb)" % job["id"]), msg
    assert "last status Running, progress %s" % result["job"]["process"] in msg
    assert result["job"]["id"] == job["id"]
    assert result["job"]["status"] == "Running"
    assert result["polls"] >= 2
    assert result["elapsed"] >= 2
    assert len(_job_gets(emulator, job["id"])) == result["polls"]


def test_password_token_revoked_during_the_wait(ansible_runner, emulator, await_request):
    job = emulator.post_job(duration=3600)
    command = ansible_runner.playbook_command("job_info.yml", {
        "ddm_job_id": job["id"], "ddm_wait": True, "ddm_wait_interval": 1, "ddm_wait_timeout": 60, "hw_endpoint": emulator.url,
        "hw_iam_endpoint": emulator.url, "hw_region": REGION, "hw_user_name": USER_NAME, "hw_password": USER_PASSWORD,
        "hw_domain_name": DOMAIN_NAME})

    started = ansible_runner.start(command)
    await_request(lambda entry: "/jobs/" in entry["path"] and entry["status"] == 200)
    assert emulator.revoke_issued_tokens() == 1
    emulator.post_job(id=job["id"], duration=2)
    run = ansible_runner.finish(started)

    assert run.rc == 0, run
    assert run.result(TASK)["job"]["status"] == "Completed"
    calls = [(entry["method"], entry["path"].rsplit("/", 1)[-1], entry["status"]) for entry in emulator.requests_log()]
    rejected = calls.index(("GET", job["id"], 401))
    # One new login right after the rejection, then the wait went on with the new token.
    assert calls[rejected + 1] == ("POST", "tokens", 201), calls
    assert calls[rejected + 2] == ("GET", job["id"], 200), calls
    assert [call for call in calls if call[0] == "POST"] == [("POST", "tokens", 201)] * 2
    assert emulator.info()["tokens_issued"] == 2


def test_check_mode_gives_the_same_result(ansible_runner, emulator, token_vars):
    job = emulator.post_job(outcome="Failed", instance=INSTANCE)
    variables = dict(token_vars, ddm_job_id=job["id"])

    normal = ansible_runner.playbook("job_info.yml", variables)
    normal_calls = [(entry["method"], entry["path"], entry["status"]) for entry in emulator.requests_log()]
    emulator.clear_requests()
    checked = ansible_runner.playbook("job_info.yml", variables, check=True)

    assert normal.rc == checked.rc == 0, (normal, checked)
    for key in ("changed", "job", "polls"):
        assert checked.result(TASK)[key] == normal.result(TASK)[key], key
    assert checked.result(TASK)["job"]["status"] == "Failed"
    assert [(entry["method"], entry["path"], entry["status"]) for entry in emulator.requests_log()] == normal_calls
    assert normal_calls and all(method == "GET" for method, _path, _status in normal_calls)
