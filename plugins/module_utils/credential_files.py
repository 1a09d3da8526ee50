# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The credential files Huawei Cloud users already have.

- The shared config file of KooCLI (``hcloud``) and the Terraform provider,
  ``~/.hcloud/config.json``: ``{"current": NAME, "profiles": [{"name", "mode", "accessKeyId", ...}]}``.
- The Python SDK's credentials file, ``~/.huaweicloud/credentials``: INI, section ``[basic]``.

Both become the same option names the modules take. Reading never blocks (a FIFO or a
device is refused), never reads more than ``MAX_FILE_BYTES``, and no message ever quotes
the files' contents.
"""

from __future__ import annotations

import configparser
import json
import os
import stat

from .errors import ConfigurationError

MAX_FILE_BYTES = 1024 * 1024
DEFAULT_SHARED_CONFIG = "~/.hcloud/config.json"
DEFAULT_SDK_CREDENTIALS = "~/.huaweicloud/credentials"
SDK_SECTION = "basic"
# The profile modes this collection can use: AK/SK, permanent or temporary (KooCLI writes "AKSK").
USABLE_MODES = ("AKSK", "")
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
        raise ConfigurationError("Profile %r in %s uses mode %r, which this collection cannot use: use an AKSK profile, or for an ECS "
                                 "agency set use_ecs_metadata (HW_USE_ECS_METADATA) instead" % (name, path, mode))
    values, origins = {}, {}
    for field, option in PROFILE_FIELDS.items():
        value = profile.get(field)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise ConfigurationError("%s %s must be a string" % (field, where))
        values[option] = value
        origins[option] = "%s %s" % (field, where)
    missing = [field for field in ("accessKeyId", "secretAccessKey") if PROFILE_FIELDS[field] not in values]
    if missing:
        raise ConfigurationError("Profile %r in %s has no %s" % (name, path, " and no ".join(missing)))
    return FileSettings(values, origins, warnings)


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
    if "access_key" not in values or "secret_key" not in values:
        federated = " (federated idp_id/id_token_file credentials are not supported)" if section.get("idp_id") else ""
        raise ConfigurationError("The SDK credentials file %s has no ak and sk in [%s]%s" % (path, SDK_SECTION, federated))
    return FileSettings(values, origins, warnings)
