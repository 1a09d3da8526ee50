# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud ``SDK-HMAC-SHA256`` request signing (AK/SK authentication).

Pure functions with no I/O, so the signature can be checked against the
published test vector and against the official SDK's signer.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from urllib.parse import quote, unquote, urlsplit

from .errors import ConfigurationError

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()


def _utf8(text: str, what: str) -> bytes:
    """``text`` as UTF-8; text that has none (a lone surrogate, which a JSON answer or file may hold) is refused unseen."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigurationError("%s is not valid Unicode text (it holds a lone surrogate), so the request cannot be signed "
                                 "(the value is not shown)" % what) from None


def sdk_date(now: datetime.datetime | None = None) -> str:
    """The ``X-Sdk-Date`` value for ``now`` (default: the current UTC time)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now.strftime(DATE_FORMAT)


def _encode(text: str) -> str:
    # Only unreserved characters stay; '/' is encoded too, unlike quote()'s default.
    return quote(text, safe="~")


def canonical_uri(path: str) -> str:
    """Percent-encode each path segment and end with '/', as the gateway does."""
    uri = "/".join(_encode(segment) for segment in unquote(path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(params) -> str:
    """Sorted ``key=value`` pairs joined by '&'; also the order the query must be sent in."""
    pairs = sorted((str(key), str(value)) for key, value in params)
    return "&".join("%s=%s" % (_encode(key), _encode(value)) for key, value in pairs)


def signed_header_names(headers: dict) -> list[str]:
    """Every header whose name has no '_', lower-cased and sorted."""
    return sorted(name.lower() for name in headers if "_" not in name)


def canonical_request(method: str, url: str, headers: dict, body: bytes = b"") -> tuple[str, list[str]]:
    """Return the canonical request text and the signed header names."""
    parts = urlsplit(url)
    query = [tuple(item.split("=", 1)) if "=" in item else (item, "") for item in parts.query.split("&") if item]
    query = [(unquote(key), unquote(value)) for key, value in query]
    names = signed_header_names(headers)
    values = {name.lower(): str(value).strip() for name, value in headers.items()}
    for name in names:
        _utf8(values[name], "The %s header" % name)
    _utf8(url, "The request URL")
    header_block = "".join("%s:%s\n" % (name, values[name]) for name in names)
    body_hash = hashlib.sha256(body).hexdigest() if body else EMPTY_BODY_SHA256
    text = "\n".join([method.upper(), canonical_uri(parts.path or "/"), canonical_query(query), header_block, ";".join(names), body_hash])
    return text, names


def signature(secret_key: str, date: str, canonical: str) -> str:
    """Hex HMAC-SHA256 of the string to sign, keyed with the secret key."""
    string_to_sign = "\n".join([ALGORITHM, date, hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    return hmac.new(_utf8(secret_key, "The secret key"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def sign_request(method: str, url: str, headers: dict, body: bytes, access_key: str, secret_key: str,
                 date: str | None = None) -> dict:
    """Return a copy of ``headers`` with ``X-Sdk-Date``, ``Host`` and ``Authorization`` added.

    ``url`` must already carry its query in canonical order (see :func:`canonical_query`),
    because the gateway rebuilds the canonical request from what it receives.
    """
    signed = dict(headers)
    signed["X-Sdk-Date"] = date or sdk_date()
    if not any(name.lower() == "host" for name in signed):
        signed["Host"] = urlsplit(url).netloc.rpartition("@")[2]
    canonical, names = canonical_request(method, url, signed, body)
    signed["Authorization"] = "%s Access=%s, SignedHeaders=%s, Signature=%s" % (
        ALGORITHM, access_key, ";".join(names), signature(secret_key, signed["X-Sdk-Date"], canonical))
    return signed
