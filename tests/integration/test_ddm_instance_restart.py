# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ddm_instance state: restarted against the emulator: restarts an existing instance and waits on the restart's task, never
creates one, reports a change on every run, sends nothing in check mode, waits for a busy instance, refuses other changes."""

from __future__ import annotations

import time

from cases import token_case  # pylint: disable=import-error
from ddm_instance_cases import instance_case, run_instance_cases  # pylint: disable=import-error
from ddm_instance_config_cases import (  # pylint: disable=import-error
    MODULE, assert_failed, assert_ok, config_case, configure_settings, control_parameters, fail_next, make_busy, ready_instance, restart_path,
    writes,
)

UNKNOWN = "0123456789abcdef0123456789abcdefin09"


def restarted(emulator, label, **options):
    return instance_case(emulator, label, state="restarted", **options)


def test_restarts_on_every_run_and_waits_on_the_task(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    configure_settings(emulator, restart_seconds=2)
    cases = [restarted(emulator, "first", instance_id=instance_id), restarted(emulator, "by-name", name="orders-ddm")]

    results = run_instance_cases(ansible_runner, cases)[0]

    for label in ("first", "by-name"):
        done = results[label]
        assert_ok(done, True)
        assert done["actions"] == ["restart"] and done["job_ids"] == [done["job_id"]]
        assert done["job"]["status"] == "Completed" and done["job"]["name"] == "RestartInstance" and done["job"]["id"] == done["job_id"]
        assert done["instance"]["id"] == instance_id and done["instance"]["status"] == "RUNNING"
    assert results["first"]["job_id"] != results["by-name"]["job_id"]
    assert writes(emulator) == [("POST", restart_path(instance_id), 202)] * 2
    assert emulator.instance(instance_id)["operation"] is None


def test_a_restart_puts_pending_parameter_values_into_effect(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    results = ansible_runner.run_cases([config_case(emulator, "set", instance_id=instance_id, parameters={"collation_server": "utf8mb4_bin"})],
                                       module=MODULE)[0]
    assert results["set"]["restart_required"] is True
    assert control_parameters(emulator, instance_id)["pending"] == ["collation_server"]
    results = run_instance_cases(ansible_runner, [restarted(emulator, "restart", instance_id=instance_id)])[0]
    assert_ok(results["restart"], True)
    assert control_parameters(emulator, instance_id)["pending"] == []


def test_a_missing_instance_fails_and_nothing_is_created(ansible_runner, emulator):
    ready_instance(emulator)
    cases = [restarted(emulator, "unknown-id", instance_id=UNKNOWN), restarted(emulator, "unknown-name", name="nobody-ddm")]
    results = run_instance_cases(ansible_runner, cases)[0]
    assert_failed(results["unknown-id"], "DDM instance %s does not exist" % UNKNOWN)
    assert_failed(results["unknown-name"], "DDM instance nobody-ddm does not exist; state=restarted never creates one")
    assert writes(emulator) == [] and len(emulator.instances()) == 1


def test_other_changes_fail_with_restarted_naming_them_before_any_request(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    cases = [restarted(emulator, "resize", instance_id=instance_id, flavor="ddm.c6.xlarge.2", node_num=4),
             restarted(emulator, "rename", instance_id=instance_id, name="other-ddm"),
             restarted(emulator, "password", name="orders-ddm", admin_password="Pw-Sekret-4711x", delete_data_nodes=True)]
    emulator.clear_requests()
    results = run_instance_cases(ansible_runner, cases)[0]
    assert_failed(results["resize"], "state=restarted only restarts the instance; it cannot change flavor, node_num: leave them out")
    assert_failed(results["rename"], "it cannot change name (with instance_id, a rename): leave it out")
    assert_failed(results["password"], "it cannot change admin_password, delete_data_nodes")
    assert emulator.requests_log() == []


def test_check_mode_sends_nothing_and_reports_a_change(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    results = run_instance_cases(ansible_runner, [restarted(emulator, "plan", instance_id=instance_id)], check=True)[0]
    assert_ok(results["plan"], True)
    assert results["plan"]["planned"] == ["restart"] and results["plan"]["actions"] == [] and results["plan"]["job_ids"] == []
    assert writes(emulator) == []


def test_a_busy_instance_is_waited_for_first_and_fails_without_wait(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    make_busy(emulator, instance_id, seconds=120, status="SET_CONFIGURATION")
    results = run_instance_cases(ansible_runner, [restarted(emulator, "no-wait", instance_id=instance_id, wait=False)])[0]
    assert_failed(results["no-wait"], "is SET_CONFIGURATION: another operation is under way; set wait: true")
    assert writes(emulator) == []

    busy_until = time.time() + 6
    make_busy(emulator, instance_id, seconds=6, status="BACKUP")
    results = run_instance_cases(ansible_runner, [restarted(emulator, "wait", instance_id=instance_id)])[0]
    assert_ok(results["wait"], True)
    [post] = [entry for entry in emulator.requests_log() if entry["method"] == "POST"]
    assert post["path"] == restart_path(instance_id) and post["status"] == 202 and post["epoch"] >= busy_until - 0.5


def test_a_failed_restart_fails_with_its_task(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    fail_next(emulator, "restart", fail_reason="The node did not come back.")
    results = run_instance_cases(ansible_runner, [restarted(emulator, "broken", instance_id=instance_id)])[0]
    assert_failed(results["broken"], "The node did not come back.")
    assert results["broken"]["job"]["status"] == "Failed" and results["broken"]["job_id"] and results["broken"]["changed"] is True


def test_without_wait_the_task_is_returned_not_awaited(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    configure_settings(emulator, restart_seconds=30)
    results = run_instance_cases(ansible_runner, [restarted(emulator, "fire", instance_id=instance_id, wait=False)])[0]
    assert_ok(results["fire"], True)
    assert results["fire"]["job_id"] and "job" not in results["fire"]
    assert emulator.instance(instance_id)["operation"]["operation"] == "restart"
    # ddm_instance_info shows the restart under way.
    listed = ansible_runner.run_cases([token_case(emulator, "info", instance_id=instance_id)], module="ddm_instance_info")[0]
    assert [item["status"] for item in listed["info"]["instances"]] == ["RESTARTING"]


def test_a_restart_whose_answer_was_lost_is_followed_not_sent_again(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    configure_settings(emulator, restart_seconds=2)
    emulator.add_fault(method="POST", path="/%s/restart$" % instance_id, apply=True, drop=True)
    results = run_instance_cases(ansible_runner, [restarted(emulator, "lost", instance_id=instance_id)])[0]
    lost = results["lost"]
    assert_ok(lost, True)
    assert lost["job"]["name"] == "RestartInstance" and lost["job"]["status"] == "Completed"
    assert any("The answer to the request to restart DDM instance orders-ddm (%s) was lost" % instance_id in warning
               for warning in lost["warnings"]), lost.get("warnings")
    assert [method for method, path, _status in writes(emulator) if path == restart_path(instance_id)] == ["POST"]
