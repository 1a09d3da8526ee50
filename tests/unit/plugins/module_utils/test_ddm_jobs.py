# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DDM layer: times, status meanings, not-found mapping, answer shapes and list paging, over a real client."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm import jobs as ddm
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.jobs import (FAILURE_STATUSES, FINAL_STATUSES, PAGE_SIZE, SUCCESS_STATUSES, DdmJobs,
                                                                                  describe)
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.times import epoch_ms, parse_time
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import APIError, NotFoundError, UnexpectedAnswer

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
def test_list_lookup_survives_any_created_time(http, created_time):
    listed = item(1, fail_reason="disk full", operations=["toBeRetried"])
    jobs, session = jobs_api(http, http.answer(200, page([item(0), listed], 2)))
    assert jobs.find_list_item({"id": "job-1", "created_time": created_time}) == listed
    query = parse_qs(urlsplit(session.sent[0]["url"]).query)
    now_ms = epoch_ms(datetime.datetime.now(UTC))
    assert now_ms - 31 * 86400 * 1000 < int(query["start_time"][0]) <= int(query["end_time"][0]) <= now_ms


def test_list_lookup_reads_a_few_pages_at_most(http):
    answers = [http.answer(200, page([item(n) for n in range(n * PAGE_SIZE, (n + 1) * PAGE_SIZE)], 10 ** 6)) for n in range(10)]
    jobs, session = jobs_api(http, *answers)
    assert jobs.find_list_item({"id": "job-never", "created_time": None}) is None
    assert len(session.sent) == ddm.LIST_LOOKUP_MAX_PAGES


def test_job_view_gives_list_items_and_single_tasks_one_shape():
    listed = item(1, status="Failed", created_time="t0", end_time="t1", process="", instance_id="i1", instance_name="ddm-a",
                  database_name="orders", fail_reason="No quota.", operations=["toBeRetried"])
    got = {"id": "job-1", "name": "CreateInstance", "status": "Failed", "created_time": "t0", "end_time": "t1", "process": "",
           "instance": {"id": "i1", "name": "ddm-a", "extra": 1}, "unknown": "dropped"}
    expected = {"id": "job-1", "name": "CreateInstance", "status": "Failed", "created_time": "t0", "end_time": "t1", "process": "",
                "instance": {"id": "i1", "name": "ddm-a"}}
    assert ddm.job_view(got) == expected
    assert ddm.job_view(listed) == dict(expected, database_name="orders", fail_reason="No quota.", operations=["toBeRetried"])
    # A reason is kept only for a failed task; since 2.0.0 no flat instance_id / instance_name, no empty fail_reason.
    completed = item(2, instance_id="i1", fail_reason="", operations=[])
    assert ddm.job_view(completed) == {"id": "job-2", "name": "CreateInstance", "status": "Completed", "instance": {"id": "i1"}, "operations": []}
    assert not hasattr(ddm, "legacy_list_item")


NOW = datetime.datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def created(minutes_ago):
    return (NOW - datetime.timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%S+0000")


def listed_page(*items_, total=None):
    return page(list(items_), len(items_) if total is None else total)


NOT_FOUND = (400, {"error_code": "DBS.300400", "error_msg": "The task is not found."})


def group_api(http, ids, *answers, grace=30.0):
    """A JobGroup on a real client over scripted answers; its clock is the client's fake clock."""
    session = http.Session(*answers)
    clock = http.Clock()
    client, _sleeps = http.client(session, max_retries=0, clock=clock)
    return ddm.JobGroup(DdmJobs(client, "https://ddm.example.invalid"), ids, grace, clock=clock, now=lambda: NOW), session, clock


def window(session, index):
    query = parse_qs(urlsplit(session.sent[index]["url"]).query)
    return int(query["start_time"][0]), int(query["end_time"][0])


def paths(session):
    return [urlsplit(sent["url"]).path.rsplit("/", 1)[-1] for sent in session.sent]


def test_a_group_costs_one_list_request_per_refresh_while_its_tasks_fit_a_page(http):
    ids = ["job-%d" % n for n in range(50)]
    running = [item(n, status="Running", process="40%", created_time=created(n)) for n in range(50)]
    done = [dict(job, status="Completed", process="") for job in running]
    others = [item(n) for n in range(100, 160)]
    answers = [http.answer(200, listed_page(*(others + running))), http.answer(200, listed_page(*(running[:25] + done[25:]))),
               http.answer(200, listed_page(*done[:25]))]
    group, session, _clock = group_api(http, ids, *answers)

    group.refresh()
    assert window(session, 0) == (epoch_ms(NOW - datetime.timedelta(hours=24)), epoch_ms(NOW)) and len(session.sent) == 1
    assert group.pending() == ids and group.counts() == {"Running": 50}
    group.refresh()
    # From the earliest creation of a task in progress (49 minutes ago), less a minute, to now.
    assert window(session, 1) == (epoch_ms(NOW - datetime.timedelta(minutes=50)), epoch_ms(NOW))
    assert group.counts() == {"Running": 25, "Completed": 25}
    group.refresh()
    # Final tasks are not read again: the window narrows to the 25 still running.
    assert window(session, 2) == (epoch_ms(NOW - datetime.timedelta(minutes=25)), epoch_ms(NOW))
    assert group.done() and group.cycles == 3 and paths(session) == ["jobs"] * 3
    assert [job["id"] for job in group.jobs()] == ids and {job["status"] for job in group.jobs()} == {"Completed"}


def test_a_refresh_stops_paging_once_every_task_is_found(http):
    first = [item(n, created_time=created(1)) for n in range(PAGE_SIZE)]
    group, session, _clock = group_api(http, ["job-3", "job-7"], http.answer(200, page(first, 10 ** 4)))
    group.refresh()
    assert len(session.sent) == 1 and group.done()


def test_a_task_the_list_does_not_show_yet_is_read_once_then_looked_for_in_the_list(http):
    visible = item(1, status="Running", created_time=created(0))
    answers = [http.answer(200, listed_page(visible)), http.answer(*NOT_FOUND),  # first refresh: the list, then job-2 on its own
               http.answer(200, listed_page(visible)),  # within the grace: the list only
               http.answer(200, listed_page(dict(visible, status="Completed"), item(2, status="Running", created_time=created(0))))]
    group, session, clock = group_api(http, ["job-1", "job-2"], *answers)

    group.refresh()
    assert paths(session) == ["jobs", "job-2"]
    assert group.jobs()[1] == {"id": "job-2", "status": None} and group.summary()["not_found"] == 1
    clock.now += 5
    group.refresh()
    assert paths(session) == ["jobs", "job-2", "jobs"]
    # Not visible when the wait began, so created at most the grace before it: the window reaches back that far.
    assert window(session, 2)[0] == epoch_ms(NOW - datetime.timedelta(seconds=30) - datetime.timedelta(minutes=1))
    clock.now += 5
    group.refresh()
    assert len(session.sent) == 4 and group.counts() == {"Completed": 1, "Running": 1}


def test_a_task_still_missing_after_the_grace_is_not_found(http):
    answers = [http.answer(200, listed_page()), http.answer(*NOT_FOUND), http.answer(200, listed_page()), http.answer(*NOT_FOUND)]
    group, session, clock = group_api(http, ["job-1"], *answers)
    group.refresh()
    clock.now += 31
    with pytest.raises(NotFoundError, match=r"^job job-1 not found in project pid \(still not found after 30 s of waiting\)$"):
        group.refresh()
    assert paths(session) == ["jobs", "job-1", "jobs", "job-1"]


def test_without_a_grace_a_missing_task_is_not_found_at_once(http):
    group, _session, _clock = group_api(http, ["job-1"], http.answer(200, listed_page()), http.answer(*NOT_FOUND), grace=0)
    with pytest.raises(NotFoundError, match=r"^job job-1 not found in project pid$"):
        group.refresh()


def test_an_older_task_is_read_on_its_own_once_then_the_window_reaches_back_to_it(http):
    old = {"id": "job-1", "status": "Running", "created_time": created(3 * 24 * 60)}
    answers = [http.answer(200, listed_page()), http.answer(200, {"job": old}), http.answer(200, listed_page(item(1, status="Completed")))]
    group, session, _clock = group_api(http, ["job-1"], *answers)
    group.refresh()
    group.refresh()
    assert paths(session) == ["jobs", "job-1", "jobs"] and group.done()
    assert window(session, 2)[0] == epoch_ms(NOW - datetime.timedelta(days=3, minutes=1))


def test_a_task_seen_before_that_leaves_the_list_is_read_on_its_own(http):
    running = item(1, status="Running", created_time=created(1))
    answers = [http.answer(200, listed_page(running)), http.answer(200, listed_page()), http.answer(*NOT_FOUND)]
    group, _session, _clock = group_api(http, ["job-1"], *answers)
    group.refresh()
    with pytest.raises(NotFoundError, match=r"\(it was found earlier in this wait\)$"):
        group.refresh()


def test_a_list_cut_short_falls_back_to_reading_the_missing_tasks(http):
    repeated = page([item(1, status="Running", created_time=created(1))], 10 ** 6)
    answers = [http.answer(200, repeated), http.answer(200, repeated), http.answer(200, {"job": {"id": "job-2", "status": "Completed"}})]
    group, session, _clock = group_api(http, ["job-1", "job-2"], *answers)
    group.refresh()
    assert paths(session) == ["jobs", "jobs", "job-2"] and group.counts() == {"Running": 1, "Completed": 1}


def test_an_unreadable_creation_time_keeps_the_window_of_the_list_that_showed_the_task(http):
    answers = [http.answer(200, listed_page(item(1, status="Running", created_time="soon"))), http.answer(200, listed_page(item(1)))]
    group, session, _clock = group_api(http, ["job-1"], *answers)
    group.refresh()
    group.refresh()
    assert window(session, 1)[0] == epoch_ms(NOW - datetime.timedelta(hours=24, minutes=1)) and group.done()


def test_a_group_summary_counts_and_averages():
    group = ddm.JobGroup(None, ["a", "b", "c", "d", "e"])
    group.states = {"a": {"id": "a", "status": "Completed"}, "b": {"id": "b", "status": "Failed"}, "c": {"id": "c", "status": "Running", "process": "40%"},
                    "d": {"id": "d", "status": "Expanding", "process": "70%"}}
    assert group.summary() == dict(total=5, completed=1, failed={"Failed": 1}, running=2, not_found=1, average=55.0)
    assert group.pending() == ["c", "d", "e"] and [job["id"] for job in group.failed()] == ["b"]


def test_tasks_the_list_never_shows_are_read_a_few_per_refresh_in_turn(http):
    """A server clock ahead of ours: the list's window never reaches the tasks. Once a poll cost one GET per task."""
    ids = ["job-%d" % n for n in range(8)]

    def running(job_id):
        return http.answer(200, {"job": {"id": job_id, "status": "Running", "created_time": created(-60)}})

    turns = (ids * 2)[:3 * ddm.GROUP_SINGLE_READS]
    answers = [http.answer(200, listed_page())] + [running(job_id) for job_id in ids]
    for turn in range(3):
        answers += [http.answer(200, listed_page())] + [running(job_id) for job_id in turns[turn * ddm.GROUP_SINGLE_READS:(turn + 1) * ddm.GROUP_SINGLE_READS]]
    group, session, clock = group_api(http, ids, *answers)

    group.refresh()
    assert paths(session) == ["jobs"] + ids  # the first refresh reads each on its own, once
    reads = []
    for _refresh in range(3):
        clock.now += 5
        before = len(session.sent)
        group.refresh()
        assert paths(session)[before] == "jobs" and len(session.sent) - before == 1 + ddm.GROUP_SINGLE_READS
        reads += paths(session)[before + 1:]
    # In turn: every task is read again before any is read a third time.
    assert reads == turns


def test_a_malformed_item_of_another_task_is_left_out_and_counted(http):
    ours = item(1, status="Running", created_time=created(1))
    answers = [http.answer(200, listed_page({"id": 7, "status": ["x"]}, "junk", ours, item(2, status={"odd": 1}))),
               http.answer(200, listed_page(dict(ours, status=5)), {"X-Request-Id": "rid"})]
    group, session, _clock = group_api(http, ["job-1"], *answers)
    group.refresh()
    assert group.states["job-1"]["status"] == "Running" and group.skipped == 3 and paths(session) == ["jobs"]
    # An item of a task waited on must still be well formed.
    with pytest.raises(UnexpectedAnswer, match=r"jobs\[0\]\.status is a number, expected a non-empty string \(request id rid\)"):
        group.refresh()


def test_a_malformed_item_a_repeated_page_shows_again_counts_once(http):
    ours, other = item(1, status="Running", created_time=created(1)), item(2, status="Completed", created_time=created(1))
    # One of ours twice, with different statuses: fewer unique items than the total, so the next page is read, and the
    # server repeats the page: its malformed item of another task is one item, counted once.
    page_ = listed_page({"id": 7, "status": ["x"]}, ours, dict(ours, status="Completed"), other)
    group, session, _clock = group_api(http, ["job-1", "job-2"], *[http.answer(200, page_) for _page in range(2)],
                                       http.answer(200, {"job": dict(ours, status="Completed")}))
    group.refresh()
    assert paths(session) == ["jobs", "jobs", "job-1"] and group.skipped == 1 and group.counts() == {"Completed": 2}


def test_a_task_listed_twice_with_different_statuses_is_read_on_its_own(http):
    running, done = item(1, status="Running", created_time=created(1)), item(1, status="Completed", created_time=created(1))
    # The total counts jobs: the one listed twice once (a total counting it twice would leave the list short of it).
    answers = [http.answer(200, listed_page(running, done, item(2, status="Running", created_time=created(1)), total=2)),
               http.answer(200, {"job": dict(running, status="Completed")})]
    group, session, _clock = group_api(http, ["job-1", "job-2"], *answers)
    group.refresh()
    assert paths(session) == ["jobs", "job-1"] and group.conflicts == {"job-1": ["Completed", "Running"]}
    assert group.counts() == {"Completed": 1, "Running": 1}


def test_the_failure_reason_lookup_reads_past_malformed_items_of_other_tasks(http):
    listed = item(1, status="Failed", fail_reason="quota", created_time=created(1))
    jobs, _session = jobs_api(http, http.answer(200, listed_page({"id": None}, listed)))
    assert jobs.find_list_item({"id": "job-1", "created_time": created(1)}) == listed
