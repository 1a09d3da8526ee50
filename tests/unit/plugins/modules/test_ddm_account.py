# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ddm_account and ddm_account_info through main(), on a patched AnsibleModule and scripted HTTP answers of a small fake
DDM (one instance, its accounts and schemas): what is sent, in what order, and what the results hold."""

from __future__ import annotations

import contextlib
import io
import json
import re
from urllib.parse import urlsplit

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from ansible.module_utils import basic

from ansible_collections.huaweicloud.cloud.plugins.module_utils._ansible.progress import PROGRESS_FILE_ENV
from ansible_collections.huaweicloud.cloud.plugins.modules import ddm_account, ddm_account_info

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19
    @contextlib.contextmanager
    def patch_module_args(args):
        previous = basic._ANSIBLE_ARGS  # pylint: disable=protected-access
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode()  # pylint: disable=protected-access
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = previous  # pylint: disable=protected-access

PROJECT = "0123456789abcdef0123456789abcdef"
INSTANCE_ID = "0123456789abcdef0123456789abcdefin09"
CONNECTION = dict(auth_token="tok", endpoint="https://ddm.example.invalid", project_id=PROJECT, max_retries=0)
PASSWORD = "Str0ng-Account-Pw"
NEW_PASSWORD = "N3w-Account-Pw"
AUTHORITIES = ("CREATE", "DROP", "ALTER", "INDEX", "INSERT", "DELETE", "UPDATE", "SELECT")
BUSY = (409, {"error_code": "DBS.200019", "error_msg": "Another operation is being performed."})
WRITES = ("POST", "PUT", "DELETE")


def answer(status, body=None, text=None):
    response = requests.Response()
    response.status_code = status
    response.headers = CaseInsensitiveDict({})
    response.raw = io.BytesIO((text if text is not None else json.dumps(body if body is not None else {})).encode())
    return response


class FakeDdm:
    """One instance with accounts and schemas, behind the DDM paths the modules call.

    ``statuses`` answers the instance's reads in turn (the last repeats); ``faults`` maps (method, path suffix) to answers
    given before the call is handled: ``BUSY`` (refused), ``"lost"`` (applied, then a 502), ``"garbled"`` (applied, then an
    unreadable 200), or any (status, body).
    """

    def __init__(self, accounts=(), schemas=None, statuses=("RUNNING",), weak=("Admin@123",), faults=None):
        self.accounts = {item["name"]: dict(item) for item in accounts}
        self.schemas = {"orders": "RUNNING"} if schemas is None else dict(schemas)
        self.statuses = list(statuses)
        self.weak = set(weak)
        self.faults = {key: list(value) for key, value in (faults or {}).items()}
        self.sent = []

    def writes(self):
        """(method, path suffix after the instance, body) of every write but the weak-password check."""
        return [(method, path, body) for method, path, body in self.sent if method in WRITES and "weak-password" not in path]

    def request(self, method, url, data=None, **_options):
        path = urlsplit(url).path
        body = json.loads(data) if data else None
        self.sent.append((method, path.split(INSTANCE_ID, 1)[-1], body))
        for (fault_method, suffix), script in self.faults.items():
            if fault_method == method and path.endswith(suffix) and script:
                fault = script.pop(0)
                if fault in ("lost", "garbled"):
                    self.handle(method, path, body)
                    return answer(502, text="<html>Bad Gateway</html>") if fault == "lost" else answer(200, text="<html>OK</html>")
                return answer(*fault)
        return answer(*self.handle(method, path, body))

    def handle(self, method, path, body):
        instance = "/v1/%s/instances/%s" % (PROJECT, INSTANCE_ID)
        users = "/v3/%s/instances/%s/users" % (PROJECT, INSTANCE_ID)
        if method == "GET" and path == instance:
            status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
            return 200, {"id": INSTANCE_ID, "name": "orders-ddm", "status": status}
        if method == "GET" and path == "/v1/%s/instances" % PROJECT:
            return 200, {"instances": [{"id": INSTANCE_ID, "name": "orders-ddm", "status": "RUNNING"}], "total_record": 1}
        if method == "GET" and path == "/v1/%s/instances/%s/databases" % (PROJECT, INSTANCE_ID):
            return 200, {"databases": [{"name": name, "status": status} for name, status in self.schemas.items()], "total": len(self.schemas)}
        if method == "POST" and path.endswith("/weak-password-verification"):
            return 200, {"is_weak_password": body["password"] in self.weak}
        if method == "GET" and path == users:
            return 200, {"users": [self.item(account) for account in self.accounts.values()], "offset": 0, "limit": 128,
                         "total": len(self.accounts)}
        if method == "POST" and path == users:
            if body["name"] in self.accounts:
                return 400, {"error_code": "DBS.300311", "error_msg": "The account already exists."}
            self.accounts[body["name"]] = dict(body, databases=[item["name"] for item in body.get("databases", [])], changes=0)
            return 200, {}
        match = re.fullmatch(re.escape(users) + r"/([^/]+)(/password)?", path)
        account = self.accounts.get(match.group(1)) if match else None
        if account is None:
            return 400, {"error_code": "DBS.300327", "error_msg": "The account does not exist."}
        if method == "DELETE":
            del self.accounts[match.group(1)]
        elif match.group(2):
            account.update(password=body["password"], changes=account["changes"] + 1)
        else:
            account.update({key: [item["name"] for item in value] if key == "databases" else value for key, value in body.items()})
        return 200, {}

    @staticmethod
    def item(account):
        return {"name": account["name"], "status": "RUNNING", "base_authority": list(account["base_authority"]),
                "password_lifetime": account.get("password_lifetime", 0), "description": account.get("description", ""),
                "password_last_changed": "2026-12-07T10:00:00+0000", "created": "2026-12-07T10:00:00+0000",
                "databases": [{"name": name} for name in account.get("databases", [])], "expiration_time": ""}


def existing(name="orders_app", privileges=("SELECT", "INSERT"), databases=("orders",), **fields):
    return dict(name=name, password=PASSWORD, base_authority=list(privileges), databases=list(databases), changes=0, **fields)


class ModuleExit(Exception):
    def __init__(self, failed, result):
        super().__init__(result)
        self.failed = failed
        self.result = result


class Clock:
    """The modules' clock and sleep: a pause moves the clock on at once."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def run(monkeypatch, tmp_path):
    """``run(fake, options, module=ddm_account, check=False, diff=False)``: the ModuleExit, with the warnings as ``warnings``."""
    def exit_json(self, **result):  # pylint: disable=unused-argument
        raise ModuleExit(False, result)

    def fail_json(self, **result):  # pylint: disable=unused-argument
        raise ModuleExit(True, result)

    def run_module(fake, options, module=ddm_account, check=False, diff=False):
        warnings, clock = [], Clock()
        monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
        monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
        monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, text: warnings.append(text))
        monkeypatch.setattr(requests.Session, "request", lambda self, method, url, **kwargs: fake.request(method, url, **kwargs))
        for cls in (ddm_account.DdmAccount, ddm_account_info.DdmAccountInfo):
            monkeypatch.setattr(cls, "clock", staticmethod(clock))
            monkeypatch.setattr(cls, "sleep", staticmethod(clock.sleep))
        monkeypatch.setenv(PROGRESS_FILE_ENV, str(tmp_path / "progress"))
        args = dict(CONNECTION, **options)
        if check:
            args["_ansible_check_mode"] = True
        if diff:
            args["_ansible_diff"] = True
        with patch_module_args(args):
            with pytest.raises(ModuleExit) as info:
                module.main()
        info.value.warnings = warnings
        info.value.progress = (tmp_path / "progress").read_text() if (tmp_path / "progress").exists() else ""
        return info.value
    return run_module


def account_options(**options):
    return dict(dict(instance_id=INSTANCE_ID, name="orders_app", account_password=PASSWORD, privileges=["select", "Insert"],
                     schemas=["orders"], wait_interval=1), **options)


def no_password_in(outcome, *passwords):
    text = json.dumps(outcome.result) + " ".join(outcome.warnings) + outcome.progress
    return all(password not in text for password in passwords or (PASSWORD, NEW_PASSWORD))


# ---------------------------------------------------------------------- 1. idempotent, one update

def test_creates_once_and_a_second_run_sends_nothing(run):
    fake = FakeDdm()
    created = run(fake, account_options(description="The orders service"), diff=True)
    assert not created.failed and created.result["changed"] is True and created.result["actions"] == ["create"]
    assert fake.writes() == [("POST", "/users", {"name": "orders_app", "password": PASSWORD, "base_authority": ["INSERT", "SELECT"],
                                                 "description": "The orders service", "databases": [{"name": "orders"}]})]
    assert created.result["account"] == {"name": "orders_app", "status": "RUNNING", "privileges": ["INSERT", "SELECT"], "schemas": ["orders"],
                                         "description": "The orders service", "password_lifetime": 0,
                                         "password_last_changed": "2026-12-07T10:00:00+0000", "created": "2026-12-07T10:00:00+0000"}
    assert created.result["diff"] == {"before": {}, "after": {"name": "orders_app", "privileges": ["INSERT", "SELECT"], "schemas": ["orders"],
                                                              "description": "The orders service"}}
    fake.sent.clear()
    again = run(fake, account_options(privileges=["SELECT", "insert", "select"], description="The orders service"))
    assert not again.failed and again.result["changed"] is False and again.result["actions"] == []
    assert [(method, path) for method, path, _body in fake.sent if method != "GET"] == []  # no write, no weak-password check either


def test_only_what_differs_is_sent_in_one_update(run):
    fake = FakeDdm(accounts=[existing(description="old")], schemas={"orders": "RUNNING", "billing": "RUNNING"})
    outcome = run(fake, account_options(privileges=["SELECT"], schemas=["billing", "orders"], description="old", password_lifetime=0),
                  diff=True)
    assert not outcome.failed and outcome.result["changed"] is True and outcome.result["actions"] == ["update"]
    assert fake.writes() == [("PUT", "/users/orders_app", {"base_authority": ["SELECT"], "databases": [{"name": "billing"}, {"name": "orders"}]})]
    assert outcome.result["account"]["privileges"] == ["SELECT"] and set(outcome.result["account"]["schemas"]) == {"billing", "orders"}
    assert outcome.result["diff"] == {"before": {"name": "orders_app", "privileges": ["INSERT", "SELECT"], "schemas": ["orders"]},
                                      "after": {"name": "orders_app", "privileges": ["SELECT"], "schemas": ["billing", "orders"]}}


def test_left_out_settings_are_kept(run):
    fake = FakeDdm(accounts=[existing()])
    outcome = run(fake, dict(instance_id=INSTANCE_ID, name="orders_app", description="new"))
    assert fake.writes() == [("PUT", "/users/orders_app", {"description": "new"})] and outcome.result["actions"] == ["update"]


# ---------------------------------------------------------------------- 2. checked before writing

@pytest.mark.parametrize("options,message", [
    (dict(name="1app"), "name must have 1 to 32 characters, a letter first, then letters, digits and '_', got '1app'"),
    (dict(name="app/../x"), "name must have 1 to 32 characters"),
    (dict(account_password="short1A"), "account_password must have 8 to 32 characters"),
    (dict(account_password="Has space 1A"), "account_password must have 8 to 32 characters"),
    (dict(name="Orders_App1", account_password="1ppA_sredrO"), "account_password must not be the account's name or the name reversed"),
    (dict(privileges=["select", "grant"]), "privileges may hold only CREATE, DROP, ALTER, INDEX, INSERT, DELETE, UPDATE, SELECT (any case), "
                                           "got 'grant'"),
    (dict(privileges=[]), "privileges must name at least one of"),
    (dict(schemas=["orders", ""]), "schemas must hold schema names, got an empty one"),
    (dict(description="x" * 257), "description may have at most 256 characters, got 257"),
    (dict(password_lifetime=65536), "password_lifetime must be 0 to 65535 days, got 65536"),
    (dict(instance_id="../x"), "instance_id must be a plain id"),
    (dict(instance_name="orders-ddm"), "parameters are mutually exclusive: instance_id|instance_name"),
])
def test_bad_options_fail_naming_the_option_before_any_request(run, options, message):
    fake = FakeDdm()
    outcome = run(fake, account_options(**options))
    assert outcome.failed and message in outcome.result["msg"], outcome.result
    assert fake.sent == [] and no_password_in(outcome, "1ppA_sredrO", "short1A")


def test_a_weak_password_fails_after_the_api_check_and_nothing_is_written(run):
    fake = FakeDdm()
    outcome = run(fake, account_options(account_password="Admin@123"))
    assert outcome.failed and outcome.result["msg"] == ("account_password is a weak password: DDM's weak-password check refuses it (the value "
                                                        "is not shown); nothing was sent")
    assert [path for method, path, _body in fake.sent if method == "POST"] == ["/v3/%s/weak-password-verification" % PROJECT]
    assert fake.writes() == [] and fake.accounts == {}


def test_a_weak_password_is_checked_before_a_reset_too(run):
    fake = FakeDdm(accounts=[existing()])
    outcome = run(fake, account_options(account_password="Admin@123", update_password="always"))
    assert outcome.failed and "weak password" in outcome.result["msg"] and fake.writes() == []


@pytest.mark.parametrize("schemas,message", [
    ({"billing": "RUNNING"}, "schemas: orders does not exist on DDM instance orders-ddm (%s) (it has: billing); nothing was sent" % INSTANCE_ID),
    ({"orders": "CREATING"}, "schemas: orders is CREATING, not RUNNING: an account can only be given running schemas; nothing was sent"),
])
def test_each_schema_must_exist_and_run_before_anything_is_written(run, schemas, message):
    fake = FakeDdm(schemas=schemas)
    outcome = run(fake, account_options())
    assert outcome.failed and outcome.result["msg"] == message and fake.writes() == []


def test_the_101st_account_fails_with_a_clear_message_before_writing(run):
    fake = FakeDdm(accounts=[existing(name="user%03d" % index) for index in range(100)])
    outcome = run(fake, account_options())
    assert outcome.failed and outcome.result["msg"] == (
        "DDM instance orders-ddm (%s) already has 100 accounts, the most a DDM instance may have: delete one before creating orders_app. "
        "Nothing was sent" % INSTANCE_ID)
    assert fake.writes() == []


def test_a_quota_refusal_from_the_api_is_explained(run):
    fake = FakeDdm(faults={("POST", "/users"): [(400, {"error_code": "DBS.300300", "error_msg": "Failed to create a DDM account."})]})
    outcome = run(fake, account_options())
    assert outcome.failed and "refused to create account orders_app: it has as many accounts as it may have (it had 0)" in outcome.result["msg"]


def test_a_password_the_api_refuses_is_explained_without_showing_it(run):
    refused = (400, {"error_code": "DBS.300306", "error_msg": "The account password is invalid."})
    fake = FakeDdm(faults={("POST", "/users"): [refused]})
    outcome = run(fake, account_options(account_password="slash/pass1"))
    assert outcome.failed and outcome.result["msg"].startswith("DDM instance orders-ddm (%s) refused account_password for account orders_app: it "
                                                               "breaks DDM's password rules or is a weak password (HTTP 400 DBS.300306" % INSTANCE_ID)
    assert fake.accounts == {} and no_password_in(outcome, "slash/pass1")


def test_creating_needs_a_password_and_privileges(run):
    fake = FakeDdm()
    outcome = run(fake, dict(instance_id=INSTANCE_ID, name="orders_app", schemas=["orders"]))
    assert outcome.failed and outcome.result["msg"] == ("DDM account orders_app does not exist on DDM instance orders-ddm (%s); creating it "
                                                        "needs account_password and privileges" % INSTANCE_ID)
    assert fake.writes() == []


# ---------------------------------------------------------------------- 3. passwords

def test_an_existing_password_is_not_reset_on_create_only(run):
    fake = FakeDdm(accounts=[existing()])
    outcome = run(fake, account_options(account_password=NEW_PASSWORD))
    assert outcome.result["changed"] is False and fake.writes() == [] and fake.accounts["orders_app"]["password"] == PASSWORD


def test_update_password_always_resets_it_on_every_run_and_shows_it_nowhere(run):
    fake = FakeDdm(accounts=[existing()])
    for _run in range(2):
        outcome = run(fake, account_options(account_password=NEW_PASSWORD, update_password="always"), diff=True)
        assert not outcome.failed and outcome.result["changed"] is True and outcome.result["actions"] == ["reset password"]
        assert "diff" not in outcome.result and no_password_in(outcome)
    assert fake.writes() == [("POST", "/users/orders_app/password", {"password": NEW_PASSWORD})] * 2
    assert fake.accounts["orders_app"]["changes"] == 2


def test_an_update_and_a_reset_go_in_that_order(run):
    fake = FakeDdm(accounts=[existing()])
    outcome = run(fake, account_options(account_password=NEW_PASSWORD, update_password="always", privileges=["SELECT"]))
    assert outcome.result["actions"] == ["update", "reset password"]
    assert [(method, path) for method, path, _body in fake.writes()] == [("PUT", "/users/orders_app"), ("POST", "/users/orders_app/password")]


# ---------------------------------------------------------------------- 4. a creation is never sent twice

def test_a_lost_answer_is_read_back_and_the_account_adopted(run):
    fake = FakeDdm(faults={("POST", "/users"): ["lost"]})
    outcome = run(fake, account_options())
    assert not outcome.failed and outcome.result["changed"] is True and outcome.result["account"]["name"] == "orders_app"
    assert [(method, path) for method, path, _body in fake.writes()] == [("POST", "/users")]
    assert any("was unclear" in warning and "adopted" in warning for warning in outcome.warnings)
    assert no_password_in(outcome)


def test_a_lost_answer_with_the_account_absent_is_sent_once_more(run):
    fake = FakeDdm(faults={("POST", "/users"): [(502, {})]})
    outcome = run(fake, account_options())
    assert not outcome.failed and outcome.result["account"]["name"] == "orders_app"
    assert [(method, path) for method, path, _body in fake.writes()] == [("POST", "/users"), ("POST", "/users")]
    # Between the two, the list was read: it showed the account absent.
    methods = [(method, path) for method, path, _body in fake.sent if path.endswith("/users")]
    assert methods[-4:] == [("POST", "/users"), ("GET", "/users"), ("POST", "/users"), ("GET", "/users")]


def test_an_unreadable_2xx_on_an_update_is_read_back_in_the_list_and_never_resent(run):
    fake = FakeDdm(accounts=[existing()], faults={("PUT", "/users/orders_app"): ["garbled"]})
    outcome = run(fake, account_options(privileges=["SELECT"]))
    assert not outcome.failed and outcome.result["changed"] is True and outcome.result["actions"] == ["update"]
    assert [(method, path) for method, path, _body in fake.writes()] == [("PUT", "/users/orders_app")]
    assert outcome.result["account"]["privileges"] == ["SELECT"]


def test_an_unreadable_2xx_on_a_password_reset_cannot_be_read_back_and_says_so(run):
    fake = FakeDdm(accounts=[existing()], faults={("POST", "/users/orders_app/password"): ["garbled"]})
    outcome = run(fake, account_options(account_password=NEW_PASSWORD, update_password="always"))
    assert outcome.failed and "The request to reset the password of DDM account orders_app got no clear answer" in outcome.result["msg"]
    assert "it may or may not have been applied" in outcome.result["msg"] and outcome.result["changed"] is True
    assert outcome.result["actions"] == ["reset password"] and len(fake.writes()) == 1 and no_password_in(outcome)


# ---------------------------------------------------------------------- 5. a busy instance

def test_a_busy_refusal_is_waited_out_and_the_write_sent_again(run):
    fake = FakeDdm(statuses=["RUNNING", "BACKUP", "RUNNING"], faults={("POST", "/users"): [BUSY]})
    outcome = run(fake, account_options())
    assert not outcome.failed and outcome.result["changed"] is True, outcome.result
    assert [(method, path) for method, path, _body in fake.writes()] == [("POST", "/users"), ("POST", "/users")]
    assert "status BACKUP, waiting for RUNNING" in outcome.progress and no_password_in(outcome)


def test_an_instance_under_an_operation_is_waited_for_before_the_write(run):
    fake = FakeDdm(statuses=["BACKUP", "BACKUP", "RUNNING"])
    outcome = run(fake, account_options())
    assert not outcome.failed and [method for method, _path, _body in fake.writes()] == ["POST"]
    assert "DDM instance orders-ddm (%s), account orders_app: create: status BACKUP, waiting for RUNNING" % INSTANCE_ID in outcome.progress


def test_without_wait_a_busy_refusal_fails_naming_the_status(run):
    fake = FakeDdm(statuses=["RUNNING", "BACKUP"], faults={("PUT", "/users/orders_app"): [BUSY]}, accounts=[existing()])
    outcome = run(fake, account_options(privileges=["SELECT"], wait=False))
    assert outcome.failed and "is busy (HTTP 409 DBS.200019: Another operation is being performed., status BACKUP); set wait: true" \
        in outcome.result["msg"]
    assert outcome.result["instance"] == {"id": INSTANCE_ID, "name": "orders-ddm", "status": "BACKUP"}
    assert outcome.result["account"]["name"] == "orders_app" and len(fake.writes()) == 1


def test_without_wait_an_instance_under_an_operation_fails_naming_it_and_sends_nothing(run):
    fake = FakeDdm(statuses=["RESTARTING"])
    outcome = run(fake, account_options(wait=False))
    assert outcome.failed and "is RESTARTING: another operation is under way; set wait: true" in outcome.result["msg"]
    assert fake.writes() == []


def test_a_failed_instance_is_not_written_to(run):
    fake = FakeDdm(statuses=["ERROR"])
    outcome = run(fake, account_options())
    assert outcome.failed and outcome.result["msg"].endswith("is ERROR: its accounts cannot be changed") and fake.writes() == []


# ---------------------------------------------------------------------- 6. absent, check mode

def test_absent_deletes_only_that_account_and_an_absent_one_is_ok(run):
    fake = FakeDdm(accounts=[existing(), existing(name="other")])
    outcome = run(fake, dict(instance_name="orders-ddm", name="orders_app", state="absent"), diff=True)
    assert outcome.result["changed"] is True and outcome.result["actions"] == ["delete"] and "account" not in outcome.result
    assert outcome.result["diff"]["after"] == {} and outcome.result["diff"]["before"]["name"] == "orders_app"
    assert fake.writes() == [("DELETE", "/users/orders_app", None)] and list(fake.accounts) == ["other"]
    again = run(fake, dict(instance_name="orders-ddm", name="orders_app", state="absent"))
    assert again.result["changed"] is False and len(fake.writes()) == 1


@pytest.mark.parametrize("options,actions", [
    (account_options(), ["create"]),
    (account_options(name="known", privileges=["SELECT"], account_password=NEW_PASSWORD, update_password="always"), ["update", "reset password"]),
    (dict(instance_id=INSTANCE_ID, name="known", state="absent"), ["delete"]),
])
def test_check_mode_writes_nothing_and_says_what_it_would_do(run, options, actions):
    fake = FakeDdm(accounts=[existing(name="known")])
    outcome = run(fake, options, check=True, diff=True)
    assert not outcome.failed and outcome.result["changed"] is True and outcome.result["planned"] == actions and outcome.result["actions"] == []
    assert fake.writes() == [] and no_password_in(outcome)


# ---------------------------------------------------------------------- ddm_account_info

def test_info_lists_every_account_or_the_one_named(run):
    fake = FakeDdm(accounts=[existing(), existing(name="report", privileges=["select"], databases=())])
    everything = run(fake, dict(instance_name="orders-ddm"), module=ddm_account_info)
    assert [item["name"] for item in everything.result["accounts"]] == ["orders_app", "report"]
    assert everything.result["accounts"][1] == {"name": "report", "status": "RUNNING", "privileges": ["SELECT"], "schemas": [],
                                                "description": "", "password_lifetime": 0, "password_last_changed": "2026-12-07T10:00:00+0000",
                                                "created": "2026-12-07T10:00:00+0000"}
    one = run(fake, dict(instance_id=INSTANCE_ID, name="report"), module=ddm_account_info, check=True)
    assert [item["name"] for item in one.result["accounts"]] == ["report"] and one.result["changed"] is False
    none = run(fake, dict(instance_id=INSTANCE_ID, name="nobody"), module=ddm_account_info)
    assert none.result["accounts"] == [] and not none.failed
    assert fake.writes() == [] and no_password_in(everything)
