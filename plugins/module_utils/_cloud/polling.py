# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Polling until something reaches a final state, on a schedule that finds short jobs fast."""

from __future__ import annotations

import time

from .deadline import Deadline
from .errors import DeadlineExceeded

FIRST_PAUSE = 1.0
GROWTH = 2.0
# How long after the predicted completion to look, so the job has really finished.
PREDICTION_MARGIN = 0.25
MIN_PAUSE = 0.5
# The last poll starts this long before the deadline (a tenth of a short wait), so that its
# answer can still count.
LAST_ANSWER_ALLOWANCE = 1.0


def poll_pauses(max_interval: float, first: float = FIRST_PAUSE, growth: float = GROWTH):
    """Pauses between polls: ``first``, growing by ``growth`` up to ``max_interval``, then steady.

    A job that ends within seconds is seen within about a second; a long one costs no
    more requests than a fixed ``max_interval`` cadence plus a few.
    """
    pause = min(first, max_interval)
    while True:
        yield pause
        pause = min(pause * growth, max_interval)


class CompletionEstimator:
    """Predicts when a job whose progress rises steadily reaches 100 %.

    The rate is measured from the first progress reading to the latest change. Each
    reading yields at most one prediction, so a wrong guess costs a single extra poll
    before the regular schedule takes over again.
    """

    def __init__(self):
        self._first = None  # (elapsed, percent)
        self._last = None
        self._predicted_from = None

    def observe(self, elapsed: float, percent: float | None) -> None:
        if percent is None:
            return
        if self._first is None or percent < self._last[1]:
            self._first = self._last = (elapsed, percent)  # first reading, or progress restarted
        elif percent > self._last[1]:
            self._last = (elapsed, percent)

    def remaining(self, elapsed: float) -> float | None:
        """Seconds from ``elapsed`` until the predicted completion, or None without a new estimate."""
        if self._first is None or self._last == self._first or self._predicted_from == self._last:
            return None
        (first_at, first_percent), (last_at, last_percent) = self._first, self._last
        rate = (last_percent - first_percent) / (last_at - first_at)
        self._predicted_from = self._last
        return last_at + (100.0 - last_percent) / rate - elapsed


class ProgressPredictor:
    """When to look again, from the progress of one job or of each job of a group.

    ``readings`` is one job's percentage, or ``{job: percentage}`` for a group, whose soonest
    predicted completion counts. For a group, an early poll is never followed by another: jobs
    that end one after another then cost at most one extra poll per regular pause, so a group's
    requests per minute do not grow with its number of jobs.
    """

    def __init__(self):
        self._estimators = {}
        self._was_early = False

    def pause(self, elapsed: float, readings, regular: float) -> float:
        group = isinstance(readings, dict)
        readings = readings if group else {None: readings}
        for key, percent in readings.items():
            self._estimators.setdefault(key, CompletionEstimator()).observe(elapsed, percent)
        predictions = [p for p in (self._estimators[key].remaining(elapsed) for key in readings) if p is not None]
        early = bool(predictions) and min(predictions) + PREDICTION_MARGIN < regular and not (group and self._was_early)
        self._was_early = early
        return max(min(predictions) + PREDICTION_MARGIN, MIN_PAUSE) if early else regular


class WaitOutcome:
    """How a wait ended: the last value fetched (None if none came), how many polls, how long, and why.

    ``timed_out`` is true when the deadline passed first; ``error`` is then the transport or
    API error that kept the last attempt from answering, if one did.
    """

    def __init__(self, value, polls: int, elapsed: float, timed_out: bool, error=None):
        self.value = value
        self.polls = polls
        self.elapsed = elapsed
        self.timed_out = timed_out
        self.error = error


def wait_for(fetch, is_final, deadline: Deadline, max_interval: float, *, on_poll=None, progress=None, first_pause: float = FIRST_PAUSE,
             clock=time.monotonic, sleep=time.sleep) -> WaitOutcome:
    """Call ``fetch()`` until ``is_final(value)`` or the ``deadline`` (a :class:`Deadline`) passes.

    ``fetch`` must end by the deadline (its requests keep to the client's scope, which the run's
    deadline bounds) and raise :class:`DeadlineExceeded` when it cannot; the wait then ends as
    timed out with the last value seen. An answer that arrives after the deadline ends the wait as
    timed out too, so a late poll cannot turn a timeout into success. The last pause is clipped so
    that the final poll starts ``LAST_ANSWER_ALLOWANCE`` (or a tenth of the time the wait had)
    before the deadline. Pauses start at ``first_pause`` and grow to ``max_interval`` (give
    ``max_interval`` for a steady cadence).
    ``on_poll(value, elapsed)`` is called after every poll (progress reporting).
    ``progress(value)`` may return the job's completion percentage, or ``{job: percentage}``
    for a group: when it rises steadily, the poll after the (soonest) predicted completion is
    brought forward to just past it (see :class:`ProgressPredictor`).
    """
    start = clock()
    timeout = deadline.remaining()
    end = start + timeout
    pauses = poll_pauses(max_interval, first_pause)
    predictor = ProgressPredictor()
    value = None
    polls = 0
    while True:
        try:
            value = fetch()
        except DeadlineExceeded as exc:
            return WaitOutcome(value, polls, clock() - start, True, exc.last_error or exc)
        polls += 1
        elapsed = clock() - start
        if on_poll is not None:
            on_poll(value, elapsed)
        if elapsed > timeout:
            return WaitOutcome(value, polls, elapsed, True)
        if is_final(value):
            return WaitOutcome(value, polls, elapsed, False)
        room = end - clock() - min(LAST_ANSWER_ALLOWANCE, timeout / 10)
        if room < MIN_PAUSE:
            return WaitOutcome(value, polls, elapsed, True)
        pause = next(pauses)
        if progress is not None:
            pause = predictor.pause(clock() - start, progress(value), pause)
        sleep(min(pause, room))
