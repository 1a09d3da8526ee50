# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ddm_instance against the emulator's hostile paths: concurrent creators, a transient 404, a list that repeats an id, a node change
refused with 502/503, a lost creation answer with a failing task lookup, unreadable 2xx answers, and an id and a name that disagree."""

from __future__ import annotations

import json
import os
import re

from ddm_instance_cases import (  # pylint: disable=import-error
    CREATE, FAST, INSTANCES_PATH, LARGE, WAIT, assert_failed, assert_ok, instance_case, run_instance_cases, seed, write_entries, writes,
)
from cases import token_case  # pylint: disable=import-error
from harness.emulator import ACCESS_KEY, PROJECT_ID, SECRET_KEY, SECURITY_GROUP_ID, SUBNET_ID, VPC_ID  # pylint: disable=import-error

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "examples")
AKSK = {"HW_ACCESS_KEY": ACCESS_KEY, "HW_SECRET_KEY": SECRET_KEY}
NETWORK = {"vpc_id": VPC_ID, "subnet_id": SUBNET_ID, "security_group_id": SECURITY_GROUP_ID}
PARAMETER_ERROR = {"status": 500, "json": {"error_code": "DBS.280001", "error_msg": "Parameter error"}}


def _warnings(task, text):
    return [warning for warning in task.get("warnings", []) if text in warning]


def test_concurrent_forks_creating_one_name_all_fail_naming_every_id_their_own_first(ansible_runner, emulator, tmp_path):
    emulator.instance_settings(**dict(FAST, create_seconds=4))
    # Every creation is held before the service sees it, so that the hosts' creations overlap: each finds no instance, and each creates.
    emulator.control("POST", "latency", {"method": "POST", "path": "/instances$", "delay": 5, "where": "before", "label": "race"})
    hosts = ["fork%d" % number for number in range(4)]
    options = dict(token_case(emulator, "race", name="race-ddm", **dict(WAIT, **CREATE)))
    del options["case"]
    playbook = tmp_path / "race.yml"
    playbook.write_text("- hosts: all\n  gather_facts: false\n  tasks:\n    - name: Create one instance from every host\n"
                        "      huaweicloud.cloud.ddm_instance: %s\n" % json.dumps(options), encoding="utf-8")
    try:
        run = ansible_runner.run(ansible_runner.playbook_command(str(playbook), hosts={host: {} for host in hosts}, forks=len(hosts)))
    finally:
        emulator.control("DELETE", "latency")

    results = dict(run.tasks())["Create one instance from every host"]
    created = sorted(item["id"] for item in emulator.instances() if item["name"] == "race-ddm")
    assert len(created) > 1, created  # the race happened: several instances of the name
    named = set()
    for host in hosts:
        item = results[host]
        assert item.get("failed") is True, item
        own = item["instance"]["id"]
        # Each names every instance of the name it saw (those created by then), its own first.
        found = re.match(r"(\d+) DDM instances are named race-ddm now: %s \(created by this run\), (.*): another run created the same name at "
                         r"the same time\. Keep one and delete the others; in a play over many hosts, create with run_once$" % own, item["msg"])
        assert found and int(found.group(1)) >= 2, item["msg"]
        others = found.group(2).split(", ")
        assert len(others) == int(found.group(1)) - 1 and own not in others and set(others) <= set(created)
        named.update(others + [own])
    assert sorted(results[host]["instance"]["id"] for host in hosts) == created and named == set(created)


def test_a_transient_404_on_show_is_read_again_and_never_created_over(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    instance_id = seed(emulator, "flaky-ddm")
    emulator.control("POST", "instances/%s/not_found" % instance_id, {"count": 2, "calls": ["show"]})
    results = run_instance_cases(ansible_runner, [instance_case(emulator, "present", name="flaky-ddm", **CREATE)])[0]
    assert_ok(results["present"], False)
    assert results["present"]["instance"]["id"] == instance_id and writes(emulator) == []
    assert [item["id"] for item in emulator.instances()] == [instance_id]


def test_a_list_page_that_repeats_an_id_is_never_taken_for_complete(ansible_runner, emulator):
    """The first page shows its first instance twice and one never: total_record stays right, so the list is read further (and
    once more when cut short) until every instance is seen; never a second instance, and ddm_instance_info finds it."""
    emulator.instance_settings(**FAST)
    seed(emulator, "first-ddm")
    hidden = seed(emulator, "hidden-ddm")  # newest first: the second slot, which the repeated first item takes
    seed(emulator, "last-ddm")
    emulator.control("POST", "instances/list_repeat", {"mode": "twice", "count": 1})

    results = run_instance_cases(ansible_runner, [instance_case(emulator, "present", name="hidden-ddm", **CREATE)])[0]

    assert_ok(results["present"], False)
    assert results["present"]["instance"]["id"] == hidden and writes(emulator) == []
    assert len(emulator.instances()) == 3
    emulator.control("POST", "instances/list_repeat", {"mode": "twice", "count": 1})
    info = ansible_runner.run_cases([token_case(emulator, "info", name="hidden-ddm")], module="ddm_instance_info")[0]
    assert [item["id"] for item in info["info"]["instances"]] == [hidden]


def test_a_node_change_refused_with_502_or_503_never_adopts_the_previous_runs_task(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    grow, shrink = seed(emulator, "grow-ddm"), seed(emulator, "shrink-ddm", node_count=4)
    earlier = run_instance_cases(ansible_runner, [instance_case(emulator, "grow", name="grow-ddm", node_num=3),
                                                  instance_case(emulator, "shrink", name="shrink-ddm", node_num=3)])[0]
    for item in earlier.values():
        assert_ok(item, True)
    # Refused before the service saw them (not applied): no task is new, and the previous run's tasks are not taken for theirs.
    emulator.add_fault(method="POST", path=grow + "/nodes$", status=503, body="")
    emulator.add_fault(method="POST", path=shrink + "/action/reduce$", status=502, body="<html><title>502 Bad Gateway</title></html>")
    cases = [instance_case(emulator, "grow", name="grow-ddm", node_num=4, wait_timeout=20),
             instance_case(emulator, "shrink", name="shrink-ddm", node_num=2, wait_timeout=20)]

    results = run_instance_cases(ansible_runner, cases)[0]

    for label, instance_id, what, count in (("grow", grow, "add nodes to", 3), ("shrink", shrink, "remove nodes from", 3)):
        item = results[label]
        assert_failed(item, "The request to %s DDM instance %s-ddm (%s) got no clear answer (HTTP 50" % (what, label, instance_id),
                      "it may or may not have been applied", "check the node count of DDM instance %s-ddm" % label)
        assert item["job_ids"] == [] and item["actions"] == [what.split()[0] + " nodes"] and item["instance"]["id"] == instance_id
        assert emulator.instance(instance_id)["node_count"] == count and len(write_entries(emulator, instance_id)) == 2


def test_a_lost_creation_answer_then_a_failing_task_lookup_keeps_the_id(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    emulator.add_fault(method="POST", path="/instances$", apply=True, drop=True)
    emulator.add_fault(count=50, method="GET", path="/v3/%s/jobs$" % PROJECT_ID, **PARAMETER_ERROR)

    results, task = run_instance_cases(ansible_runner, [instance_case(emulator, "lost", name="lost-ddm", **CREATE)])

    [created] = emulator.instances()
    item = results["lost"]
    assert_ok(item, True)
    assert item["instance"]["id"] == created["id"] and item["instance"]["status"] == "RUNNING" and item["job_ids"] == []
    assert _warnings(task, "The creation task of DDM instance lost-ddm (%s) could not be looked up" % created["id"]), task.get("warnings")
    assert [status for _method, path, status in writes(emulator) if path == INSTANCES_PATH] == [None]


def test_an_unreadable_2xx_after_an_applied_create_is_read_back(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    garbles = ("html", "truncated", "wrong_types", "empty")
    for garble in garbles:
        emulator.add_fault(method="POST", path="/instances$", garble=garble)
    cases = [instance_case(emulator, garble, name="garbled-ddm-%d" % number, wait=False, **CREATE) for number, garble in enumerate(garbles)]

    results, task = run_instance_cases(ansible_runner, cases)

    instances = {item["name"]: item["id"] for item in emulator.instances()}
    for number, garble in enumerate(garbles):
        item = results[garble]
        assert_ok(item, True)
        assert item["instance"]["id"] == instances["garbled-ddm-%d" % number] and item["actions"] == ["create"]
        assert _warnings(task, "the instance it created, %s, was found by name and adopted" % instances["garbled-ddm-%d" % number])
    assert [status for _method, path, status in writes(emulator) if path == INSTANCES_PATH] == [202] * 4


def test_absent_with_an_id_and_a_name_that_disagree_deletes_nothing_and_a_hidden_order_fails(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    keep, other = seed(emulator, "keep-ddm"), seed(emulator, "other-ddm")
    prepaid = seed(emulator, "prepaid-ddm", order_id="CS2405201200ABCDE")
    emulator.control("POST", "instances/%s/order_id_shown" % prepaid, {"shown": "absent"})
    cases = [instance_case(emulator, "mismatch", instance_id=keep, name="other-ddm", state="absent"),
             instance_case(emulator, "hidden-order", name="prepaid-ddm", flavor=LARGE)]

    results = run_instance_cases(ansible_runner, cases)[0]

    assert_failed(results["mismatch"], "instance_id %s is DDM instance keep-ddm, not other-ddm: refusing to delete" % keep)
    assert results["mismatch"]["changed"] is False
    assert sorted(item["id"] for item in emulator.instances()) == sorted([keep, other, prepaid])
    item = results["hidden-order"]
    assert_failed(item, "DDM answered resize DDM instance prepaid-ddm (%s) with order " % prepaid, "see the billing centre")
    assert [(method, status) for method, _path, status in writes(emulator)] == [("PUT", 200)]


def test_a_rerun_of_the_many_instances_example_waits_for_creations_under_way_then_configures(ansible_runner, emulator, await_request):
    emulator.instance_settings(**dict(FAST, create_seconds=1))
    tenants = [{"name": "tenant-%02d" % number} for number in range(2)]
    playbook = os.path.join(EXAMPLES, "gate_on_many_instances.yml")
    variables = dict(NETWORK, hw_ddm_endpoint=emulator.url, hw_iam_endpoint=emulator.url, ddm_wait_timeout=60, ddm_instances=tenants)
    ansible_runner.run(ansible_runner.playbook_command(playbook, variables), env=AKSK)
    # An earlier run began creating them and stopped: they still read CREATING, and no task of this run stands for them.
    ids = [item["id"] for item in emulator.instances()]
    for instance_id in ids:
        emulator.set_instance_status(instance_id, "CREATING")

    started = ansible_runner.start(ansible_runner.playbook_command(playbook, variables), env=AKSK)
    for instance_id in ids:
        show = "/v1/%s/instances/%s" % (PROJECT_ID, instance_id)
        await_request(lambda entry, show=show: len([seen for seen in emulator.api_requests(show) if seen["method"] == "GET"]) >= 3, timeout=120)
        emulator.set_instance_status(instance_id, "RUNNING")
    run = ansible_runner.finish(started)

    assert run.rc == 0, run
    waited = run.result("Wait for the instances an earlier run began creating")["results"]
    assert [item["instance"]["status"] for item in waited] == ["RUNNING", "RUNNING"]
    assert len(run.result("Configure each instance")["results"]) == 2 and len(emulator.instances()) == 2
