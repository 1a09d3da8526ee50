# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The instance parameter calls and the restart of the emulator: the table, value ranges, SET_CONFIGURATION, the v3.1
and deprecated v3 changes, restarts that make pending values effective, failures, a busy instance, lost answers."""

from __future__ import annotations

import re

import pytest
import requests

from config_calls import (change_parameters, configure_settings, control_parameters, fail_next, make_busy, parameter_values, read_parameters,
                          ready, slow, restart, seed_parameters, settled)
from instance_calls import api, assert_error, job, wait_job


PARAMETER_KEYS = {"name", "value", "need_restart", "read_only", "value_range", "data_type", "description"}


def instance_status(emulator, instance_id):
    return api(emulator, "GET", ("v1", "instances/" + instance_id)).json()["status"]


def by_name(body):
    return {item["name"]: item for item in body["configuration_parameter"]}


# ----------------------------------------------------------------------------- read

def test_read_gives_the_table_with_strings(emulator):
    instance_id = ready(emulator)
    body = read_parameters(emulator, instance_id).json()
    assert set(body) == {"id", "name", "description", "updated", "configuration_parameter", "offset", "limit", "total"}
    assert body["id"].endswith("pr09") and (body["offset"], body["limit"]) == (0, 128)
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", body["updated"])
    items = by_name(body)
    assert body["total"] == len(items) >= 20
    assert all(set(item) == PARAMETER_KEYS and all(isinstance(value, str) for value in item.values()) for item in items.values())
    assert all(item["need_restart"] in ("0", "1") and item["read_only"] in ("0", "1") for item in items.values())
    assert items["long_query_time"]["value_range"] == "0.01-10" and items["long_query_time"]["value"] == "1"
    assert items["max_connections"]["value_range"] == "10-40000"
    assert items["transaction_policy"]["value_range"] == "XA|FREE|NO_DTX"
    assert items["sql_execute_timeout"]["value_range"] == "100-28800"
    assert items["sql_audit"]["value_range"] == "OFF|ON"
    assert {name for name, item in items.items() if item["need_restart"] == "1"} >= {"character_set_server", "collation_server"}
    assert {name for name, item in items.items() if item["read_only"] == "1"} == {"ddm_version", "lower_case_table_names"}
    assert sorted(items) == [item["name"] for item in body["configuration_parameter"]]


def test_read_pages_and_checks_its_query(emulator):
    instance_id = ready(emulator)
    total = read_parameters(emulator, instance_id).json()["total"]
    page = read_parameters(emulator, instance_id, offset=5, limit=3).json()
    assert len(page["configuration_parameter"]) == 3 and page["total"] == total
    assert_error(read_parameters(emulator, instance_id, limit=129), 400, "DBS.280001")
    assert_error(read_parameters(emulator, "no-such-instance"), 404, "DBS.200002")


# ----------------------------------------------------------------------------- change (v3.1)

def test_change_settles_through_set_configuration(emulator):
    instance_id = ready(emulator)
    slow(emulator)
    tasks = len(emulator.jobs())
    response = change_parameters(emulator, instance_id, {"long_query_time": "2", "transaction_policy": "FREE"})
    assert (response.status_code, response.json()) == (200, {"need_restart": False})
    assert len(emulator.jobs()) == tasks
    assert instance_status(emulator, instance_id) == "SET_CONFIGURATION"
    # The read shows the old values until the change has settled.
    assert parameter_values(emulator, instance_id)["long_query_time"] == "1"
    settled(emulator, instance_id)
    values = parameter_values(emulator, instance_id)
    assert (values["long_query_time"], values["transaction_policy"]) == ("2", "FREE")
    control = control_parameters(emulator, instance_id)
    assert control["parameters"]["long_query_time"]["effective"] == "2" and control["restart_required"] is False
    assert control["changes"] == [{"long_query_time": "2", "transaction_policy": "FREE"}]


@pytest.mark.parametrize("values, fragment", [
    ({"nope": "1"}, "nope is not a parameter"), ({"ddm_version": "9"}, "ddm_version is read-only"),
    ({"max_connections": 100}, "max_connections must be given as a string"),
    ({"max_connections": "9"}, "max_connections must be an integer from 10 to 40000"), ({"max_connections": "1.5"}, "integer"),
    ({"long_query_time": "0.001"}, "long_query_time must be a number from 0.01 to 10"), ({"long_query_time": "11"}, "0.01 to 10"),
    ({"long_query_time": "fast"}, "0.01 to 10"), ({"transaction_policy": "xa"}, "must be one of XA, FREE, NO_DTX"),
    ({"sql_audit": "TRUE"}, "OFF, ON"), ({"max_allowed_packet": "1025"}, "multiple of 1024"),
])
def test_values_are_checked_and_nothing_changes(emulator, values, fragment):
    instance_id = ready(emulator)
    body = assert_error(change_parameters(emulator, instance_id, values), 400, "DBS.280001")
    assert fragment in body["error_msg"]
    assert control_parameters(emulator, instance_id)["changes"] == []
    assert emulator.instance(instance_id)["operation"] is None


def test_every_problem_is_named(emulator):
    instance_id = ready(emulator)
    message = assert_error(change_parameters(emulator, instance_id, {"nope": "1", "max_connections": "1", "long_query_time": "3"}), 400,
                           "DBS.280001")["error_msg"]
    assert "nope" in message and "max_connections" in message and "long_query_time" not in message


def test_bodies_are_checked(emulator):
    instance_id = ready(emulator)
    assert_error(api(emulator, "PUT", ("v3.1", "instances/%s/configurations" % instance_id), {}), 400, "DBS.280001")
    assert_error(api(emulator, "PUT", ("v3.1", "instances/%s/configurations" % instance_id), {"values": {}}), 400, "DBS.280001")
    assert_error(api(emulator, "PUT", ("v3.1", "instances/%s/configurations" % instance_id), b"[]"), 400, "DBS.280001")


def test_the_extremes_of_the_ranges_are_allowed(emulator):
    instance_id = ready(emulator)
    values = {"long_query_time": "0.01", "max_connections": "40000", "sql_execute_timeout": "100", "max_allowed_packet": "1024"}
    assert change_parameters(emulator, instance_id, values).status_code == 200
    settled(emulator, instance_id)
    assert {name: parameter_values(emulator, instance_id)[name] for name in values} == values


# ----------------------------------------------------------------------------- restarts

def test_a_parameter_needing_a_restart_takes_effect_after_it(emulator):
    instance_id = ready(emulator)
    slow(emulator)
    response = change_parameters(emulator, instance_id, {"character_set_server": "utf8", "long_query_time": "3"})
    assert response.json() == {"need_restart": True}
    settled(emulator, instance_id)
    # The read shows the configured value; it is pending until a restart.
    assert parameter_values(emulator, instance_id)["character_set_server"] == "utf8"
    control = control_parameters(emulator, instance_id)
    assert control["parameters"]["character_set_server"]["effective"] == "utf8mb4"
    assert control["parameters"]["character_set_server"]["pending_restart"] is True
    assert (control["restart_required"], control["pending"]) == (True, ["character_set_server"])
    answer = restart(emulator, instance_id)
    assert answer.status_code == 202 and set(answer.json()) == {"job_id"}
    task = job(emulator, answer.json()["job_id"])
    assert task["name"] == "RestartInstance" and task["instance"]["id"] == instance_id
    assert instance_status(emulator, instance_id) == "RESTARTING"
    wait_job(emulator, answer.json()["job_id"])
    settled(emulator, instance_id)
    control = control_parameters(emulator, instance_id)
    assert control["parameters"]["character_set_server"]["effective"] == "utf8" and control["restart_required"] is False


def test_the_read_can_show_effective_values_instead(emulator):
    instance_id = ready(emulator)
    configure_settings(emulator, pending_value_shown="effective")
    change_parameters(emulator, instance_id, {"collation_server": "utf8mb4_bin"})
    settled(emulator, instance_id)
    assert parameter_values(emulator, instance_id)["collation_server"] == "utf8mb4_unicode_ci"
    wait_job(emulator, restart(emulator, instance_id).json()["job_id"])
    settled(emulator, instance_id)
    assert parameter_values(emulator, instance_id)["collation_server"] == "utf8mb4_bin"


def test_need_restart_counts_only_values_that_change(emulator):
    instance_id = ready(emulator)
    assert change_parameters(emulator, instance_id, {"character_set_server": "utf8mb4"}).json() == {"need_restart": False}


def test_a_failed_restart_leaves_values_pending(emulator):
    instance_id = ready(emulator)
    change_parameters(emulator, instance_id, {"character_set_server": "gbk"})
    settled(emulator, instance_id)
    fail_next(emulator, "restart", "The DDM instance failed to restart.")
    job_id = restart(emulator, instance_id).json()["job_id"]
    wait_job(emulator, job_id, "Failed")
    item = next(entry for entry in emulator.jobs() if entry["id"] == job_id)
    assert item["fail_reason"] == "The DDM instance failed to restart."
    settled(emulator, instance_id)
    assert control_parameters(emulator, instance_id)["pending"] == ["character_set_server"]


def test_a_failed_restart_can_leave_the_instance_faulty(emulator):
    instance_id = ready(emulator)
    fail_next(emulator, "restart", "node lost", status="ERROR")
    wait_job(emulator, restart(emulator, instance_id).json()["job_id"], "Failed")
    shown = api(emulator, "GET", ("v1", "instances/" + instance_id)).json()
    assert (shown["status"], shown["error_msg"]) == ("ERROR", "node lost")
    assert_error(restart(emulator, instance_id), 409, "DBS.200019")


def test_a_failed_change_leaves_the_old_values(emulator):
    instance_id = ready(emulator)
    fail_next(emulator, "parameters", "The parameters could not be applied.")
    assert change_parameters(emulator, instance_id, {"max_connections": "500"}).status_code == 200
    settled(emulator, instance_id)
    assert parameter_values(emulator, instance_id)["max_connections"] == "20000"


# ----------------------------------------------------------------------------- deprecated v3 change

def test_deprecated_v3_change_answers_a_task_in_camel_case(emulator):
    instance_id = ready(emulator)
    response = change_parameters(emulator, instance_id, {"max_connections": "500", "min_backend_connections": "20"}, version="v3")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"nodeList", "needRestart", "jobId", "configId", "configName"}
    assert body["needRestart"] is True and body["configId"].endswith("pr09")
    assert len(body["nodeList"].split(",")) == len(emulator.instance(instance_id)["nodes"])
    task = job(emulator, body["jobId"])
    assert task["name"] == "SetConfiguration"
    wait_job(emulator, body["jobId"])
    settled(emulator, instance_id)
    assert parameter_values(emulator, instance_id)["max_connections"] == "500"


def test_deprecated_v3_change_as_otc_documents_it(emulator):
    instance_id = ready(emulator)
    configure_settings(emulator, v3_parameters_answer="otc")
    response = change_parameters(emulator, instance_id, {"max_connections": "500"}, version="v3")
    assert response.json() == {"need_restart": False}


def test_a_failed_deprecated_change_fails_its_task(emulator):
    instance_id = ready(emulator)
    fail_next(emulator, "parameters", "Parameter change failed.")
    body = change_parameters(emulator, instance_id, {"max_connections": "500"}, version="v3").json()
    wait_job(emulator, body["jobId"], "Failed")
    settled(emulator, instance_id)
    assert parameter_values(emulator, instance_id)["max_connections"] == "20000"


# ----------------------------------------------------------------------------- busy, seeds, lost answers

def test_a_busy_instance_refuses_changes_and_restarts(emulator):
    instance_id = ready(emulator)
    make_busy(emulator, instance_id, seconds=30, status="BACKUP")
    assert_error(change_parameters(emulator, instance_id, {"max_connections": "500"}), 409, "DBS.200019")
    assert_error(change_parameters(emulator, instance_id, {"max_connections": "500"}, version="v3"), 409, "DBS.200019")
    assert_error(restart(emulator, instance_id), 409, "DBS.200019")
    assert parameter_values(emulator, instance_id)["max_connections"] == "20000"


def test_operations_refuse_each_other(emulator):
    instance_id = ready(emulator)
    slow(emulator)
    change_parameters(emulator, instance_id, {"max_connections": "500"})
    assert_error(restart(emulator, instance_id), 409, "DBS.200019")
    assert_error(change_parameters(emulator, instance_id, {"max_connections": "600"}), 409, "DBS.200019")
    settled(emulator, instance_id)
    job_id = restart(emulator, instance_id).json()["job_id"]
    assert_error(change_parameters(emulator, instance_id, {"max_connections": "600"}), 409, "DBS.200019")
    emulator.instance_settings(busy_answer=403)
    assert_error(restart(emulator, instance_id), 403, "DBS.212033")
    wait_job(emulator, job_id)


def test_restart_of_a_missing_instance(emulator):
    assert_error(restart(emulator, "no-such-instance"), 404, "DBS.200002")


def test_seeded_values_and_flags(emulator):
    instance_id = ready(emulator)
    seed_parameters(emulator, instance_id, values={"max_connections": "1000"}, need_restart={"max_connections": True},
                    read_only={"sql_audit": True})
    items = by_name(read_parameters(emulator, instance_id).json())
    assert (items["max_connections"]["value"], items["max_connections"]["need_restart"], items["sql_audit"]["read_only"]) == ("1000", "1", "1")
    assert change_parameters(emulator, instance_id, {"max_connections": "2000"}).json() == {"need_restart": True}
    with pytest.raises(Exception):
        seed_parameters(emulator, instance_id, values={"nope": "1"})


def test_a_change_whose_answer_is_lost_was_applied(emulator):
    instance_id = ready(emulator)
    emulator.add_fault(method="PUT", path=r"/configurations$", apply=True, drop=True)
    with pytest.raises(requests.ConnectionError):
        change_parameters(emulator, instance_id, {"max_connections": "500"})
    settled(emulator, instance_id)
    assert parameter_values(emulator, instance_id)["max_connections"] == "500"


def test_a_restart_whose_answer_is_lost_was_applied(emulator):
    instance_id = ready(emulator)
    slow(emulator)
    emulator.add_fault(method="POST", path=r"/restart$", apply=True, status=503, body="")
    assert restart(emulator, instance_id).status_code == 503
    operation = emulator.instance(instance_id)["operation"]
    assert operation["task"] == "RestartInstance"
    wait_job(emulator, operation["job_id"])
