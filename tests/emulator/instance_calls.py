# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calls to the emulator's DDM instance API that its tests share: requests, a valid create body, waiting."""

from __future__ import annotations

import json
import time
import urllib.parse

from harness import emulator as harness
from harness.emulator import PROJECT_ID, STATIC_TOKEN
import signing


# Short timings keep the tests quick; a test that needs others sets them itself.
FAST = {"create_seconds": 0.6, "operation_seconds": 0.6, "delete_seconds": 0.6, "stale_seconds": 0.0}
V3_ERROR_KEYS = {"error_code", "error_msg"}
V1_ERROR_KEYS = {"errCode", "externalMessage"}


def api(emulator, method, path, body=None, params=None, **kwargs):
    """One API call on /{version}/{project}/...: ``path`` is what follows the project, e.g. ("v3", "instances")."""
    version, rest = path
    url = "%s/%s/%s/%s" % (emulator.url, version, PROJECT_ID, rest)
    data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode("utf-8"))
    kwargs.setdefault("token", STATIC_TOKEN)
    return signing.call(method, url, params or {}, body=data, **kwargs)


def create_body(**changes):
    body = {"name": "ddm-test-1", "available_zones": [harness.AVAILABLE_ZONES[0], harness.AVAILABLE_ZONES[1]], "node_num": 2,
            "engine_version": harness.ENGINE_VERSIONS[-1], "flavor_ref": harness.FLAVOR_CODES[0], "vpc_id": harness.VPC_ID,
            "subnet_id": harness.SUBNET_ID, "security_group_id": harness.SECURITY_GROUP_ID}
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def create(emulator, **changes):
    response = api(emulator, "POST", ("v3", "instances"), create_body(**changes))
    assert response.status_code == 202, response.text
    return response.json()


def show(emulator, instance_id):
    return api(emulator, "GET", ("v1", "instances/" + instance_id))


def shown(emulator, instance_id):
    response = show(emulator, instance_id)
    assert response.status_code == 200, response.text
    return response.json()


def job(emulator, job_id):
    response = api(emulator, "GET", ("v3", "jobs/" + job_id))
    assert response.status_code == 200, response.text
    return response.json()["job"]


def wait_for(check, timeout=8.0, interval=0.05):
    """Poll ``check()`` until it returns something true; return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within %s s" % timeout)
        time.sleep(interval)


def wait_job(emulator, job_id, status="Completed", timeout=8.0):
    return wait_for(lambda: job(emulator, job_id)["status"] == status and job(emulator, job_id), timeout)


def running(emulator, **spec):
    """A seeded RUNNING instance with fast timings set; return its id."""
    emulator.instance_settings(**FAST)
    return emulator.add_instance(**spec)["id"]


def assert_error(response, status, code, version="v3"):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == (V3_ERROR_KEYS if version == "v3" else V1_ERROR_KEYS), body
    assert body["error_code" if version == "v3" else "errCode"] == code
    return body


# ----------------------------------------------------------------------------- control calls the harness client does not wrap

def instance_path(instance_id, action):
    return "instances/%s/%s" % (urllib.parse.quote(instance_id, safe=""), action)


def not_found(emulator, instance_id, count=1, calls=("show",)):
    """The next ``count`` of each of ``calls`` on this instance answer 404 as if it did not exist; return its control shape."""
    return emulator.control("POST", instance_path(instance_id, "not_found"), {"count": count, "calls": list(calls)})["instance"]


def order_id_shown(emulator, instance_id, shown):
    """How show and list give the instance's order_id: "as_is", "empty", "absent" or "null"; return its control shape."""
    return emulator.control("POST", instance_path(instance_id, "order_id_shown"), {"shown": shown})["instance"]


def list_repeat(emulator, mode, count=1):
    """The next ``count`` list pages repeat an instance ("previous" or "twice"; None stops it)."""
    return emulator.control("POST", "instances/list_repeat", {"mode": mode, "count": count})["list_repeat"]


def add_latency(emulator, delay, where="before", **spec):
    """A standing delay (method, path regex, jitter, seed, label) on the matching API requests, until cleared."""
    return emulator.control("POST", "latency", dict(spec, delay=delay, where=where))["latency"]


def clear_latency(emulator):
    """Remove every latency, releasing the requests they hold."""
    return emulator.control("DELETE", "latency")
