# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the shared config file and the SDK credentials file: fields, clear errors, no leaks, no hangs."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils import credential_files
from ansible_collections.huaweicloud.cloud.plugins.module_utils.credential_files import load_sdk_credentials, load_shared_profile
from ansible_collections.huaweicloud.cloud.plugins.module_utils.errors import ConfigurationError

SECRET = "SKfileSecret0000000000000000000000000000"
PROFILES = {"current": "dev", "profiles": [
    {"name": "dev", "mode": "AKSK", "accessKeyId": "AKDEV", "secretAccessKey": SECRET, "region": "cn-north-4", "projectId": "p1"},
    {"name": "ops", "mode": "AKSK", "accessKeyId": "AKOPS", "secretAccessKey": SECRET, "securityToken": "st",
     "agencyName": "ddm-ops", "agencyDomainName": "other-account", "domainId": "d1", "projectId": ""},
    {"name": "sso", "mode": "SSO", "accessKeyId": "AKSSO", "secretAccessKey": SECRET},
]}


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
    (PROFILES, "sso", "uses mode 'SSO', which this collection cannot use"),
    ({"profiles": []}, None, r"names no current profile: set profile \(HW_PROFILE\)"),
    ([], None, "is not a KooCLI config"),
    ({"current": "x", "profiles": [{"name": "x", "mode": "AKSK", "accessKeyId": "AK"}]}, None, "Profile 'x' in .* has no secretAccessKey"),
    ({"current": "x", "profiles": [{"name": "x", "accessKeyId": "AK", "secretAccessKey": 5}]}, None, "secretAccessKey of profile 'x'.* must be a string"),
], ids=["unknown", "sso-mode", "no-current", "not-an-object", "no-secret", "not-a-string"])
def test_profile_errors_are_named(tmp_path, config, profile, fragment):
    with pytest.raises(ConfigurationError, match=fragment):
        load_shared_profile(write(tmp_path, "config.json", config), profile)


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


@pytest.mark.parametrize("text,fragment", [
    ("[global]\nak = A\nsk = B\n", r"has no \[basic\] section"),
    ("[basic]\nak = A\n", r"has no ak and sk in \[basic\]$"),
    ("[basic]\nidp_id = idp\nid_token_file = /t\n", "federated idp_id/id_token_file credentials are not supported"),
    ("sk = %s\n[basic]\n" % SECRET, r"is not a valid INI file \(MissingSectionHeaderError, line 1\)"),
    ("[basic]\nak = A\nak = B\n", r"is not a valid INI file \(DuplicateOptionError, line 3\)"),
], ids=["no-basic", "no-sk", "federated", "no-header", "duplicate"])
def test_sdk_file_errors_never_quote_lines(tmp_path, text, fragment):
    with pytest.raises(ConfigurationError, match=fragment) as info:
        load_sdk_credentials(write(tmp_path, "credentials", text))
    assert SECRET not in str(info.value)
