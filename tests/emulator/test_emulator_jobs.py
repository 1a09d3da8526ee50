# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DDM task calls of the emulator: one task, timelines and statuses, the list call and its parameters."""

from __future__ import annotations

import re
import time

import pytest

from emulator_calls import get_job, job_url, list_url, now_ms, window
from harness import emulator as harness
from harness.emulator import STATIC_TOKEN
import signing


API_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$")
JOB_KEYS = {"id", "name", "status", "created_time", "end_time", "process", "instance"}
ITEM_KEYS = {"id", "name", "status", "created_time", "end_time", "process", "instance_id", "instance_name",
             "database_name", "fail_reason", "operations"}


def wait_for_status(emulator, job_id, wanted, timeout=8.0):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = get_job(emulator, job_id).json()["job"]
        if not seen or seen[-1]["status"] != job["status"]:
            seen.append(job)
        if job["status"] == wanted:
            return seen
        time.sleep(0.1)
    raise AssertionError("job %s never reached %s; saw %s" % (job_id, wanted, [j["status"] for j in seen]))


# ----------------------------------------------------------------------------- show job

def test_show_job_shape(emulator):
    job = emulator.post_job(name="RestartInstance", instance={"id": "inst-1in09", "name": "DDM-test"}, duration=30)
    response = get_job(emulator, job["id"])
    assert response.status_code == 200
    assert response.headers["X-Request-Id"]
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["job"]
    shown = body["job"]
    assert set(shown) == JOB_KEYS
    assert shown["id"] == job["id"]
    assert shown["name"] == "RestartInstance"
    assert shown["status"] == "Running"
    assert re.match(r"^\d{1,2}%$", shown["process"])
    assert shown["end_time"] == ""
    assert API_TIME.match(shown["created_time"])
    assert shown["instance"] == {"id": "inst-1in09", "name": "DDM-test"}


def test_unknown_job_is_400_task_not_found(emulator):
    response = get_job(emulator, "no-such-job")
    assert response.status_code == 400
    assert response.json() == {"error_code": "DBS.300400", "error_msg": "The task is not found."}
    assert response.headers["X-Request-Id"]


def test_job_in_another_project_is_not_found(emulator):
    other = "99999999999999999999999999999999"
    job = emulator.post_job(project_id=other)
    emulator.add_token("other-project-token", project_id=other)
    assert get_job(emulator, job["id"]).status_code == 400
    found = signing.call("GET", job_url(emulator, job["id"], other), token="other-project-token")
    assert found.status_code == 200


def test_duration_timeline_runs_then_completes(emulator):
    job = emulator.post_job(duration=1.5, outcome="Completed")
    seen = wait_for_status(emulator, job["id"], "Completed")
    assert seen[0]["status"] == "Running"
    assert seen[0]["process"].endswith("%")
    final = seen[-1]
    assert final["process"] == ""
    assert API_TIME.match(final["end_time"])
    assert final["end_time"] >= final["created_time"]


def test_process_rises_while_running(emulator):
    job = emulator.post_job(duration=2, outcome="Failed")
    first = int(get_job(emulator, job["id"]).json()["job"]["process"].rstrip("%"))
    time.sleep(0.6)
    second = int(get_job(emulator, job["id"]).json()["job"]["process"].rstrip("%"))
    assert second > first
    assert wait_for_status(emulator, job["id"], "Failed")[-1]["end_time"]


def test_explicit_timeline_with_lesser_statuses(emulator):
    timeline = [{"at": 0, "status": "Expanding"}, {"at": 0.5, "status": "ToBeSwitched"},
                {"at": 1.0, "status": "SomeFutureStatus", "process": "70%"}, {"at": 1.5, "status": "CancelSuccess"}]
    job = emulator.post_job(timeline=timeline)
    seen = wait_for_status(emulator, job["id"], "CancelSuccess")
    statuses = [entry["status"] for entry in seen]
    assert statuses[0] == "Expanding"
    assert statuses.index("Expanding") < statuses.index("CancelSuccess")
    future = [entry for entry in seen if entry["status"] == "SomeFutureStatus"]
    assert all(entry["process"] == "70%" for entry in future)
    assert all(entry["end_time"] == "" for entry in seen[:-1])
    assert seen[-1]["end_time"]


@pytest.mark.parametrize("status", ["Running", "Completed", "Failed", "Expanding", "Canceling", "Rollbacking",
                                    "RollbackSuccess", "CancelSuccess", "ToBeSwitched", "Switching"])
def test_every_documented_status_can_be_scripted(emulator, status):
    job = emulator.post_job(timeline=[{"at": 0, "status": status}])
    shown = get_job(emulator, job["id"]).json()["job"]
    assert shown["status"] == status
    assert bool(shown["end_time"]) == (status in ("Completed", "Failed", "RollbackSuccess", "CancelSuccess"))


def test_demo_jobs_are_seeded(emulator):
    for key, job_id in harness.DEMO_JOB_IDS.items():
        shown = get_job(emulator, job_id).json()["job"]
        assert shown["id"] == job_id, key
    assert get_job(emulator, harness.DEMO_JOB_IDS["completed"]).json()["job"]["status"] == "Completed"
    assert get_job(emulator, harness.DEMO_JOB_IDS["failed"]).json()["job"]["status"] == "Failed"
    assert emulator.info()["demo_job_ids"] == harness.DEMO_JOB_IDS


# ----------------------------------------------------------------------------- list jobs

def test_list_shape_and_paging(emulator):
    emulator.reset()
    created = [emulator.post_job(name="CreateGroup", database_name="db%d" % i) for i in range(5)]
    response = signing.call("GET", list_url(emulator), window(offset=2, limit=2), token=STATIC_TOKEN)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"offset", "limit", "total", "jobs"}
    assert (body["offset"], body["limit"]) == (2, 2)
    assert body["total"] == 5 + len(harness.DEMO_JOB_IDS)
    assert len(body["jobs"]) == 2
    for item in body["jobs"]:
        assert set(item) == ITEM_KEYS
        assert isinstance(item["operations"], list)
    default = signing.call("GET", list_url(emulator), window(), token=STATIC_TOKEN).json()
    assert default["limit"] == 10 and default["offset"] == 0
    listed = {item["id"] for item in default["jobs"]}
    assert {job["id"] for job in created} <= listed


def test_list_carries_fail_reason_and_operations(emulator):
    job = emulator.post_job(outcome="Failed", fail_reason="disk full", operations=["toBeRetried"], instance={"id": "i1", "name": "n1"})
    items = signing.call("GET", list_url(emulator), window(limit=128), token=STATIC_TOKEN).json()["jobs"]
    item = [entry for entry in items if entry["id"] == job["id"]][0]
    assert item["status"] == "Failed"
    assert item["fail_reason"] == "disk full"
    assert item["operations"] == ["toBeRetried"]
    assert (item["instance_id"], item["instance_name"]) == ("i1", "n1")
    assert "fail_reason" not in get_job(emulator, job["id"]).json()["job"]


def test_list_filters_by_creation_time(emulator):
    old = emulator.post_job(age=2 * 86400)
    recent = emulator.post_job()
    ids = [item["id"] for item in signing.call("GET", list_url(emulator), window(limit=128), token=STATIC_TOKEN).json()["jobs"]]
    assert recent["id"] in ids
    assert old["id"] not in ids
    wide = {"start_time": now_ms() - 3 * 86400 * 1000, "end_time": now_ms(), "limit": 128}
    assert old["id"] in [item["id"] for item in signing.call("GET", list_url(emulator), wide, token=STATIC_TOKEN).json()["jobs"]]


@pytest.mark.parametrize("params", [
    {"end_time": "now"},
    {"start_time": "hour"},
    {"start_time": "float"},
    {"start_time": "old"},
    {"start_time": "abc"},
    {"limit": 0},
    {"limit": 129},
    {"limit": "x"},
    {"offset": -1},
    {"end_before_start": True},
])
def test_list_rejects_bad_parameters(emulator, params):
    query = {"start_time": now_ms() - 3600 * 1000, "end_time": now_ms()}
    if params.get("end_time") == "now":
        del query["start_time"]
    elif params.get("start_time") == "hour":
        del query["end_time"]
    elif params.get("start_time") == "float":
        query["start_time"] = "%d.0" % query["start_time"]
    elif params.get("start_time") == "old":
        query["start_time"] = now_ms() - 31 * 86400 * 1000
    elif params.get("start_time") == "abc":
        query["start_time"] = "abc"
    elif params.get("end_before_start"):
        query["end_time"] = query["start_time"] - 1
    else:
        query.update(params)
    response = signing.call("GET", list_url(emulator), query, token=STATIC_TOKEN)
    assert response.status_code == 400
    body = response.json()
    assert body["error_code"].startswith("DBS.")
    assert body["error_msg"]


def test_list_accepts_boundaries(emulator):
    query = {"start_time": now_ms() - 30 * 86400 * 1000 + 60000, "end_time": now_ms(), "limit": 128, "offset": 0}
    assert signing.call("GET", list_url(emulator), query, token=STATIC_TOKEN).status_code == 200
    assert signing.call("GET", list_url(emulator), dict(query, limit=1), token=STATIC_TOKEN).json()["limit"] == 1


def test_new_task_ids_are_uuids_with_dashes(emulator):
    import re  # pylint: disable=import-outside-toplevel
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", emulator.post_job()["id"])


def test_a_task_can_stay_invisible_for_a_while_in_both_calls(emulator):
    import time  # pylint: disable=import-outside-toplevel
    job_id = emulator.post_job(visible_after=1.0)["id"]
    hidden = get_job(emulator, job_id)
    assert hidden.status_code == 400 and hidden.json()["error_code"] == "DBS.300400"
    listed = signing.call("GET", list_url(emulator), window(limit=128), token=STATIC_TOKEN).json()["jobs"]
    assert job_id not in [job["id"] for job in listed]
    time.sleep(1.1)
    assert get_job(emulator, job_id).json()["job"]["id"] == job_id
    assert job_id in [job["id"] for job in signing.call("GET", list_url(emulator), window(limit=128), token=STATIC_TOKEN).json()["jobs"]]


@pytest.mark.parametrize("offset,suffix", [("+0800", "+0800"), ("-05:30", "-0530"), ("+0000", "+0000")])
def test_task_times_carry_the_task_time_zone(emulator, offset, suffix):
    import datetime  # pylint: disable=import-outside-toplevel
    job = emulator.post_job(utc_offset=offset, outcome="Completed")
    assert job["created_time"].endswith(suffix) and job["end_time"].endswith(suffix)
    created = datetime.datetime.strptime(job["created_time"], "%Y-%m-%dT%H:%M:%S%z")
    assert abs((created - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) < 60  # the same instant, whatever the offset


@pytest.mark.parametrize("mode", ["expected", "created"])
def test_running_tasks_can_show_an_end_time(emulator, mode):
    job = emulator.post_job(duration=600, running_end_time=mode)
    assert job["status"] == "Running" and job["end_time"]
    assert (job["end_time"] == job["created_time"]) is (mode == "created")
    assert emulator.post_job(duration=600)["end_time"] == ""
