# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the configuration services (schemas and data nodes, accounts, parameters, restarts) share: their settings,
the failures a test queues, the busy rule, and the operations they start on an instance.

An operation here is an ``instances.Operation`` the instance model settles like its own (a restart reads
``RESTARTING``, a parameter change ``SET_CONFIGURATION``), so that the instance calls refuse writes while it runs and
the control API shows it.  Its task, when it has one, is a job of the task store (``GET /v3/{project_id}/jobs/...``).

Where the sources leave a fact open, a setting chooses (``DEFAULT_SETTINGS``; ``POST /_emulator/configure/settings``):

- ``schema_exclusive`` (true): a schema's creation or deletion occupies the instance like any other operation (the
  reference: one operation per instance; Terraform retries schema writes on 409), so a second schema write, an
  account write or a restart is refused with 409 until it ends; false lets schema tasks run side by side.
- ``schema_instance_status`` ("RUNNING"): what the instance reads meanwhile (no status for it is documented).
- ``schema_name_max`` (48; 24 as DBS.300405's message says), ``schema_keyword_rule`` ("equal": a name may not be
  one of the reserved ones; "contain": may not contain one, as the page's wording has it).
- ``missing_schema_answer`` (400 DBS.300129 for a read, DBS.300101 for a delete; 404: both 404 DBS.300129).
- ``dn_password_check`` ("sync": a wrong data node login answers 400 DBS.300114; "task": the creation is accepted and
  its task fails, the schema reading CREATE_FAILED).
- ``offer_used_data_nodes`` (true): data nodes this instance's schemas use are still offered for new schemas.
- ``failed_schema_status`` ("CREATE_FAILED"; "CREATEFAILED" as older pages spell it).
- ``default_data_nodes`` (2): how many data nodes an instance offers until a test seeds its own.
- ``account_quota`` (100).
- ``pending_value_shown`` ("configured": once a change has settled the read shows the new value, even one waiting for
  a restart; "effective": such a value shows only after the restart).
- ``v3_parameters_answer`` ("sdk": the deprecated v3 PUT answers the SDK's camelCase ``{nodeList, needRestart, jobId,
  configId, configName}`` with a task; "otc": ``{need_restart}`` only, no task).
"""

from __future__ import annotations

import re
import threading
import time
import uuid

from .ddm_instances import MSG_BUSY, MSG_BUSY_403, MSG_NOT_FOUND
from .errors import control_error
from .instances import Operation
from .spec import json_object, number_field, string_field


DEFAULT_SETTINGS = {
    "schema_create_seconds": 2.0, "schema_delete_seconds": 2.0, "restart_seconds": 2.0, "config_seconds": 1.0,
    "schema_exclusive": True, "schema_instance_status": "RUNNING", "schema_name_max": 48, "schema_keyword_rule": "equal",
    "missing_schema_answer": 400, "dn_password_check": "sync", "offer_used_data_nodes": True,
    "failed_schema_status": "CREATE_FAILED", "default_data_nodes": 2, "account_quota": 100,
    "pending_value_shown": "configured", "v3_parameters_answer": "sdk",
}
SETTING_CHOICES = {
    "schema_exclusive": (True, False), "schema_name_max": (48, 24), "schema_keyword_rule": ("equal", "contain"),
    "missing_schema_answer": (400, 404), "dn_password_check": ("sync", "task"), "offer_used_data_nodes": (True, False),
    "failed_schema_status": ("CREATE_FAILED", "CREATEFAILED"), "pending_value_shown": ("configured", "effective"),
    "v3_parameters_answer": ("sdk", "otc"),
}
SETTING_INTEGERS = {"default_data_nodes": (0, 64), "account_quota": (0, 100000)}
# What a test can make fail next: the operation's task ends Failed.
FAILURE_OPERATIONS = ("schema_create", "schema_delete", "restart", "parameters")

MSG_PARAMETER = "Parameter error: %s"


class ConfigureSettings:
    """The settings and queued failures of the configuration services."""

    def __init__(self):
        self._lock = threading.Lock()
        self._settings = dict(DEFAULT_SETTINGS)
        self._failures = {}

    def get(self):
        with self._lock:
            return dict(self._settings)

    def update(self, settings):
        with self._lock:
            self._settings.update(settings)
            return dict(self._settings)

    def set_failure(self, operation, failure):
        with self._lock:
            self._failures[operation] = failure

    def take_failure(self, operation):
        with self._lock:
            return self._failures.pop(operation, None)

    def failures(self):
        with self._lock:
            return {operation: dict(failure) for operation, failure in self._failures.items()}


def check_settings(spec):
    """The settings of a control call, checked; unknown keys are refused."""
    if not isinstance(spec, dict):
        raise control_error("settings must be an object")
    unknown = sorted(set(spec) - set(DEFAULT_SETTINGS))
    if unknown:
        raise control_error("unknown settings: %s" % ", ".join(unknown))
    checked = {}
    for key, value in spec.items():
        default = DEFAULT_SETTINGS[key]
        if key in SETTING_CHOICES:
            # 1 == True in Python: the type must match too.
            if value not in SETTING_CHOICES[key] or type(value) is not type(default):
                raise control_error("%s must be one of %s" % (key, ", ".join(repr(v) for v in SETTING_CHOICES[key])))
            checked[key] = value
        elif key in SETTING_INTEGERS:
            low, high = SETTING_INTEGERS[key]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise control_error("%s must be an integer from %d to %d" % (key, low, high))
            checked[key] = value
        elif isinstance(default, str):
            if not isinstance(value, str) or not value:
                raise control_error("%s must be a non-empty string" % key)
            checked[key] = value
        else:
            checked[key] = number_field(spec, key, 0)
    return checked


def check_failure(spec):
    """A control call's {operation, fail_reason, status}: what the next operation of that kind does."""
    if not isinstance(spec, dict) or spec.get("operation") not in FAILURE_OPERATIONS:
        raise control_error("operation must be one of %s" % ", ".join(FAILURE_OPERATIONS))
    status = spec.get("status")
    if status is not None and (not isinstance(status, str) or not status):
        raise control_error("status must be a non-empty string")
    return spec["operation"], {"fail_reason": string_field(spec, "fail_reason", "The task failed."), "status": status}


# ---------------------------------------------------------------------- the API side

def bad(error, text):
    return error(MSG_PARAMETER % text)


def body_of(call, error):
    return json_object(call.body, bad(error, "the body must be a JSON object"))


def list_number(params, key, default, minimum, maximum, error):
    """An offset or limit of a list call's query."""
    value = params.get(key)
    if value is None or value == "":
        return default
    if not re.match(r"^[0-9]{1,9}$", value) or not minimum <= int(value) <= maximum:
        raise bad(error, "%s must be an integer from %d to %d" % (key, minimum, maximum))
    return int(value)


def present(instance, error):
    if instance is None:
        raise error(MSG_NOT_FOUND, "DBS.200002", 404)
    return instance


def writable(state, instance, error):
    """The instance, when a write may start on it now; else the 404 of a missing one or the busy answer."""
    present(instance, error)
    if instance.busy():
        if state.instance_settings()["busy_answer"] == 403:
            raise error(MSG_BUSY_403, "DBS.212033", 403)
        raise error(MSG_BUSY, "DBS.200019", 409)
    return instance


class ConfigOperation(Operation):
    """An operation of the configuration services on an instance; ``job`` may be None (a change without a task)."""

    def __init__(self, name, busy_status, job, duration, stale, apply, failure):  # pylint: disable=super-init-not-called
        # Not Operation.__init__: it knows only the instance calls' operations.
        self.name = name
        self.busy_status = busy_status
        self.job = job
        self.started = job.created_mono if job is not None else time.monotonic()
        self.started_wall = job.created_wall if job is not None else time.time()
        self.duration = duration
        self.stale = stale
        self.apply = apply
        self.failure = failure

    def describe(self, now):
        return {"operation": self.name, "task": self.job.name if self.job else None, "job_id": self.job.id if self.job else None,
                "status": self.busy_status, "elapsed": round(now - self.started, 3), "duration": self.duration,
                "stale_seconds": self.stale, "fails": self.failure is not None}


def add_task(state, instance, name, duration, failure, database_name=""):
    """A task for an operation on the instance, Failed at its end when ``failure`` says so."""
    return state.add_job({"project_id": instance.project_id, "name": name, "instance": {"id": instance.id, "name": instance.name},
                          "duration": duration, "outcome": "Failed" if failure else "Completed",
                          "fail_reason": failure["fail_reason"] if failure else "", "database_name": database_name})


def occupy(state, instance, name, busy_status, job, duration, apply=None, failure=None, stale=True):
    """Make ``name`` the instance's operation for ``duration`` seconds; ``apply(instance)`` runs when it ends well."""
    stale_seconds = state.instance_settings()["stale_seconds"] if stale else 0.0
    instance.operation = ConfigOperation(name, busy_status, job, duration, stale_seconds, apply or (lambda done: None), failure)
    return instance.operation


def derived_id(*parts, suffix=""):
    """An id that is the same every time for the same parts (the default data nodes and parameter group of an instance)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "ddm-emulator:" + ":".join(parts)).hex + suffix
