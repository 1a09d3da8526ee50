# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DDM account API (v3, flat bodies, synchronous: no task): list, create, change, delete, reset a password; the
weak-password check.

The API has no single-account read: an account is found by listing and matching its name. Every answer is
checked here before anything reads it, and :func:`account_view` gives results one shape (never a password).
A creation is sent as not repeatable (a lost answer is an :class:`OutcomeUnknown`); what a write whose outcome is
unclear did is decided in ``writes.py`` (the account list, read at once, says whether it was applied). A write
refused because the instance is busy is a :class:`ResourceBusy`.
Requests keep to the client's scope (:meth:`HuaweiCloudClient.within`): nothing here holds a deadline.

The rules (name, password, privileges, description, password lifetime) are checked here too, so that a bad
value fails naming its option before anything is sent; a password is never part of a message.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from .api import SERVICE, DdmApi
from .._cloud.answers import check_answer, is_count, json_kind, list_problem, required_text_problems, text_problems
from .._cloud.errors import APIError, HuaweiCloudError
from .._cloud.paging import INDEX, PagedListing

NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
NAME_RULE = "1 to 32 characters, a letter first, then letters, digits and '_'"
# The special characters of the v3 password rule; one Huawei page adds "/". It is let through, and the API judges it
# (a refusal is explained): a rule stricter than the region's would refuse a valid password.
PASSWORD_SPECIALS = "~!@#%^*-_+?/"
PASSWORD_RULE = ("8 to 32 characters, at least three of: lower-case letters, upper-case letters, digits and the special characters "
                 "~!@#%^*-_+? (and / where the region accepts it); nothing else")
# The base privileges, in the order the API documents (and answers) them.
PRIVILEGES = ("CREATE", "DROP", "ALTER", "INDEX", "INSERT", "DELETE", "UPDATE", "SELECT")
MAX_DESCRIPTION = 256
MAX_PASSWORD_LIFETIME = 65535
QUOTA = 100  # accounts per instance
PAGE_SIZE = 128  # the list's largest page
MAX_LIST_PAGES = 20  # far beyond the quota
EXISTS = "DBS.300311"
MISSING = "DBS.300327"
# Refused at creation: the quota, or a schema that does not exist (the API uses one code for both).
QUOTA_OR_SCHEMA = "DBS.300300"
UNKNOWN_SCHEMA = "DBS.300301"
WEAK_OR_INVALID_PASSWORD = "DBS.300306"

_TEXT_FIELDS = ("status", "description", "created", "password_last_changed", "expiration_time")


# ---------------------------------------------------------------------- rules

def name_problem(name: str) -> str | None:
    """What is wrong with an account name (it goes into URLs), or None."""
    if NAME.fullmatch(name):
        return None
    return "name must have %s, got %r" % (NAME_RULE, name)


def password_problem(password: str, name: str, option: str = "account_password") -> str | None:
    """What is wrong with a password for the account ``name``, or None; the message never shows the password."""
    kinds = sum((any(char.islower() for char in password), any(char.isupper() for char in password),
                 any(char.isdigit() for char in password), any(char in PASSWORD_SPECIALS for char in password)))
    allowed = all((char.isascii() and char.isalnum()) or char in PASSWORD_SPECIALS for char in password)
    if not 8 <= len(password) <= 32 or kinds < 3 or not allowed:
        return "%s must have %s (the value is not shown)" % (option, PASSWORD_RULE)
    if password.lower() in (name.lower(), name[::-1].lower()):
        return "%s must not be the account's name or the name reversed" % option
    return None


def privileges(values: list, option: str = "privileges") -> list:
    """The privileges, upper case, once each, in the documented order; fails naming a value that is not one."""
    wanted = set()
    for value in values:
        if not isinstance(value, str) or value.upper() not in PRIVILEGES:
            raise ValueError("%s may hold only %s (any case), got %r" % (option, ", ".join(PRIVILEGES), value))
        wanted.add(value.upper())
    if not wanted:
        raise ValueError("%s must name at least one of %s" % (option, ", ".join(PRIVILEGES)))
    return [privilege for privilege in PRIVILEGES if privilege in wanted]


# ---------------------------------------------------------------------- results

def account_view(item: dict) -> dict:
    """An account in the one shape results show (the option names for what can be set; never a password)."""
    return dict(name=item["name"], status=item.get("status"), privileges=sorted({value.upper() for value in item.get("base_authority") or []},
                                                                                key=_privilege_order),
                schemas=[database["name"] for database in item.get("databases") or []], description=item.get("description"),
                password_lifetime=item.get("password_lifetime"), password_last_changed=item.get("password_last_changed"),
                created=item.get("created"))


def _privilege_order(value: str):
    return (PRIVILEGES.index(value) if value in PRIVILEGES else len(PRIVILEGES), value)


def account_problem(item, where: str) -> str | None:
    """What is wrong with an account of the list answer, or None when it has the documented shape."""
    if not isinstance(item, dict):
        return "%s is %s, expected an object" % (where, json_kind(item))
    problems = required_text_problems(item, where, ("name",)) + text_problems(item, where, _TEXT_FIELDS)
    problem = problems[0] if problems else None
    if problem is None and item.get("base_authority") is not None:
        problem = list_problem(item["base_authority"], where + ".base_authority",
                               lambda value, at: None if isinstance(value, str) else "%s is %s, expected a string" % (at, json_kind(value)))
    if problem is None and item.get("databases") is not None:
        problem = list_problem(item["databases"], where + ".databases", _named_problem)
    if problem is None and item.get("password_lifetime") is not None and not is_count(item["password_lifetime"]):
        problem = "%s.password_lifetime is %s, expected a count" % (where, json_kind(item["password_lifetime"]))
    return problem


def _named_problem(item, where: str) -> str | None:
    if not isinstance(item, dict):
        return "%s is %s, expected an object" % (where, json_kind(item))
    problems = required_text_problems(item, where, ("name",))
    return problems[0] if problems else None


# ---------------------------------------------------------------------- calls

class DdmAccounts(DdmApi):
    """Calls of the DDM account API through a :class:`HuaweiCloudClient`."""

    def _user_url(self, instance_id: str, name: str, suffix: str = "") -> str:
        return self._instance_url("v3", instance_id, "/users/%s%s" % (quote(name, safe=""), suffix))

    # ------------------------------------------------------------------ reads

    def page(self, instance_id: str, offset: int):
        """One page of the instance's accounts: (items, each with its name as ``id`` for the listing; the list's total or None)."""
        items, total = self._page(self._instance_url("v3", instance_id, "/users"), offset, PAGE_SIZE, "users", "total", account_problem)
        return [dict(item, id=item["name"]) for item in items], total

    def iterate(self, instance_id: str) -> PagedListing:
        """Every account of the instance, read lazily, once each (an item has its name as ``id`` too)."""
        return PagedListing(lambda offset: self.page(instance_id, offset), PAGE_SIZE, MAX_LIST_PAGES, "accounts", INDEX)

    def listing(self, instance_id: str) -> tuple:
        """(every account of the instance, why the list was cut short or None)."""
        listing = self.iterate(instance_id)
        return list(listing), listing.truncated

    def find(self, instance_id: str, name: str) -> dict | None:
        """The account named ``name``, or None when the whole list shows none; fails when the list was cut short before it."""
        items, truncated = self.listing(instance_id)
        found = next((item for item in items if item["name"] == name), None)
        if found is None and truncated:
            raise HuaweiCloudError("The account list was cut short (%s), so whether account %s exists is unknown; nothing was changed" % (
                truncated, name))
        return found

    def is_weak(self, password: str) -> bool:
        """Whether the API's weak-password check refuses ``password`` (a read: nothing is changed)."""
        response, body = self._call("POST", "%s/v3/%s/weak-password-verification" % (self.endpoint, self.client.project_id),
                                    json_body={"password": password})
        weak = body.get("is_weak_password")
        check_answer(SERVICE, None if isinstance(weak, bool) else "is_weak_password is %s, expected a boolean" % json_kind(weak), response)
        return weak

    # ------------------------------------------------------------------ writes (each answers {})

    def create(self, instance_id: str, body: dict) -> None:
        """Never resent by the client: an unclear outcome is an OutcomeUnknown (ddm_account's WriteSender reads the list)."""
        self._call("POST", self._instance_url("v3", instance_id, "/users"), json_body=body, repeatable=False)

    def update(self, instance_id: str, name: str, body: dict) -> None:
        """Sets what ``body`` holds (``base_authority``, ``description``, ``password_lifetime``, ``databases``), the rest kept."""
        self._call("PUT", self._user_url(instance_id, name), json_body=body)

    def reset_password(self, instance_id: str, name: str, password: str) -> None:
        self._call("POST", self._user_url(instance_id, name, "/password"), json_body={"password": password})

    def delete(self, instance_id: str, name: str) -> bool:
        """Whether this call deleted it: False when the account does not exist (a retried request's first attempt deleted it)."""
        try:
            self._call("DELETE", self._user_url(instance_id, name))
        except APIError as exc:
            if exc.code == MISSING:
                return False
            raise
        return True
