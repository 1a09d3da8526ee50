# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Case builders and checks shared by the integration tests.

Cases run in batches (``Ansible.run_cases``): each case reads its own job, and faults match that
job's path only, so one case can neither see nor use up another case's requests or faults.
"""

from __future__ import annotations

import json

from harness.emulator import (  # pylint: disable=import-error
    PROJECT_ID, SECRET_KEY, SECURITY_TOKEN, STATIC_TOKEN, TEMP_SECRET_KEY, USER_PASSWORD,
)

# Every secret value the emulator knows; the tokens it issues for passwords all start with MIIEMU (as IAM's do).
SECRETS = (STATIC_TOKEN, SECRET_KEY, TEMP_SECRET_KEY, SECURITY_TOKEN, USER_PASSWORD, "MIIEMU")
# Header names whose presence in the output would mean request headers were dumped.
SECRET_HEADERS = ("Authorization", "X-Auth-Token", "X-Security-Token", "X-Subject-Token")
HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr>nginx</body></html>"
UNAVAILABLE = {"status": 503, "json": {"error_code": "APIGW.0203", "error_msg": "Service unavailable.", "request_id": None}}
THROTTLED = {"status": 429, "json": {"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached.", "request_id": None}}


def job_path(job_id):
    return "/v3/%s/jobs/%s" % (PROJECT_ID, job_id)


def token_case(emulator, label, **options):
    """A case with token credentials for the emulator, plus ``options``."""
    return dict({"case": label, "endpoint": emulator.url, "project_id": PROJECT_ID, "auth_token": STATIC_TOKEN}, **options)


def fault_on(emulator, job_id, count=1, **spec):
    """Queue a fault for the next ``count`` GETs of this job only."""
    emulator.add_fault(count=count, method="GET", path="/jobs/%s$" % job_id, **spec)


def job_requests(emulator, job_id):
    return emulator.api_requests(job_path(job_id))


def retry_warnings(task):
    # A loop's item warnings are gathered on the task result.
    return [warning for warning in task.get("warnings", []) if warning.startswith("Huawei Cloud requests were retried")]


def finish_jobs_after_first_poll(ansible_runner, emulator, await_request, command, endings):
    """Run ``command`` and, once the module has read each job of ``endings`` ({job id: job spec}, in order), script how it ends.

    Ansible's start-up time varies with the machine's load, so a job that simply lasts a few
    seconds could already be over at the first poll. Re-creating the job under the same id once
    it has been read makes "seen in progress, then finished" certain.
    """
    started = ansible_runner.start(command)
    for job_id, spec in endings.items():
        await_request(lambda entry, path=job_path(job_id): entry["path"] == path and entry["status"] == 200)
        emulator.post_job(id=job_id, **spec)
    return ansible_runner.finish(started)


def assert_no_secrets(run):
    """No secret value and no secret header name in stdout, stderr, or the decoded JSON result."""
    text = run.stdout + run.stderr + (json.dumps(run.data) if run.json_output else "")
    for secret in SECRETS:
        assert secret not in text, "%r appears in the output:\n%r" % (secret, run)
    for header in SECRET_HEADERS:
        assert header.lower() not in text.lower(), "%r appears in the output:\n%r" % (header, run)
