# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SDK-HMAC-SHA256 signing: the published test vector, and agreement with the official signer."""

from __future__ import annotations

import os
import random
import string
from urllib.parse import quote, urlsplit

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud import signer
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import ConfigurationError

AK = "AKTESTEXAMPLE0000000"
SK = "SKtestexampleSecretKey0000000000000000000"
PROJECT = "0123456789abcdef0123456789abcdef"
HOST = "ddm.cn-north-4.myhuaweicloud.com"
DATE = "20240102T030405Z"
BASE_HEADERS = {"Content-Type": "application/json", "X-Project-Id": PROJECT, "Host": HOST}


def _signature_of(authorization: str) -> str:
    return authorization.rsplit("Signature=", 1)[1]


def test_reference_vector_single_job():
    url = "https://%s/v3/%s/jobs/ff8080817b7e5a8a017b7e6d2c1f0001" % (HOST, PROJECT)
    headers = signer.sign_request("GET", url, BASE_HEADERS, b"", AK, SK, DATE)
    assert headers["X-Sdk-Date"] == DATE
    assert headers["Authorization"] == (
        "SDK-HMAC-SHA256 Access=AKTESTEXAMPLE0000000, SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
        "Signature=9630db963243157f87bffb513ba354917f3331b1a405df47bfe6734a4cdb21c0")


def test_reference_vector_list_query_is_sorted_and_signed():
    query = signer.canonical_query([("start_time", 1704067200000), ("end_time", 1704153600000), ("offset", 0), ("limit", 10)])
    assert query == "end_time=1704153600000&limit=10&offset=0&start_time=1704067200000"
    url = "https://%s/v3/%s/jobs?%s" % (HOST, PROJECT, query)
    headers = signer.sign_request("GET", url, BASE_HEADERS, b"", AK, SK, DATE)
    assert _signature_of(headers["Authorization"]) == "6d9b68e8e2fc00979217e9c6c4279af45b80da3aa8c9713687266143b93cf7a9"


def test_host_header_is_added_from_the_url_with_its_port():
    headers = signer.sign_request("GET", "http://127.0.0.1:8443/v3/x/jobs/y", {}, b"", AK, SK, DATE)
    assert headers["Host"] == "127.0.0.1:8443"
    assert "SignedHeaders=host;x-sdk-date," in headers["Authorization"]


def test_headers_with_underscore_are_not_signed_and_values_are_trimmed():
    plain = signer.sign_request("GET", "https://h/p", {"X-A": "v"}, b"", AK, SK, DATE)
    padded = signer.sign_request("GET", "https://h/p", {"X-A": "  v  ", "x_ignored": "1"}, b"", AK, SK, DATE)
    assert "x_ignored" not in padded["Authorization"]
    assert _signature_of(plain["Authorization"]) == _signature_of(padded["Authorization"])


def test_canonical_uri_encodes_segments_and_ends_with_slash():
    assert signer.canonical_uri("/v3/a b/jobs") == "/v3/a%20b/jobs/"
    assert signer.canonical_uri("/v3/a%2Fb/") == "/v3/a/b/"
    assert signer.canonical_uri("/v3/~x") == "/v3/~x/"


def test_signature_changes_with_every_signed_part():
    url = "https://%s/v3/%s/jobs/abc" % (HOST, PROJECT)
    reference = _signature_of(signer.sign_request("GET", url, BASE_HEADERS, b"", AK, SK, DATE)["Authorization"])
    variants = [
        signer.sign_request("POST", url, BASE_HEADERS, b"", AK, SK, DATE),
        signer.sign_request("GET", url + "d", BASE_HEADERS, b"", AK, SK, DATE),
        signer.sign_request("GET", url, dict(BASE_HEADERS, **{"X-Project-Id": "other"}), b"", AK, SK, DATE),
        signer.sign_request("GET", url, BASE_HEADERS, b"{}", AK, SK, DATE),
        signer.sign_request("GET", url, BASE_HEADERS, b"", AK, SK + "x", DATE),
        signer.sign_request("GET", url, BASE_HEADERS, b"", AK, SK, "20240102T030406Z"),
    ]
    assert all(_signature_of(v["Authorization"]) != reference for v in variants)


def _random_text(rng, alphabet, low=1, high=12):
    return "".join(rng.choice(alphabet) for _unused in range(rng.randint(low, high)))


def _random_request(rng):
    path_chars = string.ascii_letters + string.digits + "-_.~ %:@!$&'()*+,;="
    segments = [_random_text(rng, path_chars) for _unused in range(rng.randint(1, 4))]
    path = "/v3/" + "/".join(segments)
    params = [(_random_text(rng, string.ascii_lowercase + "_"), _random_text(rng, string.printable.strip(), 0, 10))
              for _unused in range(rng.randint(0, 4))]
    headers = {"Content-Type": "application/json", "X-Project-Id": _random_text(rng, string.hexdigits, 32, 32)}
    for _unused in range(rng.randint(0, 3)):
        headers["X-Extra-" + _random_text(rng, string.ascii_letters, 1, 5)] = " %s " % _random_text(rng, string.ascii_letters + " ")
    if rng.random() < 0.3:
        headers["X-Security-Token"] = _random_text(rng, string.ascii_letters + string.digits + "+/=", 20, 60)
    method = rng.choice(["GET", "POST", "PUT", "DELETE"])
    body = _random_text(rng, string.printable, 0, 40).encode() if method in ("POST", "PUT") else b""
    return method, path, params, headers, body


def test_agrees_with_the_official_sdk_signer_on_generated_requests(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # the SDK writes ~/.huaweicloud on import
    sdk_signer = pytest.importorskip("huaweicloudsdkcore.signer.signer")
    sdk_request = pytest.importorskip("huaweicloudsdkcore.sdk_request")
    credentials = pytest.importorskip("huaweicloudsdkcore.auth.credentials")
    oracle = sdk_signer.Signer(credentials.BasicCredentials(AK, SK))
    rng = random.Random(int(os.environ.get("SIGNER_SEED", "20241128")))
    for _unused in range(300):
        method, path, params, headers, body = _random_request(rng)
        query = signer.canonical_query(params)
        url = "https://%s%s%s" % (HOST, quote(path, safe="/~"), "?" + query if query else "")
        ours = signer.sign_request(method, url, headers, body, AK, SK, DATE)
        request = sdk_request.SdkRequest(method=method, schema="https", host=HOST, resource_path=urlsplit(url).path,
                                         query_params=list(params), header_params=dict(headers, **{"X-Sdk-Date": DATE}), body=body)
        theirs = oracle.sign(request).header_params["Authorization"]
        assert ours["Authorization"] == theirs, (method, url, headers)


@pytest.mark.parametrize("where, secret, headers, message", [
    ("secret key", "SKsecret\ud800Key", {}, "The secret key is not valid Unicode text"),
    ("security token", SK, {"X-Security-Token": "token\udc80Secret"}, "The x-security-token header is not valid Unicode text"),
])
def test_text_that_is_not_unicode_is_refused_unseen(where, secret, headers, message):
    """A lone surrogate (from a JSON file or answer) once crashed the signer with a UnicodeEncodeError."""
    with pytest.raises(ConfigurationError) as info:
        signer.sign_request("GET", "https://%s/v3/x/jobs" % HOST, dict(BASE_HEADERS, **headers), b"", AK, secret, DATE)
    assert str(info.value).startswith(message) and "the value is not shown" in str(info.value), where
    assert "Secret" not in str(info.value) and "\\u" not in str(info.value)
