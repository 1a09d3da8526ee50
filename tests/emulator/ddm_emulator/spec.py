# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the JSON the control API and the IAM token call take: typed fields, a 400 when one is wrong."""

from __future__ import annotations

import json

from .errors import control_error


def number_field(spec, key, default, minimum=0.0):
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise control_error("%s must be a number >= %s" % (key, minimum))
    return float(value)


def string_field(spec, key, default):
    value = spec.get(key, default)
    if not isinstance(value, str):
        raise control_error("%s must be a string" % key)
    return value


def json_object(raw, error):
    try:
        value = json.loads(raw.decode("utf-8")) if raw else None
    except (ValueError, UnicodeError):
        raise error
    if not isinstance(value, dict):
        raise error
    return value
