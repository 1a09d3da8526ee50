# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Listing tasks (no job_id): the time window, every page, the filters, and the failure reasons the list holds.

The listing tests share 300 jobs: 270 created within the last hour (so the default 24-hour window
spans three pages of 128), 20 two days old and 10 ten days old, with failed, running, renamed and
other-instance jobs among them. Expected answers are computed here from those specifications.
"""

from __future__ import annotations

import datetime
import re

import pytest

from cases import token_case  # pylint: disable=import-error
from harness.emulator import ACCESS_KEY, PROJECT_ID, SECRET_KEY  # pylint: disable=import-error

INSTANCE = {"id": "a48e43ff268f4c0e879652d65e63d0fbin09", "name": "ddm-orders"}
OTHER_INSTANCE = {"id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0in09", "name": "ddm-payments"}
DAY = 86400
LIST_PATH = "/v3/%s/jobs" % PROJECT_ID
MARKER = "recent0000"


def _specs():
    """(spec, status) of the 300 jobs; ages are distinct, so the API's newest-first order is by age."""
    specs = []
    for number in range(270):
        spec = {"id": "recent%04d" % number, "age": 10 * number + 5, "instance": OTHER_INSTANCE if number % 10 == 3 else INSTANCE,
                "name": "EnlargeNode" if number % 11 == 5 else "CreateInstance"}
        status = "Completed"
        if number % 9 == 0:
            spec.update(outcome="Failed", fail_reason="Insufficient quota for ECS instances (task %d)." % number)
            status = "Failed"
        elif number % 9 == 4:
            spec.update(duration=7200)
            status = "Running"
        specs.append((spec, status))
    for number in range(20):
        spec = {"id": "old%04d" % number, "age": 2 * DAY + 60 * number, "instance": INSTANCE}
        if number % 5 == 0:
            spec.update(outcome="Failed", fail_reason="Old failure %d." % number)
        specs.append((spec, "Failed" if number % 5 == 0 else "Completed"))
    for number in range(10):
        specs.append(({"id": "older%04d" % number, "age": 10 * DAY + 60 * number, "instance": OTHER_INSTANCE}, "Completed"))
    return specs


SPECS = _specs()


def _ids(predicate):
    return [spec["id"] for spec, status in sorted(SPECS, key=lambda item: item[0]["age"]) if predicate(spec, status)]


def _recent(spec):
    return spec["id"].startswith("recent")


@pytest.fixture
def populated(emulator_server):
    """The shared emulator holding the 300 jobs (created again only when another test has reset it)."""
    jobs = emulator_server.jobs()
    if len(jobs) != len(SPECS) or MARKER not in {job["id"] for job in jobs}:
        emulator_server.reset()
        for spec, _status in SPECS:
            emulator_server.post_job(**spec)
    emulator_server.clear_requests()
    emulator_server.clear_faults()
    return emulator_server


def _listed(item):
    assert item.get("failed") is not True, item
    assert "job" not in item
    return [job["id"] for job in item["jobs"]]


def _list_calls(emulator):
    return [entry["params"] for entry in emulator.requests_log() if entry["path"] == LIST_PATH]


def _ms(when):
    return int(when.timestamp()) * 1000


def test_default_window_reads_every_page(ansible_runner, populated):
    before = datetime.datetime.now(datetime.timezone.utc)
    results = ansible_runner.run_cases([token_case(populated, "default")])[0]
    after = datetime.datetime.now(datetime.timezone.utc)

    jobs = results["default"]["jobs"]
    assert [job["id"] for job in jobs] == _ids(lambda spec, status: _recent(spec))
    assert {job["status"] for job in jobs} == {"Completed", "Failed", "Running"}
    assert set(jobs[0]) >= {"id", "name", "status", "created_time", "end_time", "process", "instance", "operations"}
    # Removed in 2.0.0 (deprecated in 1.1.0): the flat instance keys, and an empty fail_reason on tasks that did not fail.
    assert not any({"instance_id", "instance_name"} & set(job) for job in jobs)
    assert all(job["fail_reason"] for job in jobs if "fail_reason" in job) and any(job["status"] != "Failed" for job in jobs)
    calls = _list_calls(populated)
    assert [(call["offset"], call["limit"]) for call in calls] == [("0", "128"), ("128", "128"), ("256", "128")]
    assert all(re.match(r"^[0-9]+$", call["start_time"]) and re.match(r"^[0-9]+$", call["end_time"]) for call in calls), calls
    assert len({(call["start_time"], call["end_time"]) for call in calls}) == 1, calls
    start, end = int(calls[0]["start_time"]), int(calls[0]["end_time"])
    assert end - start == DAY * 1000
    assert _ms(before) - 1000 <= end <= _ms(after) + 1000
    assert len(populated.requests_log()) == 3


def test_filters_and_time_windows(ansible_runner, populated):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    china = datetime.timezone(datetime.timedelta(hours=8))
    old_start, old_end = now - datetime.timedelta(days=3), now - datetime.timedelta(days=1)
    cases = [
        token_case(populated, "status-failed", status=["Failed"]),
        token_case(populated, "status-failed-or-running", status=["Failed", "Running"]),
        token_case(populated, "name", name="EnlargeNode"),
        token_case(populated, "instance", instance_id=OTHER_INSTANCE["id"]),
        token_case(populated, "window-z", start_time=old_start.strftime("%Y-%m-%dT%H:%M:%SZ"), end_time=old_end.strftime("%Y-%m-%dT%H:%M:%SZ")),
        token_case(populated, "window-plus-8", start_time=old_start.astimezone(china).isoformat(), end_time=old_end.astimezone(china).isoformat()),
        token_case(populated, "eleven-days-other-instance", start_time=(now - datetime.timedelta(days=11)).isoformat(), instance_id=OTHER_INSTANCE["id"]),
        token_case(populated, "empty-window", start_time=(now - datetime.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   end_time=(now - datetime.timedelta(days=15)).strftime("%Y-%m-%dT%H:%M:%SZ")),
        # AK/SK: the signed query string is checked by the official SDK signer.
        {"case": "status-and-name-aksk", "endpoint": populated.url, "project_id": PROJECT_ID, "access_key": ACCESS_KEY, "secret_key": SECRET_KEY,
         "status": ["Failed"], "name": "EnlargeNode"},
    ]

    results = ansible_runner.run_cases(cases)[0]

    assert _listed(results["status-failed"]) == _ids(lambda spec, status: _recent(spec) and status == "Failed")
    assert _listed(results["status-failed-or-running"]) == _ids(lambda spec, status: _recent(spec) and status in ("Failed", "Running"))
    assert _listed(results["name"]) == _ids(lambda spec, status: _recent(spec) and spec["name"] == "EnlargeNode")
    assert _listed(results["instance"]) == _ids(lambda spec, status: _recent(spec) and spec["instance"] == OTHER_INSTANCE)
    old = _ids(lambda spec, status: spec["id"].startswith("old0"))
    assert _listed(results["window-z"]) == old and len(old) == 20
    assert _listed(results["window-plus-8"]) == old
    assert _listed(results["eleven-days-other-instance"]) == _ids(lambda spec, status: spec["instance"] == OTHER_INSTANCE)
    assert _listed(results["empty-window"]) == []
    wanted = _ids(lambda spec, status: _recent(spec) and status == "Failed" and spec["name"] == "EnlargeNode")
    assert _listed(results["status-and-name-aksk"]) == wanted and wanted
    signed = [(entry["path"], entry["status"], entry["params"]["offset"]) for entry in populated.requests_log() if entry["auth"] == "aksk"]
    assert signed == [(LIST_PATH, 200, "0"), (LIST_PATH, 200, "128"), (LIST_PATH, 200, "256")], signed
    assert all("fail_reason" in job and job["fail_reason"].startswith("Insufficient quota") for job in results["status-failed"]["jobs"])
    # Z and +08:00 name the same instants: both sent as the same integer milliseconds.
    windows = [call for call in _list_calls(populated) if call["start_time"] == str(_ms(old_start))]
    assert windows == [{"start_time": str(_ms(old_start)), "end_time": str(_ms(old_end)), "offset": "0", "limit": "128"}] * 2


def test_failed_job_reason_and_instance_check(ansible_runner, populated):
    # The oldest failed job of the last hour: its reason is on the last page of the task list.
    failed = _ids(lambda spec, status: _recent(spec) and status == "Failed")[-1]
    reason = next(spec["fail_reason"] for spec, _status in SPECS if spec["id"] == failed)
    running = _ids(lambda spec, status: _recent(spec) and status == "Running" and spec["instance"] == INSTANCE)[0]
    completed = _ids(lambda spec, status: _recent(spec) and status == "Completed" and spec["instance"] == INSTANCE)[0]
    cases = [
        token_case(populated, "wait-failed", job_id=failed, wait=True, wait_interval=1, wait_timeout=10),
        token_case(populated, "read-failed", job_id=failed),
        token_case(populated, "wrong-instance", job_id=running, instance_id=OTHER_INSTANCE["id"], wait=True, wait_interval=1, wait_timeout=30),
        token_case(populated, "right-instance", job_id=completed, instance_id=INSTANCE["id"], wait=True, wait_interval=1, wait_timeout=10),
    ]

    results = ansible_runner.run_cases(cases)[0]

    waited = results["wait-failed"]
    assert waited["failed"] is True
    assert waited["msg"] == "DDM job %s (CreateInstance) on instance %s (%s) ended with status Failed: %s" % (
        failed, INSTANCE["name"], INSTANCE["id"], reason), waited["msg"]
    assert waited["job"]["status"] == "Failed" and waited["job"]["fail_reason"] == reason
    read = results["read-failed"]
    assert read.get("failed") is not True, read
    assert read["job"]["status"] == "Failed" and read["job"]["fail_reason"] == reason
    wrong = results["wrong-instance"]
    assert wrong["failed"] is True
    assert wrong["msg"] == ("DDM job %s (CreateInstance) belongs to instance %s, not to instance_id %s: refusing to report on the wrong task"
                            % (running, INSTANCE["id"], OTHER_INSTANCE["id"])), wrong["msg"]
    # The task that was read comes back, for a rescue to show; it is another instance's.
    assert wrong["job"]["id"] == running and wrong["job"]["instance"]["id"] == INSTANCE["id"]
    right = results["right-instance"]
    assert right.get("failed") is not True and right["job"]["id"] == completed, right
    log = populated.requests_log()
    # The wrong-instance job was read once, not waited on.
    assert len([entry for entry in log if entry["path"] == "%s/%s" % (LIST_PATH, running)]) == 1
    # Each failed read looked the reason up in the list, paging from the job's creation: up to the third page.
    lookups = _list_calls(populated)
    assert [call["offset"] for call in lookups] == ["0", "128", "256"] * 2, lookups


def test_empty_default_window(ansible_runner, emulator):
    results = ansible_runner.run_cases([token_case(emulator, "empty")])[0]

    assert _listed(results["empty"]) == []
    assert [(entry["path"], entry["params"]["offset"], entry["status"]) for entry in emulator.requests_log()] == [(LIST_PATH, "0", 200)]


def _item(number):
    return {"id": "endless-%04d" % number, "name": "CreateInstance", "status": "Completed", "created_time": "2026-11-28T10:00:00+0000",
            "end_time": "", "process": "", "instance_id": INSTANCE["id"], "instance_name": INSTANCE["name"], "database_name": "",
            "fail_reason": "", "operations": []}


def test_a_list_that_never_ends_is_cut_short_with_a_warning(ansible_runner, emulator):
    """A list claiming total 10**12 with one task a page once paged for ever (891 pages in 40 s)."""
    # One answer served again and again: reading stops at the first page that brings nothing new.
    emulator.add_fault(count=50, method="GET", path="/jobs$", status=200, json={"total": 10 ** 12, "jobs": [_item(0)]})
    results, task = ansible_runner.run_cases([token_case(emulator, "repeating")])
    assert _listed(results["repeating"]) == ["endless-0000"]
    assert [entry["params"]["offset"] for entry in emulator.requests_log()] == ["0", "1"]
    assert any("cut short (the page at offset 1 repeated tasks already read)" in warning for warning in task["warnings"]), task

    # A new task on every page: reading stops at the documented maximum of 200 pages.
    emulator.reset()
    for number in range(210):
        emulator.add_fault(method="GET", path="/jobs$", status=200, json={"total": 10 ** 12, "jobs": [_item(number)]})
    results, task = ansible_runner.run_cases([token_case(emulator, "endless")])
    assert len(_listed(results["endless"])) == 200 and len(emulator.requests_log()) == 200
    assert any("cut short (reading stopped after 200 pages (200 tasks))" in warning for warning in task["warnings"]), task
