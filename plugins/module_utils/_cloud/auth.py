# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ways to authenticate to Huawei Cloud, and how each finds the project id.

Each scheme adds its credentials to a request's headers (``authorize``). The client
calls back into a scheme only through :class:`AuthScheme`'s small interface, so adding
a scheme never touches the client. Which scheme a module uses is decided in
``credentials.py``; temporary credentials that renew themselves are in
``temporary_credentials.py``.
"""

from __future__ import annotations

import datetime

from .answers import check_answer, json_kind, list_problem, plain_id_problem, text_problems
from .errors import APIError, ConfigurationError, HuaweiCloudError, UnexpectedAnswer
from .signer import sign_request

CREDENTIALS_HELP = ("use one of: auth_token (HW_AUTH_TOKEN); access_key and secret_key (HW_ACCESS_KEY, HW_SECRET_KEY); "
                    "user_name, password and domain_name (HW_USER_NAME, HW_USER_PASSWORD, HW_DOMAIN_NAME) or domain_id (HW_DOMAIN_ID); "
                    "a profile of the shared config file (profile, shared_config_file: HW_PROFILE, HW_SHARED_CONFIG_FILE); "
                    "the SDK credentials file (HUAWEICLOUD_SDK_CREDENTIALS_FILE, ~/.huaweicloud/credentials); "
                    "or, on an ECS with an agency, use_ecs_metadata (HW_USE_ECS_METADATA)")
PROJECT_HELP = "set project_id (HW_PROJECT_ID), project_name (HW_PROJECT_NAME) or region (HW_REGION_NAME)"


class AuthScheme:
    """The interface the client uses.

    ``kind`` names the scheme ("token", "aksk", "password"); ``can_refresh`` says whether
    ``invalidate()`` followed by a new ``authorize()`` can bring fresh credentials after a
    401. ``explain_rejection`` lets a scheme reword a final 401 in terms of its own
    credentials (the client cannot know, for example, that they were temporary).
    """

    kind = ""
    can_refresh = False

    def authorize(self, client, method, url, headers, body, project_id):  # pylint: disable=unused-argument
        """Return ``headers`` plus this scheme's credentials for one request."""
        raise NotImplementedError

    def discover_project(self, client, name):  # pylint: disable=unused-argument
        """The id of the project called ``name`` (the project name or the region)."""
        raise NotImplementedError

    def invalidate(self):
        """Forget credentials that the API rejected, so that the next request renews them."""

    def explain_rejection(self, error: APIError, when: datetime.datetime) -> HuaweiCloudError:  # pylint: disable=unused-argument
        """The error to raise for a 401 that renewing cannot fix; ``when`` is the time of the rejection."""
        return error


def _project_problem(project, where: str) -> str | None:
    if not isinstance(project, dict):
        return "%s is %s, expected an object" % (where, json_kind(project))
    problems = text_problems(project, where, ("id", "name"))
    return problems[0] if problems else None


def _check(problem: str | None, response) -> None:
    if response is None and problem:
        raise UnexpectedAnswer("IAM", problem)
    check_answer("IAM", problem, response)


def pick_project(body: dict, name: str, response=None) -> str:
    """The id of the only project called ``name`` in IAM's project list ``body`` (``response`` gives the request id for errors).

    The list's shape is checked first, and the id picked must be a plain id: it goes into URLs.
    """
    projects = body.get("projects")
    projects = [] if projects is None else projects
    _check(list_problem(projects, "projects", _project_problem), response)
    matches = [(index, project) for index, project in enumerate(projects) if project.get("name") == name]
    if len(matches) != 1 or not matches[0][1].get("id"):
        raise HuaweiCloudError("Found %d projects named %r in IAM; set project_id (HW_PROJECT_ID)" % (len(matches), name))
    index, project = matches[0]
    _check(plain_id_problem(project["id"], "projects[%d].id" % index), response)
    return project["id"]


def get_projects(client, path: str, params=None) -> tuple:
    """(IAM's answer with a project list, the response) of ``GET <iam>/<path>``."""
    response = client.request("GET", client.iam_url + path, params=params, project_scoped=False, service="IAM")
    return client.decode_json(response, "IAM"), response


def login_project(body: dict):
    """``token.project.id`` of IAM's login answer (not checked here), or None when the token is not scoped to a project."""
    token = body.get("token")
    project = token.get("project") if isinstance(token, dict) else None
    return project.get("id") if isinstance(project, dict) else None


def need_project_name(name: str | None) -> str:
    if not name:
        raise ConfigurationError("Cannot find the project: " + PROJECT_HELP)
    return name


def list_projects_by_name(client, name: str) -> str:
    """``GET /v3/projects?name=...``: works for any scheme whose credentials IAM accepts there (AK/SK)."""
    body, response = get_projects(client, "/v3/projects", [("name", need_project_name(name))])
    return pick_project(body, name, response)


def sign_with(access_key, secret_key, security_token, method, url, headers, body, project_id):
    headers = dict(headers)
    if project_id:
        headers["X-Project-Id"] = project_id
    if security_token:
        headers["X-Security-Token"] = security_token
    return sign_request(method, url, headers, body, access_key, secret_key)


def iso_time(when: datetime.datetime) -> str:
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def says_expired(error: APIError) -> bool:
    return "expire" in (error.detail or "").lower()


class TokenAuth(AuthScheme):
    """A ready IAM token, sent as ``X-Auth-Token``. It cannot be renewed here."""

    kind = "token"

    def __init__(self, token: str):
        self._token = token

    def authorize(self, client, method, url, headers, body, project_id):  # pylint: disable=unused-argument
        return dict(headers, **{"X-Auth-Token": self._token})

    def discover_project(self, client, name):
        # As the Terraform provider does: the projects this token may use, picked by name.
        need_project_name(name)
        body, response = get_projects(client, "/v3/auth/projects")
        return pick_project(body, name, response)


class AkSkAuth(AuthScheme):
    """Access key / secret key: every request is signed with SDK-HMAC-SHA256.

    With a ``security_token`` the keys are temporary and, given directly, cannot be
    renewed: ``token_origin`` names where they came from for the message when they expire.
    """

    kind = "aksk"

    def __init__(self, access_key: str, secret_key: str, security_token: str | None = None,
                 token_origin: str = "security_token (HW_SECURITY_TOKEN)"):
        self._access_key = access_key
        self._secret_key = secret_key
        self._security_token = security_token
        self._token_origin = token_origin

    def authorize(self, client, method, url, headers, body, project_id):  # pylint: disable=unused-argument
        return sign_with(self._access_key, self._secret_key, self._security_token, method, url, headers, body, project_id)

    def discover_project(self, client, name):
        return list_projects_by_name(client, name)

    def explain_rejection(self, error, when):
        if not self._security_token or not says_expired(error):
            return error
        return error.with_message(
            "temporary credentials expired at %s; they came from %s and cannot be renewed here: give new ones, or let the "
            "collection get renewable ones with agency_name (HW_ASSUME_ROLE_AGENCY_NAME) or use_ecs_metadata (HW_USE_ECS_METADATA). "
            "The API said: %s" % (iso_time(when), self._token_origin, error.message))


class PasswordAuth(AuthScheme):
    """IAM user name and password, exchanged for a token (renewed once if it is rejected).

    The user's account is ``domain_name`` or ``domain_id``. The token is scoped to
    ``project_id``, else to the project called ``project_name``, or, with
    ``domain_scoped``, to the account itself (to call IAM for an agency).
    """

    kind = "password"
    can_refresh = True

    def __init__(self, user_name: str, password: str, domain_name: str | None, project_id: str | None, project_name: str | None,
                 domain_id: str | None = None, domain_scoped: bool = False):
        self._user_name = user_name
        self._password = password
        self._domain = {"id": domain_id} if domain_id else {"name": domain_name}
        self._scope_project_id = project_id
        self._project_name = project_name
        self._domain_scoped = domain_scoped
        self._token = None
        self.project_id = None

    def _scope(self):
        if self._domain_scoped:
            return {"domain": dict(self._domain)}
        if self._scope_project_id:
            return {"project": {"id": self._scope_project_id}}
        if self._project_name:
            return {"project": {"name": self._project_name, "domain": dict(self._domain)}}
        raise ConfigurationError("Password authentication needs project_id (HW_PROJECT_ID), project_name (HW_PROJECT_NAME) "
                                 "or region (HW_REGION_NAME) to scope the token")

    def _login(self, client):
        payload = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": self._user_name, "password": self._password, "domain": dict(self._domain)}}},
            "scope": self._scope()}}
        try:
            response = client.request("POST", client.iam_url + "/v3/auth/tokens", json_body=payload, authenticated=False, service="IAM")
        except HuaweiCloudError as exc:
            raise exc.with_message("IAM password login failed: " + exc.message) from None
        token = response.headers.get("X-Subject-Token")
        if not token:
            raise HuaweiCloudError("IAM answered the password login without an X-Subject-Token header")
        client.keep_secret(token)  # a server may echo it in an error message
        project = login_project(client.decode_json(response, "IAM"))
        if project is not None:
            check_answer("IAM", plain_id_problem(project, "token.project.id"), response)
        self._token = token
        self.project_id = project or self._scope_project_id

    def authorize(self, client, method, url, headers, body, project_id):  # pylint: disable=unused-argument
        if self._token is None:
            self._login(client)
        return dict(headers, **{"X-Auth-Token": self._token})

    def discover_project(self, client, name):  # pylint: disable=unused-argument
        if self._token is None:
            self._login(client)
        if not self.project_id:
            raise HuaweiCloudError("IAM's token does not name a project; set project_id (HW_PROJECT_ID)")
        return self.project_id

    def invalidate(self):
        self._token = None


def _missing(params: dict, names) -> list[str]:
    return [name for name in names if not params.get(name)]


def has_credential_options(params: dict) -> bool:
    """Whether any credential option (or its variable) is set, complete or not."""
    return any(params.get(name) for name in ("auth_token", "access_key", "secret_key", "security_token", "user_name", "password"))


def select_auth(params: dict, origins: dict | None = None, domain_scoped: bool = False, hint: str = ""):
    """Pick the scheme from the options: token, then AK/SK, then password (Terraform's order).

    A scheme that is only partly configured is an error, unless a scheme before it is complete.
    ``origins`` may say where a value came from (a file), for messages; ``domain_scoped``
    scopes a password login to the account (the base credentials of an agency).
    """
    origins = origins or {}
    if params.get("auth_token"):
        return TokenAuth(params["auth_token"])
    if params.get("access_key") or params.get("secret_key"):
        missing = _missing(params, ("access_key", "secret_key"))
        if missing:
            raise ConfigurationError("AK/SK authentication is incomplete: missing %s" % ", ".join(missing))
        return AkSkAuth(params["access_key"], params["secret_key"], params.get("security_token"),
                        origins.get("security_token", "security_token (HW_SECURITY_TOKEN)"))
    if params.get("security_token"):
        raise ConfigurationError("security_token is only used with access_key and secret_key, which are missing")
    if any(params.get(name) for name in ("user_name", "password", "domain_name")):
        missing = _missing(params, ("user_name", "password"))
        if not params.get("domain_name") and not params.get("domain_id"):
            missing.append("domain_name")
        if missing:
            raise ConfigurationError("Password authentication is incomplete: missing %s" % ", ".join(missing))
        return PasswordAuth(params["user_name"], params["password"], params.get("domain_name"), params.get("project_id"),
                            params.get("project_name") or params.get("region"), params.get("domain_id"), domain_scoped)
    raise ConfigurationError("No credentials were given: " + hint + CREDENTIALS_HELP)
