# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Polling until something reaches a final state, on a schedule that finds short jobs fast."""

from __future__ import annotations

import time

FIRST_PAUSE = 1.0
GROWTH = 2.0


def poll_pauses(max_interval: float, first: float = FIRST_PAUSE, growth: float = GROWTH):
    """Pauses between polls: ``first``, growing by ``growth`` up to ``max_interval``, then steady.

    A job that ends within seconds is seen within about a second; a long one costs no
    more requests than a fixed ``max_interval`` cadence plus a few.
    """
    pause = min(first, max_interval)
    while True:
        yield pause
        pause = min(pause * growth, max_interval)


class WaitOutcome:
    """What a wait ended with: the last value fetched, how many polls, how long, and why it stopped."""

    def __init__(self, value, polls: int, elapsed: float, timed_out: bool):
        self.value = value
        self.polls = polls
        self.elapsed = elapsed
        self.timed_out = timed_out


def wait_for(fetch, is_final, timeout: float, max_interval: float, *, on_poll=None,
             clock=time.monotonic, sleep=time.sleep) -> WaitOutcome:
    """Call ``fetch(deadline)`` until ``is_final(value)`` or ``timeout`` seconds pass.

    The last pause is clipped so that the final poll happens at the deadline, never after it.
    ``on_poll(value, elapsed)`` is called after every poll (progress reporting).
    """
    start = clock()
    deadline = start + timeout
    pauses = poll_pauses(max_interval)
    polls = 0
    while True:
        value = fetch(deadline)
        polls += 1
        elapsed = clock() - start
        if on_poll is not None:
            on_poll(value, elapsed)
        if is_final(value):
            return WaitOutcome(value, polls, elapsed, False)
        remaining = deadline - clock()
        if remaining <= 0:
            return WaitOutcome(value, polls, elapsed, True)
        sleep(min(next(pauses), remaining))
