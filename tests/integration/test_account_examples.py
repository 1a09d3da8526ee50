# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The account examples run as pasted against the emulator: the EXAMPLES of ddm_account and ddm_account_info, the user
guide's, and examples/configure_account.yml; what they set is read back through the emulator's control API."""

from __future__ import annotations

import os

from account_cases import NEW_PASSWORD, PASSWORD, accounts, account_writes, seed_instance, sha256  # pylint: disable=import-error
from harness.emulator import ACCESS_KEY, SECRET_KEY  # pylint: disable=import-error
from test_doc_examples import guide_snippet, module_examples, ran, run_tasks  # pylint: disable=import-error

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "examples")
REPORT_PASSWORD = "R3port-Account-Pw"


def test_account_module_examples_create_rotate_delete_and_list(ansible_runner, emulator, tmp_path):
    instance_id = seed_instance(emulator, name="orders-ddm", schemas=("orders",))
    tasks = module_examples("ddm_account") + module_examples("ddm_account_info")
    variables = {"orders_app_password": PASSWORD, "orders_report_password": REPORT_PASSWORD, "orders_app_new_password": NEW_PASSWORD}
    run = run_tasks(ansible_runner, emulator, tmp_path, tasks, variables)
    assert run.rc == 0, run
    created = ran(run, "An application account that reads and writes the orders schema")[0]
    assert created["changed"] and created["account"]["privileges"] == ["INSERT", "DELETE", "UPDATE", "SELECT"]
    assert ran(run, "Show what it may do")[0]["msg"] == "orders_app has INSERT, DELETE, UPDATE, SELECT on orders"
    assert ran(run, "Rotate the application's password (this task reports a change on every run)")[0]["actions"] == ["reset password"]
    assert ran(run, "Delete the read-only account")[0]["changed"]
    assert ran(run, "Show who may write")[0]["msg"] == ["orders_app"]
    assert ran(run, "Fail unless it may use the orders schema")[0]["msg"] == "All assertions passed"
    held = accounts(emulator, instance_id)
    assert list(held) == ["orders_app"] and held["orders_app"]["password_sha256"] == sha256(NEW_PASSWORD)
    assert held["orders_app"]["description"] == "The orders service"
    for password in variables.values():
        assert password not in run.stdout + run.stderr


def test_user_guide_account_examples(ansible_runner, emulator, tmp_path):
    instance_id = seed_instance(emulator, name="orders-ddm", schemas=("orders",))
    tasks = guide_snippet("Create the application's account on the orders schema")
    run = run_tasks(ansible_runner, emulator, tmp_path, tasks, {"orders_app_password": PASSWORD})
    assert run.rc == 0, run
    assert accounts(emulator, instance_id)["orders_app"]["base_authority"] == ["INSERT", "DELETE", "UPDATE", "SELECT"]
    assert ran(run, "List the accounts")[0]["accounts"][0]["schemas"] == ["orders"]


def test_configure_account_example_creates_once_and_says_how_to_connect(ansible_runner, emulator):
    instance_id = seed_instance(emulator, name="orders-ddm", schemas=("orders",))
    playbook = os.path.join(EXAMPLES, "configure_account.yml")
    variables = {"ddm_instance_id": instance_id, "ddm_schema": "orders", "app_account": "orders_app", "app_password": PASSWORD,
                 "hw_ddm_endpoint": emulator.url, "hw_iam_endpoint": emulator.url}
    env = {"HW_ACCESS_KEY": ACCESS_KEY, "HW_SECRET_KEY": SECRET_KEY}
    first = ansible_runner.playbook(playbook, variables, env=env)
    made = first.result("Make sure the account exists with these privileges on the schema")
    assert made["changed"] is True and made["account"]["schemas"] == ["orders"]
    told = first.result("Tell the application how to connect")["msg"]
    assert told.startswith("Connect to ") and "as orders_app (INSERT, DELETE, UPDATE, SELECT on orders) (created now)." in told
    second = ansible_runner.playbook(playbook, variables, env=env)
    assert second.result("Make sure the account exists with these privileges on the schema")["changed"] is False
    assert "(created now)" not in second.result("Tell the application how to connect")["msg"]
    assert account_writes(emulator) == [("POST", "users", 200)]
    assert accounts(emulator, instance_id)["orders_app"]["password_sha256"] == sha256(PASSWORD)
    assert PASSWORD not in first.stdout + first.stderr + second.stdout + second.stderr
