#!/usr/bin/python
# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ddm_job_info
short_description: Get a Huawei Cloud DDM task (job), optionally waiting for it to finish
version_added: 1.0.0
description:
  - Reads one task of Huawei Cloud Distributed Database Middleware (DDM), such as the
    C(CreateInstance) job returned when an instance is created, with C(GET /v3/{project_id}/jobs/{job_id}).
  - With O(wait=true), polls until the task reaches a final status, so a play can wait until an
    instance really exists before configuring it. A task that ends in failure fails the Ansible task.
  - Short pauses first, so quick tasks are seen quickly, growing to O(wait_interval).
author:
  - huaweicloud.cloud contributors
options:
  job_id:
    description:
      - Id of the task, for example the C(job_id) returned by an instance creation.
      - Only letters, digits, V(-) and V(_) are accepted; anything else is rejected before any request.
    type: str
    required: true
  wait:
    description:
      - Poll until the task reaches a final status.
      - V(Completed) succeeds; V(Failed), V(CancelSuccess) and V(RollbackSuccess) fail the Ansible task.
        Every other status, including ones this module does not know yet, counts as still in progress.
      - Without O(wait), the task is returned whatever its status, and a failed task does not fail.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for a final status before failing. Must be positive.
    type: int
    default: 1800
  wait_interval:
    description:
      - Longest pause between two polls, in seconds. Must be positive and not above O(wait_timeout).
      - The first pauses are shorter (1, 2, 4 seconds...) so that short tasks are detected quickly.
    type: int
    default: 5
extends_documentation_fragment:
  - huaweicloud.cloud.huaweicloud
  - huaweicloud.cloud.huaweicloud.ddm
  - huaweicloud.cloud.huaweicloud.info_module
seealso:
  - name: DDM API reference, querying a task
    description: The API this module calls.
    link: https://support.huaweicloud.com/intl/en-us/api-ddm/ddm_api_01_0102.html
"""

EXAMPLES = r"""
- name: Get a DDM task
  huaweicloud.cloud.ddm_job_info:
    job_id: "{{ create_result.job_id }}"
    region: cn-north-4
    access_key: "{{ hw_access_key }}"
    secret_key: "{{ hw_secret_key }}"
  register: ddm_job

- name: Show its status and progress
  ansible.builtin.debug:
    msg: "{{ ddm_job.job.status }} {{ ddm_job.job.process }}"

- name: Gate on instance creation, with credentials set once for the play
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/huaweicloud.cloud.huaweicloud:
      region: cn-north-4
      user_name: "{{ hw_user }}"
      password: "{{ hw_password }}"
      domain_name: "{{ hw_account }}"
  tasks:
    - name: Wait until the instance creation task has finished
      huaweicloud.cloud.ddm_job_info:
        job_id: "{{ ddm_create_job_id }}"
        wait: true
        wait_timeout: 3600
      register: creation

    - name: Configure the new instance
      ansible.builtin.debug:
        msg: "Instance {{ creation.job.instance.id }} is ready after {{ creation.elapsed }} s"

- name: Branch on a failed creation instead of stopping the play
  block:
    - name: Wait for the task
      huaweicloud.cloud.ddm_job_info:
        job_id: "{{ ddm_create_job_id }}"
        wait: true
      register: creation
  rescue:
    - name: Report the failed task's last state
      ansible.builtin.debug:
        msg: "Task {{ creation.job.id }} ended as {{ creation.job.status }}"
"""

RETURN = r"""
job:
  description:
    - The task as the API returns it. On failure and timeout, the last state seen.
  returned: success, and on failure when the task was read
  type: dict
  contains:
    id:
      description: Task id.
      type: str
      sample: 31b8ae23-c687-4d80-b7b4-42a66c9bb886
    name:
      description: Task name, such as V(CreateInstance), V(EnlargeNode) or V(RestartInstance).
      type: str
      sample: CreateInstance
    status:
      description:
        - Task status. V(Running), V(Completed) and V(Failed) are the usual ones; the API also
          reports V(Expanding), V(Canceling), V(Rollbacking), V(RollbackSuccess), V(CancelSuccess),
          V(ToBeSwitched) and V(Switching).
      type: str
      sample: Completed
    created_time:
      description: When the task was created, like C(2018-08-06T10:41:14+0000).
      type: str
      sample: "2018-08-06T10:41:14+0000"
    end_time:
      description: When the task ended, in the same format; empty while it runs.
      type: str
      sample: "2018-08-06T16:41:14+0000"
    process:
      description: Progress while the task runs, such as V(60%); empty otherwise.
      type: str
      sample: "60%"
    instance:
      description: The DDM instance the task works on.
      type: dict
      contains:
        id:
          description: Instance id.
          type: str
          sample: a48e43ff268f4c0e879652d65e63d0fbin09
        name:
          description: Instance name.
          type: str
          sample: DDM-test
elapsed:
  description: Seconds spent querying and waiting.
  returned: success, and on failure when the task was read
  type: float
  sample: 42.7
polls:
  description: How many times the task was queried.
  returned: success, and on failure when the task was read
  type: int
  sample: 11
"""

from ansible.module_utils.basic import AnsibleModule

from ..module_utils.errors import APIError, ConfigurationError, NotFoundError
from ..module_utils.huaweicloud import HuaweiCloudModule, check_plain_id
from ..module_utils.waiter import wait_for

SUCCESS_STATUSES = frozenset(("Completed",))
FAILURE_STATUSES = frozenset(("Failed", "CancelSuccess", "RollbackSuccess"))
# Status 400 DBS.300400 is how DDM says "no such task"; a 404 can come from a gateway.
NOT_FOUND_CODES = frozenset(("DBS.300400",))


def describe(job: dict) -> str:
    instance = job.get("instance") or {}
    text = "DDM job %s (%s)" % (job.get("id"), job.get("name") or "unnamed")
    if instance.get("id") or instance.get("name"):
        text += " on instance %s (%s)" % (instance.get("name") or "unnamed", instance.get("id") or "no id")
    return text


class DdmJobInfo(HuaweiCloudModule):
    service = "ddm"

    @classmethod
    def argument_spec(cls):
        spec = super().argument_spec()
        spec.update(
            job_id=dict(type="str", required=True),
            wait=dict(type="bool", default=False),
            wait_timeout=dict(type="int", default=1800),
            wait_interval=dict(type="int", default=5),
        )
        return spec

    def check_options(self):
        params = self.module.params
        check_plain_id(params["job_id"], "job_id")
        for option in ("wait_timeout", "wait_interval"):
            if params[option] <= 0:
                raise ConfigurationError("%s must be a positive number of seconds, got %d" % (option, params[option]))
        if params["wait_interval"] > params["wait_timeout"]:
            raise ConfigurationError("wait_interval (%d) must not be larger than wait_timeout (%d)" % (params["wait_interval"], params["wait_timeout"]))

    def get_job(self, deadline=None) -> dict:
        job_id = self.module.params["job_id"]
        url = "%s/v3/%s/jobs/%s" % (self.endpoint, self.client.project_id, job_id)
        try:
            body = self.client.get_json(url, deadline=deadline)
        except APIError as exc:
            if exc.status == 404 or exc.code in NOT_FOUND_CODES:
                raise NotFoundError("job %s not found in project %s" % (job_id, self.client.project_id)) from None
            raise
        job = body.get("job")
        if not isinstance(job, dict) or not job.get("status"):
            raise APIError(200, None, "the DDM answer carries no job status", None)
        return job

    def run(self):
        params = self.module.params
        final = SUCCESS_STATUSES | FAILURE_STATUSES
        outcome = wait_for(self.get_job, lambda job: not params["wait"] or job["status"] in final,
                           params["wait_timeout"], params["wait_interval"])
        job = outcome.value
        result = dict(job=job, elapsed=round(outcome.elapsed, 1), polls=outcome.polls)
        if params["wait"] and job["status"] in FAILURE_STATUSES:
            self.fail("%s ended with status %s" % (describe(job), job["status"]), **result)
        if outcome.timed_out:
            self.fail("Timed out after %d s waiting for %s: last status %s, progress %s"
                      % (params["wait_timeout"], describe(job), job["status"], job.get("process") or "not reported"), **result)
        self.exit(**result)


def main():
    module = AnsibleModule(argument_spec=DdmJobInfo.argument_spec(), supports_check_mode=True)
    DdmJobInfo(module).execute()


if __name__ == "__main__":
    main()
