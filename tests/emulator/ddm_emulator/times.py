# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The time formats the APIs use: DDM task times and IAM (token, log) times."""

from __future__ import annotations

import datetime


def api_time(epoch, offset_minutes=0):
    """``yyyy-mm-ddThh:mm:ss+hhmm`` in the given offset from UTC, as DDM writes task times."""
    zone = datetime.timezone(datetime.timedelta(minutes=offset_minutes))
    return datetime.datetime.fromtimestamp(epoch, zone).strftime("%Y-%m-%dT%H:%M:%S%z")


def iam_time(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
