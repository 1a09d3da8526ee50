# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every way Huawei Cloud users hold credentials, in real ansible runs against the emulator.

Shared config file (KooCLI, Terraform), SDK credentials file, project discovery by token and by
project name, HW_INSECURE, agencies over each base, ECS metadata, renewal of temporary credentials
during a wait, the message for expired direct ones, the documented order, refused combinations,
the AWX credential type of the user guide, and no secret in -vvv output.

The metadata service is always the emulator (HW_METADATA_ENDPOINT): no test sends anything to
169.254.169.254. File defaults are read from a HOME made for each test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess

import jinja2
import pytest
import yaml

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.credentials import DIRECT_ENVIRONMENT
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ansible.module import endpoint_argument_spec, huaweicloud_argument_spec
from harness.emulator import (  # pylint: disable=import-error
    ACCESS_KEY, AGENCY_DOMAIN_NAME, AGENCY_NAME, DOMAIN_ID, DOMAIN_NAME, PROJECT_ID, REGION, SECRET_KEY, STATIC_TOKEN, SUBPROJECT_ID,
    SUBPROJECT_NAME, USER_NAME, USER_PASSWORD, EmulatorProcess,
)

USER_GUIDE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "docs", "user-guide.md")
JOB_PATH = "/v3/%s/jobs/" % PROJECT_ID
ASSUME_PATH = "/v3.0/OS-CREDENTIAL/securitytokens"
TOKEN_PATH = "/meta-data/latest/api/token"
KEY_PATH = "/openstack/latest/securitykey"
# Every secret key and security token the emulator issues starts like this; issued IAM tokens start with MIIEMU.
ISSUED_SECRET_PREFIXES = ("SKtemp", "gQpjbi1ub3J0aC00", "MIIEMU")
SECRETS = (SECRET_KEY, STATIC_TOKEN, USER_PASSWORD) + ISSUED_SECRET_PREFIXES
AGENCY = {"HW_ASSUME_ROLE_AGENCY_NAME": AGENCY_NAME, "HW_ASSUME_ROLE_DOMAIN_NAME": AGENCY_DOMAIN_NAME}


# --------------------------------------------------------------------------- helpers

@pytest.fixture
def home(tmp_path):
    """A HOME of its own, for the files' default paths."""
    path = tmp_path / "home"
    path.mkdir()
    return path


def endpoints(emulator, home=None, **extra):
    env = {"HW_DDM_ENDPOINT": emulator.url, "HW_AUTH_URL": emulator.url, "HW_METADATA_ENDPOINT": emulator.url}
    if home is not None:
        env["HOME"] = str(home)
    env.update(extra)
    return env


def write_profiles(home, *profiles, current="dev", mode=0o600):
    path = home / ".hcloud" / "config.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"current": current, "profiles": list(profiles)}), encoding="utf-8")
    path.chmod(mode)
    return str(path)


def profile(name="dev", **fields):
    return dict({"name": name, "mode": "AKSK", "accessKeyId": ACCESS_KEY, "secretAccessKey": SECRET_KEY}, **fields)


def write_sdk_file(path, **keys):
    path.parent.mkdir(exist_ok=True)
    keys = dict({"ak": ACCESS_KEY, "sk": SECRET_KEY}, **keys)
    path.write_text("[basic]\n" + "".join("%s = %s\n" % item for item in keys.items()), encoding="utf-8")
    path.chmod(0o600)
    return str(path)


def adhoc_job(ansible_runner, emulator, env, job=None, args="", verbosity=0, json_output=True):
    job = job or emulator.post_job()
    run = ansible_runner.adhoc(("job_id=%s %s" % (job["id"], args)).strip(), env=env, verbosity=verbosity, json_output=json_output)
    return run, job


def assert_completed(run, job):
    assert run.rc == 0, run
    result = run.result()
    assert result["job"]["id"] == job["id"] and result["job"]["status"] == "Completed"
    return result


def calls(emulator):
    """(method, path with the job id cut off, auth kind, status) of every logged request."""
    return [(entry["method"], JOB_PATH if entry["path"].startswith(JOB_PATH) else entry["path"], entry["auth"], entry["status"])
            for entry in emulator.requests_log()]


def run_cases(ansible_runner, cases, env=None, verbosity=0, json_output=True):
    """Run credential_cases.yml over ``cases``; ({case label: item result}, the run)."""
    run = ansible_runner.playbook("credential_cases.yml", {"cases": cases}, env=dict(env or {}, ANSIBLE_PIPELINING="1"),
                                  verbosity=verbosity, json_output=json_output)
    assert run.rc == 0, run
    if not json_output:
        return None, run
    items = run.result("Run each case")["results"]
    return {item["item"]["case"]: item for item in items}, run


def assert_no_secrets(run, *extra):
    for secret in SECRETS + extra:
        assert secret not in run.stdout and secret not in run.stderr, "%r appears in the output of %r" % (secret, run)


# --------------------------------------------------------------------------- shared config file and SDK credentials file

def test_shared_config_profile_named_or_current(ansible_runner, emulator, home):
    path = write_profiles(home, profile("dev", projectId=PROJECT_ID), profile("other", accessKeyId="AKUNKNOWN0000000000"))

    named, job = adhoc_job(ansible_runner, emulator, endpoints(emulator, home, HW_PROFILE="dev"))
    assert_completed(named, job)
    assert calls(emulator) == [("GET", JOB_PATH, "aksk", 200)]
    assert emulator.requests_log()[0]["access_key"] == ACCESS_KEY
    emulator.clear_requests()

    # Only the file named: its current profile; region from the file's profile is not needed with projectId.
    current, job = adhoc_job(ansible_runner, emulator, endpoints(emulator, HW_SHARED_CONFIG_FILE=path))
    assert_completed(current, job)
    assert calls(emulator) == [("GET", JOB_PATH, "aksk", 200)]
    assert not named.result().get("warnings") and not current.result().get("warnings")


def test_shared_config_region_finds_the_project(ansible_runner, emulator, home):
    write_profiles(home, profile(region=REGION))
    run, job = adhoc_job(ansible_runner, emulator, endpoints(emulator, home, HW_PROFILE="dev"))
    assert_completed(run, job)
    assert calls(emulator) == [("GET", "/v3/projects", "aksk", 200), ("GET", JOB_PATH, "aksk", 200)]


def test_world_readable_config_file_is_warned_about(ansible_runner, emulator, home):
    path = write_profiles(home, profile(projectId=PROJECT_ID), mode=0o644)
    run, job = adhoc_job(ansible_runner, emulator, endpoints(emulator, home, HW_PROFILE="dev"))
    assert_completed(run, job)
    assert run.result()["warnings"] == ["The shared config file %s holds credentials and every user of this machine may read it "
                                        "(mode 0644); restrict it with chmod 600" % path]


def test_sdk_credentials_file_at_its_default_path_and_named(ansible_runner, emulator, home, tmp_path):
    # Its iam_endpoint and the region find the project.
    write_sdk_file(home / ".huaweicloud" / "credentials", iam_endpoint=emulator.url)
    env = endpoints(emulator, home, HW_REGION_NAME=REGION)
    del env["HW_AUTH_URL"]
    run, job = adhoc_job(ansible_runner, emulator, env)
    assert_completed(run, job)
    assert calls(emulator) == [("GET", "/v3/projects", "aksk", 200), ("GET", JOB_PATH, "aksk", 200)]
    emulator.clear_requests()

    named = write_sdk_file(tmp_path / "elsewhere" / "credentials", project_id=PROJECT_ID)
    run, job = adhoc_job(ansible_runner, emulator, endpoints(emulator, HUAWEICLOUD_SDK_CREDENTIALS_FILE=named))
    assert_completed(run, job)
    assert calls(emulator) == [("GET", JOB_PATH, "aksk", 200)]


# What KooCLI's default encryption makes of the keys (base64 of the cipher text): not plain keys.
ENCRYPTED_AK = "QUtFTkNSWVBURUQwMDAwMDAwMDAwMDAwMDAwMDAwMA=="
ENCRYPTED_SK = "c2stZW5jcnlwdGVkLWJ5LWtvb2NsaQ==" * 3


def test_file_errors_are_clear_and_send_nothing(ansible_runner, emulator, home):
    config = write_profiles(home, profile(), profile("sso", mode="SSO"), profile("token", mode="Token"),
                            profile("encrypted", accessKeyId=ENCRYPTED_AK, secretAccessKey=ENCRYPTED_SK),
                            profile("sso-encrypted", mode="SSO", ssoAuth={"stsToken": {"accessKeyId": ENCRYPTED_AK, "securityToken": "x",
                                                                                       "secretAccessKey": ENCRYPTED_SK}}),
                            profile("sso-no-token", mode="SSO", ssoAuth={"stsToken": {"accessKeyId": ACCESS_KEY, "secretAccessKey": SECRET_KEY}}))
    broken = home / "broken.json"
    broken.write_text('{"profiles": [', encoding="utf-8")
    cases = [
        {"case": "unknown-profile", "profile": "nope"},
        {"case": "sso-without-keys", "profile": "sso"},
        {"case": "token-mode", "profile": "token"},
        {"case": "encrypted", "profile": "encrypted"},
        {"case": "sso-encrypted", "profile": "sso-encrypted"},
        {"case": "sso-no-token", "profile": "sso-no-token"},
        {"case": "missing-file", "shared_config_file": str(home / "missing.json")},
        {"case": "broken-file", "shared_config_file": str(broken)},
    ]
    results, run = run_cases(ansible_runner, [dict(case, job_id="f00dbabe") for case in cases], endpoints(emulator, home))
    assert results["unknown-profile"]["msg"] == ("The shared config file %s has no profile 'nope' (it has: dev, encrypted, sso, sso-encrypted, "
                                                 "sso-no-token, token)" % config)
    assert results["sso-without-keys"]["msg"] == ("Profile 'sso' in %s is an SSO profile without keys under ssoAuth.stsToken: sign in with "
                                                  "KooCLI (SSO) first, so that it stores them" % config)
    assert results["token-mode"]["msg"].startswith("Profile 'token' in %s uses mode 'Token', which this collection cannot use" % config)
    # KooCLI's default: encrypted keys. The message says how to write a profile this collection can read, and quotes no key.
    assert results["encrypted"]["msg"] == (
        "accessKeyId and secretAccessKey of profile 'encrypted' in %s do not look like plain keys (letters and digits, as IAM issues "
        "them): KooCLI encrypts the keys of its profiles by default, and they cannot be read outside it: write the profile with plain "
        "keys (hcloud configure set --cli-profile=encrypted --cli-auth-encrypt=false ...), or give the keys another way" % config)
    assert results["sso-encrypted"]["msg"].startswith("ssoAuth.stsToken.accessKeyId and ssoAuth.stsToken.secretAccessKey of profile "
                                                      "'sso-encrypted' in %s do not look like plain keys" % config)
    assert results["sso-no-token"]["msg"] == "Profile 'sso-no-token' in %s has no ssoAuth.stsToken.securityToken" % config
    assert results["missing-file"]["msg"] == "The shared config file %s cannot be read: No such file or directory" % (home / "missing.json")
    assert results["broken-file"]["msg"].startswith("The shared config file %s is not valid JSON" % broken)
    assert emulator.requests_log() == []
    assert_no_secrets(run, ENCRYPTED_AK, ENCRYPTED_SK[:20])


def test_sso_profiles_sign_with_the_keys_under_sso_auth(ansible_runner, emulator, home):
    # KooCLI keeps an SSO sign-in's temporary keys under ssoAuth.stsToken; the Terraform provider reads them there too.
    credential = emulator.issue_credentials()
    sts_token = {"accessKeyId": credential["access"], "secretAccessKey": credential["secret"], "securityToken": credential["securitytoken"]}
    write_profiles(home, profile("sso", mode="SSO", accessKeyId="", secretAccessKey="", projectId=PROJECT_ID,
                                 ssoAuth={"stsToken": sts_token, "ssoSessionName": "corp"}), current="sso")
    job = emulator.post_job(outcome="Failed", duration=2)

    run, _job = adhoc_job(ansible_runner, emulator, endpoints(emulator, home, HW_PROFILE="sso"), job=job, args="wait=true",
                          verbosity=4, json_output=False)

    assert run.rc == 2 and "ended with status Failed" in run.stdout, run
    gets = emulator.api_requests(JOB_PATH)
    assert gets and {(entry["auth"], entry["access_key"], entry["status"]) for entry in gets} == {("aksk", credential["access"], 200)}, gets
    assert_no_secrets(run, credential["secret"], credential["securitytoken"])


def test_a_federated_sdk_credentials_file_is_refused_not_signed_with_its_keys(ansible_runner, emulator, tmp_path):
    # With idp_id and id_token_file, the SDK signs in as the federated (OIDC) identity and never uses ak and sk.
    path = write_sdk_file(tmp_path / "sdk" / "credentials", project_id=PROJECT_ID, idp_id="corp-oidc", id_token_file=str(tmp_path / "id_token"))
    run, _job = adhoc_job(ansible_runner, emulator, endpoints(emulator, HUAWEICLOUD_SDK_CREDENTIALS_FILE=path))
    assert run.rc == 2, run
    assert run.result()["msg"] == ("The SDK credentials file %s holds a federated identity (idp_id and id_token_file in [basic]), which the "
                                   "SDK uses instead of its ak and sk, and which this collection does not support: remove idp_id and "
                                   "id_token_file to use ak and sk, or give credentials another way" % path)
    assert emulator.requests_log() == []


# --------------------------------------------------------------------------- projects

def test_token_finds_the_project_of_its_region(ansible_runner, emulator):
    run, job = adhoc_job(ansible_runner, emulator, endpoints(emulator, HW_AUTH_TOKEN=STATIC_TOKEN, HW_REGION_NAME=REGION))
    assert_completed(run, job)
    assert calls(emulator) == [("GET", "/v3/auth/projects", "token", 200), ("GET", JOB_PATH, "token", 200)]


def test_project_name_selects_a_sub_project_with_every_kind_of_credentials(ansible_runner, emulator):
    emulator.add_token("subproject-token-0001", project_id=SUBPROJECT_ID)
    base = {"endpoint": emulator.url, "iam_endpoint": emulator.url, "region": REGION, "project_name": SUBPROJECT_NAME}
    kinds = {
        "token": {"auth_token": "subproject-token-0001"},
        "aksk": {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY},
        "password-domain-id": {"user_name": USER_NAME, "password": USER_PASSWORD, "domain_id": DOMAIN_ID},
        "agency": {"auth_token": STATIC_TOKEN, "agency_name": AGENCY_NAME, "agency_domain_name": AGENCY_DOMAIN_NAME},
    }
    jobs = {kind: emulator.post_job(project_id=SUBPROJECT_ID) for kind in kinds}

    results, _run = run_cases(ansible_runner, [dict(base, case=kind, job_id=jobs[kind]["id"], **values) for kind, values in kinds.items()])

    for kind, job in jobs.items():
        assert results[kind]["job"]["id"] == job["id"], results[kind]
    job_calls = [entry for entry in emulator.requests_log() if "/jobs/" in entry["path"]]
    assert [entry["path"] for entry in job_calls] == ["/v3/%s/jobs/%s" % (SUBPROJECT_ID, jobs[kind]["id"]) for kind in kinds]
    assert [entry["params"] for entry in emulator.api_requests("/v3/projects")] == [{"name": SUBPROJECT_NAME}] * 2
    assert len(emulator.api_requests("/v3/auth/projects")) == 1


# --------------------------------------------------------------------------- HW_INSECURE

@pytest.fixture(scope="module")
def tls_emulator(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("insecure-tls"))
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    process = EmulatorProcess(verifier="builtin", tls_cert=cert, tls_key=key)
    process.start()
    yield process
    process.stop()


@pytest.mark.parametrize("insecure,option,verified", [("true", None, False), ("false", None, True), ("true", "validate_certs=true", True)],
                         ids=["insecure", "secure", "option-wins"])
def test_hw_insecure_turns_certificate_checks_off(ansible_runner, tls_emulator, insecure, option, verified):
    tls_emulator.reset()
    env = {"HW_INSECURE": insecure, "HW_DDM_ENDPOINT": tls_emulator.url, "HW_AUTH_TOKEN": STATIC_TOKEN, "HW_PROJECT_ID": PROJECT_ID}
    run, job = adhoc_job(ansible_runner, tls_emulator, env, args="max_retries=0 " + (option or ""))
    if verified:
        assert run.rc == 2 and "certificate verify failed" in run.result()["msg"], run
        return
    assert_completed(run, job)
    assert run.result()["warnings"] == ["validate_certs is false: TLS certificates are not verified, so the API's identity is not checked"]


def test_hw_insecure_must_be_a_boolean(ansible_runner, emulator):
    run, _job = adhoc_job(ansible_runner, emulator, endpoints(emulator, HW_INSECURE="sometimes", HW_AUTH_TOKEN=STATIC_TOKEN))
    assert run.rc == 2
    assert "HW_INSECURE=sometimes is not a boolean" in run.result()["msg"]
    assert emulator.requests_log() == []


# --------------------------------------------------------------------------- agencies

BASES = {
    "token": {"HW_AUTH_TOKEN": STATIC_TOKEN},
    "aksk": {"HW_ACCESS_KEY": ACCESS_KEY, "HW_SECRET_KEY": SECRET_KEY},
    "password": {"HW_USER_NAME": USER_NAME, "HW_USER_PASSWORD": USER_PASSWORD, "HW_DOMAIN_NAME": DOMAIN_NAME},
}


@pytest.mark.parametrize("base", sorted(BASES))
def test_agency_over_each_base(ansible_runner, emulator, base):
    env = endpoints(emulator, HW_PROJECT_ID=PROJECT_ID, **AGENCY, **BASES[base])
    run, job = adhoc_job(ansible_runner, emulator, env)
    assert_completed(run, job)
    expected = [("POST", ASSUME_PATH, "aksk" if base == "aksk" else "token", 201), ("GET", JOB_PATH, "aksk", 200)]
    if base == "password":
        expected.insert(0, ("POST", "/v3/auth/tokens", "none", 201))
    assert calls(emulator) == expected
    signed = emulator.requests_log()[-1]
    assert signed["access_key"].startswith("AKTEMP") and signed["headers"]["X-Security-Token"] == "***"
    assert emulator.info()["temporary_issued"] == {"assume_role": 1}


def test_agency_of_a_profile(ansible_runner, emulator, home):
    write_profiles(home, profile(projectId=PROJECT_ID, agencyName=AGENCY_NAME, agencyDomainName=AGENCY_DOMAIN_NAME))
    run, job = adhoc_job(ansible_runner, emulator, endpoints(emulator, home, HW_PROFILE="dev", HW_ASSUME_ROLE_DURATION="900"))
    assert_completed(run, job)
    assert calls(emulator) == [("POST", ASSUME_PATH, "aksk", 201), ("GET", JOB_PATH, "aksk", 200)]
    assert emulator.requests_log()[0]["access_key"] == ACCESS_KEY


def test_unknown_agency_is_named(ansible_runner, emulator):
    env = endpoints(emulator, HW_AUTH_TOKEN=STATIC_TOKEN, HW_PROJECT_ID=PROJECT_ID, HW_ASSUME_ROLE_AGENCY_NAME="nobody",
                    HW_ASSUME_ROLE_DOMAIN_NAME=AGENCY_DOMAIN_NAME)
    run, _job = adhoc_job(ansible_runner, emulator, env)
    assert run.rc == 2
    assert run.result()["msg"].startswith("IAM did not give temporary credentials for agency 'nobody' of account '%s': HTTP 404"
                                          % AGENCY_DOMAIN_NAME), run.result()["msg"]
    assert not emulator.api_requests("/jobs/")


# --------------------------------------------------------------------------- ECS metadata

@pytest.mark.parametrize("mode", ["optional", "required", "unsupported"])
def test_ecs_metadata_with_and_without_the_token_call(ansible_runner, emulator, mode):
    emulator.configure_metadata(token=mode)
    run, job = adhoc_job(ansible_runner, emulator, endpoints(emulator, HW_USE_ECS_METADATA="true", HW_PROJECT_ID=PROJECT_ID))
    assert_completed(run, job)
    assert calls(emulator) == [("PUT", TOKEN_PATH, "none", 404 if mode == "unsupported" else 200), ("GET", KEY_PATH, "none", 200),
                               ("GET", JOB_PATH, "aksk", 200)]
    key_call = emulator.api_requests(KEY_PATH)[0]
    assert ("X-Metadata-Token" in key_call["headers"]) is (mode != "unsupported")
    assert emulator.requests_log()[-1]["access_key"].startswith("AKTEMP")


def test_plain_http_metadata_off_this_machine_is_warned_about_before_anything_is_sent(ansible_runner, emulator):
    # .invalid never resolves: nothing leaves the machine, and the warning comes before any attempt.
    env = endpoints(emulator, HW_USE_ECS_METADATA="true", HW_PROJECT_ID=PROJECT_ID, HW_METADATA_ENDPOINT="http://metadata.example.invalid")
    remote, _job = adhoc_job(ansible_runner, emulator, env, args="max_retries=0 api_timeout=2")
    assert remote.rc == 2, remote
    result = remote.result()
    assert "metadata.example.invalid" in result["msg"], result["msg"]
    assert result["warnings"] == ["INSECURE: temporary credentials are fetched over plain http:// from metadata.example.invalid "
                                  "(HW_METADATA_ENDPOINT); use https://, or the metadata service's link-local address"], result
    assert emulator.requests_log() == []
    # The emulator on loopback, as every other metadata test: no warning.
    local, job = adhoc_job(ansible_runner, emulator, endpoints(emulator, HW_USE_ECS_METADATA="true", HW_PROJECT_ID=PROJECT_ID))
    assert not assert_completed(local, job).get("warnings")


def test_ecs_metadata_without_an_agency(ansible_runner, emulator):
    emulator.configure_metadata(agency=False)
    run, _job = adhoc_job(ansible_runner, emulator, endpoints(emulator, HW_USE_ECS_METADATA="true", HW_PROJECT_ID=PROJECT_ID))
    assert run.rc == 2
    assert "no agency is attached to this ECS" in run.result()["msg"]


def test_metadata_is_never_contacted_unless_asked(ansible_runner, emulator, home):
    none, _job = adhoc_job(ansible_runner, emulator, endpoints(emulator, home))
    assert none.rc == 2 and none.result()["msg"].startswith("No credentials were given")
    # Asked for, but credentials come first in the order.
    env = endpoints(emulator, home, HW_USE_ECS_METADATA="true", HW_AUTH_TOKEN=STATIC_TOKEN, HW_PROJECT_ID=PROJECT_ID)
    given, job = adhoc_job(ansible_runner, emulator, env)
    assert_completed(given, job)
    assert calls(emulator) == [("GET", JOB_PATH, "token", 200)]


# --------------------------------------------------------------------------- expiry

@pytest.mark.parametrize("source", ["agency", "metadata"])
def test_short_lived_credentials_are_renewed_during_a_wait(ansible_runner, emulator, await_request, source):
    emulator.cap_credential_lifetime(3)
    job = emulator.post_job(duration=600)
    env = endpoints(emulator, HW_PROJECT_ID=PROJECT_ID)
    env.update(dict(AGENCY, HW_AUTH_TOKEN=STATIC_TOKEN) if source == "agency" else {"HW_USE_ECS_METADATA": "true"})

    started = ansible_runner.start(ansible_runner.adhoc_command("job_id=%s wait=true wait_timeout=60" % job["id"]), env=env)
    await_request(lambda entry: entry["path"].startswith(JOB_PATH))
    # From the first poll on, the job runs for 10 s more (a job posted again restarts its timeline).
    emulator.post_job(id=job["id"], duration=10)
    run = ansible_runner.finish(started)

    assert_completed(run, job)
    fetches = emulator.api_requests(ASSUME_PATH if source == "agency" else KEY_PATH)
    # Ten seconds of 3-second credentials need at least three sets.
    assert len(fetches) >= 3 and all(entry["status"] in (200, 201) for entry in fetches)
    polls = emulator.api_requests(JOB_PATH)
    assert polls[-1]["status"] == 200
    assert len({entry["access_key"] for entry in polls}) >= 3


def test_a_401_saying_expired_renews_the_credentials_once(ansible_runner, emulator):
    job = emulator.post_job()
    emulator.add_fault(count=1, method="GET", path="/jobs/", status=401,
                       json={"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information: the temporary access key "
                             "and security token have expired", "request_id": None})
    run, _job = adhoc_job(ansible_runner, emulator, endpoints(emulator, HW_AUTH_TOKEN=STATIC_TOKEN, HW_PROJECT_ID=PROJECT_ID, **AGENCY), job=job)
    assert_completed(run, job)
    assert [(method, path, status) for method, path, _auth, status in calls(emulator)] == [
        ("POST", ASSUME_PATH, 201), ("GET", JOB_PATH, 401), ("POST", ASSUME_PATH, 201), ("GET", JOB_PATH, 200)]


def test_direct_temporary_credentials_that_expire_during_a_wait(ansible_runner, emulator):
    credential = emulator.issue_credentials(expires_in=5)
    job = emulator.post_job(duration=60)
    env = endpoints(emulator, HW_ACCESS_KEY=credential["access"], HW_SECRET_KEY=credential["secret"],
                    HW_SECURITY_TOKEN=credential["securitytoken"], HW_PROJECT_ID=PROJECT_ID)

    run, _job = adhoc_job(ansible_runner, emulator, env, job=job, args="wait=true wait_timeout=30")

    assert run.rc == 2, run
    msg = run.result()["msg"]
    assert re.match(r"temporary credentials expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ; they came from security_token "
                    r"\(HW_SECURITY_TOKEN\) and cannot be renewed here", msg), msg
    assert "HTTP 401 APIGW.0301" in msg
    # Polls succeed until the credentials expire (on a loaded machine, possibly before the first one).
    statuses = [entry["status"] for entry in emulator.api_requests(JOB_PATH)]
    assert statuses[-1] == 401 and set(statuses) <= {200, 401} and statuses.count(401) == 1
    assert_no_secrets(run, credential["secret"], credential["securitytoken"])


# --------------------------------------------------------------------------- order and refused combinations

def test_the_documented_order(ansible_runner, emulator, home, tmp_path):
    spare = emulator.issue_credentials(expires_in=3600)
    # 1. An option beats its variable.
    run, job = adhoc_job(ansible_runner, emulator, endpoints(emulator, HW_AUTH_TOKEN=STATIC_TOKEN, HW_REGION_NAME="ap-nowhere-9"),
                         args="region=%s" % REGION)
    assert_completed(run, job)
    assert emulator.api_requests("/v3/auth/projects")
    # 2. Variables beat the files, which are then not read (this one is not even valid).
    (home / ".huaweicloud").mkdir()
    (home / ".huaweicloud" / "credentials").write_text("not an ini file", encoding="utf-8")
    run, job = adhoc_job(ansible_runner, emulator, endpoints(emulator, home, HW_ACCESS_KEY=ACCESS_KEY, HW_SECRET_KEY=SECRET_KEY,
                                                             HW_PROJECT_ID=PROJECT_ID))
    assert_completed(run, job)
    # 3. A named profile beats the SDK file; variables beat the profile's settings.
    write_sdk_file(home / ".huaweicloud" / "credentials", ak=spare["access"], sk=spare["secret"], security_token=spare["securitytoken"])
    write_profiles(home, profile(region="ap-nowhere-9"))
    emulator.clear_requests()
    run, job = adhoc_job(ansible_runner, emulator, endpoints(emulator, home, HW_PROFILE="dev", HW_REGION_NAME=REGION))
    assert_completed(run, job)
    assert {entry["access_key"] for entry in emulator.requests_log()} == {ACCESS_KEY}
    assert emulator.api_requests("/v3/projects")[0]["params"] == {"name": REGION}
    # 4. The SDK file beats the metadata service, which is not contacted.
    emulator.clear_requests()
    run, job = adhoc_job(ansible_runner, emulator, endpoints(emulator, home, HW_USE_ECS_METADATA="true", HW_PROJECT_ID=PROJECT_ID))
    assert_completed(run, job)
    assert calls(emulator) == [("GET", JOB_PATH, "aksk", 200)]
    assert emulator.requests_log()[0]["access_key"] == spare["access"]


def test_combinations_that_cannot_be_meant_together_are_refused(ansible_runner, emulator, home):
    write_profiles(home, profile())
    token = {"auth_token": STATIC_TOKEN, "endpoint": emulator.url}
    cases = {
        "profile-and-token": (dict(token, profile="dev"), "profile / shared_config_file (HW_PROFILE, HW_SHARED_CONFIG_FILE) ask for the "
                                                          "credentials of a shared config profile, and auth_token give credentials too"),
        "project-id-and-name": (dict(token, project_id=PROJECT_ID, project_name=SUBPROJECT_NAME), "project_id (HW_PROJECT_ID) and "
                                                                                                  "project_name (HW_PROJECT_NAME) both name"),
        "domain-id-and-name": ({"user_name": USER_NAME, "password": USER_PASSWORD, "domain_name": DOMAIN_NAME, "domain_id": DOMAIN_ID},
                               "domain_id (HW_DOMAIN_ID) and domain_name (HW_DOMAIN_NAME) both name the account"),
        "agency-without-domain": (dict(token, agency_name=AGENCY_NAME), "agency_name (HW_ASSUME_ROLE_AGENCY_NAME) needs agency_domain_name"),
        "agency-domain-alone": (dict(token, agency_domain_name=AGENCY_DOMAIN_NAME), "only apply with agency_name"),
        "agency-duration": (dict(token, agency_name=AGENCY_NAME, agency_domain_name=AGENCY_DOMAIN_NAME, agency_duration=60),
                            "agency_duration (HW_ASSUME_ROLE_DURATION) must be between 900 and 86400 seconds, got 60"),
    }
    results, _run = run_cases(ansible_runner, [dict(options, case=label, job_id="f00dbabe") for label, (options, _msg) in cases.items()],
                              {"HOME": str(home)})
    for label, (_options, message) in cases.items():
        assert results[label]["failed"] is True
        assert message in results[label]["msg"], (label, results[label]["msg"])
    assert emulator.requests_log() == []


# --------------------------------------------------------------------------- AWX / Automation Platform

def awx_credential_type():
    """(inputs, injectors) of the credential type in the user guide, as users paste them into AWX."""
    with open(USER_GUIDE, encoding="utf-8") as handle:
        text = handle.read()
    section = text[text.index("### AWX and Automation Platform"):]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)[:2]
    return yaml.safe_load(blocks[0]), yaml.safe_load(blocks[1])


def variables_the_collection_reads():
    spec = dict(huaweicloud_argument_spec(), **endpoint_argument_spec("ddm"))
    names = {name for option in spec.values() if "fallback" in option for name in option["fallback"][1]}
    return names | set(DIRECT_ENVIRONMENT)


def test_awx_credential_type_injects_only_variables_the_collection_reads(ansible_runner, emulator):
    inputs, injectors = awx_credential_type()
    fields = {field["id"]: field for field in inputs["fields"]}
    injected = injectors["env"]
    assert set(injected) <= variables_the_collection_reads(), set(injected) - variables_the_collection_reads()
    # Every input reaches a variable, and every secret input is marked secret.
    assert {name for value in injected.values() for name in re.findall(r"{{\s*(\w+)\s*}}", value)} == set(fields)
    assert {name for name, field in fields.items() if field.get("secret")} == {"auth_token", "secret_key", "security_token", "password"}
    # AWX renders every variable, unset inputs as empty strings: the module must take those as unset.
    values = dict.fromkeys(fields, "")
    values.update(access_key=ACCESS_KEY, secret_key=SECRET_KEY, project_id=PROJECT_ID, use_ecs_metadata=False,
                  agency_name=AGENCY_NAME, agency_domain_name=AGENCY_DOMAIN_NAME, agency_duration="900", iam_endpoint=emulator.url)
    env = {name: jinja2.Template(template).render(**values) for name, template in injected.items()}
    run, job = adhoc_job(ansible_runner, emulator, dict(env, HW_DDM_ENDPOINT=emulator.url))
    assert_completed(run, job)
    assert calls(emulator) == [("POST", ASSUME_PATH, "aksk", 201), ("GET", JOB_PATH, "aksk", 200)]


# --------------------------------------------------------------------------- secrets

def _verbose_sources(emulator, home):
    write_profiles(home, profile(projectId=PROJECT_ID))
    write_sdk_file(home / "sdk" / "credentials", project_id=PROJECT_ID)
    return {
        "shared-config": {"HW_PROFILE": "dev"},
        "sdk-file": {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(home / "sdk" / "credentials")},
        "agency-password": dict(AGENCY, HW_USER_NAME=USER_NAME, HW_USER_PASSWORD=USER_PASSWORD, HW_DOMAIN_NAME=DOMAIN_NAME,
                                HW_PROJECT_ID=PROJECT_ID),
        "agency-profile": dict(AGENCY, HW_PROFILE="dev"),
        "metadata": {"HW_USE_ECS_METADATA": "true", "HW_PROJECT_ID": PROJECT_ID},
        "token-discovery": {"HW_AUTH_TOKEN": STATIC_TOKEN, "HW_REGION_NAME": REGION},
    }


@pytest.mark.parametrize("outcome", ["Completed", "Failed"])
def test_no_secret_in_verbose_output_for_any_source(ansible_runner, emulator, home, outcome):
    sources = _verbose_sources(emulator, home)
    for label, variables in sources.items():
        emulator.reset()
        emulator.cap_credential_lifetime(2)
        job = emulator.post_job(outcome=outcome, duration=3)
        run, _job = adhoc_job(ansible_runner, emulator, endpoints(emulator, home, **variables), job=job, args="wait=true",
                              verbosity=3, json_output=False)
        assert run.rc == (0 if outcome == "Completed" else 2), (label, run)
        assert job["id"] in run.stdout
        assert_no_secrets(run)
