# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The account calls of the emulator: v3 flat bodies, synchronous, list only; rules, uniqueness, quota, the weak-password
check, a busy instance, lost answers, passwords never shown."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
import requests

from config_calls import (ACCOUNT_PASSWORD, ALL_AUTHORITIES, accounts_by_name, add_weak_passwords, configuration,
                          configure_settings, control_accounts, create_account, create_schema, delete_account, delete_schema, list_accounts, make_busy,
                          ready, slow, reset_password, running_schema, settled, update_account, weak_check)
from instance_calls import assert_error, wait_job


USER_KEYS = {"name", "status", "base_authority", "password_lifetime", "password_last_changed", "description", "created", "databases",
             "expiration_time"}
API_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$")


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_create_is_synchronous_and_shows_in_the_list(emulator):
    instance_id = ready(emulator)
    running_schema(emulator, instance_id, name="orders")
    tasks = len(emulator.jobs())
    response = create_account(emulator, instance_id, name="app_user", base_authority=["SELECT", "INSERT", "SELECT"], description="the app",
                              password_lifetime=90, databases=[{"name": "orders"}])
    assert (response.status_code, response.json()) == (200, {})
    body = list_accounts(emulator, instance_id).json()
    assert set(body) == {"users", "offset", "limit", "total"} and (body["offset"], body["limit"], body["total"]) == (0, 10, 1)
    user = body["users"][0]
    assert set(user) == USER_KEYS
    assert (user["name"], user["status"], user["description"], user["password_lifetime"]) == ("app_user", "RUNNING", "the app", 90)
    # Documented order, once each.
    assert user["base_authority"] == ["INSERT", "SELECT"]
    assert user["databases"] == [{"name": "orders"}]
    assert API_TIME.match(user["created"]) and API_TIME.match(user["password_last_changed"]) and API_TIME.match(user["expiration_time"])
    # No task.
    assert len(emulator.jobs()) == tasks


def test_defaults_of_optional_fields(emulator):
    instance_id = ready(emulator)
    create_account(emulator, instance_id)
    user = accounts_by_name(emulator, instance_id)["app_user"]
    assert (user["description"], user["password_lifetime"], user["databases"], user["expiration_time"]) == ("", 0, [], "")


def test_list_pages(emulator):
    instance_id = ready(emulator)
    for number in range(12):
        assert create_account(emulator, instance_id, name="user%02d" % number).status_code == 200
    first = list_accounts(emulator, instance_id).json()
    assert len(first["users"]) == 10 and first["total"] == 12
    rest = list_accounts(emulator, instance_id, offset=10, limit=10).json()
    assert [user["name"] for user in rest["users"]] == ["user10", "user11"]
    assert_error(list_accounts(emulator, instance_id, limit=0), 400, "DBS.280001")


def test_names_are_unique_per_instance(emulator):
    instance_id, other = ready(emulator), ready(emulator)
    assert create_account(emulator, instance_id).status_code == 200
    assert_error(create_account(emulator, instance_id, password="An0ther-Passw0rd"), 400, "DBS.300311")
    assert create_account(emulator, other).status_code == 200


@pytest.mark.parametrize("changes, code", [
    ({"name": "1user"}, "DBS.300305"), ({"name": "a" * 33}, "DBS.300305"), ({"name": "app-user"}, "DBS.300305"), ({"name": None}, "DBS.300305"),
    ({"password": "Short1!"}, "DBS.300306"), ({"password": "alllowercase1"}, "DBS.300306"), ({"password": "A" * 33 + "a1"}, "DBS.300306"),
    ({"password": "Has Space-1a"}, "DBS.300306"), ({"password": "Slash/Pass1"}, "DBS.300306"), ({"password": None}, "DBS.300306"),
    ({"name": "App_User9", "password": "App_User9"}, "DBS.300306"), ({"name": "Abc_12345", "password": "54321_cbA"}, "DBS.300306"),
    ({"password": "Admin@123"}, "DBS.300306"), ({"password": "p@ssw0rd"}, "DBS.300306"),
    ({"base_authority": []}, "DBS.300309"), ({"base_authority": ["select"]}, "DBS.300309"), ({"base_authority": ["GRANT"]}, "DBS.300309"),
    ({"base_authority": "SELECT"}, "DBS.300309"), ({"description": "d" * 257}, "DBS.300307"), ({"description": 5}, "DBS.300307"),
    ({"password_lifetime": 65536}, "DBS.280001"), ({"password_lifetime": -1}, "DBS.280001"), ({"password_lifetime": "30"}, "DBS.280001"),
    ({"databases": ["orders"]}, "DBS.280001"), ({"databases": [{"name": "nope"}]}, "DBS.300300"),
])
def test_rules_are_checked_and_nothing_is_written(emulator, changes, code):
    instance_id = ready(emulator)
    assert_error(create_account(emulator, instance_id, **changes), 400, code)
    assert configuration(emulator, instance_id)["account_count"] == 0


def test_the_longest_valid_values(emulator):
    instance_id = ready(emulator)
    name = "a" + "b" * 31
    assert create_account(emulator, instance_id, name=name, password="Aa1~!@#%^*-_+?" + "x" * 18, description="d" * 256,
                          password_lifetime=65535, base_authority=ALL_AUTHORITIES).status_code == 200
    assert accounts_by_name(emulator, instance_id)[name]["base_authority"] == ALL_AUTHORITIES


def test_quota(emulator):
    instance_id = ready(emulator)
    configure_settings(emulator, account_quota=3)
    for number in range(3):
        assert create_account(emulator, instance_id, name="user%d" % number).status_code == 200
    body = assert_error(create_account(emulator, instance_id, name="user3"), 400, "DBS.300300")
    assert "3 accounts" in body["error_msg"]
    assert configuration(emulator, instance_id)["account_count"] == 3


def test_the_101st_account_is_refused(emulator):
    instance_id = ready(emulator)
    for number in range(100):
        assert create_account(emulator, instance_id, name="user%03d" % number).status_code == 200
    assert_error(create_account(emulator, instance_id, name="user100"), 400, "DBS.300300")
    assert list_accounts(emulator, instance_id, limit=128).json()["total"] == 100


def test_weak_password_check(emulator):
    for password, weak in (("Admin@123", True), ("ADMIN@123", True), (ACCOUNT_PASSWORD, False)):
        response = weak_check(emulator, password)
        assert (response.status_code, response.json()) == (200, {"is_weak_password": weak})
    assert_error(weak_check(emulator, ""), 400, "DBS.280001")
    add_weak_passwords(emulator, ACCOUNT_PASSWORD)
    assert weak_check(emulator, ACCOUNT_PASSWORD).json() == {"is_weak_password": True}
    instance_id = ready(emulator)
    assert_error(create_account(emulator, instance_id), 400, "DBS.300306")


def test_update_changes_only_what_is_given(emulator):
    instance_id = ready(emulator)
    running_schema(emulator, instance_id, name="orders")
    running_schema(emulator, instance_id, name="users")
    create_account(emulator, instance_id, description="first", databases=[{"name": "orders"}], password_lifetime=30)
    response = update_account(emulator, instance_id, "app_user", {"base_authority": ["SELECT"]})
    assert (response.status_code, response.json()) == (200, {})
    user = accounts_by_name(emulator, instance_id)["app_user"]
    assert (user["base_authority"], user["description"], user["databases"], user["password_lifetime"]) == (
        ["SELECT"], "first", [{"name": "orders"}], 30)
    update_account(emulator, instance_id, "app_user", {"databases": [{"name": "users"}, {"name": "orders"}], "description": "",
                                                       "password_lifetime": 0})
    user = accounts_by_name(emulator, instance_id)["app_user"]
    assert (user["databases"], user["description"], user["password_lifetime"]) == ([{"name": "users"}, {"name": "orders"}], "", 0)
    assert control_accounts(emulator, instance_id)[0]["password_changes"] == 0


def test_update_is_checked(emulator):
    instance_id = ready(emulator)
    create_account(emulator, instance_id)
    assert_error(update_account(emulator, instance_id, "app_user", {}), 400, "DBS.280001")
    assert_error(update_account(emulator, instance_id, "app_user", {"password": "Other-Passw0rd"}), 400, "DBS.280001")
    assert_error(update_account(emulator, instance_id, "app_user", {"databases": [{"name": "nope"}]}), 400, "DBS.300301")
    assert_error(update_account(emulator, instance_id, "app_user", {"base_authority": ["ALL"]}), 400, "DBS.300309")
    assert_error(update_account(emulator, instance_id, "nobody", {"description": "x"}), 400, "DBS.300327")


def test_password_reset(emulator):
    instance_id = ready(emulator)
    create_account(emulator, instance_id)
    assert control_accounts(emulator, instance_id)[0]["password_sha256"] == sha256(ACCOUNT_PASSWORD)
    assert_error(reset_password(emulator, instance_id, "app_user", "weak"), 400, "DBS.300306")
    assert_error(reset_password(emulator, instance_id, "app_user", "Huawei@123"), 400, "DBS.300306")
    assert_error(reset_password(emulator, instance_id, "nobody", "New-Passw0rd-1"), 400, "DBS.300327")
    response = reset_password(emulator, instance_id, "app_user", "New-Passw0rd-1")
    assert (response.status_code, response.json()) == (200, {})
    account = control_accounts(emulator, instance_id)[0]
    assert (account["password_sha256"], account["password_changes"]) == (sha256("New-Passw0rd-1"), 1)


def test_delete(emulator):
    instance_id = ready(emulator)
    create_account(emulator, instance_id, name="keep")
    create_account(emulator, instance_id, name="drop")
    assert (delete_account(emulator, instance_id, "drop").status_code, delete_account(emulator, instance_id, "drop").status_code) == (200, 400)
    assert_error(delete_account(emulator, instance_id, "drop"), 400, "DBS.300327")
    assert list(accounts_by_name(emulator, instance_id)) == ["keep"]


def test_schemas_must_be_running_and_a_deleted_schema_leaves_its_accounts(emulator):
    instance_id = ready(emulator)
    slow(emulator)
    configure_settings(emulator, schema_exclusive=False)
    running_schema(emulator, instance_id, name="orders")
    create_schema(emulator, instance_id, name="pending")
    assert_error(create_account(emulator, instance_id, databases=[{"name": "pending"}]), 400, "DBS.300300")
    create_account(emulator, instance_id, databases=[{"name": "orders"}])
    wait_job(emulator, delete_schema(emulator, instance_id, "orders").json()["job_id"])
    assert accounts_by_name(emulator, instance_id)["app_user"]["databases"] == []


def test_a_busy_instance_refuses_account_writes_but_not_reads(emulator):
    instance_id = ready(emulator)
    create_account(emulator, instance_id)
    make_busy(emulator, instance_id, seconds=30, status="SET_CONFIGURATION")
    assert_error(create_account(emulator, instance_id, name="other"), 409, "DBS.200019")
    assert_error(update_account(emulator, instance_id, "app_user", {"description": "x"}), 409, "DBS.200019")
    assert_error(reset_password(emulator, instance_id, "app_user", "New-Passw0rd-1"), 409, "DBS.200019")
    assert_error(delete_account(emulator, instance_id, "app_user"), 409, "DBS.200019")
    assert list_accounts(emulator, instance_id).json()["total"] == 1
    emulator.instance_settings(busy_answer=403)
    assert_error(create_account(emulator, instance_id, name="other"), 403, "DBS.212033")


def test_a_schema_task_makes_account_writes_wait(emulator):
    instance_id = ready(emulator)
    slow(emulator)
    job_id = create_schema(emulator, instance_id, name="orders").json()["job_id"]
    assert_error(create_account(emulator, instance_id), 409, "DBS.200019")
    wait_job(emulator, job_id)
    settled(emulator, instance_id)
    assert create_account(emulator, instance_id, databases=[{"name": "orders"}]).status_code == 200


def test_missing_instance(emulator):
    assert_error(list_accounts(emulator, "no-such-instance"), 404, "DBS.200002")
    assert_error(create_account(emulator, "no-such-instance"), 404, "DBS.200002")


def test_a_creation_whose_answer_is_lost_was_applied_and_a_resend_is_refused(emulator):
    instance_id = ready(emulator)
    emulator.add_fault(method="POST", path=r"/users$", apply=True, drop=True)
    with pytest.raises(requests.ConnectionError):
        create_account(emulator, instance_id)
    assert emulator.api_requests("/users")[-1]["applied_status"] == 200
    assert list(accounts_by_name(emulator, instance_id)) == ["app_user"]
    assert_error(create_account(emulator, instance_id), 400, "DBS.300311")
    emulator.add_fault(method="PUT", path=r"/users/", apply=True, status=502, body="")
    assert update_account(emulator, instance_id, "app_user", {"description": "after"}).status_code == 502
    assert accounts_by_name(emulator, instance_id)["app_user"]["description"] == "after"


def test_passwords_are_never_shown(emulator):
    instance_id = ready(emulator)
    create_account(emulator, instance_id)
    reset_password(emulator, instance_id, "app_user", "New-Passw0rd-1")
    texts = [list_accounts(emulator, instance_id).text, json.dumps(configuration(emulator, instance_id)), json.dumps(emulator.instances())]
    assert all(ACCOUNT_PASSWORD not in text and "New-Passw0rd-1" not in text for text in texts)
