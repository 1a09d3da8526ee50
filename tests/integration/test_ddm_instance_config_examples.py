# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ddm_instance_config's ansible-doc examples run as pasted, and examples/configure_parameters.yml as shipped, against the emulator."""

from __future__ import annotations

import os

from ddm_instance_config_cases import control_parameters, ready_instance, restart_path, writes  # pylint: disable=import-error
from harness.emulator import ACCESS_KEY, SECRET_KEY  # pylint: disable=import-error
from test_doc_examples import guide_snippet, module_examples, ran, run_tasks  # pylint: disable=import-error

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "examples")


def test_module_examples_tune_restart_and_leave_a_restart_for_later(ansible_runner, emulator, tmp_path):
    instance_id = ready_instance(emulator)
    run = run_tasks(ansible_runner, emulator, tmp_path, module_examples("ddm_instance_config"), {"ddm_instance_id": instance_id})
    assert run.rc == 0, run
    tuned = ran(run, "Log queries slower than half a second, and allow more connections")[0]
    assert tuned["changed"] and tuned["parameters"]["long_query_time"] == "0.5" and tuned["parameters"]["sql_audit"] == "ON"
    assert "long_query_time" in ran(run, "Show what changed")[0]["msg"]
    charset = ran(run, "Change the character set, and restart the instance so that it takes effect")[0]
    assert charset["restarted"] is True and charset["job"]["status"] == "Completed"
    later = ran(run, "Change a parameter that needs a restart, but leave the restart for a maintenance window")[0]
    assert later["restart_required"] is True and later["restarted"] is False
    window = ran(run, "Restart in the maintenance window, when the last run left one to do")[0]
    assert window["changed"] is True and window["job"]["name"] == "RestartInstance"
    assert [path for method, path, _status in writes(emulator) if method == "POST"] == [restart_path(instance_id)] * 2
    shown = control_parameters(emulator, instance_id)
    assert shown["pending"] == [] and shown["parameters"]["max_backend_connections"]["effective"] == "2000"


def test_user_guide_examples_tune_and_restart(ansible_runner, emulator, tmp_path):
    instance_id = ready_instance(emulator)
    tasks = guide_snippet("Tune the instance, and restart it if a changed parameter needs it") \
        + guide_snippet("Restart the instance and wait until its restart task has completed")
    run = run_tasks(ansible_runner, emulator, tmp_path, tasks, {"ddm_instance_id": instance_id})
    assert run.rc == 0, run
    tuned = ran(run, "Tune the instance, and restart it if a changed parameter needs it")[0]
    assert tuned["restarted"] is True and tuned["parameters"]["character_set_server"] == "utf8"
    assert "(restarted: True)" in ran(run, "Show what changed")[0]["msg"]
    restart = ran(run, "Restart the instance and wait until its restart task has completed")[0]
    assert ran(run, "Show the restart's task")[0]["msg"] == "%s ended Completed" % restart["job_id"]
    assert [path for method, path, _status in writes(emulator) if method == "POST"] == [restart_path(instance_id)] * 2


def example_vars(emulator, **extra):
    return dict(hw_ddm_endpoint=emulator.url, hw_iam_endpoint=emulator.url, ddm_wait_timeout=60, **extra)


def test_configure_parameters_example_sets_once_and_restarts_only_when_allowed(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    playbook = os.path.join(EXAMPLES, "configure_parameters.yml")
    env = {"HW_ACCESS_KEY": ACCESS_KEY, "HW_SECRET_KEY": SECRET_KEY}
    first = ansible_runner.playbook(playbook, example_vars(emulator, ddm_instance_id=instance_id), env=env)
    configured = first.result("Set the parameters and wait until they took")
    assert configured["changed"] is True, configured.get("msg")
    assert configured["restart_required"] is True and configured["restarted"] is False
    assert set(configured["changed_parameters"]) == {"long_query_time", "max_connections", "sql_audit", "max_backend_connections"}
    assert "a restart is still needed" in first.result("Report what changed")["msg"]
    assert [method for method, _path, _status in writes(emulator)] == ["PUT"]

    second = ansible_runner.playbook(playbook, example_vars(emulator, ddm_instance_id=instance_id), env=env)
    assert second.result("Set the parameters and wait until they took")["changed"] is False
    assert [method for method, _path, _status in writes(emulator)] == ["PUT"]

    allowed = ansible_runner.playbook(playbook, example_vars(emulator, ddm_instance_id=instance_id, ddm_allow_restart=True,
                                                             ddm_parameters={"collation_server": "utf8mb4_bin"}), env=env)
    restarted = allowed.result("Set the parameters and wait until they took")
    assert restarted["restarted"] is True and "restarted (task %s)" % restarted["job_id"] in allowed.result("Report what changed")["msg"]
    assert control_parameters(emulator, instance_id)["pending"] == []
