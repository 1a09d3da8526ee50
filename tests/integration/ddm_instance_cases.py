# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Case builders and checks shared by the ddm_instance integration tests.

Instances are seeded through the emulator's control API with short timings (:data:`FAST`); each
case names its own instance, so the cases of one batch never touch each other's instances. The
request log has no bodies: :class:`RecordingProxy` (an HTTP proxy the module is pointed at through
``HTTP_PROXY``) keeps the bodies of what the module sends, for the tests that check them.
"""

from __future__ import annotations

import http.client
import http.server
import json
import threading
import urllib.parse

from cases import token_case  # pylint: disable=import-error
from harness.emulator import (  # pylint: disable=import-error
    AVAILABLE_ZONES, ENGINE_VERSIONS, FLAVOR_CODES, PROJECT_ID, SECURITY_GROUP_ID, SUBNET_ID, VPC_ID,
)

MODULE = "ddm_instance"
# The administrator password the tests pass (in the batches' defaults, never in a printed loop item).
PASSWORD = "Pw-Sekret-4711x"
WITH_PASSWORD = {"admin_password": PASSWORD}
# Short emulator timings: a creation takes 2 s, any other operation 1 s, and writes read stale for 1 s.
FAST = {"create_seconds": 2, "operation_seconds": 1, "delete_seconds": 1, "stale_seconds": 1}
WAIT = {"wait_interval": 1, "wait_timeout": 60}
SMALL, LARGE = FLAVOR_CODES[0], FLAVOR_CODES[1]
ZONES = list(AVAILABLE_ZONES)
# What creating an instance needs (the module's options).
CREATE = {"flavor": SMALL, "node_num": 2, "engine_version": ENGINE_VERSIONS[-1], "availability_zones": ZONES[:2], "vpc_id": VPC_ID,
          "subnet_id": SUBNET_ID, "security_group_id": SECURITY_GROUP_ID}
INSTANCES_PATH = "/v3/%s/instances" % PROJECT_ID
WRITES = ("POST", "PUT", "DELETE")
# Every key of a result's instance.
INSTANCE_KEYS = {"id", "name", "status", "flavor", "node_num", "availability_zones", "vpc_id", "subnet_id", "security_group_id",
                 "engine_version", "admin_user", "access_ip", "access_port", "nodes", "enterprise_project_id", "created", "updated",
                 "error_msg", "order_id", "vcpus", "ram"}


def instance_case(emulator, label, **options):
    """A ddm_instance case with token credentials and short waits, plus ``options``."""
    return token_case(emulator, label, **dict(WAIT, **options))


def seed(emulator, name, **spec):
    """Seed a RUNNING instance (2 nodes in the first two AZs, the small flavor, the default network); return its id."""
    defaults = {"name": name, "available_zones": ZONES[:2], "node_count": 2, "flavor_ref": SMALL, "engine_version": ENGINE_VERSIONS[-1]}
    return emulator.add_instance(**dict(defaults, **spec))["id"]


def run_instance_cases(ansible_runner, cases, **options):
    """Run ddm_instance over ``cases`` in one ansible-playbook run (``defaults=WITH_PASSWORD`` passes the password to every case)."""
    return ansible_runner.run_cases(cases, module=MODULE, **options)


def instance_path(instance_id, suffix=""):
    return "%s/%s%s" % (INSTANCES_PATH, instance_id, suffix)


def writes(emulator, path_contains=""):
    """(method, path, status) of every logged write to the DDM API, in order."""
    return [(entry["method"], entry["path"], entry["status"]) for entry in emulator.api_requests(path_contains) if entry["method"] in WRITES]


def write_entries(emulator, path_contains=""):
    return [entry for entry in emulator.api_requests(path_contains) if entry["method"] in WRITES]


def assert_failed(item, *texts):
    assert item.get("failed") is True, item
    for text in texts:
        assert text in item["msg"], (text, item["msg"])


def assert_ok(item, changed):
    assert item.get("failed") is not True, item
    assert item["changed"] is changed, item


class RecordingProxy:
    """A plain-HTTP forward proxy that keeps (method, path, JSON body) of every request it passes on.

    A connection the upstream server drops is dropped here too, so faults look the same through it.
    """

    def __init__(self):
        self.requests = []
        lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self):
                target = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with lock:
                    proxy.requests.append({"method": self.command, "path": target.path, "query": target.query,
                                           "body": json.loads(body) if body else None})
                headers = {name: value for name, value in self.headers.items() if name.lower() not in ("proxy-connection", "connection")}
                upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
                try:
                    upstream.request(self.command, target.path + ("?" + target.query if target.query else ""), body=body or None,
                                     headers=headers)
                    response = upstream.getresponse()
                    data = response.read()
                except (OSError, http.client.HTTPException):
                    self.close_connection = True
                    return
                finally:
                    upstream.close()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in ("connection", "transfer-encoding", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def env(self):
        """The environment that sends the module's requests through this proxy."""
        return {"HTTP_PROXY": self.url, "http_proxy": self.url}

    def sent(self, method, path_suffix):
        """The JSON bodies of the requests with this method whose path ends with ``path_suffix``."""
        return [entry["body"] for entry in self.requests if entry["method"] == method and entry["path"].endswith(path_suffix)]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()
