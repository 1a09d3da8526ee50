# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DDM layer: times, status meanings, not-found mapping, answer shapes and list paging, over a real client."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils import ddm
from ansible_collections.huaweicloud.cloud.plugins.module_utils.ddm import (FAILURE_STATUSES, FINAL_STATUSES, PAGE_SIZE, SUCCESS_STATUSES, DdmJobs,
                                                                            describe, epoch_ms, parse_time)
from ansible_collections.huaweicloud.cloud.plugins.module_utils.errors import APIError, NotFoundError, UnexpectedAnswer

UTC = datetime.timezone.utc
START = datetime.datetime(2026, 11, 27, tzinfo=UTC)
END = datetime.datetime(2026, 11, 28, tzinfo=UTC)


@pytest.mark.parametrize("text,expected_ms", [
    ("2024-01-01T00:00:00Z", 1704067200000),
    ("2024-01-01T08:00:00+08:00", 1704067200000),
    ("2024-01-01T08:00:00+0800", 1704067200000),  # the API's own format
    ("2024-01-01T00:00:00.123+00:00", 1704067200123),
    (" 2024-01-02T00:00:00z ", 1704153600000),
])
def test_times_become_integer_milliseconds(text, expected_ms):
    value = epoch_ms(parse_time(text))
    assert value == expected_ms and isinstance(value, int)


@pytest.mark.parametrize("text,fragment", [
    ("2024-01-01T00:00:00", "needs a time zone"),
    ("yesterday", "must be an ISO 8601 time"),
    ("1704067200000", "must be an ISO 8601 time"),
    ("", "must be an ISO 8601 time"),
    ("0001-01-01T00:00:00Z", "is out of range"),
    ("9999-12-31T23:59:59Z", "is out of range"),
])
def test_bad_times_say_what_is_wrong(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_time(text)


def test_epoch_ms_has_no_float_rounding_error():
    when = datetime.datetime(2026, 11, 28, 10, 0, 0, 999000, tzinfo=UTC)
    assert epoch_ms(when) % 1000 == 999


@pytest.mark.parametrize("status", ["Running", "Expanding", "Canceling", "Rollbacking", "ToBeSwitched", "Switching", "SomethingNew"])
def test_every_other_status_is_still_in_progress(status):
    assert status not in FINAL_STATUSES


def test_terminal_statuses():
    assert SUCCESS_STATUSES == {"Completed"}
    assert FAILURE_STATUSES == {"Failed", "CancelSuccess", "RollbackSuccess"}


def test_describe_names_job_and_instance():
    job = {"id": "j1", "name": "CreateInstance", "instance": {"id": "i1", "name": "ddm-a"}}
    assert describe(job) == "DDM job j1 (CreateInstance) on instance ddm-a (i1)"
    assert describe({"id": "j2"}) == "DDM job j2 (unnamed)"


def jobs_api(http, *answers):
    session = http.Session(*answers)
    client, _sleeps = http.client(session, max_retries=0)
    return DdmJobs(client, "https://ddm.example.invalid"), session


@pytest.mark.parametrize("status,body", [
    (400, {"error_code": "DBS.300400", "error_msg": "The task is not found."}),
    (404, {}),  # a bare 404 from a proxy
    (404, {"error_code": "DBS.300400", "error_msg": "x"}),
])
def test_not_found_answers_become_not_found_errors(http, status, body):
    jobs, _session = jobs_api(http, http.answer(status, body))
    with pytest.raises(NotFoundError, match="^job j1 not found in project pid$"):
        jobs.get("j1")


def test_a_gateway_404_is_not_a_missing_task(http):
    jobs, _session = jobs_api(http, http.answer(404, {"error_code": "APIGW.0101", "error_msg": "The API does not exist"}))
    with pytest.raises(APIError, match="APIGW.0101"):
        jobs.get("j1")


@pytest.mark.parametrize("job,problem", [
    ("running", "job is a string, expected an object"),
    ({"id": "j1"}, "job.status is null, expected a non-empty string"),
    ({"id": "j1", "status": ["Running"]}, "job.status is an array, expected a non-empty string"),
    ({"id": "j1", "status": {"v": 1}}, "job.status is an object, expected a non-empty string"),
    ({"id": "j1", "status": "Running", "instance": "ddm-1"}, "job.instance is a string, expected an object"),
    ({"id": "j1", "status": "Running", "instance": {"id": 7}}, "job.instance.id is a number, expected a string"),
    ({"id": "j1", "status": "Failed", "created_time": 1704067200}, "job.created_time is a number, expected a string"),
    ({"id": "j1", "status": "Running", "process": 60}, "job.process is a number, expected a string"),
    ({"id": "other", "status": "Completed"}, "job.id is other, not the requested j1"),
])
def test_malformed_tasks_are_unexpected_answers_naming_the_field(http, job, problem):
    jobs, _session = jobs_api(http, http.answer(200, {"job": job}, {"X-Request-Id": "rid"}))
    with pytest.raises(UnexpectedAnswer) as info:
        jobs.get("j1")
    assert str(info.value) == "unexpected answer from DDM: %s (request id rid)" % problem


def item(number, **fields):
    return dict({"id": "job-%d" % number, "status": "Completed", "name": "CreateInstance"}, **fields)


def page(items, total):
    return {"offset": 0, "limit": PAGE_SIZE, "total": total, "jobs": items}


def offsets(session):
    return [int(parse_qs(urlsplit(sent["url"]).query)["offset"][0]) for sent in session.sent]


def test_pages_are_read_until_the_total(http):
    first = [item(n) for n in range(PAGE_SIZE)]
    jobs, session = jobs_api(http, http.answer(200, page(first, PAGE_SIZE + 2)), http.answer(200, page([item(900), item(901)], PAGE_SIZE + 2)))
    listing = jobs.iterate(START, END)
    assert [job["id"] for job in listing] == [job["id"] for job in first] + ["job-900", "job-901"]
    assert offsets(session) == [0, PAGE_SIZE] and listing.truncated is None
    query = parse_qs(urlsplit(session.sent[0]["url"]).query)
    assert query["start_time"] == [str(epoch_ms(START))] and query["end_time"] == [str(epoch_ms(END))] and query["limit"] == [str(PAGE_SIZE)]


def test_a_page_of_tasks_already_read_stops_the_listing(http):
    same = page([item(1), item(2)], 10 ** 12)
    jobs, session = jobs_api(http, http.answer(200, same), http.answer(200, same))
    listing = jobs.iterate(START, END)
    assert [job["id"] for job in listing] == ["job-1", "job-2"]
    assert len(session.sent) == 2 and listing.truncated == "the page at offset 2 repeated tasks already read"


def test_listing_stops_at_the_page_limit_whatever_total_claims(http, monkeypatch):
    monkeypatch.setattr(ddm, "MAX_LIST_PAGES", 5)
    answers = [http.answer(200, page([item(n)], 10 ** 12)) for n in range(10)]
    jobs, session = jobs_api(http, *answers)
    listing = jobs.iterate(START, END, max_pages=ddm.MAX_LIST_PAGES)
    assert len(list(listing)) == 5 and len(session.sent) == 5
    assert listing.truncated == "reading stopped after 5 pages (5 tasks)"


def test_listing_never_reads_past_what_the_first_page_promised(http):
    jobs, session = jobs_api(http, http.answer(200, page([item(1)], 2)), http.answer(200, page([item(2)], 10 ** 12)),
                             http.answer(200, page([item(3)], 10 ** 12)))
    assert [job["id"] for job in jobs.iterate(START, END)] == ["job-1", "job-2"] and len(session.sent) == 2


def test_without_a_total_a_short_page_ends_the_list(http):
    jobs, session = jobs_api(http, http.answer(200, {"jobs": [item(1)]}))
    assert [job["id"] for job in jobs.iterate(START, END)] == ["job-1"] and len(session.sent) == 1


@pytest.mark.parametrize("body,problem", [
    ({"jobs": "none", "total": 1}, "jobs is a string, expected an array"),
    ({"jobs": [1, 2], "total": 2}, "jobs[0] is a number, expected an object"),
    ({"jobs": [item(1, operations="toBeRetried")], "total": 1}, "jobs[0].operations is a string, expected an array of strings"),
    ({"jobs": [item(1, fail_reason=["x"])], "total": 1}, "jobs[0].fail_reason is an array, expected a string"),
    ({"jobs": [item(1)], "total": "lots"}, "total is a string, expected a count"),
    ({"jobs": [item(1)], "total": True}, "total is a boolean, expected a count"),
    ({"jobs": [item(1)], "total": -1}, "total is a number, expected a count"),
])
def test_malformed_list_pages_are_unexpected_answers(http, body, problem):
    jobs, _session = jobs_api(http, http.answer(200, body))
    with pytest.raises(UnexpectedAnswer, match="^unexpected answer from DDM: %s$" % problem.replace("[", r"\[").replace("]", r"\]")):
        list(jobs.iterate(START, END))


@pytest.mark.parametrize("created_time", ["2026-11-28T08:00:00+0800", 1704067200, "0001-01-01T00:00:00+0000", None])
def test_fail_reason_lookup_survives_any_created_time(http, created_time):
    jobs, session = jobs_api(http, http.answer(200, page([item(1, fail_reason="disk full")], 1)))
    assert jobs.find_fail_reason({"id": "job-1", "created_time": created_time}) == "disk full"
    query = parse_qs(urlsplit(session.sent[0]["url"]).query)
    now_ms = epoch_ms(datetime.datetime.now(UTC))
    assert now_ms - 31 * 86400 * 1000 < int(query["start_time"][0]) <= int(query["end_time"][0]) <= now_ms


def test_fail_reason_lookup_reads_a_few_pages_at_most(http):
    answers = [http.answer(200, page([item(n) for n in range(n * PAGE_SIZE, (n + 1) * PAGE_SIZE)], 10 ** 6)) for n in range(10)]
    jobs, session = jobs_api(http, *answers)
    assert jobs.find_fail_reason({"id": "job-never", "created_time": None}) is None
    assert len(session.sent) == ddm.FAIL_REASON_MAX_PAGES
