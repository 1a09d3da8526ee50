# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Answer-shape checks shared by every resource."""

from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud import answers
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import UnexpectedAnswer


class Response:
    headers = {"X-Request-Id": "req-1"}


def test_kinds_are_named_in_json_words():
    assert [answers.json_kind(value) for value in ({}, [], "", True, 1, 1.5, None)] == [
        "an object", "an array", "a string", "a boolean", "a number", "a number", "null"]


def test_problems_name_the_field():
    record = {"id": "", "name": 5, "status": "ok", "note": None}
    assert answers.required_text_problems(record, "x", ("id", "status")) == ["x.id is a string, expected a non-empty string"]
    assert answers.text_problems(record, "x", ("name", "note")) == ["x.name is a number, expected a string"]
    assert answers.list_problem({}, "items", lambda item, where: None) == "items is an object, expected an array"
    assert answers.list_problem([1, "a"], "items", lambda item, where: None if isinstance(item, int) else where + " is odd") == "items[1] is odd"
    assert [answers.is_count(value) for value in (0, 3, -1, True, 1.0, "1")] == [True, True, False, False, False, False]


def test_check_answer_raises_with_the_request_id():
    answers.check_answer("DDM", None, Response())
    with pytest.raises(UnexpectedAnswer) as info:
        answers.check_answer("DDM", "x.id is null", Response())
    assert "x.id is null" in str(info.value) and "req-1" in str(info.value)


@pytest.mark.parametrize("value, problem", [
    ("p-1_ABC", None),
    ("a" * 128, None),
    ("a" * 129, "project.id is '%s', expected a plain id" % ("a" * 64)),
    ("../../../evil", "project.id is '../../../evil', expected a plain id"),
    ("p1?x=1#", "project.id is 'p1?x=1#', expected a plain id"),
    ("p1\n", "project.id is 'p1\\n', expected a plain id"),  # escaped: no line break reaches a message
    ("", "project.id is '', expected a plain id"),
    (12, "project.id is a number, expected a plain id"),
    (None, "project.id is null, expected a plain id"),
])
def test_ids_an_answer_gives_must_be_plain_before_they_go_into_a_url(value, problem):
    found = answers.plain_id_problem(value, "project.id")
    assert found == (None if problem is None else problem + " (letters, digits, '-' and '_', at most 128 characters)")
