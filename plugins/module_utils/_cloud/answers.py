# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of what an API answered: each finds what is wrong and names the field, before anything reads it.

A resource module describes its answers with these helpers and raises :class:`UnexpectedAnswer`
(through :func:`check_answer`) with the first problem found, so that a field of the wrong type
is a clear failure, never a crash further on.
"""

from __future__ import annotations

import re

from .errors import UnexpectedAnswer, printable, request_id_from

# Ids are path segments: anything beyond these characters could change the URL's meaning. The same
# rule holds for ids the user gives and for ids a service answers (a project id from IAM).
PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
PLAIN_ID_RULE = "a plain id (letters, digits, '-' and '_', at most 128 characters)"


def json_kind(value) -> str:
    """What a JSON value is, in words: ``an object``, ``an array``, ``a string``, ``null`` ..."""
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(value), "null" if value is None else "a " + type(value).__name__)


def text_problems(record: dict, where: str, keys) -> list:
    """Fields of ``keys`` that are present and not null but not strings."""
    return ["%s.%s is %s, expected a string" % (where, key, json_kind(record[key]))
            for key in keys if record.get(key) is not None and not isinstance(record[key], str)]


def required_text_problems(record: dict, where: str, keys) -> list:
    """Fields of ``keys`` that must be non-empty strings and are not."""
    return ["%s.%s is %s, expected a non-empty string" % (where, key, json_kind(record.get(key)))
            for key in keys if not isinstance(record.get(key), str) or not record[key]]


def is_count(value) -> bool:
    """A non-negative integer (JSON's true and false are not counts)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def list_problem(items, where: str, item_problem) -> str | None:
    """What is wrong with an array of objects: the array itself, or the first item ``item_problem(item, 'where[i]')`` objects to."""
    if not isinstance(items, list):
        return "%s is %s, expected an array" % (where, json_kind(items))
    return next((problem for problem in (item_problem(item, "%s[%d]" % (where, index)) for index, item in enumerate(items)) if problem), None)


def plain_id_problem(value, where: str) -> str | None:
    """What is wrong with an id an answer gives, which will go into a URL: not text, or not a plain id (quoted, shortened, escaped)."""
    if not isinstance(value, str):
        return "%s is %s, expected %s" % (where, json_kind(value), PLAIN_ID_RULE)
    if not PLAIN_ID.fullmatch(value):
        return "%s is %s, expected %s" % (where, printable(repr(value[:64])), PLAIN_ID_RULE)
    return None


def check_answer(service: str, problem: str | None, response) -> None:
    """Raise the :class:`UnexpectedAnswer` for ``problem`` (with the answer's request id), if there is one."""
    if problem:
        raise UnexpectedAnswer(service, problem, request_id_from(response.headers))
