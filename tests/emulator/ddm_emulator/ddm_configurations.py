# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The instance parameter calls and the instance restart.

- ``GET /v3/{project_id}/instances/{instance_id}/configurations?offset&limit`` (limit 1-128, default 128): the
  instance's parameter group (``id``, ``name``, ``description``, ``updated`` as "yyyy-mm-dd hh:mm:ss") and its
  ``configuration_parameter`` list (values, ``need_restart`` and ``read_only`` as strings), by name.
- ``PUT /v3.1/{project_id}/instances/{instance_id}/configurations`` ``{"values": {name: "value"}}`` answers 200
  ``{"need_restart": bool}`` and no task; the instance reads ``SET_CONFIGURATION`` for ``config_seconds`` (after the
  instance model's stale window), and only then does the read show the new values.  ``need_restart`` is true when a
  parameter whose value changes needs a restart.
- ``PUT /v3/...`` (deprecated) does the same with a ``SetConfiguration`` task (the name is this emulator's choice),
  answering as the ``v3_parameters_answer`` setting says.
- ``POST /v3/{project_id}/instances/{instance_id}/restart`` (no body) answers 202 ``{"job_id"}`` of a
  ``RestartInstance`` task; the instance reads ``RESTARTING`` for ``restart_seconds``; when the task completes the
  parameter values waiting for a restart take effect (a failed restart leaves them waiting).

Errors: 400 DBS.280001 an unknown or read-only parameter, a value that is not a string or is outside its
``value_range`` (the message names each); 404 DBS.200002 a missing instance; 409 DBS.200019 (or 403 DBS.212033) a
busy instance.
"""

from __future__ import annotations

import time

from .configure import add_task, bad, body_of, list_number, occupy, present, writable
from .errors import ddm_error
from .parameters_state import check_value


LIST_MAX_LIMIT = 128
GROUP_DESCRIPTION = "ParamGroup for instance"
TASK_SET_CONFIGURATION = "SetConfiguration"
TASK_RESTART = "RestartInstance"


def _group_time(epoch):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


def api_show_configurations(ctx, project_id, instance_id):
    params = ctx.call.first_params()
    offset = list_number(params, "offset", 0, 0, 10 ** 9, ddm_error)
    limit = list_number(params, "limit", LIST_MAX_LIMIT, 1, LIST_MAX_LIMIT, ddm_error)

    def show(instance):
        present(instance, ddm_error)
        parameters = ctx.state.parameters.of(instance)
        items = parameters.api_items(ctx.state.configure_settings.get()["pending_value_shown"])
        return {"id": parameters.group_id, "name": parameters.group_name, "description": GROUP_DESCRIPTION,
                "updated": _group_time(parameters.updated_wall), "configuration_parameter": items[offset:offset + limit],
                "offset": offset, "limit": limit, "total": len(items)}
    return 200, ctx.state.with_instance(project_id, instance_id, show), {}


def _wanted_values(call):
    values = body_of(call, ddm_error).get("values")
    if not isinstance(values, dict) or not values:
        raise bad(ddm_error, "values must be a non-empty object of parameter names and string values")
    # "If a parameter name is left empty, its value is not to be changed."
    return {name: value for name, value in values.items() if name}


def _check_values(parameters, values):
    problems = []
    for name, value in sorted(values.items()):
        definition = parameters.definitions.get(name)
        if definition is None:
            problems.append("%s is not a parameter of the instance" % name)
        elif definition["read_only"] == "1":
            problems.append("%s is read-only" % name)
        elif not isinstance(value, str):
            problems.append("%s must be given as a string" % name)
        else:
            why = check_value(definition, value)
            if why:
                problems.append("%s %s (value_range %s)" % (name, why, definition["value_range"]))
    if problems:
        raise bad(ddm_error, "; ".join(problems))


def _change(ctx, project_id, instance_id, with_task):
    values = _wanted_values(ctx.call)
    state = ctx.state

    def change(instance):
        writable(state, instance, ddm_error)
        parameters = state.parameters.of(instance)
        _check_values(parameters, values)
        changed = {name: value for name, value in values.items() if parameters.configured[name] != value}
        need_restart = any(parameters.definitions[name]["need_restart"] == "1" for name in changed)
        failure = state.configure_settings.take_failure("parameters")
        duration = state.configure_settings.get()["config_seconds"]
        job = add_task(state, instance, TASK_SET_CONFIGURATION, duration, failure) if with_task else None
        occupy(state, instance, "parameters", "SET_CONFIGURATION", job, duration, lambda done: parameters.set(values), failure)
        return {"need_restart": need_restart, "job": job, "config_id": parameters.group_id, "config_name": parameters.group_name,
                "node_list": ",".join(node["node_id"] for node in instance.nodes)}
    return state.with_instance(project_id, instance_id, change)


def api_change_configurations(ctx, project_id, instance_id):
    return 200, {"need_restart": _change(ctx, project_id, instance_id, with_task=False)["need_restart"]}, {}


def api_change_configurations_v3(ctx, project_id, instance_id):
    """The deprecated v3 call: the SDK's camelCase answer with a task, or (setting "otc") only need_restart."""
    with_task = ctx.state.configure_settings.get()["v3_parameters_answer"] == "sdk"
    changed = _change(ctx, project_id, instance_id, with_task)
    if not with_task:
        return 200, {"need_restart": changed["need_restart"]}, {}
    return 200, {"nodeList": changed["node_list"], "needRestart": changed["need_restart"], "jobId": changed["job"].id,
                 "configId": changed["config_id"], "configName": changed["config_name"]}, {}


def api_restart_instance(ctx, project_id, instance_id):
    state = ctx.state

    def restart(instance):
        writable(state, instance, ddm_error)
        parameters = state.parameters.of(instance)
        failure = state.configure_settings.take_failure("restart")
        duration = state.configure_settings.get()["restart_seconds"]
        job = add_task(state, instance, TASK_RESTART, duration, failure)
        occupy(state, instance, "restart", "RESTARTING", job, duration, lambda done: parameters.restart(), failure)
        return {"job_id": job.id}
    return 202, state.with_instance(project_id, instance_id, restart), {}
