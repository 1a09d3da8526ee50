# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IAM calls: password -> token, project lookup."""

from __future__ import annotations

import secrets
import time

from .errors import iam_error
from .identities import DOMAIN_ID, DOMAIN_NAME, USER_ID, USER_NAME, USER_PASSWORD
from .spec import json_object
from .times import iam_time


MSG_IAM_BAD_LOGIN = "The username or password is wrong."


def api_list_projects(ctx):
    name = ctx.call.first_params().get("name")
    projects = [(pid, pname) for pid, pname in ctx.state.projects().items() if name is None or pname == name]
    base = ctx.base_url
    items = [{"id": pid, "name": pname, "domain_id": DOMAIN_ID, "parent_id": DOMAIN_ID, "description": "",
              "enabled": True, "is_domain": False, "links": {"self": "%s/v3/projects/%s" % (base, pid)}}
             for pid, pname in projects]
    return 200, {"projects": items, "links": {"self": "%s/v3/projects" % base, "previous": None, "next": None}}, {}


def _password_user(identity):
    methods = identity.get("methods")
    user = ((identity.get("password") or {}).get("user") or {}) if isinstance(identity.get("password"), dict) else {}
    if not isinstance(methods, list) or "password" not in methods or not isinstance(user, dict):
        raise iam_error(400, "The request body is invalid: only the password method is supported.")
    domain = user.get("domain") if isinstance(user.get("domain"), dict) else {}
    domain_ok = domain.get("name") == DOMAIN_NAME or domain.get("id") == DOMAIN_ID
    if user.get("name") != USER_NAME or user.get("password") != USER_PASSWORD or not domain_ok:
        raise iam_error(401, MSG_IAM_BAD_LOGIN)


def _scope_project(state, scope):
    """Return (project_id, project_name) for a project scope, (None, None) otherwise."""
    project = scope.get("project") if isinstance(scope, dict) else None
    if not isinstance(project, dict):
        return None, None
    projects = state.projects()
    if project.get("id"):
        if project["id"] not in projects:
            raise iam_error(400, "Invalid scope: the project %s does not exist." % project["id"])
        return project["id"], projects[project["id"]]
    domain = project.get("domain") if isinstance(project.get("domain"), dict) else {}
    if not domain:
        raise iam_error(400, "Invalid scope: a project given by name needs its domain.")
    if domain.get("name") != DOMAIN_NAME and domain.get("id") != DOMAIN_ID:
        raise iam_error(400, "Invalid scope: the project domain does not exist.")
    for pid, pname in projects.items():
        if pname == project.get("name"):
            return pid, pname
    raise iam_error(400, "Invalid scope: the project %s does not exist." % project.get("name"))


def api_issue_token(ctx):
    request = json_object(ctx.call.body, iam_error(400, "The request body is invalid."))
    auth = request.get("auth") if isinstance(request.get("auth"), dict) else {}
    identity = auth.get("identity") if isinstance(auth.get("identity"), dict) else {}
    _password_user(identity)
    project_id, project_name = _scope_project(ctx.state, auth.get("scope"))
    token = "MIIEMU" + secrets.token_urlsafe(96)
    record = ctx.state.add_token(token, project_id, issued=True)
    domain = {"id": DOMAIN_ID, "name": DOMAIN_NAME}
    body = {"token": {"methods": ["password"], "expires_at": iam_time(record.expires), "issued_at": iam_time(time.time()),
                      "user": {"id": USER_ID, "name": USER_NAME, "domain": domain, "password_expires_at": ""},
                      "roles": [{"id": "0", "name": "op_service"}], "catalog": []}}
    if project_id:
        body["token"]["project"] = {"id": project_id, "name": project_name, "domain": domain}
    else:
        body["token"]["domain"] = domain
    return 201, body, {"X-Subject-Token": token}
