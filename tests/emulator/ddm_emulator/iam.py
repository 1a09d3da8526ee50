# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IAM calls: password -> token, project lookup (by name, or every project a token may use), agency -> temporary credentials."""

from __future__ import annotations

import secrets
import time

from .errors import iam_error
from .identities import AGENCY_DOMAIN_NAME, AGENCY_NAME, DOMAIN_ID, DOMAIN_NAME, USER_ID, USER_NAME, USER_PASSWORD
from .spec import json_object
from .times import iam_time


MSG_IAM_BAD_LOGIN = "The username or password is wrong."
MSG_NO_AGENCY = "The agency %s of domain %s does not exist or the user may not assume it."
# IAM's limits for assume-role credentials, and its default.
DURATION_RANGE = (900, 86400)
DEFAULT_DURATION = 900


def _project_list(ctx, name, path):
    projects = [(pid, pname) for pid, pname in ctx.state.projects().items() if name is None or pname == name]
    base = ctx.base_url
    parents = {pname: pid for pid, pname in ctx.state.projects().items()}
    items = [{"id": pid, "name": pname, "domain_id": DOMAIN_ID, "parent_id": parents.get(pname.split("_")[0], DOMAIN_ID)
              if "_" in pname else DOMAIN_ID, "description": "", "enabled": True, "is_domain": False,
              "links": {"self": "%s/v3/projects/%s" % (base, pid)}} for pid, pname in projects]
    return 200, {"projects": items, "links": {"self": base + path, "previous": None, "next": None}}, {}


def api_list_projects(ctx):
    return _project_list(ctx, ctx.call.first_params().get("name"), "/v3/projects")


def api_list_auth_projects(ctx):
    """The projects the caller may use (every project here, sub-projects included)."""
    return _project_list(ctx, None, "/v3/auth/projects")


def _assume_role(request):
    auth = request.get("auth") if isinstance(request.get("auth"), dict) else {}
    identity = auth.get("identity") if isinstance(auth.get("identity"), dict) else {}
    role = identity.get("assume_role")
    if identity.get("methods") != ["assume_role"] or not isinstance(role, dict):
        raise iam_error(400, "The request body is invalid: identity.methods must be [\"assume_role\"] with an assume_role object.")
    if not isinstance(role.get("agency_name"), str) or not isinstance(role.get("domain_name", role.get("domain_id")), str):
        raise iam_error(400, "The request body is invalid: assume_role needs agency_name and domain_name or domain_id.")
    duration = role.get("duration_seconds", DEFAULT_DURATION)
    if isinstance(duration, bool) or not isinstance(duration, int) or not DURATION_RANGE[0] <= duration <= DURATION_RANGE[1]:
        raise iam_error(400, "The request body is invalid: duration_seconds must be an integer from %d to %d." % DURATION_RANGE)
    return role, duration


def api_assume_role(ctx):
    """POST /v3.0/OS-CREDENTIAL/securitytokens: the agency's temporary credentials (201)."""
    role, duration = _assume_role(json_object(ctx.call.body, iam_error(400, "The request body is invalid.")))
    domain = role.get("domain_name", role.get("domain_id"))
    if role["agency_name"] != AGENCY_NAME or domain != AGENCY_DOMAIN_NAME:
        raise iam_error(404, MSG_NO_AGENCY % (role["agency_name"], domain))
    return 201, credential_body(ctx.state, duration, "assume_role"), {}


def credential_body(state, lifetime, origin):
    """Newly issued temporary credentials, in the shape IAM and the metadata service answer."""
    access_key, record = state.issue_temporary(lifetime, origin)
    return {"credential": {"access": access_key, "secret": record.secret_key, "securitytoken": record.security_token,
                           "expires_at": iam_time(record.expires)}}


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


def _domain_scope_ok(scope):
    domain = scope.get("domain")
    return isinstance(domain, dict) and (domain.get("name") == DOMAIN_NAME or domain.get("id") == DOMAIN_ID)


def api_issue_token(ctx):
    request = json_object(ctx.call.body, iam_error(400, "The request body is invalid."))
    auth = request.get("auth") if isinstance(request.get("auth"), dict) else {}
    identity = auth.get("identity") if isinstance(auth.get("identity"), dict) else {}
    _password_user(identity)
    project_id, project_name = _scope_project(ctx.state, auth.get("scope"))
    if not project_id and isinstance(auth.get("scope"), dict) and "domain" in auth["scope"] and not _domain_scope_ok(auth["scope"]):
        raise iam_error(400, "Invalid scope: the domain does not exist.")
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
