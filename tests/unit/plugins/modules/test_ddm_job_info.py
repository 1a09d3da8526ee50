# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of ddm_job_info: time windows and status meanings."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils.ddm import FAILURE_STATUSES, FINAL_STATUSES, SUCCESS_STATUSES, describe
from ansible_collections.huaweicloud.cloud.plugins.module_utils.errors import ConfigurationError
from ansible_collections.huaweicloud.cloud.plugins.modules.ddm_job_info import epoch_ms, parse_time


@pytest.mark.parametrize("text,expected_ms", [
    ("2024-01-01T00:00:00Z", 1704067200000),
    ("2024-01-01T08:00:00+08:00", 1704067200000),
    ("2024-01-01T08:00:00+0800", 1704067200000),  # the API's own format
    ("2024-01-01T00:00:00.123+00:00", 1704067200123),
    (" 2024-01-02T00:00:00z ", 1704153600000),
])
def test_times_become_integer_milliseconds(text, expected_ms):
    value = epoch_ms(parse_time(text, "start_time"))
    assert value == expected_ms and isinstance(value, int)


@pytest.mark.parametrize("text,fragment", [
    ("2024-01-01T00:00:00", "needs a time zone"),
    ("yesterday", "must be an ISO 8601 time"),
    ("1704067200000", "must be an ISO 8601 time"),
    ("", "must be an ISO 8601 time"),
])
def test_bad_times_name_the_option(text, fragment):
    with pytest.raises(ConfigurationError) as info:
        parse_time(text, "end_time")
    assert str(info.value).startswith("end_time ") and fragment in str(info.value)


def test_epoch_ms_has_no_float_rounding_error():
    when = datetime.datetime(2026, 11, 28, 10, 0, 0, 999000, tzinfo=datetime.timezone.utc)
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
