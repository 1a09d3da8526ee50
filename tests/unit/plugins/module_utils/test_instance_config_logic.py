# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ddm_instance_config's logic through main(), on scripted HTTP answers (a small DDM that answers by path) and a simulated
clock: what is sent, when it waits, and what it returns."""

from __future__ import annotations

import contextlib
import functools
import json
import re

import pytest

from ansible.module_utils import basic

from ansible_collections.huaweicloud.cloud.plugins.module_utils._ansible import module as ansible_module
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.client import HuaweiCloudClient
from ansible_collections.huaweicloud.cloud.plugins.modules import ddm_instance_config

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19
    @contextlib.contextmanager
    def patch_module_args(args):
        previous = basic._ANSIBLE_ARGS  # pylint: disable=protected-access
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode()  # pylint: disable=protected-access
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = previous  # pylint: disable=protected-access

PROJECT = "0123456789abcdef0123456789abcdef"
ENDPOINT = "https://ddm.example.invalid"
CONNECTION = dict(auth_token="tok", endpoint=ENDPOINT, project_id=PROJECT, wait_interval=1)
INSTANCE = "i1"


def parameter(name, value, value_range, need_restart="0", read_only="0", data_type="string"):
    return dict(name=name, value=value, value_range=value_range, need_restart=need_restart, read_only=read_only, data_type=data_type)


class FakeDdm:
    """A DDM of one instance that answers by path: the instance, its parameters (two pages), the v3.1 change, the restart,
    the task list (empty) and the restart's job. A change shows after ``stale`` status reads of RUNNING with the old values, then ``busy`` reads of
    SET_CONFIGURATION; ``lose`` makes a change end without its values."""

    def __init__(self, http, stale=1, busy=2, restart_polls=2, lose=False, need_restart=None, status="RUNNING", put_answer=None):
        self.http = http
        self.put_answer = put_answer  # (status, body) answering the change instead (a 4xx applies nothing)
        self.status = status
        self.values = {"max_connections": "20000", "long_query_time": "1", "sql_audit": "OFF", "character_set_server": "utf8mb4",
                       "ddm_version": "3.1.0.2"}
        self.table = [parameter("max_connections", None, "10-40000", data_type="integer"), parameter("long_query_time", None, "0.01-10"),
                      parameter("sql_audit", None, "OFF|ON"), parameter("character_set_server", None, "gbk|utf8|utf8mb4", need_restart="1"),
                      parameter("ddm_version", None, "", read_only="1")]
        self.script = []  # statuses still to show, each with the values change that follows it
        self.stale, self.busy, self.restart_polls, self.lose, self.need_restart = stale, busy, restart_polls, lose, need_restart
        self.sent = []
        self.job_polls = 0

    def request(self, method, url, **kwargs):
        path = url.split("?", 1)[0][len(ENDPOINT):]
        self.sent.append((method, path, kwargs.get("data")))
        base = "/v3/%s/instances/%s" % (PROJECT, INSTANCE)
        if method == "GET" and path == "/v1/%s/instances/%s" % (PROJECT, INSTANCE):
            if self.script:
                status, apply = self.script.pop(0)
                self.status = status
                if apply:
                    apply()
            return self.http.answer(body=dict(id=INSTANCE, name="ddm-a", status=self.status))
        if method == "GET" and path == base + "/configurations":
            offset = int(re.search(r"offset=(\d+)", url).group(1))
            items = [dict(item, value=self.values[item["name"]]) for item in self.table][offset:offset + 3]
            return self.http.answer(body=dict(configuration_parameter=items, total=len(self.table), offset=offset, limit=3))
        if method == "PUT" and path == "/v3.1/%s/instances/%s/configurations" % (PROJECT, INSTANCE):
            values = json.loads(kwargs["data"])["values"]
            if self.put_answer and self.put_answer[0] >= 400:
                return self.http.answer(*self.put_answer)
            apply = None if self.lose else functools.partial(self.values.update, values)
            self.script = [("RUNNING", None)] * self.stale + [("SET_CONFIGURATION", None)] * self.busy + [("RUNNING", apply)]
            need = self.need_restart if self.need_restart is not None else "character_set_server" in values
            if self.put_answer:
                return self.http.answer(self.put_answer[0], text=self.put_answer[1])
            return self.http.answer(body={"need_restart": need})
        if method == "POST" and path == base + "/restart":
            self.script = [("RESTARTING", None)] * self.restart_polls + [("RUNNING", None)]
            return self.http.answer(202, {"job_id": "job-restart"})
        if method == "GET" and path == "/v3/%s/jobs" % PROJECT:
            return self.http.answer(body={"jobs": [], "total": 0})  # the instance's tasks, listed before the restart is sent
        if method == "GET" and path == "/v3/%s/jobs/job-restart" % PROJECT:
            self.job_polls += 1
            status = "Completed" if self.job_polls > self.restart_polls else "Running"
            return self.http.answer(body={"job": dict(id="job-restart", name="RestartInstance", status=status,
                                                      instance=dict(id=INSTANCE, name="ddm-a"))})
        raise AssertionError("unexpected request %s %s" % (method, url))

    def writes(self):
        return [(method, path, json.loads(data) if data else None) for method, path, data in self.sent if method != "GET"]


class ModuleExit(Exception):
    def __init__(self, failed, result):
        super().__init__(result)
        self.failed = failed
        self.result = result


@pytest.fixture
def run(monkeypatch, http):
    """``run(ddm, options, check=False)``: main() on ``ddm``'s answers; returns (result, failed, warnings)."""
    warnings = []

    def leave(failed):
        def exit_or_fail(self, **result):  # pylint: disable=unused-argument
            raise ModuleExit(failed, result)
        return exit_or_fail
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", leave(False))
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", leave(True))
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, text: warnings.append(text))
    clock = http.Clock(1000.0)
    monkeypatch.setattr(ddm_instance_config.DdmInstanceConfig, "clock", staticmethod(clock))
    monkeypatch.setattr(ddm_instance_config.DdmInstanceConfig, "sleep", staticmethod(clock.sleep))

    def run_module(ddm, options, check=False, diff=False):
        monkeypatch.setattr(ansible_module, "HuaweiCloudClient", functools.partial(HuaweiCloudClient, session=ddm))
        args = dict(CONNECTION, _ansible_check_mode=check, _ansible_diff=diff, **options)
        with patch_module_args(args):
            with pytest.raises(ModuleExit) as info:
                ddm_instance_config.main()
        return info.value.result, info.value.failed, warnings
    return run_module


def test_only_the_differences_are_sent_once_and_the_values_are_awaited(run, http):
    ddm = FakeDdm(http)
    result, failed, warnings = run(ddm, dict(instance_id=INSTANCE, parameters={"max_connections": 30000, "long_query_time": 1, "sql_audit": "ON"}))
    assert not failed and result["changed"] is True and warnings == []
    sent = {"values": {"max_connections": "30000", "sql_audit": "ON"}}
    assert ddm.writes() == [("PUT", "/v3.1/%s/instances/%s/configurations" % (PROJECT, INSTANCE), sent)]
    assert result["changed_parameters"] == {"max_connections": {"before": "20000", "after": "30000"}, "sql_audit": {"before": "OFF", "after": "ON"}}
    # Read back once the instance settled: the stale RUNNING read did not end the wait.
    assert result["parameters"]["max_connections"] == "30000" and ddm.script == []
    assert (result["restart_required"], result["restarted"], result["job_ids"]) == (False, False, [])


def test_a_second_run_sends_nothing(run, http):
    ddm = FakeDdm(http)
    result, failed, _warnings = run(ddm, dict(instance_id=INSTANCE, parameters={"max_connections": 20000, "sql_audit": "OFF"}))
    assert not failed and result["changed"] is False and result["changed_parameters"] == {} and ddm.writes() == []


def test_bad_values_fail_before_any_write(run, http):
    ddm = FakeDdm(http)
    result, failed, _warnings = run(ddm, dict(instance_id=INSTANCE, parameters={"max_connections": 1, "sql_audit": "on", "ddm_version": "4",
                                                                                "nope": 1}))
    assert failed and ddm.writes() == [] and result["changed"] is False
    assert result["msg"] == ("Cannot set the parameters of DDM instance ddm-a (i1): nope is not a parameter of the instance (its parameters: "
                             "character_set_server, ddm_version, long_query_time, max_connections, sql_audit); ddm_version is read-only (its "
                             "value is '3.1.0.2'); max_connections must be an integer from 10 to 40000, got '1' (value_range 10-40000); sql_audit "
                             "must be one of OFF, ON, got 'on' (value_range OFF|ON). Nothing was changed")


def test_a_change_that_ends_without_its_values_fails_naming_them(run, http):
    ddm = FakeDdm(http, lose=True)
    result, failed, _warnings = run(ddm, dict(instance_id=INSTANCE, parameters={"sql_audit": "ON"}))
    assert failed and result["msg"] == ("The parameters of DDM instance ddm-a (i1) did not take: sql_audit reads 'OFF', not 'ON'. The change "
                                        "ended (the instance reads RUNNING) without them")
    assert result["changed"] is True and result["parameters"]["sql_audit"] == "OFF"


def test_a_change_never_seen_busy_ends_after_the_show_window(run, http):
    # RUNNING with the old values throughout: the wait gives the change SHOW_SECONDS to show, then fails.
    ddm = FakeDdm(http, stale=1000, lose=True)
    result, failed, _warnings = run(ddm, dict(instance_id=INSTANCE, parameters={"sql_audit": "ON"}))
    assert failed and "did not take: sql_audit reads 'OFF', not 'ON'" in result["msg"]


def test_restart_false_warns_and_never_restarts(run, http):
    ddm = FakeDdm(http)
    result, failed, warnings = run(ddm, dict(instance_id=INSTANCE, parameters={"character_set_server": "utf8"}))
    assert not failed and result["restart_required"] is True and result["restarted"] is False
    assert [method for method, _path, _body in ddm.writes()] == ["PUT"]
    assert warnings == ["Parameter character_set_server of DDM instance ddm-a (i1) takes effect only after a restart, which restart: false leaves "
                        "out: set restart: true, or restart the instance with huaweicloud.cloud.ddm_instance state: restarted"]


def test_restart_true_restarts_once_the_change_settled_and_waits_on_its_task(run, http):
    ddm = FakeDdm(http)
    result, failed, warnings = run(ddm, dict(instance_id=INSTANCE, restart=True, parameters={"character_set_server": "utf8"}))
    assert not failed and warnings == [] and result["restarted"] is True and result["restart_required"] is False
    assert [method for method, _path, _body in ddm.writes()] == ["PUT", "POST"]
    # The restart came after the change's SET_CONFIGURATION reads, and its job was followed to Completed.
    methods = [(method, path.rsplit("/", 1)[-1]) for method, path, _data in ddm.sent]
    assert methods.index(("POST", "restart")) > methods.index(("PUT", "configurations"))
    assert result["job_id"] == "job-restart" and result["job_ids"] == ["job-restart"] and result["job"]["status"] == "Completed"


def test_a_restart_the_answer_asks_for_is_honoured_though_the_list_flags_none(run, http):
    ddm = FakeDdm(http, need_restart=True)
    result, failed, warnings = run(ddm, dict(instance_id=INSTANCE, parameters={"sql_audit": "ON"}))
    assert not failed and result["restart_required"] is True
    assert warnings and warnings[0].startswith("Parameter sql_audit of DDM instance ddm-a (i1) takes effect only after a restart")


def test_restart_true_with_nothing_to_change_restarts_nothing(run, http):
    ddm = FakeDdm(http)
    result, failed, _warnings = run(ddm, dict(instance_id=INSTANCE, restart=True, parameters={"character_set_server": "utf8mb4"}))
    assert not failed and result["changed"] is False and result["restarted"] is False and ddm.writes() == []


def test_check_mode_writes_nothing_and_diff_shows_the_changes(run, http):
    ddm = FakeDdm(http)
    result, failed, _warnings = run(ddm, dict(instance_id=INSTANCE, parameters={"long_query_time": "0.5"}), check=True, diff=True)
    assert not failed and result["changed"] is True and ddm.writes() == []
    assert result["diff"] == {"before": {"long_query_time": "1"}, "after": {"long_query_time": "0.5"}}
    assert result["parameters"]["long_query_time"] == "0.5"
    assert result["planned"] == ["set parameters"] and result["actions"] == []
    result, failed, _warnings = run(ddm, dict(instance_id=INSTANCE, restart=True, parameters={"character_set_server": "utf8"}), check=True)
    assert not failed and result["planned"] == ["set parameters", "restart"] and result["actions"] == [] and ddm.writes() == []


def test_a_change_refused_with_a_4xx_leaves_changed_false(run, http):
    ddm = FakeDdm(http, put_answer=(400, {"error_code": "DBS.280001", "error_msg": "Parameter error"}))
    result, failed, _warnings = run(ddm, dict(instance_id=INSTANCE, parameters={"sql_audit": "ON"}))
    assert failed and result["msg"].startswith("HTTP 400 DBS.280001") and result["changed"] is False and result["actions"] == []
    assert len(ddm.writes()) == 1


def test_an_unreadable_2xx_after_an_applied_change_is_read_back_never_resent(run, http):
    ddm = FakeDdm(http, put_answer=(200, "<html>accepted</html>"))
    result, failed, warnings = run(ddm, dict(instance_id=INSTANCE, parameters={"sql_audit": "ON"}))
    assert not failed and result["changed"] is True and result["actions"] == ["set parameters"] and len(ddm.writes()) == 1
    assert result["parameters"]["sql_audit"] == "ON"
    assert any("The answer to the request to set the parameters of DDM instance ddm-a (i1) was lost" in warning for warning in warnings)


def test_a_busy_instance_fails_without_wait_and_is_waited_for_with_it(run, http):
    ddm = FakeDdm(http, status="BACKUP")
    result, failed, _warnings = run(ddm, dict(instance_id=INSTANCE, wait=False, parameters={"sql_audit": "ON"}))
    assert failed and "is BACKUP: another operation is under way; set wait: true" in result["msg"] and ddm.writes() == []
    ddm = FakeDdm(http, status="BACKUP")
    ddm.script = [("BACKUP", None), ("RUNNING", None)]
    result, failed, _warnings = run(ddm, dict(instance_id=INSTANCE, parameters={"sql_audit": "ON"}))
    assert not failed and [method for method, _path, _body in ddm.writes()] == ["PUT"]


def test_without_wait_the_change_is_sent_and_not_awaited(run, http):
    ddm = FakeDdm(http)
    result, failed, _warnings = run(ddm, dict(instance_id=INSTANCE, wait=False, parameters={"sql_audit": "ON"}))
    assert not failed and result["parameters"]["sql_audit"] == "ON" and len(ddm.script) == 4  # no status read after the change


def test_the_deadline_bounds_the_wait_for_the_values(run, http):
    ddm = FakeDdm(http, busy=1000)
    result, failed, _warnings = run(ddm, dict(instance_id=INSTANCE, wait_timeout=20, parameters={"sql_audit": "ON"}))
    assert failed and result["msg"] == ("Timed out (wait_timeout, 20 s, bounds the whole run) waiting for the parameters of DDM instance ddm-a (i1) "
                                        "to take effect: its status is SET_CONFIGURATION")
