# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The credential files Huawei Cloud users already have.

- The shared config file of KooCLI (``hcloud``) and the Terraform provider,
  ``~/.hcloud/config.json``: ``{"current": NAME, "profiles": [{"name", "mode", "accessKeyId", ...}]}``.
  An ``SSO`` profile keeps its temporary keys under ``ssoAuth.stsToken``, where the Terraform
  provider reads them too. KooCLI encrypts the keys it writes unless told not to
  (``--cli-auth-encrypt=false``); encrypted keys cannot be used, and are named as such.
- The Python SDK's credentials file, ``~/.huaweicloud/credentials``: INI, section ``[basic]``.

Both become the same option names the modules take. Reading never blocks (a FIFO or a
device is refused), never reads more than ``MAX_FILE_BYTES``, and no message ever quotes
the files' contents.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import stat

from .errors import ConfigurationError

MAX_FILE_BYTES = 1024 * 1024
DEFAULT_SHARED_CONFIG = "~/.hcloud/config.json"
DEFAULT_SDK_CREDENTIALS = "~/.huaweicloud/credentials"
SDK_SECTION = "basic"
# The profile modes this collection can use: AK/SK, permanent or temporary (KooCLI writes "AKSK"),
# and SSO, whose temporary keys are under ssoAuth.stsToken.
USABLE_MODES = ("AKSK", "", "SSO")
SSO_MODE = "SSO"
# An SSO profile's keys: field of ssoAuth.stsToken -> option.
SSO_KEY_FIELDS = {"accessKeyId": "access_key", "secretAccessKey": "secret_key", "securityToken": "security_token"}
# What plain keys look like: an access key id is 20 letters and digits, a secret key 40. Encrypted
# ones (KooCLI's default) are longer (at least 32 and 56 bytes of cipher text, so 43 and 75 characters
# of base64), or hold '+', '/', '='. The bounds leave room for other sites' keys; a key outside them
# cannot be a plain key.
PLAIN_ACCESS_KEY = re.compile(r"[A-Za-z0-9_-]{1,40}\Z")
PLAIN_SECRET_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
ENCRYPTION_HINT = ("KooCLI encrypts the keys of its profiles by default, and they cannot be read outside it: write the profile "
                   "with plain keys (hcloud configure set --cli-profile=%s --cli-auth-encrypt=false ...), or give the keys another way")
# Profile field -> option, in the shared config file.
PROFILE_FIELDS = {"accessKeyId": "access_key", "secretAccessKey": "secret_key", "securityToken": "security_token",
                  "region": "region", "projectId": "project_id", "domainId": "domain_id", "agencyName": "agency_name",
                  "agencyDomainName": "agency_domain_name"}
# Key -> option, in the [basic] section of the SDK credentials file.
SDK_FIELDS = {"ak": "access_key", "sk": "secret_key", "security_token": "security_token", "project_id": "project_id",
              "iam_endpoint": "iam_endpoint"}


class FileSettings:
    """Options read from a file: ``values`` (option -> value), ``origins`` (option -> where it was read, for messages)
    and ``warnings`` about the file."""

    def __init__(self, values: dict, origins: dict, warnings: list):
        self.values = values
        self.origins = origins
        self.warnings = warnings


def read_small_file(path: str, what: str) -> tuple[str, list]:
    """The text of a regular file of at most MAX_FILE_BYTES, and a warning if anyone may read it."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below anyway.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise ConfigurationError("The %s %s cannot be read: %s" % (what, path, exc.strerror or type(exc).__name__)) from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigurationError("The %s %s is not a regular file" % (what, path))
        if info.st_size > MAX_FILE_BYTES:
            raise ConfigurationError("The %s %s is larger than %d KiB, more than any credentials file holds" % (what, path, MAX_FILE_BYTES // 1024))
        data = os.read(handle, MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigurationError("The %s %s cannot be read: %s" % (what, path, exc.strerror or type(exc).__name__)) from None
    finally:
        os.close(handle)
    if len(data) > MAX_FILE_BYTES:
        raise ConfigurationError("The %s %s is larger than %d KiB, more than any credentials file holds" % (what, path, MAX_FILE_BYTES // 1024))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeError:
        raise ConfigurationError("The %s %s is not UTF-8 text" % (what, path)) from None
    warnings = []
    if info.st_mode & stat.S_IROTH:
        warnings.append("The %s %s holds credentials and every user of this machine may read it (mode %04o); restrict it with chmod 600"
                        % (what, path, stat.S_IMODE(info.st_mode)))
    return text, warnings


def _profile(config, path: str, name: str | None) -> tuple[dict, str]:
    if not isinstance(config, dict) or not isinstance(config.get("profiles", []), list):
        raise ConfigurationError("The shared config file %s is not a KooCLI config: expected an object with a \"profiles\" list" % path)
    wanted = name or config.get("current")
    if not isinstance(wanted, str) or not wanted:
        raise ConfigurationError("The shared config file %s names no current profile: set profile (HW_PROFILE)" % path)
    for profile in config.get("profiles", []):
        if isinstance(profile, dict) and profile.get("name") == wanted:
            return profile, wanted
    names = sorted(str(p.get("name")) for p in config.get("profiles", []) if isinstance(p, dict) and isinstance(p.get("name"), str))
    raise ConfigurationError("The shared config file %s has no profile %r (it has: %s)" % (path, wanted, ", ".join(names) or "none"))


def load_shared_profile(path: str, name: str | None) -> FileSettings:
    """The options of profile ``name`` (default: the file's current one) of a shared config file."""
    text, warnings = read_small_file(path, "shared config file")
    try:
        config = json.loads(text)
    except ValueError as exc:
        # The decoder's message gives a position only, never the text.
        raise ConfigurationError("The shared config file %s is not valid JSON: %s" % (path, getattr(exc, "msg", "parse error"))) from None
    except RecursionError:
        raise ConfigurationError("The shared config file %s is not valid JSON: nested too deeply" % path) from None
    profile, name = _profile(config, path, name)
    where = "of profile %r in %s" % (name, path)
    mode = profile.get("mode", "")
    if not isinstance(mode, str) or mode.upper() not in USABLE_MODES:
        raise ConfigurationError("Profile %r in %s uses mode %r, which this collection cannot use: use an AKSK or SSO profile, or for an "
                                 "ECS agency set use_ecs_metadata (HW_USE_ECS_METADATA) instead" % (name, path, mode))
    sso = mode.upper() == SSO_MODE
    values, origins = {}, {}
    for field, option in PROFILE_FIELDS.items():
        if sso and option in SSO_KEY_FIELDS.values():
            continue  # an SSO profile's keys are under ssoAuth.stsToken
        _take(values, origins, option, profile.get(field), "%s %s" % (field, where))
    if sso:
        _sso_keys(profile, values, origins, name, path, where)
    else:
        missing = [field for field in ("accessKeyId", "secretAccessKey") if PROFILE_FIELDS[field] not in values]
        if missing:
            raise ConfigurationError("Profile %r in %s has no %s" % (name, path, " and no ".join(missing)))
    prefix = "ssoAuth.stsToken." if sso else ""
    _check_plain_keys(values, {"access_key": prefix + "accessKeyId", "secret_key": prefix + "secretAccessKey"}, name, where)
    return FileSettings(values, origins, warnings)


def _take(values: dict, origins: dict, option: str, value, origin: str) -> None:
    if value is None or value == "":
        return
    if not isinstance(value, str):
        raise ConfigurationError("%s must be a string" % origin)
    values[option] = value
    origins[option] = origin


def _sso_keys(profile: dict, values: dict, origins: dict, name: str, path: str, where: str) -> None:
    """The temporary keys of an SSO profile, from ``ssoAuth.stsToken`` (as the Terraform provider reads them)."""
    token = profile.get("ssoAuth")
    token = token.get("stsToken") if isinstance(token, dict) else None
    if not isinstance(token, dict) or not any(token.get(field) for field in SSO_KEY_FIELDS):
        raise ConfigurationError("Profile %r in %s is an SSO profile without keys under ssoAuth.stsToken: sign in with KooCLI "
                                 "(SSO) first, so that it stores them" % (name, path))
    for field, option in SSO_KEY_FIELDS.items():
        _take(values, origins, option, token.get(field), "ssoAuth.stsToken.%s %s" % (field, where))
    missing = ["ssoAuth.stsToken." + field for field, option in SSO_KEY_FIELDS.items() if option not in values]
    if missing:
        # SSO keys are always temporary: without the security token they are refused.
        raise ConfigurationError("Profile %r in %s has no %s" % (name, path, " and no ".join(missing)))


def _check_plain_keys(values: dict, fields: dict, name: str, where: str) -> None:
    """Refuse keys that cannot be plain keys (encrypted ones, say), naming the fields, never their values."""
    odd = [fields[option] for option, shape in (("access_key", PLAIN_ACCESS_KEY), ("secret_key", PLAIN_SECRET_KEY))
           if option in values and not shape.match(values[option])]
    if odd:
        raise ConfigurationError("%s %s %s not look like plain keys (letters and digits, as IAM issues them): %s"
                                 % (" and ".join(odd), where, "do" if len(odd) > 1 else "does", ENCRYPTION_HINT % name))


def load_sdk_credentials(path: str) -> FileSettings:
    """The options of the ``[basic]`` section of an SDK credentials file."""
    text, warnings = read_small_file(path, "SDK credentials file")
    # No interpolation: a '%' in a secret key is a character, not a reference.
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=path)
    except configparser.Error as exc:
        # Parser messages quote the offending line, which may hold a key: give its number only.
        line = getattr(exc, "lineno", None) or next((number for number, _line in getattr(exc, "errors", [])), None)
        raise ConfigurationError("The SDK credentials file %s is not a valid INI file (%s%s)"
                                 % (path, type(exc).__name__, ", line %s" % line if line else "")) from None
    if not parser.has_section(SDK_SECTION):
        raise ConfigurationError("The SDK credentials file %s has no [%s] section" % (path, SDK_SECTION))
    section = parser[SDK_SECTION]
    values, origins = {}, {}
    for key, option in SDK_FIELDS.items():
        value = section.get(key, "").strip()
        if value:
            values[option] = value
            origins[option] = "%s in [%s] of %s" % (key, SDK_SECTION, path)
    if section.get("idp_id", "").strip() and section.get("id_token_file", "").strip():
        # The SDK then signs in as the federated (OIDC) identity and ignores ak and sk: signing with them would act as someone else.
        raise ConfigurationError("The SDK credentials file %s holds a federated identity (idp_id and id_token_file in [%s]), which the "
                                 "SDK uses instead of its ak and sk, and which this collection does not support: remove idp_id and "
                                 "id_token_file to use ak and sk, or give credentials another way" % (path, SDK_SECTION))
    if "access_key" not in values or "secret_key" not in values:
        raise ConfigurationError("The SDK credentials file %s has no ak and sk in [%s]" % (path, SDK_SECTION))
    return FileSettings(values, origins, warnings)
