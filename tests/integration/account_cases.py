# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Case builders, seeds and checks shared by the ddm_account integration tests.

An instance is seeded RUNNING through the control API, its schemas are created through the DDM API (and awaited
until RUNNING), and what the module set is read back through the control call ``GET instances/{id}/accounts``:
each account with its privileges, schemas, the SHA-256 of its password and how often the password changed.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import time
import urllib.parse

from cases import token_case  # pylint: disable=import-error
from harness.emulator import PROJECT_ID, STATIC_TOKEN  # pylint: disable=import-error

MODULE = "huaweicloud.cloud.ddm_account"
INFO_MODULE = "huaweicloud.cloud.ddm_account_info"
# Passwords go through the batches' defaults (case_defaults), never in a printed loop item.
PASSWORD = "Str0ng-Account-Pw"
NEW_PASSWORD = "N3w-Account-Pw_2"
WEAK_PASSWORD = "Admin@123"  # passes the rules; the emulator's weak-password check refuses it
WAIT = {"wait_interval": 1, "wait_timeout": 60}
FAST_CONFIGURE = {"schema_create_seconds": 0.3, "schema_delete_seconds": 0.3}
DATA_NODE_LOGIN = {"user_name": "root", "user_password": "Rds-Admin-Passw0rd"}
WRITES = ("POST", "PUT", "DELETE")


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def account_case(emulator, label, **options):
    """A ddm_account (or ddm_account_info) case with token credentials and short waits, plus ``options``."""
    return token_case(emulator, label, **dict(WAIT, **options))


def info_case(emulator, label, **options):
    return token_case(emulator, label, **options)


def seed_instance(emulator, name="orders-ddm", schemas=("orders",)):
    """A RUNNING instance with these schemas (RUNNING too); return its id."""
    emulator.control("POST", "configure/settings", FAST_CONFIGURE)
    instance_id = emulator.add_instance(name=name)["id"]
    for schema in schemas:
        add_schema(emulator, instance_id, schema)
    return instance_id


def api(emulator, method, path, body=None):
    """One DDM API call (``path`` after the project id), with the emulator's static token: (status, decoded body)."""
    target = urllib.parse.urlsplit(emulator.url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    try:
        connection.request(method, "/%s" % path.replace("{project}", PROJECT_ID), body=None if body is None else json.dumps(body),
                           headers={"X-Auth-Token": STATIC_TOKEN, "Content-Type": "application/json"})
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    return response.status, (json.loads(data) if data.strip() else {})


def add_schema(emulator, instance_id, name):
    """Create a schema on every data node the instance offers, and wait until it is RUNNING."""
    nodes = emulator.control("GET", "instances/%s/data_nodes" % instance_id)["data_nodes"]
    body = {"name": name, "shard_mode": "cluster", "shard_number": len(nodes),
            "dn_instances": [dict(DATA_NODE_LOGIN, id=node["id"]) for node in nodes]}
    status, answer = api(emulator, "POST", "v3/{project}/instances/%s/databases" % instance_id, body)
    assert status == 202, answer
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if any(item["name"] == name and item["status"] == "RUNNING" for item in schemas(emulator, instance_id)):
            return
        time.sleep(0.1)
    raise AssertionError("schema %s did not become RUNNING: %s" % (name, schemas(emulator, instance_id)))


def add_account(emulator, instance_id, name, password=PASSWORD, privileges=("SELECT",), databases=()):
    """Create an account through the API (a seed, not the module)."""
    body = {"name": name, "password": password, "base_authority": list(privileges), "databases": [{"name": item} for item in databases]}
    status, answer = api(emulator, "POST", "v3/{project}/instances/%s/users" % instance_id, body)
    assert status == 200, answer


def schemas(emulator, instance_id):
    return emulator.control("GET", "instances/%s/schemas" % instance_id)["schemas"]


def accounts(emulator, instance_id):
    """{name: account} as the emulator holds it: privileges, databases, password_sha256, password_changes..."""
    return {item["name"]: item for item in emulator.control("GET", "instances/%s/accounts" % instance_id)["accounts"]}


def settings(emulator, **values):
    return emulator.control("POST", "configure/settings", values)["settings"]


def busy(emulator, instance_id, seconds, status="BACKUP"):
    """An operation without a task occupies the instance for ``seconds`` (0: frees it)."""
    return emulator.control("POST", "instances/%s/busy" % instance_id, {"seconds": seconds, "status": status})["instance"]


def account_writes(emulator):
    """(method, path after the instance, status) of every write to the account API, in order (the weak-password check apart)."""
    return [(entry["method"], entry["path"].split("/instances/", 1)[1].split("/", 1)[1], entry["status"]) for entry in emulator.api_requests()
            if entry["method"] in WRITES and "/users" in entry["path"]]


def weak_checks(emulator):
    return emulator.api_requests("/weak-password-verification")


def wait_until(condition, timeout=60.0):
    """Block until ``condition()`` holds (the module reached a point of its run), or fail."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold within %s s" % timeout)
        time.sleep(0.05)


def assert_failed(item, *texts):
    assert item.get("failed") is True, item
    for text in texts:
        assert text in item["msg"], (text, item["msg"])


def assert_ok(item, changed):
    assert item.get("failed") is not True, item
    assert item["changed"] is changed, item
