# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Case builders, emulator control calls and checks shared by the ddm_schema integration tests.

Each test seeds its own instances (a RUNNING instance offers two data nodes with the login ``root`` /
``DN_PASSWORD``); the configuration services run with short timings (:data:`FAST`). The control calls are
those of ``tests/emulator/config_calls.py``, with the bodies it documents.
"""

from __future__ import annotations

import urllib.parse

from cases import token_case  # pylint: disable=import-error
from harness.emulator import PROJECT_ID  # pylint: disable=import-error

MODULE = "huaweicloud.cloud.ddm_schema"
INFO_MODULE = "huaweicloud.cloud.ddm_schema_info"
DN_USER = "root"
DN_PASSWORD = "Rds-Admin-Passw0rd"  # the emulator's default data node login
FAST = {"schema_create_seconds": 1.0, "schema_delete_seconds": 1.0}
WAIT = {"wait_interval": 1, "wait_timeout": 60}
WRITES = ("POST", "PUT", "DELETE")


def schema_case(emulator, label, instance_id, **options):
    """A ddm_schema case with token credentials and short waits on the instance ``instance_id`` (None: give
    ``instance_name``), plus ``options``."""
    return info_case(emulator, label, instance_id, **dict(WAIT, **options))


def info_case(emulator, label, instance_id, **options):
    return token_case(emulator, label, **dict(options, **({"instance_id": instance_id} if instance_id else {})))


def run_schema_cases(ansible_runner, cases, **options):
    return ansible_runner.run_cases(cases, module=MODULE, **options)


def _path(instance_id, what):
    return "instances/%s/%s" % (urllib.parse.quote(instance_id, safe=""), what)


def configure_settings(emulator, **settings):
    return emulator.control("POST", "configure/settings", settings)["settings"]


def seed_instance(emulator, name="orders-ddm", **spec):
    """A RUNNING instance with short schema timings; returns its id."""
    configure_settings(emulator, **FAST)
    return emulator.add_instance(name=name, **spec)["id"]


def data_node_ids(emulator, instance_id):
    return [node["id"] for node in emulator.control("GET", _path(instance_id, "data_nodes"))["data_nodes"]]


def seed_data_nodes(emulator, instance_id, nodes, replace=False):
    return emulator.control("POST", _path(instance_id, "data_nodes"), {"data_nodes": nodes, "replace": replace})["data_nodes"]


def logins(node_ids, password=DN_PASSWORD):
    return [{"id": node_id, "admin_user": DN_USER, "admin_password": password} for node_id in node_ids]


def schemas(emulator, instance_id):
    """The emulator's own view of the instance's schemas (with ``delete_dn_data`` of each delete)."""
    return emulator.control("GET", _path(instance_id, "schemas"))["schemas"]


def fail_next(emulator, operation, fail_reason="The task failed.", status=None):
    spec = {"operation": operation, "fail_reason": fail_reason}
    if status is not None:
        spec["status"] = status
    return emulator.control("POST", "configure/fail_next", spec)


def make_busy(emulator, instance_id, seconds=3.0, status="BACKUP"):
    return emulator.control("POST", _path(instance_id, "busy"), {"seconds": seconds, "status": status})["instance"]


def schema_path(instance_id, name=None):
    suffix = "/" + name if name else ""
    return "/v3/%s/instances/%s/databases%s" % (PROJECT_ID, instance_id, suffix)


def writes(emulator, path_contains=""):
    """(method, path, status) of every logged write to the DDM API, in order."""
    return [(entry["method"], entry["path"], entry["status"]) for entry in emulator.api_requests(path_contains) if entry["method"] in WRITES]


def assert_failed(item, *texts):
    assert item.get("failed") is True, item
    for text in texts:
        assert text in item["msg"], (text, item["msg"])


def assert_ok(item, changed):
    assert item.get("failed") is not True, item
    assert item["changed"] is changed, item
