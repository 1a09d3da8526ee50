# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A whole request, headers and body, ends by its time budget, against a real server that stalls or trickles."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.auth import TokenAuth
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.client import HuaweiCloudClient
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.deadline import Deadline
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import DeadlineExceeded, TransportError
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.retry import RetryPolicy
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.timelimit import TimeLimitExpired, can_interrupt, time_limit

BODY = b'{"job": {"id": "j1", "status": "Completed"}}'
HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + b"p" * 100 + b"\r\nContent-Length: %d\r\n\r\n" % len(BODY)


class SlowServer:
    """Answers one request on 127.0.0.1: ``stall`` (never), ``headers`` (trickled) or ``body`` (headers at once, body trickled)."""

    def __init__(self, mode, byte_interval=0.05):
        self.mode = mode
        self.byte_interval = byte_interval
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = "http://127.0.0.1:%d/v3/pid/jobs/j1" % self.listener.getsockname()[1]
        self.got_request = threading.Event()
        self.finished = threading.Event()  # the whole answer went out
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _trickle(self, connection, data):
        for index in range(len(data)):
            if self.stop.wait(self.byte_interval):
                return False
            connection.sendall(data[index:index + 1])
        return True

    def _serve(self):
        connection, _address = self.listener.accept()
        with connection:
            connection.recv(65536)
            self.got_request.set()
            try:
                if self.mode == "stall":
                    self.stop.wait(60)
                    return
                if self.mode == "headers" and not self._trickle(connection, HEADERS + BODY):
                    return
                if self.mode == "body":
                    connection.sendall(HEADERS)
                    if not self._trickle(connection, BODY):
                        return
                self.finished.set()
            except OSError:
                return  # the client hung up, as it should

    def close(self):
        self.stop.set()
        self.listener.close()
        self.thread.join(5)


@pytest.fixture
def slow_server():
    servers = []

    def start(mode):
        servers.append(SlowServer(mode))
        return servers[-1]
    yield start
    for server in servers:
        server.close()


def client(timeout=30, max_retries=0):
    return HuaweiCloudClient(TokenAuth("tok"), iam_url="http://127.0.0.1:9", project_id="pid", timeout=timeout,
                             retry=RetryPolicy(max_retries=max_retries))


@pytest.mark.parametrize("mode", ["stall", "headers", "body"])
def test_a_request_inside_a_wait_ends_at_the_deadline_whatever_the_server_does(slow_server, mode):
    server = slow_server(mode)
    api = client(timeout=30)
    with api.within(Deadline(1.0)), pytest.raises(DeadlineExceeded, match="no complete answer before the deadline"):
        api.get_json(server.url)
    assert server.got_request.is_set() and not server.finished.is_set()


@pytest.mark.parametrize("mode", ["headers", "body"])
def test_api_timeout_is_a_budget_for_the_whole_answer_not_per_read(slow_server, mode):
    server = slow_server(mode)
    with pytest.raises(TransportError, match=r"no complete answer within the api_timeout \(1 s\)$") as info:
        client(timeout=1).get_json(server.url)
    assert not isinstance(info.value, DeadlineExceeded) and info.value.retryable
    assert not server.finished.is_set()


def test_a_fast_answer_is_untouched(slow_server):
    server = slow_server("body")
    server.byte_interval = 0
    api = client(timeout=5)
    with api.within(Deadline(5)):
        assert api.get_json(server.url) == {"job": {"id": "j1", "status": "Completed"}}


def test_time_limit_restores_the_previous_alarm_handler():
    import signal  # pylint: disable=import-outside-toplevel
    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(TimeLimitExpired):
        with time_limit(0.05):
            time.sleep(5)
    assert signal.getsignal(signal.SIGALRM) == before and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_time_limit_is_a_no_op_outside_the_main_thread():
    seen = []

    def worker():
        seen.append(can_interrupt())
        with time_limit(0.01):
            time.sleep(0.05)
        seen.append("done")
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(5)
    assert seen == [False, "done"] and can_interrupt()
