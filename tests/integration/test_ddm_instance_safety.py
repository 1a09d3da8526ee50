# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ddm_instance: what it refuses to change, busy and failed instances, money, writes never repeated, check mode, secrets."""

from __future__ import annotations

import time

from cases import HTML_502, THROTTLED, UNAVAILABLE, assert_no_secrets, retry_warnings  # pylint: disable=import-error
from ddm_instance_cases import (  # pylint: disable=import-error
    CREATE, FAST, INSTANCES_PATH, LARGE, PASSWORD, SMALL, ZONES, assert_failed, assert_ok, instance_case, instance_path,
    run_instance_cases, seed, write_entries, writes,
)
from harness.ansible_runner import case_results  # pylint: disable=import-error
from harness.emulator import ENGINE_VERSIONS, PROJECT_ID, SUBNET_ID, VPC_ID  # pylint: disable=import-error

BUSY_409 = {"status": 409, "json": {"error_code": "DBS.200019", "error_msg": "Another operation is being performed on the DB instance "
                                                                             "or the DB instance is faulty."}}
BUSY_403 = {"status": 403, "json": {"error_code": "DBS.212033", "error_msg": "The instance status does not allow this operation now."}}
OTHER_VPC = "9b5ebc96-4f0a-4b5c-9d0e-1b6d4c8a9e05"


def _warnings(task, text):
    return [warning for warning in task.get("warnings", []) if text in warning]


def test_creation_only_settings_fail_or_warn_and_send_nothing(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    instance_id = seed(emulator, "net-ddm")
    described = "DDM instance net-ddm (%s)" % instance_id
    cases = [instance_case(emulator, "vpc", name="net-ddm", vpc_id=OTHER_VPC, flavor=LARGE),
             instance_case(emulator, "everything", instance_id=instance_id, vpc_id=OTHER_VPC, subnet_id=OTHER_VPC,
                           availability_zones=[ZONES[0], ZONES[2]], node_num=3),
             # The same zones in another order are the same zones.
             instance_case(emulator, "zones-reordered", name="net-ddm", availability_zones=[ZONES[1], ZONES[0]], vpc_id=VPC_ID,
                           subnet_id=SUBNET_ID),
             instance_case(emulator, "engine", name="net-ddm", engine_version=ENGINE_VERSIONS[0])]

    results, task = run_instance_cases(ansible_runner, cases)

    assert_failed(results["vpc"], "%s cannot change: vpc_id is %s, not %s. These are set when an instance is created; nothing was sent" % (
        described, VPC_ID, OTHER_VPC))
    assert_failed(results["everything"], "%s cannot change: vpc_id is %s, not %s; subnet_id is %s, not %s; availability_zones are %s, %s, "
                                         "not %s, %s." % (described, VPC_ID, OTHER_VPC, SUBNET_ID, OTHER_VPC, ZONES[0], ZONES[1], ZONES[0], ZONES[2]))
    for label in ("vpc", "everything"):
        assert results[label]["instance"]["id"] == instance_id and results[label]["changed"] is False
    assert_ok(results["zones-reordered"], False)
    assert_ok(results["engine"], False)
    assert _warnings(task, "%s runs engine version %s, not %s; the engine version is set when an instance is created" % (
        described, ENGINE_VERSIONS[-1], ENGINE_VERSIONS[0])), task.get("warnings")
    assert writes(emulator) == []


def test_busy_instances_are_waited_for_or_named(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    names = ("resizing-ddm", "refused-ddm", "forbidden-ddm", "nowait-ddm")
    resizing, refused, forbidden, refused_no_wait = (seed(emulator, name) for name in names)
    emulator.set_instance_status(resizing, "RESIZING")
    emulator.add_fault(method="PUT", path=refused + "/flavor$", **BUSY_409)
    emulator.add_fault(method="POST", path=forbidden + "/nodes$", **BUSY_403)
    emulator.add_fault(method="PUT", path=refused_no_wait + "/flavor$", **BUSY_409)
    cases = [instance_case(emulator, "in-progress-no-wait", name="resizing-ddm", flavor=LARGE, wait=False),
             instance_case(emulator, "refused-409", name="refused-ddm", flavor=LARGE),
             instance_case(emulator, "refused-403", name="forbidden-ddm", node_num=3),
             instance_case(emulator, "refused-no-wait", name="nowait-ddm", flavor=LARGE, wait=False)]

    results = run_instance_cases(ansible_runner, cases)[0]

    item = results["in-progress-no-wait"]
    assert_failed(item, "DDM instance resizing-ddm (%s) is RESIZING: another operation is under way; set wait: true" % resizing)
    assert item["instance"]["status"] == "RESIZING" and write_entries(emulator, resizing) == []
    # Refused as busy: sent again once the instance read RUNNING, and then accepted.
    refusals = (("refused-409", refused, "PUT", "/flavor", 409, 200), ("refused-403", forbidden, "POST", "/nodes", 403, 202))
    for label, instance_id, method, suffix, refusal, status in refusals:
        assert_ok(results[label], True)
        assert [(entry["method"], entry["path"], entry["status"]) for entry in write_entries(emulator, instance_id)] == [
            (method, instance_path(instance_id, suffix), refusal), (method, instance_path(instance_id, suffix), status)]
        assert len(results[label]["job_ids"]) == 1
    assert results["refused-409"]["instance"]["flavor"] == LARGE and results["refused-403"]["instance"]["node_num"] == 3
    item = results["refused-no-wait"]
    assert_failed(item, "DDM instance nowait-ddm (%s) is busy (" % refused_no_wait, "DBS.200019", "status RUNNING); set wait: true")
    assert len(write_entries(emulator, refused_no_wait)) == 1


def test_waits_for_an_operation_under_way_then_sends(ansible_runner, emulator, await_request):
    """Waits for another run's task that the instance's stale RUNNING hides, then for a status set by someone else; each write is sent
    once, after the wait.

    The test ends each operation under way itself, once the module has been seen waiting on it: never a race with the clock.
    """
    emulator.instance_settings(**dict(FAST, operation_seconds=600, stale_seconds=600, busy_answer=403))
    stale, resizing = seed(emulator, "stale-ddm"), seed(emulator, "waiting-ddm")
    emulator.set_instance_status(resizing, "RESIZING")
    # Another run's resize: accepted, not awaited. The next run reads RUNNING with the old node count (stale), and finds its task.
    cases = [instance_case(emulator, "another-run", name="stale-ddm", flavor=LARGE, wait=False),
             instance_case(emulator, "next-run", name="stale-ddm", node_num=3),
             instance_case(emulator, "status-set-elsewhere", name="waiting-ddm", flavor=LARGE)]

    started = ansible_runner.start(ansible_runner.cases_command(cases, module="ddm_instance"))
    await_request(lambda entry: entry["path"] == instance_path(stale, "/flavor") and entry["status"] == 200, timeout=120)
    [other] = [job for job in emulator.jobs() if job["name"] == "ResizeFlavor" and (job.get("instance") or {}).get("id", job.get("instance_id")) == stale]
    await_request(lambda entry: entry["method"] == "GET" and entry["path"].endswith("/jobs/" + other["id"]), timeout=120)
    emulator.instance_settings(operation_seconds=1, stale_seconds=1)
    emulator.set_instance_status(stale, "RUNNING")  # the other run's resize ends (abandoned: the flavor stays), and its task completes
    emulator.post_job(id=other["id"], name="ResizeFlavor", instance={"id": stale, "name": "stale-ddm"}, duration=0, outcome="Completed")
    show = instance_path(resizing).replace("/v3/", "/v1/")
    await_request(lambda entry: len([seen for seen in emulator.api_requests(show) if seen["method"] == "GET"]) >= 3, timeout=120)
    released = time.time()
    emulator.set_instance_status(resizing, "RUNNING")
    results = case_results(ansible_runner.finish(started), cases)[0]

    item = results["next-run"]
    assert_ok(item, True)
    sent = write_entries(emulator, stale)
    # The other run's resize, then the node change, sent once: never from the stale count while the other task ran.
    assert [(entry["method"], entry["status"]) for entry in sent] == [("PUT", 200), ("POST", 202)]
    assert item["instance"]["node_num"] == 3 and len(item["job_ids"]) == 1
    item = results["status-set-elsewhere"]
    assert_ok(item, True)
    [resize] = write_entries(emulator, resizing)
    assert resize["epoch"] > released and resize["status"] == 200
    assert item["instance"]["flavor"] == LARGE


def test_failed_instances_fail_present_and_are_deleted_by_absent(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    create_failed = seed(emulator, "broken-ddm-1", status="CREATEFAILED", error_msg="Insufficient ECS capacity in cn-north-4a.")
    errored = seed(emulator, "broken-ddm-2", status="ERROR", error_msg="Node ddm-node-1 is unreachable.")
    frozen = seed(emulator, "broken-ddm-3", status="FROZEN")
    cases = [instance_case(emulator, "present-createfailed", name="broken-ddm-1", flavor=SMALL),
             instance_case(emulator, "present-error", name="broken-ddm-2", flavor=LARGE),
             instance_case(emulator, "present-frozen", instance_id=frozen, node_num=3),
             instance_case(emulator, "absent-createfailed", name="broken-ddm-1", state="absent"),
             instance_case(emulator, "absent-error", instance_id=errored, state="absent", delete_data_nodes=True)]

    results = run_instance_cases(ansible_runner, cases)[0]

    assert_failed(results["present-createfailed"], "DDM instance broken-ddm-1 (%s) is CREATEFAILED: Insufficient ECS capacity in "
                                                   "cn-north-4a.: it cannot be changed (state: absent deletes it)" % create_failed)
    assert_failed(results["present-error"], "DDM instance broken-ddm-2 (%s) is ERROR: Node ddm-node-1 is unreachable." % errored)
    assert_failed(results["present-frozen"], "DDM instance broken-ddm-3 (%s) is FROZEN: it cannot be changed" % frozen)
    assert results["present-error"]["instance"]["error_msg"] == "Node ddm-node-1 is unreachable."
    for label, instance_id, value in (("absent-createfailed", create_failed, "false"), ("absent-error", errored, "true")):
        assert_ok(results[label], True)
        assert [(entry["method"], entry["path"], entry["params"]) for entry in write_entries(emulator, instance_id)] == [
            ("DELETE", instance_path(instance_id), {"delete_dn_data": value})]
    assert write_entries(emulator, frozen) == []
    assert [item["id"] for item in emulator.instances()] == [frozen]


def test_yearly_monthly_instances_are_left_to_the_billing_centre(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    prepaid = seed(emulator, "prepaid-ddm", order_id="CS2405201200ABCDE", node_count=3)
    cases = [instance_case(emulator, label, name="prepaid-ddm", **options) for label, options in (
        ("resize", {"flavor": LARGE}), ("add-nodes", {"node_num": 4}), ("remove-nodes", {"node_num": 2}),
        ("resize-and-nodes", {"flavor": LARGE, "node_num": 4}), ("delete", {"state": "absent"}))]
    # A creation answered with an order only (an account that bills yearly/monthly by default): never paid for, never taken as done.
    emulator.add_fault(method="POST", path="/instances$", status=202, json={"order_id": "CS2405201200FGHIJ"})
    cases.append(instance_case(emulator, "create-answered-with-order", name="ordered-ddm", **CREATE))

    results = run_instance_cases(ansible_runner, cases)[0]

    described = "DDM instance prepaid-ddm (%s) is a yearly/monthly instance (order CS2405201200ABCDE)" % prepaid
    for label, what in (("resize", "resize"), ("add-nodes", "add nodes"), ("remove-nodes", "remove nodes"),
                        ("resize-and-nodes", "resize and add nodes")):
        assert_failed(results[label], "%s: %s goes through an order; use the billing centre. Nothing was sent" % (described, what))
    assert_failed(results["delete"], "%s: unsubscribe from it in the billing centre. Nothing was sent" % described)
    item = results.pop("create-answered-with-order")
    assert_failed(item, "DDM answered create DDM instance ordered-ddm with order CS2405201200FGHIJ: a yearly/monthly order, which this "
                        "collection never pays; see the billing centre")
    assert item["job_ids"] == [] and "instance" not in item
    for item in results.values():
        assert item["instance"]["id"] == prepaid and item["changed"] is False
    assert writes(emulator) == [("POST", INSTANCES_PATH, 202)]
    assert emulator.instance(prepaid)["unpaid_orders"] == []


def test_a_create_whose_answer_is_lost_is_never_sent_again(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    create = dict(method="POST", path="/instances$", apply=True)
    emulator.add_fault(drop=True, **create)
    emulator.add_fault(status=504, body="", **create)
    emulator.add_fault(method="POST", path="/instances$", headers={"Retry-After": "1"}, **THROTTLED)
    cases = [instance_case(emulator, "dropped", name="lost-ddm-1", **CREATE),
             instance_case(emulator, "504", name="lost-ddm-2", **CREATE),
             instance_case(emulator, "later-run", name="lost-ddm-1", **CREATE),
             instance_case(emulator, "throttled", name="lost-ddm-3", **CREATE)]

    results, task = run_instance_cases(ansible_runner, cases)

    instances = {item["name"]: item for item in emulator.instances()}
    assert sorted(instances) == ["lost-ddm-1", "lost-ddm-2", "lost-ddm-3"]
    for label, name in (("dropped", "lost-ddm-1"), ("504", "lost-ddm-2")):
        item = results[label]
        assert_ok(item, True)
        assert item["instance"]["id"] == instances[name]["id"] and item["instance"]["status"] == "RUNNING"
        # The creation task was found and followed.
        assert len(item["job_ids"]) == 1 and item["job"]["name"] == "CreateInstance" and item["job"]["status"] == "Completed"
        assert _warnings(task, "The answer to the request to create DDM instance %s was lost" % name), task.get("warnings")
        assert _warnings(task, "the instance it created, %s, was found by name and adopted" % instances[name]["id"])
    assert_ok(results["later-run"], False)
    assert results["later-run"]["instance"]["id"] == instances["lost-ddm-1"]["id"]
    # One POST per instance, but the throttled one: a 429 was not applied, so it is safe to send again.
    assert [status for method, path, status in writes(emulator) if path == INSTANCES_PATH] == [None, 504, 429, 202]
    assert_ok(results["throttled"], True)
    assert results["throttled"]["instance"]["id"] == instances["lost-ddm-3"]["id"]
    assert any(warning.startswith("Huawei Cloud requests were retried 1 time(s): HTTP 429") for warning in retry_warnings(task))


def test_an_adopted_creation_without_a_visible_task_is_waited_for_by_its_status(ansible_runner, emulator):
    emulator.instance_settings(**dict(FAST, create_seconds=3))
    emulator.fail_next("create", "Insufficient ECS capacity in cn-north-4a.")
    emulator.add_fault(count=2, method="POST", path="/instances$", apply=True, drop=True)
    # The task list lags behind: the creation tasks cannot be found.
    emulator.add_fault(count=100, method="GET", path="/v3/%s/jobs$" % PROJECT_ID, status=200, json={"jobs": [], "total_count": 0})
    cases = [instance_case(emulator, "fails", name="unlisted-ddm-1", **CREATE), instance_case(emulator, "ends", name="unlisted-ddm-2", **CREATE)]

    results, task = run_instance_cases(ansible_runner, cases)

    instances = {item["name"]: item for item in emulator.instances()}
    item = results["fails"]
    assert_failed(item, "DDM instance unlisted-ddm-1 (%s) is CREATEFAILED: Insufficient ECS capacity in cn-north-4a." % instances["unlisted-ddm-1"]["id"])
    assert item["instance"]["status"] == "CREATEFAILED" and item["job_ids"] == []
    item = results["ends"]
    assert_ok(item, True)
    assert item["instance"]["id"] == instances["unlisted-ddm-2"]["id"] and item["instance"]["status"] == "RUNNING" and item["job_ids"] == []
    assert [status for method, path, status in writes(emulator) if path == INSTANCES_PATH] == [None, None]
    assert len(_warnings(task, "was found by name and adopted")) == 2


def test_node_changes_whose_answer_is_lost_are_never_sent_again(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    grow, shrink = seed(emulator, "grow-ddm"), seed(emulator, "shrink-ddm", node_count=4)
    emulator.add_fault(method="POST", path=grow + "/nodes$", apply=True, drop=True)
    emulator.add_fault(method="POST", path=shrink + "/action/reduce$", apply=True, status=502, body=HTML_502)
    # Reads are retried as ever.
    emulator.add_fault(method="GET", path="/v1/%s/instances/%s$" % (PROJECT_ID, grow), **UNAVAILABLE)
    cases = [instance_case(emulator, "grow", name="grow-ddm", node_num=4), instance_case(emulator, "shrink", name="shrink-ddm", node_num=2)]

    results, task = run_instance_cases(ansible_runner, cases)

    expected = (("grow", grow, "/nodes", None, 4, "EnlargeNode"), ("shrink", shrink, "/action/reduce", 502, 2, "ReduceNode"))
    for label, instance_id, suffix, status, nodes, task_name in expected:
        item = results[label]
        assert_ok(item, True)
        assert [(entry["method"], entry["path"].rsplit(instance_id, 1)[1], entry["status"]) for entry in write_entries(emulator, instance_id)] == [
            ("POST", suffix, status)]
        assert item["instance"]["node_num"] == nodes and emulator.instance(instance_id)["node_count"] == nodes
        [job_id] = item["job_ids"]
        assert item["job"]["id"] == job_id and item["job"]["name"] == task_name and item["job"]["status"] == "Completed"
        assert _warnings(task, "The answer to the request to %s DDM instance %s (%s) was lost" % (
            "add nodes to" if label == "grow" else "remove nodes from", label + "-ddm", instance_id)), task.get("warnings")
        assert _warnings(task, "its task %s was found and followed" % job_id)
    assert any(warning.startswith("Huawei Cloud requests were retried") and "HTTP 503 APIGW.0203 x1" in warning
               for warning in retry_warnings(task)), task.get("warnings")


def test_a_resize_or_delete_whose_answer_is_lost_is_read_back_never_sent_again(ansible_runner, emulator):
    """A resize or delete whose answer was lost is read back like a creation: its new task is found (created after the request, not
    listed before it) and followed, and the instance is as asked once it ends; nothing is sent a second time."""
    emulator.instance_settings(**FAST)
    resized, deleted = seed(emulator, "resent-ddm-1"), seed(emulator, "resent-ddm-2")
    emulator.add_fault(method="PUT", path=resized + "/flavor$", apply=True, drop=True)
    emulator.add_fault(method="DELETE", path=deleted + "$", apply=True, status=504, body="")
    cases = [instance_case(emulator, "resize", name="resent-ddm-1", flavor=LARGE),
             instance_case(emulator, "delete", name="resent-ddm-2", state="absent")]

    results, task = run_instance_cases(ansible_runner, cases)

    item = results["resize"]
    assert_ok(item, True)
    assert item["actions"] == ["resize"] and item["instance"]["flavor"] == LARGE and len(item["job_ids"]) == 1
    assert [entry["status"] for entry in write_entries(emulator, resized)] == [None]
    assert emulator.instance(resized)["flavor_ref"] == LARGE
    item = results["delete"]
    assert_ok(item, True)
    assert item["actions"] == ["delete"] and "instance" not in item and len(item["job_ids"]) == 1
    assert [entry["status"] for entry in write_entries(emulator, deleted)] == [504]
    assert [instance["id"] for instance in emulator.instances()] == [resized]
    assert _warnings(task, "The answer to the request to resize DDM instance resent-ddm-1 (%s) was lost" % resized), task.get("warnings")
    assert _warnings(task, "The answer to the request to delete DDM instance resent-ddm-2 (%s) was lost" % deleted), task.get("warnings")


def test_check_mode_only_reads_and_diff_never_shows_the_password(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    change, remove = seed(emulator, "check-ddm-1", admin_user_name="root"), seed(emulator, "check-ddm-2")
    cases = [instance_case(emulator, "create", name="check-ddm-new", admin_user="root", **CREATE),
             instance_case(emulator, "change", name="check-ddm-1", flavor=LARGE, node_num=4, update_password="always"),
             instance_case(emulator, "delete", instance_id=remove, state="absent"),
             instance_case(emulator, "same", name="check-ddm-1", flavor=SMALL, node_num=2)]

    run = ansible_runner.run(ansible_runner.cases_command(cases, {"admin_password": PASSWORD}, check=True, module="ddm_instance"),
                             env={"ANSIBLE_DIFF_ALWAYS": "true"})

    results = case_results(run, cases)[0]
    assert {entry["method"] for entry in emulator.requests_log()} == {"GET"}
    item = results["create"]
    assert_ok(item, True)
    # Nothing is sent in check mode: the plan is under planned, actions stays empty.
    assert item["planned"] == ["create"] and item["actions"] == [] and item["job_ids"] == [] and "instance" not in item
    after = {"name": "check-ddm-new", "security_group_id": CREATE["security_group_id"], "flavor": SMALL, "node_num": 2}
    assert item["diff"] == {"before": {}, "after": after}
    item = results["change"]
    assert_ok(item, True)
    assert item["planned"] == ["resize", "add nodes", "reset admin password"] and item["actions"] == []
    assert item["diff"] == {"before": {"flavor": SMALL, "node_num": 2}, "after": {"flavor": LARGE, "node_num": 4}}
    assert item["instance"]["id"] == change and item["instance"]["flavor"] == SMALL
    item = results["delete"]
    assert_ok(item, True)
    assert item["planned"] == ["delete"] and item["actions"] == [] and item["diff"]["after"] == {}
    assert item["diff"]["before"]["name"] == "check-ddm-2" and item["diff"]["before"]["node_num"] == 2
    assert_ok(results["same"], False)
    assert "diff" not in results["same"] or results["same"]["diff"] == {"before": {}, "after": {}}
    assert PASSWORD not in run.stdout + run.stderr
    assert [item["flavor_ref"] for item in emulator.instances()] == [SMALL, SMALL]


def test_no_password_anywhere_in_the_output(ansible_runner, emulator):
    # The first creation fails (fail_next), the second succeeds; then a password reset and a resize.
    cases = [instance_case(emulator, "create-fails", name="secret-ddm-bad", admin_user="root", **CREATE),
             instance_case(emulator, "create", name="secret-ddm-new", admin_user="root", **CREATE),
             instance_case(emulator, "reset", name="secret-ddm", update_password="always"),
             instance_case(emulator, "resize", name="secret-ddm", update_password="always", flavor=LARGE)]
    # Secrets go where users should put them: play variables (the defaults), not the printed loop items.
    defaults = {"admin_password": PASSWORD, "auth_token": cases[0]["auth_token"]}
    for case in cases:
        del case["auth_token"]
    env = {"ANSIBLE_DIFF_ALWAYS": "true", "ANSIBLE_INJECT_INVOCATION": "true"}

    for json_output in (True, False):
        emulator.reset()
        emulator.instance_settings(**FAST)
        seed(emulator, "secret-ddm", admin_user_name="root")
        emulator.fail_next("create", "The creation failed.")
        command = ansible_runner.cases_command(cases, defaults, verbosity=4, module="ddm_instance")

        run = ansible_runner.run(command, env=env, json_output=json_output)

        assert run.rc == 0, run
        assert PASSWORD not in run.stdout + run.stderr, run
        assert_no_secrets(run)
        # The password was passed (masked), and each case did what it should.
        assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.stdout, run
        assert [item["admin_password_set"] for item in emulator.instances() if item["name"] != "secret-ddm-bad"] == [True, True]
        if json_output:
            results = case_results(run, cases)[0]
            assert_failed(results["create-fails"], "The creation failed.")
            assert results["create-fails"]["instance"]["status"] == "CREATEFAILED"
            for label in ("create", "reset", "resize"):
                assert_ok(results[label], True)
