# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of what an API answered: each finds what is wrong and names the field, before anything reads it.

A resource module describes its answers with these helpers and raises :class:`UnexpectedAnswer`
(through :func:`check_answer`) with the first problem found, so that a field of the wrong type
is a clear failure, never a crash further on.
"""

from __future__ import annotations

from .errors import UnexpectedAnswer, request_id_from


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


def check_answer(service: str, problem: str | None, response) -> None:
    """Raise the :class:`UnexpectedAnswer` for ``problem`` (with the answer's request id), if there is one."""
    if problem:
        raise UnexpectedAnswer(service, problem, request_id_from(response.headers))
