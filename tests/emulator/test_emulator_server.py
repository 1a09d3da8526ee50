# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator as an HTTP server and a process: keep-alive, malformed requests, chunked bodies, the Date header and the server's
clock, loopback only, signals, TLS, the verifier without the SDK."""

from __future__ import annotations

import datetime
import email.utils
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys

import pytest
import requests

from emulator_calls import AKSK, job_url, list_url, now_ms, password_body, window
from harness import emulator as harness
from harness.emulator import PROJECT_ID, STATIC_TOKEN
import signing


def raw_exchange(emulator, payload):
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=5) as sock:
        sock.sendall(payload)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def run_emulator(*args, env=None):
    return subprocess.run([sys.executable, "-m", harness.EMULATOR_MODULE] + list(args), capture_output=True, text=True, timeout=30,
                          check=False, env=harness.emulator_env(env))


def server_time(response_headers):
    """The epoch seconds of an answer's Date header."""
    return email.utils.parsedate_to_datetime(response_headers["Date"]).timestamp()


def time_now():
    return datetime.datetime.now(datetime.timezone.utc).timestamp()


# ----------------------------------------------------------------------------- HTTP

def test_keep_alive_and_content_length(emulator):
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=10)
    try:
        for job_id in (harness.DEMO_JOB_IDS["completed"], "missing", harness.DEMO_JOB_IDS["failed"]):
            connection.request("GET", "/v3/%s/jobs/%s" % (PROJECT_ID, job_id), headers={"X-Auth-Token": STATIC_TOKEN})
            response = connection.getresponse()
            data = response.read()
            assert int(response.getheader("Content-Length")) == len(data)
            assert not response.will_close
            json.loads(data)
    finally:
        connection.close()


@pytest.mark.parametrize("payload", [
    b"GARBAGE\r\n\r\n",
    b"GET /v3/x/jobs HTTP/1.1\r\nHost: a\r\nContent-Length: nope\r\nConnection: close\r\n\r\n",
    b"POST /v3/auth/tokens HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n",
])
def test_malformed_requests_get_400_json(emulator, payload):
    answer = raw_exchange(emulator, payload)
    head, body = answer.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.") and b" 400 " in head.split(b"\r\n")[0]
    assert json.loads(body.decode())["error_code"]
    assert emulator.info()["project_id"] == PROJECT_ID
    assert "Traceback" not in emulator.stderr_text()


def test_chunked_body_is_read(emulator):
    body = json.dumps(password_body({"project": {"id": PROJECT_ID}})).encode()
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    answer = raw_exchange(emulator, b"POST /v3/auth/tokens HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                                    b"Connection: close\r\n\r\n" + chunked)
    assert answer.split(b"\r\n", 1)[0].endswith(b"201 Created")


# ----------------------------------------------------------------------------- process

# ----------------------------------------------------------------------------- the Date header and the server's clock

def test_every_answer_carries_a_date_on_the_server_clock(emulator):
    emulator.set_clock_skew(3600)
    job_id = emulator.post_job()["id"]
    emulator.add_fault(path="/trickled", status=503, body="busy", trickle=4000)
    answers = [signing.call("GET", job_url(emulator, job_id), token=STATIC_TOKEN),  # 200
               signing.call("GET", job_url(emulator, "missing"), token=STATIC_TOKEN),  # 400 of the service
               signing.call("GET", job_url(emulator, job_id)),  # 401 of the gateway
               signing.call("GET", emulator.url + "/v3/%s/nowhere" % PROJECT_ID, token=STATIC_TOKEN),  # 404 of the gateway
               requests.get(emulator.url + "/trickled", timeout=10),  # a fault sent a few bytes at a time
               requests.get(emulator.url + "/_emulator/info", timeout=10)]  # the control API
    assert [answer.status_code for answer in answers] == [200, 400, 401, 404, 503, 200]
    malformed = raw_exchange(emulator, b"GARBAGE\r\n\r\n").decode("latin-1")
    dates = [server_time(answer.headers) for answer in answers]
    dates.append(email.utils.parsedate_to_datetime(malformed.split("Date: ", 1)[1].split("\r\n", 1)[0]).timestamp())
    # An hour ahead of this machine (the window only absorbs the run's own duration).
    assert all(3500 < date - time_now() < 3700 for date in dates), dates


def test_task_times_and_the_list_window_follow_the_server_clock(emulator):
    """A server clock ahead puts new tasks after a window taken from the client's clock; one taken from Date finds them."""
    emulator.set_clock_skew(3600)
    job = emulator.post_job(name="AheadTask")
    answer = signing.call("GET", job_url(emulator, job["id"]), token=STATIC_TOKEN)
    created = datetime.datetime.strptime(answer.json()["job"]["created_time"], "%Y-%m-%dT%H:%M:%S%z").timestamp()
    assert abs(created - server_time(answer.headers)) < 120
    ours = signing.call("GET", list_url(emulator), window(), token=STATIC_TOKEN).json()
    assert job["id"] not in [item["id"] for item in ours["jobs"]]
    server_now_ms = int(server_time(answer.headers) * 1000)
    theirs = signing.call("GET", list_url(emulator), {"start_time": server_now_ms - 600 * 1000, "end_time": server_now_ms + 600 * 1000,
                                                      "limit": 128}, token=STATIC_TOKEN).json()
    assert job["id"] in [item["id"] for item in theirs["jobs"]]
    # The 30-day limit of start_time is counted on the server's clock too.
    early = {"start_time": now_ms() - 30 * 24 * 3600 * 1000 + 30 * 60 * 1000, "end_time": now_ms()}
    assert signing.call("GET", list_url(emulator), early, token=STATIC_TOKEN).status_code == 400
    emulator.set_clock_skew(0)
    assert signing.call("GET", list_url(emulator), early, token=STATIC_TOKEN).status_code == 200


def test_instance_times_follow_the_server_clock(emulator):
    emulator.set_clock_skew(-7200)
    instance = emulator.add_instance()
    answer = signing.call("GET", "%s/v1/%s/instances/%s" % (emulator.url, PROJECT_ID, instance["id"]), token=STATIC_TOKEN)
    created = datetime.datetime.strptime(answer.json()["created"], "%Y-%m-%dT%H:%M:%S%z").timestamp()
    assert abs(created - server_time(answer.headers)) < 120 and server_time(answer.headers) < time_now() - 7000


# ----------------------------------------------------------------------------- the process

@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.1", "::"])
def test_refuses_non_loopback(host):
    result = run_emulator("--host", host, "--port", "0")
    assert result.returncode == 2
    assert "loopback" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_clean_shutdown_on_signals(sig):
    process = harness.EmulatorProcess()
    process.start()
    port_file_dir = process._workdir  # pylint: disable=protected-access
    process.process.send_signal(getattr(__import__("signal"), sig))
    assert process.process.wait(10) == 0
    assert not os.path.exists(os.path.join(port_file_dir, "port"))
    assert "Traceback" not in process.stderr_text()
    process.stop()


def test_tls(tmp_path):
    openssl = shutil.which("openssl")
    if not openssl:
        pytest.skip("openssl is not installed")
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    with harness.EmulatorProcess(tls_cert=cert, tls_key=key) as process:
        assert process.url.startswith("https://")
        assert process.info()["base_url"] == process.url
        job = process.post_job()
        verified = requests.get(job_url(process, job["id"]), headers={"X-Auth-Token": STATIC_TOKEN}, verify=cert, timeout=10)
        assert verified.status_code == 200
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(job_url(process, job["id"]), headers={"X-Auth-Token": STATIC_TOKEN}, timeout=10)


@pytest.fixture
def without_sdk(tmp_path):
    """An environment in which huaweicloudsdkcore cannot be imported (a stand-in package that refuses to load)."""
    stub = tmp_path / "huaweicloudsdkcore"
    stub.mkdir()
    (stub / "__init__.py").write_text('raise ImportError("huaweicloudsdkcore is not installed here")\n')
    return dict(os.environ, PYTHONPATH=str(tmp_path))


def test_auto_verifier_falls_back_to_the_builtin_one_without_the_sdk(without_sdk):
    with harness.EmulatorProcess(verifier="auto", env=without_sdk) as process:
        assert process.info()["verifier"] == "builtin"
        signed = signing.call("GET", job_url(process, process.post_job()["id"]), aksk=AKSK, project_id=PROJECT_ID)
        assert signed.status_code == 200
        assert "Traceback" not in process.stderr_text()


def test_sdk_verifier_without_the_sdk_says_so(without_sdk):
    result = run_emulator("--verifier", "sdk", "--port", "0", env=without_sdk)
    assert result.returncode == 2 and "needs huaweicloudsdkcore" in result.stderr and "Traceback" not in result.stderr
