# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each way to authenticate, given as options, environment variables or module_defaults.

Credentials in the environment are per process, so those cases are ad-hoc runs of their own.
"""

from __future__ import annotations

import pytest

from cases import assert_no_secrets, job_path, job_requests  # pylint: disable=import-error
from harness.ansible_runner import case_results  # pylint: disable=import-error
from harness.emulator import (  # pylint: disable=import-error
    ACCESS_KEY, DOMAIN_NAME, PROJECT_ID, REGION, SECRET_KEY, SECURITY_TOKEN, STATIC_TOKEN, TEMP_ACCESS_KEY,
    TEMP_SECRET_KEY, USER_NAME, USER_PASSWORD,
)

JOB_PATH = "/v3/%s/jobs/" % PROJECT_ID


def _job_ok(run, job):
    assert run.rc == 0, run
    result = run.result()
    assert result["changed"] is False
    assert result["job"]["id"] == job["id"]
    assert result["job"]["status"] == "Completed"


def test_credentials_given_as_options(ansible_runner, emulator):
    assert emulator.info()["verifier"] == "sdk"
    token = {"endpoint": emulator.url, "project_id": PROJECT_ID, "auth_token": STATIC_TOKEN}
    aksk = {"endpoint": emulator.url, "project_id": PROJECT_ID, "access_key": ACCESS_KEY, "secret_key": SECRET_KEY}
    temporary = {"endpoint": emulator.url, "project_id": PROJECT_ID, "access_key": TEMP_ACCESS_KEY, "secret_key": TEMP_SECRET_KEY}
    discovery = {"endpoint": emulator.url, "region": REGION, "access_key": ACCESS_KEY, "secret_key": SECRET_KEY}
    user = {"endpoint": emulator.url, "region": REGION, "user_name": USER_NAME, "domain_name": DOMAIN_NAME}
    password = dict(user, password=USER_PASSWORD)
    login = ("POST", "/v3/auth/tokens", "none")
    # (options, the requests of the case in order: "job" stands for its job's path).
    options = {
        "token": (token, [("GET", "job", "token", 200)]),
        # AK/SK signatures are checked by the official SDK signer.
        "aksk": (aksk, [("GET", "job", "aksk", 200)]),
        "aksk-wrong-secret": (dict(aksk, secret_key="SK" + "x" * 40), [("GET", "job", "aksk", 401)]),
        "temporary-aksk": (dict(temporary, security_token=SECURITY_TOKEN), [("GET", "job", "aksk", 200)]),
        "temporary-aksk-without-security-token": (temporary, [("GET", "job", "aksk", 401)]),
        # Without project_id, the project is the one the token is scoped to, or the region's.
        "password-iam-without-v3": (dict(password, iam_endpoint=emulator.url), [login + (201,), ("GET", "job", "token", 200)]),
        "password-iam-with-v3": (dict(password, iam_endpoint=emulator.url + "/v3"), [login + (201,), ("GET", "job", "token", 200)]),
        "password-iam-with-v3-slash": (dict(password, iam_endpoint=emulator.url + "/v3/"), [login + (201,), ("GET", "job", "token", 200)]),
        # The password comes from HW_USER_PASSWORD, so that no output can hold it.
        "password-wrong": (dict(user, iam_endpoint=emulator.url), [login + (401,)]),
        "aksk-discovery-iam-without-v3": (dict(discovery, iam_endpoint=emulator.url), [("GET", "/v3/projects", "aksk", 200), ("GET", "job", "aksk", 200)]),
        "aksk-discovery-iam-with-v3": (dict(discovery, iam_endpoint=emulator.url + "/v3"), [("GET", "/v3/projects", "aksk", 200), ("GET", "job", "aksk", 200)]),
    }
    jobs = {label: emulator.post_job()["id"] for label in options}
    cases = [dict(values, case=label, job_id=jobs[label]) for label, (values, _calls) in options.items()]

    run = ansible_runner.run(ansible_runner.cases_command(cases), env={"HW_USER_PASSWORD": "Not-The-Passw0rd!"})
    results = case_results(run, cases)[0]

    log = emulator.requests_log()
    expected = [(method, job_path(jobs[label]) if path == "job" else path, auth, status)
                for label, (_values, calls) in options.items() for method, path, auth, status in calls]
    assert [(entry["method"], entry["path"], entry["auth"], entry["status"]) for entry in log] == expected
    assert all(entry["headers"]["User-Agent"].startswith("huaweicloud.cloud/") for entry in log)
    assert emulator.info()["tokens_issued"] == 3
    refused = ("aksk-wrong-secret", "temporary-aksk-without-security-token", "password-wrong")
    for label in options:
        item = results[label]
        assert item["changed"] is False
        if label in refused:
            assert item["failed"] is True and "job" not in item, (label, item)
        else:
            assert item.get("failed") is not True, (label, item)
            assert item["job"]["id"] == jobs[label] and item["job"]["status"] == "Completed"
    entries = {label: job_requests(emulator, jobs[label]) for label in options}
    (signed,) = entries["aksk"]
    assert signed["access_key"] == ACCESS_KEY and signed["headers"]["X-Project-Id"] == PROJECT_ID
    assert "X-Sdk-Date" in signed["headers"] and "X-Security-Token" not in signed["headers"]
    (signed,) = entries["temporary-aksk"]
    assert signed["access_key"] == TEMP_ACCESS_KEY and "X-Security-Token" in signed["headers"]
    msg = results["aksk-wrong-secret"]["msg"]
    assert "HTTP 401 APIGW.0301" in msg and "verify aksk signature fail" in msg, msg
    assert "(request id %s)" % entries["aksk-wrong-secret"][0]["request_id"] in msg, msg
    msg = results["temporary-aksk-without-security-token"]["msg"]
    assert msg.startswith("HTTP 401 APIGW.0301") and "security token" in msg, msg
    msg = results["password-wrong"]["msg"]
    (login_refused,) = [entry for entry in log if entry["status"] == 401 and entry["path"] == "/v3/auth/tokens"]
    assert "IAM password login failed: HTTP 401" in msg and "The username or password is wrong." in msg, msg
    assert "(request id %s)" % login_refused["request_id"] in msg, msg
    assert "Not-The-Passw0rd!" not in run.output
    for label in ("aksk-discovery-iam-without-v3", "aksk-discovery-iam-with-v3"):
        lookup = log[log.index(entries[label][0]) - 1]
        assert lookup["params"] == {"name": REGION} and "X-Project-Id" not in lookup["headers"], lookup


# Environment variables as the Terraform provider and the Python SDK name them.
ENV_CASES = {
    "hw-token": ({"HW_AUTH_TOKEN": STATIC_TOKEN, "HW_PROJECT_ID": PROJECT_ID}, [("GET", "job", "token")]),
    "hw-aksk-region": ({"HW_ACCESS_KEY": ACCESS_KEY, "HW_SECRET_KEY": SECRET_KEY, "HW_REGION_NAME": REGION, "HW_AUTH_URL": "{url}/v3"},
                       [("GET", "/v3/projects", "aksk"), ("GET", "job", "aksk")]),
    "hw-temporary-aksk": ({"HW_ACCESS_KEY": TEMP_ACCESS_KEY, "HW_SECRET_KEY": TEMP_SECRET_KEY, "HW_SECURITY_TOKEN": SECURITY_TOKEN,
                           "HW_PROJECT_ID": PROJECT_ID}, [("GET", "job", "aksk")]),
    "hw-password": ({"HW_USER_NAME": USER_NAME, "HW_USER_PASSWORD": USER_PASSWORD, "HW_DOMAIN_NAME": DOMAIN_NAME, "HW_REGION_NAME": REGION,
                     "HW_AUTH_URL": "{url}/v3"}, [("POST", "/v3/auth/tokens", "none"), ("GET", "job", "token")]),
    "sdk-aksk": ({"HUAWEICLOUD_SDK_AK": ACCESS_KEY, "HUAWEICLOUD_SDK_SK": SECRET_KEY, "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT_ID},
                 [("GET", "job", "aksk")]),
    "sdk-aksk-discovery": ({"HUAWEICLOUD_SDK_AK": ACCESS_KEY, "HUAWEICLOUD_SDK_SK": SECRET_KEY, "HW_REGION_NAME": REGION,
                            "HUAWEICLOUD_SDK_IAM_ENDPOINT": "{url}"}, [("GET", "/v3/projects", "aksk"), ("GET", "job", "aksk")]),
    "sdk-temporary-aksk": ({"HUAWEICLOUD_SDK_AK": TEMP_ACCESS_KEY, "HUAWEICLOUD_SDK_SK": TEMP_SECRET_KEY,
                            "HUAWEICLOUD_SDK_SECURITY_TOKEN": SECURITY_TOKEN, "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT_ID},
                           [("GET", "job", "aksk")]),
    # A complete token wins over other credentials (Terraform's order).
    "token-wins-over-aksk": ({"HW_AUTH_TOKEN": STATIC_TOKEN, "HW_PROJECT_ID": PROJECT_ID, "HW_ACCESS_KEY": ACCESS_KEY,
                              "HW_SECRET_KEY": "not-used"}, [("GET", "job", "token")]),
}


@pytest.mark.parametrize("case", sorted(ENV_CASES))
def test_credentials_from_environment(ansible_runner, emulator, case):
    variables, expected = ENV_CASES[case]
    job = emulator.post_job()
    env = {name: value.replace("{url}", emulator.url) for name, value in variables.items()}
    env["HW_DDM_ENDPOINT"] = emulator.url

    # Ad-hoc with nothing but the job id on the command line.
    run = ansible_runner.adhoc("job_id=%s" % job["id"], env=env)

    _job_ok(run, job)
    calls = [(method, JOB_PATH + job["id"] if path == "job" else path, auth) for method, path, auth in expected]
    assert [(entry["method"], entry["path"], entry["auth"]) for entry in emulator.requests_log()] == calls
    assert all(entry["status"] in (200, 201) for entry in emulator.requests_log())


def test_outer_environment_does_not_leak(ansible_runner, emulator, monkeypatch):
    # Credentials in the environment running the tests must not reach the module.
    monkeypatch.setenv("HW_AUTH_TOKEN", STATIC_TOKEN)
    monkeypatch.setenv("HW_PROJECT_ID", PROJECT_ID)
    job = emulator.post_job()

    run = ansible_runner.adhoc("job_id=%s endpoint=%s" % (job["id"], emulator.url))

    assert run.rc == 2, run
    assert run.result()["msg"].startswith("No credentials were given"), run.result()["msg"]
    assert not emulator.requests_log()


def test_module_defaults_group(ansible_runner, emulator):
    first = emulator.post_job(duration=2)
    second = emulator.post_job(duration=600)

    # At -vvv: the password given once for the play shows nowhere.
    run = ansible_runner.playbook("module_defaults.yml", {
        "ddm_first_job_id": first["id"], "ddm_second_job_id": second["id"], "hw_endpoint": emulator.url,
        "hw_iam_endpoint": emulator.url, "hw_region": REGION, "hw_user_name": USER_NAME, "hw_password": USER_PASSWORD,
        "hw_domain_name": DOMAIN_NAME}, verbosity=3)

    assert run.rc == 0, run
    assert_no_secrets(run)
    assert emulator.info()["tokens_issued"] == 2
    assert run.result("Check both results").get("failed") is not True
    assert run.result("Wait for the first job")["job"]["status"] == "Completed"
    assert run.result("Read the second job")["job"]["status"] == "Running"
    # Both tasks authenticated with the password given once for the play.
    assert len(emulator.api_requests("/v3/auth/tokens")) == 2
    assert {entry["auth"] for entry in emulator.api_requests(JOB_PATH)} == {"token"}
    assert len(emulator.api_requests(JOB_PATH + second["id"])) == 1
