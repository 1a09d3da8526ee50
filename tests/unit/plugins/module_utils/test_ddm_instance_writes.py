# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ddm_instance's write safety: the module class run on scripted HTTP answers (routed by method and path), a simulated clock."""

from __future__ import annotations

import re
import types

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._ansible.progress import ProgressReporter
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.deadline import Deadline
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import HuaweiCloudError
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.job_waiter import JobWaiter
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.jobs import DdmJobs
from ansible_collections.huaweicloud.cloud.plugins.modules.ddm_instance import DdmInstance

ENDPOINT = "https://ddm.example.invalid"
ZONES = ["az1", "az2"]
SHOWN = dict(id="i1", name="ddm-a", status="RUNNING", flavor_ref="small", node_count=2, available_zone="az1,az2", vpc_id="v", subnet_id="s",
             security_group_id="g", engine_version="3.0", created="2026-11-28T10:00:00+0000", order_id="")
CREATE = dict(flavor="small", node_num=2, engine_version="3.0", availability_zones=ZONES, vpc_id="v", subnet_id="s", security_group_id="g")
ON_SALE = [{"code": zone, "status": "normal"} for zone in ZONES]
FLAVORS = {"flavor_groups": [{"group_type": "X86", "flavors": [{"spec_code": code, "az_infos": ON_SALE} for code in ("small", "large")]}]}
LIST = ("GET", r"/v1/pid/instances$")
SHOW = ("GET", r"/v1/pid/instances/i1$")
JOBS = ("GET", r"/v3/pid/jobs$")
FLAVOR_LIST = ("GET", r"/v3/pid/flavors$")
ENGINE_LIST = ("GET", r"/v3/pid/engines$")
ENGINES = (200, {"engine_groups": [{"id": "e1", "name": "ddm", "version": "3.0"}], "total": 1})
NOT_FOUND = (404, {"errCode": "DBS.200002", "externalMessage": "The DB instance does not exist."})


def listed(*items):
    return (200, {"instances": list(items), "total_record": len(items)})


def jobs(*items):
    return (200, {"jobs": list(items), "total": len(items)})


def job(job_id, name, status="Running", instance_id="i1", created="2026-11-28T10:00:00Z"):
    return dict(id=job_id, name=name, status=status, instance_id=instance_id, created_time=created)


class RoutedSession:
    """Answers each request from the script of the first route (method, path regex) it matches; a script's last answer repeats."""

    def __init__(self, routes):
        self.routes = [(method, re.compile(path), list(answers)) for (method, path), answers in routes.items()]
        self.sent = []
        self.auth = None
        self.http = None

    def request(self, method, url, **kwargs):
        self.sent.append((method, url.split("?")[0].replace(ENDPOINT, "")))
        for route_method, path, answers in self.routes:
            if route_method == method and path.search(url.split("?")[0]):
                item = answers.pop(0) if len(answers) > 1 else answers[0]
                if isinstance(item, Exception):
                    raise item
                status, body = item[0], item[1]
                return self.http.answer(status, text=body) if isinstance(body, str) else self.http.answer(status, body)
        raise AssertionError("no route for %s %s" % (method, url))

    def writes(self):
        return [(method, path) for method, path in self.sent if method != "GET"]


def run(http, clock, routes, check_mode=False, **options):
    """Run DdmInstance with ``options`` over the routes; return (result, failure message or None, session, warnings)."""
    session = RoutedSession(routes)
    session.http = http
    client, _sleeps = http.client(session, clock=clock, max_retries=1)
    params = {key: spec.get("default") for key, spec in DdmInstance.argument_spec().items()}
    params.update(dict(wait_interval=2, wait_timeout=120), **options)
    warnings = []
    module = types.SimpleNamespace(params=params, check_mode=check_mode, warn=lambda text, **_options: warnings.append(text), no_log_values=set(),
                                   _diff=False)
    ddm = DdmInstance(module)
    ddm.clock, ddm.sleep = clock, clock.sleep
    ddm.client, ddm.endpoint, ddm.deadline = client, ENDPOINT, Deadline(params["wait_timeout"], clock, whole_run=True)
    ddm.reporter = ProgressReporter(None)
    ddm.jobs = DdmJobs(client, ENDPOINT)
    ddm.job_waiter = JobWaiter(ddm.jobs, ddm.warn, ddm.reporter, clock=clock, sleep=clock.sleep)
    message = None
    try:
        with client.within(ddm.deadline):
            ddm.run()
    except HuaweiCloudError as exc:
        message = ddm.failure(exc)
    return dict(ddm.result, changed=ddm.changed), message, session, warnings


def test_a_transient_404_on_show_of_a_listed_instance_is_read_again_never_created_over(http, clock):
    result, message, session, _warnings = run(http, clock, {LIST: [listed(SHOWN)], SHOW: [NOT_FOUND, (200, SHOWN)]}, name="ddm-a", **CREATE)
    assert message is None and result["instance"]["id"] == "i1" and result["changed"] is False and session.writes() == []


def test_a_listed_instance_whose_show_keeps_answering_404_fails_and_creates_nothing(http, clock):
    result, message, session, _warnings = run(http, clock, {LIST: [listed(SHOWN)], SHOW: [NOT_FOUND], FLAVOR_LIST: [(200, FLAVORS)]},
                                              name="ddm-a", **CREATE)
    assert "DDM instance ddm-a (i1) is in the instance list, but its show call answers that it does not exist" in message
    assert session.writes() == [] and result["instance"]["id"] == "i1"


def test_a_list_cut_short_twice_refuses_to_create(http, clock):
    other = dict(SHOWN, id="i2", name="other")
    repeated = (200, {"instances": [other, other], "total_record": 3})
    result, message, session, _warnings = run(http, clock, {LIST: [repeated, (200, {"instances": [], "total_record": 3})]}, name="ddm-a", **CREATE)
    assert message.startswith("The DDM instance list was cut short") and session.writes() == [] and result["changed"] is False


def test_absent_with_a_name_and_an_id_that_disagree_refuses_naming_both(http, clock):
    result, message, session, _warnings = run(http, clock, {SHOW: [(200, dict(SHOWN, name="precious"))]}, instance_id="i1", name="ddm-a",
                                              state="absent")
    assert message == ("instance_id i1 is DDM instance precious, not ddm-a: refusing to delete on a name and an id that disagree; nothing was "
                       "changed")
    assert session.writes() == [] and result["changed"] is False


def test_an_instance_being_deleted_ends_absent_ok_without_a_write_and_present_never_writes_to_it(http, clock):
    deleting = dict(SHOWN, status="DELETING")
    result, message, session, _warnings = run(http, clock, {SHOW: [(200, deleting), NOT_FOUND]}, instance_id="i1", state="absent")
    assert message is None and result["changed"] is False and "instance" not in result and session.writes() == []
    result, message, session, _warnings = run(http, clock, {LIST: [listed(deleting)], SHOW: [(200, deleting)]}, name="ddm-a", node_num=3)
    assert message == "DDM instance ddm-a (i1) is being deleted (DELETING): nothing was sent to it" and session.writes() == []


def test_with_wait_an_operation_under_way_is_waited_for_even_when_nothing_is_to_change(http, clock):
    result, message, session, _warnings = run(http, clock, {SHOW: [(200, dict(SHOWN, status="CREATING"))] * 3 + [(200, SHOWN)]}, instance_id="i1")
    assert message is None and result["instance"]["status"] == "RUNNING" and result["changed"] is False
    assert len(session.sent) == 4 and session.writes() == []


def test_a_stale_running_instance_whose_task_still_runs_is_not_planned_from(http, clock):
    result, message, session, _warnings = run(http, clock, {SHOW: [(200, SHOWN)], JOBS: [jobs(job("j7", "ReduceNode"))]}, instance_id="i1",
                                              node_num=1, wait=False)
    assert "reads RUNNING, but its task j7 (ReduceNode) is still running" in message
    assert session.writes() == [] and result["actions"] == [] and result["changed"] is False


def test_after_a_create_two_instances_of_the_name_fail_naming_every_id_its_own_first(http, clock):
    ours, theirs = dict(SHOWN, status="CREATING"), dict(SHOWN, id="i0", status="CREATING")
    result, message, session, _warnings = run(http, clock, {LIST: [listed(), listed(theirs, ours)], FLAVOR_LIST: [(200, FLAVORS)], ENGINE_LIST: [ENGINES],
                                                            ("POST", r"/v3/pid/instances$"): [(202, {"id": "i1", "job_id": "j1"})]},
                                              name="ddm-a", **CREATE)
    assert message.startswith("2 DDM instances are named ddm-a now: i1 (created by this run), i0: another run created the same name")
    assert "run_once" in message and result["instance"]["id"] == "i1" and result["changed"] is True
    assert session.writes() == [("POST", "/v3/pid/instances")]


def test_a_lost_creation_answer_then_a_failing_task_lookup_keeps_the_id(http, clock):
    created = dict(SHOWN, status="CREATING")
    failing = (500, {"error_code": "DBS.280001", "error_msg": "Parameter error"})
    result, message, session, warnings = run(
        http, clock, {LIST: [listed(), listed(created)], FLAVOR_LIST: [(200, FLAVORS)], ENGINE_LIST: [ENGINES], ("POST", r"/v3/pid/instances$"): [(504, "")],
                      JOBS: [failing], SHOW: [(200, created), (200, dict(SHOWN, status="CREATEFAILED", error_msg="No capacity"))]},
        name="ddm-a", **CREATE)
    assert message == "DDM instance ddm-a (i1) is CREATEFAILED: No capacity"
    assert result["instance"]["id"] == "i1" and result["actions"] == ["create"] and session.writes() == [("POST", "/v3/pid/instances")]
    assert any("could not be looked up (HTTP 500 DBS.280001" in warning for warning in warnings)


def test_an_unreadable_2xx_after_an_applied_create_is_read_back(http, clock):
    created = dict(SHOWN, status="CREATING")
    result, message, _session, warnings = run(
        http, clock, {LIST: [listed(), listed(created)], FLAVOR_LIST: [(200, FLAVORS)], ENGINE_LIST: [ENGINES],
                      ("POST", r"/v3/pid/instances$"): [(202, "<html><title>Request accepted</title></html>")],
                      JOBS: [jobs(job("j0", "CreateInstance", created="2026-11-28T10:00:00Z"), job("j1", "CreateInstance", created="2099-01-01T00:00:00Z"))],
                      SHOW: [(200, SHOWN)]},
        name="ddm-a", wait=False, **CREATE)
    # The creation task is adopted: new since the request (an older one of the id is not).
    assert message is None and result["instance"]["id"] == "i1" and result["changed"] is True and result["job_ids"] == ["j1"]
    assert any("was found by name and adopted" in warning for warning in warnings)


def test_a_node_change_refused_with_503_never_adopts_an_older_task(http, clock):
    older = job("j0", "EnlargeNode", status="Completed")
    result, message, session, _warnings = run(
        http, clock, {SHOW: [(200, SHOWN)], JOBS: [jobs(older)], ("POST", r"/nodes$"): [(503, "")]}, instance_id="i1", node_num=3)
    assert "The request to add nodes to DDM instance ddm-a (i1) got no clear answer (HTTP 503" in message
    assert "it may or may not have been applied" in message and "check the node count of DDM instance ddm-a (i1)" in message
    assert result["actions"] == ["add nodes"] and result["job_ids"] == [] and session.writes() == [("POST", "/v3/pid/instances/i1/nodes")]


def test_an_order_in_a_change_answer_fails_naming_it_whatever_the_show_said(http, clock):
    result, message, _session, _warnings = run(
        http, clock, {SHOW: [(200, SHOWN)], JOBS: [jobs()], FLAVOR_LIST: [(200, FLAVORS)], ("PUT", r"/flavor$"): [(200, {"order_id": "CS99"})]},
        instance_id="i1", flavor="large")
    assert message.startswith("DDM answered resize DDM instance ddm-a (i1) with order CS99: a yearly/monthly order")
    assert result["job_ids"] == []


def test_a_write_refused_with_a_4xx_leaves_changed_false_and_check_mode_plans(http, clock):
    refused = (400, {"error_code": "DBS.280001", "error_msg": "Parameter error"})
    routes = {SHOW: [(200, SHOWN)], JOBS: [jobs()], FLAVOR_LIST: [(200, FLAVORS)], ("PUT", r"/flavor$"): [refused]}
    result, message, _session, _warnings = run(http, clock, routes, instance_id="i1", flavor="large")
    assert message.startswith("HTTP 400 DBS.280001") and result["changed"] is False and result["actions"] == []
    result, message, session, _warnings = run(http, clock, routes, check_mode=True, instance_id="i1", flavor="large", node_num=3)
    assert message is None and result["planned"] == ["resize", "add nodes"] and result["actions"] == [] and result["changed"] is True
    assert session.writes() == []


@pytest.mark.parametrize("lost", [(504, ""), (202, "{\"job_id\": ")])
def test_a_resize_whose_outcome_is_unclear_is_read_back_through_its_new_task(http, clock, lost):
    new = job("j9", "ResizeFlavor", status="Completed", created="2099-01-01T00:00:00Z")
    result, message, session, warnings = run(
        http, clock, {SHOW: [(200, SHOWN), (200, dict(SHOWN, flavor_ref="large"))], JOBS: [jobs(), jobs(), jobs(new)],
                      FLAVOR_LIST: [(200, FLAVORS)], ("PUT", r"/flavor$"): [lost], ("GET", r"/v3/pid/jobs/j9$"): [(200, {"job": new})]},
        instance_id="i1", flavor="large")
    assert message is None and result["job_ids"] == ["j9"] and result["instance"]["flavor"] == "large"
    assert session.writes() == [("PUT", "/v3/pid/instances/i1/flavor")] and any("its task j9 was found and followed" in w for w in warnings)
