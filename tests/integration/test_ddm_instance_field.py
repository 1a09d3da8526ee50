# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The instance API as the field has it, in real runs against the emulator: flavors over pages, the v3 rename with ``_``,
node groups, data_disk_full, options checked before sending, a region typo, typed results, a server clock running ahead."""

from __future__ import annotations

import os

from cases import token_case  # pylint: disable=import-error
from ddm_instance_cases import (  # pylint: disable=import-error
    CREATE, FAST, LARGE, SMALL, ZONES, RecordingProxy, assert_failed, assert_ok, instance_case, instance_path,
    run_instance_cases, seed, writes,
)
from harness.emulator import ENGINE_VERSIONS, PROJECT_ID, STATIC_TOKEN, SUBNET_ID  # pylint: disable=import-error

FLAVOR_INFO = "huaweicloud.cloud.ddm_flavor_info"
INSTANCE_INFO = "huaweicloud.cloud.ddm_instance_info"
FLAVORS_PATH = "/v3/%s/flavors" % PROJECT_ID
LIST_PATH = "/v3/%s/jobs" % PROJECT_ID
# A group's CPUs and memory (ddm.c6.xlarge.2: 4 vCPUs, 8 GB) tell its flavor; the groups call gives no spec code.
GROUPS = [{"id": "a1b2c3d4gr09", "name": "default", "node_count": 2, "flavor_ref": SMALL},
          {"id": "e5f6a7b8gr09", "name": "reads", "node_count": 2, "flavor_ref": SMALL, "subnet_ids": [SUBNET_ID, "9d8c7b6a5e4f"]}]


def flavor(code, vcpus, ram):
    return {"id": "id-" + code, "spec_code": code, "vcpus": str(vcpus), "ram": str(ram),
            "az_infos": [{"code": zone, "status": "normal", "support_ipv6": False} for zone in ZONES]}


# ---------------------------------------------------------------------- 1. flavors over pages

def test_flavors_on_a_later_page_of_their_group_are_read_and_can_be_bought(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    first = {"flavor_groups": [{"group_type": "X86", "offset": 0, "limit": 128, "total": 2, "flavors": [flavor("ddm.c6.large.2", 2, 4)]},
                               {"group_type": "ARM", "offset": 0, "limit": 128, "total": 1, "flavors": [flavor("ddm.kc1.large.2", 2, 4)]}]}
    second = {"flavor_groups": [{"group_type": "X86", "offset": 128, "limit": 128, "total": 2, "flavors": [flavor(LARGE, 4, 8)]},
                                {"group_type": "ARM", "offset": 128, "limit": 128, "total": 1, "flavors": []}]}
    for _run in range(2):  # the info module, then the creation's check
        emulator.add_fault(method="GET", path="^%s$" % FLAVORS_PATH, status=200, json=first)
        emulator.add_fault(method="GET", path="^%s$" % FLAVORS_PATH, status=200, json=second)

    offer = ansible_runner.run_cases([token_case(emulator, "offer", engine_version=ENGINE_VERSIONS[-1])], module=FLAVOR_INFO)[0]["offer"]
    created = run_instance_cases(ansible_runner, [instance_case(emulator, "create", name="paged-ddm", **{**CREATE, "flavor": LARGE})])[0]["create"]

    assert_ok(offer, False)
    assert [(item["spec_code"], item["cpu_arch"], item["ram"]) for item in offer["flavors"]] == [
        ("ddm.c6.large.2", "X86", 4), (LARGE, "X86", 8), ("ddm.kc1.large.2", "ARM", 4)]
    assert_ok(created, True)
    assert created["instance"]["flavor"] == LARGE
    pages = [entry["params"]["offset"] for entry in emulator.requests_log() if entry["path"] == FLAVORS_PATH]
    assert pages == ["0", "128", "0", "128"], pages


# ---------------------------------------------------------------------- 2. the v3 rename

def test_a_name_with_an_underscore_is_set_through_the_v3_rename_and_its_task_followed(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    target = seed(emulator, "orders-ddm")

    results = run_instance_cases(ansible_runner, [instance_case(emulator, "rename", instance_id=target, name="orders_ddm_2"),
                                                  instance_case(emulator, "again", instance_id=target, name="orders_ddm_2")])[0]

    assert_ok(results["rename"], True)
    assert results["rename"]["actions"] == ["rename"] and results["rename"]["instance"]["name"] == "orders_ddm_2"
    jobs = {job["id"]: job for job in emulator.jobs()}
    assert [jobs[job_id]["name"] for job_id in results["rename"]["job_ids"]] == ["ModifyInstanceName"]
    assert results["rename"]["job"]["status"] == "Completed"
    assert_ok(results["again"], False)
    assert writes(emulator) == [("PUT", instance_path(target, "/name"), 200)]


# ---------------------------------------------------------------------- 3. node groups

def test_a_two_group_instance_is_resized_and_grown_per_group_with_group_id(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    target = emulator.add_instance(name="grouped-ddm", available_zones=ZONES[:2], flavor_ref=SMALL, engine_version=ENGINE_VERSIONS[-1],
                                   groups=GROUPS)["id"]
    reads = GROUPS[1]["id"]
    cases = [instance_case(emulator, "no-group", instance_id=target, flavor=LARGE),
             instance_case(emulator, "unknown-group", instance_id=target, node_num=3, group_id="0000gr09"),
             instance_case(emulator, "resize", instance_id=target, flavor=LARGE, group_id=reads),
             instance_case(emulator, "grow", instance_id=target, node_num=3, group_id=reads, subnet_id=SUBNET_ID),
             instance_case(emulator, "again", instance_id=target, flavor=LARGE, node_num=3, group_id=reads),
             instance_case(emulator, "shrink", instance_id=target, node_num=1, group_id=reads)]

    with RecordingProxy() as proxy:
        results = run_instance_cases(ansible_runner, cases, env=proxy.env())[0]
    info = ansible_runner.run_cases([token_case(emulator, "info", instance_id=target)], module=INSTANCE_INFO)[0]["info"]

    assert_failed(results["no-group"], "a change of flavor needs group_id", "has 2 node groups", GROUPS[0]["id"], reads, "nothing was sent")
    assert_failed(results["unknown-group"], "unknown group_id 0000gr09", reads)
    for label in ("resize", "grow", "shrink"):
        assert_ok(results[label], True)
    assert_ok(results["again"], False)
    assert proxy.sent("PUT", "/flavor") == [{"spec_code": LARGE, "group_id": reads}]
    assert proxy.sent("POST", "/nodes") == [{"nodes": [{"available_zone": ZONES[0]}], "group_id": reads, "subnet_id": SUBNET_ID}]
    assert proxy.sent("POST", "/action/reduce") == [{"node_number": 2, "group_id": reads}]
    groups = {group["id"]: group for group in emulator.instance(target)["groups"]}
    assert (groups[reads]["flavor_ref"], groups[reads]["node_count"]) == (LARGE, 1)
    assert (groups[GROUPS[0]["id"]]["flavor_ref"], groups[GROUPS[0]["id"]]["node_count"]) == (SMALL, 2)
    [shown] = info["instances"]
    assert [(group["id"], group["is_default"], group["node_num"], group["vcpus"], group["ram"]) for group in shown["groups"]] == [
        (GROUPS[0]["id"], True, 2, 2, 4), (reads, False, 1, 4, 8)]


# ---------------------------------------------------------------------- 4. data_disk_full

def test_a_full_data_disk_fails_at_once_naming_it_and_absent_deletes_the_instance(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    full = seed(emulator, "full-ddm")
    emulator.set_instance_status(full, "data_disk_full")

    results = run_instance_cases(ansible_runner, [instance_case(emulator, "resize", instance_id=full, flavor=LARGE, wait_timeout=600),
                                                  instance_case(emulator, "delete", instance_id=full, state="absent")])[0]

    assert_failed(results["resize"], "is data_disk_full", "until space is freed on its data disk", "state: absent deletes it")
    # One read, no waiting: a full disk is not an operation that ends by itself.
    shows = [entry for entry in emulator.requests_log() if entry["path"] == "/v1/%s/instances/%s" % (PROJECT_ID, full)]
    assert results["resize"]["instance"]["status"] == "data_disk_full" and len(shows) <= 4, shows
    assert_ok(results["delete"], True)
    assert [(method, path) for method, path, _status in writes(emulator)] == [("DELETE", instance_path(full))]


# ---------------------------------------------------------------------- 5. options checked before sending

def test_options_are_checked_naming_the_option_before_anything_is_sent(ansible_runner, emulator):
    create = {**CREATE, "name": "checked-ddm"}
    cases = [instance_case(emulator, "password-two-kinds", admin_user="root", **{**create, "admin_password": "alllowercase1"}),
             instance_case(emulator, "password-long", admin_user="root", **{**create, "admin_password": "Aa1-" * 9}),
             instance_case(emulator, "password-space", admin_user="root", **{**create, "admin_password": "Pass word-1"}),
             instance_case(emulator, "user", admin_user="9root", **{**create, "admin_password": "Pw-Sekret-4711x"}),
             instance_case(emulator, "time-zone", time_zone="UTC+8", **create),
             instance_case(emulator, "nodes", **{**create, "node_num": 33})]

    results = run_instance_cases(ansible_runner, cases)[0]

    for label in ("password-two-kinds", "password-long", "password-space"):
        assert_failed(results[label], "admin_password must have 8 to 32 characters of at least three kinds")
    assert "alllowercase1" not in results["password-two-kinds"]["msg"]
    assert_failed(results["user"], "admin_user must have 1 to 32 characters, start with a letter")
    assert_failed(results["time-zone"], "time_zone must be UTC or UTC+hh:00", "'UTC+8'")
    assert_failed(results["nodes"], "node_num must be from 1 to 32, got 33")
    assert emulator.requests_log() == []


def test_an_engine_version_or_zone_not_on_offer_fails_listing_the_valid_ones_and_writes_nothing(ansible_runner, emulator):
    cases = [instance_case(emulator, "engine", **{**CREATE, "name": "engine-ddm", "engine_version": "9.9.9"}),
             instance_case(emulator, "zone", **{**CREATE, "name": "zone-ddm", "availability_zones": [ZONES[0], "cn-north-4x"]})]

    results = run_instance_cases(ansible_runner, cases)[0]
    info = ansible_runner.run_cases([token_case(emulator, "typo", status=["RUNING", "running"])], module=INSTANCE_INFO)
    flavors = ansible_runner.run_cases([token_case(emulator, "flavors", engine_version="9.9.9")], module=FLAVOR_INFO)[0]["flavors"]

    assert_failed(results["engine"], "engine_version 9.9.9 is not on offer", ", ".join(ENGINE_VERSIONS))
    assert_failed(results["zone"], "availability_zones: cn-north-4x is not on offer", ", ".join(ZONES))
    assert writes(emulator) == []
    assert_failed(flavors, "engine_version 9.9.9 is not on offer (offered: %s)" % ", ".join(ENGINE_VERSIONS))
    warnings = info[1].get("warnings", [])
    assert any("DDM never reports 'RUNING'" in warning for warning in warnings), warnings
    assert not any("'running'" in warning for warning in warnings), warnings


def test_a_region_typo_fails_at_once_saying_check_region_endpoint(ansible_runner, emulator, tmp_path):
    # Name resolution is made to fail locally (no lookup leaves this machine); a real typo fails the same way.
    calls = tmp_path / "lookups"
    (tmp_path / "sitecustomize.py").write_text(
        "import socket\n"
        "_real = socket.getaddrinfo\n"
        "def _lookup(host, *args, **kwargs):\n"
        "    if isinstance(host, str) and host.endswith('.myhuaweicloud.com'):\n"
        "        with open(%r, 'a') as handle:\n"
        "            handle.write(host + '\\n')\n"
        "        raise socket.gaierror(-2, 'Name or service not known')\n"
        "    return _real(host, *args, **kwargs)\n"
        "socket.getaddrinfo = _lookup\n" % str(calls))
    case = {"case": "typo", "region": "cn-north4", "project_id": PROJECT_ID, "auth_token": STATIC_TOKEN}
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))}

    result = ansible_runner.run_cases([case], module=INSTANCE_INFO, env=env)[0]["typo"]

    assert_failed(result, "ddm.cn-north4.myhuaweicloud.com does not resolve: check region/endpoint")
    # Not retried: one lookup, not six attempts with pauses.
    assert calls.read_text().split() == ["ddm.cn-north4.myhuaweicloud.com"]


# ---------------------------------------------------------------------- 7. typed results

def test_results_are_typed_so_plays_can_filter_them(ansible_runner, emulator, token_vars, tmp_path):
    emulator.instance_settings(**FAST)
    seed(emulator, "small-ddm")
    big = seed(emulator, "big-ddm", flavor_ref=LARGE, node_count=3, available_zones=ZONES)
    playbook = tmp_path / "typed.yml"
    playbook.write_text("""
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Read
      huaweicloud.cloud.ddm_instance_info:
        endpoint: "{{ hw_endpoint }}"
        project_id: "{{ hw_project_id }}"
        auth_token: "{{ hw_auth_token }}"
      register: found
    - name: Filter
      ansible.builtin.debug:
        msg: "{{ found.instances | selectattr('ram', '>=', 8) | selectattr('node_num', '>', 2) | map(attribute='id') | list }}"
""")
    run = ansible_runner.run(ansible_runner.playbook_command(str(playbook), token_vars))

    assert run.rc == 0, run
    assert run.result("Filter")["msg"] == [big]
    found = run.result("Read")["instances"]
    assert all("," not in item["access_ip"] and isinstance(item["access_port"], int) and isinstance(item["vcpus"], int) for item in found)


# ---------------------------------------------------------------------- 9. job_ids behind a server clock running ahead

def test_job_ids_with_a_server_clock_ahead_are_read_by_the_list_one_request_a_poll(ansible_runner, emulator, token_vars, await_request):
    emulator.set_clock_skew(3 * 3600)
    instances = [{"id": "%032xin09" % number, "name": "ddm-ahead-%02d" % number} for number in range(50)]
    ids = [emulator.post_job(instance=instance, duration=3600)["id"] for instance in instances]

    started = ansible_runner.start(ansible_runner.playbook_command("wait_many.yml", dict(token_vars, ddm_job_ids=ids, ddm_wait_timeout=90)))
    await_request(lambda entry: entry["path"] == LIST_PATH and entry["status"] == 200)
    for job_id, instance in zip(ids, instances):
        emulator.post_job(id=job_id, instance=instance, duration=2, outcome="Completed")
    run = ansible_runner.finish(started)

    assert run.rc == 0, run
    result = run.result("Wait for the DDM jobs")
    assert result["counts"] == {"Completed": 50} and result.get("failed") is not True
    # The first list's window ended on this machine's clock, which the answer showed to be behind: the list is read again on
    # the server's clock, and no task is read on its own.
    assert [entry for entry in emulator.requests_log() if entry["path"].startswith(LIST_PATH + "/")] == []
    lists = [entry for entry in emulator.requests_log() if entry["path"] == LIST_PATH]
    assert len(lists) == result["polls"] + 1, lists


# ---------------------------------------------------------------------- 6. answers checked, not trusted

def test_a_show_answer_lacking_what_the_plan_needs_fails_naming_the_field_and_sends_nothing(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    target = seed(emulator, "lacking-ddm")
    shown = emulator.instance(target)
    show_path = "/v1/%s/instances/%s" % (PROJECT_ID, target)
    answer = {key: shown[key] for key in ("id", "name", "status", "available_zone", "vpc_id", "subnet_id", "security_group_id", "node_count",
                                          "access_ip", "access_port", "engine_version", "flavor_ref", "nodes")}
    cases = [instance_case(emulator, "no-flavor", instance_id=target, flavor=LARGE),
             instance_case(emulator, "no-node-count", instance_id=target, node_num=3),
             instance_case(emulator, "no-zones", instance_id=target, node_num=3),
             instance_case(emulator, "huge-id", name="lacking-ddm")]
    emulator.add_fault(count=1, method="GET", path="^%s$" % show_path, status=200, json=dict(answer, flavor_ref=None))
    emulator.add_fault(count=1, method="GET", path="^%s$" % show_path, status=200, json={k: v for k, v in answer.items() if k != "node_count"})
    emulator.add_fault(count=1, method="GET", path="^%s$" % show_path, status=200, json=dict(answer, available_zone=""))
    emulator.add_fault(count=1, method="GET", path="^/v1/%s/instances$" % PROJECT_ID, status=200,
                       json={"instances": [dict(answer, id="x" * 60000)], "total_record": 1})

    results = run_instance_cases(ansible_runner, cases)[0]

    assert_failed(results["no-flavor"], "has no flavor_ref, which deciding what to change needs; nothing was changed")
    assert_failed(results["no-node-count"], "has no node_count")
    assert_failed(results["no-zones"], "has no available_zone")
    assert_failed(results["huge-id"], "instances[0].id is")
    assert all(len(results[label]["msg"]) < 1000 for label in results)
    assert writes(emulator) == []
