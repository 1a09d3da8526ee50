# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the shared config file and the SDK credentials file: fields, clear errors, no leaks, no hangs."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud import credential_files
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.credential_files import load_sdk_credentials, load_shared_profile
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import ConfigurationError

SECRET = "SKfileSecret0000000000000000000000000000"
PROFILES = {"current": "dev", "profiles": [
    {"name": "dev", "mode": "AKSK", "accessKeyId": "AKDEV", "secretAccessKey": SECRET, "region": "cn-north-4", "projectId": "p1"},
    {"name": "ops", "mode": "AKSK", "accessKeyId": "AKOPS", "secretAccessKey": SECRET, "securityToken": "st",
     "agencyName": "ddm-ops", "agencyDomainName": "other-account", "domainId": "d1", "projectId": ""},
    {"name": "sso", "mode": "SSO", "accessKeyId": "AKSSO", "secretAccessKey": SECRET},
]}
# KooCLI's usual key shapes: a 20-character access key id, a 40-character secret key.
PLAIN_AK, PLAIN_SK = "HPUAB3RAZ9XK4QWEL1TS", "q8Hw2Lk9ZpR4t7VbN1mX3cJ6sD0fG5hY2uE8iO4a"
SSO_PROFILE = {"name": "sso", "mode": "SSO", "region": "cn-north-4", "projectId": "p9", "accessKeyId": "", "secretAccessKey": "",
               "ssoAuth": {"stsToken": {"accessKeyId": PLAIN_AK, "secretAccessKey": PLAIN_SK, "securityToken": "gQpjbi1ub3J0aC00sso"},
                           "ssoSessionName": "corp"}}


def write(tmp_path, name, content, mode=0o600):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    path.chmod(mode)
    return str(path)


def test_current_profile_is_the_default(tmp_path):
    loaded = load_shared_profile(write(tmp_path, "config.json", PROFILES), None)
    assert loaded.values == {"access_key": "AKDEV", "secret_key": SECRET, "region": "cn-north-4", "project_id": "p1"}
    assert loaded.origins["region"].startswith("region of profile 'dev' in ")
    assert loaded.warnings == []


def test_named_profile_with_agency_and_empty_fields_skipped(tmp_path):
    loaded = load_shared_profile(write(tmp_path, "config.json", PROFILES), "ops")
    assert loaded.values == {"access_key": "AKOPS", "secret_key": SECRET, "security_token": "st", "agency_name": "ddm-ops",
                             "agency_domain_name": "other-account", "domain_id": "d1"}


@pytest.mark.parametrize("config,profile,fragment", [
    (PROFILES, "nope", r"has no profile 'nope' \(it has: dev, ops, sso\)"),
    (PROFILES, "sso", "is an SSO profile without keys under ssoAuth.stsToken"),
    ({"current": "x", "profiles": [{"name": "x", "mode": "Token"}]}, None, "uses mode 'Token', which this collection cannot use"),
    ({"profiles": []}, None, r"names no current profile: set profile \(HW_PROFILE\)"),
    ([], None, "is not a KooCLI config"),
    ({"current": "x", "profiles": [{"name": "x", "mode": "AKSK", "accessKeyId": "AK"}]}, None, "Profile 'x' in .* has no secretAccessKey"),
    ({"current": "x", "profiles": [{"name": "x", "accessKeyId": "AK", "secretAccessKey": 5}]}, None, "secretAccessKey of profile 'x'.* must be a string"),
], ids=["unknown", "sso-without-keys", "token-mode", "no-current", "not-an-object", "no-secret", "not-a-string"])
def test_profile_errors_are_named(tmp_path, config, profile, fragment):
    with pytest.raises(ConfigurationError, match=fragment):
        load_shared_profile(write(tmp_path, "config.json", config), profile)


def test_sso_profile_keys_come_from_sso_auth_sts_token(tmp_path):
    # As the Terraform provider reads them: the keys from ssoAuth.stsToken, everything else from the profile.
    loaded = load_shared_profile(write(tmp_path, "config.json", {"current": "sso", "profiles": [SSO_PROFILE]}), None)
    assert loaded.values == {"access_key": PLAIN_AK, "secret_key": PLAIN_SK, "security_token": "gQpjbi1ub3J0aC00sso",
                             "region": "cn-north-4", "project_id": "p9"}
    assert loaded.origins["security_token"].startswith("ssoAuth.stsToken.securityToken of profile 'sso' in ")
    assert loaded.origins["region"].startswith("region of profile 'sso' in ")


@pytest.mark.parametrize("sso_auth,fragment", [
    (None, "is an SSO profile without keys under ssoAuth.stsToken"),
    ({"stsToken": {}}, "is an SSO profile without keys under ssoAuth.stsToken"),
    ({"stsToken": "text"}, "is an SSO profile without keys under ssoAuth.stsToken"),
    ({"stsToken": {"accessKeyId": PLAIN_AK, "secretAccessKey": PLAIN_SK}}, "has no ssoAuth.stsToken.securityToken$"),
    ({"stsToken": {"accessKeyId": PLAIN_AK, "secretAccessKey": 7, "securityToken": "t"}},
     "ssoAuth.stsToken.secretAccessKey of profile 'sso' .* must be a string"),
], ids=["no-sso-auth", "empty-sts-token", "sts-token-not-an-object", "no-security-token", "not-a-string"])
def test_sso_profile_errors_are_named(tmp_path, sso_auth, fragment):
    profile = dict(SSO_PROFILE, accessKeyId=PLAIN_AK, secretAccessKey=PLAIN_SK, ssoAuth=sso_auth)
    with pytest.raises(ConfigurationError, match=fragment) as info:
        load_shared_profile(write(tmp_path, "config.json", {"current": "sso", "profiles": [profile]}), None)
    assert PLAIN_SK not in str(info.value)


ENCRYPTED = {
    # What KooCLI's encryption makes of a key: base64 or hex text longer than any key, or with '+', '/', '='.
    "base64-ak": ({"accessKeyId": "k3J0aC00L2FiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6MDEy+/Q=="}, "accessKeyId of profile"),
    "hex-sk": ({"secretAccessKey": "9f" * 48}, "secretAccessKey of profile"),
    "both": ({"accessKeyId": "QUtFTkNSWVBURUQwMDAwMDAwMDAwMDAwMA==", "secretAccessKey": "c2VjcmV0L2tleQ==" * 4},
             "accessKeyId and secretAccessKey of profile"),
    "sso": ({"mode": "SSO", "ssoAuth": {"stsToken": {"accessKeyId": "QUtFTkNSWVBURUQ=", "secretAccessKey": PLAIN_SK, "securityToken": "t"}}},
            "ssoAuth.stsToken.accessKeyId of profile"),
}


@pytest.mark.parametrize("fields,named", list(ENCRYPTED.values()), ids=list(ENCRYPTED))
def test_keys_that_cannot_be_plain_keys_get_the_encryption_hint(tmp_path, fields, named):
    profile = dict({"name": "dev", "mode": "AKSK", "accessKeyId": PLAIN_AK, "secretAccessKey": PLAIN_SK}, **fields)
    path = write(tmp_path, "config.json", {"current": "dev", "profiles": [profile]})
    with pytest.raises(ConfigurationError) as info:
        load_shared_profile(path, None)
    message = str(info.value)
    assert message.startswith("%s 'dev' in %s do" % (named, path)), message
    assert "not look like plain keys" in message and "hcloud configure set --cli-profile=dev --cli-auth-encrypt=false" in message, message
    assert not any(value in message for value in (profile["accessKeyId"], profile["secretAccessKey"]) if len(value) > 8), message


def test_plain_keys_of_the_usual_shapes_are_taken(tmp_path):
    profile = {"name": "dev", "mode": "AKSK", "accessKeyId": PLAIN_AK, "secretAccessKey": PLAIN_SK}
    loaded = load_shared_profile(write(tmp_path, "config.json", {"current": "dev", "profiles": [profile]}), None)
    assert loaded.values == {"access_key": PLAIN_AK, "secret_key": PLAIN_SK}


def test_ecs_agency_mode_points_at_use_ecs_metadata(tmp_path):
    config = {"current": "ecs", "profiles": [{"name": "ecs", "mode": "ecsAgency"}]}
    with pytest.raises(ConfigurationError, match="use_ecs_metadata"):
        load_shared_profile(write(tmp_path, "config.json", config), None)


def test_broken_json_is_named_without_its_content(tmp_path):
    path = write(tmp_path, "config.json", '{"profiles": [{"secretAccessKey": "%s",}' % SECRET)
    with pytest.raises(ConfigurationError) as info:
        load_shared_profile(path, None)
    assert str(info.value).startswith("The shared config file %s is not valid JSON" % path)
    assert SECRET not in str(info.value)


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(ConfigurationError, match="The shared config file .*missing.json cannot be read: No such file or directory"):
        load_shared_profile(str(tmp_path / "missing.json"), None)


def test_world_readable_file_is_warned_about(tmp_path):
    loaded = load_shared_profile(write(tmp_path, "config.json", PROFILES, mode=0o644), None)
    assert len(loaded.warnings) == 1
    assert "every user of this machine may read it (mode 0644); restrict it with chmod 600" in loaded.warnings[0]


def test_a_fifo_is_refused_without_waiting(tmp_path):
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    with pytest.raises(ConfigurationError, match="is not a regular file"):
        load_shared_profile(fifo, None)


def test_devices_and_directories_are_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="is not a regular file"):
        load_shared_profile("/dev/zero", None)
    with pytest.raises(ConfigurationError, match="cannot be read|is not a regular file"):
        load_shared_profile(str(tmp_path), None)


def test_large_files_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(credential_files, "MAX_FILE_BYTES", 64)
    with pytest.raises(ConfigurationError, match="is larger than 0 KiB"):
        load_shared_profile(write(tmp_path, "config.json", PROFILES), None)


def test_sdk_credentials_file(tmp_path):
    text = "[basic]\nak = AKSDK\nsk = SK%with%percent\nsecurity_token = st\nproject_id = p2\niam_endpoint = https://iam.example.invalid\n"
    loaded = load_sdk_credentials(write(tmp_path, "credentials", text))
    assert loaded.values == {"access_key": "AKSDK", "secret_key": "SK%with%percent", "security_token": "st", "project_id": "p2",
                             "iam_endpoint": "https://iam.example.invalid"}
    assert loaded.origins["project_id"].startswith("project_id in [basic] of ")


def test_sdk_file_with_idp_id_alone_uses_its_keys(tmp_path):
    # The SDK needs both idp_id and id_token_file for a federated identity; with one of them it signs with ak and sk.
    loaded = load_sdk_credentials(write(tmp_path, "credentials", "[basic]\nak = AKSDK\nsk = %s\nidp_id = idp\n" % SECRET))
    assert loaded.values == {"access_key": "AKSDK", "secret_key": SECRET}


@pytest.mark.parametrize("text,fragment", [
    ("[global]\nak = A\nsk = B\n", r"has no \[basic\] section"),
    ("[basic]\nak = A\n", r"has no ak and sk in \[basic\]$"),
    ("[basic]\nidp_id = idp\nid_token_file = /t\n", r"holds a federated identity \(idp_id and id_token_file in \[basic\]\)"),
    # With ak and sk as well: the SDK signs in as the federated identity and never uses them, so neither may this.
    ("[basic]\nak = AKSDK\nsk = %s\nidp_id = idp\nid_token_file = /t\n" % SECRET,
     r"holds a federated identity \(idp_id and id_token_file in \[basic\]\), which the SDK uses instead of its ak and sk"),
    ("sk = %s\n[basic]\n" % SECRET, r"is not a valid INI file \(MissingSectionHeaderError, line 1\)"),
    ("[basic]\nak = A\nak = B\n", r"is not a valid INI file \(DuplicateOptionError, line 3\)"),
], ids=["no-basic", "no-sk", "federated", "federated-with-keys", "no-header", "duplicate"])
def test_sdk_file_errors_never_quote_lines(tmp_path, text, fragment):
    with pytest.raises(ConfigurationError, match=fragment) as info:
        load_sdk_credentials(write(tmp_path, "credentials", text))
    assert SECRET not in str(info.value)
