# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DDM account layer over a real client on scripted answers: the rules, the list, the writes, and a creation sent once."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.accounts import (DdmAccounts, account_view, name_problem,
                                                                                      password_problem, privileges)
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import (APIError, HuaweiCloudError, OutcomeUnknown, ResourceBusy,
                                                                                      UnexpectedAnswer)

ENDPOINT = "https://ddm.example.invalid"
USERS = ENDPOINT + "/v3/pid/instances/i1/users"
ITEM = {"name": "app", "status": "RUNNING", "base_authority": ["SELECT", "INSERT"], "password_lifetime": 0, "description": "",
        "password_last_changed": "2026-12-07T10:00:00+0000", "created": "2026-12-07T10:00:00+0000", "databases": [{"name": "orders"}],
        "expiration_time": ""}


def accounts(http, *answers):
    session = http.Session(*answers)
    client, _sleeps = http.client(session, max_retries=0)
    return DdmAccounts(client, ENDPOINT), session


def ddm_error(http, status, code, message="refused"):
    return http.answer(status, {"error_code": code, "error_msg": message})


# ---------------------------------------------------------------------- rules

@pytest.mark.parametrize("password", ["Short1!", "a" * 33 + "A1", "alllowercase1", "NoDigitsOrSpecials", "Has space 1A", "Colon:Pass1"])
def test_a_password_against_the_rules_is_refused_without_showing_it(password):
    problem = password_problem(password, "app")
    assert problem.startswith("account_password must have 8 to 32 characters") and password not in problem


@pytest.mark.parametrize("password", ["Orders_App1", "1ppA_sredrO", "ORDERS_app1", "1ppa_sredro"])
def test_a_password_may_not_be_the_name_or_the_name_reversed_in_any_case(password):
    assert password_problem(password, "orders_app1") == "account_password must not be the account's name or the name reversed"


# "/" is in one page's rule only: let through, for the API to judge.
@pytest.mark.parametrize("password", ["Str0ng-Pass", "abcD1234", "ABC-1234x", "x~!@#%^*-_+?Y1", "slash/pass1"])
def test_a_good_password_passes(password):
    assert password_problem(password, "app") is None


@pytest.mark.parametrize("name,ok", [("a", True), ("app_1", True), ("A" * 32, True), ("A" * 33, False), ("1app", False), ("_app", False),
                                     ("app-1", False), ("app/../x", False), ("", False)])
def test_the_name_rule(name, ok):
    assert (name_problem(name) is None) is ok


def test_privileges_any_case_in_upper_case_out_in_the_documented_order_once_each():
    assert privileges(["select", "Insert", "SELECT", "create"]) == ["CREATE", "INSERT", "SELECT"]


@pytest.mark.parametrize("values,message", [(["select", "grant"], "privileges may hold only CREATE, DROP, ALTER, INDEX, INSERT, DELETE, "
                                                                  "UPDATE, SELECT (any case), got 'grant'"),
                                            ([], "privileges must name at least one of CREATE")])
def test_a_bad_privilege_is_named(values, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        privileges(values)


def test_the_view_has_the_option_names_and_no_password():
    view = account_view(dict(ITEM, base_authority=["select", "CREATE"], password="secret"))
    assert view == {"name": "app", "status": "RUNNING", "privileges": ["CREATE", "SELECT"], "schemas": ["orders"], "description": "",
                    "password_lifetime": 0, "password_last_changed": ITEM["password_last_changed"], "created": ITEM["created"]}


# ---------------------------------------------------------------------- reads

def test_the_list_is_read_whole_in_pages_of_128(http):
    first = [dict(ITEM, name="u%03d" % index) for index in range(128)]
    api, session = accounts(http, http.answer(200, {"users": first, "offset": 0, "limit": 128, "total": 130}),
                            http.answer(200, {"users": [dict(ITEM, name="u128"), dict(ITEM, name="u129")], "offset": 128, "limit": 128, "total": 130}))
    items, truncated = api.listing("i1")
    assert [item["name"] for item in items] == ["u%03d" % index for index in range(130)] and truncated is None
    assert [parse_qs(urlsplit(sent["url"]).query) for sent in session.sent] == [{"offset": ["0"], "limit": ["128"]},
                                                                                {"offset": ["128"], "limit": ["128"]}]
    assert all(sent["method"] == "GET" and sent["url"].startswith(USERS + "?") for sent in session.sent)


def test_find_matches_the_exact_name(http):
    api, _session = accounts(http, http.answer(200, {"users": [dict(ITEM, name="App"), ITEM], "total": 2}))
    assert api.find("i1", "app")["name"] == "app"


def test_find_fails_when_the_list_was_cut_short_before_the_name(http):
    api, _session = accounts(http, http.answer(200, {"users": [ITEM], "total": 3}), http.answer(200, {"users": [], "total": 3}))
    with pytest.raises(HuaweiCloudError, match="The account list was cut short .* so whether account other exists is unknown"):
        api.find("i1", "other")


@pytest.mark.parametrize("body,problem", [
    ({"users": {"name": "app"}}, "users is an object, expected an array"),
    ({"users": [dict(ITEM, name=None)]}, "users[0].name is null, expected a non-empty string"),
    ({"users": [dict(ITEM, base_authority="SELECT")]}, "users[0].base_authority is a string, expected an array"),
    ({"users": [dict(ITEM, databases=[{"name": 5}])]}, "users[0].databases[0].name is a number, expected a non-empty string"),
    ({"users": [dict(ITEM, password_lifetime="90")]}, "users[0].password_lifetime is a string, expected a count"),
    ({"users": [ITEM], "total": "1"}, "total is a string, expected a count"),
])
def test_a_malformed_list_fails_naming_the_field(http, body, problem):
    api, _session = accounts(http, http.answer(200, body))
    with pytest.raises(UnexpectedAnswer) as info:
        api.listing("i1")
    assert problem in str(info.value)


def test_the_weak_password_check_is_a_post_of_the_password(http):
    api, session = accounts(http, http.answer(200, {"is_weak_password": True}), http.answer(200, {"is_weak_password": "no"}))
    assert api.is_weak("Admin@123") is True
    assert session.sent[0]["url"] == ENDPOINT + "/v3/pid/weak-password-verification" and json.loads(session.sent[0]["data"]) == {
        "password": "Admin@123"}
    with pytest.raises(UnexpectedAnswer, match="is_weak_password is a string, expected a boolean"):
        api.is_weak("Admin@123")


# ---------------------------------------------------------------------- writes

def test_a_creation_whose_answer_is_lost_is_not_sent_again(http):
    api, session = accounts(http, http.answer(502, text="<html>Bad Gateway</html>"))
    with pytest.raises(OutcomeUnknown):
        api.create("i1", {"name": "app"})
    assert len(session.sent) == 1


@pytest.mark.parametrize("status,code", [(409, "DBS.200019"), (403, "DBS.212033")])
def test_a_busy_instance_is_a_resource_busy(http, status, code):
    api, _session = accounts(http, ddm_error(http, status, code, "Another operation is being performed."))
    with pytest.raises(ResourceBusy, match=code):
        api.update("i1", "app", {"description": "x"})


def test_writes_go_to_the_account_with_flat_bodies(http):
    api, session = accounts(http, http.answer(200, {}), http.answer(200, {}), http.answer(200, text=""))
    api.update("i1", "app", {"base_authority": ["SELECT"]})
    api.reset_password("i1", "app", "Str0ng-Pass")
    assert api.delete("i1", "app") is True
    assert [(sent["method"], sent["url"]) for sent in session.sent] == [("PUT", USERS + "/app"), ("POST", USERS + "/app/password"),
                                                                        ("DELETE", USERS + "/app")]
    assert [json.loads(sent["data"]) if sent["data"] else None for sent in session.sent] == [
        {"base_authority": ["SELECT"]}, {"password": "Str0ng-Pass"}, None]


def test_deleting_an_account_that_is_gone_says_so(http):
    api, _session = accounts(http, ddm_error(http, 400, "DBS.300327", "The account does not exist."), ddm_error(http, 400, "DBS.280001"))
    assert api.delete("i1", "app") is False
    with pytest.raises(APIError):
        api.delete("i1", "app")
