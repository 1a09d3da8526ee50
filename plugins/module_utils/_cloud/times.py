# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Times as Huawei Cloud APIs write and read them: ISO 8601 with any offset, and epoch milliseconds."""

from __future__ import annotations

import datetime
import re

from .answers import json_kind

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
# Far enough from datetime's limits that window arithmetic cannot overflow.
LATEST = datetime.datetime(9000, 1, 1, tzinfo=datetime.timezone.utc)


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def parse_time(text: str) -> datetime.datetime:
    """ISO 8601 with a time zone, including the APIs' own ``+0800`` offsets; ValueError says what is wrong."""
    if not isinstance(text, str):
        raise ValueError("must be a text, not %s" % json_kind(text))
    value = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.strip())
    value = re.sub(r"[Zz]$", "+00:00", value)
    try:
        when = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("must be an ISO 8601 time such as 2026-11-28T10:00:00Z or 2026-11-28T18:00:00+08:00") from None
    if when.tzinfo is None:
        raise ValueError("needs a time zone (Z or an offset such as +08:00)")
    if not EPOCH <= when < LATEST:
        raise ValueError("is out of range (1970 to 8999)")
    return when


def epoch_ms(when: datetime.datetime) -> int:
    """Integer milliseconds since the epoch, as list APIs take their time parameters (a float is rejected)."""
    return (when - EPOCH) // datetime.timedelta(milliseconds=1)
