# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The account calls (v3, flat bodies, synchronous: no task): create, list (no single read), update, delete, reset the
password; and the project's weak-password check.

Rules: a name of 1-32 characters, a letter first, then letters, digits and ``_``, unique per instance; a password of
8-32 characters of at least three kinds (lower, upper, digit, ``~!@#%^*-_+?``), not the name or the name reversed
(compared without case), not one the weak-password check refuses; ``base_authority`` a non-empty list of CREATE,
DROP, ALTER, INDEX, INSERT, DELETE, UPDATE, SELECT (upper case); ``description`` at most 256 characters;
``password_lifetime`` 0-65535 days (0: never expires; shown as 0 when not set); ``databases`` ``[{name}]`` of schemas
of the instance that read RUNNING; at most ``account_quota`` (100) accounts.  An update needs one of its fields;
an omitted field keeps its value (``databases`` included: the sources do not say, and a client sends it whole).

Errors (HTTP 400 unless said): DBS.280001 a bad body; DBS.300305 name, DBS.300306 password, DBS.300307
description, DBS.300309 privileges; DBS.300311 a name in use; DBS.300327 an unknown account; DBS.300300 (create)
or DBS.300301 (update) an unknown schema or the quota; 404 DBS.200002 a missing instance; 409 DBS.200019 (or 403
DBS.212033) a busy instance.  Successful writes answer 200 ``{}`` (the SDK's answer models are empty).
"""

from __future__ import annotations

import re

from .accounts_state import Account
from .configure import bad, body_of, list_number, present, writable
from .ddm_schemas import settled_schemas
from .errors import ddm_error


NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
PASSWORD_SPECIALS = "~!@#%^*-_+?"
AUTHORITIES = ("CREATE", "DROP", "ALTER", "INDEX", "INSERT", "DELETE", "UPDATE", "SELECT")
MAX_DESCRIPTION = 256
MAX_LIFETIME = 65535
LIST_MAX_LIMIT = 128

MSG_NAME = "Invalid DDM account name."
MSG_PASSWORD = "The account password is invalid."
MSG_WEAK = "The account password is invalid: it is a weak password."
MSG_DESCRIPTION = "The account description is invalid."
MSG_AUTHORITY = "The account basic permissions are invalid."
MSG_EXISTS = "The account already exists."
MSG_MISSING = "The account does not exist."
MSG_QUOTA = "Failed to create a DDM account: the DDM instance already has %d accounts, the most it may have."
MSG_SCHEMA_CREATE = "Failed to create a DDM account: schema %s does not exist or is not running."
MSG_SCHEMA_UPDATE = "Failed to update the account: schema %s does not exist or is not running."


def check_password(state, password, name):
    """Raise DBS.300306 unless ``password`` passes every rule for an account called ``name``."""
    if not isinstance(password, str):
        raise ddm_error(MSG_PASSWORD, "DBS.300306")
    kinds = sum((any(c.islower() for c in password), any(c.isupper() for c in password), any(c.isdigit() for c in password),
                 any(c in PASSWORD_SPECIALS for c in password)))
    if not 8 <= len(password) <= 32 or kinds < 3 or any(not (c.isascii() and c.isalnum()) and c not in PASSWORD_SPECIALS for c in password):
        raise ddm_error(MSG_PASSWORD, "DBS.300306")
    if password.lower() in (name.lower(), name[::-1].lower()):
        raise ddm_error(MSG_PASSWORD, "DBS.300306")
    if state.accounts.is_weak(password):
        raise ddm_error(MSG_WEAK, "DBS.300306")
    return password


def _authorities(value):
    if not isinstance(value, list) or not value or any(item not in AUTHORITIES for item in value):
        raise ddm_error(MSG_AUTHORITY, "DBS.300309")
    # Shown in the documented order, once each.
    return [authority for authority in AUTHORITIES if authority in value]


def _description(value):
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION:
        raise ddm_error(MSG_DESCRIPTION, "DBS.300307")
    return value


def _lifetime(value):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LIFETIME:
        raise bad(ddm_error, "password_lifetime must be an integer from 0 to %d" % MAX_LIFETIME)
    return value


def _database_names(value):
    if not isinstance(value, list) or any(not isinstance(item, dict) or not isinstance(item.get("name"), str) for item in value):
        raise bad(ddm_error, "databases must be a list of {name}")
    names = []
    for item in value:
        if item["name"] not in names:
            names.append(item["name"])
    return names


def _check_schemas(state, instance, names, message, code):
    schemas = settled_schemas(state, instance.id)
    for name in names:
        if name not in schemas or schemas[name].status != "RUNNING":
            raise ddm_error(message % name, code)


def _account(state, instance, name):
    account = state.accounts.accounts(instance.id).get(name)
    if account is None:
        raise ddm_error(MSG_MISSING, "DBS.300327")
    return account


def api_create_account(ctx, project_id, instance_id):
    body = body_of(ctx.call, ddm_error)
    state = ctx.state
    name = body.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ddm_error(MSG_NAME, "DBS.300305")
    authorities = _authorities(body.get("base_authority"))
    description = _description(body["description"]) if body.get("description") is not None else ""
    lifetime = _lifetime(body["password_lifetime"]) if body.get("password_lifetime") is not None else 0
    databases = _database_names(body["databases"]) if body.get("databases") is not None else []
    password = check_password(state, body.get("password"), name)

    def create(instance):
        writable(state, instance, ddm_error)
        accounts = state.accounts.accounts(instance.id)
        if name in accounts:
            raise ddm_error(MSG_EXISTS, "DBS.300311")
        quota = state.configure_settings.get()["account_quota"]
        if len(accounts) >= quota:
            raise ddm_error(MSG_QUOTA % quota, "DBS.300300")
        _check_schemas(state, instance, databases, MSG_SCHEMA_CREATE, "DBS.300300")
        accounts[name] = Account(name, password, authorities, description, lifetime, databases)
        return {}
    return 200, state.with_instance(project_id, instance_id, create), {}


def api_list_accounts(ctx, project_id, instance_id):
    params = ctx.call.first_params()
    offset = list_number(params, "offset", 0, 0, 10 ** 9, ddm_error)
    limit = list_number(params, "limit", 10, 1, LIST_MAX_LIMIT, ddm_error)

    def listing(instance):
        present(instance, ddm_error)
        # Settling the schemas first drops the ones deleted meanwhile from the accounts.
        settled_schemas(ctx.state, instance.id)
        accounts = list(ctx.state.accounts.accounts(instance.id).values())
        return {"users": [account.api_item() for account in accounts[offset:offset + limit]], "offset": offset, "limit": limit,
                "total": len(accounts)}
    return 200, ctx.state.with_instance(project_id, instance_id, listing), {}


def api_update_account(ctx, project_id, instance_id, name):
    body = body_of(ctx.call, ddm_error)
    state = ctx.state
    changes = {}
    if body.get("base_authority") is not None:
        changes["base_authority"] = _authorities(body["base_authority"])
    if body.get("description") is not None:
        changes["description"] = _description(body["description"])
    if body.get("password_lifetime") is not None:
        changes["password_lifetime"] = _lifetime(body["password_lifetime"])
    if body.get("databases") is not None:
        changes["databases"] = _database_names(body["databases"])
    if not changes:
        raise bad(ddm_error, "give at least one of base_authority, description, password_lifetime, databases")

    def update(instance):
        writable(state, instance, ddm_error)
        account = _account(state, instance, name)
        _check_schemas(state, instance, changes.get("databases", []), MSG_SCHEMA_UPDATE, "DBS.300301")
        for key, value in changes.items():
            setattr(account, key, value)
        return {}
    return 200, state.with_instance(project_id, instance_id, update), {}


def api_delete_account(ctx, project_id, instance_id, name):
    def delete(instance):
        writable(ctx.state, instance, ddm_error)
        _account(ctx.state, instance, name)
        del ctx.state.accounts.accounts(instance.id)[name]
        return {}
    return 200, ctx.state.with_instance(project_id, instance_id, delete), {}


def api_reset_account_password(ctx, project_id, instance_id, name):
    body = body_of(ctx.call, ddm_error)
    state = ctx.state

    def reset(instance):
        writable(state, instance, ddm_error)
        account = _account(state, instance, name)
        account.set_password(check_password(state, body.get("password"), name))
        return {}
    return 200, state.with_instance(project_id, instance_id, reset), {}


def api_check_weak_password(ctx, project_id):
    password = body_of(ctx.call, ddm_error).get("password")
    if not isinstance(password, str) or not password:
        raise bad(ddm_error, "password must be a non-empty string")
    return 200, {"is_weak_password": ctx.state.accounts.is_weak(password)}, {}
