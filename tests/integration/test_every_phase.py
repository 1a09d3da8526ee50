# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every phase of a run, not only the polls: project discovery, credential fetches and the lookups after a wait.

Each of them keeps to the wait's deadline (``ddm_instance``: its run's), whatever IAM or the metadata
service does; what they answer is checked like DDM's answers (a project id goes into URLs); and the
tokens they hand out are masked like the secrets a user gives, even when a server echoes them.
"""

from __future__ import annotations

import re

from cases import assert_no_secrets, job_path, token_case  # pylint: disable=import-error
from harness.ansible_runner import case_results  # pylint: disable=import-error
from harness.emulator import (  # pylint: disable=import-error
    ACCESS_KEY, AGENCY_DOMAIN_NAME, AGENCY_NAME, DOMAIN_NAME, PROJECT_ID, REGION, SECRET_KEY, STATIC_TOKEN, USER_NAME, USER_PASSWORD,
)

STALL = {"delay": 60}
# api_timeout and max_retries alone would let each stall last 20 s (once 208 s, with the defaults).
WAIT = {"wait": True, "wait_timeout": 5, "wait_interval": 1, "api_timeout": 10, "max_retries": 1}
AGENCY = {"agency_name": AGENCY_NAME, "agency_domain_name": AGENCY_DOMAIN_NAME}
DEADLINE_TEXT = "no complete answer before the deadline"
PLAIN_RULE = "expected a plain id (letters, digits, '-' and '_', at most 128 characters)"


def discovery_case(emulator, label, **options):
    """A case without project_id (the README's quick start): the project is found by region, through IAM."""
    return dict({"case": label, "endpoint": emulator.url, "iam_endpoint": emulator.url, "region": REGION}, **options)


def password(**options):
    return dict({"user_name": USER_NAME, "password": USER_PASSWORD, "domain_name": DOMAIN_NAME}, **options)


def user(**options):
    """Password credentials without the password (given in the batch's defaults, out of the printed loop items)."""
    return dict({"user_name": USER_NAME, "domain_name": DOMAIN_NAME}, **options)


def aksk(**options):
    return dict({"access_key": ACCESS_KEY, "secret_key": SECRET_KEY}, **options)


def case_gaps(emulator, first_paths):
    """Seconds from the first request of each case to the first of the next (``first_paths``: a regex per case, in order)."""
    log = emulator.requests_log()
    starts = [next(entry["epoch"] for entry in log if entry["method"] != "OPTIONS" and re.search(path, entry["path"])) for path in first_paths]
    return [later - earlier for earlier, later in zip(starts, starts[1:])]


# --------------------------------------------------------------------------- 1. every phase ends by the deadline

def test_every_phase_of_a_wait_ends_by_its_deadline(ansible_runner, emulator):
    jobs = {label: emulator.post_job(duration=3600)["id"] for label in ("token", "aksk", "password", "metadata", "agency")}
    failed = emulator.post_job(outcome="Failed", fail_reason="The nodes did not start.")["id"]
    sentinel = emulator.post_job()["id"]
    emulator.configure_metadata(token="optional", agency=True)
    # Each case stalls on its own path: the project lookup of each kind of credentials, the login, the
    # metadata and agency credentials, and the task list read for a failed task's reason after its wait.
    stalls = [("GET", "^/v3/auth/projects$"), ("GET", "^/v3/projects$"), ("POST", "^/v3/auth/tokens$"),
              ("GET", "^/openstack/latest/securitykey$"), ("POST", "^/v3.0/OS-CREDENTIAL/securitytokens$"),
              ("GET", "^/v3/%s/jobs$" % PROJECT_ID)]
    for method, path in stalls:
        emulator.add_fault(count=5, method=method, path=path, **STALL)
    cases = [
        discovery_case(emulator, "token", auth_token=STATIC_TOKEN, job_id=jobs["token"], **WAIT),
        discovery_case(emulator, "aksk", job_id=jobs["aksk"], **aksk(**WAIT)),
        discovery_case(emulator, "password", job_id=jobs["password"], **password(**WAIT)),
        dict({"case": "metadata", "endpoint": emulator.url, "project_id": PROJECT_ID, "use_ecs_metadata": True, "job_id": jobs["metadata"]},
             **WAIT),
        token_case(emulator, "agency", iam_endpoint=emulator.url, job_id=jobs["agency"], **dict(AGENCY, **WAIT)),
        token_case(emulator, "failed-task-lookup", job_id=failed, **{**WAIT, "wait_timeout": 3}),
        token_case(emulator, "sentinel", job_id=sentinel),
    ]

    results, task = ansible_runner.run_cases(cases, env={"HW_METADATA_ENDPOINT": emulator.url})

    url = emulator.url
    causes = {
        "token": "GET %s/v3/auth/projects: %s" % (url, DEADLINE_TEXT),
        "aksk": "GET %s/v3/projects?name=%s: %s" % (url, REGION, DEADLINE_TEXT),
        "password": "IAM password login failed: POST %s/v3/auth/tokens: %s" % (url, DEADLINE_TEXT),
        "metadata": "The ECS metadata service did not give temporary credentials: GET %s/openstack/latest/securitykey: %s" % (url, DEADLINE_TEXT),
        "agency": "IAM did not give temporary credentials for agency %r of account %r: POST %s/v3.0/OS-CREDENTIAL/securitytokens: %s" % (
            AGENCY_NAME, AGENCY_DOMAIN_NAME, url, DEADLINE_TEXT),
    }
    for label, cause in causes.items():
        item = results[label]
        # A timeout, like any other poll that got no answer (it once failed after 20 s, or 208 s, as an IAM error).
        assert item["failed"] is True and "job" not in item, item
        assert item["msg"] == "Timed out after 5 s waiting for DDM job %s: no answer from DDM yet; the last poll got no answer: %s" % (
            jobs[label], cause), item["msg"]
        assert item["elapsed"] <= 5.5, item
    # The failed task's reason could not be read in time: the failure is reported with the task as seen, and a warning.
    item = results["failed-task-lookup"]
    assert item["failed"] is True and item["job"]["status"] == "Failed" and "fail_reason" not in item["job"], item
    assert item["msg"].startswith("DDM job %s (CreateInstance)" % failed) and item["msg"].endswith("ended with status Failed"), item["msg"]
    assert any(DEADLINE_TEXT in warning for warning in task.get("warnings", [])), task.get("warnings")
    assert results["sentinel"].get("failed") is not True
    # Each run, from its first request to the next case's, fits in its wait_timeout (and a module start).
    first = [stall[1] for stall in stalls[:3]] + ["^/meta-data/latest/api/token$", "^/v3.0/OS-CREDENTIAL/securitytokens$",
                                                  job_path(failed) + "$", job_path(sentinel) + "$"]
    gaps = case_gaps(emulator, first)
    limits = [5 + 3] * 5 + [3 + 3]
    assert all(gap <= limit for gap, limit in zip(gaps, limits)), gaps
    # Nothing reached DDM without a project: the stalled cases never polled.
    assert not [entry for entry in emulator.requests_log() if any(jobs[label] in entry["path"] for label in ("token", "aksk", "password"))]


def test_the_project_lookup_of_ddm_instance_keeps_to_its_run_deadline(ansible_runner, emulator):
    emulator.add_fault(count=5, method="GET", path="^/v3/auth/projects$", **STALL)
    case = discovery_case(emulator, "token", auth_token=STATIC_TOKEN, name="ddm-nowhere", wait_timeout=5, wait_interval=1, api_timeout=10,
                          max_retries=1)

    item = ansible_runner.run_cases([case], module="ddm_instance")[0]["token"]

    assert item["failed"] is True and item["changed"] is False, item
    assert item["msg"] == "Timed out (wait_timeout, 5 s, bounds the whole run): GET %s/v3/auth/projects: %s" % (emulator.url, DEADLINE_TEXT)
    assert item["actions"] == [] and "instance" not in item, item
    assert [entry["path"] for entry in emulator.requests_log()] == ["/v3/auth/projects"]


# --------------------------------------------------------------------------- 4. IAM's answers are checked

def test_project_ids_and_lists_from_iam_are_checked_before_any_url_holds_them(ansible_runner, emulator):
    job = emulator.post_job()["id"]
    answers = [
        ("list-not-a-list", "^/v3/auth/projects$", 200, {"projects": "cn-north-4"}, {}),
        ("path-in-id", "^/v3/auth/projects$", 200, {"projects": [{"id": "../../../evil", "name": REGION}]}, {}),
        ("query-in-id", "^/v3/projects$", 200, {"projects": [{"id": "p1?x=1#", "name": REGION}]}, {}),
        ("item-not-an-object", "^/v3/projects$", 200, {"projects": [7]}, {}),
        ("id-not-text", "^/v3/projects$", 200, {"projects": [{"id": 12, "name": REGION}]}, {}),
        ("login-project", "^/v3/auth/tokens$", 201, {"token": {"project": {"id": "../../../evil", "name": REGION}}},
         {"X-Subject-Token": "MIIEMUforged"}),
    ]
    for _label, path, status, answer, headers in answers:
        emulator.add_fault(count=1, path=path, status=status, json=answer, headers=headers)
    credentials = {"list-not-a-list": {"auth_token": STATIC_TOKEN}, "path-in-id": {"auth_token": STATIC_TOKEN}, "query-in-id": aksk(),
                   "item-not-an-object": aksk(), "id-not-text": aksk(), "login-project": password()}
    cases = [discovery_case(emulator, label, job_id=job, **credentials[label]) for label, *_rest in answers]

    results = ansible_runner.run_cases(cases)[0]

    expected = {
        "list-not-a-list": "projects is a string, expected an array",
        "path-in-id": "projects[0].id is '../../../evil', " + PLAIN_RULE,
        "query-in-id": "projects[0].id is 'p1?x=1#', " + PLAIN_RULE,
        "item-not-an-object": "projects[0] is a number, expected an object",
        "id-not-text": "projects[0].id is a number, expected a string",
        "login-project": "token.project.id is '../../../evil', " + PLAIN_RULE,
    }
    for label, problem in expected.items():
        item = results[label]
        assert item["failed"] is True and "job" not in item, item
        assert re.fullmatch(r"unexpected answer from IAM: %s \(request id [0-9a-f]{32}\)" % re.escape(problem), item["msg"]), item["msg"]
    # No DDM request at all: no URL was built with what IAM said.
    assert not emulator.api_requests("/jobs/")
    assert not [entry for entry in emulator.requests_log() if "evil" in entry["path"] or "x=1" in entry["path"]]


def test_project_ids_from_a_file_are_checked_like_options(ansible_runner, emulator, tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"current": "dev", "profiles": [{"name": "dev", "mode": "AKSK", "accessKeyId": "%s", "secretAccessKey": "%s", '
                    '"projectId": "../../../evil"}]}' % (ACCESS_KEY, SECRET_KEY), encoding="utf-8")
    path.chmod(0o600)
    case = {"case": "file", "endpoint": emulator.url, "job_id": emulator.post_job()["id"], "shared_config_file": str(path)}

    item = ansible_runner.run_cases([case])[0]["file"]

    assert item["failed"] is True, item
    assert "must be a plain id" in item["msg"] and "'../../../evil'" in item["msg"] and str(path) in item["msg"], item["msg"]
    assert not emulator.requests_log()


# --------------------------------------------------------------------------- 6. fetched tokens are masked

def test_tokens_fetched_at_run_time_are_masked_when_a_server_echoes_them(ansible_runner, emulator):
    jobs = {label: emulator.post_job()["id"] for label in ("login-token", "agency-security-token", "metadata-session-token")}
    echo = {"status": 400, "echo": True}
    # DDM quotes the IAM token a password login brought; IAM quotes the login token of an agency's base; DDM quotes the
    # security token of an agency's temporary credentials; the metadata service quotes its own session token.
    emulator.add_fault(count=1, method="GET", path=job_path(jobs["login-token"]) + "$",
                       json={"error_code": "DBS.280001", "error_msg": "The token [[{{X-Auth-Token}}]] may not read this task."}, **echo)
    emulator.add_fault(count=1, method="POST", path="^/v3.0/OS-CREDENTIAL/securitytokens$",
                       json={"error": {"code": 400, "message": "The token [[{{X-Auth-Token}}]] may not assume this agency.", "title": "Bad"}},
                       **echo)
    emulator.add_fault(count=1, method="GET", path=job_path(jobs["agency-security-token"]) + "$",
                       json={"error_code": "DBS.280001", "error_msg": "The security token [[{{X-Security-Token}}]] is not allowed."}, **echo)
    emulator.add_fault(count=1, method="GET", path="^/openstack/latest/securitykey$",
                       body="Bad request: the session [[{{X-Metadata-Token}}]] is not for this instance", **echo)
    cases = [discovery_case(emulator, "login-token", job_id=jobs["login-token"], **user()),
             discovery_case(emulator, "agency-login-token", job_id=jobs["login-token"], **user(**AGENCY)),
             discovery_case(emulator, "agency-security-token", job_id=jobs["agency-security-token"], **user(**AGENCY))]
    metadata = [{"case": "metadata-session-token", "endpoint": emulator.url, "project_id": PROJECT_ID, "use_ecs_metadata": True,
                 "job_id": jobs["metadata-session-token"]}]

    runs = [ansible_runner.run(ansible_runner.cases_command(cases, defaults={"password": USER_PASSWORD}, verbosity=3)),
            ansible_runner.run(ansible_runner.cases_command(metadata, verbosity=3), env={"HW_METADATA_ENDPOINT": emulator.url})]
    results = dict(case_results(runs[0], cases)[0], **case_results(runs[1], metadata)[0])

    for label, item in results.items():
        # The server's text is kept, the token it quoted is not.
        assert item["failed"] is True and "[[********]]" in item["msg"], (label, item)
    assert results["login-token"]["msg"].startswith("HTTP 400 DBS.280001: The token [[********]] may not read this task."), results
    assert results["agency-login-token"]["msg"].startswith("IAM did not give temporary credentials for agency %r of account %r: HTTP 400: "
                                                           "The token [[********]] may not assume" % (AGENCY_NAME, AGENCY_DOMAIN_NAME)), results
    assert results["metadata-session-token"]["msg"].startswith(
        "The ECS metadata service did not give temporary credentials: HTTP 400"), results
    for run in runs:
        assert_no_secrets(run)  # the IAM tokens all start with MIIEMU
        assert "gQpjbi1ub3J0aC00" not in run.stdout + run.stderr  # nor the security tokens IAM issued
