# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ddm_instance_config against the emulator: only what differs is sent, values are checked before writing, done means the
values took, restarts only when asked, busy instances, the deadline, check mode and --diff."""

from __future__ import annotations

import time

from ddm_instance_cases import RecordingProxy  # pylint: disable=import-error
from ddm_instance_config_cases import (  # pylint: disable=import-error
    MODULE, assert_failed, assert_ok, config_case, configurations_path, configure_settings, control_parameters, fail_next, make_busy,
    ready_instance, restart_path, seed_parameters, writes,
)


def run(ansible_runner, cases, **options):
    return ansible_runner.run_cases(cases, module=MODULE, **options)[0]


def effective(emulator, instance_id, name):
    shown = control_parameters(emulator, instance_id)["parameters"][name]
    return shown["value"], shown["effective"], shown["pending_restart"]


def test_only_what_differs_is_sent_in_one_request_and_a_second_run_sends_nothing(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    # 20000 and "20000" are the same value; long_query_time is already 1.
    wanted = {"max_connections": 30000, "long_query_time": "1", "sql_audit": "ON", "transaction_policy": "XA"}
    cases = [config_case(emulator, "change", instance_id=instance_id, parameters=wanted),
             config_case(emulator, "again", instance_name="orders-ddm", parameters=dict(wanted, max_connections="30000", long_query_time=1))]

    with RecordingProxy() as proxy:
        results = run(ansible_runner, cases, env=proxy.env())

    changed = results["change"]
    assert_ok(changed, True)
    assert changed["changed_parameters"] == {"max_connections": {"before": "20000", "after": "30000"}, "sql_audit": {"before": "OFF", "after": "ON"}}
    assert changed["parameters"]["max_connections"] == "30000" and changed["parameters"]["sql_audit"] == "ON"
    assert changed["parameters"]["long_query_time"] == "1" and len(changed["parameters"]) > 20
    assert (changed["restart_required"], changed["restarted"], changed["job_ids"]) == (False, False, [])
    # One request, with only the differences, as strings, through the recommended v3.1 call.
    assert [request["body"] for request in proxy.requests if request["method"] == "PUT"] == [
        {"values": {"max_connections": "30000", "sql_audit": "ON"}}]
    assert writes(emulator) == [("PUT", configurations_path(instance_id), 200)]
    assert effective(emulator, instance_id, "max_connections") == ("30000", "30000", False)

    again = results["again"]
    assert_ok(again, False)
    assert again["changed_parameters"] == {} and again["parameters"] == changed["parameters"]
    assert control_parameters(emulator, instance_id)["changes"] == [{"max_connections": "30000", "sql_audit": "ON"}]


def test_unknown_read_only_and_out_of_range_values_fail_before_any_write(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    wrong = {"no_such_parameter": "1", "ddm_version": "9.9", "max_connections": 5, "long_query_time": 11, "sql_audit": "maybe",
             "transaction_policy": "FREE"}
    cases = [config_case(emulator, "all-wrong", instance_id=instance_id, parameters=wrong),
             config_case(emulator, "unquoted-bool", instance_id=instance_id, parameters={"max_connections": True}),
             config_case(emulator, "unknown-instance", instance_id="0123456789abcdef0123456789abcdefin09", parameters={"sql_audit": "ON"}),
             config_case(emulator, "unknown-name", instance_name="nobody-ddm", parameters={"sql_audit": "ON"}),
             config_case(emulator, "both", instance_id=instance_id, instance_name="orders-ddm", parameters={"sql_audit": "ON"})]

    results = run(ansible_runner, cases)

    assert_failed(results["all-wrong"], "Cannot set the parameters of DDM instance orders-ddm (%s): " % instance_id,
                  "no_such_parameter is not a parameter of the instance (its parameters: bind_table, character_set_server,",
                  "ddm_version is read-only", "max_connections must be an integer from 10 to 40000, got '5' (value_range 10-40000)",
                  "long_query_time must be a number from 0.01 to 10, got '11' (value_range 0.01-10)",
                  "sql_audit must be one of OFF, ON, got 'maybe' (value_range OFF|ON)", "Nothing was changed")
    assert results["all-wrong"]["changed"] is False
    assert_failed(results["unquoted-bool"], "max_connections must be a string or a number, got True")
    assert_failed(results["unknown-instance"], "DDM instance 0123456789abcdef0123456789abcdefin09 does not exist")
    assert_failed(results["unknown-name"], "No DDM instance is named nobody-ddm")
    assert_failed(results["both"], "parameters are mutually exclusive: instance_id|instance_name")
    assert writes(emulator) == []
    assert control_parameters(emulator, instance_id)["changes"] == []


def test_a_yaml_boolean_becomes_the_parameters_own_choice(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    results = run(ansible_runner, [config_case(emulator, "on", instance_id=instance_id, parameters={"sql_audit": True, "insert_to_load_data": False})])
    assert_ok(results["on"], True)
    assert results["on"]["changed_parameters"] == {"sql_audit": {"before": "OFF", "after": "ON"}}
    assert effective(emulator, instance_id, "sql_audit") == ("ON", "ON", False)


def test_done_means_the_values_took(ansible_runner, emulator, await_request):
    instance_id = ready_instance(emulator)
    # The instance reads RUNNING with its old values for 1 s after the change is accepted, then SET_CONFIGURATION for 2 s.
    configure_settings(emulator, config_seconds=2)
    results = run(ansible_runner, [config_case(emulator, "change", instance_id=instance_id, parameters={"sql_execute_timeout": 600})])
    assert_ok(results["change"], True)
    assert results["change"]["parameters"]["sql_execute_timeout"] == "600"
    # When the module returned the change was over and the value in effect.
    instance = emulator.instance(instance_id)
    assert instance["operation"] is None and instance["status"] == "RUNNING"
    assert effective(emulator, instance_id, "sql_execute_timeout") == ("600", "600", False)
    statuses = [entry for entry in emulator.requests_log() if entry["method"] == "GET" and entry["path"].endswith(instance_id)]
    assert len(statuses) >= 2  # the status was read again after the change


def test_a_change_that_ends_without_the_values_fails_naming_them(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    fail_next(emulator, "parameters", fail_reason="The parameter change failed.")
    results = run(ansible_runner, [config_case(emulator, "lost", instance_id=instance_id, parameters={"max_connections": "12345", "sql_audit": "ON"})])
    assert_failed(results["lost"], "The parameters of DDM instance orders-ddm (%s) did not take: " % instance_id,
                  "max_connections reads '20000', not '12345'", "sql_audit reads 'OFF', not 'ON'")
    assert results["lost"]["changed"] is True and results["lost"]["parameters"]["max_connections"] == "20000"


def test_restart_true_restarts_after_the_change_settled_and_waits_on_its_task(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    configure_settings(emulator, config_seconds=2, restart_seconds=2)
    results = run(ansible_runner, [config_case(emulator, "charset", instance_id=instance_id, restart=True,
                                               parameters={"character_set_server": "utf8", "collation_server": "utf8_general_ci"})])
    done = results["charset"]
    assert_ok(done, True)
    assert (done["restarted"], done["restart_required"]) == (True, False)
    assert done["job_ids"] == [done["job_id"]] and done["job"]["status"] == "Completed" and done["job"]["name"] == "RestartInstance"
    assert done["parameters"]["character_set_server"] == "utf8"
    # The restart was sent once, after the change had ended (a restart during SET_CONFIGURATION would be refused with 409).
    assert writes(emulator) == [("PUT", configurations_path(instance_id), 200), ("POST", restart_path(instance_id), 202)]
    shown = control_parameters(emulator, instance_id)
    assert shown["restart_required"] is False and shown["parameters"]["character_set_server"]["effective"] == "utf8"
    assert emulator.instance(instance_id)["operation"] is None


def test_restart_false_warns_naming_the_parameters_and_never_restarts(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    cases = [config_case(emulator, "later", instance_id=instance_id, parameters={"max_backend_connections": 2000, "sql_audit": "ON"}),
             config_case(emulator, "nothing-to-do", instance_id=instance_id, restart=True, parameters={"sql_audit": "ON"})]
    results = run(ansible_runner, cases)
    later = results["later"]
    assert_ok(later, True)
    assert later["restart_required"] is True and later["restarted"] is False and "job_id" not in later
    assert any("Parameter max_backend_connections of DDM instance orders-ddm (%s) takes effect only after a restart" % instance_id in warning
               for warning in later["warnings"]), later.get("warnings")
    # restart: true with nothing changed restarts nothing.
    assert_ok(results["nothing-to-do"], False)
    assert results["nothing-to-do"]["restarted"] is False
    assert [method for method, _path, _status in writes(emulator)] == ["PUT"]
    shown = control_parameters(emulator, instance_id)
    assert shown["pending"] == ["max_backend_connections"] and shown["parameters"]["max_backend_connections"]["effective"] == "0"


def test_values_shown_only_after_the_restart_are_awaited_through_it(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    configure_settings(emulator, pending_value_shown="effective")
    cases = [config_case(emulator, "pending", instance_id=instance_id, parameters={"min_backend_connections": 20}),
             config_case(emulator, "restart", instance_id=instance_id, restart=True, parameters={"collation_server": "utf8mb4_bin"})]
    results = run(ansible_runner, cases)
    assert_ok(results["pending"], True)
    assert results["pending"]["restart_required"] is True and results["pending"]["parameters"]["min_backend_connections"] == "10"
    assert_ok(results["restart"], True)
    assert results["restart"]["restarted"] is True and results["restart"]["parameters"]["collation_server"] == "utf8mb4_bin"
    # The restart put the earlier pending value into effect too.
    assert results["restart"]["parameters"]["min_backend_connections"] == "20"


def test_a_busy_instance_is_waited_for_with_wait_and_fails_without(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    make_busy(emulator, instance_id, seconds=120, status="BACKUP")
    results = run(ansible_runner, [config_case(emulator, "no-wait", instance_id=instance_id, wait=False, parameters={"sql_audit": "ON"})])
    assert_failed(results["no-wait"], "is BACKUP: another operation is under way; set wait: true to wait for it to end")
    assert writes(emulator) == []

    busy_until = time.time() + 6
    make_busy(emulator, instance_id, seconds=6, status="BACKUP")
    results = run(ansible_runner, [config_case(emulator, "wait", instance_id=instance_id, parameters={"sql_audit": "ON"})])
    assert_ok(results["wait"], True)
    [put] = [entry for entry in emulator.requests_log() if entry["method"] == "PUT"]
    assert put["path"] == configurations_path(instance_id) and put["status"] == 200 and put["epoch"] >= busy_until - 0.5


def test_wait_timeout_bounds_the_whole_run(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    configure_settings(emulator, config_seconds=30)
    results = run(ansible_runner, [config_case(emulator, "slow", instance_id=instance_id, wait_timeout=4, wait_interval=1,
                                               parameters={"sql_audit": "ON"})])
    assert_failed(results["slow"], "Timed out (wait_timeout, 4 s, bounds the whole run) waiting for the parameters of DDM instance orders-ddm",
                  "its status is SET_CONFIGURATION")


def test_check_mode_writes_nothing_and_diff_shows_the_changes(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    cases = [config_case(emulator, "plan", instance_id=instance_id, restart=True,
                         parameters={"max_connections": "30000", "character_set_server": "gbk", "long_query_time": "1"})]
    results = ansible_runner.run_cases(cases, module=MODULE, check=True, env={"ANSIBLE_DIFF_ALWAYS": "1"})[0]
    plan = results["plan"]
    assert_ok(plan, True)
    assert plan["changed_parameters"] == {"max_connections": {"before": "20000", "after": "30000"},
                                          "character_set_server": {"before": "utf8mb4", "after": "gbk"}}
    assert plan["diff"] == {"before": {"max_connections": "20000", "character_set_server": "utf8mb4"},
                            "after": {"max_connections": "30000", "character_set_server": "gbk"}}
    assert plan["restarted"] is True and plan["parameters"]["max_connections"] == "30000"
    assert writes(emulator) == [] and control_parameters(emulator, instance_id)["changes"] == []


def test_a_read_only_parameter_seeded_by_a_test_is_refused(ansible_runner, emulator):
    instance_id = ready_instance(emulator)
    seed_parameters(emulator, instance_id, read_only={"transaction_policy": True})
    results = run(ansible_runner, [config_case(emulator, "ro", instance_id=instance_id, parameters={"transaction_policy": "FREE"})])
    assert_failed(results["ro"], "transaction_policy is read-only (its value is 'XA')")
    assert writes(emulator) == []
