# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wait loop and its polling schedule, on a simulated clock."""

from __future__ import annotations

import itertools

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.deadline import Deadline
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import DeadlineExceeded, TransportError
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.polling import CompletionEstimator, poll_pauses, wait_for


def job_finishing_at(clock, finish_at, final="Completed"):
    start = clock.now
    seen = []

    def fetch():
        seen.append(clock.now - start)
        return {"status": final if clock.now - start >= finish_at else "Running"}
    return fetch, seen


def is_final(job):
    return job["status"] != "Running"


def test_pauses_start_short_and_grow_to_the_interval():
    assert list(itertools.islice(poll_pauses(5), 7)) == [1.0, 2.0, 4.0, 5, 5, 5, 5]
    assert list(itertools.islice(poll_pauses(1), 3)) == [1, 1, 1]
    assert list(itertools.islice(poll_pauses(30), 7)) == [1.0, 2.0, 4.0, 8.0, 16.0, 30, 30]


def test_short_job_is_seen_within_seconds(clock):
    fetch, seen = job_finishing_at(clock, 2.5)
    outcome = wait_for(fetch, is_final, Deadline(1800, clock), 5, clock=clock, sleep=clock.sleep)
    assert not outcome.timed_out
    assert seen == [0.0, 1.0, 3.0]
    assert outcome.polls == 3 and outcome.elapsed == 3.0


def test_long_job_costs_few_more_polls_than_a_fixed_cadence(clock):
    fetch, seen = job_finishing_at(clock, 40)
    outcome = wait_for(fetch, is_final, Deadline(1800, clock), 5, clock=clock, sleep=clock.sleep)
    fixed_cadence_polls = 40 // 5 + 1
    assert outcome.polls <= fixed_cadence_polls + 3
    assert max(later - earlier for earlier, later in zip(seen, seen[1:])) == 5


def test_final_status_on_first_poll_does_not_sleep(clock):
    fetch, _seen = job_finishing_at(clock, 0, final="Failed")
    outcome = wait_for(fetch, is_final, Deadline(60, clock), 5, clock=clock, sleep=clock.sleep)
    assert outcome.value["status"] == "Failed" and outcome.polls == 1 and clock.sleeps == []


def test_timeout_clips_the_last_pause_so_the_last_answer_can_still_count(clock):
    fetch, seen = job_finishing_at(clock, 10_000)
    outcome = wait_for(fetch, is_final, Deadline(12, clock), 5, clock=clock, sleep=clock.sleep)
    assert outcome.timed_out and outcome.value == {"status": "Running"} and outcome.error is None
    assert seen == [0.0, 1.0, 3.0, 7.0, 11.0]  # the last poll has LAST_ANSWER_ALLOWANCE to answer
    assert clock.now - 100.0 <= 12.0  # never past wait_timeout


def test_a_poll_cut_off_by_the_deadline_ends_the_wait_with_the_last_state_seen(clock):
    answers = iter([{"status": "Running", "process": "40%"}])
    deadline = Deadline(30, clock)

    def fetch():
        value = next(answers, None)
        if value is None:
            clock.now = deadline.end  # the request used up all the time left
            raise DeadlineExceeded("GET x: no complete answer before the deadline")
        return value
    outcome = wait_for(fetch, is_final, deadline, 5, clock=clock, sleep=clock.sleep)
    assert outcome.timed_out and outcome.value == {"status": "Running", "process": "40%"} and outcome.polls == 1
    assert str(outcome.error) == "GET x: no complete answer before the deadline"


def test_deadline_error_keeps_the_last_transport_error_and_no_value_if_none_came(clock):
    cause = TransportError("GET x: connection failed: refused")

    def fetch():
        raise DeadlineExceeded("no usable answer before the deadline", last_error=cause)
    outcome = wait_for(fetch, is_final, Deadline(30, clock), 5, clock=clock, sleep=clock.sleep)
    assert outcome.timed_out and outcome.value is None and outcome.polls == 0 and outcome.error is cause


def test_a_final_answer_that_arrives_after_the_deadline_is_a_timeout(clock):
    deadline = Deadline(10, clock)

    def late_completion():
        clock.now = deadline.end + 0.5  # no time limit could stop this one
        return {"status": "Completed"}
    outcome = wait_for(late_completion, is_final, deadline, 5, clock=clock, sleep=clock.sleep)
    assert outcome.timed_out and outcome.value == {"status": "Completed"}


def test_on_poll_sees_every_state(clock):
    fetch, _seen = job_finishing_at(clock, 3)
    updates = []
    wait_for(fetch, is_final, Deadline(60, clock), 5, on_poll=lambda job, elapsed: updates.append((job["status"], elapsed)), clock=clock, sleep=clock.sleep)
    assert updates == [("Running", 0.0), ("Running", 1.0), ("Completed", 3.0)]


def linear_job(clock, duration):
    """Progress rises steadily to 100 % at ``duration``, reported as whole percents, like DDM."""
    start = clock.now
    polls = []

    def fetch():
        elapsed = clock.now - start
        polls.append(elapsed)
        if elapsed >= duration:
            return {"status": "Completed", "process": ""}
        return {"status": "Running", "process": "%d%%" % int(100 * elapsed / duration)}
    return fetch, polls


def percent(job):
    return float(job["process"].rstrip("%")) if job["process"] else None


def test_progress_brings_the_last_poll_to_just_after_completion(clock):
    fetch, polls = linear_job(clock, 40)
    outcome = wait_for(fetch, is_final, Deadline(1800, clock), 5, progress=percent, clock=clock, sleep=clock.sleep)
    assert outcome.value["status"] == "Completed"
    latency = polls[-1] - 40
    assert 0 <= latency <= 1.0  # a fixed 5 s cadence would see it up to 5 s late
    assert outcome.polls <= 40 // 5 + 1 + 3
    assert max(later - earlier for earlier, later in zip(polls, polls[1:])) <= 5


def test_a_wrong_prediction_costs_at_most_one_extra_poll_per_reading(clock):
    start = clock.now
    polls = []

    def stalls_at_90():
        elapsed = clock.now - start
        polls.append(elapsed)
        return {"status": "Running", "process": "%d%%" % min(90, int(elapsed * 10))}
    outcome = wait_for(stalls_at_90, is_final, Deadline(60, clock), 5, progress=percent, clock=clock, sleep=clock.sleep)
    assert outcome.timed_out
    gaps = [later - earlier for earlier, later in zip(polls, polls[1:])]
    assert sum(1 for gap in gaps if gap < 1.0) <= 2
    assert len(polls) <= 60 // 5 + 6


def test_estimator_needs_two_readings_and_restarts_when_progress_goes_back():
    estimator = CompletionEstimator()
    assert estimator.remaining(0) is None
    estimator.observe(0, 10.0)
    assert estimator.remaining(0) is None
    estimator.observe(10, 30.0)
    assert estimator.remaining(10) == 35.0  # 20 % per 10 s, 70 % to go
    assert estimator.remaining(11) is None  # one prediction per reading
    estimator.observe(12, 5.0)  # a new phase restarted the percentage
    assert estimator.remaining(12) is None
    estimator.observe(14, None)
    assert estimator.remaining(14) is None


def test_a_short_wait_still_polls_again_before_its_deadline(clock):
    fetch, seen = job_finishing_at(clock, 10_000)
    outcome = wait_for(fetch, is_final, Deadline(1, clock), 1, clock=clock, sleep=clock.sleep)
    assert outcome.timed_out and seen == pytest.approx([0.0, 0.9])  # a tenth of the wait left for the last answer


def group_of_linear_tasks(clock, durations):
    """Tasks whose progress rises steadily to 100 % at their durations; the group is final when all are."""
    start = clock.now
    polls = []

    def fetch():
        elapsed = clock.now - start
        polls.append(elapsed)
        return {task: (None if elapsed >= end else int(100 * elapsed / end)) for task, end in durations.items()}
    return fetch, polls


def test_a_group_polls_just_after_a_predicted_completion_but_never_twice_early_in_a_row(clock):
    durations = {"t%d" % n: 20 + 0.7 * n for n in range(30)}  # one task ends every 0.7 s
    fetch, polls = group_of_linear_tasks(clock, durations)

    def pending(value):
        return {task: percent for task, percent in value.items() if percent is not None}
    outcome = wait_for(fetch, lambda value: not pending(value), Deadline(1800, clock), 5, progress=pending, clock=clock, sleep=clock.sleep)
    assert not outcome.timed_out
    gaps = [later - earlier for earlier, later in zip(polls, polls[1:])]
    early = [gap < 5 for gap in gaps[3:]]  # after the first 1-2-4 s pauses
    assert any(early) and not any(a and b for a, b in zip(early, early[1:]))
    # However many tasks end meanwhile, at most two polls per regular pause.
    assert len(polls) <= 2 * (polls[-1] // 5 + 1) + 3
