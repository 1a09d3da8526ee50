# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_ddm/parameters.py: value ranges and the checks before a write, the parameter and restart calls on scripted HTTP answers,
and the restart operation."""

from __future__ import annotations

import datetime
import types

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._ansible.progress import ProgressReporter
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.deadline import Deadline
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import (HuaweiCloudError, OperationFailed, OutcomeUnknown,
                                                                                      ResourceBusy, TransportError, UnexpectedAnswer)
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.instances import in_progress, is_failed
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.operations import InstanceOperator, Operation
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.writes import WriteSender
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.parameters import (DdmParameters, ValueRange, as_text, flag,
                                                                                        parameter_view, plan_changes, restart_instance)

ENDPOINT = "https://ddm.example.invalid"
URL = ENDPOINT + "/v3/pid/instances/i1/configurations"


def item(name, value, value_range="", data_type="string", need_restart="0", read_only="0"):
    return dict(name=name, value=value, value_range=value_range, data_type=data_type, need_restart=need_restart, read_only=read_only,
                description="")


TABLE = [item("max_connections", "20000", "10-40000", "integer"), item("long_query_time", "1", "0.01-10", "float"),
         item("sql_audit", "OFF", "OFF|ON"), item("transaction_policy", "XA", "XA|FREE|NO_DTX"),
         item("character_set_server", "utf8mb4", "gbk|utf8|utf8mb4", need_restart="1"), item("ddm_version", "3.1.0.2", read_only="1"),
         item("bind_table", ""), item("odd_range", "5", "[1,10]", "integer")]
PARAMETERS = {entry["name"]: parameter_view(entry) for entry in TABLE}


# ------------------------------------------------------------------ value ranges

@pytest.mark.parametrize("text,data_type,kind,allowed", [
    ("1-100", "integer", "integer", "an integer from 1 to 100"),
    ("10-40000", None, "integer", "an integer from 10 to 40000"),
    ("0.01-10", "float", "decimal", "a number from 0.01 to 10"),
    ("0-10", "float", "decimal", "a number from 0 to 10"),  # integer bounds of a float parameter
    (" 1 - 5 ", "integer", "integer", "an integer from 1 to 5"),
    ("-1-100", "integer", "integer", "an integer from -1 to 100"),
    ("OFF|ON", "string", "choices", "one of OFF, ON"),
    ("XA|FREE|NO_DTX", "string", "choices", "one of XA, FREE, NO_DTX"),
    ("", "string", "any", "any value"),
    (None, None, "any", "any value"),
    ("[1,10]", "integer", "unknown", "any value"),
    ("utf8", "string", "unknown", "any value"),
    ("1-", "integer", "unknown", "any value"),
])
def test_value_ranges_are_read_in_their_known_shapes(text, data_type, kind, allowed):
    parsed = ValueRange(text, data_type)
    assert (parsed.kind, parsed.allowed()) == (kind, allowed)


@pytest.mark.parametrize("text,data_type,value,problem", [
    ("1-100", "integer", "1", None),
    ("1-100", "integer", "100", None),
    ("1-100", "integer", "0", "must be an integer from 1 to 100, got '0'"),
    ("1-100", "integer", "101", "must be an integer from 1 to 100, got '101'"),
    ("1-100", "integer", "2.5", "must be an integer from 1 to 100, got '2.5'"),
    ("1-100", "integer", "ten", "must be an integer from 1 to 100, got 'ten'"),
    ("1-100", "integer", "", "must be an integer from 1 to 100, got ''"),
    ("-5-5", "integer", "-5", None),
    ("0.01-10", "float", "0.01", None),
    ("0.01-10", "float", "10", None),
    ("0.01-10", "float", "0.5", None),
    ("0.01-10", "float", "0.001", "must be a number from 0.01 to 10, got '0.001'"),
    ("0.01-10", "float", "10.01", "must be a number from 0.01 to 10, got '10.01'"),
    ("0.01-10", "float", "1e1", "must be a number from 0.01 to 10, got '1e1'"),
    ("0.01-10", "float", "nan", "must be a number from 0.01 to 10, got 'nan'"),
    ("OFF|ON", "string", "ON", None),
    ("OFF|ON", "string", "on", "must be one of OFF, ON, got 'on'"),
    ("OFF|ON", "string", "ON|OFF", "must be one of OFF, ON, got 'ON|OFF'"),
    ("", "string", "anything at all", None),
    ("[1,10]", "integer", "500", None),  # an unknown shape: not checked
])
def test_values_are_checked_against_their_range(text, data_type, value, problem):
    assert ValueRange(text, data_type).problem(value) == problem


def test_decimal_ranges_compare_exactly():
    # 0.1 + 0.2 style float error must not move a bound: 0.3 is inside 0.1-0.3.
    assert ValueRange("0.1-0.3", "float").problem("0.3") is None


@pytest.mark.parametrize("value,expected", [("1", True), ("0", False), ("true", True), ("False", False), (True, True), (False, False),
                                            ("", False), ("yes", None), (1, None), (None, None)])
def test_flags_come_as_strings_or_booleans(value, expected):
    assert flag(value) is expected if expected is not None else flag(value) is None


@pytest.mark.parametrize("value,name,expected", [
    (2, "max_connections", "2"), ("2", "max_connections", "2"), (0.5, "long_query_time", "0.5"), (True, "sql_audit", "ON"),
    (False, "sql_audit", "OFF"), (True, "max_connections", None), ([1], "max_connections", None), (None, "max_connections", None),
])
def test_wanted_values_become_the_api_strings(value, name, expected):
    assert as_text(value, PARAMETERS[name]) == expected


# ------------------------------------------------------------------ the plan

def plan(wanted, warnings=None):
    return plan_changes(PARAMETERS, wanted, "DDM instance ddm-a (i1)", (warnings if warnings is not None else []).append)


def test_only_what_differs_is_planned_compared_as_strings():
    assert plan({"max_connections": 20000, "long_query_time": "1", "sql_audit": "OFF"}) == {}
    assert plan({"max_connections": 30000, "long_query_time": 1, "sql_audit": True, "transaction_policy": "XA"}) == {
        "max_connections": {"before": "20000", "after": "30000"}, "sql_audit": {"before": "OFF", "after": "ON"}}


def test_unknown_read_only_and_out_of_range_values_fail_naming_each_with_what_is_allowed():
    with pytest.raises(HuaweiCloudError) as info:
        plan({"max_connections": 5, "long_query_time": "20", "sql_audit": "maybe", "ddm_version": "4.0", "no_such": "1", "other": 2,
              "transaction_policy": "FREE"})
    message = str(info.value)
    assert message.startswith("Cannot set the parameters of DDM instance ddm-a (i1): no_such, other are not a parameter of the instance "
                              "(its parameters: bind_table, character_set_server, ddm_version, long_query_time, max_connections, odd_range, "
                              "sql_audit, transaction_policy); ")
    for text in ("ddm_version is read-only (its value is '3.1.0.2')",
                 "long_query_time must be a number from 0.01 to 10, got '20' (value_range 0.01-10)",
                 "max_connections must be an integer from 10 to 40000, got '5' (value_range 10-40000)",
                 "sql_audit must be one of OFF, ON, got 'maybe' (value_range OFF|ON)"):
        assert text in message
    assert message.endswith(". Nothing was changed") and "transaction_policy must" not in message


def test_a_read_only_parameter_at_its_own_value_is_no_change():
    assert plan({"ddm_version": "3.1.0.2"}) == {}


def test_a_range_of_another_shape_warns_and_the_value_is_sent():
    warnings = []
    assert plan({"odd_range": 500}, warnings) == {"odd_range": {"before": "5", "after": "500"}}
    assert warnings == ["The value_range '[1,10]' of parameter odd_range is of a shape this module does not know; '500' is sent unchecked"]


def test_a_value_that_is_no_string_or_number_fails():
    with pytest.raises(HuaweiCloudError, match=r"max_connections must be a string or a number, got True \(quote values"):
        plan({"max_connections": True})


def test_restart_and_set_configuration_are_in_progress_statuses():
    for status in ("RESTARTING", "SET_CONFIGURATION"):
        assert in_progress(status) and not is_failed(status)


# ------------------------------------------------------------------ the calls, on scripted HTTP answers

def api(http, *answers):
    session = http.Session(*answers)
    client, _sleeps = http.client(session, max_retries=0)
    return DdmParameters(client, ENDPOINT), session


def test_every_page_of_parameters_is_read(http):
    first = dict(configuration_parameter=TABLE[:5], total=len(TABLE), offset=0, limit=128)
    second = dict(configuration_parameter=TABLE[5:], total=len(TABLE), offset=5, limit=128)
    calls, session = api(http, http.answer(body=first), http.answer(body=second))
    found = calls.parameters("i1")
    assert list(found) == [entry["name"] for entry in TABLE]
    assert found["character_set_server"]["need_restart"] is True and found["ddm_version"]["read_only"] is True
    assert found["max_connections"]["value"] == "20000" and found["max_connections"]["range"].kind == "integer"
    assert [(sent["method"], sent["url"]) for sent in session.sent] == [("GET", URL + "?limit=128&offset=0"), ("GET", URL + "?limit=128&offset=5")]


def test_a_list_cut_short_fails_rather_than_check_against_part_of_it(http):
    page = dict(configuration_parameter=TABLE[:2], total=10)
    calls, _session = api(http, http.answer(body=page), http.answer(body=dict(configuration_parameter=[], total=10)))
    with pytest.raises(HuaweiCloudError, match="The parameter list of DDM instance i1 was cut short .*2 of the 10"):
        calls.parameters("i1")


@pytest.mark.parametrize("bad,problem", [
    (dict(configuration_parameter={}), "configuration_parameter is an object, expected an array"),
    (dict(configuration_parameter=[item("a", 5)]), r"configuration_parameter\[0\].value is a number, expected a string"),
    (dict(configuration_parameter=[dict(item("a", "1"), need_restart="maybe")]), r"need_restart is 'maybe', expected \"0\" or \"1\""),
    (dict(configuration_parameter=[dict(item("a", "1"), name="")]), r"configuration_parameter\[0\].name is a string, expected a non-empty"),
    (dict(configuration_parameter=[], total="3"), "total is a string, expected a count"),
])
def test_malformed_parameter_answers_fail_naming_the_field(http, bad, problem):
    calls, _session = api(http, http.answer(body=bad))
    with pytest.raises(UnexpectedAnswer, match=problem):
        calls.parameters("i1")


def test_a_change_sends_string_values_with_v3_1_and_reads_need_restart(http):
    calls, session = api(http, http.answer(body={"need_restart": True}), http.answer(body={"need_restart": "false"}), http.answer(body={}))
    assert calls.set_parameters("i1", {"max_connections": "30000"}) is True
    assert calls.set_parameters("i1", {"max_connections": "30000"}) is False
    assert calls.set_parameters("i1", {"max_connections": "30000"}) is None
    assert session.sent[0]["method"] == "PUT" and session.sent[0]["url"] == ENDPOINT + "/v3.1/pid/instances/i1/configurations"
    assert session.sent[0]["data"] == b'{"values": {"max_connections": "30000"}}'


def test_a_busy_instance_refuses_a_change_as_busy(http):
    calls, _session = api(http, http.answer(409, {"error_code": "DBS.200019", "error_msg": "Another operation is being performed."}))
    with pytest.raises(ResourceBusy):
        calls.set_parameters("i1", {"sql_audit": "ON"})


def test_a_restart_answers_its_job_and_is_never_sent_twice(http):
    calls, session = api(http, http.answer(202, {"job_id": "j1"}))
    assert calls.restart("i1") == "j1"
    assert (session.sent[0]["method"], session.sent[0]["url"]) == ("POST", ENDPOINT + "/v3/pid/instances/i1/restart")
    calls, session = api(http, http.answer(502, text="<html>bad gateway</html>"))
    with pytest.raises(OutcomeUnknown):
        calls.restart("i1")
    assert len(session.sent) == 1
    calls, _session = api(http, http.answer(202, {"job_id": 7}))
    with pytest.raises(UnexpectedAnswer, match="job_id is a number"):
        calls.restart("i1")


# ------------------------------------------------------------------ the restart operation

RUNNING = dict(id="i1", name="ddm-a", status="RUNNING")
OPERATION = Operation("restart", dict(id="i1", name="ddm-a"))


class ScriptedApi:
    """get() answers from a script (the last entry repeats); restart() from its own."""

    def __init__(self, states, restarts):
        self.states = list(states)
        self.restarts = list(restarts)
        self.sent = 0

    def get(self, instance_id):  # pylint: disable=unused-argument
        return self.states.pop(0) if len(self.states) > 1 else self.states[0]

    def restart(self, instance_id):  # pylint: disable=unused-argument
        self.sent += 1
        answer = self.restarts.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class ScriptedJobList:
    def __init__(self, *lists):
        self.lists = list(lists)

    def iterate(self, *args):  # pylint: disable=unused-argument
        return self.lists.pop(0) if len(self.lists) > 1 else self.lists[0]


def operator(clock, api_, jobs=None):
    """(an InstanceOperator and a WriteSender of a run bounded to 120 s, the warnings list)."""
    warnings = []
    deadline = Deadline(120, clock)
    ops = InstanceOperator(api_, jobs, deadline, None, warnings.append, ProgressReporter(None), clock=clock, sleep=clock.sleep)
    client = types.SimpleNamespace(server_now=lambda: datetime.datetime.now(datetime.timezone.utc))
    module = types.SimpleNamespace(result={}, changed=False, deadline=deadline, params=dict(wait_interval=None), client=client, clock=clock,
                                   sleep=clock.sleep)
    return (ops, WriteSender(module, jobs or ScriptedJobList([]))), warnings


def test_a_restart_waits_for_a_busy_instance_first(clock):
    api_ = ScriptedApi([dict(RUNNING, status="SET_CONFIGURATION"), RUNNING], ["j1"])
    ops, _warnings = operator(clock, api_)
    assert restart_instance(api_, *ops, dict(RUNNING, status="SET_CONFIGURATION"), True, OPERATION) == ("j1", False) and api_.sent == 1
    with pytest.raises(OperationFailed, match="is SET_CONFIGURATION: another operation is under way; set wait: true"):
        restart_instance(api_, *ops, dict(RUNNING, status="SET_CONFIGURATION"), False, OPERATION)


def test_a_failed_instance_is_not_restarted(clock):
    api_ = ScriptedApi([RUNNING], ["j1"])
    ops, _warnings = operator(clock, api_)
    with pytest.raises(OperationFailed, match=r"DDM instance ddm-a \(i1\) is ERROR: it cannot be restarted"):
        restart_instance(api_, *ops, dict(RUNNING, status="ERROR"), True, OPERATION)
    assert api_.sent == 0


def test_a_restart_whose_answer_was_lost_is_found_in_the_task_list_not_sent_again(clock):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")
    older = dict(id="j8", name="RestartInstance", status="Running", instance_id="i1", instance_name="ddm-a", created_time=now)
    listed = [dict(older, id="j9"), older]
    api_ = ScriptedApi([RUNNING], [OutcomeUnknown(TransportError("connection reset"))])
    ops, warnings = operator(clock, api_, ScriptedJobList([older], [older], listed))
    # The task listed before the request is never adopted (no proof); the new one is, and the run counts as changed.
    assert restart_instance(api_, *ops, RUNNING, True, OPERATION) == ("j9", True) and api_.sent == 1
    assert ops[1].module.result["actions"] == ["restart"] and ops[1].module.changed is True
    assert warnings == ["The answer to the request to restart DDM instance ddm-a (i1) was lost (connection reset); its task j9 was found and followed"]


def test_a_restart_whose_answer_was_lost_and_no_task_appeared_fails_without_sending_again(clock):
    api_ = ScriptedApi([RUNNING], [OutcomeUnknown(TransportError("connection reset"))])
    ops, _warnings = operator(clock, api_, ScriptedJobList([]))
    with pytest.raises(OperationFailed, match=r"got no clear answer \(connection reset\): it may or may not have been applied; nothing showed it within 30 s"):
        restart_instance(api_, *ops, RUNNING, True, OPERATION)
    assert api_.sent == 1
