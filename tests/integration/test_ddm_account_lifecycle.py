# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ddm_account and ddm_account_info against the emulator: idempotence, checks before writing, passwords, a creation sent
once, a busy instance, deletion and check mode, each read back through the emulator's control API."""

from __future__ import annotations

import json

from harness.emulator import PROJECT_ID, STATIC_TOKEN  # pylint: disable=import-error
from harness.terminal import Terminal  # pylint: disable=import-error

from account_cases import (  # pylint: disable=import-error
    INFO_MODULE, MODULE, NEW_PASSWORD, PASSWORD, WEAK_PASSWORD, account_case, account_writes, accounts, add_account, add_schema, assert_failed,
    assert_ok, busy, info_case, seed_instance, settings, sha256, wait_until, weak_checks,
)

PLAYBOOK = """
- name: Give the application an account
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Create the account
      huaweicloud.cloud.ddm_account:
        instance_id: "{{ instance_id }}"
        name: orders_app
        account_password: "{{ password }}"
        privileges: [SELECT]
        wait_interval: 1
        endpoint: "{{ endpoint }}"
        project_id: "{{ project_id }}"
      register: account

    - name: Show it
      ansible.builtin.debug:
        msg: "account {{ account.account.name }} is {{ account.account.status }}"
"""
V3_ERROR_409 = {"error_code": "DBS.200019", "error_msg": "Another operation is being performed."}


def run(ansible_runner, cases, **options):
    return ansible_runner.run_cases(cases, module=MODULE, **options)


# ---------------------------------------------------------------------- 1. idempotent, only what differs in one update

def test_creates_then_changes_only_what_differs_and_repeats_send_nothing(ansible_runner, emulator):
    instance_id = seed_instance(emulator, schemas=("orders", "billing"))
    base = dict(instance_id=instance_id, name="orders_app")
    cases = [account_case(emulator, "create", privileges=["select", "Insert"], schemas=["orders"], **base),
             account_case(emulator, "again", privileges=["INSERT", "select", "SELECT"], schemas=["orders"], **base),
             account_case(emulator, "change", privileges=["select"], schemas=["billing", "orders"], description="Orders service", **base),
             account_case(emulator, "again-by-name", instance_name="orders-ddm", name="orders_app", privileges=["SELECT"],
                          schemas=["orders", "billing"], description="Orders service")]

    results = run(ansible_runner, cases, defaults={"account_password": PASSWORD})[0]

    assert_ok(results["create"], True)
    assert results["create"]["actions"] == ["create"]
    assert results["create"]["account"]["privileges"] == ["INSERT", "SELECT"] and results["create"]["account"]["schemas"] == ["orders"]
    for label in ("again", "again-by-name"):
        assert_ok(results[label], False)
        assert results[label]["actions"] == []
    assert_ok(results["change"], True)
    assert results["change"]["actions"] == ["update"]
    assert results["change"]["account"]["privileges"] == ["SELECT"] and set(results["change"]["account"]["schemas"]) == {"orders", "billing"}
    # One creation and one update, nothing else; the weak-password check only before the creation.
    assert account_writes(emulator) == [("POST", "users", 200), ("PUT", "users/orders_app", 200)]
    assert len(weak_checks(emulator)) == 1
    account = accounts(emulator, instance_id)["orders_app"]
    assert account["base_authority"] == ["SELECT"] and set(item["name"] for item in account["databases"]) == {"orders", "billing"}
    assert account["description"] == "Orders service" and account["password_sha256"] == sha256(PASSWORD) and account["password_changes"] == 0


# ---------------------------------------------------------------------- 2. checked before writing

def test_bad_values_fail_naming_the_option_before_any_request(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    emulator.clear_requests()
    base = dict(instance_id=instance_id, privileges=["SELECT"])
    cases = [account_case(emulator, "name", name="1app", **base),
             account_case(emulator, "privilege", name="app", instance_id=instance_id, privileges=["select", "grant"]),
             account_case(emulator, "lifetime", name="app", password_lifetime=70000, **base),
             account_case(emulator, "both-instance-options", name="app", instance_name="orders-ddm", **base)]
    results = run(ansible_runner, cases, defaults={"account_password": PASSWORD})[0]
    assert_failed(results["name"], "name must have 1 to 32 characters, a letter first, then letters, digits and '_', got '1app'")
    assert_failed(results["privilege"], "privileges may hold only CREATE, DROP, ALTER, INDEX, INSERT, DELETE, UPDATE, SELECT (any case), "
                                        "got 'grant'")
    assert_failed(results["lifetime"], "password_lifetime must be 0 to 65535 days, got 70000")
    assert_failed(results["both-instance-options"], "parameters are mutually exclusive: instance_id|instance_name")

    for password, message in (("short1A", "account_password must have 8 to 32 characters"),
                              ("1ppA_sredrO", "account_password must not be the account's name or the name reversed")):
        failed = run(ansible_runner, [account_case(emulator, "password", name="Orders_App1", **base)], defaults={"account_password": password})
        assert_failed(failed[0]["password"], message)
        assert password not in json.dumps(failed[0]["password"]["msg"])
    assert emulator.requests_log() == []


def test_the_api_checks_come_before_any_write(ansible_runner, emulator):
    instance_id = seed_instance(emulator, schemas=("orders",))
    base = dict(instance_id=instance_id, privileges=["SELECT"])
    cases = [account_case(emulator, "unknown-schema", name="app", schemas=["orders", "ledger"], **base),
             account_case(emulator, "unknown-instance", name="app", instance_id="0123456789abcdef0123456789abcdefin09", privileges=["SELECT"]),
             account_case(emulator, "unknown-instance-name", name="app", instance_name="nobody-ddm", privileges=["SELECT"])]
    results = run(ansible_runner, cases, defaults={"account_password": PASSWORD})[0]
    assert_failed(results["unknown-schema"], "schemas: ledger does not exist on DDM instance orders-ddm", "(it has: orders); nothing was sent")
    assert_failed(results["unknown-instance"], "DDM instance 0123456789abcdef0123456789abcdefin09 does not exist")
    assert_failed(results["unknown-instance-name"], "No DDM instance is named nobody-ddm")

    # "/" is let through (one region's rule allows it); the emulator's rule refuses it, and the refusal is explained.
    slash = run(ansible_runner, [account_case(emulator, "slash", name="app", **base)], defaults={"account_password": "slash/pass1"})[0]
    assert_failed(slash["slash"], "refused account_password for account app: it breaks DDM's password rules or is a weak password")
    assert "slash/pass1" not in json.dumps(slash["slash"])
    weak = run(ansible_runner, [account_case(emulator, "weak", name="app", **base)], defaults={"account_password": WEAK_PASSWORD})[0]["weak"]
    assert_failed(weak, "account_password is a weak password: DDM's weak-password check refuses it (the value is not shown); nothing was sent")
    assert len(weak_checks(emulator)) == 2
    assert account_writes(emulator) == [("POST", "users", 400)]
    assert accounts(emulator, instance_id) == {}


def test_the_101st_account_fails_with_a_clear_message(ansible_runner, emulator):
    instance_id = seed_instance(emulator, schemas=())
    for number in range(100):
        add_account(emulator, instance_id, "user%03d" % number)
    emulator.clear_requests()
    case = account_case(emulator, "101st", instance_id=instance_id, name="one_more", privileges=["SELECT"])
    result = run(ansible_runner, [case], defaults={"account_password": PASSWORD})[0]["101st"]
    assert_failed(result, "already has 100 accounts, the most a DDM instance may have: delete one before creating one_more. Nothing was sent")
    assert account_writes(emulator) == [] and len(accounts(emulator, instance_id)) == 100

    # A lower quota than documented: the API's refusal (DBS.300300) is explained, not shown raw.
    settings(emulator, account_quota=100 - 1)
    add = account_case(emulator, "over-quota", instance_id=instance_id, name="one_more", privileges=["SELECT"])
    delete = account_case(emulator, "make-room", instance_id=instance_id, name="user000", state="absent")
    results = run(ansible_runner, [delete, add], defaults={"account_password": PASSWORD})[0]
    assert_ok(results["make-room"], True)
    assert_failed(results["over-quota"], "refused to create account one_more: it has as many accounts as it may have (it had 99)")
    assert "one_more" not in accounts(emulator, instance_id)


# ---------------------------------------------------------------------- 3. passwords

def test_passwords_are_set_at_creation_reset_only_when_always_and_shown_nowhere(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    base = dict(instance_id=instance_id, name="orders_app", privileges=["SELECT"], schemas=["orders"])
    created = run(ansible_runner, [account_case(emulator, "create", **base)], defaults={"account_password": PASSWORD})[0]["create"]
    assert_ok(created, True)
    cases = [account_case(emulator, "on-create", **base),
             account_case(emulator, "always", update_password="always", **base),
             account_case(emulator, "always-again", update_password="always", **base)]

    run_result = ansible_runner.run(ansible_runner.cases_command(cases, {"account_password": NEW_PASSWORD}, verbosity=4, module=MODULE),
                                    env={"ANSIBLE_DIFF_ALWAYS": "1"})
    results = {item["item"]["case"]: item for item in run_result.result("Run each case")["results"]}

    assert_ok(results["on-create"], False)
    for label in ("always", "always-again"):
        assert_ok(results[label], True)
        assert results[label]["actions"] == ["reset password"]
    account = accounts(emulator, instance_id)["orders_app"]
    assert account["password_sha256"] == sha256(NEW_PASSWORD) and account["password_changes"] == 2
    output = run_result.stdout + run_result.stderr + json.dumps(run_result.data)
    for password in (PASSWORD, NEW_PASSWORD):
        assert password not in output
    assert "password_sha256" not in output


# ---------------------------------------------------------------------- 4. a creation is never sent twice

def test_a_lost_creation_answer_is_adopted_from_the_list(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    emulator.add_fault(method="POST", path="/users$", apply=True, drop=True)
    case = account_case(emulator, "lost", instance_id=instance_id, name="orders_app", privileges=["SELECT"], schemas=["orders"])
    result = run(ansible_runner, [case], defaults={"account_password": PASSWORD})[0]["lost"]
    assert_ok(result, True)
    assert result["account"]["name"] == "orders_app"
    assert any("was unclear" in warning and "found in the list and adopted" in warning for warning in result["warnings"]), result
    assert [(method, path) for method, path, _status in account_writes(emulator)] == [("POST", "users")]
    assert list(accounts(emulator, instance_id)) == ["orders_app"]


def test_an_unreadable_creation_answer_is_checked_in_the_list(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    emulator.add_fault(method="POST", path="/users$", apply=True, garble="html")
    case = account_case(emulator, "garbled", instance_id=instance_id, name="orders_app", privileges=["SELECT"])
    result = run(ansible_runner, [case], defaults={"account_password": PASSWORD})[0]["garbled"]
    assert_ok(result, True)
    assert result["account"]["name"] == "orders_app" and any("adopted" in warning for warning in result["warnings"])
    assert [(method, path) for method, path, _status in account_writes(emulator)] == [("POST", "users")]


def test_a_creation_the_list_shows_absent_is_sent_once_more(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    emulator.add_fault(method="POST", path="/users$", status=502, body="<html>502 Bad Gateway</html>")
    case = account_case(emulator, "refused", instance_id=instance_id, name="orders_app", privileges=["SELECT"])
    result = run(ansible_runner, [case], defaults={"account_password": PASSWORD})[0]["refused"]
    assert_ok(result, True)
    assert [(method, path) for method, path, _status in account_writes(emulator)] == [("POST", "users"), ("POST", "users")]
    assert accounts(emulator, instance_id)["orders_app"]["password_sha256"] == sha256(PASSWORD)


# ---------------------------------------------------------------------- 5. a busy instance

def test_a_busy_refusal_is_waited_out_and_the_write_sent_again(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    emulator.add_fault(method="POST", path="/users$", status=409, json=V3_ERROR_409)
    case = account_case(emulator, "busy", instance_id=instance_id, name="orders_app", privileges=["SELECT"])
    result = run(ansible_runner, [case], defaults={"account_password": PASSWORD})[0]["busy"]
    assert_ok(result, True)
    assert account_writes(emulator) == [("POST", "users", 409), ("POST", "users", 200)]


def test_an_instance_under_an_operation_is_waited_for_with_wait(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    busy(emulator, instance_id, 600)
    emulator.clear_requests()
    case = account_case(emulator, "waits", instance_id=instance_id, name="orders_app", privileges=["SELECT"])
    started = ansible_runner.start(ansible_runner.cases_command([case], {"account_password": PASSWORD}, module=MODULE))
    # Seen busy: the module reads the instance again while it waits (a first read found it); then the operation ends.
    instance_path = "/v1/%s/instances/%s" % (PROJECT_ID, instance_id)
    wait_until(lambda: len([entry for entry in emulator.requests_log() if entry["method"] == "GET" and entry["path"] == instance_path]) >= 2)
    assert account_writes(emulator) == []
    busy(emulator, instance_id, 0.1)
    finished = ansible_runner.finish(started)
    result = finished.result("Run each case")["results"][0]
    assert_ok(result, True)
    assert [(method, path) for method, path, _status in account_writes(emulator)] == [("POST", "users")]


def test_without_wait_a_busy_instance_fails_naming_its_status(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    add_account(emulator, instance_id, "orders_app")
    busy(emulator, instance_id, 600, status="BACKUP")
    emulator.clear_requests()
    cases = [account_case(emulator, "create", instance_id=instance_id, name="other", privileges=["SELECT"], wait=False),
             account_case(emulator, "delete", instance_id=instance_id, name="orders_app", state="absent", wait=False)]
    results = run(ansible_runner, cases, defaults={"account_password": PASSWORD})[0]
    for label in cases:
        assert_failed(results[label["case"]], "is BACKUP: another operation is under way; set wait: true to wait for it to end")
        assert results[label["case"]]["instance"]["status"] == "BACKUP"
    assert account_writes(emulator) == [] and list(accounts(emulator, instance_id)) == ["orders_app"]


# ---------------------------------------------------------------------- 6. absent, check mode, diff

def test_check_mode_writes_nothing_and_absent_deletes_only_that_account(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    add_account(emulator, instance_id, "orders_app", privileges=("SELECT", "INSERT"), databases=("orders",))
    add_account(emulator, instance_id, "report")
    emulator.clear_requests()
    base = dict(instance_id=instance_id)
    planned = [account_case(emulator, "create", name="fresh", privileges=["SELECT"], **base),
               account_case(emulator, "update", name="orders_app", privileges=["SELECT"], update_password="always", **base),
               account_case(emulator, "delete", name="report", state="absent", **base)]
    checked = ansible_runner.run(ansible_runner.cases_command(planned, {"account_password": NEW_PASSWORD}, check=True, module=MODULE),
                                 env={"ANSIBLE_DIFF_ALWAYS": "1"})
    results = {item["item"]["case"]: item for item in checked.result("Run each case")["results"]}
    assert [results[label]["planned"] for label in ("create", "update", "delete")] == [["create"], ["update", "reset password"], ["delete"]]
    assert all(results[label]["actions"] == [] for label in results)
    assert all(results[label]["changed"] for label in results)
    assert results["update"]["diff"] == {"before": {"name": "orders_app", "privileges": ["INSERT", "SELECT"]},
                                         "after": {"name": "orders_app", "privileges": ["SELECT"]}}
    assert NEW_PASSWORD not in checked.stdout + checked.stderr + json.dumps(checked.data)
    assert account_writes(emulator) == [] and sorted(accounts(emulator, instance_id)) == ["orders_app", "report"]

    removed = run(ansible_runner, [account_case(emulator, "delete", name="report", state="absent", **base),
                                   account_case(emulator, "again", name="report", state="absent", **base)])[0]
    assert_ok(removed["delete"], True)
    assert_ok(removed["again"], False)
    assert "account" not in removed["delete"] and "account" not in removed["again"]
    assert account_writes(emulator) == [("DELETE", "users/report", 200)]
    assert list(accounts(emulator, instance_id)) == ["orders_app"]


# ---------------------------------------------------------------------- ddm_account_info

def test_info_lists_the_accounts_in_the_modules_shape(ansible_runner, emulator):
    instance_id = seed_instance(emulator, schemas=("orders",))
    add_account(emulator, instance_id, "orders_app", privileges=("INSERT", "SELECT"), databases=("orders",))
    add_account(emulator, instance_id, "report")
    add_schema(emulator, seed_instance(emulator, name="other-ddm", schemas=()), "other")
    emulator.clear_requests()
    cases = [info_case(emulator, "all", instance_name="orders-ddm"), info_case(emulator, "one", instance_id=instance_id, name="report"),
             info_case(emulator, "none", instance_id=instance_id, name="nobody")]
    results = ansible_runner.run_cases(cases, module=INFO_MODULE)[0]
    assert [item["name"] for item in results["all"]["accounts"]] == ["orders_app", "report"]
    first = results["all"]["accounts"][0]
    assert set(first) == {"name", "status", "privileges", "schemas", "description", "password_lifetime", "password_last_changed", "created"}
    assert first["privileges"] == ["INSERT", "SELECT"] and first["schemas"] == ["orders"] and first["password_lifetime"] == 0
    assert [item["name"] for item in results["one"]["accounts"]] == ["report"] and results["none"]["accounts"] == []
    assert all(results[label]["changed"] is False for label in results)
    assert [entry for entry in emulator.requests_log() if entry["method"] != "GET"] == []


def test_progress_lines_show_the_busy_instance_while_the_module_waits(ansible_runner, emulator, tmp_path):
    instance_id = seed_instance(emulator)
    busy(emulator, instance_id, 600, status="BACKUP")
    playbook = tmp_path / "account.yml"
    playbook.write_text(PLAYBOOK, encoding="utf-8")
    command = ansible_runner.playbook_command(str(playbook), {"endpoint": emulator.url, "project_id": PROJECT_ID, "instance_id": instance_id,
                                                              "password": PASSWORD})
    terminal = Terminal(command, ansible_runner._env({"HW_AUTH_TOKEN": STATIC_TOKEN}, json_output=False))  # pylint: disable=protected-access
    line = (r"^\[localhost\] DDM instance orders-ddm \(%s\), account orders_app: create: status BACKUP, waiting for RUNNING, \d+ s elapsed$"
            % instance_id)
    assert terminal.read_until(line), terminal.text
    # Shown while the module still waits, and nothing written meanwhile.
    assert terminal.process.poll() is None and account_writes(emulator) == [], terminal.text
    busy(emulator, instance_id, 0.1)
    assert terminal.finish() == 0, terminal.text
    assert "account orders_app is RUNNING" in terminal.text and PASSWORD not in terminal.text
    assert [(method, path) for method, path, _status in account_writes(emulator)] == [("POST", "users")]


def test_a_deletion_whose_answer_was_lost_is_not_taken_for_a_failure(ansible_runner, emulator):
    instance_id = seed_instance(emulator)
    add_account(emulator, instance_id, "report")
    emulator.clear_requests()
    emulator.add_fault(method="DELETE", path="/users/report$", apply=True, drop=True)
    result = run(ansible_runner, [account_case(emulator, "delete", instance_id=instance_id, name="report", state="absent")])[0]["delete"]
    assert_ok(result, True)
    # The retry found the account gone (DBS.300327): its first attempt had deleted it.
    assert account_writes(emulator) == [("DELETE", "users/report", None), ("DELETE", "users/report", 400)]  # no status: dropped
    assert accounts(emulator, instance_id) == {}
