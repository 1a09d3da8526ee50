# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The control API under /_emulator/: what only tests can do (jobs, DDM instances and their settings, faults, latency, tokens,
temporary credentials, the metadata service, rate limit, clock, request log)."""

from __future__ import annotations

import re
import time
from typing import Callable, NamedTuple

from . import catalogue
from .errors import control_error
from .faults import Chaos, Fault, Latency
from .iam import credential_body
from .instances import NOT_FOUND_CALLS, ORDER_ID_SHOWN, Instance, check_failure, check_settings
from .identities import (ACCESS_KEY, AGENCY_DOMAIN_NAME, AGENCY_NAME, DOMAIN_ID, DOMAIN_NAME, PROJECT_ID, REGION, SUBPROJECT_ID,
                         SUBPROJECT_NAME, TEMP_ACCESS_KEY, USER_NAME)
from .routes import match_route
from .spec import json_object, number_field, string_field
from .state import METADATA_TOKEN_MODES, TOKEN_LIFETIME
from .times import iam_time
from .control_configure import CONFIGURE_CONTROL_CALLS


MAX_BULK_JOBS = 100000
MAX_BULK_INSTANCES = 100000


def _control_body(call):
    if not call.body:
        return {}
    return json_object(call.body, control_error("the body must be a JSON object"))


def ctl_reset(app, call):
    app.state.reset()
    return 200, {"reset": True}


def ctl_info(app, call):
    identities = {"verifier": app.verifier.name, "project_id": PROJECT_ID, "region": REGION, "project_name": REGION,
                  "domain_id": DOMAIN_ID, "domain_name": DOMAIN_NAME, "user_name": USER_NAME, "access_key": ACCESS_KEY,
                  "temp_access_key": TEMP_ACCESS_KEY, "subproject_id": SUBPROJECT_ID, "subproject_name": SUBPROJECT_NAME,
                  "agency_name": AGENCY_NAME, "agency_domain_name": AGENCY_DOMAIN_NAME, "base_url": app.base_url}
    return 200, dict(identities, **app.state.info())


def ctl_add_job(app, call):
    job = app.state.add_job(_control_body(call))
    return 201, {"job": job.api_shape(), "item": job.list_item()}


def ctl_add_jobs_bulk(app, call):
    spec = _control_body(call)
    count = spec.pop("count", None)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_BULK_JOBS or "id" in spec:
        raise control_error("count must be an integer from 1 to %d, and no id may be given" % MAX_BULK_JOBS)
    for _index in range(count):
        app.state.add_job(dict(spec))
    return 201, {"created": count}


def ctl_list_jobs(app, call):
    return 200, {"jobs": [dict(job.list_item(), project_id=job.project_id) for job in app.state.all_jobs()]}


def ctl_add_instance(app, call):
    instance = app.state.add_instance(Instance(_control_body(call), PROJECT_ID, app.state.now))
    return 201, {"instance": app.state.with_instance(None, instance.id, lambda added: added.control_shape(time.monotonic()))}


def ctl_add_instances_bulk(app, call):
    """Many instances of one spec; with name_prefix they are named prefix00001, prefix00002..."""
    spec = _control_body(call)
    count, prefix = spec.pop("count", None), spec.pop("name_prefix", None)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_BULK_INSTANCES or "id" in spec:
        raise control_error("count must be an integer from 1 to %d, and no id may be given" % MAX_BULK_INSTANCES)
    if prefix is not None and not isinstance(prefix, str):
        raise control_error("name_prefix must be a string")
    for index in range(count):
        named = dict(spec, name="%s%05d" % (prefix, index + 1)) if prefix is not None else spec
        app.state.add_instance(Instance(named, PROJECT_ID, app.state.now))
    return 201, {"created": count}


def ctl_list_instances(app, call):
    return 200, {"instances": app.state.control_instances()}


def ctl_instance_settings(app, call):
    return 200, {"settings": app.state.instance_settings(), "fail_next": app.state.failures(), "list_repeat": app.state.list_repeat()}


def ctl_configure_instances(app, call):
    settings = app.state.configure_instances(check_settings(_control_body(call)))
    return 200, {"settings": settings, "fail_next": app.state.failures()}


def ctl_fail_next(app, call):
    operation, failure = check_failure(_control_body(call))
    app.state.set_failure(operation, failure)
    return 201, {"fail_next": app.state.failures()}


def ctl_instance_status(app, call, instance_id):
    spec = _control_body(call)
    status, error_msg = string_field(spec, "status", ""), spec.get("error_msg")
    if not status or (error_msg is not None and not isinstance(error_msg, str)):
        raise control_error("status must be a non-empty string, error_msg a string or null")

    def change(instance):
        if instance is None:
            raise control_error("unknown instance", 404)
        instance.set_status(status, error_msg)
        return instance.control_shape(time.monotonic())
    return 200, {"instance": app.state.with_instance(None, instance_id, change)}


def _change_instance(app, instance_id, change):
    """Run ``change(instance)`` on a known instance under the state's lock; return its control shape."""
    def run(instance):
        if instance is None:
            raise control_error("unknown instance", 404)
        change(instance)
        return instance.control_shape(time.monotonic())
    return app.state.with_instance(None, instance_id, run)


def ctl_instance_not_found(app, call, instance_id):
    """The next ``count`` of each of ``calls`` (default: the show) on this instance answer 404 as if it did not exist."""
    spec = _control_body(call)
    count, calls = spec.get("count", 1), spec.get("calls", ["show"])
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise control_error("count must be an integer >= 0")
    if not isinstance(calls, list) or not calls or any(item not in NOT_FOUND_CALLS for item in calls):
        raise control_error("calls must be a non-empty list of %s" % ", ".join(NOT_FOUND_CALLS))
    return 200, {"instance": _change_instance(app, instance_id, lambda instance: instance.not_found.update(dict.fromkeys(calls, count)))}


def ctl_order_id_shown(app, call, instance_id):
    """How the show and list calls give this instance's order_id: as_is, empty, absent or null (writes still answer orders)."""
    shown = _control_body(call).get("shown")
    if shown not in ORDER_ID_SHOWN:
        raise control_error("shown must be one of %s" % ", ".join(ORDER_ID_SHOWN))
    return 200, {"instance": _change_instance(app, instance_id, lambda instance: setattr(instance, "order_id_shown", shown))}


def ctl_list_repeat(app, call):
    """The next ``count`` list pages repeat an instance, as an unstable order would: ``previous`` (a later page's first item
    is the last of the page before) or ``twice`` (a page holds its first item twice); mode null stops it."""
    spec = _control_body(call)
    mode, count = spec.get("mode"), spec.get("count", 1)
    if mode not in (None, "previous", "twice"):
        raise control_error("mode must be 'previous', 'twice' or null")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise control_error("count must be an integer >= 1")
    app.state.set_list_repeat(mode, count)
    return 200, {"list_repeat": app.state.list_repeat()}


def ctl_flavor_status(app, call):
    spec = _control_body(call)
    spec_code, zone, status = spec.get("spec_code"), spec.get("az"), spec.get("status")
    if spec_code not in catalogue.FLAVOR_CODES or zone not in catalogue.AVAILABLE_ZONES or status not in catalogue.FLAVOR_STATUSES:
        raise control_error("spec_code, az and status must be one of %s; %s; %s" % (
            ", ".join(catalogue.FLAVOR_CODES), ", ".join(catalogue.AVAILABLE_ZONES), ", ".join(catalogue.FLAVOR_STATUSES)))
    app.state.set_flavor_status(spec_code, zone, status)
    return 200, {"spec_code": spec_code, "az": zone, "status": status}


def ctl_add_fault(app, call):
    fault = Fault(_control_body(call))
    app.state.add_fault(fault)
    return 201, {"fault": fault.describe()}


def ctl_list_faults(app, call):
    return 200, {"faults": app.state.describe_faults()}


def ctl_clear_faults(app, call):
    app.state.clear_faults()
    return 200, {"faults": []}


def ctl_add_latency(app, call):
    latency = Latency(_control_body(call))
    app.state.add_latency(latency)
    return 201, {"latency": latency.describe()}


def ctl_list_latency(app, call):
    return 200, {"latency": app.state.latencies()}


def ctl_clear_latency(app, call):
    app.state.clear_latencies()
    return 200, {"latency": []}


def ctl_start_chaos(app, call):
    chaos = Chaos(_control_body(call))
    app.state.set_chaos(chaos)
    return 201, {"chaos": chaos.describe()}


def ctl_chaos(app, call):
    return 200, {"chaos": app.state.chaos()}


def ctl_stop_chaos(app, call):
    described = app.state.chaos()
    app.state.set_chaos(None)
    return 200, {"chaos": described}


def ctl_add_token(app, call):
    spec = _control_body(call)
    token = spec.get("token")
    if not isinstance(token, str) or not token:
        raise control_error("token must be a non-empty string")
    project_id = spec.get("project_id", PROJECT_ID)
    record = app.state.add_token(token, project_id, number_field(spec, "expires_in", TOKEN_LIFETIME))
    return 201, {"project_id": project_id, "expires_at": iam_time(record.expires)}


def ctl_revoke_token(app, call, token):
    if not app.state.revoke_token(token):
        raise control_error("unknown token", 404)
    return 200, {"revoked": 1}


def ctl_revoke_issued(app, call):
    return 200, {"revoked": app.state.revoke_issued()}


def ctl_issue_credentials(app, call):
    """Temporary credentials as IAM would hand them out (to give a module directly, with security_token)."""
    spec = _control_body(call)
    return 201, credential_body(app.state, number_field(spec, "expires_in", 3600), "control")


def ctl_lifetime_cap(app, call):
    spec = _control_body(call)
    seconds = None if spec.get("seconds") is None else number_field(spec, "seconds", 0, 0.001)
    app.state.set_lifetime_cap(seconds)
    return 200, {"lifetime_cap": seconds}


def ctl_metadata(app, call):
    spec = _control_body(call)
    mode, agency = spec.get("token"), spec.get("agency")
    if mode is not None and mode not in METADATA_TOKEN_MODES:
        raise control_error("token must be one of %s" % ", ".join(METADATA_TOKEN_MODES))
    if agency is not None and not isinstance(agency, bool):
        raise control_error("agency must be true or false")
    app.state.configure_metadata(mode, agency)
    return 200, {"metadata": app.state.metadata()}


def ctl_set_ratelimit(app, call):
    spec = _control_body(call)
    limit = int(number_field(spec, "limit", 0))
    window = number_field(spec, "window", 60, 0.001)
    app.state.set_ratelimit(limit, window)
    return 200, {"limit": limit, "window": window}


def ctl_clock(app, call):
    skew = _control_body(call).get("skew", 0)
    if isinstance(skew, bool) or not isinstance(skew, (int, float)):
        raise control_error("skew must be a number of seconds")
    app.state.set_skew(float(skew))
    return 200, {"skew": float(skew)}


def ctl_add_project(app, call):
    spec = _control_body(call)
    project_id, name = spec.get("id"), spec.get("name")
    if not isinstance(project_id, str) or not isinstance(name, str) or not project_id or not name:
        raise control_error("id and name must be non-empty strings")
    app.state.add_project(project_id, name)
    return 201, {"project": {"id": project_id, "name": name}}


def ctl_requests(app, call):
    return 200, {"requests": app.state.requests()}


def ctl_clear_requests(app, call):
    app.state.clear_requests()
    return 200, {"requests": []}


class ControlRoute(NamedTuple):
    """One control call; ``handler(app, call, *path arguments)`` returns (status, body)."""

    method: str
    pattern: re.Pattern
    handler: Callable


def _route(method, path, handler):
    return ControlRoute(method, re.compile("^/_emulator/%s$" % path), handler)


CONTROL_ROUTES = (
    _route("POST", "reset", ctl_reset),
    _route("POST", "jobs", ctl_add_job),
    _route("POST", "jobs/bulk", ctl_add_jobs_bulk),
    _route("GET", "jobs", ctl_list_jobs),
    _route("POST", "instances", ctl_add_instance),
    _route("POST", "instances/bulk", ctl_add_instances_bulk),
    _route("GET", "instances", ctl_list_instances),
    _route("GET", "instances/settings", ctl_instance_settings),
    _route("POST", "instances/settings", ctl_configure_instances),
    _route("POST", "instances/fail_next", ctl_fail_next),
    _route("POST", "instances/flavor_status", ctl_flavor_status),
    _route("POST", "instances/([^/]+)/status", ctl_instance_status),
    _route("POST", "instances/list_repeat", ctl_list_repeat),
    _route("POST", "instances/([^/]+)/not_found", ctl_instance_not_found),
    _route("POST", "instances/([^/]+)/order_id_shown", ctl_order_id_shown),
    _route("POST", "faults", ctl_add_fault),
    _route("GET", "faults", ctl_list_faults),
    _route("DELETE", "faults", ctl_clear_faults),
    _route("POST", "latency", ctl_add_latency),
    _route("GET", "latency", ctl_list_latency),
    _route("DELETE", "latency", ctl_clear_latency),
    _route("POST", "chaos", ctl_start_chaos),
    _route("GET", "chaos", ctl_chaos),
    _route("DELETE", "chaos", ctl_stop_chaos),
    _route("POST", "tokens", ctl_add_token),
    _route("DELETE", "tokens", ctl_revoke_issued),
    _route("DELETE", "tokens/(.+)", ctl_revoke_token),
    _route("POST", "ratelimit", ctl_set_ratelimit),
    _route("GET", "requests", ctl_requests),
    _route("DELETE", "requests", ctl_clear_requests),
    _route("GET", "info", ctl_info),
    _route("POST", "clock", ctl_clock),
    _route("POST", "projects", ctl_add_project),
    _route("POST", "credentials", ctl_issue_credentials),
    _route("POST", "credentials/lifetime", ctl_lifetime_cap),
    _route("POST", "metadata", ctl_metadata),
)
# Schemas and data nodes, accounts, parameters, restarts (control_configure).
CONTROL_ROUTES += tuple(_route(method, path, handler) for method, path, handler in CONFIGURE_CONTROL_CALLS)


def dispatch(app, call):
    """Answer a control call as (status, body); unknown endpoints are 404."""
    path = call.raw_path.rstrip("/")
    route, args = match_route(CONTROL_ROUTES, call.method, path)
    if route is None:
        raise control_error("unknown control endpoint %s %s" % (call.method, path), 404)
    return route.handler(app, call, *args)
