#!/usr/bin/python
# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ddm_account
short_description: Create, change and delete the accounts of a Huawei Cloud DDM instance
version_added: 2.0.0
description:
  - Makes an account (a DDM user, which applications connect with) present on a Huawei Cloud Distributed Database
    Middleware (DDM) instance with the given privileges and schemas, or absent.
  - Finds the instance by O(instance_id), or by its exact O(instance_name) over the whole instance list (two instances
    of that name fail the task, listing their ids). Finds the account by its O(name) in the instance's account list.
  - Sends only what differs, in one request; a second run with the same options sends nothing and reports no change.
  - Checks everything it can before it writes anything, and fails naming the option otherwise. It checks the name and
    password rules, the privilege names, the API's weak-password check (before a creation or a password reset), that each schema of
    O(schemas) exists on the instance and is running, and the instance's quota of 100 accounts.
  - Account calls take effect at once (they start no task). A request refused because another operation is under way
    on the instance (HTTP 409 C(DBS.200019)) is sent again once the instance is V(RUNNING), when O(wait) allows it.
  - A request to create an account is never sent twice blindly. When its answer is lost (no answer, a reset connection,
    HTTP 502, 503 or 504) or cannot be read, the module reads the account list. It adopts the account when it is there, and sends the creation
    again only when the list shows the account absent.
  - The password is never part of a result, a diff, a message or a progress line.
author:
  - huaweicloud.cloud contributors (@huaweicloud)
options:
  name:
    description:
      - The account's name, 1 to 32 characters, a letter first, then letters, digits and V(_). Unique on the instance.
    type: str
    required: true
  state:
    description:
      - V(present) creates the account if it does not exist, and changes what differs.
      - V(absent) deletes it (only this account). Deleting an account that does not exist changes nothing.
    type: str
    choices: [present, absent]
    default: present
  account_password:
    description:
      - The account's password. Needed to create the account; set at creation, and reset as O(update_password) says.
      - 8 to 32 characters, at least three of lower-case letters, upper-case letters, digits and the special characters
        C(~!@#%^*-_+?) (nothing else; some regions also accept C(/)); not the account's name or the name reversed (any case);
        and not a password the API's weak-password check refuses.
      - Named so because O(password) is the IAM password that authenticates the module.
    type: str
  update_password:
    description:
      - V(on_create) sets O(account_password) only when creating the account.
      - V(always) also resets it on an existing account, on every run, which then always reports a change (a password
        cannot be read back, so the module cannot tell whether it differs).
    type: str
    choices: [always, on_create]
    default: on_create
  privileges:
    description:
      - The account's base privileges, any of V(CREATE), V(DROP), V(ALTER), V(INDEX), V(INSERT), V(DELETE), V(UPDATE) and
        V(SELECT), in any case (results show them in upper case). Compared as a set.
      - Needed to create the account; when left out, an existing account keeps its own.
    type: list
    elements: str
  schemas:
    description:
      - The names of the schemas (logical databases) the account may use, compared as a set. Each must exist on the instance
        and be running (see M(huaweicloud.cloud.ddm_schema)).
      - V([]) takes every schema away; when left out, an existing account keeps its own.
    type: list
    elements: str
  description:
    description:
      - The account's description, at most 256 characters. When left out, an existing account keeps its own.
    type: str
  password_lifetime:
    description:
      - Days the password stays valid, 0 to 65535; V(0) means it never expires. When left out, a new account's password
        never expires and an existing account keeps its setting.
    type: int
  wait:
    description:
      - Wait for an operation already under way on the instance (its status is not V(RUNNING), or it refuses the request as
        busy) to end, then send the request. Without O(wait), such an instance fails the task, naming its status.
      - Account requests themselves start no task, so there is nothing else to wait for.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds the whole run may take, every request and wait included. Must be positive.
    type: int
    default: 1800
extends_documentation_fragment:
  - huaweicloud.cloud.huaweicloud
  - huaweicloud.cloud.huaweicloud.ddm
  - huaweicloud.cloud.ddm_instance_lookup
  - huaweicloud.cloud.huaweicloud.resource_module
  - huaweicloud.cloud.huaweicloud.wait
notes:
  - With O(update_password=always) every run resets the password and reports C(changed), since the module cannot compare it.
seealso:
  - module: huaweicloud.cloud.ddm_account_info
  - module: huaweicloud.cloud.ddm_schema
  - module: huaweicloud.cloud.ddm_instance
"""

EXAMPLES = r"""
- name: An application account that reads and writes the orders schema
  huaweicloud.cloud.ddm_account:
    instance_name: orders-ddm
    name: orders_app
    account_password: "{{ orders_app_password }}"
    privileges: [select, insert, update, delete]
    schemas: [orders]
    description: The orders service
  register: account

- name: Show what it may do
  ansible.builtin.debug:
    msg: "{{ account.account.name }} has {{ account.account.privileges | join(', ') }} on {{ account.account.schemas | join(', ') }}"

- name: A read-only account whose password expires after 90 days
  huaweicloud.cloud.ddm_account:
    instance_name: orders-ddm
    name: orders_report
    account_password: "{{ orders_report_password }}"
    privileges: [SELECT]
    schemas: [orders]
    password_lifetime: 90

- name: Rotate the application's password (this task reports a change on every run)
  huaweicloud.cloud.ddm_account:
    instance_name: orders-ddm
    name: orders_app
    account_password: "{{ orders_app_new_password }}"
    update_password: always

- name: Delete the read-only account
  huaweicloud.cloud.ddm_account:
    instance_name: orders-ddm
    name: orders_report
    state: absent
"""

RETURN = r"""
changed:
  description: Whether the account was (or, in check mode, would be) created, changed or deleted, or its password reset.
  returned: always
  type: bool
actions:
  description:
    - The writes the module sent (V(create), V(update), V(reset password), V(delete)), in order, that the API accepted or whose
      outcome was unclear (a write the API refused with a 4xx applied nothing and is not listed). Empty in check mode, which
      sends nothing (see RV(planned)).
  returned: always
  type: list
  elements: str
  sample: [update, reset password]
planned:
  description: In check mode, the writes the module would send, in order.
  returned: in check mode, when the account would change
  type: list
  elements: str
  sample: [update, reset password]
account:
  description:
    - The account as last read (never its password). Absent when there is no account (nothing found, or deleted).
  returned: when there is an account
  type: dict
  contains:
    name:
      description: The account's name.
      type: str
      returned: always
    status:
      description: Its status, such as V(RUNNING).
      type: str
      returned: always
    privileges:
      description: Its base privileges, upper case, in the API's order.
      type: list
      elements: str
      returned: always
      sample: [INSERT, DELETE, UPDATE, SELECT]
    schemas:
      description: The names of the schemas it may use.
      type: list
      elements: str
      returned: always
    description:
      description: Its description.
      type: str
      returned: always
    password_lifetime:
      description: Days its password stays valid; 0 means it never expires.
      type: int
      returned: always
    password_last_changed:
      description: When its password was last set.
      type: str
      returned: always
    created:
      description: When it was created.
      type: str
      returned: always
instance:
  description: The instance's id, name and status, when the task failed because of the instance (busy, or not usable).
  returned: on such a failure
  type: dict
"""

import functools

from ..module_utils._ddm.accounts import (EXISTS, MAX_DESCRIPTION, MAX_PASSWORD_LIFETIME, QUOTA, QUOTA_OR_SCHEMA, WEAK_OR_INVALID_PASSWORD,
                                          DdmAccounts, account_view, name_problem, password_problem, privileges)
from ..module_utils._ddm.instances import describe, is_failed
from ..module_utils._ddm.module import InstanceScopedModule
from ..module_utils._ddm.operations import Operation
from ..module_utils._ddm.schemas import DdmSchemas
from ..module_utils._ddm.writes import NOT_APPLIED, WriteSender
from ..module_utils._cloud.errors import APIError, ConfigurationError, HuaweiCloudError, OperationFailed, printable

# What --diff shows: the settings the module can read back (never the password).
DIFF_KEYS = ("name", "privileges", "schemas", "description", "password_lifetime")
# Each change of an existing account, in messages.
WHAT = {"update": "update DDM account %s", "reset password": "reset the password of DDM account %s"}


class DdmAccount(InstanceScopedModule):
    wait_timeout_bounds_run = True
    resource_key = "account"

    @classmethod
    def argument_spec(cls):
        spec = super().argument_spec()
        spec.update(
            name=dict(type="str", required=True), state=dict(type="str", choices=["present", "absent"], default="present"),
            account_password=dict(type="str", no_log=True),
            update_password=dict(type="str", no_log=False, choices=["always", "on_create"], default="on_create"),
            privileges=dict(type="list", elements="str"), schemas=dict(type="list", elements="str"), description=dict(type="str"),
            password_lifetime=dict(type="int", no_log=False),
        )
        return spec

    def check_options(self):
        params = self.params
        problem = name_problem(params["name"])
        if problem is None and params["account_password"] is not None:
            problem = password_problem(params["account_password"], params["name"])
        if problem:
            raise ConfigurationError(problem)
        self.privileges = None
        if params["privileges"] is not None:
            try:
                self.privileges = privileges(params["privileges"])
            except ValueError as exc:
                raise ConfigurationError(str(exc)) from None
        if params["schemas"] is not None and not all(params["schemas"]):
            raise ConfigurationError("schemas must hold schema names, got an empty one")
        if params["description"] is not None and len(params["description"]) > MAX_DESCRIPTION:
            raise ConfigurationError("description may have at most %d characters, got %d" % (MAX_DESCRIPTION, len(params["description"])))
        if params["password_lifetime"] is not None and not 0 <= params["password_lifetime"] <= MAX_PASSWORD_LIFETIME:
            raise ConfigurationError("password_lifetime must be 0 to %d days, got %d" % (MAX_PASSWORD_LIFETIME, params["password_lifetime"]))
        super().check_options()

    def view(self, resource):
        return account_view(resource)

    def failure(self, error):
        """A failure that carries a resource carries the instance (the operator's waits, a failed instance), never the account:
        the result shows it as ``instance`` and keeps ``account`` as last read."""
        if isinstance(error, OperationFailed) and error.resource is not None and "id" in error.resource:
            self.result["instance"] = {key: error.resource.get(key) for key in ("id", "name", "status")}
            error = OperationFailed(error.message)
        return super().failure(error)

    def run(self):
        params = self.params
        self.accounts = DdmAccounts(self.client, self.endpoint)
        self.sender = WriteSender(self, self.jobs)
        self.instance = self.find_instance()
        listed, truncated = self.accounts.listing(self.instance["id"])
        found = next((item for item in listed if item["name"] == params["name"]), None)
        if found is None and truncated:
            raise OperationFailed("The account list of %s was cut short (%s), so whether account %s exists is unknown; nothing was "
                                  "changed" % (printable(describe(self.instance)), truncated, params["name"]))
        if params["state"] == "absent":
            self.delete(found)
        elif found is None:
            self.create(len(listed))
        else:
            self.update(found)

    # ------------------------------------------------------------------ create

    def create(self, count: int):
        params = self.params
        missing = [option for option in ("account_password", "privileges") if params[option] is None]
        if missing:
            raise ConfigurationError("DDM account %s does not exist on %s; creating it needs %s" % (
                params["name"], printable(describe(self.instance)), " and ".join(missing)))
        if count >= QUOTA:
            raise OperationFailed("%s already has %d accounts, the most a DDM instance may have: delete one before creating %s. "
                                  "Nothing was sent" % (printable(describe(self.instance)), count, params["name"]))
        self.check_schemas(params["schemas"])
        self.check_not_weak()
        wanted = dict(name=params["name"], privileges=self.privileges, schemas=params["schemas"], description=params["description"],
                      password_lifetime=params["password_lifetime"])
        wanted = {key: value for key, value in wanted.items() if value is not None}
        if self.check_mode:
            self.plan_to("create", {}, wanted)
            return
        body = dict(name=params["name"], password=params["account_password"], base_authority=self.privileges)
        if params["description"] is not None:
            body["description"] = params["description"]
        if params["password_lifetime"] is not None:
            body["password_lifetime"] = params["password_lifetime"]
        if params["schemas"] is not None:
            body["databases"] = schema_list(params["schemas"])
        instance_id, name = self.instance["id"], params["name"]
        operation = self.operation("create")
        self.settle(operation)

        def create():
            try:
                self.accounts.create(instance_id, body)
            except APIError as exc:
                if exc.code != EXISTS or "create" not in self.result["actions"]:
                    raise
                # Sent again after an unclear outcome and refused as existing: the first attempt made it after all.
            return {}

        try:
            # Account calls are synchronous: a creation that was applied is listed at once, so one the list shows absent is sent once more.
            sent = self.sender.send("create", lambda: self.send(create, operation), what="create DDM account %s" % name, resend=True,
                                    look=lambda: self.accounts.find(instance_id, name) or NOT_APPLIED,
                                    check="the account list of %s" % printable(describe(self.instance)))
        except APIError as exc:
            raise self.refused(exc, count) from None
        self.changed_by({}, wanted)
        if sent.found is not None:
            self.module.warn("The outcome of the request to create DDM account %s was unclear (%s); the account was found in the list and "
                             "adopted" % (name, sent.cause))
        found = sent.found or self.accounts.find(instance_id, name)
        if found is None:
            raise OperationFailed("DDM accepted the creation of account %s, but its account list does not show it" % name)
        self.resource = found

    def refused(self, error: APIError, count: int):
        """A clear failure for the refusals the checks before writing cannot rule out (a quota other than 100, a race)."""
        where = printable(describe(self.instance))
        if error.code == QUOTA_OR_SCHEMA:
            return OperationFailed("%s refused to create account %s: it has as many accounts as it may have (it had %d), or a schema of "
                                   "schemas was deleted meanwhile (%s)" % (where, self.params["name"], count, error))
        if error.code == WEAK_OR_INVALID_PASSWORD:
            return OperationFailed("%s refused account_password for account %s: it breaks DDM's password rules or is a weak password (%s)"
                                   % (where, self.params["name"], error))
        return error

    # ------------------------------------------------------------------ update

    def update(self, found):
        params = self.params
        self.resource = found
        view = account_view(found)
        body, before, after = {}, {}, {}
        if self.privileges is not None and set(self.privileges) != set(view["privileges"]):
            body["base_authority"], before["privileges"], after["privileges"] = self.privileges, view["privileges"], self.privileges
        if params["schemas"] is not None and set(params["schemas"]) != set(view["schemas"]):
            body["databases"], before["schemas"], after["schemas"] = schema_list(params["schemas"]), view["schemas"], params["schemas"]
        if params["description"] is not None and params["description"] != (view["description"] or ""):
            body["description"], before["description"], after["description"] = params["description"], view["description"], params["description"]
        if params["password_lifetime"] is not None and params["password_lifetime"] != (view["password_lifetime"] or 0):
            body["password_lifetime"] = params["password_lifetime"]
            before["password_lifetime"], after["password_lifetime"] = view["password_lifetime"], params["password_lifetime"]
        reset = params["account_password"] is not None and params["update_password"] == "always"
        if "databases" in body:
            self.check_schemas(params["schemas"])
        if reset:
            self.check_not_weak()
        instance_id, name = self.instance["id"], view["name"]
        writes = []
        if body:
            writes.append(("update", lambda: self.accounts.update(instance_id, name, body), lambda: self.listed_as(name, after) or NOT_APPLIED,
                           dict(before, name=name), dict(after, name=name)))
        if reset:  # a password cannot be read back: an unclear reset fails, saying so
            writes.append(("reset password", lambda: self.accounts.reset_password(instance_id, name, params["account_password"]), None, None, None))
        if self.check_mode:
            for action, _write, _look, diff_before, diff_after in writes:
                self.plan_to(action, diff_before, diff_after)
            return
        if not writes:
            return
        operation = self.operation(" and ".join(action for action, *_rest in writes))
        self.settle(operation)
        for action, write, look, diff_before, diff_after in writes:
            try:
                self.sender.send(action, functools.partial(self.send, write, operation), look=look, what=WHAT[action] % name,
                                 check="the settings of DDM account %s on %s" % (name, printable(describe(self.instance))))
            except APIError as exc:
                raise self.refused(exc, 0) if exc.code == WEAK_OR_INVALID_PASSWORD else exc from None
            self.changed_by(diff_before, diff_after)
        self.resource = self.accounts.find(instance_id, name) or found

    def listed_as(self, name: str, after: dict) -> dict | None:
        """The account when the list shows it with the settings ``after`` (privileges and schemas compared as sets), else None."""
        found = self.accounts.find(self.instance["id"], name)
        if found is None:
            return None
        view = account_view(found)
        current = dict(view, description=view["description"] or "", password_lifetime=view["password_lifetime"] or 0)
        same = all(set(current[key]) == set(value) if key in ("privileges", "schemas") else current[key] == value for key, value in after.items())
        return found if same else None

    # ------------------------------------------------------------------ delete

    def delete(self, found):
        if found is None:
            return
        self.resource = found
        before = {key: value for key, value in account_view(found).items() if key in DIFF_KEYS}
        if self.check_mode:
            self.plan_to("delete", before, {})
            return
        operation = self.operation("delete")
        self.settle(operation)
        name = found["name"]
        self.sender.send("delete", lambda: self.send(lambda: self.accounts.delete(self.instance["id"], name), operation),
                         look=lambda: NOT_APPLIED if self.accounts.find(self.instance["id"], name) else {"gone": True},
                         what="delete DDM account %s" % name, check="the account list of %s" % printable(describe(self.instance)))
        self.changed_by(before, {})
        self.resource = None

    # ------------------------------------------------------------------ checks and writes

    def check_schemas(self, names):
        """Each schema the account is to have exists on the instance and is running; nothing is sent otherwise."""
        if not names:
            return
        listing = DdmSchemas(self.client, self.endpoint).iterate(self.instance["id"])
        existing = {item["name"]: item.get("status") for item in listing}
        if listing.truncated:
            raise HuaweiCloudError("The schema list of the instance was cut short (%s); nothing was changed" % listing.truncated)
        missing = [name for name in dict.fromkeys(names) if name not in existing]
        if missing:
            raise OperationFailed("schemas: %s not exist on %s (it has: %s); nothing was sent" % (
                ", ".join(missing) + (" does" if len(missing) == 1 else " do"), printable(describe(self.instance)),
                ", ".join(printable(name) for name in existing) or "none"))
        not_running = ["%s is %s" % (name, printable(str(existing[name]))) for name in dict.fromkeys(names) if existing[name] != "RUNNING"]
        if not_running:
            raise OperationFailed("schemas: %s, not RUNNING: an account can only be given running schemas; nothing was sent" % (
                ", ".join(not_running)))

    def check_not_weak(self):
        """The API's weak-password check, before a creation or a reset (it changes nothing)."""
        if self.accounts.is_weak(self.params["account_password"]):
            raise ConfigurationError("account_password is a weak password: DDM's weak-password check refuses it (the value is not shown); "
                                     "nothing was sent")

    def operation(self, what: str) -> Operation:
        return Operation("account %s: %s" % (self.params["name"], what), dict(id=self.instance["id"], name=self.instance.get("name")))

    def settle(self, operation: Operation):
        """Before the first write: an instance that cannot be changed fails; one with an operation under way is waited for (with wait)."""
        if is_failed(self.instance.get("status")):
            where = printable(describe(self.instance))
            raise OperationFailed("%s is %s: its accounts cannot be changed" % (where, printable(self.instance["status"])), self.instance)
        self.instance = self.operator.wait_until_settled(self.instance, self.params["wait"], operation)

    def send(self, write, operation: Operation):
        """``write()``, sent again once the instance is RUNNING when it is refused as busy (with wait)."""
        return self.operator.send(self.instance, write, self.params["wait"], operation)


def schema_list(names: list) -> list:
    """The API's ``databases``: ``[{name}]``, each once, in the order given."""
    return [{"name": name} for name in dict.fromkeys(names)]


def main():
    DdmAccount.main()


if __name__ == "__main__":
    main()
