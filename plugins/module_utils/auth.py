# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The three ways to authenticate to Huawei Cloud, and how each finds the project id.

Each scheme adds its credentials to a request's headers (``authorize``). The client
calls back into a scheme only through the small interface used here, so adding a
scheme never touches the client.
"""

from __future__ import annotations

from .errors import ConfigurationError, HuaweiCloudError
from .signer import sign_request

CREDENTIALS_HELP = ("use one of: auth_token (HW_AUTH_TOKEN); access_key and secret_key (HW_ACCESS_KEY, HW_SECRET_KEY); "
                    "or user_name, password and domain_name (HW_USER_NAME, HW_USER_PASSWORD, HW_DOMAIN_NAME)")


class TokenAuth:
    """A ready IAM token, sent as ``X-Auth-Token``. It cannot be renewed here."""

    kind = "token"
    can_refresh = False

    def __init__(self, token: str):
        self._token = token

    def authorize(self, client, method, url, headers, body, project_id):  # pylint: disable=unused-argument
        return dict(headers, **{"X-Auth-Token": self._token})

    def discover_project(self, client, region):
        raise ConfigurationError("project_id (HW_PROJECT_ID) is required with auth_token: a token does not name its project here")

    def invalidate(self):
        """Nothing to renew."""


class AkSkAuth:
    """Access key / secret key: every request is signed with SDK-HMAC-SHA256."""

    kind = "aksk"
    can_refresh = False

    def __init__(self, access_key: str, secret_key: str, security_token: str | None = None):
        self._access_key = access_key
        self._secret_key = secret_key
        self._security_token = security_token

    def authorize(self, client, method, url, headers, body, project_id):  # pylint: disable=unused-argument
        headers = dict(headers)
        if project_id:
            headers["X-Project-Id"] = project_id
        if self._security_token:
            headers["X-Security-Token"] = self._security_token
        return sign_request(method, url, headers, body, self._access_key, self._secret_key)

    def discover_project(self, client, region):
        body = client.get_json(client.iam_url + "/v3/projects", params=[("name", region)], project_scoped=False, service="IAM")
        projects = [p for p in body.get("projects") or [] if isinstance(p, dict) and p.get("name") == region]
        if len(projects) != 1:
            raise HuaweiCloudError("Found %d projects named %r in IAM; set project_id (HW_PROJECT_ID)" % (len(projects), region))
        return projects[0]["id"]

    def invalidate(self):
        """Signatures are made per request: nothing to renew."""


class PasswordAuth:
    """IAM user name and password, exchanged for a token (renewed once if it is rejected)."""

    kind = "password"
    can_refresh = True

    def __init__(self, user_name: str, password: str, domain_name: str, project_id: str | None, region: str | None):
        self._user_name = user_name
        self._password = password
        self._domain_name = domain_name
        self._scope_project_id = project_id
        self._region = region
        self._token = None
        self.project_id = None

    def _scope(self):
        if self._scope_project_id:
            return {"project": {"id": self._scope_project_id}}
        if self._region:
            return {"project": {"name": self._region, "domain": {"name": self._domain_name}}}
        raise ConfigurationError("Password authentication needs project_id (HW_PROJECT_ID) or region (HW_REGION_NAME) to scope the token")

    def _login(self, client):
        payload = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": self._user_name, "password": self._password, "domain": {"name": self._domain_name}}}},
            "scope": self._scope()}}
        try:
            response = client.request("POST", client.iam_url + "/v3/auth/tokens", json_body=payload, authenticated=False, service="IAM")
        except HuaweiCloudError as exc:
            raise exc.with_message("IAM password login failed: " + exc.message) from None
        token = response.headers.get("X-Subject-Token")
        if not token:
            raise HuaweiCloudError("IAM answered the password login without an X-Subject-Token header")
        self._token = token
        try:
            self.project_id = client.decode_json(response, "IAM")["token"]["project"]["id"]
        except (KeyError, TypeError):
            self.project_id = self._scope_project_id

    def authorize(self, client, method, url, headers, body, project_id):  # pylint: disable=unused-argument
        if self._token is None:
            self._login(client)
        return dict(headers, **{"X-Auth-Token": self._token})

    def discover_project(self, client, region):  # pylint: disable=unused-argument
        if self._token is None:
            self._login(client)
        if not self.project_id:
            raise HuaweiCloudError("IAM's token does not name a project; set project_id (HW_PROJECT_ID)")
        return self.project_id

    def invalidate(self):
        self._token = None


def _missing(params: dict, names) -> list[str]:
    return [name for name in names if not params.get(name)]


def select_auth(params: dict):
    """Pick the scheme from the options: token, then AK/SK, then password (Terraform's order).

    A scheme that is only partly configured is an error, unless a scheme before it is complete.
    """
    if params.get("auth_token"):
        return TokenAuth(params["auth_token"])
    if params.get("access_key") or params.get("secret_key"):
        missing = _missing(params, ("access_key", "secret_key"))
        if missing:
            raise ConfigurationError("AK/SK authentication is incomplete: missing %s" % ", ".join(missing))
        return AkSkAuth(params["access_key"], params["secret_key"], params.get("security_token"))
    if params.get("security_token"):
        raise ConfigurationError("security_token is only used with access_key and secret_key, which are missing")
    password_options = ("user_name", "password", "domain_name")
    if any(params.get(name) for name in password_options):
        missing = _missing(params, password_options)
        if missing:
            raise ConfigurationError("Password authentication is incomplete: missing %s" % ", ".join(missing))
        return PasswordAuth(params["user_name"], params["password"], params["domain_name"], params.get("project_id"), params.get("region"))
    raise ConfigurationError("No credentials were given: " + CREDENTIALS_HELP)
