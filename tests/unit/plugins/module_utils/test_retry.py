# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backoff schedule and Retry-After parsing."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.deadline import Deadline
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import APIError, DeadlineExceeded, TransportError
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.retry import MAX_RETRY_AFTER, RetryBudget, RetryPolicy, is_retryable, parse_retry_after


def test_backoff_doubles_between_half_and_full_ceiling():
    low = RetryPolicy(base_delay=1.0, max_delay=30.0, rng=lambda: 0.0)
    high = RetryPolicy(base_delay=1.0, max_delay=30.0, rng=lambda: 1.0)
    assert [low.delay(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0]
    assert [high.delay(n) for n in range(1, 8)] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_jitter_spreads_clients():
    values = {RetryPolicy().delay(3) for _unused in range(50)}
    assert len(values) > 10
    assert all(2.0 <= v <= 4.0 for v in values)


def test_retry_after_replaces_backoff_and_is_capped():
    policy = RetryPolicy(rng=lambda: 1.0)
    assert policy.delay(1, retry_after=7.0) == 7.0
    assert policy.delay(1, retry_after=0.0) == 0.0
    assert policy.delay(1, retry_after=10_000.0) == MAX_RETRY_AFTER


@pytest.mark.parametrize("retries", [0, 1, 5])
def test_max_retries_bounds_attempts(retries):
    policy = RetryPolicy(max_retries=retries)
    allowed = 0
    while policy.should_retry(allowed):
        allowed += 1
    assert allowed == retries


def test_parse_retry_after_seconds_and_dates():
    now = datetime.datetime(2026, 1, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
    assert parse_retry_after("3", now) == 3.0
    assert parse_retry_after(" 1.5 ", now) == 1.5
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:10 GMT", now) == 10.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("-4", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("", now) is None


def _api(status, code=None):
    return APIError(status, code, "x")


def test_budget_counts_every_transient_failure_against_max_retries_outside_a_wait():
    budget = RetryBudget(RetryPolicy(max_retries=2, rng=lambda: 1.0))
    assert [budget.next_pause(_api(429, "APIGW.0308")), budget.next_pause(_api(503))] == [1.0, 2.0]
    with pytest.raises(APIError, match=r"^HTTP 503: x \(gave up after 3 attempts\)$") as info:
        budget.next_pause(_api(503))
    assert info.value.status == 503


def test_budget_gives_up_at_once_on_final_errors():
    budget = RetryBudget(RetryPolicy(max_retries=5))
    with pytest.raises(APIError, match=r"^HTTP 403: x$"):
        budget.next_pause(_api(403))
    with pytest.raises(TransportError, match="certificate"):
        budget.next_pause(TransportError("certificate verify failed", retryable=False))


def test_budget_inside_a_wait_lets_throttling_run_to_the_deadline_only():
    now = [0.0]
    budget = RetryBudget(RetryPolicy(max_retries=1, rng=lambda: 1.0), deadline=Deadline(10.0, lambda: now[0]))
    for _attempt in range(5):
        assert budget.next_pause(_api(429), retry_after=0) == 1.0  # throttled: at least a second, never counted
        now[0] += 1.0
    now[0] = 9.5
    with pytest.raises(DeadlineExceeded) as info:
        budget.next_pause(_api(429), retry_after=1)
    assert info.value.last_error.status == 429 and "no usable answer before the deadline" in str(info.value)


def test_budget_inside_a_wait_still_bounds_other_failures_by_max_retries():
    budget = RetryBudget(RetryPolicy(max_retries=1, rng=lambda: 1.0), deadline=Deadline(1000.0, lambda: 0.0))
    budget.next_pause(_api(503))
    with pytest.raises(APIError, match="gave up after 2 attempts"):
        budget.next_pause(_api(503))


@pytest.mark.parametrize("status,code,retryable", [
    (500, "DBS.280001", False),  # the ListTasks docs' "Parameter error.": the service's answer, not a hiccup
    (500, "DBS.200001", False),
    (503, "DBS.200001", True),  # 502/503/504: transient whatever the body
    (502, "DBS.280001", True),
    (504, "DBS.200006", True),
    (500, None, True),
    (500, "APIGW.0201", True),
    (502, None, True),
    (501, None, False),
    (503, "APIGW.0203", True),
    (504, "APIG.0204", True),
    (429, "APIG.0308", True),
    (429, "DBS.280429", True),
    (400, "DBS.280001", False),
])
def test_which_answers_are_worth_retrying(status, code, retryable):
    assert is_retryable(_api(status, code)) is retryable
