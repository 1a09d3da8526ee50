# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API routes: which handler serves a method and path, and whether the gateway checks its caller."""

from __future__ import annotations

import re
from urllib.parse import unquote

from .ddm import api_list_jobs, api_show_job
from .gateway import MSG_API_NOT_FOUND, gateway_error
from .iam import api_issue_token, api_list_projects


# (method, path pattern, handler, needs auth, project-scoped, IAM service)
API_ROUTES = (
    ("POST", re.compile(r"^/v3/auth/tokens$"), api_issue_token, False, False, True),
    ("GET", re.compile(r"^/v3/projects$"), api_list_projects, True, False, True),
    ("GET", re.compile(r"^/v3/([^/]+)/jobs$"), api_list_jobs, True, True, False),
    ("GET", re.compile(r"^/v3/([^/]+)/jobs/([^/]+)$"), api_show_job, True, True, False),
)


def find_route(method, path):
    """Return (route, decoded path arguments, is IAM) or raise the gateway's 404."""
    trimmed = path[:-1] if len(path) > 1 and path.endswith("/") else path
    for route in API_ROUTES:
        match = route[1].match(trimmed)
        if match and route[0] == method:
            return route, [unquote(arg) for arg in match.groups()]
    raise gateway_error(404, "APIGW.0101", MSG_API_NOT_FOUND)


class ApiContext:
    def __init__(self, state, call, base_url):
        self.state = state
        self.call = call
        self.base_url = base_url
