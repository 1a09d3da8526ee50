# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The control calls of the configuration services (schemas and data nodes, accounts, parameters, restarts).

- ``GET``/``POST /_emulator/configure/settings`` {setting: value...} (``configure.DEFAULT_SETTINGS``) → {settings, fail_next}
- ``POST /_emulator/configure/fail_next`` {operation: schema_create|schema_delete|restart|parameters, fail_reason,
  status}: the next such operation's task ends Failed (a schema reads CREATE_FAILED; an instance reads ``status``,
  default RUNNING)
- ``POST /_emulator/configure/weak_passwords`` {passwords: [...]}: more passwords the weak-password check refuses
- ``GET``/``POST /_emulator/instances/{id}/data_nodes`` {data_nodes: [{id, name, status, engine_name, engine_version,
  private_ip, port, time_zone, cpu, mem, admin_user, admin_password, associated}], replace}: the data nodes an
  instance offers (added to, or with replace instead of, the default ones)
- ``GET /_emulator/instances/{id}/schemas``, ``.../accounts`` (no passwords: their SHA-256 and how often they
  changed), ``.../parameters`` (each one's value, effective value, pending_restart; restart_required; changes)
- ``POST /_emulator/instances/{id}/parameters`` {values: {name: "value"}, need_restart: {name: bool}, read_only: {name: bool}}
- ``POST /_emulator/instances/{id}/busy`` {seconds, status}: an operation without a task occupies the instance
  (reading ``status``, default BACKUP) for that long
- ``GET /_emulator/instances/{id}/configuration``: data nodes, schemas, accounts and parameters at once, with counts
"""

from __future__ import annotations

import time

from .configure import ConfigOperation, check_failure, check_settings
from .ddm_schemas import settled_schemas
from .errors import control_error
from .spec import json_object, number_field, string_field


def _body(call):
    if not call.body:
        return {}
    return json_object(call.body, control_error("the body must be a JSON object"))


def _on_instance(app, instance_id, action):
    def run(instance):
        if instance is None:
            raise control_error("unknown instance", 404)
        return action(instance)
    return app.state.with_instance(None, instance_id, run)


def _nodes(state, instance):
    return state.schemas.nodes(instance.id, state.configure_settings.get()["default_data_nodes"])


def _configuration(state, instance):
    schemas = settled_schemas(state, instance.id)
    accounts = state.accounts.accounts(instance.id)
    now = time.monotonic()
    return {"data_nodes": [node.control_shape() for node in _nodes(state, instance).values()],
            "schemas": [schema.control_shape(now) for schema in schemas.values()], "schema_count": len(schemas),
            "accounts": [account.control_shape() for account in accounts.values()], "account_count": len(accounts),
            "parameters": state.parameters.of(instance).control_shape()}


def ctl_settings(app, call):
    return 200, {"settings": app.state.configure_settings.get(), "fail_next": app.state.configure_settings.failures()}


def ctl_configure(app, call):
    settings = app.state.configure_settings.update(check_settings(_body(call)))
    return 200, {"settings": settings, "fail_next": app.state.configure_settings.failures()}


def ctl_fail_next(app, call):
    operation, failure = check_failure(_body(call))
    app.state.configure_settings.set_failure(operation, failure)
    return 201, {"fail_next": app.state.configure_settings.failures()}


def ctl_weak_passwords(app, call):
    passwords = _body(call).get("passwords")
    if not isinstance(passwords, list) or any(not isinstance(password, str) or not password for password in passwords):
        raise control_error("passwords must be a list of non-empty strings")
    return 201, {"weak_passwords": app.state.accounts.add_weak(passwords)}


def ctl_data_nodes(app, call, instance_id):
    return 200, _on_instance(app, instance_id, lambda instance: {
        "data_nodes": [node.control_shape() for node in _nodes(app.state, instance).values()]})


def ctl_seed_data_nodes(app, call, instance_id):
    spec = _body(call)
    replace = spec.get("replace", False)
    if not isinstance(replace, bool):
        raise control_error("replace must be true or false")

    def seed(instance):
        count = app.state.configure_settings.get()["default_data_nodes"]
        nodes = app.state.schemas.seed_nodes(instance.id, spec.get("data_nodes"), replace, count)
        return {"data_nodes": [node.control_shape() for node in nodes]}
    return 201, _on_instance(app, instance_id, seed)


def ctl_schemas(app, call, instance_id):
    def listing(instance):
        now = time.monotonic()
        return {"schemas": [schema.control_shape(now) for schema in settled_schemas(app.state, instance.id).values()]}
    return 200, _on_instance(app, instance_id, listing)


def ctl_accounts(app, call, instance_id):
    def listing(instance):
        settled_schemas(app.state, instance.id)
        return {"accounts": [account.control_shape() for account in app.state.accounts.accounts(instance.id).values()]}
    return 200, _on_instance(app, instance_id, listing)


def ctl_parameters(app, call, instance_id):
    return 200, _on_instance(app, instance_id, lambda instance: app.state.parameters.of(instance).control_shape())


def ctl_seed_parameters(app, call, instance_id):
    spec = _body(call)

    def seed(instance):
        parameters = app.state.parameters.of(instance)
        parameters.seed(spec)
        return parameters.control_shape()
    return 200, _on_instance(app, instance_id, seed)


def ctl_busy(app, call, instance_id):
    spec = _body(call)
    seconds = number_field(spec, "seconds", 5.0)
    status = string_field(spec, "status", "BACKUP")
    if not status:
        raise control_error("status must be a non-empty string")

    def occupy(instance):
        instance.operation = ConfigOperation("busy", status, None, seconds, 0.0, lambda done: None, None)
        return instance.control_shape(time.monotonic())
    return 200, {"instance": _on_instance(app, instance_id, occupy)}


def ctl_configuration(app, call, instance_id):
    return 200, _on_instance(app, instance_id, lambda instance: _configuration(app.state, instance))


# (method, path under /_emulator/, handler(app, call, *path arguments)) for control.CONTROL_ROUTES
CONFIGURE_CONTROL_CALLS = (
    ("GET", "configure/settings", ctl_settings),
    ("POST", "configure/settings", ctl_configure),
    ("POST", "configure/fail_next", ctl_fail_next),
    ("POST", "configure/weak_passwords", ctl_weak_passwords),
    ("GET", "instances/([^/]+)/data_nodes", ctl_data_nodes),
    ("POST", "instances/([^/]+)/data_nodes", ctl_seed_data_nodes),
    ("GET", "instances/([^/]+)/schemas", ctl_schemas),
    ("GET", "instances/([^/]+)/accounts", ctl_accounts),
    ("GET", "instances/([^/]+)/parameters", ctl_parameters),
    ("POST", "instances/([^/]+)/parameters", ctl_seed_parameters),
    ("POST", "instances/([^/]+)/busy", ctl_busy),
    ("GET", "instances/([^/]+)/configuration", ctl_configuration),
)
