# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Service and IAM endpoint resolution, and validation of user-given base URLs."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from .errors import ConfigurationError

DEFAULT_CLOUD = "myhuaweicloud.com"
# The European site's regions (eu-west-101, ...) live under their own domain, as the SDK's
# region table and the Terraform provider have it; eu-west-0 (Paris) does not.
EUROPE_REGION_PREFIX = "eu-west-1"
EUROPE_CLOUD = "myhuaweicloud.eu"
HOST_LABEL = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")


def resolve_cloud(region: str | None, cloud: str | None) -> str:
    if cloud:
        return cloud
    return EUROPE_CLOUD if (region or "").startswith(EUROPE_REGION_PREFIX) else DEFAULT_CLOUD


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    return len(host) <= 253 and all(HOST_LABEL.fullmatch(label) for label in labels)


def validate_base_url(url: str, option: str) -> str:
    """Return ``url`` without a trailing '/' and with a lower-case scheme, or raise naming ``option``."""
    if any(char.isspace() or not char.isprintable() for char in url):
        raise ConfigurationError("%s must not contain spaces, line breaks or control characters, got %r" % (option, url))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigurationError("%s is not a valid URL: %s" % (option, exc)) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ConfigurationError("%s must be an http:// or https:// URL with a host name, got %r" % (option, url))
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ConfigurationError("%s must not carry a query string or fragment, got %r" % (option, url))
    if parts.username or parts.password or "@" in parts.netloc:
        raise ConfigurationError("%s must not embed user credentials" % option)
    if not _valid_host(parts.hostname):
        raise ConfigurationError("%s has an invalid host name %r (letters, digits and '-', labels of at most 63 characters)"
                                 % (option, parts.hostname[:80]))
    if port == 0 or (port is None and parts.netloc.endswith(":")):
        raise ConfigurationError("%s has an invalid port, got %r" % (option, url))
    return urlunsplit((parts.scheme.lower(),) + tuple(parts[1:])).rstrip("/")


def service_endpoint(service: str, region: str | None, cloud: str | None, override: str | None) -> str:
    """Base URL of ``service`` (for example ``ddm``): the override, or built from the region."""
    if override:
        return validate_base_url(override, "endpoint")
    if not region:
        raise ConfigurationError(
            "Cannot tell where the %s API is: set region (HW_REGION_NAME) or endpoint (HW_%s_ENDPOINT)" % (service.upper(), service.upper()))
    return "https://%s.%s.%s" % (service, region, resolve_cloud(region, cloud))


def iam_endpoint(region: str | None, cloud: str | None, override: str | None) -> str:
    """IAM base URL without the ``/v3`` suffix (users' settings come with and without it)."""
    if override:
        url = validate_base_url(override, "iam_endpoint")
        return url[:-3].rstrip("/") if url.endswith("/v3") else url
    if region:
        return "https://iam.%s.%s" % (region, resolve_cloud(region, cloud))
    return "https://iam.%s" % resolve_cloud(region, cloud)


def is_loopback(url: str) -> bool:
    """True when ``url`` points at this machine, where plain HTTP leaks nothing."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
