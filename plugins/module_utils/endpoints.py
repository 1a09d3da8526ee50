# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Service and IAM endpoint resolution, and validation of user-given base URLs."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from .errors import ConfigurationError

DEFAULT_CLOUD = "myhuaweicloud.com"
# Regions hosted on another site's domain when the user does not name one.
REGION_CLOUDS = {"eu-west-101": "myhuaweicloud.eu"}


def resolve_cloud(region: str | None, cloud: str | None) -> str:
    return cloud or REGION_CLOUDS.get(region or "", DEFAULT_CLOUD)


def validate_base_url(url: str, option: str) -> str:
    """Return ``url`` without a trailing '/', or raise naming ``option``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigurationError("%s is not a valid URL: %s" % (option, exc)) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError("%s must be an http:// or https:// URL with a host name, got %r" % (option, url))
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ConfigurationError("%s must not carry a query string or fragment, got %r" % (option, url))
    if parts.username or parts.password:
        raise ConfigurationError("%s must not embed user credentials" % option)
    del port  # parsed only to reject a malformed port
    return url.rstrip("/")


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
