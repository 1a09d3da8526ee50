# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small, independent SDK-HMAC-SHA256 signer and request helper for tests (written from the API reference).

It deliberately shares no code with the emulator's verifier, so a test that signs here and
verifies there checks two implementations against each other (and both against the SDK).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote, unquote, urlsplit

import requests


def _quote(text):
    return quote(str(text), safe="~")


def sign(method, url, params=(), headers=None, body=b"", access_key="", secret_key="", date=None):
    """Return (url with canonical query, headers with X-Sdk-Date, Host and Authorization added)."""
    split = urlsplit(url)
    headers = dict(headers or {})
    headers.setdefault("X-Sdk-Date", date or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
    headers.setdefault("Host", split.netloc)
    pairs = sorted((str(key), str(value)) for key, value in params)
    query = "&".join("%s=%s" % (_quote(key), _quote(value)) for key, value in pairs)
    path = "/".join(_quote(part) for part in unquote(split.path).split("/"))
    path = path if path.endswith("/") else path + "/"
    lowered = {name.lower(): str(value).strip() for name, value in headers.items()}
    signed = sorted(name for name in lowered if "_" not in name)
    canonical = "\n".join([method.upper(), path, query, "".join("%s:%s\n" % (name, lowered[name]) for name in signed),
                           ";".join(signed), hashlib.sha256(body).hexdigest()])
    to_sign = "SDK-HMAC-SHA256\n%s\n%s" % (lowered["x-sdk-date"], hashlib.sha256(canonical.encode("utf-8")).hexdigest())
    signature = hmac.new(secret_key.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    headers["Authorization"] = "SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s" % (access_key, ";".join(signed), signature)
    base = "%s://%s%s" % (split.scheme, split.netloc, split.path)
    return (base + "?" + query if query else base), headers


def call(method, url, params=(), token=None, aksk=None, project_id=None, security_token=None, date=None,
         headers=None, body=b"", timeout=10, session=None):
    """Send one API request authenticated with a token, an (ak, sk) pair, or nothing."""
    headers = dict(headers or {})
    headers.setdefault("Content-Type", "application/json")
    if project_id:
        headers["X-Project-Id"] = project_id
    if security_token:
        headers["X-Security-Token"] = security_token
    params = list(params.items()) if isinstance(params, dict) else list(params)
    if aksk:
        url, headers = sign(method, url, params, headers, body, aksk[0], aksk[1], date)
        params = None
    if token:
        headers["X-Auth-Token"] = token
    sender = session or requests
    return sender.request(method, url, params=params, headers=headers, data=body or None, timeout=timeout)
