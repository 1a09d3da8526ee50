# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Endpoint resolution and base URL validation."""

from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.endpoints import iam_endpoint, is_loopback, service_endpoint
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import ConfigurationError


def test_service_endpoint_from_region_and_site():
    assert service_endpoint("ddm", "cn-north-4", None, None) == "https://ddm.cn-north-4.myhuaweicloud.com"
    assert service_endpoint("ddm", "eu-west-101", None, None) == "https://ddm.eu-west-101.myhuaweicloud.eu"
    assert service_endpoint("ddm", "cn-north-4", "example.org", None) == "https://ddm.cn-north-4.example.org"


def test_override_wins_and_loses_its_trailing_slash():
    assert service_endpoint("ddm", "cn-north-4", None, "http://127.0.0.1:8080/") == "http://127.0.0.1:8080"


def test_no_region_and_no_endpoint_is_a_clear_error():
    with pytest.raises(ConfigurationError, match="set region .HW_REGION_NAME. or endpoint .HW_DDM_ENDPOINT."):
        service_endpoint("ddm", None, None, None)


@pytest.mark.parametrize("override", ["https://iam.example.org/v3", "https://iam.example.org/v3/", "https://iam.example.org", "https://iam.example.org/"])
def test_iam_endpoint_with_or_without_v3(override):
    assert iam_endpoint("cn-north-4", None, override) == "https://iam.example.org"


def test_iam_endpoint_defaults():
    assert iam_endpoint("cn-north-4", None, None) == "https://iam.cn-north-4.myhuaweicloud.com"
    assert iam_endpoint("eu-west-101", None, None) == "https://iam.eu-west-101.myhuaweicloud.eu"
    assert iam_endpoint(None, None, None) == "https://iam.myhuaweicloud.com"


@pytest.mark.parametrize("url,fragment", [
    ("ftp://host", "http:// or https://"),
    ("host.example.org", "http:// or https://"),
    ("https://", "http:// or https://"),
    ("https://host/?a=b", "query string or fragment"),
    ("https://host/#frag", "query string or fragment"),
    ("https://user:pw@host", "must not embed user credentials"),
    ("https://host:99999", "not a valid URL"),
    ("https://host:abc", "not a valid URL"),
    ("https://host:0", "invalid port"),
    ("https://host:", "invalid port"),
    ("https://ddm.example.invalid\n", "must not contain spaces, line breaks or control characters"),
    ("https://ddm example.invalid", "must not contain spaces"),
    ("https://%s.example.invalid" % ("a" * 300), "invalid host name"),
    ("https://exa$mple.invalid", "invalid host name"),
    ("https://-lead.example.invalid", "invalid host name"),
])
def test_bad_base_urls_name_the_option(url, fragment):
    with pytest.raises(ConfigurationError) as info:
        service_endpoint("ddm", None, None, url)
    assert str(info.value).startswith("endpoint ")
    assert fragment in str(info.value)
    with pytest.raises(ConfigurationError, match="^iam_endpoint "):
        iam_endpoint(None, None, url)


@pytest.mark.parametrize("url,expected", [
    ("http://127.0.0.1:1", True), ("http://127.9.9.9", True), ("http://localhost:8", True), ("http://[::1]:80", True),
    ("http://10.0.0.1", False), ("http://ddm.example.invalid", False), ("http://localhost.example.invalid", False),
])
def test_is_loopback(url, expected):
    assert is_loopback(url) is expected


@pytest.mark.parametrize("url", ["HTTP://ddm.example.invalid/", "Https://DDM.example.invalid", "hTTp://127.0.0.1:8080"])
def test_schemes_are_case_insensitive_and_normalised(url):
    assert service_endpoint("ddm", None, None, url).split("://")[0] in ("http", "https")
    assert service_endpoint("ddm", None, None, url).split("://")[1] == url.split("://")[1].rstrip("/")


@pytest.mark.parametrize("region,expected", [
    ("eu-west-101", "https://ddm.eu-west-101.myhuaweicloud.eu"),
    ("eu-west-102", "https://ddm.eu-west-102.myhuaweicloud.eu"),  # any eu-west-1*, as the Terraform provider has it
    ("eu-west-0", "https://ddm.eu-west-0.myhuaweicloud.com"),
    ("la-north-2", "https://ddm.la-north-2.myhuaweicloud.com"),
])
def test_european_regions_use_the_european_domain(region, expected):
    assert service_endpoint("ddm", region, None, None) == expected


def test_every_region_of_the_sdk_table_gets_the_sdk_endpoint():
    # The official SDK is a test-only dependency (tests/requirements of the development venv).
    ddm_region = pytest.importorskip("huaweicloudsdkddm.v1.region.ddm_region")
    table = ddm_region.DdmRegion.static_fields
    assert len(table) >= 17
    for region_id, region in table.items():
        assert service_endpoint("ddm", region_id, None, None) == region.endpoints[0], region_id
