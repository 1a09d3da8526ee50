# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API routes: what the real cloud serves (DDM tasks and instances, IAM tokens, projects and agencies, the ECS
metadata service), by method and path.

A new API call is a handler in the module of its service (``ddm``, ``iam``, ``metadata``) and one ``Route`` here.
"""

from __future__ import annotations

import re
from typing import Callable, NamedTuple
from urllib.parse import unquote

from .ddm import api_list_jobs, api_show_job
from .ddm_instances import (api_change_security_group, api_create_instance, api_delete_instance, api_enlarge_nodes, api_list_engines,
                            api_list_flavors, api_list_groups, api_list_instances, api_reduce_nodes, api_rename_instance,
                            api_rename_instance_v3, api_reset_admin, api_resize_flavor, api_show_instance)
from .gateway import MSG_API_NOT_FOUND, gateway_error
from .iam import api_assume_role, api_issue_token, api_list_auth_projects, api_list_projects
from .metadata import api_metadata_token, api_security_key
from .configure_routes import CONFIGURE_API_ROUTES


class Route(NamedTuple):
    """One API call; ``handler(ctx, *path arguments)`` returns (status, body, headers)."""

    method: str
    pattern: re.Pattern
    handler: Callable
    # The gateway wants a token or a signature before the handler runs.
    authenticated: bool
    # The first path argument is a project the caller must be allowed into.
    project_scoped: bool
    # False for the ECS metadata service, which no gateway stands in front of.
    behind_gateway: bool = True


API_ROUTES = (
    Route("POST", re.compile(r"^/v3/auth/tokens$"), api_issue_token, authenticated=False, project_scoped=False),
    Route("GET", re.compile(r"^/v3/projects$"), api_list_projects, authenticated=True, project_scoped=False),
    Route("GET", re.compile(r"^/v3/auth/projects$"), api_list_auth_projects, authenticated=True, project_scoped=False),
    Route("POST", re.compile(r"^/v3\.0/OS-CREDENTIAL/securitytokens$"), api_assume_role, authenticated=True, project_scoped=False),
    Route("PUT", re.compile(r"^/meta-data/latest/api/token$"), api_metadata_token, authenticated=False, project_scoped=False,
          behind_gateway=False),
    Route("GET", re.compile(r"^/openstack/latest/securitykey$"), api_security_key, authenticated=False, project_scoped=False,
          behind_gateway=False),
    Route("GET", re.compile(r"^/v3/([^/]+)/jobs$"), api_list_jobs, authenticated=True, project_scoped=True),
    Route("GET", re.compile(r"^/v3/([^/]+)/jobs/([^/]+)$"), api_show_job, authenticated=True, project_scoped=True),
) + tuple(Route(method, re.compile(pattern), handler, authenticated=True, project_scoped=True) for method, pattern, handler in (
    ("POST", r"^/v3/([^/]+)/instances$", api_create_instance),
    ("GET", r"^/v1/([^/]+)/instances$", api_list_instances),
    ("GET", r"^/v1/([^/]+)/instances/([^/]+)$", api_show_instance),
    ("DELETE", r"^/v3/([^/]+)/instances/([^/]+)$", api_delete_instance),
    ("PUT", r"^/v3/([^/]+)/instances/([^/]+)/flavor$", api_resize_flavor),
    ("POST", r"^/v3/([^/]+)/instances/([^/]+)/nodes$", api_enlarge_nodes),
    ("POST", r"^/v2/([^/]+)/instances/([^/]+)/action/reduce$", api_reduce_nodes),
    ("PUT", r"^/v1/([^/]+)/instances/([^/]+)/modify-name$", api_rename_instance),
    ("PUT", r"^/v1/([^/]+)/instances/([^/]+)/modify-security-group$", api_change_security_group),
    ("PUT", r"^/v3/([^/]+)/instances/([^/]+)/admin-user$", api_reset_admin),
    ("GET", r"^/v3/([^/]+)/flavors$", api_list_flavors),
    ("GET", r"^/v3/([^/]+)/engines$", api_list_engines),
    ("PUT", r"^/v3/([^/]+)/instances/([^/]+)/name$", api_rename_instance_v3),
    ("GET", r"^/v3/([^/]+)/instances/([^/]+)/groups$", api_list_groups),
))

# Schemas and data nodes, accounts, parameters, restarts (configure_routes).
API_ROUTES += tuple(Route(method, re.compile(pattern), handler, authenticated=True, project_scoped=True)
                    for method, pattern, handler in CONFIGURE_API_ROUTES)

# Answers on these paths (known routes or not) carry X-IAM-Trace-Id besides X-Request-Id.
IAM_PATH_PREFIXES = ("/v3/auth/", "/v3/projects", "/v3.0/OS-CREDENTIAL/")


class ApiContext:
    """What an API handler may use: the state, the request, and the base URL for links."""

    def __init__(self, state, call, base_url):
        self.state = state
        self.call = call
        self.base_url = base_url


def match_route(routes, method, path):
    """Return the first of routes (anything with method and pattern) for method and path, with its
    unquoted path arguments; (None, []) when none matches."""
    for route in routes:
        match = route.pattern.match(path)
        if match and route.method == method:
            return route, [unquote(arg) for arg in match.groups()]
    return None, []


def find_route(method, path):
    """Return (route, decoded path arguments) or raise the gateway's 404."""
    trimmed = path[:-1] if len(path) > 1 and path.endswith("/") else path
    route, args = match_route(API_ROUTES, method, trimmed)
    if route is None:
        raise gateway_error(404, "APIGW.0101", MSG_API_NOT_FOUND)
    return route, args


def is_iam_path(path):
    return path.startswith(IAM_PATH_PREFIXES)
