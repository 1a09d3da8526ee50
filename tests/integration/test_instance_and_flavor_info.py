# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ddm_instance_info and ddm_flavor_info against the emulator, and ddm_instance's refusal of a flavor not on sale.

ddm_instance_info: one instance by id (the show call, with nodes; an unknown id is an empty list),
exact names matched in the module and never sent, statuses in any case, only the project's
instances, every instance once over many pages whether the server reads ``offset`` as an index or
a page number, a bounded number of requests, and a warning when the list is cut short.
ddm_flavor_info: each flavor's status in the zones asked for, the CPU architecture filter, the
engine versions, engine_id or engine_version, and bad input refused before any request.
"""

from __future__ import annotations

import json
import math
import os

import pytest

from cases import token_case  # pylint: disable=import-error
from harness.emulator import (  # pylint: disable=import-error
    AVAILABLE_ZONES, ENGINES, FLAVORS, PROJECT_ID, SECURITY_GROUP_ID, STATIC_TOKEN, SUBNET_ID, SUBPROJECT_ID, VPC_ID,
)

INSTANCE_INFO = "huaweicloud.cloud.ddm_instance_info"
FLAVOR_INFO = "huaweicloud.cloud.ddm_flavor_info"
INSTANCE = "huaweicloud.cloud.ddm_instance"
LIST_PATH = "/v1/%s/instances" % PROJECT_ID
# Matches the list call only (the fault path is searched in the request path, without the query).
LIST_FAULT_PATH = "^%s$" % LIST_PATH
PAGE_SIZE = 128
MAX_LIST_PAGES = 100
ZONE_A, ZONE_B, ZONE_C = AVAILABLE_ZONES
NEWEST_ENGINE = max(ENGINES, key=lambda engine: [int(part) for part in engine["version"].split(".")])
# What every instance in a result carries: ddm_instance's ``instance`` (nodes only from the show call).
VIEW_KEYS = {"id", "name", "status", "flavor", "node_num", "availability_zones", "vpc_id", "subnet_id", "security_group_id", "engine_version",
             "access_ip", "access_port", "enterprise_project_id", "created", "updated", "error_msg", "order_id", "admin_user", "vcpus", "ram"}
NODE_KEYS = {"node_id", "status", "ip", "port", "group_id"}
FLAVORS_BY_CODE = {flavor["spec_code"]: flavor for flavor in FLAVORS}


def show_path(instance_id):
    return "%s/%s" % (LIST_PATH, instance_id)


def ok(item):
    assert item.get("failed") is not True, item
    return item


def ids(item):
    return [instance["id"] for instance in ok(item)["instances"]]


def list_calls(emulator):
    return [entry for entry in emulator.requests_log() if entry["path"] == LIST_PATH]


def writes(emulator):
    return [(entry["method"], entry["path"]) for entry in emulator.requests_log() if entry["method"] != "GET"]


def cut_short_warnings(task):
    # A loop's item warnings are gathered on the task result.
    return [warning for warning in task.get("warnings", []) if warning.startswith("The DDM instance list was cut short")]


def fake_item(number):
    """A list item as the API gives one (for answers scripted with faults)."""
    return {"id": "fake%04din09" % number, "name": "fake-%04d" % number, "status": "RUNNING", "available_zone": ZONE_A, "node_count": 2,
            "flavor_ref": FLAVORS[0]["spec_code"], "engine_version": NEWEST_ENGINE["version"]}


def fake_page(numbers, total):
    return {"instances": [fake_item(number) for number in numbers], "instance_num": len(numbers), "total_record": total}


# ---------------------------------------------------------------------- ddm_instance_info: by id

def test_by_id_reads_the_show_call_with_nodes_and_an_unknown_id_is_empty(ansible_runner, emulator):
    one = emulator.add_instance(name="orders-ddm", node_count=3, available_zones=[ZONE_A, ZONE_B], admin_user_name="root",
                                flavor_ref="ddm.c6.xlarge.2")
    elsewhere = emulator.add_instance(name="orders-ddm", project_id=SUBPROJECT_ID)
    deleted = emulator.add_instance(name="orders-ddm", status="DELETED")
    unknown = "0f" * 16 + "in09"
    cases = [token_case(emulator, "by-id", instance_id=one["id"]),
             token_case(emulator, "unknown", instance_id=unknown),
             token_case(emulator, "other-project", instance_id=elsewhere["id"]),
             token_case(emulator, "deleted", instance_id=deleted["id"])]

    results = ansible_runner.run_cases(cases, module=INSTANCE_INFO)[0]

    [found] = ok(results["by-id"])["instances"]
    assert results["by-id"]["changed"] is False
    assert set(found) == VIEW_KEYS | {"nodes", "groups"}, sorted(found)
    assert (found["id"], found["name"], found["status"], found["flavor"], found["node_num"], found["availability_zones"], found["admin_user"]) == (
        one["id"], "orders-ddm", "RUNNING", "ddm.c6.xlarge.2", 3, [ZONE_A, ZONE_B], "root")
    assert len(found["nodes"]) == 3 and all(set(node) == NODE_KEYS for node in found["nodes"]), found["nodes"]
    assert sorted(node["node_id"] for node in found["nodes"]) == sorted(node["node_id"] for node in one["nodes"])
    # Typed since 2.0.0: one access address, numbers for ports and sizes; each node's address in nodes[].ip.
    assert found["access_ip"] == one["nodes"][0]["ip"] and found["access_port"] == 5066 and (found["vcpus"], found["ram"]) == (4, 8)
    assert all(node["port"] == 5066 for node in found["nodes"])
    assert [(group["is_default"], group["node_num"]) for group in found["groups"]] == [(True, 3)]
    for label in ("unknown", "other-project", "deleted"):
        assert ok(results[label])["instances"] == [], (label, results[label])
    # One show call each, never the list.
    assert [(entry["method"], entry["path"], entry["status"]) for entry in emulator.requests_log()] == [
        ("GET", show_path(one["id"]), 200), ("GET", "/v3/%s/instances/%s/groups" % (PROJECT_ID, one["id"]), 200),
        ("GET", show_path(unknown), 404), ("GET", show_path(elsewhere["id"]), 404),
        ("GET", show_path(deleted["id"]), 200)]

    # The same shape as ddm_instance's ``instance`` (which finds it by id and, with nothing to change, only reads).
    emulator.clear_requests()
    reference = ansible_runner.run_cases([token_case(emulator, "ddm_instance", instance_id=one["id"])], check=True, module=INSTANCE)[0]
    assert ok(reference["ddm_instance"])["instance"] == {key: value for key, value in found.items() if key != "groups"}
    assert writes(emulator) == []


# ---------------------------------------------------------------------- ddm_instance_info: names, statuses, projects

def test_exact_names_are_matched_in_the_module_and_never_sent(ansible_runner, emulator):
    # The oldest come last in the newest-first list: the two of one name are on the second page.
    first = emulator.add_instance(name="orders-ddm")
    second = emulator.add_instance(name="orders-ddm", status="CREATEFAILED", error_msg="No quota left.")
    longer = emulator.add_instance(name="orders-ddm-2")
    capital = emulator.add_instance(name="Orders-ddm")
    emulator.add_instance(name="orders-ddm", project_id=SUBPROJECT_ID)
    emulator.add_instance(name="orders-ddm", status="DELETED")
    emulator.add_instances_bulk(200, name_prefix="filler-")
    cases = [token_case(emulator, "two-of-a-name", name="orders-ddm"),
             token_case(emulator, "prefix-of-another", name="orders"),
             token_case(emulator, "longer-name", name="orders-ddm-2"),
             token_case(emulator, "other-case", name="Orders-ddm"),
             token_case(emulator, "nobody", name="no-such-ddm")]

    results = ansible_runner.run_cases(cases, module=INSTANCE_INFO)[0]

    assert sorted(ids(results["two-of-a-name"])) == sorted([first["id"], second["id"]])
    assert {instance["status"] for instance in results["two-of-a-name"]["instances"]} == {"RUNNING", "CREATEFAILED"}
    assert all("nodes" not in instance and set(instance) == VIEW_KEYS for instance in results["two-of-a-name"]["instances"])
    assert ids(results["prefix-of-another"]) == []
    assert ids(results["longer-name"]) == [longer["id"]]
    assert ids(results["other-case"]) == [capital["id"]]
    assert ids(results["nobody"]) == []
    log = emulator.requests_log()
    for entry in log:
        for name in ("orders", "Orders", "no-such-ddm"):
            assert name not in entry["path"] and name not in entry["query"], entry
    calls = list_calls(emulator)
    assert len(calls) == len(log) == 5 * 2, [(entry["path"], entry["query"]) for entry in log]
    assert all(set(entry["params"]) == {"offset", "limit"} for entry in calls), [entry["query"] for entry in calls]


def test_status_filter_in_any_case(ansible_runner, emulator):
    running = [emulator.add_instance(name="running-%d" % number)["id"] for number in range(2)]
    failed = emulator.add_instance(name="failed-ddm", status="CREATEFAILED", error_msg="Insufficient ECS quota.")
    error = emulator.add_instance(name="error-ddm", status="ERROR")
    frozen = emulator.add_instance(name="frozen-ddm", status="FROZEN")
    cases = [token_case(emulator, "failed-lower", status=["createfailed", "Error"]),
             token_case(emulator, "running-lower", status=["running"]),
             token_case(emulator, "frozen-upper", status=["FROZEN"]),
             token_case(emulator, "name-and-status", name="failed-ddm", status=["createFailed"]),
             token_case(emulator, "name-not-in-status", name="failed-ddm", status=["running"]),
             token_case(emulator, "none-of-these", status=["resizing"])]

    results = ansible_runner.run_cases(cases, module=INSTANCE_INFO)[0]

    assert sorted(ids(results["failed-lower"])) == sorted([failed["id"], error["id"]])
    assert {item["id"]: (item["status"], item["error_msg"]) for item in results["failed-lower"]["instances"]} == {
        failed["id"]: ("CREATEFAILED", "Insufficient ECS quota."), error["id"]: ("ERROR", None)}
    assert sorted(ids(results["running-lower"])) == sorted(running)
    assert ids(results["frozen-upper"]) == [frozen["id"]]
    assert ids(results["name-and-status"]) == [failed["id"]]
    assert ids(results["name-not-in-status"]) == []
    assert ids(results["none-of-these"]) == []
    # The filter is the module's: the list call carries only offset and limit.
    assert all(set(entry["params"]) == {"offset", "limit"} for entry in emulator.requests_log())


# ---------------------------------------------------------------------- ddm_instance_info: paging

@pytest.mark.parametrize("offset_mode", ["index", "page"])
def test_every_instance_once_over_many_pages(ansible_runner, emulator, offset_mode):
    count = 300
    emulator.instance_settings(offset_mode=offset_mode)
    emulator.add_instances_bulk(count, name_prefix="bulk-")
    elsewhere = emulator.add_instance(name="bulk-elsewhere", project_id=SUBPROJECT_ID)
    expected = sorted(item["id"] for item in emulator.instances() if item["project_id"] == PROJECT_ID)
    assert len(expected) == count and elsewhere["id"] not in expected

    results, task = ansible_runner.run_cases([token_case(emulator, "all")], module=INSTANCE_INFO)

    listed = ids(results["all"])
    assert len(listed) == count and sorted(listed) == expected
    assert cut_short_warnings(task) == [] and not results["all"].get("warnings"), task
    pages = math.ceil(count / PAGE_SIZE)
    offsets = [int(entry["params"]["offset"]) for entry in list_calls(emulator)]
    assert all(entry["params"]["limit"] == str(PAGE_SIZE) for entry in list_calls(emulator))
    # Index reading needs one request a page; page numbers cost at most two more (the page 128
    # that is empty, and page 1 read again in case numbers start at 0).
    assert len(offsets) <= pages + 2, offsets
    if offset_mode == "index":
        assert offsets == [0, 128, 256]
    assert len(emulator.requests_log()) == len(offsets)


def test_a_list_that_repeats_its_pages_is_cut_short_with_a_warning(ansible_runner, emulator):
    emulator.add_fault(count=50, method="GET", path=LIST_FAULT_PATH, status=200, json=fake_page(range(3), 1000))

    results, task = ansible_runner.run_cases([token_case(emulator, "repeating")], module=INSTANCE_INFO)

    assert ids(results["repeating"]) == ["fake0000in09", "fake0001in09", "fake0002in09"]
    assert len(cut_short_warnings(task)) == 1, task
    assert "repeated instances already read" in cut_short_warnings(task)[0]
    # Index 3, then page numbers 1 and 2: a repeated page ends the list.
    assert len(list_calls(emulator)) <= 4, [entry["query"] for entry in list_calls(emulator)]


def test_a_list_that_serves_less_than_its_total_warns(ansible_runner, emulator):
    emulator.add_fault(method="GET", path=LIST_FAULT_PATH, status=200, json=fake_page(range(128), 1000))
    emulator.add_fault(method="GET", path=LIST_FAULT_PATH, status=200, json=fake_page(range(128, 150), 1000))
    emulator.add_fault(count=20, method="GET", path=LIST_FAULT_PATH, status=200, json=fake_page([], 1000))

    results, task = ansible_runner.run_cases([token_case(emulator, "short")], module=INSTANCE_INFO)

    assert len(ids(results["short"])) == 150 and len(set(ids(results["short"]))) == 150
    warnings = cut_short_warnings(task)
    assert len(warnings) == 1 and "150 of the 1000" in warnings[0], task
    assert len(list_calls(emulator)) <= 4, [entry["query"] for entry in list_calls(emulator)]


def test_a_list_that_never_ends_stops_after_the_page_limit(ansible_runner, emulator):
    # A new instance on every page and a total that is never reached.
    for number in range(MAX_LIST_PAGES + 20):
        emulator.add_fault(method="GET", path=LIST_FAULT_PATH, status=200, json=fake_page([number], 10 ** 9))

    results, task = ansible_runner.run_cases([token_case(emulator, "endless")], module=INSTANCE_INFO)

    assert ids(results["endless"]) == ["fake%04din09" % number for number in range(MAX_LIST_PAGES)]
    assert len(list_calls(emulator)) == MAX_LIST_PAGES
    warnings = cut_short_warnings(task)
    assert len(warnings) == 1 and "reading stopped after %d pages" % MAX_LIST_PAGES in warnings[0], task


# ---------------------------------------------------------------------- ddm_instance_info: check mode, ad hoc

def _adhoc_args(emulator, options):
    return "%s endpoint=%s project_id=%s auth_token=%s" % (options, emulator.url, PROJECT_ID, STATIC_TOKEN)


def test_adhoc_and_check_mode(ansible_runner, emulator):
    wanted = emulator.add_instance(name="adhoc-ddm", node_count=2)
    emulator.add_instance(name="adhoc-ddm-other")
    emulator.add_instances_bulk(130, name_prefix="adhoc-filler-")

    shown = ansible_runner.adhoc(_adhoc_args(emulator, "name=adhoc-ddm"), json_output=False, module=INSTANCE_INFO)
    assert shown.rc == 0, shown
    assert "localhost | SUCCESS => {" in shown.stdout, shown
    printed = json.loads(shown.stdout[shown.stdout.index("{"):])
    assert printed["changed"] is False and [item["id"] for item in printed["instances"]] == [wanted["id"]]
    assert "nodes" not in printed["instances"][0]

    checked = ansible_runner.adhoc(_adhoc_args(emulator, "instance_id=%s" % wanted["id"]), check=True, module=INSTANCE_INFO)
    assert checked.rc == 0, checked
    [instance] = checked.result()["instances"]
    assert instance["id"] == wanted["id"] and len(instance["nodes"]) == 2

    listed = ansible_runner.adhoc(_adhoc_args(emulator, "status=running"), check=True, module=INSTANCE_INFO)
    assert listed.rc == 0, listed
    assert len(listed.result()["instances"]) == 132
    assert writes(emulator) == []
    assert all("adhoc" not in entry["query"] for entry in emulator.requests_log())


# ---------------------------------------------------------------------- ddm_flavor_info

def _flavors(item):
    return {flavor["spec_code"]: flavor for flavor in ok(item)["flavors"]}


def test_flavor_status_per_zone_architecture_and_engines(ansible_runner, emulator):
    emulator.set_flavor_status("ddm.c6.xlarge.2", ZONE_B, "sellout")
    emulator.set_flavor_status("ddm.c6.2xlarge.2", ZONE_A, "unsupported")
    older = ENGINES[1]
    cases = [token_case(emulator, "zones-a-b", availability_zones=[ZONE_A, ZONE_B]),
             token_case(emulator, "zone-c-arm", availability_zones=[ZONE_C], cpu_arch="ARM"),
             token_case(emulator, "x86-everywhere", cpu_arch="X86"),
             token_case(emulator, "by-version", engine_version=ENGINES[0]["version"], availability_zones=[ZONE_B]),
             token_case(emulator, "by-id", engine_id=older["id"])]

    results = ansible_runner.run_cases(cases, module=FLAVOR_INFO)[0]

    both = _flavors(results["zones-a-b"])
    # Every flavor of both CPU-architecture groups (each paged on its own), in the API's order: X86 first.
    assert list(both) == [flavor["spec_code"] for flavor in FLAVORS if flavor["group_type"] == "X86"] + [
        flavor["spec_code"] for flavor in FLAVORS if flavor["group_type"] == "ARM"]
    assert {code: (flavor["az_status"], flavor["on_sale"]) for code, flavor in both.items() if code in FLAVORS_BY_CODE and code in {
        "ddm.c6.large.2", "ddm.c6.xlarge.2", "ddm.c6.2xlarge.2", "ddm.kc1.large.2"}} == {
        "ddm.c6.large.2": ({ZONE_A: "normal", ZONE_B: "normal"}, True),
        "ddm.c6.xlarge.2": ({ZONE_A: "normal", ZONE_B: "sellout"}, False),
        "ddm.c6.2xlarge.2": ({ZONE_A: "unsupported", ZONE_B: "normal"}, False),
        "ddm.kc1.large.2": ({ZONE_A: "normal", ZONE_B: "normal"}, True)}
    for code, flavor in both.items():
        catalogue = FLAVORS_BY_CODE[code]
        assert (flavor["id"], flavor["vcpus"], flavor["ram"], flavor["cpu_arch"]) == (
            catalogue["id"], int(catalogue["vcpus"]), int(catalogue["ram"]), catalogue["group_type"]), flavor
    assert results["zones-a-b"]["engine_version"] == NEWEST_ENGINE["version"]
    assert results["zones-a-b"]["engines"] == [{key: engine[key] for key in ("id", "name", "version")} for engine in ENGINES]
    assert results["zones-a-b"]["changed"] is False

    arm = _flavors(results["zone-c-arm"])
    assert {code: (flavor["az_status"], flavor["on_sale"]) for code, flavor in arm.items()} == {
        code: ({ZONE_C: "unsupported"}, False) for code, flavor in FLAVORS_BY_CODE.items() if flavor["group_type"] == "ARM"}
    x86 = _flavors(results["x86-everywhere"])
    assert sorted(x86) == sorted(code for code, flavor in FLAVORS_BY_CODE.items() if flavor["group_type"] == "X86")
    assert all(set(flavor["az_status"]) == set(AVAILABLE_ZONES) for flavor in x86.values())
    assert x86["ddm.c6.large.2"]["on_sale"] is True and x86["ddm.c6.xlarge.2"]["on_sale"] is False

    assert results["by-version"]["engine_version"] == ENGINES[0]["version"]
    assert _flavors(results["by-version"])["ddm.c6.xlarge.2"]["az_status"] == {ZONE_B: "sellout"}
    assert results["by-id"]["engine_version"] == older["version"]

    flavor_calls = [entry["params"] for entry in emulator.requests_log() if entry["path"] == "/v3/%s/flavors" % PROJECT_ID]
    page = {"offset": "0", "limit": "128"}
    assert flavor_calls == [
        dict(page, engine_version=NEWEST_ENGINE["version"], available_zones="%s,%s" % (ZONE_A, ZONE_B)),
        dict(page, engine_version=NEWEST_ENGINE["version"], available_zones=ZONE_C),
        dict(page, engine_version=NEWEST_ENGINE["version"]),
        dict(page, engine_version=ENGINES[0]["version"], available_zones=ZONE_B),
        dict(page, engine_id=older["id"])], flavor_calls
    assert writes(emulator) == []


def test_engines_beyond_the_first_page_are_read(ansible_runner, emulator):
    engines = [{"id": "367b68a3-0000-4000-8000-%012d" % number, "name": "DDM", "version": "3.%d.%d.1" % divmod(number, 10)}
               for number in range(12)]
    path = "^/v3/%s/engines$" % PROJECT_ID
    emulator.add_fault(method="GET", path=path, status=200, json={"engine_groups": engines[:10], "offset": 0, "limit": 10, "total": 12})
    emulator.add_fault(method="GET", path=path, status=200, json={"engine_groups": engines[10:], "offset": 10, "limit": 10, "total": 12})
    emulator.add_fault(count=5, method="GET", path="^/v3/%s/flavors$" % PROJECT_ID, status=200, json={"flavor_groups": []})

    results = ansible_runner.run_cases([token_case(emulator, "twelve")], module=FLAVOR_INFO)[0]

    assert [engine["version"] for engine in ok(results["twelve"])["engines"]] == [engine["version"] for engine in engines]
    assert results["twelve"]["engine_version"] == "3.1.1.1"


def test_bad_input_fails_before_any_request(ansible_runner, emulator):
    flavor_cases = [token_case(emulator, "bad-zone", availability_zones=[ZONE_A, "cn-north-4a/../x"]),
                    token_case(emulator, "zone-with-space", availability_zones=["cn north 4a"]),
                    token_case(emulator, "bad-engine-id", engine_id="367b68a3?x=1"),
                    token_case(emulator, "both-engines", engine_version=ENGINES[0]["version"], engine_id=ENGINES[0]["id"]),
                    token_case(emulator, "bad-arch", cpu_arch="RISCV")]
    info_cases = [token_case(emulator, "bad-instance-id", instance_id="a/b"),
                  token_case(emulator, "instance-id-query", instance_id="abc?offset=1")]

    flavors = ansible_runner.run_cases(flavor_cases, module=FLAVOR_INFO)[0]
    instances = ansible_runner.run_cases(info_cases, module=INSTANCE_INFO)[0]

    expected = {"bad-zone": "availability_zones[1] must be a plain id", "zone-with-space": "availability_zones[0] must be a plain id",
                "bad-engine-id": "engine_id must be a plain id", "both-engines": "mutually exclusive", "bad-arch": "cpu_arch",
                "bad-instance-id": "instance_id must be a plain id", "instance-id-query": "instance_id must be a plain id"}
    for label, fragment in expected.items():
        item = flavors.get(label) or instances[label]
        assert item.get("failed") is True and fragment in item["msg"], (label, item)
        assert "flavors" not in item and "instances" not in item, (label, item)
    assert emulator.requests_log() == []


# ---------------------------------------------------------------------- ddm_instance refuses a flavor not on sale

def test_ddm_instance_refuses_a_flavor_not_on_sale_before_any_write(ansible_runner, emulator):
    emulator.set_flavor_status("ddm.c6.large.2", ZONE_B, "sellout")
    emulator.set_flavor_status("ddm.c6.xlarge.2", ZONE_C, "unsupported")
    existing = emulator.add_instance(name="resize-ddm", flavor_ref="ddm.c6.large.2", available_zones=[ZONE_A, ZONE_C])
    create = dict(name="new-ddm-01", flavor="ddm.c6.large.2", availability_zones=[ZONE_A, ZONE_B], node_num=2,
                  engine_version=NEWEST_ENGINE["version"], vpc_id=VPC_ID, subnet_id=SUBNET_ID, security_group_id=SECURITY_GROUP_ID)
    cases = [token_case(emulator, "create-sold-out", **create),
             token_case(emulator, "resize-unsupported", instance_id=existing["id"], flavor="ddm.c6.xlarge.2"),
             token_case(emulator, "resize-by-name-unsupported", name="resize-ddm", flavor="ddm.c6.xlarge.2")]

    results = ansible_runner.run_cases(cases, module=INSTANCE)[0]

    created = results["create-sold-out"]
    assert created.get("failed") is True, created
    assert "ddm.c6.large.2" in created["msg"] and "sellout in %s" % ZONE_B in created["msg"], created["msg"]
    assert ZONE_A not in created["msg"], created["msg"]
    for label in ("resize-unsupported", "resize-by-name-unsupported"):
        resized = results[label]
        assert resized.get("failed") is True, resized
        assert "ddm.c6.xlarge.2" in resized["msg"] and "unsupported in %s" % ZONE_C in resized["msg"], resized["msg"]
        assert "resize" not in resized.get("actions", []) or resized.get("changed") is not True, resized
    assert writes(emulator) == []
    assert [item["name"] for item in emulator.instances()] == ["resize-ddm"]
    assert emulator.instance(existing["id"])["flavor_ref"] == "ddm.c6.large.2"


# ---------------------------------------------------------------------- module_defaults

def test_module_defaults_group_applies_to_both_info_modules(ansible_runner, emulator):
    wanted = emulator.add_instance(name="defaults-ddm")
    emulator.set_flavor_status("ddm.c6.xlarge.2", ZONE_A, "sellout")
    playbook = os.path.join(ansible_runner.workdir, "info_module_defaults.yml")
    with open(playbook, "w", encoding="utf-8") as handle:
        handle.write(INFO_DEFAULTS_PLAYBOOK)

    run = ansible_runner.playbook(playbook, {"hw_endpoint": emulator.url, "hw_project_id": PROJECT_ID, "hw_auth_token": STATIC_TOKEN})

    assert run.rc == 0, run
    assert [item["id"] for item in run.result("Find the instance")["instances"]] == [wanted["id"]]
    offer = {flavor["spec_code"]: flavor for flavor in run.result("Read the flavors")["flavors"]}
    assert offer["ddm.c6.xlarge.2"]["az_status"] == {ZONE_A: "sellout"} and offer["ddm.c6.large.2"]["on_sale"] is True
    assert {(entry["path"], entry["auth"]) for entry in emulator.requests_log()} == {
        (LIST_PATH, "token"), ("/v3/%s/engines" % PROJECT_ID, "token"), ("/v3/%s/flavors" % PROJECT_ID, "token")}


INFO_DEFAULTS_PLAYBOOK = """\
- name: Both info modules with connection settings from the collection's action group
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/huaweicloud.cloud.huaweicloud:
      endpoint: "{{ hw_endpoint }}"
      project_id: "{{ hw_project_id }}"
      auth_token: "{{ hw_auth_token }}"
  tasks:
    - name: Find the instance
      huaweicloud.cloud.ddm_instance_info:
        name: defaults-ddm

    - name: Read the flavors
      huaweicloud.cloud.ddm_flavor_info:
        availability_zones: [cn-north-4a]
"""
