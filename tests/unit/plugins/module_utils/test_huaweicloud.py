# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared option validation and the argument spec every module gets."""

from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils import huaweicloud
from ansible_collections.huaweicloud.cloud.plugins.module_utils.errors import ConfigurationError

VALID = dict(project_id="0123456789abcdef0123456789abcdef", region="cn-north-4", cloud="myhuaweicloud.com", api_timeout=30, max_retries=5)


def test_valid_options_pass():
    huaweicloud.check_connection_options(dict(VALID))


@pytest.mark.parametrize("option,value,fragment", [
    ("project_id", "abc/def", "project_id must be a plain id"),
    ("project_id", "..", "project_id must be a plain id"),
    ("region", "CN North 4", "region must look like 'cn-north-4'"),
    ("region", "cn-north-4/../x", "region must look like"),
    ("cloud", "evil.com/path", "cloud must be a domain suffix"),
    ("api_timeout", 0, "api_timeout must be between 1 and 600 seconds"),
    ("api_timeout", 601, "api_timeout must be between 1 and 600 seconds"),
    ("max_retries", -1, "max_retries must be between 0 and 20"),
    ("max_retries", 21, "max_retries must be between 0 and 20"),
])
def test_bad_options_are_named(option, value, fragment):
    with pytest.raises(ConfigurationError, match=fragment):
        huaweicloud.check_connection_options(dict(VALID, **{option: value}))


@pytest.mark.parametrize("value", ["", " ", "a b", "a/b", "..", "a?b", "a#b", "a%2Fb", "x" * 129, "-leading"])
def test_plain_ids_reject_anything_that_could_change_the_url(value):
    with pytest.raises(ConfigurationError, match="job_id must be a plain id"):
        huaweicloud.check_plain_id(value, "job_id")


@pytest.mark.parametrize("value", ["31b8ae23-c687-4d80-b7b4-42a66c9bb886", "ff8080817b7e5a8a017b7e6d2c1f0001", "a_b", "x" * 128])
def test_plain_ids_accept_real_ids(value):
    huaweicloud.check_plain_id(value, "job_id")


def test_secrets_are_no_log_and_everything_has_an_env_fallback():
    spec = huaweicloud.huaweicloud_argument_spec()
    assert {name for name, option in spec.items() if option.get("no_log")} == {"auth_token", "secret_key", "security_token", "password"}
    assert spec["access_key"]["no_log"] is False
    without_env = {name for name, option in spec.items() if "fallback" not in option}
    assert without_env == {"validate_certs", "ca_path", "api_timeout"}
    assert spec["max_retries"]["fallback"][1] == ["HW_MAX_RETRIES"]
    assert huaweicloud.endpoint_argument_spec("ddm")["endpoint"]["fallback"][1] == ["HW_DDM_ENDPOINT"]


@pytest.mark.parametrize("option", ["auth_token", "security_token", "access_key"])
@pytest.mark.parametrize("value", ["S3cr3t\nX-Injected: 1", "S3cr3t\r\n", "S3cr3t en", "S3cr3t\x00", "S3cr3té", "S3cr3t\u2603"])
def test_header_borne_credentials_must_be_visible_ascii_and_are_never_echoed(option, value):
    with pytest.raises(ConfigurationError) as info:
        huaweicloud.check_connection_options(dict(VALID, **{option: value}))
    assert str(info.value).startswith("%s cannot be sent in an HTTP header" % option)
    assert "S3cr3t" not in str(info.value)


def test_real_looking_credentials_pass():
    huaweicloud.check_connection_options(dict(VALID, auth_token="MIIEXAYJKoZIhvcNAQcCoIIETTCCBEkCAQExDTALBglghkgBZQMEAgEw+/=-_",
                                              security_token="gQpjbi1ub3J0aC00RTfA", access_key="AKEMULATOR0000000000"))
