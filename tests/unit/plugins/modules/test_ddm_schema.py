# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ddm_schema and ddm_schema_info through main(), on scripted HTTP answers routed by method and path (the real client,
instance, schema and job code), on a simulated clock: checks before any write, fixed settings, read-back of a lost
creation, "done means done", deletes, check mode and secrets."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import types

import pytest
import requests

from ansible.module_utils import basic

from ansible_collections.huaweicloud.cloud.plugins.module_utils._ansible import module as ansible_module
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.client import HuaweiCloudClient
from ansible_collections.huaweicloud.cloud.plugins.modules import ddm_schema, ddm_schema_info

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

# The scripted HTTP answers of the module_utils tests (their conftest), for the modules' own logic.
_SPEC = importlib.util.spec_from_file_location("module_utils_conftest", os.path.join(os.path.dirname(__file__), "..", "module_utils", "conftest.py"))
_SCRIPTED = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_SCRIPTED)

PID = "0123456789abcdef0123456789abcdef"
CONNECTION = dict(auth_token="tok", endpoint="https://ddm.example.invalid", project_id=PID, wait_interval=1)
SECRET = "Dn-Secret-Passw0rd-4711"
INSTANCE = {"id": "i1", "name": "orders-ddm", "status": "RUNNING"}
NODES = [{"id": "dn1", "name": "rds-1", "status": "normal"}, {"id": "dn2", "name": "rds-2", "status": "normal"}]
LOGINS = [{"id": "dn1", "admin_user": "root", "admin_password": SECRET}, {"id": "dn2", "admin_user": "root", "admin_password": SECRET}]
CREATE = dict(instance_id="i1", name="orders", shard_number=4, data_nodes=LOGINS)
MISSING = (400, {"error_code": "DBS.300129", "error_msg": "Failed to query schema information."})


def detail(status="RUNNING", **changes):
    record = {"name": "orders", "status": status, "created": "2026-11-28T10:00:00Z", "shard_mode": "cluster", "shard_number": 4,
              "shards": [{"data_node_id": "dn%d" % (1 + index // 2), "physical_db_name": "orders_%04d" % index, "status": status,
                          "shard_index": index} for index in range(4)], "data_nodes": NODES}
    record.update(changes)
    return record


def job(status="Completed", **changes):
    return dict({"job": {"id": "j1", "name": "createLogicDb", "status": status, "instance": {"id": "i1", "name": "orders-ddm"}}}, **changes)


class ModuleExit(Exception):
    def __init__(self, failed, result):
        super().__init__(result)
        self.failed = failed
        self.result = result


class RoutedDdm:
    """A requests session that answers by (method, path pattern) from scripts (the last answer repeats) and records what was sent."""

    ROUTES = {
        ("GET", "instance"): r"/v1/%s/instances/i1$" % PID,
        ("GET", "instances"): r"/v1/%s/instances$" % PID,
        ("GET", "schema"): r"/v3/%s/instances/i1/databases/orders$" % PID,
        ("GET", "schemas"): r"/v1/%s/instances/i1/databases$" % PID,
        ("GET", "nodes"): r"/v3/%s/instances/i1/available-data-nodes$" % PID,
        ("POST", "create"): r"/v3/%s/instances/i1/databases$" % PID,
        ("DELETE", "delete"): r"/v3/%s/instances/i1/databases/orders$" % PID,
        ("GET", "job"): r"/v3/%s/jobs/j1$" % PID,
        ("GET", "jobs"): r"/v3/%s/jobs$" % PID,
    }

    def __init__(self, http, **scripts):
        self.http = http
        self.scripts = dict(instance=[INSTANCE], nodes=[{"data_nodes": NODES, "total": 2}], schemas=[{"databases": [], "total": 0}],
                            jobs=[{"jobs": [], "total_count": 0}], job=[job()])
        self.scripts.update({key: list(value) for key, value in scripts.items()})
        self.sent = []
        self.auth = None

    def request(self, method, url, **kwargs):
        path = url.split("?")[0].split("ddm.example.invalid")[1]
        route = next(name for (verb, name), pattern in self.ROUTES.items() if verb == method and re.search(pattern, path))
        self.sent.append(dict(kwargs, method=method, url=url, route=route))
        script = self.scripts[route]
        item = script.pop(0) if len(script) > 1 else script[0]
        if isinstance(item, Exception):
            raise item
        status, body = item if isinstance(item, tuple) else (202 if method in ("POST", "DELETE") else 200, item)
        return self.http.answer(status, text=body) if isinstance(body, str) else self.http.answer(status, body)

    def routes(self, *methods):
        return [sent["route"] for sent in self.sent if not methods or sent["method"] in methods]


@pytest.fixture
def http():
    return types.SimpleNamespace(answer=_SCRIPTED.answer, Clock=_SCRIPTED.FakeClock)


@pytest.fixture
def run(monkeypatch, http):
    """``run(module, options, ddm, check=False, diff=False)``: main() on the routed session; returns (ModuleExit, warnings)."""
    warnings = []
    clock = http.Clock(1000.0)

    def exit_json(self, **result):  # pylint: disable=unused-argument
        raise ModuleExit(False, result)

    def fail_json(self, **result):  # pylint: disable=unused-argument
        raise ModuleExit(True, result)
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, text: warnings.append(text))
    for module in (ddm_schema.DdmSchema, ddm_schema_info.DdmSchemaInfo):
        monkeypatch.setattr(module, "clock", staticmethod(clock))
        monkeypatch.setattr(module, "sleep", staticmethod(clock.sleep))

    def run_module(module, options, ddm, check=False, diff=False):
        monkeypatch.setattr(ansible_module, "HuaweiCloudClient", lambda auth, **kwargs: HuaweiCloudClient(auth, session=ddm, sleep=clock.sleep, **kwargs))
        args = dict(CONNECTION, **options)
        if module is ddm_schema_info:
            args.pop("wait_interval")
        args.update(_ansible_check_mode=check, _ansible_diff=diff)
        with patch_module_args(args):
            with pytest.raises(ModuleExit) as info:
                module.main()
        return info.value, warnings
    return run_module


@pytest.mark.parametrize("options,message", [
    (dict(name="Orders"), "name must have 2 to 48 characters: a lower-case letter, then lower-case letters, digits and '_', got 'Orders'"),
    (dict(name="mysql"), "name must not be one of information_schema, mysql, performance_schema, sys, got 'mysql'"),
    (dict(shard_number=1), "shard_number must be between 2 and 128 for 2 data node(s), got 1"),
    (dict(shard_mode="single"), "an unsharded (single) schema has one shard per data node: shard_number must be 2 for 2 data node(s), got 4"),
    (dict(shard_number=0), "shard_number must be 1 or more, got 0"),
    (dict(data_nodes=[LOGINS[0], LOGINS[0]]), "data_nodes must name at least one data node, each once, got dn1, dn1"),
    (dict(data_nodes=[dict(LOGINS[0], id="dn/../x")]), "data_nodes[0].id must be a plain id"),
    (dict(instance_id="i/1"), "instance_id must be a plain id"),
    (dict(instance_name="orders-ddm"), "parameters are mutually exclusive: instance_id|instance_name"),
    (dict(wait_interval=100, wait_timeout=10), "wait_interval (100) must not be larger than wait_timeout (10)"),
])
def test_bad_input_fails_before_any_request(run, http, options, message):
    ddm = RoutedDdm(http)
    outcome, _warnings = run(ddm_schema, dict(CREATE, **options), ddm)
    assert outcome.failed and message in outcome.result["msg"], outcome.result
    assert ddm.sent == []


def test_creating_needs_shards_data_nodes_and_their_logins_and_nothing_is_written_without(run, http):
    for options, missing in ((dict(shard_number=None), "shard_number"), (dict(data_nodes=None), "data_nodes"),
                             (dict(data_nodes=[dict(LOGINS[0], admin_password=None), LOGINS[1]]), "data_nodes[0].admin_password")):
        ddm = RoutedDdm(http, schema=[MISSING])
        outcome, _warnings = run(ddm_schema, dict(CREATE, **options), ddm)
        assert outcome.failed and "schema orders does not exist; creating it needs %s" % missing in outcome.result["msg"]
        assert ddm.routes("POST", "DELETE") == []


def test_a_data_node_not_offered_fails_naming_it_and_what_is_offered_before_any_write(run, http):
    ddm = RoutedDdm(http, schema=[MISSING], nodes=[{"data_nodes": NODES[:1], "total": 1}])
    outcome, _warnings = run(ddm_schema, CREATE, ddm)
    assert outcome.failed and outcome.result["msg"] == (
        "data_nodes: dn2 is not offered by DDM instance orders-ddm (i1) for new schemas, nor used by its schemas (offered: dn1); nothing was changed")
    assert ddm.routes() == ["instance", "schema", "nodes", "schemas"]


def test_a_data_node_used_by_another_schema_of_the_instance_is_accepted(run, http):
    other = {"name": "other", "status": "RUNNING", "shard_mode": "cluster", "shard_number": 1, "used_rds": [NODES[1]]}
    ddm = RoutedDdm(http, schema=[MISSING, detail()], nodes=[{"data_nodes": NODES[:1], "total": 1}], schemas=[{"databases": [other], "total": 1}],
                    create=[{"job_id": "j1", "name": "orders"}])
    outcome, _warnings = run(ddm_schema, CREATE, ddm)
    assert not outcome.failed and outcome.result["changed"] is True and ddm.routes("POST") == ["create"]


def test_creates_follows_the_task_and_waits_for_running(run, http):
    ddm = RoutedDdm(http, schema=[MISSING, detail("CREATING"), detail()], create=[{"job_id": "j1", "name": "orders"}],
                    job=[job("Running"), job()])
    outcome, warnings = run(ddm_schema, CREATE, ddm)
    result = outcome.result
    assert not outcome.failed and result["changed"] is True and result["actions"] == ["create"], result
    assert result["job_id"] == "j1" and result["job_ids"] == ["j1"] and result["job"]["status"] == "Completed"
    assert result["schema"]["status"] == "RUNNING" and len(result["schema"]["shards"]) == 4
    assert ddm.routes() == ["instance", "schema", "nodes", "create", "job", "job", "schema", "schema"]
    body = json.loads(ddm.sent[3]["data"])
    assert body == {"name": "orders", "shard_mode": "cluster", "shard_number": 4,
                    "dn_instances": [{"id": "dn1", "user_name": "root", "user_password": SECRET}, {"id": "dn2", "user_name": "root", "user_password": SECRET}]}
    assert warnings == [] and SECRET not in json.dumps(result)


@pytest.mark.parametrize("failed_status", ["CREATE_FAILED", "CREATEFAILED"])
def test_a_completed_task_is_not_enough_a_failed_schema_fails_with_it(run, http, failed_status):
    ddm = RoutedDdm(http, schema=[MISSING, detail(failed_status)], create=[{"job_id": "j1", "name": "orders"}])
    outcome, _warnings = run(ddm_schema, CREATE, ddm)
    assert outcome.failed and outcome.result["msg"] == "schema orders of DDM instance orders-ddm (i1) is %s" % failed_status
    assert outcome.result["schema"]["status"] == failed_status and outcome.result["job"]["status"] == "Completed"


def test_a_failed_task_fails_with_the_schema_and_the_reason(run, http):
    listed = {"jobs": [{"id": "j1", "name": "createLogicDb", "status": "Failed", "instance_id": "i1", "fail_reason": "Login to dn2 failed."}],
              "total_count": 1}
    ddm = RoutedDdm(http, schema=[MISSING, detail("CREATE_FAILED")], create=[{"job_id": "j1", "name": "orders"}], job=[job("Failed")], jobs=[listed])
    outcome, _warnings = run(ddm_schema, CREATE, ddm)
    assert outcome.failed and "ended with status Failed: Login to dn2 failed." in outcome.result["msg"]
    assert outcome.result["job"]["fail_reason"] == "Login to dn2 failed." and outcome.result["schema"]["status"] == "CREATE_FAILED"


def test_a_lost_creation_answer_is_read_back_by_name_and_never_resent(run, http):
    ddm = RoutedDdm(http, schema=[MISSING, MISSING, detail("CREATING"), detail()], create=[requests.exceptions.ConnectionError("reset")])
    outcome, warnings = run(ddm_schema, CREATE, ddm)
    assert not outcome.failed and outcome.result["changed"] is True and outcome.result["schema"]["status"] == "RUNNING"
    assert ddm.routes("POST") == ["create"] and outcome.result["job_ids"] == []
    assert any("was lost" in warning and "found by name and adopted" in warning for warning in warnings), warnings


def test_an_unreadable_2xx_after_an_applied_creation_is_read_back_never_resent(run, http):
    ddm = RoutedDdm(http, schema=[MISSING, detail("CREATING"), detail()], create=[(202, "<html>accepted</html>")])
    outcome, warnings = run(ddm_schema, CREATE, ddm)
    assert not outcome.failed and outcome.result["actions"] == ["create"] and outcome.result["schema"]["status"] == "RUNNING"
    assert ddm.routes("POST") == ["create"] and any("found by name and adopted" in warning for warning in warnings), warnings


def test_a_deletion_refused_with_a_4xx_leaves_changed_false(run, http):
    ddm = RoutedDdm(http, schema=[detail()], delete=[(400, {"error_code": "DBS.280001", "error_msg": "Parameter error"})])
    outcome, _warnings = run(ddm_schema, dict(instance_id="i1", name="orders", state="absent"), ddm)
    assert outcome.failed and outcome.result["changed"] is False and outcome.result["actions"] == [] and ddm.routes("DELETE") == ["delete"]


def test_a_lost_creation_that_never_appears_fails_without_resending(run, http):
    ddm = RoutedDdm(http, schema=[MISSING], create=[(503, {"error_code": "APIGW.0203", "error_msg": "unavailable"}), {"job_id": "j1"}])
    outcome, _warnings = run(ddm_schema, CREATE, ddm)
    assert outcome.failed and "It was not sent again" in outcome.result["msg"] and ddm.routes("POST") == ["create"]


def test_an_existing_schema_changes_nothing_and_differences_fail_naming_each_with_nothing_sent(run, http):
    ddm = RoutedDdm(http, schema=[detail()])
    outcome, _warnings = run(ddm_schema, CREATE, ddm)
    assert not outcome.failed and outcome.result["changed"] is False and ddm.routes() == ["instance", "schema"]

    ddm = RoutedDdm(http, schema=[detail()])
    outcome, _warnings = run(ddm_schema, dict(CREATE, shard_mode="single", shard_number=1, data_nodes=LOGINS[:1]), ddm)
    assert outcome.failed and outcome.result["msg"] == (
        "schema orders of DDM instance orders-ddm (i1) cannot change: shard_mode is cluster, not single; shard_number is 4, not 1; "
        "data_nodes are dn1, dn2, not dn1. These are fixed when a schema is created (changing its shards is the shard migration, which "
        "this module does not start); nothing was sent")
    assert ddm.routes("POST", "DELETE") == [] and outcome.result["schema"]["name"] == "orders"


def test_delete_keeps_the_data_unless_asked_and_waits_until_the_schema_left_the_list(run, http):
    listed = {"databases": [{"name": "orders", "status": "DELETING"}], "total": 1}
    ddm = RoutedDdm(http, schema=[detail()], delete=[{"job_id": "j1", "database_name": "orders"}],
                    schemas=[listed, {"databases": [], "total": 0}])
    outcome, _warnings = run(ddm_schema, dict(instance_id="i1", name="orders", state="absent"), ddm)
    assert not outcome.failed and outcome.result["changed"] is True and "schema" not in outcome.result
    [sent] = [sent for sent in ddm.sent if sent["method"] == "DELETE"]
    assert sent["url"].endswith("?delete_dn_data=false")
    assert ddm.routes()[-2:] == ["schemas", "schemas"]

    ddm = RoutedDdm(http, schema=[detail()], delete=[{"job_id": "j1", "database_name": "orders"}])
    run(ddm_schema, dict(instance_id="i1", name="orders", state="absent", delete_data=True), ddm)
    assert [sent["url"] for sent in ddm.sent if sent["method"] == "DELETE"][0].endswith("?delete_dn_data=true")


@pytest.mark.parametrize("missing", [MISSING, (404, MISSING[1])])
def test_an_absent_schema_is_ok_in_either_reading(run, http, missing):
    ddm = RoutedDdm(http, schema=[missing])
    outcome, _warnings = run(ddm_schema, dict(instance_id="i1", name="orders", state="absent"), ddm)
    assert not outcome.failed and outcome.result["changed"] is False and ddm.routes("DELETE") == []


def test_check_mode_writes_nothing_and_the_diff_holds_no_password(run, http):
    ddm = RoutedDdm(http, schema=[MISSING])
    outcome, _warnings = run(ddm_schema, CREATE, ddm, check=True, diff=True)
    assert not outcome.failed and outcome.result["changed"] is True and ddm.routes("POST", "DELETE") == []
    assert outcome.result["diff"] == {"before": {}, "after": {"name": "orders", "shard_mode": "cluster", "shard_number": 4, "data_nodes": ["dn1", "dn2"]}}
    assert SECRET not in json.dumps(outcome.result) and outcome.result["planned"] == ["create"] and outcome.result["actions"] == []

    ddm = RoutedDdm(http, schema=[detail()])
    outcome, _warnings = run(ddm_schema, dict(instance_id="i1", name="orders", state="absent"), ddm, check=True, diff=True)
    assert outcome.result["changed"] is True and outcome.result["diff"]["after"] == {} and ddm.routes("DELETE") == []
    assert outcome.result["planned"] == ["delete"] and outcome.result["actions"] == []


def test_a_busy_instance_without_wait_fails_naming_its_status(run, http):
    ddm = RoutedDdm(http, schema=[MISSING], instance=[dict(INSTANCE, status="BACKUP")])
    outcome, _warnings = run(ddm_schema, dict(CREATE, wait=False), ddm)
    assert outcome.failed and "DDM instance orders-ddm (i1) is BACKUP: another operation is under way" in outcome.result["msg"]
    assert ddm.routes("POST") == []


def test_a_write_refused_as_busy_is_sent_again_once_the_instance_is_free(run, http):
    busy = (409, {"error_code": "DBS.200019", "error_msg": "Another operation is being performed."})
    ddm = RoutedDdm(http, schema=[MISSING, detail()], create=[busy, {"job_id": "j1", "name": "orders"}])
    outcome, _warnings = run(ddm_schema, CREATE, ddm)
    assert not outcome.failed and ddm.routes("POST") == ["create", "create"]
    ddm = RoutedDdm(http, schema=[MISSING], create=[busy])
    outcome, _warnings = run(ddm_schema, dict(CREATE, wait=False), ddm)
    assert outcome.failed and "is busy (HTTP 409 DBS.200019" in outcome.result["msg"] and ddm.routes("POST") == ["create"]


def test_info_lists_every_schema_or_reads_one_and_the_offered_data_nodes(run, http):
    item = {"name": "orders", "status": "RUNNING", "shard_mode": "cluster", "shard_number": 4, "created": 1764324000000, "used_rds": NODES}
    ddm = RoutedDdm(http, schemas=[{"databases": [item], "total": 1}])
    outcome, _warnings = run(ddm_schema_info, dict(instance_id="i1", available_data_nodes=True), ddm)
    assert outcome.result["schemas"] == [{"name": "orders", "status": "RUNNING", "shard_mode": "cluster", "shard_number": 4,
                                          "data_nodes": NODES, "created": "2025-11-28T10:00:00Z"}]
    assert outcome.result["available_data_nodes"][0] == {"id": "dn1", "name": "rds-1", "status": "normal", "engine_version": None,
                                                         "private_ip": None, "port": None}
    ddm = RoutedDdm(http, schema=[detail()])
    outcome, _warnings = run(ddm_schema_info, dict(instance_id="i1", name="orders"), ddm)
    assert [schema["shards"][3]["physical_db_name"] for schema in outcome.result["schemas"]] == ["orders_0003"]
    assert "available_data_nodes" not in outcome.result and outcome.result["changed"] is False
    ddm = RoutedDdm(http, schema=[MISSING])
    outcome, _warnings = run(ddm_schema_info, dict(instance_id="i1", name="orders"), ddm)
    assert not outcome.failed and outcome.result["schemas"] == []
