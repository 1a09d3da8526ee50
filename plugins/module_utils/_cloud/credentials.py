# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a module's credentials come from, in one documented order.

1. Task options, then 2. environment variables: Ansible merges them option by option
   (an option beats its variable); among them a token beats AK/SK, which beats a password.
3. A profile of the shared config file (KooCLI, Terraform), read only when
   ``shared_config_file`` or ``profile`` is set.
4. The SDK credentials file: ``HUAWEICLOUD_SDK_CREDENTIALS_FILE``, or
   ``~/.huaweicloud/credentials`` when it exists.
5. The ECS metadata service, only with ``use_ecs_metadata``.

The first source that holds credentials gives them, and the sources after it are not
read. The other settings a file holds (region, project id, agency, IAM endpoint) fill
only the options that are not set. With ``agency_name``, the credentials found are only
the base that IAM exchanges for the agency's temporary credentials.
Combinations that cannot be meant together are refused before anything is read or sent.
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from .auth import has_credential_options, select_auth
from .endpoints import is_loopback, validate_base_url
from .errors import ConfigurationError

# credential_files and temporary_credentials are imported where a source needs them: options
# and variables, the most common source, need neither. Ansible still ships both with every
# module (it packs function-level imports too); a module process only compiles what it runs.

DEFAULT_AGENCY_DURATION = 3600
# IAM's limits for assume-role credentials: 15 minutes to 24 hours.
AGENCY_DURATION_RANGE = (900, 86400)
SDK_CREDENTIALS_ENV = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"
METADATA_ENDPOINT_ENV = "HW_METADATA_ENDPOINT"
# Variables read here rather than through an option's fallback.
DIRECT_ENVIRONMENT = (SDK_CREDENTIALS_ENV, METADATA_ENDPOINT_ENV)
SECRET_OPTIONS = ("secret_key", "security_token")
AGENCY_OPTIONS = ("agency_name", "agency_domain_name")


class Resolution:
    """The settings a module runs with, once every source had its say.

    ``params``: the options, gaps filled from a file; ``origins``: option -> where a
    file-given value was read (for messages); ``source``: where the credentials came
    from; ``warnings`` about the files; ``secrets`` read from files (to mask in output);
    ``metadata_url``: the metadata service, when it gives the credentials; ``hint``: what to
    add when no credentials are found at all.
    """

    def __init__(self, params: dict, source: str, origins=None, warnings=None, secrets=None, metadata_url=None, hint=""):
        self.params = params
        self.source = source
        self.origins = origins or {}
        self.warnings = warnings or []
        self.secrets = secrets or []
        self.metadata_url = metadata_url
        self.hint = hint


def check_combinations(params: dict) -> None:
    """Refuse options that cannot be meant together, naming them."""
    if params.get("project_id") and params.get("project_name"):
        raise ConfigurationError("project_id (HW_PROJECT_ID) and project_name (HW_PROJECT_NAME) both name the project: give one of them")
    if params.get("domain_id") and params.get("domain_name"):
        raise ConfigurationError("domain_id (HW_DOMAIN_ID) and domain_name (HW_DOMAIN_NAME) both name the account: give one of them")
    if (params.get("profile") or params.get("shared_config_file")) and has_credential_options(params):
        given = [name for name in ("auth_token", "access_key", "secret_key", "security_token", "user_name", "password") if params.get(name)]
        raise ConfigurationError("profile / shared_config_file (HW_PROFILE, HW_SHARED_CONFIG_FILE) ask for the credentials of a "
                                 "shared config profile, and %s give credentials too: use one of the two" % ", ".join(given))
    duration = params.get("agency_duration")
    if duration is not None and not AGENCY_DURATION_RANGE[0] <= duration <= AGENCY_DURATION_RANGE[1]:
        raise ConfigurationError("agency_duration (HW_ASSUME_ROLE_DURATION) must be between %d and %d seconds, got %s"
                                 % (AGENCY_DURATION_RANGE + (duration,)))


def check_agency(params: dict) -> None:
    if params.get("agency_name") and not params.get("agency_domain_name"):
        raise ConfigurationError("agency_name (HW_ASSUME_ROLE_AGENCY_NAME) needs agency_domain_name (HW_ASSUME_ROLE_DOMAIN_NAME), "
                                 "the account that created the agency")
    if not params.get("agency_name") and (params.get("agency_domain_name") or params.get("agency_duration") is not None):
        raise ConfigurationError("agency_domain_name (HW_ASSUME_ROLE_DOMAIN_NAME) and agency_duration (HW_ASSUME_ROLE_DURATION) "
                                 "only apply with agency_name (HW_ASSUME_ROLE_AGENCY_NAME)")


def _fill(params: dict, loaded, source: str) -> Resolution:
    """``params`` with a file's credentials, and its other settings where the options leave a gap."""
    merged = dict(params)
    origins = {}
    values = dict(loaded.values)
    if merged.get("project_id") or merged.get("project_name"):
        values.pop("project_id", None)
    if merged.get("domain_id") or merged.get("domain_name"):
        values.pop("domain_id", None)
    if any(merged.get(name) for name in AGENCY_OPTIONS):
        for name in AGENCY_OPTIONS:
            values.pop(name, None)
    for option, value in values.items():
        if not merged.get(option):
            merged[option] = value
            origins[option] = loaded.origins[option]
    secrets = [values[name] for name in SECRET_OPTIONS if values.get(name)]
    return Resolution(merged, source, origins, loaded.warnings, secrets)


def _sdk_credentials_path(environ) -> str | None:
    """The file HUAWEICLOUD_SDK_CREDENTIALS_FILE names (which must then exist), or the default one when it exists."""
    from .credential_files import DEFAULT_SDK_CREDENTIALS  # pylint: disable=import-outside-toplevel

    named = environ.get(SDK_CREDENTIALS_ENV)
    if named:
        return os.path.expanduser(named)
    default = os.path.expanduser(DEFAULT_SDK_CREDENTIALS)
    return default if os.path.exists(default) else None


def _first_source(params: dict, environ) -> Resolution:
    if has_credential_options(params):
        return Resolution(dict(params), "options")
    # pylint: disable=import-outside-toplevel
    from .credential_files import DEFAULT_SHARED_CONFIG, load_sdk_credentials, load_shared_profile

    if params.get("profile") or params.get("shared_config_file"):
        path = params.get("shared_config_file") or os.path.expanduser(DEFAULT_SHARED_CONFIG)
        return _fill(params, load_shared_profile(path, params.get("profile")), "shared config file %s" % path)
    path = _sdk_credentials_path(environ)
    if path:
        return _fill(params, load_sdk_credentials(path), "SDK credentials file %s" % path)
    if params.get("use_ecs_metadata"):
        from .temporary_credentials import DEFAULT_METADATA_URL

        url = validate_base_url(environ.get(METADATA_ENDPOINT_ENV) or DEFAULT_METADATA_URL, METADATA_ENDPOINT_ENV)
        return Resolution(dict(params), "ECS metadata", warnings=metadata_transport_warnings(url), metadata_url=url)
    # select_auth says what is missing. KooCLI users often have a shared config file and expect it to
    # be read as the CLI does; it is read only when asked for, so say so.
    shared = os.path.expanduser(DEFAULT_SHARED_CONFIG)
    hint = ("%s (KooCLI's profiles) is read only when profile or shared_config_file is set: set profile (HW_PROFILE) to one of "
            "its profiles, or shared_config_file (HW_SHARED_CONFIG_FILE) to use its current one; or " % shared) if os.path.isfile(shared) else ""
    return Resolution(dict(params), "options", hint=hint)


def metadata_transport_warnings(url: str) -> list:
    """The INSECURE warning for a metadata service reached over plain HTTP through a network.

    The ECS metadata service answers plain HTTP on a link-local address (169.254.169.254), which
    never leaves the host's own link: that is how it works, and nothing better is offered. Any
    other plain-HTTP host would hand the credentials over a network in clear, like any endpoint.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() != "http" or is_loopback(url):
        return []
    try:
        if ipaddress.ip_address(parts.hostname or "").is_link_local:
            return []
    except ValueError:
        pass
    return ["INSECURE: temporary credentials are fetched over plain http:// from %s (%s); use https://, or the metadata service's "
            "link-local address" % (parts.netloc, METADATA_ENDPOINT_ENV)]


def resolve_credentials(params: dict, environ=None) -> Resolution:
    """Find the credentials and settings in the documented order (see the module docstring)."""
    check_combinations(params)
    resolution = _first_source(params, os.environ if environ is None else environ)
    check_agency(resolution.params)
    return resolution


def build_auth(resolution: Resolution, on_secret=None):
    """The scheme for the resolved credentials, wrapped in an agency's when ``agency_name`` is set."""
    # pylint: disable=import-outside-toplevel
    params = resolution.params
    agency = params.get("agency_name")
    if resolution.metadata_url:
        from .temporary_credentials import MetadataSource, RenewingAkSkAuth

        base = RenewingAkSkAuth(MetadataSource(resolution.metadata_url), on_secret=on_secret)
    else:
        base = select_auth(params, resolution.origins, domain_scoped=bool(agency), hint=resolution.hint)
    if not agency:
        return base
    from .temporary_credentials import AgencySource, RenewingAkSkAuth

    duration = params.get("agency_duration") or DEFAULT_AGENCY_DURATION
    return RenewingAkSkAuth(AgencySource(base, agency, params["agency_domain_name"], duration), on_secret=on_secret)
