# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Case builders and emulator calls shared by the ddm_instance_config and ``ddm_instance state: restarted`` integration tests.

The emulator's control calls for parameters, restarts and busy instances are those of tests/emulator/config_calls.py.
"""

from __future__ import annotations

import urllib.parse

from cases import token_case  # pylint: disable=import-error
from ddm_instance_cases import seed  # pylint: disable=import-error
from harness.emulator import PROJECT_ID  # pylint: disable=import-error

MODULE = "huaweicloud.cloud.ddm_instance_config"
WAIT = {"wait_interval": 1, "wait_timeout": 60}
# Short emulator timings: instance writes read stale for 1 s; a parameter change applies for 1 s, a restart for 1 s.
FAST_INSTANCE = {"operation_seconds": 1, "stale_seconds": 1}
FAST_CONFIGURE = {"config_seconds": 1, "restart_seconds": 1}
WRITES = ("POST", "PUT", "DELETE")


def config_case(emulator, label, **options):
    """A ddm_instance_config case with token credentials and short waits, plus ``options``."""
    return token_case(emulator, label, **dict(WAIT, **options))


def ready_instance(emulator, name="orders-ddm", **spec):
    """A seeded RUNNING instance, with fast timings set; its id."""
    emulator.instance_settings(**FAST_INSTANCE)
    configure_settings(emulator, **FAST_CONFIGURE)
    return seed(emulator, name, **spec)


def _instance_path(instance_id, what):
    return "instances/%s/%s" % (urllib.parse.quote(instance_id, safe=""), what)


def configure_settings(emulator, **settings):
    return emulator.control("POST", "configure/settings", settings)["settings"]


def fail_next(emulator, operation, fail_reason="The task failed.", status=None):
    spec = {"operation": operation, "fail_reason": fail_reason}
    if status is not None:
        spec["status"] = status
    return emulator.control("POST", "configure/fail_next", spec)["fail_next"]


def control_parameters(emulator, instance_id):
    """{parameters: {name: {value, effective, pending_restart, ...}}, restart_required, pending, changes}."""
    return emulator.control("GET", _instance_path(instance_id, "parameters"))


def seed_parameters(emulator, instance_id, **spec):
    return emulator.control("POST", _instance_path(instance_id, "parameters"), spec)


def make_busy(emulator, instance_id, seconds=5.0, status="BACKUP"):
    return emulator.control("POST", _instance_path(instance_id, "busy"), {"seconds": seconds, "status": status})["instance"]


def configurations_path(instance_id, version="v3.1"):
    return "/%s/%s/instances/%s/configurations" % (version, PROJECT_ID, instance_id)


def restart_path(instance_id):
    return "/v3/%s/instances/%s/restart" % (PROJECT_ID, instance_id)


def writes(emulator):
    """(method, path, status) of every logged write, in order."""
    return [(entry["method"], entry["path"], entry["status"]) for entry in emulator.requests_log() if entry["method"] in WRITES]


def assert_failed(item, *texts):
    assert item.get("failed") is True, item
    for text in texts:
        assert text in item["msg"], (text, item["msg"])


def assert_ok(item, changed):
    assert item.get("failed") is not True, item
    assert item["changed"] is changed, item
