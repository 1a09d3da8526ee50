# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults queued through the emulator's control API: status and body, JSON shapes, matching, delay, drop."""

from __future__ import annotations

import pytest
import requests

from emulator_calls import get_job, job_url, list_url, window
from harness import emulator as harness
from harness.emulator import STATIC_TOKEN
import signing


def test_fault_status_with_html_body_and_retry_after(emulator):
    emulator.add_fault(status=503, body="<html><body>Service Unavailable</body></html>", headers={"Retry-After": "2"})
    response = get_job(emulator, harness.DEMO_JOB_IDS["completed"])
    assert response.status_code == 503
    assert response.text == "<html><body>Service Unavailable</body></html>"
    assert response.headers["Content-Type"] == "text/html"
    assert response.headers["Retry-After"] == "2"
    assert response.headers["X-Request-Id"]
    assert get_job(emulator, harness.DEMO_JOB_IDS["completed"]).status_code == 200


@pytest.mark.parametrize("shape", [
    {"error_code": "APIGW.0101", "error_msg": "gone", "request_id": None},
    {"error_code": "DBS.300400", "error_msg": "The task is not found."},
    {"errCode": "DBS.200019", "externalMessage": "Another operation is being performed."},
    {"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}},
])
def test_fault_json_bodies(emulator, shape):
    emulator.add_fault(status=409, json=shape)
    response = get_job(emulator, "anything")
    assert response.status_code == 409
    body = response.json()
    expected = dict(shape, request_id=response.headers["X-Request-Id"]) if "request_id" in shape else shape
    assert body == expected


def test_fault_empty_and_non_json_200(emulator):
    emulator.add_fault(status=502)
    emulator.add_fault(status=200, body="this is not json")
    emulator.add_fault(status=200, json={"unexpected": True})
    empty = get_job(emulator, "x")
    assert empty.status_code == 502 and empty.content == b"" and empty.headers["Content-Length"] == "0"
    plain = get_job(emulator, "x")
    assert plain.status_code == 200 and plain.text == "this is not json"
    assert get_job(emulator, "x").json() == {"unexpected": True}
    assert get_job(emulator, "x").status_code == 400


def test_fault_count_method_and_path_matching(emulator):
    emulator.add_fault(count=2, method="GET", path=r"/jobs$", status=500, json={"error_code": "DBS.000001", "error_msg": "boom"})
    job_id = harness.DEMO_JOB_IDS["completed"]
    assert get_job(emulator, job_id).status_code == 200
    assert signing.call("GET", list_url(emulator), window(), token=STATIC_TOKEN).status_code == 500
    assert signing.call("GET", list_url(emulator), window(), token=STATIC_TOKEN).status_code == 500
    assert signing.call("GET", list_url(emulator), window(), token=STATIC_TOKEN).status_code == 200
    emulator.add_fault(method="POST", status=500)
    assert get_job(emulator, job_id).status_code == 200
    assert len(emulator.faults()) == 1
    emulator.clear_faults()
    assert emulator.faults() == []


def test_fault_delay_provokes_read_timeout(emulator):
    emulator.add_fault(delay=1.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        get_job(emulator, harness.DEMO_JOB_IDS["completed"], timeout=0.3)
    assert get_job(emulator, harness.DEMO_JOB_IDS["completed"]).status_code == 200


def test_fault_delay_then_normal_answer(emulator):
    emulator.add_fault(delay=0.2)
    assert get_job(emulator, harness.DEMO_JOB_IDS["completed"]).json()["job"]["status"] == "Completed"


def test_fault_drop_closes_without_response(emulator):
    emulator.add_fault(drop=True)
    with requests.Session() as session, pytest.raises(requests.exceptions.ConnectionError):
        session.get(job_url(emulator, "x"), headers={"X-Auth-Token": STATIC_TOKEN}, timeout=5)
    assert get_job(emulator, harness.DEMO_JOB_IDS["completed"]).status_code == 200
    dropped = [entry for entry in emulator.requests_log() if entry.get("fault", {}).get("drop")]
    assert len(dropped) == 1 and dropped[0]["status"] is None


def test_fault_can_remove_request_id(emulator):
    emulator.add_fault(status=500, body="", headers={"X-Request-Id": None})
    assert "X-Request-Id" not in get_job(emulator, "x").headers


def test_an_echoing_fault_quotes_the_request_headers(emulator):
    emulator.add_fault(status=400, echo=True, json={"error_code": "DBS.280001", "error_msg": "token {{X-Auth-Token}}, {{X-Absent}}.",
                                                    "detail": ["{{x-auth-token}}"]})
    body = get_job(emulator, "x").json()
    assert body["error_msg"] == "token %s, ." % STATIC_TOKEN and body["detail"] == [STATIC_TOKEN]
    emulator.add_fault(status=401, echo=True, body="Unauthorized: {{X-Auth-Token}}")
    assert get_job(emulator, "x").text == "Unauthorized: " + STATIC_TOKEN
    # Without echo, the placeholders are sent as they are.
    emulator.add_fault(status=401, body="Unauthorized: {{X-Auth-Token}}")
    assert get_job(emulator, "x").text == "Unauthorized: {{X-Auth-Token}}"


@pytest.mark.parametrize("spec", [{"status": "500"}, {"status": 99}, {"path": "("}, {"delay": -1}, {"headers": []}, {"body": {}}, {"echo": "yes"}])
def test_bad_fault_specs_rejected(emulator, spec):
    with pytest.raises(harness.EmulatorError, match="400"):
        emulator.add_fault(**spec)


def _raw_get(emulator, path, seconds):
    """What arrives of an answer over a raw socket within ``seconds`` (all of it if it completes sooner)."""
    import socket  # pylint: disable=import-outside-toplevel
    import time  # pylint: disable=import-outside-toplevel
    deadline = time.monotonic() + seconds
    received = b""
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=seconds) as connection:
        connection.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nX-Auth-Token: %s\r\n\r\n" % (path, STATIC_TOKEN)).encode())
        while time.monotonic() < deadline:
            connection.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = connection.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            received += chunk
    return received


@pytest.mark.parametrize("part", ["all", "body"])
def test_trickled_answers_arrive_a_few_bytes_at_a_time(emulator, part):
    job_id = harness.DEMO_JOB_IDS["completed"]
    emulator.add_fault(path=job_id, trickle=40, trickle_part=part)
    partial = _raw_get(emulator, "/v3/%s/jobs/%s" % (harness.PROJECT_ID, job_id), seconds=1.0)
    if part == "body":  # headers at once, then the body slowly
        assert partial.startswith(b"HTTP/1.1 200 OK\r\n") and b"\r\n\r\n" in partial and len(partial.split(b"\r\n\r\n")[1]) < 100
    else:
        assert 0 < len(partial) < 100 and b"HTTP/1.1 200 OK".startswith(partial[:15])
    assert b'"status": "Completed"' not in partial  # nowhere near done after a second at 40 bytes/s
    emulator.add_fault(path=job_id, trickle=4000)
    whole = _raw_get(emulator, "/v3/%s/jobs/%s" % (harness.PROJECT_ID, job_id), seconds=10)
    assert whole.startswith(b"HTTP/1.1 200 OK\r\n") and whole.endswith(b"}}")


def test_answers_can_be_padded_to_any_size_and_stay_json(emulator):
    emulator.add_fault(path="jobs", pad_to=3 * 1024 * 1024)
    response = get_job(emulator, harness.DEMO_JOB_IDS["completed"])
    assert len(response.content) == 3 * 1024 * 1024 and response.json()["job"]["status"] == "Completed"


def test_chaos_draws_the_same_faults_for_the_same_seed(emulator):
    def run(seed):
        emulator.start_chaos(rate=0.5, seed=seed, kinds=["500", "503-html", "429"], path="/jobs/")
        statuses = [get_job(emulator, harness.DEMO_JOB_IDS["completed"]).status_code for _i in range(30)]
        return statuses, emulator.stop_chaos()

    first, described = run(7)
    again, _described = run(7)
    other, _described = run(8)
    assert first == again and first != other
    assert set(first) == {200, 500, 503, 429} and sum(described["drawn"].values()) == sum(1 for s in first if s != 200)
    assert described["seed"] == 7 and emulator.info()["chaos"] is None


def test_chaos_faults_are_logged_with_their_kind(emulator):
    emulator.start_chaos(rate=1.0, seed=1, kinds=["drop"], path="/jobs/")
    with pytest.raises(requests.exceptions.ConnectionError):
        get_job(emulator, harness.DEMO_JOB_IDS["completed"])
    emulator.stop_chaos()
    assert emulator.requests_log()[-1]["fault"]["label"] == "chaos:drop"


def test_hostile_chaos_kinds_only_when_named(emulator):
    # The default kinds are the transient ones a client must get through; hostile shapes are asked for by name.
    assert not {"wrong-types", "hostile-page"} & set(emulator.start_chaos(rate=0.0, path="/jobs/")["kinds"])
    emulator.stop_chaos()
    emulator.start_chaos(rate=1.0, seed=3, kinds=["wrong-types"], path="/jobs/")
    wrong = get_job(emulator, harness.DEMO_JOB_IDS["completed"])
    emulator.start_chaos(rate=1.0, seed=3, kinds=["hostile-page"], path="/jobs/")
    page = get_job(emulator, harness.DEMO_JOB_IDS["completed"])
    assert emulator.stop_chaos()["drawn"] == {"hostile-page": 1}
    assert wrong.status_code == 200 and wrong.json()["job"]["status"] == {"Completed": True}
    assert isinstance(wrong.json()["job"]["name"], list) and "\x1b" in wrong.json()["job"]["name"][0]
    assert page.status_code == 502 and len(page.content) > 256 * 1024 and "\x1b]0;" in page.text and "\x00" in page.text
    assert [entry["fault"]["label"] for entry in emulator.requests_log()[-2:]] == ["chaos:wrong-types", "chaos:hostile-page"]


def test_chaos_rejects_bad_specs(emulator):
    for spec in ({"rate": 2}, {"kinds": ["meteor"]}, {"seed": "x"}, {"kinds": []}):
        with pytest.raises(harness.EmulatorError, match="answered 400"):
            emulator.control("POST", "chaos", spec)
