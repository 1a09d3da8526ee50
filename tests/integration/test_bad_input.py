# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Malformed or contradictory options are rejected before any request, naming the option at fault.

Each test runs many cases in one ansible-playbook run and then checks that the emulator saw no
request at all.
"""

from __future__ import annotations

import datetime

from cases import job_path, token_case  # pylint: disable=import-error
from harness.emulator import (  # pylint: disable=import-error
    ACCESS_KEY, DOMAIN_NAME, PROJECT_ID, REGION, SECRET_KEY, SECURITY_TOKEN, STATIC_TOKEN, USER_NAME, USER_PASSWORD,
)

JOB_ID = "5b0c7e2a-3f1d-4c8e-9a6f-0d2b4e6a8c01"


def _check_rejected(results, expected):
    """Every case failed with a message that contains all its expected fragments, and returned no job."""
    for label, fragments in expected.items():
        item = results[label]
        assert item.get("failed") is True, (label, item)
        for fragment in fragments:
            assert fragment in item["msg"], (label, fragment, item["msg"])
        assert "job" not in item and "jobs" not in item, (label, item)


BAD_IDS = {
    "job_id": ["a/b", "..", "../v3", "../etc", "job?x=1", "job#frag", "job%2F", "job%2F..", "%2e%2e", "job id", " job", "\tjob", "\t", "job\nx", "",
               "x" * 129],
    "project_id": ["../%s" % PROJECT_ID, "%s/jobs" % PROJECT_ID, "proj?x=1", ""],
    "instance_id": ["a/b", "inst ance", "x" * 129],
}
BAD_REGIONS = ["CN-NORTH-4", "cn-north-4/../x", "cn-north-4.evil.example"]


def test_malformed_identifiers(ansible_runner, emulator):
    cases, expected = [], {}
    for option, values in BAD_IDS.items():
        for number, value in enumerate(values):
            label = "%s-%d" % (option, number)
            case = token_case(emulator, label, job_id=JOB_ID)
            case[option] = value
            cases.append(case)
            expected[label] = ["%s must be a plain id" % option, repr(value)]
    for number, value in enumerate(BAD_REGIONS):
        label = "region-%d" % number
        cases.append(token_case(emulator, label, job_id=JOB_ID, region=value))
        expected[label] = ["region must look like 'cn-north-4'", repr(value)]
    # '$' would also match before a final newline: the whole value must match.
    for option, value in (("job_id", JOB_ID + "\n"), ("project_id", PROJECT_ID + "\n"), ("instance_id", "inst\n")):
        cases.append(dict(token_case(emulator, option + "-newline", job_id=JOB_ID), **{option: value}))
        expected[option + "-newline"] = ["%s must be a plain id" % option, repr(value)]
    cases.append(token_case(emulator, "region-newline", job_id=JOB_ID, region=REGION + "\n"))
    expected["region-newline"] = ["region must look like 'cn-north-4'", repr(REGION + "\n")]
    # The longest valid id passes validation (and reaches the API, which does not know it).
    cases.append(token_case(emulator, "job_id-128", job_id="y" * 128))

    results = ansible_runner.run_cases(cases)[0]

    _check_rejected(results, expected)
    assert results["job_id-128"]["msg"] == "job %s not found in project %s" % ("y" * 128, PROJECT_ID)
    assert [entry["path"] for entry in emulator.requests_log()] == [job_path("y" * 128)]


def test_malformed_urls_settings_and_credentials(ansible_runner, emulator):
    url = emulator.url
    hostport = url.split("://", 1)[1]
    bad_urls = {
        "ftp": ("ftp://%s" % hostport, "must be an http:// or https:// URL"),
        "no-scheme": (hostport, "must be an http:// or https:// URL"),
        "no-host": ("http://", "must be an http:// or https:// URL"),
        "query": (url + "/?region=cn-north-4", "must not carry a query string or fragment"),
        "fragment": (url + "#jobs", "must not carry a query string or fragment"),
        "userinfo": ("http://admin:Url-Secret-0001@%s" % hostport, "must not embed user credentials"),
        "bad-port": ("http://127.0.0.1:port", "is not a valid URL"),
        # Once retried as connection failures (30 s) or a crash in urllib3: now rejected before any request.
        "trailing-newline": (url + "\n", "must not contain spaces, line breaks or control characters"),
        "space-in-host": ("http://ddm example.invalid", "must not contain spaces"),
        "long-label": ("https://%s.example.invalid" % ("a" * 300), "invalid host name"),
        "port-zero": ("http://127.0.0.1:0", "invalid port"),
        "port-out-of-range": ("http://127.0.0.1:99999", "is not a valid URL"),
    }
    cases, expected = [], {}
    for option, labels in (("endpoint", bad_urls), ("iam_endpoint", ("ftp", "query", "fragment", "userinfo"))):
        for label in labels:
            value, fragment = bad_urls[label]
            case = token_case(emulator, "%s-%s" % (option, label), job_id=JOB_ID)
            case[option] = value
            cases.append(case)
            expected[case["case"]] = [option + " ", fragment]
    settings = {
        "api_timeout-0": ({"api_timeout": 0}, ["api_timeout must be between 1 and 600 seconds, got 0"]),
        "api_timeout-601": ({"api_timeout": 601}, ["api_timeout must be between 1 and 600 seconds, got 601"]),
        "max_retries-negative": ({"max_retries": -1}, ["max_retries must be between 0 and 20"]),
        "ca_path-missing": ({"endpoint": url.replace("http://", "https://"), "ca_path": "/nonexistent/ddm-ca.pem"},
                            ["ca_path /nonexistent/ddm-ca.pem is not a readable file"]),
    }
    for label, (options, fragments) in settings.items():
        cases.append(dict(token_case(emulator, label, job_id=JOB_ID), **options))
        expected[label] = fragments
    base = {"endpoint": url, "project_id": PROJECT_ID, "job_id": JOB_ID}
    credentials = {
        "ak-without-sk": ({"access_key": ACCESS_KEY}, ["AK/SK authentication is incomplete: missing secret_key"]),
        "sk-without-ak": ({"secret_key": SECRET_KEY}, ["AK/SK authentication is incomplete: missing access_key"]),
        "security-token-alone": ({"security_token": SECURITY_TOKEN}, ["security_token is only used with access_key and secret_key"]),
        "user-alone": ({"user_name": USER_NAME}, ["Password authentication is incomplete: missing password, domain_name"]),
        "user-without-domain": ({"user_name": USER_NAME, "password": USER_PASSWORD}, ["Password authentication is incomplete: missing domain_name"]),
        "user-without-password": ({"user_name": USER_NAME, "domain_name": DOMAIN_NAME}, ["Password authentication is incomplete: missing password"]),
        "none": ({}, ["No credentials were given", "auth_token (HW_AUTH_TOKEN)", "access_key and secret_key (HW_ACCESS_KEY, HW_SECRET_KEY)",
                      "user_name, password and domain_name (HW_USER_NAME, HW_USER_PASSWORD, HW_DOMAIN_NAME)"]),
    }
    for label, (options, fragments) in credentials.items():
        cases.append(dict(base, case=label, **options))
        expected[label] = fragments
    # Credentials are fine, but nothing says where the API is.
    cases.append({"case": "no-endpoint-no-region", "job_id": JOB_ID, "project_id": PROJECT_ID, "auth_token": STATIC_TOKEN})
    expected["no-endpoint-no-region"] = ["set region (HW_REGION_NAME) or endpoint (HW_DDM_ENDPOINT)"]

    results = ansible_runner.run_cases(cases)[0]

    _check_rejected(results, expected)
    # The password embedded in the URL is not repeated in the message.
    assert "Url-Secret-0001" not in results["endpoint-userinfo"]["msg"]
    assert "Url-Secret-0001" not in results["iam_endpoint-userinfo"]["msg"]
    assert emulator.requests_log() == []


def _iso(when):
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_contradictory_wait_and_list_options(ansible_runner, emulator):
    now = datetime.datetime.now(datetime.timezone.utc)
    options = {
        "wait_timeout-0": ({"job_id": JOB_ID, "wait": True, "wait_timeout": 0}, ["wait_timeout must be a positive number of seconds, got 0"]),
        "wait_interval-0": ({"job_id": JOB_ID, "wait": True, "wait_interval": 0}, ["wait_interval must be a positive number of seconds, got 0"]),
        "wait_interval-negative": ({"job_id": JOB_ID, "wait_interval": -1}, ["wait_interval must be a positive number of seconds, got -1"]),
        "interval-above-timeout": ({"job_id": JOB_ID, "wait": True, "wait_timeout": 5, "wait_interval": 10},
                                   ["wait_interval (10) must not be larger than wait_timeout (5)"]),
        "start_time-with-job_id": ({"job_id": JOB_ID, "start_time": _iso(now)}, ["start_time only filters the task list", "job_id"]),
        "end_time-with-job_id": ({"job_id": JOB_ID, "end_time": _iso(now)}, ["end_time only filters the task list"]),
        "status-with-job_id": ({"job_id": JOB_ID, "status": ["Failed"]}, ["status only filters the task list"]),
        "name-with-job_id": ({"job_id": JOB_ID, "name": "CreateInstance"}, ["name only filters the task list"]),
        "wait-without-job_id": ({"wait": True}, ["wait needs job_id or job_ids: only given tasks can be waited on"]),
        "start-31-days-back": ({"start_time": _iso(now - datetime.timedelta(days=31))}, ["start_time", "more than 30 days ago"]),
        "start-in-2020": ({"start_time": "2020-01-01T00:00:00Z"}, ["start_time", "more than 30 days ago"]),
        "start-after-end": ({"start_time": _iso(now - datetime.timedelta(hours=1)), "end_time": _iso(now - datetime.timedelta(hours=2))},
                            ["start_time", "is after end_time"]),
        "start-without-zone": ({"start_time": "2026-11-28T10:00:00"}, ["start_time needs a time zone", "'2026-11-28T10:00:00'"]),
        "start-not-a-time": ({"start_time": "yesterday"}, ["start_time must be an ISO 8601 time", "'yesterday'"]),
        # Once an overflow in date arithmetic (a MODULE FAILURE).
        "end-in-year-1": ({"end_time": "0001-01-01T00:00:00Z"}, ["end_time is out of range (1970 to 8999)"]),
        "start-in-year-9999": ({"start_time": "9999-12-31T23:59:59Z"}, ["start_time is out of range"]),
    }
    cases = [token_case(emulator, label, **values) for label, (values, _fragments) in options.items()]

    results = ansible_runner.run_cases(cases)[0]

    _check_rejected(results, {label: fragments for label, (_values, fragments) in options.items()})
    assert emulator.requests_log() == []
