# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ddm_instance: finding an instance, creating, changing and deleting it, and what its results hold."""

from __future__ import annotations

from ddm_instance_cases import (  # pylint: disable=import-error
    CREATE, FAST, INSTANCE_KEYS, INSTANCES_PATH, LARGE, PASSWORD, SMALL, WITH_PASSWORD, ZONES, RecordingProxy, assert_failed, assert_ok,
    instance_case, instance_path, run_instance_cases, seed, write_entries, writes,
)
from harness.emulator import ENGINE_VERSIONS, OTHER_SECURITY_GROUP_ID, PROJECT_ID, SECURITY_GROUP_ID, SUBNET_ID, VPC_ID  # pylint: disable=import-error


def test_creates_with_v3_once_and_a_second_run_changes_nothing(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    options = {**CREATE, "name": "orders-ddm", "availability_zones": ZONES, "admin_user": "root", "time_zone": "UTC+08:00"}
    cases = [instance_case(emulator, "create", **options), instance_case(emulator, "again", **options),
             # Grown by three: the new nodes go round the instance's AZs, after the two it has (a, b).
             instance_case(emulator, "grow", **{**options, "node_num": 5})]

    with RecordingProxy() as proxy:
        results = run_instance_cases(ansible_runner, cases, env=proxy.env(), defaults=WITH_PASSWORD)[0]

    created = results["create"]
    assert_ok(created, True)
    assert created["actions"] == ["create"]
    [instance] = emulator.instances()
    assert created["instance"]["id"] == instance["id"]
    assert created["job_id"] == created["job_ids"][0] and len(created["job_ids"]) == 1
    assert created["job"]["id"] == created["job_id"] and created["job"]["status"] == "Completed"
    # The creation was awaited: the result shows the instance as it is now.
    view = created["instance"]
    assert set(view) == INSTANCE_KEYS, sorted(view)
    assert (view["status"], view["name"], view["flavor"], view["node_num"]) == ("RUNNING", "orders-ddm", SMALL, 2)
    assert view["availability_zones"] == ZONES
    assert (view["vpc_id"], view["subnet_id"], view["security_group_id"]) == (VPC_ID, SUBNET_ID, SECURITY_GROUP_ID)
    assert (view["engine_version"], view["admin_user"], view["order_id"]) == (ENGINE_VERSIONS[-1], "root", "")
    assert view["access_port"] and view["access_ip"] and view["created"] and view["updated"] and view["enterprise_project_id"]
    assert [node["node_id"] for node in view["nodes"]] and set(view["nodes"][0]) == {"node_id", "status", "ip", "port", "group_id"}
    # The v3 call, with the options' API names, and never billing options.
    [body] = proxy.sent("POST", INSTANCES_PATH)
    assert body == {"name": "orders-ddm", "available_zones": ZONES, "node_num": 2, "engine_version": ENGINE_VERSIONS[-1], "flavor_ref": SMALL,
                    "vpc_id": VPC_ID, "subnet_id": SUBNET_ID, "security_group_id": SECURITY_GROUP_ID, "time_zone": "UTC+08:00",
                    "admin_user_name": "root", "admin_user_password": PASSWORD}
    assert "charge_info" not in body
    assert instance["time_zone"] == "UTC+08:00" and instance["admin_password_set"] is True

    again = results["again"]
    assert_ok(again, False)
    assert again["actions"] == [] and again["job_ids"] == [] and "job_id" not in again
    assert again["instance"]["id"] == instance["id"]

    grown = results["grow"]
    assert_ok(grown, True)
    assert grown["actions"] == ["add nodes"] and grown["instance"]["node_num"] == 5
    assert proxy.sent("POST", instance_path(instance["id"], "/nodes")) == [{"nodes": [{"available_zone": zone} for zone in (ZONES[2], ZONES[0], ZONES[1])]}]
    assert emulator.instance(instance["id"])["node_zones"] == [ZONES[0], ZONES[1], ZONES[2], ZONES[0], ZONES[1]]
    assert [(method, path) for method, path, _status in writes(emulator)] == [
        ("POST", INSTANCES_PATH), ("POST", instance_path(instance["id"], "/nodes"))]


def test_finds_by_id_or_by_exact_name_over_the_whole_list(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    # The oldest instance is last in the newest-first list: on the third page of 128, after 300 others.
    target = seed(emulator, "ledger-ddm", age=3600)
    seed(emulator, "ledger-ddm-2", age=60)  # a longer name is not a match
    emulator.add_instances_bulk(300, name_prefix="bulk", available_zones=ZONES[:2])
    cases = [instance_case(emulator, "by-name", name="ledger-ddm", flavor=SMALL, node_num=2),
             instance_case(emulator, "by-id", instance_id=target, flavor=SMALL)]

    for mode in ("index", "page"):
        emulator.instance_settings(offset_mode=mode)
        emulator.clear_requests()
        results = run_instance_cases(ansible_runner, cases)[0]

        for label in ("by-name", "by-id"):
            assert_ok(results[label], False)
            assert results[label]["instance"]["id"] == target and results[label]["instance"]["name"] == "ledger-ddm", (mode, label)
        assert writes(emulator) == [], mode
        listed = [entry for entry in emulator.api_requests("/v1/%s/instances" % PROJECT_ID) if entry["path"].endswith("/instances")]
        # By name, the whole list (three pages at least); by id, no list at all.
        assert len(listed) >= 3 and all(entry["params"]["limit"] == "128" for entry in listed), (mode, listed)
    assert len(emulator.instances()) == 302


def test_two_of_a_name_and_unknown_ids_fail_without_writing(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    twins = [seed(emulator, "twin-ddm"), seed(emulator, "twin-ddm")]
    unknown = "0123456789abcdef0123456789abcdefin09"
    cases = [instance_case(emulator, "twins-present", name="twin-ddm", flavor=LARGE),
             instance_case(emulator, "twins-absent", name="twin-ddm", state="absent"),
             instance_case(emulator, "unknown-id", instance_id=unknown, name="fresh-ddm", **CREATE),
             instance_case(emulator, "unknown-id-absent", instance_id=unknown, state="absent")]

    results = run_instance_cases(ansible_runner, cases)[0]

    for label in ("twins-present", "twins-absent"):
        assert_failed(results[label], "2 DDM instances are named twin-ddm", twins[0], twins[1], "give instance_id", "nothing was changed")
        assert results[label]["changed"] is False and "instance" not in results[label]
    assert_failed(results["unknown-id"], "DDM instance %s does not exist; an instance_id never creates one" % unknown)
    assert_ok(results["unknown-id-absent"], False)
    assert "instance" not in results["unknown-id-absent"]
    assert writes(emulator) == []
    assert sorted(item["id"] for item in emulator.instances()) == sorted(twins)


def test_bad_input_fails_before_any_request(ansible_runner, emulator):
    cases = [instance_case(emulator, "name-digit", name="1orders", **CREATE),
             instance_case(emulator, "name-short", name="ddm", **CREATE),
             instance_case(emulator, "name-rename", instance_id="0123456789abcdef0123456789abcdefin09", name="orders ddm"),
             instance_case(emulator, "nodes-zero", name="orders-ddm", **{**CREATE, "node_num": 0}),
             instance_case(emulator, "bad-id", instance_id="../instances", state="absent"),
             instance_case(emulator, "bad-vpc", name="orders-ddm", **{**CREATE, "vpc_id": "vpc/1"}),
             instance_case(emulator, "zone-twice", name="orders-ddm", **{**CREATE, "availability_zones": [ZONES[0], ZONES[0]]}),
             instance_case(emulator, "no-name-or-id", state="absent")]

    results = run_instance_cases(ansible_runner, cases)[0]

    for label in ("name-digit", "name-short", "name-rename"):
        assert_failed(results[label], "name must have 4 to 64 characters, start with a letter")
    assert_failed(results["nodes-zero"], "node_num must be from 1 to 32, got 0")
    assert_failed(results["bad-id"], "instance_id must be a plain id")
    assert_failed(results["bad-vpc"], "vpc_id must be a plain id")
    assert_failed(results["zone-twice"], "availability_zones must name at least one zone, each once")
    assert_failed(results["no-name-or-id"], "one of the following is required: name, instance_id")
    assert emulator.requests_log() == []


def test_missing_creation_options_are_named_once_nothing_is_found(ansible_runner, emulator):
    existing = seed(emulator, "orders-ddm")
    cases = [instance_case(emulator, "nothing", name="new-ddm"),
             instance_case(emulator, "some", name="new-ddm", flavor=SMALL, node_num=2),
             instance_case(emulator, "password-alone", name="new-ddm", admin_password=PASSWORD, **CREATE),
             # The instance exists: the same options are a valid change request.
             instance_case(emulator, "exists", name="orders-ddm", flavor=SMALL, node_num=2)]

    results = run_instance_cases(ansible_runner, cases)[0]

    assert_failed(results["nothing"], "DDM instance new-ddm does not exist; creating it needs flavor, node_num, engine_version, "
                                      "availability_zones, vpc_id, subnet_id, security_group_id")
    assert_failed(results["some"], "DDM instance new-ddm does not exist; creating it needs engine_version, availability_zones, vpc_id, "
                                   "subnet_id, security_group_id")
    assert "flavor" not in results["some"]["msg"].split("needs", 1)[1]
    assert_failed(results["password-alone"], "creating DDM instance new-ddm with an administrator needs both admin_user and admin_password")
    assert_ok(results["exists"], False)
    assert results["exists"]["instance"]["id"] == existing
    assert writes(emulator) == [] and emulator.requests_log()


def test_changes_go_one_at_a_time_in_a_fixed_order(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    every = seed(emulator, "shop-ddm", admin_user_name="root")
    shrink = seed(emulator, "stock-ddm", node_count=4)
    quiet = seed(emulator, "quiet-ddm", admin_user_name="root")
    cases = [instance_case(emulator, "every-change", instance_id=every, name="shop-ddm-new", security_group_id=OTHER_SECURITY_GROUP_ID,
                           flavor=LARGE, node_num=4, update_password="always"),
             instance_case(emulator, "remove-nodes", name="stock-ddm", node_num=2),
             # A password cannot be read back: on_create (the default) leaves an existing instance's alone.
             instance_case(emulator, "password-on-create", name="quiet-ddm", admin_user="root"),
             # Without instance_id the name only finds the instance: there is nothing to rename.
             instance_case(emulator, "name-finds", name="quiet-ddm", flavor=SMALL)]

    results = run_instance_cases(ansible_runner, cases, defaults=WITH_PASSWORD)[0]

    item = results["every-change"]
    assert_ok(item, True)
    assert item["actions"] == ["rename", "change security group", "resize", "add nodes", "reset admin password"]
    view = item["instance"]
    assert (view["name"], view["security_group_id"], view["flavor"], view["node_num"], view["status"]) == (
        "shop-ddm-new", OTHER_SECURITY_GROUP_ID, LARGE, 4, "RUNNING")
    sent = write_entries(emulator, every)
    assert [(entry["method"], entry["path"]) for entry in sent] == [
        ("PUT", instance_path(every, "/name")),
        ("PUT", "/v1/%s/instances/%s/modify-security-group" % (PROJECT_ID, every)),
        ("PUT", instance_path(every, "/flavor")), ("POST", instance_path(every, "/nodes")), ("PUT", instance_path(every, "/admin-user"))]
    # Each write went to an instance with nothing under way: never refused as busy.
    assert [entry["status"] for entry in sent] == [200, 200, 200, 202, 202]
    # Four tasks (the v3 rename, resize, nodes, password), each followed to its end before the next write.
    jobs = {job["id"]: job for job in emulator.jobs()}
    assert len(item["job_ids"]) == 4 and item["job_id"] == item["job_ids"][-1]
    assert [jobs[job_id]["name"] for job_id in item["job_ids"]] == ["ModifyInstanceName", "ResizeFlavor", "EnlargeNode", "ResetAdminPassword"]
    assert item["job"]["id"] == item["job_id"] and item["job"]["status"] == "Completed"
    for earlier, later in zip(sent[:1] + sent[2:], sent[1:2] + sent[3:]):
        assert later["epoch"] - earlier["epoch"] >= FAST["operation_seconds"], sent
    instance = emulator.instance(every)
    assert instance["admin_user_name"] == "root" and instance["operation"] is None

    item = results["remove-nodes"]
    assert_ok(item, True)
    assert item["actions"] == ["remove nodes"] and item["instance"]["node_num"] == 2
    assert [(entry["method"], entry["path"], entry["status"]) for entry in write_entries(emulator, shrink)] == [
        ("POST", "/v2/%s/instances/%s/action/reduce" % (PROJECT_ID, shrink), 200)]
    assert len(item["job_ids"]) == 1 and item["job"]["status"] == "Completed"

    for label in ("password-on-create", "name-finds"):
        assert_ok(results[label], False)
        assert results[label]["actions"] == []
    assert write_entries(emulator, quiet) == []


def test_changes_the_api_would_refuse_fail_before_writing(ansible_runner, emulator):
    emulator.instance_settings(**dict(FAST, password_answer="empty"))
    nameless, admin = seed(emulator, "plain-ddm"), seed(emulator, "admin-ddm", admin_user_name="root")
    emulator.set_flavor_status(LARGE, ZONES[1], "sellout")
    cases = [instance_case(emulator, "no-admin-user", name="plain-ddm", update_password="always"),
             instance_case(emulator, "unknown-flavor", name="plain-ddm", flavor="ddm.c9.huge.2", engine_version=ENGINE_VERSIONS[0]),
             instance_case(emulator, "sold-out", name="plain-ddm", flavor=LARGE, node_num=3),
             # Some deployments answer the password reset without a task: nothing to wait on, still a change.
             instance_case(emulator, "password-without-task", name="admin-ddm", update_password="always")]

    results = run_instance_cases(ansible_runner, cases, defaults=WITH_PASSWORD)[0]

    assert_failed(results["no-admin-user"], "resetting the administrator password of DDM instance plain-ddm (%s) needs admin_user: the "
                                            "instance reports no administrator; nothing was changed" % nameless)
    # The instance's own engine version decides what is on offer (the option only warns).
    assert_failed(results["unknown-flavor"], "flavor ddm.c9.huge.2 is not offered for engine version %s (offered: " % ENGINE_VERSIONS[-1])
    assert_failed(results["sold-out"], "flavor %s cannot be bought where the instance runs: sellout in %s; nothing was changed" % (
        LARGE, ZONES[1]))
    for label in ("no-admin-user", "unknown-flavor", "sold-out"):
        assert results[label]["instance"]["id"] == nameless and results[label]["changed"] is False
    assert write_entries(emulator, nameless) == []
    item = results["password-without-task"]
    assert_ok(item, True)
    assert item["actions"] == ["reset admin password"] and item["job_ids"] == [] and "job_id" not in item
    assert [(entry["method"], entry["status"]) for entry in write_entries(emulator, admin)] == [("PUT", 202)]


def test_wait_false_still_waits_between_operations(ansible_runner, emulator):
    emulator.instance_settings(**dict(FAST, operation_seconds=2))
    instance_id = seed(emulator, "cart-ddm")

    item = run_instance_cases(ansible_runner, [instance_case(emulator, "resize-and-grow", name="cart-ddm", flavor=LARGE, node_num=3,
                                                             wait=False)])[0]["resize-and-grow"]

    assert_ok(item, True)
    assert item["actions"] == ["resize", "add nodes"]
    resize_job, nodes_job = item["job_ids"]
    assert item["job_id"] == nodes_job
    resize, grow = write_entries(emulator, instance_id)
    assert (resize["method"], resize["path"], resize["status"]) == ("PUT", instance_path(instance_id, "/flavor"), 200)
    # The resize task had ended: the nodes were accepted at once, not refused as busy.
    assert (grow["method"], grow["path"], grow["status"]) == ("POST", instance_path(instance_id, "/nodes"), 202)
    assert grow["epoch"] - resize["epoch"] >= 2
    polls = emulator.api_requests("/jobs/" + resize_job)
    assert polls and polls[-1]["epoch"] < grow["epoch"]
    # wait: false skips only the last wait.
    assert emulator.api_requests("/jobs/" + nodes_job) == []


def test_deletes_with_v3_until_gone(ansible_runner, emulator):
    emulator.instance_settings(**FAST)
    with_data, keep_data, no_wait = seed(emulator, "old-ddm-1"), seed(emulator, "old-ddm-2"), seed(emulator, "old-ddm-3")
    cases = [instance_case(emulator, "with-data", instance_id=with_data, state="absent", delete_data_nodes=True),
             instance_case(emulator, "default", name="old-ddm-2", state="absent"),
             instance_case(emulator, "again-by-id", instance_id=with_data, state="absent"),
             instance_case(emulator, "again-by-name", name="old-ddm-2", state="absent"),
             instance_case(emulator, "no-wait", name="old-ddm-3", state="absent", wait=False)]

    results = run_instance_cases(ansible_runner, cases)[0]

    for label, instance_id, value in (("with-data", with_data, "true"), ("default", keep_data, "false")):
        item = results[label]
        assert_ok(item, True)
        assert item["actions"] == ["delete"] and len(item["job_ids"]) == 1 and item["job"]["status"] == "Completed"
        assert "instance" not in item  # gone
        [delete] = write_entries(emulator, instance_id)
        assert (delete["method"], delete["path"], delete["params"], delete["status"]) == (
            "DELETE", instance_path(instance_id), {"delete_dn_data": value}, 202)
        # Waited until the instance was gone.
        shows = [entry for entry in emulator.api_requests("/instances/" + instance_id) if entry["method"] == "GET"]
        assert shows[-1]["status"] == 404 and shows[-1]["epoch"] > delete["epoch"], shows
    for label in ("again-by-id", "again-by-name"):
        assert_ok(results[label], False)
        assert results[label]["actions"] == [] and results[label]["job_ids"] == []
    item = results["no-wait"]
    assert_ok(item, True)
    assert item["job_id"] and "job" not in item
    assert item["instance"]["id"] == no_wait
    assert [entry["params"] for entry in write_entries(emulator, no_wait)] == [{"delete_dn_data": "false"}]
    assert [instance["id"] for instance in emulator.instances()] == [no_wait]


MODULE_DEFAULTS_PLAYBOOK = """
- name: Connection settings once for the play, through the action group
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/huaweicloud.cloud.huaweicloud:
      endpoint: "{{ hw_endpoint }}"
      project_id: "{{ hw_project_id }}"
      auth_token: "{{ hw_auth_token }}"
  tasks:
    - name: Make the instance bigger
      huaweicloud.cloud.ddm_instance:
        name: group-ddm
        flavor: %s
        wait_interval: 1
      register: ddm
""" % LARGE


def test_module_defaults_group_applies(ansible_runner, emulator, token_vars, tmp_path):
    emulator.instance_settings(**FAST)
    instance_id = seed(emulator, "group-ddm")
    playbook = tmp_path / "module_defaults.yml"
    playbook.write_text(MODULE_DEFAULTS_PLAYBOOK, encoding="utf-8")

    run = ansible_runner.run(ansible_runner.playbook_command(str(playbook), token_vars))

    assert run.rc == 0, run
    result = run.result("Make the instance bigger")
    assert result["changed"] is True and result["instance"]["flavor"] == LARGE
    assert [(entry["method"], entry["auth"]) for entry in write_entries(emulator, instance_id)] == [("PUT", "token")]
