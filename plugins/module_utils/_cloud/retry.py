# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""When and how long to wait before retrying a request that failed transiently."""

from __future__ import annotations

import datetime
import email.utils
import random

from .deadline import Deadline
from .errors import APIError, DeadlineExceeded, HuaweiCloudError, is_gateway_code

# Throttling and gateway/server hiccups; other statuses are the caller's fault and final.
RETRYABLE_STATUSES = frozenset((429, 500, 502, 503, 504))
# Never hammer a throttling gateway, even when it answers Retry-After: 0.
MIN_THROTTLED_PAUSE = 1.0

# A Retry-After beyond this is treated as this: a wait is better served by failing and
# letting the user re-run than by sleeping for an hour inside one request.
MAX_RETRY_AFTER = 120.0


def parse_retry_after(value: str | None, now: datetime.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return max(0.0, (when - now).total_seconds())


class RetryPolicy:
    """Exponential backoff with jitter, capped, bounded by ``max_retries``.

    The n-th retry waits a random time between half and all of ``base * 2**(n-1)``
    (capped at ``max_delay``), so parallel clients that were throttled together do not
    come back together. A server's ``Retry-After`` replaces the computed delay.
    """

    def __init__(self, max_retries: int = 5, base_delay: float = 1.0, max_delay: float = 30.0, rng=random.random):
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._rng = rng

    def should_retry(self, retries_done: int) -> bool:
        return retries_done < self.max_retries

    def delay(self, retry_number: int, retry_after: float | None = None) -> float:
        """Pause before retry number ``retry_number`` (1 for the first retry)."""
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER)
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry_number - 1))
        return ceiling / 2 + self._rng() * ceiling / 2


def is_retryable(error: HuaweiCloudError) -> bool:
    """Whether sending the same request again may succeed.

    502, 503 and 504 say that the service could not be reached or could not answer in time
    (a gateway, a proxy, an overloaded backend): transient whatever their body, even one with
    the service's own code (``503 DBS.200001`` "Service busy."). A 500 that carries the
    service's code (DDM's ``DBS.280001`` "Parameter error.", say) is the service's considered
    answer, not a hiccup: the same request gets the same answer. A 500 with a gateway code
    (``APIGW.*``/``APIG.*``) or none (a bare page) stays retryable.
    """
    if isinstance(error, APIError):
        if error.status == 500 and error.code and not is_gateway_code(error.code):
            return False
        return error.status in RETRYABLE_STATUSES
    return getattr(error, "retryable", False)


def is_throttled(error: HuaweiCloudError) -> bool:
    return isinstance(error, APIError) and error.status == 429


class RetryBudget:
    """The retries one request has left: ``max_retries`` of them, and none past ``deadline`` (a :class:`Deadline`).

    Throttling inside a run that has a deadline (one that waits) is bounded by the deadline only, so
    many parallel waits sharing one account slow down instead of failing. Without a deadline,
    throttling counts against ``max_retries`` like any other transient failure.
    """

    def __init__(self, policy: RetryPolicy, deadline: Deadline | None = None):
        self.policy = policy
        self.deadline = deadline
        self.failures = 0  # failed attempts so far
        self._counted = 0  # of which count against max_retries

    def next_pause(self, error: HuaweiCloudError, retry_after: float | None = None) -> float:
        """Seconds to wait before retrying after ``error``; raises the error to give up."""
        self.failures += 1
        if not is_retryable(error):
            raise error
        pause = self.policy.delay(self.failures, retry_after)
        if is_throttled(error):
            pause = max(pause, MIN_THROTTLED_PAUSE)
        if not (is_throttled(error) and self.deadline is not None):
            self._counted += 1
            if not self.policy.should_retry(self._counted - 1):
                raise self._gave_up(error)
        if self.deadline is not None and pause >= self.deadline.remaining():
            raise DeadlineExceeded("no usable answer before the deadline; last error: %s" % error, last_error=error)
        return pause

    def _gave_up(self, error: HuaweiCloudError) -> HuaweiCloudError:
        if self.failures > 1:
            return error.with_message("%s (gave up after %d attempts)" % (error.message, self.failures))
        return error
