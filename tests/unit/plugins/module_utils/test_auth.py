# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which credentials are used, and clear errors for incomplete ones."""

from __future__ import annotations

import re

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.auth import AkSkAuth, PasswordAuth, TokenAuth, select_auth
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.jobs import DdmJobs
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import ConfigurationError, IdentityError
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.temporary_credentials import AgencySource, RenewingAkSkAuth

TOKEN = dict(auth_token="tok")
AKSK = dict(access_key="AK", secret_key="SK")
PASSWORD = dict(user_name="u", password="p", domain_name="d")


@pytest.mark.parametrize("params,kind", [
    (dict(TOKEN, **AKSK, **PASSWORD), "token"),
    (dict(AKSK, **PASSWORD), "aksk"),
    (PASSWORD, "password"),
    (dict(TOKEN, access_key="AK-without-SK"), "token"),
    (dict(AKSK, user_name="u-without-password"), "aksk"),
])
def test_precedence_token_then_aksk_then_password(params, kind):
    assert select_auth(params).kind == kind


@pytest.mark.parametrize("params,message", [
    (dict(access_key="AK"), "AK/SK authentication is incomplete: missing secret_key"),
    (dict(secret_key="SK"), "AK/SK authentication is incomplete: missing access_key"),
    (dict(security_token="st"), "security_token is only used with access_key and secret_key, which are missing"),
    (dict(user_name="u"), "Password authentication is incomplete: missing password, domain_name"),
    (dict(user_name="u", password="p"), "Password authentication is incomplete: missing domain_name"),
    (dict(password="p", domain_name="d"), "Password authentication is incomplete: missing user_name"),
])
def test_partial_credentials_are_named(params, message):
    with pytest.raises(ConfigurationError) as info:
        select_auth(params)
    assert str(info.value) == message


def test_no_credentials_names_the_three_ways():
    with pytest.raises(ConfigurationError) as info:
        select_auth({})
    text = str(info.value)
    for name in ("auth_token", "HW_AUTH_TOKEN", "access_key", "HW_SECRET_KEY", "user_name", "HW_USER_PASSWORD", "domain_name"):
        assert name in text


def test_errors_never_echo_secret_values():
    with pytest.raises(ConfigurationError) as info:
        select_auth(dict(secret_key="VERY-SECRET", security_token="ALSO-SECRET"))
    assert "VERY-SECRET" not in str(info.value) and "ALSO-SECRET" not in str(info.value)


def test_token_auth_sets_header_and_needs_a_project_name_to_discover():
    auth = TokenAuth("tok")
    assert auth.authorize(None, "GET", "https://h/p", {"A": "1"}, b"", "pid") == {"A": "1", "X-Auth-Token": "tok"}
    with pytest.raises(ConfigurationError, match=r"Cannot find the project: set project_id \(HW_PROJECT_ID\), project_name"):
        auth.discover_project(None, None)


def test_aksk_auth_signs_with_project_and_security_token():
    headers = AkSkAuth("AK", "SK", "sec-token").authorize(None, "GET", "https://h/v3/pid/jobs/x", {"Content-Type": "application/json"}, b"", "pid")
    assert headers["X-Project-Id"] == "pid"
    assert headers["X-Security-Token"] == "sec-token"
    assert headers["Authorization"].startswith("SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token, ")


def test_password_scope_prefers_project_id():
    assert PasswordAuth("u", "p", "d", "pid", "cn-north-4")._scope() == {"project": {"id": "pid"}}  # pylint: disable=protected-access
    assert PasswordAuth("u", "p", "d", None, "cn-north-4")._scope() == {  # pylint: disable=protected-access
        "project": {"name": "cn-north-4", "domain": {"name": "d"}}}
    with pytest.raises(ConfigurationError, match="needs project_id"):
        PasswordAuth("u", "p", "d", None, None)._scope()  # pylint: disable=protected-access


def test_token_finds_its_project_among_those_it_may_use(http):
    projects = http.answer(200, {"projects": [{"id": "p-region", "name": "cn-north-4"}, {"id": "p-team", "name": "cn-north-4_team"}]})
    session = http.Session(projects)
    client, _sleeps = http.client(session, auth=TokenAuth("tok"), project_id=None, project_name="cn-north-4_team")
    assert client.project_id == "p-team"
    assert session.sent[0]["url"] == "https://iam.example.invalid/v3/auth/projects"
    assert session.sent[0]["headers"]["X-Auth-Token"] == "tok"


def test_password_with_a_domain_id_and_a_sub_project():
    auth = select_auth(dict(user_name="u", password="p", domain_id="d1", project_name="cn-north-4_team", region="cn-north-4"))
    assert auth._scope() == {"project": {"name": "cn-north-4_team", "domain": {"id": "d1"}}}  # pylint: disable=protected-access


def test_an_iam_404_while_authorizing_is_not_a_missing_job(http):
    no_agency = http.answer(404, {"error": {"code": 404, "message": "The agency does not exist.", "title": "Not Found"}})
    auth = RenewingAkSkAuth(AgencySource(TokenAuth("tok"), "nobody", "acct", 3600))
    client, _sleeps = http.client(http.Session(no_agency), auth=auth)
    with pytest.raises(IdentityError, match="IAM did not give temporary credentials for agency 'nobody' of account 'acct': HTTP 404"):
        DdmJobs(client, "https://ddm.example.invalid").get("ff8080817b7e5a8a017b7e6d2c1f0001")


@pytest.mark.parametrize("answer, problem", [
    ({"projects": "cn-north-4"}, "projects is a string, expected an array"),
    ({"projects": {"id": "p"}}, "projects is an object, expected an array"),
    ({"projects": 5}, "projects is a number, expected an array"),
    ({"projects": [7]}, "projects[0] is a number, expected an object"),
    ({"projects": [{"id": "p", "name": ["cn-north-4"]}]}, "projects[0].name is an array, expected a string"),
    ({"projects": [{"id": "p0", "name": "other"}, {"id": 12, "name": "cn-north-4"}]}, "projects[1].id is a number, expected a string"),
    ({"projects": [{"id": "../../../evil", "name": "cn-north-4"}]}, "projects[0].id is '../../../evil', expected a plain id"),
    ({"projects": [{"id": "p1?x=1#", "name": "cn-north-4"}]}, "projects[0].id is 'p1?x=1#', expected a plain id"),
])
@pytest.mark.parametrize("auth", [TokenAuth("tok"), AkSkAuth("AK", "SK")], ids=["token", "aksk"])
def test_iam_project_lists_are_checked_like_ddm_answers(http, auth, answer, problem):
    session = http.Session(http.answer(200, answer, headers={"X-IAM-Trace-Id": "trace-1"}))
    client, _sleeps = http.client(session, auth=auth, project_id=None)
    with pytest.raises(IdentityError) as info:
        DdmJobs(client, "https://ddm.example.invalid").get("j1")
    assert str(info.value).startswith("unexpected answer from IAM: " + problem), str(info.value)
    assert str(info.value).endswith("(request id trace-1)")
    assert len(session.sent) == 1  # nothing went to DDM


@pytest.mark.parametrize("project, problem", [
    ({"id": "../../../evil"}, "token.project.id is '../../../evil', expected a plain id"),
    ({"id": 12}, "token.project.id is a number, expected a plain id"),
])
def test_the_project_of_a_login_token_is_checked(http, project, problem):
    login = http.answer(201, {"token": {"project": project}}, headers={"X-Subject-Token": "MIIEMUlogin"})
    kept = []
    client, _sleeps = http.client(http.Session(login), auth=PasswordAuth("u", "p", "d", None, "cn-north-4"), project_id=None, on_secret=kept.append)
    with pytest.raises(IdentityError, match=r"^unexpected answer from IAM: %s" % re.escape(problem)):
        str(client.project_id)
    assert kept == ["MIIEMUlogin"]  # told before anything can fail: an error may quote it


def test_a_login_token_is_a_secret_of_the_run(http):
    login = http.answer(201, {"token": {"project": {"id": "p-1"}}}, headers={"X-Subject-Token": "MIIEMUlogin"})
    kept = []
    client, _sleeps = http.client(http.Session(login, http.answer(200, {"ok": 1})), auth=PasswordAuth("u", "p", "d", None, "cn-north-4"),
                                  project_id=None, on_secret=kept.append)
    assert client.project_id == "p-1" and client.get_json("https://ddm.example.invalid/x") == {"ok": 1}
    assert kept == ["MIIEMUlogin"]
