# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator as an HTTP server and a process: keep-alive, malformed requests, chunked bodies, loopback only, signals, TLS."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys

import pytest
import requests

from emulator_calls import job_url, password_body
from harness import emulator as harness
from harness.emulator import PROJECT_ID, STATIC_TOKEN


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


def run_emulator(*args):
    return subprocess.run([sys.executable, "-m", harness.EMULATOR_MODULE] + list(args), capture_output=True, text=True, timeout=30,
                          check=False, env=harness.emulator_env())


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
