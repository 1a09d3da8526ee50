# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared option validation and the argument spec every module gets."""

from __future__ import annotations

import time
import types

import pytest

from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.huaweicloud.cloud.plugins.module_utils._ansible import module as huaweicloud
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.auth import TokenAuth
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.client import HuaweiCloudClient
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import ConfigurationError, DeadlineExceeded
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.module import DdmModule

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
    assert without_env == {"ca_path", "api_timeout"}
    assert spec["validate_certs"]["fallback"][1] == ["HW_INSECURE"]
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


@pytest.mark.parametrize("value,expected", [("true", False), ("1", False), ("false", True), ("0", True),
                                            ("maybe", "HW_INSECURE=maybe is not a boolean")])
def test_hw_insecure_turns_certificate_checks_off(monkeypatch, value, expected):
    monkeypatch.setenv("HW_INSECURE", value)
    assert huaweicloud.insecure_fallback("HW_INSECURE") == expected


def test_hw_insecure_unset_leaves_the_default(monkeypatch):
    monkeypatch.delenv("HW_INSECURE", raising=False)
    with pytest.raises(AnsibleFallbackNotFound):
        huaweicloud.insecure_fallback("HW_INSECURE")


def test_values_from_files_are_named_by_their_origin():
    origins = {"security_token": "securityToken of profile 'dev' in /c.json", "project_id": "projectId of profile 'dev' in /c.json"}
    with pytest.raises(ConfigurationError, match=r"^securityToken of profile 'dev' in /c.json cannot be sent in an HTTP header"):
        huaweicloud.check_connection_options(dict(VALID, security_token="a b"), origins)
    with pytest.raises(ConfigurationError, match=r"^projectId of profile 'dev' in /c.json must be a plain id"):
        huaweicloud.check_connection_options(dict(VALID, project_id="../x"), origins)


def test_empty_variables_count_as_unset(monkeypatch):
    monkeypatch.setenv("HW_PROJECT_ID", "")
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", "p-sdk")
    assert huaweicloud.nonempty_env_fallback("HW_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID") == "p-sdk"
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", "")
    with pytest.raises(AnsibleFallbackNotFound):
        huaweicloud.nonempty_env_fallback("HW_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID")


class FakeAnsibleModule:
    """What the base class uses of AnsibleModule; exit_json and fail_json return the result instead of exiting."""

    def __init__(self, diff=False, check_mode=False):
        self.params = {}
        self.check_mode = check_mode
        self._diff = diff
        self.results = []
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)

    def exit_json(self, **result):
        self.results.append(("exit", result))

    def fail_json(self, **result):
        self.results.append(("fail", result))


@pytest.mark.parametrize("diff", [False, True])
def test_changes_and_their_diff_reach_the_result(diff):
    ansible_module = FakeAnsibleModule(diff=diff)
    module = huaweicloud.HuaweiCloudModule(ansible_module)
    module.exit(found=1)
    module.changed_by({"flavor": "a"}, {"flavor": "b"})
    module.changed_by(None, {"node_num": 3})
    module.fail("no")
    (_exit, unchanged), (_fail, failed) = ansible_module.results
    assert unchanged == {"found": 1, "changed": False}
    assert failed["changed"] is True and failed["msg"] == "no"
    assert failed.get("diff") == ({"before": {"flavor": "a"}, "after": {"flavor": "b", "node_num": 3}} if diff else None)


def test_a_module_can_say_changed_itself():
    ansible_module = FakeAnsibleModule(diff=True)
    module = huaweicloud.HuaweiCloudModule(ansible_module)
    module.set_diff({"a": 1}, {"a": 2})
    module.exit(changed=False)
    assert ansible_module.results == [("exit", {"changed": False, "diff": {"before": {"a": 1}, "after": {"a": 2}}})]


def test_messages_and_warnings_escape_server_text_once_and_results_hold_no_lone_surrogate():
    ansible_module = FakeAnsibleModule()
    module = huaweicloud.HuaweiCloudModule(ansible_module)
    hostile = "Create\x1b[2J\x07\nok: [localhost]\ud800"
    ansible_module.warn("task %s" % hostile)  # whoever calls the module's warn
    module.warn("already escaped: \\x1b")
    module.fail("DDM job (%s) ended" % hostile, job={"name": hostile, hostile: [hostile]})
    module.exit(msg=hostile)
    assert ansible_module.warnings == ["task Create\\x1b[2J\\x07\\nok: [localhost]\\ud800", "already escaped: \\x1b"]
    (_fail, failed), (_exit, exited) = ansible_module.results
    assert failed["msg"] == "DDM job (Create\\x1b[2J\\x07\\nok: [localhost]\\ud800) ended"
    # Results are data (JSON escapes control characters); only what ansible-core refuses is escaped there.
    kept = "Create\x1b[2J\x07\nok: [localhost]\\ud800"
    assert failed["job"] == {"name": kept, kept: [kept]}
    assert exited["msg"] == "Create\\x1b[2J\\x07\\nok: [localhost]\\ud800"


class RunsOutOfTime(DdmModule):
    """A module whose run reaches a deadline outside any wait (a project lookup, say), noting the deadline its requests had."""

    def connect(self):
        self.client = HuaweiCloudClient(TokenAuth("tok"), iam_url="https://iam.example.invalid", region="cn-north-4",
                                        session=types.SimpleNamespace())

    def run(self):
        self.seen = self.client._deadlines[-1]  # pylint: disable=protected-access,attribute-defined-outside-init
        raise DeadlineExceeded("GET https://iam.example.invalid/v3/auth/projects: no complete answer before the deadline")


@pytest.mark.parametrize("wait", [True, False])
def test_a_waiting_run_has_a_deadline_from_its_start_and_reaching_it_is_a_timeout(wait):
    ansible_module = FakeAnsibleModule()
    ansible_module.params = {"wait": wait, "wait_timeout": 5}
    module = RunsOutOfTime(ansible_module)
    started = time.monotonic()
    module.execute()
    [(outcome, result)] = ansible_module.results
    assert outcome == "fail"
    if wait:
        assert started + 5 <= module.seen.end <= time.monotonic() + 5 and module.seen is module.deadline
        assert result["msg"] == "Timed out after 5 s (wait_timeout): GET https://iam.example.invalid/v3/auth/projects: no complete answer before the deadline"
    else:
        assert module.seen is None
        assert result["msg"].startswith("GET https://")
