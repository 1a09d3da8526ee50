# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The documented order of credential sources, the refused combinations, and the scheme built from them."""

from __future__ import annotations

import json

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.auth import AkSkAuth, PasswordAuth, TokenAuth
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.credentials import build_auth, resolve_credentials
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import ConfigurationError
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ansible.module import huaweicloud_argument_spec
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.temporary_credentials import (AgencySource, MetadataSource,
                                                                                                     RenewingAkSkAuth)

PROFILE = {"current": "dev", "profiles": [{"name": "dev", "mode": "AKSK", "accessKeyId": "AKCFG", "secretAccessKey": "SKCFG",
                                           "securityToken": "STCFG", "region": "ap-southeast-1", "projectId": "pcfg",
                                           "agencyName": "cfg-agency", "agencyDomainName": "cfg-account"}]}
SDK_FILE = "[basic]\nak = AKSDK\nsk = SKSDK\nproject_id = psdk\niam_endpoint = https://iam.sdk.invalid\n"


def options(**values):
    """Every shared option, unset unless given (as AnsibleModule passes them)."""
    params = {name: None for name in huaweicloud_argument_spec()}
    params.update(api_timeout=30, max_retries=5, validate_certs=True, use_ecs_metadata=False)
    params.update(values)
    return params


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty HOME: the default file paths point into it."""
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def shared_config(home, content=None):
    path = home / ".hcloud" / "config.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(content or PROFILE))
    path.chmod(0o600)
    return str(path)


def sdk_file(home, text=SDK_FILE):
    path = home / ".huaweicloud" / "credentials"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)
    return str(path)


def test_options_win_and_files_are_not_read(home):
    sdk_file(home, "not an ini file")
    resolution = resolve_credentials(options(access_key="AK", secret_key="SK"), {})
    assert resolution.source == "options"
    assert isinstance(build_auth(resolution), AkSkAuth)


def test_shared_profile_when_named(home):
    path = shared_config(home)
    resolution = resolve_credentials(options(profile="dev", region="cn-north-4"), {})
    assert resolution.source == "shared config file %s" % path
    # Options beat the file's settings; the file fills the gaps.
    assert resolution.params["region"] == "cn-north-4"
    assert resolution.params["project_id"] == "pcfg"
    assert resolution.params["access_key"] == "AKCFG"
    assert set(resolution.secrets) == {"SKCFG", "STCFG"}
    assert resolution.origins["project_id"] == "projectId of profile 'dev' in %s" % path
    auth = build_auth(resolution)
    assert isinstance(auth, RenewingAkSkAuth) and isinstance(auth.source, AgencySource)
    assert auth.source.agency_name == "cfg-agency" and auth.source.domain_name == "cfg-account"


def test_shared_file_is_not_read_unless_named(home):
    shared_config(home)
    with pytest.raises(ConfigurationError) as raised:
        build_auth(resolve_credentials(options(), {}))
    message = str(raised.value)
    # The KooCLI user learns why the file was not read, and what to set.
    assert message.startswith("No credentials were given: %s (KooCLI's profiles) is read only when profile or shared_config_file is set"
                              % (home / ".hcloud" / "config.json"))
    assert "set profile (HW_PROFILE)" in message and "auth_token (HW_AUTH_TOKEN)" in message


def test_no_shared_file_no_hint(home):
    with pytest.raises(ConfigurationError) as raised:
        build_auth(resolve_credentials(options(), {}))
    assert "KooCLI" not in str(raised.value)
    assert str(raised.value).startswith("No credentials were given: use one of: auth_token")


def test_project_name_and_agency_options_keep_the_files_values_out(home):
    shared_config(home)
    resolution = resolve_credentials(options(shared_config_file=str(home / ".hcloud" / "config.json"), project_name="cn-north-4_team",
                                             agency_name="mine", agency_domain_name="my-account"), {})
    assert resolution.params["project_id"] is None
    assert (resolution.params["agency_name"], resolution.params["agency_domain_name"]) == ("mine", "my-account")


def test_sdk_file_named_or_at_its_default_path(home):
    path = sdk_file(home)
    resolution = resolve_credentials(options(), {})
    assert resolution.source == "SDK credentials file %s" % path
    assert resolution.params["iam_endpoint"] == "https://iam.sdk.invalid"
    assert resolution.secrets == ["SKSDK"]
    other = home / "other-credentials"
    other.write_text(SDK_FILE.replace("AKSDK", "AKOTHER"))
    named = resolve_credentials(options(), {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(other)})
    assert named.params["access_key"] == "AKOTHER"
    with pytest.raises(ConfigurationError, match="The SDK credentials file .*/missing cannot be read"):
        resolve_credentials(options(), {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(home / "missing")})


def test_shared_profile_comes_before_the_sdk_file(home):
    sdk_file(home)
    shared_config(home)
    assert resolve_credentials(options(profile="dev"), {}).params["access_key"] == "AKCFG"


def test_metadata_only_when_asked_and_last(home):
    with pytest.raises(ConfigurationError, match="No credentials were given"):
        build_auth(resolve_credentials(options(), {"HW_METADATA_ENDPOINT": "http://127.0.0.1:1"}))
    resolution = resolve_credentials(options(use_ecs_metadata=True), {"HW_METADATA_ENDPOINT": "http://127.0.0.1:1/"})
    assert resolution.source == "ECS metadata"
    auth = build_auth(resolution)
    assert isinstance(auth.source, MetadataSource) and auth.source.base_url == "http://127.0.0.1:1"
    # The default address is only a value here: nothing is sent while resolving.
    assert resolve_credentials(options(use_ecs_metadata=True), {}).metadata_url == "http://169.254.169.254"
    with pytest.raises(ConfigurationError, match="HW_METADATA_ENDPOINT must be an http"):
        resolve_credentials(options(use_ecs_metadata=True), {"HW_METADATA_ENDPOINT": "ftp://x"})
    sdk_file(home)
    assert resolve_credentials(options(use_ecs_metadata=True), {}).source.startswith("SDK credentials file")


@pytest.mark.parametrize("url,warned", [
    ("http://169.254.169.254", False),  # the ECS metadata service: plain HTTP on the host's own link, by design
    ("http://[fe80::a9fe:a9fe]", False),
    ("http://127.0.0.1:8080", False),
    ("http://localhost:8080", False),
    ("https://metadata.example.invalid", False),
    ("http://metadata.example.invalid", True),
    ("HTTP://metadata.example.invalid:8080", True),
    ("http://10.0.0.5", True),
])
def test_plain_http_metadata_through_a_network_is_insecure(home, url, warned):
    resolution = resolve_credentials(options(use_ecs_metadata=True), {"HW_METADATA_ENDPOINT": url})
    netloc = url.split("://", 1)[1]
    expected = ["INSECURE: temporary credentials are fetched over plain http:// from %s (HW_METADATA_ENDPOINT); use https://, or the "
                "metadata service's link-local address" % netloc]
    assert resolution.warnings == (expected if warned else [])


@pytest.mark.parametrize("values,fragment", [
    (dict(project_id="p", project_name="n"), "project_id .HW_PROJECT_ID. and project_name .HW_PROJECT_NAME. both name the project"),
    (dict(domain_id="d", domain_name="n"), "domain_id .HW_DOMAIN_ID. and domain_name .HW_DOMAIN_NAME. both name the account"),
    (dict(profile="dev", auth_token="t"), "ask for the credentials of a shared config profile, and auth_token give credentials too"),
    (dict(shared_config_file="/x", access_key="A", secret_key="S"), "and access_key, secret_key give credentials too"),
    (dict(auth_token="t", agency_name="a"), "agency_name .HW_ASSUME_ROLE_AGENCY_NAME. needs agency_domain_name"),
    (dict(auth_token="t", agency_domain_name="d"), "only apply with agency_name"),
    (dict(auth_token="t", agency_duration=3600), "only apply with agency_name"),
    (dict(auth_token="t", agency_name="a", agency_domain_name="d", agency_duration=600), "between 900 and 86400 seconds, got 600"),
], ids=["project", "domain", "profile-token", "file-aksk", "agency-without-domain", "domain-without-agency", "duration-alone", "duration"])
def test_combinations_that_cannot_be_meant_together(home, values, fragment):
    with pytest.raises(ConfigurationError, match=fragment):
        resolve_credentials(options(**values), {})


def test_agency_wraps_any_base_and_scopes_a_password_to_the_account(home):
    for base, kind in ((dict(auth_token="t"), TokenAuth), (dict(access_key="A", secret_key="S"), AkSkAuth),
                       (dict(user_name="u", password="p", domain_id="d1"), PasswordAuth)):
        auth = build_auth(resolve_credentials(options(agency_name="a", agency_domain_name="d", **base), {}))
        assert isinstance(auth.source.base, kind)
        assert auth.source.duration == 3600
    password = auth.source.base
    assert password._scope() == {"domain": {"id": "d1"}}  # pylint: disable=protected-access


def test_temporary_keys_from_a_file_name_their_origin(home):
    path = shared_config(home)
    auth = build_auth(resolve_credentials(options(profile="dev", agency_name="x", agency_domain_name="y"), {}))
    assert auth.source.base._token_origin == "securityToken of profile 'dev' in %s" % path  # pylint: disable=protected-access
