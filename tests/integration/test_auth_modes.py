# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each way to authenticate, given as options, environment variables or module_defaults."""

from __future__ import annotations

import pytest

from harness.emulator import (  # pylint: disable=import-error
    ACCESS_KEY, DOMAIN_NAME, PROJECT_ID, REGION, SECRET_KEY, SECURITY_TOKEN, STATIC_TOKEN, TEMP_ACCESS_KEY,
    TEMP_SECRET_KEY, USER_NAME, USER_PASSWORD,
)

JOB_PATH = "/v3/%s/jobs/" % PROJECT_ID


def _calls(emulator):
    return [(entry["method"], entry["path"], entry["auth"], entry["status"]) for entry in emulator.requests_log()]


def _job_ok(run, job):
    assert run.rc == 0, run
    result = run.result("Get the DDM job") if run.data["plays"][0]["play"]["name"] != "Ansible Ad-Hoc" else run.result()
    assert result["changed"] is False
    assert result["job"]["id"] == job["id"]
    assert result["job"]["status"] == "Completed"
    return result


def test_token(ansible_runner, emulator, token_vars):
    job = emulator.post_job()

    run = ansible_runner.playbook("job_info.yml", dict(token_vars, ddm_job_id=job["id"]))

    _job_ok(run, job)
    assert _calls(emulator) == [("GET", JOB_PATH + job["id"], "token", 200)]


def test_aksk_checked_by_the_official_signer(ansible_runner, emulator):
    job = emulator.post_job()
    assert emulator.info()["verifier"] == "sdk"

    run = ansible_runner.playbook("job_info.yml", {"ddm_job_id": job["id"], "hw_endpoint": emulator.url, "hw_project_id": PROJECT_ID,
                                                   "hw_access_key": ACCESS_KEY, "hw_secret_key": SECRET_KEY})

    _job_ok(run, job)
    assert _calls(emulator) == [("GET", JOB_PATH + job["id"], "aksk", 200)]
    entry = emulator.requests_log()[0]
    assert entry["access_key"] == ACCESS_KEY
    assert entry["headers"]["X-Project-Id"] == PROJECT_ID
    assert "X-Sdk-Date" in entry["headers"]
    assert "X-Security-Token" not in entry["headers"]


def test_aksk_wrong_secret_is_rejected(ansible_runner, emulator):
    job = emulator.post_job()

    run = ansible_runner.playbook("job_info.yml", {"ddm_job_id": job["id"], "hw_endpoint": emulator.url, "hw_project_id": PROJECT_ID,
                                                   "hw_access_key": ACCESS_KEY, "hw_secret_key": "SK" + "x" * 40})

    assert run.rc == 2, run
    msg = run.result("Get the DDM job")["msg"]
    assert "HTTP 401 APIGW.0301" in msg
    assert "verify aksk signature fail" in msg
    assert "(request id %s)" % emulator.requests_log()[0]["request_id"] in msg


def test_temporary_aksk_with_security_token(ansible_runner, emulator):
    job = emulator.post_job()

    run = ansible_runner.playbook("job_info.yml", {"ddm_job_id": job["id"], "hw_endpoint": emulator.url, "hw_project_id": PROJECT_ID,
                                                   "hw_access_key": TEMP_ACCESS_KEY, "hw_secret_key": TEMP_SECRET_KEY,
                                                   "hw_security_token": SECURITY_TOKEN})

    _job_ok(run, job)
    assert _calls(emulator) == [("GET", JOB_PATH + job["id"], "aksk", 200)]
    entry = emulator.requests_log()[0]
    assert entry["access_key"] == TEMP_ACCESS_KEY
    assert "X-Security-Token" in entry["headers"]


def test_temporary_aksk_without_security_token_is_rejected(ansible_runner, emulator):
    job = emulator.post_job()

    run = ansible_runner.playbook("job_info.yml", {"ddm_job_id": job["id"], "hw_endpoint": emulator.url, "hw_project_id": PROJECT_ID,
                                                   "hw_access_key": TEMP_ACCESS_KEY, "hw_secret_key": TEMP_SECRET_KEY})

    assert run.rc == 2, run
    msg = run.result("Get the DDM job")["msg"]
    assert msg.startswith("HTTP 401 APIGW.0301"), msg
    assert "security token" in msg


@pytest.mark.parametrize("iam_suffix", ["", "/v3", "/v3/"], ids=["iam-without-v3", "iam-with-v3", "iam-with-v3-slash"])
def test_password_discovers_the_project_from_the_token(ansible_runner, emulator, iam_suffix):
    job = emulator.post_job()

    run = ansible_runner.playbook("job_info.yml", {"ddm_job_id": job["id"], "hw_endpoint": emulator.url, "hw_iam_endpoint": emulator.url + iam_suffix,
                                                   "hw_region": REGION, "hw_user_name": USER_NAME, "hw_password": USER_PASSWORD,
                                                   "hw_domain_name": DOMAIN_NAME})

    _job_ok(run, job)
    assert _calls(emulator) == [("POST", "/v3/auth/tokens", "none", 201), ("GET", JOB_PATH + job["id"], "token", 200)]
    assert emulator.info()["tokens_issued"] == 1
    assert all(entry["headers"]["User-Agent"].startswith("huaweicloud.cloud/") for entry in emulator.requests_log())


def test_password_with_wrong_password_names_the_iam_error(ansible_runner, emulator):
    job = emulator.post_job()

    run = ansible_runner.playbook("job_info.yml", {"ddm_job_id": job["id"], "hw_endpoint": emulator.url, "hw_iam_endpoint": emulator.url,
                                                   "hw_region": REGION, "hw_user_name": USER_NAME, "hw_domain_name": DOMAIN_NAME},
                                  env={"HW_USER_PASSWORD": "Not-The-Passw0rd!"})

    assert run.rc == 2, run
    msg = run.result("Get the DDM job")["msg"]
    login = emulator.requests_log()[0]
    assert (login["path"], login["status"]) == ("/v3/auth/tokens", 401)
    assert "IAM password login failed: HTTP 401" in msg
    assert "The username or password is wrong." in msg
    assert "(request id %s)" % login["request_id"] in msg
    assert "Not-The-Passw0rd!" not in run.output
    assert not emulator.api_requests("/jobs/")


@pytest.mark.parametrize("iam_suffix", ["", "/v3"], ids=["iam-without-v3", "iam-with-v3"])
def test_aksk_discovers_the_project_by_region(ansible_runner, emulator, iam_suffix):
    job = emulator.post_job()

    run = ansible_runner.playbook("job_info.yml", {"ddm_job_id": job["id"], "hw_endpoint": emulator.url, "hw_iam_endpoint": emulator.url + iam_suffix,
                                                   "hw_region": REGION, "hw_access_key": ACCESS_KEY, "hw_secret_key": SECRET_KEY})

    _job_ok(run, job)
    assert _calls(emulator) == [("GET", "/v3/projects", "aksk", 200), ("GET", JOB_PATH + job["id"], "aksk", 200)]
    lookup = emulator.requests_log()[0]
    assert lookup["params"] == {"name": REGION}
    assert "X-Project-Id" not in lookup["headers"]


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

    run = ansible_runner.playbook("module_defaults.yml", {
        "ddm_first_job_id": first["id"], "ddm_second_job_id": second["id"], "hw_endpoint": emulator.url,
        "hw_iam_endpoint": emulator.url, "hw_region": REGION, "hw_user_name": USER_NAME, "hw_password": USER_PASSWORD,
        "hw_domain_name": DOMAIN_NAME})

    assert run.rc == 0, run
    assert run.result("Check both results").get("failed") is not True
    assert run.result("Wait for the first job")["job"]["status"] == "Completed"
    assert run.result("Read the second job")["job"]["status"] == "Running"
    # Both tasks authenticated with the password given once for the play.
    assert len(emulator.api_requests("/v3/auth/tokens")) == 2
    assert {entry["auth"] for entry in emulator.api_requests(JOB_PATH)} == {"token"}
    assert len(emulator.api_requests(JOB_PATH + second["id"])) == 1
