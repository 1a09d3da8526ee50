#!/usr/bin/python
# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ddm_job_info
short_description: Get or list Huawei Cloud DDM tasks (jobs), optionally waiting for them to finish
version_added: 1.0.0
description:
  - Reads one task of Huawei Cloud Distributed Database Middleware (DDM), such as the
    C(CreateInstance) job returned when an instance is created, with C(GET /v3/{project_id}/jobs/{job_id}).
  - With O(wait=true), polls until the task reaches a final status, so a play can wait until an
    instance really exists before configuring it. A task that ends in failure fails the Ansible task,
    and its C(fail_reason) is looked up in the task list and reported.
  - A task created a moment ago may not be visible yet. Inside a wait, "task not found" (C(DBS.300400), the answer DDM
    is seen to give for an unknown task; the API reference does not list that code) is taken as "not visible yet"
    for up to 30 seconds (never beyond O(wait_timeout)), polling on the normal schedule; after that the wait fails
    saying the task was not found. Without O(wait), "not found" fails at once.
  - The wait's deadline is hard. Every request made during the wait, including its headers and body, must end by the
    deadline, whatever the server does (stalls, answers slowly, trickles). When the deadline passes, the task fails
    as timed out and reports the last state it saw. An answer that comes after the deadline cannot turn a timeout into success.
  - While it waits, C(ansible-playbook) shows a line whenever the task's status or progress changes,
    with the job id and name, the status, the percentage and the time elapsed.
    When the task's progress rises steadily, the poll after its predicted end is brought forward.
  - With O(job_ids), reads several tasks at once, or with O(wait=true) waits on them together. A poll reads them all
    through the task list, so it costs one request however many tasks there are, while they fit in one page of the list.
  - Without O(job_id) or O(job_ids), lists the tasks created in a time window (the last 24 hours by default),
    fetching every page, optionally filtered by O(status), O(name) and O(instance_id).
  - Every task in a result has one shape, RV(job)'s, whether it comes from O(job_id), O(job_ids) or a listing.
author:
  - huaweicloud.cloud contributors (@huaweicloud)
options:
  job_id:
    description:
      - Id of the task, for example the C(job_id) returned by an instance creation.
      - Only letters, digits, V(-) and V(_) are accepted; anything else is rejected before any request.
      - Leave it out (and O(job_ids)) to list tasks instead.
    type: str
  job_ids:
    description:
      - Ids of several tasks, for example the C(job_id) of each instance a loop created. Mutually exclusive with O(job_id).
      - Returns each task in RV(jobs), in the order given, and how many are in each status in RV(counts).
      - Each poll reads one window of the task list covering the tasks still in progress, page by page, instead of one
        request per task. A task the list does not show yet (created a moment ago) is looked for again at the next poll,
        for up to 30 seconds; a task the list cannot show is read on its own, each one on the first poll, then at most three
        per poll, in turn. Only the given tasks' entries of the list are checked; another task's malformed entry is left out,
        with a warning, and a task the list shows twice with different statuses is read on its own, with a warning.
      - With O(wait=true), waits until every task is final or O(wait_timeout) passes. A failed task does not end the wait
        early; the Ansible task fails at the end, naming each failed task and its reason, and RV(jobs) holds every task's last state.
      - At most 200 ids, each given once, each a plain id as for O(job_id). An empty list is an error.
    type: list
    elements: str
    version_added: 1.1.0
  instance_id:
    description:
      - With O(job_id), the instance the task must belong to. The module fails, before waiting,
        when the task works on another instance, so a gate never waits on the wrong job.
      - Without O(job_id), lists only the tasks of this instance.
      - Not accepted with O(job_ids), whose tasks usually work on several instances; check C(jobs[].instance.id) instead.
    type: str
  wait:
    description:
      - Poll until the task (or every task of O(job_ids)) reaches a final status. Needs O(job_id) or O(job_ids).
      - V(Completed) succeeds; V(Failed), V(CancelSuccess) and V(RollbackSuccess) fail the Ansible task.
      - Every other status counts as still in progress and is waited on, including V(Running),
        V(Expanding), V(Canceling), V(Rollbacking), V(Switching), statuses this module does not know yet,
        and V(ToBeSwitched), which waits for someone to start the switch-over, so such a wait ends at
        O(wait_timeout) unless that happens.
      - Without O(wait), the task is returned whatever its status, and a failed task does not fail.
    type: bool
    default: false
  start_time:
    description:
      - When listing, the start of the creation time window, in ISO 8601 with a time zone,
        such as V(2026-11-28T10:00:00Z) or V(2026-11-28T18:00:00+08:00).
      - Defaults to 24 hours before O(end_time). The API keeps 30 days of tasks; an earlier start is rejected.
    type: str
  end_time:
    description:
      - When listing, the end of the creation time window, in the same format. Defaults to now.
    type: str
  status:
    description:
      - When listing, keep only tasks with one of these statuses, such as V(Failed) (compared in any case, so V(failed) matches too).
      - A status DDM never reports is a warning (a typo matches nothing).
    type: list
    elements: str
  name:
    description:
      - When listing, keep only tasks with this name, such as V(CreateInstance).
    type: str
extends_documentation_fragment:
  - huaweicloud.cloud.huaweicloud
  - huaweicloud.cloud.huaweicloud.ddm
  - huaweicloud.cloud.huaweicloud.info_module
  - huaweicloud.cloud.huaweicloud.wait
notes:
  - When the output goes to a pipe (CI logs), Ansible writes it in blocks; set E(PYTHONUNBUFFERED=1),
    as AWX does, to see its lines, these included, as they happen.
seealso:
  - name: DDM API reference, obtaining information about a task
    description: The call that reads one task (O(job_id)).
    link: https://support.huaweicloud.com/intl/en-us/api-ddm/en-us_topic_0000002113619085.html
  - name: DDM API reference, querying tasks
    description: The task list, read when listing, for O(job_ids), and for the C(fail_reason) and C(operations) of a task.
    link: https://support.huaweicloud.com/intl/en-us/api-ddm/ListTasks.html
"""

EXAMPLES = r"""
# Credentials come from HW_ACCESS_KEY and HW_SECRET_KEY (or any other source of the user guide).
- name: Get a DDM task
  huaweicloud.cloud.ddm_job_info:
    job_id: "{{ ddm_create_job_id }}"
    region: cn-north-4
  register: ddm_job

- name: Show its status and progress
  ansible.builtin.debug:
    msg: "{{ ddm_job.job.status }} {{ ddm_job.job.process }}"

- name: Gate on an instance creation, and stop the play when it did not complete
  block:
    - name: Wait until the instance creation task has finished
      huaweicloud.cloud.ddm_job_info:
        job_id: "{{ ddm_create_job_id }}"
        instance_id: "{{ ddm_instance_id | default(omit) }}"
        region: cn-north-4
        wait: true
        wait_timeout: 3600
      register: creation

    - name: Configure the new instance
      ansible.builtin.debug:
        msg: "Instance {{ creation.job.instance.id }} is ready after {{ creation.elapsed }} s"
  rescue:
    - name: Report the task's last state
      ansible.builtin.debug:
        msg: "{{ ansible_failed_result.msg }} (task: {{ ansible_failed_result.job | default('not read') }})"

    - name: Stop, the instance is not usable
      ansible.builtin.fail:
        msg: "DDM task {{ ddm_create_job_id }} did not complete; not configuring the instance"

- name: Create many instances without waiting on each
  huaweicloud.cloud.ddm_instance:
    name: "{{ item }}"
    region: cn-north-4
    flavor: ddm.c6.large.2
    node_num: 2
    engine_version: 3.0.8.5
    availability_zones: [cn-north-4a, cn-north-4b]
    vpc_id: "{{ vpc_id }}"
    subnet_id: "{{ subnet_id }}"
    security_group_id: "{{ security_group_id }}"
    wait: false
  loop: [tenant-a, tenant-b, tenant-c]
  register: created

- name: Wait once for their creation tasks (one request per poll, not one per task)
  block:
    - name: Wait for every creation task
      huaweicloud.cloud.ddm_job_info:
        job_ids: "{{ created.results | selectattr('job_id', 'defined') | map(attribute='job_id') | list }}"
        region: cn-north-4
        wait: true
        wait_timeout: 3600
      register: creations
  rescue:
    - name: Report each task that did not succeed
      ansible.builtin.debug:
        msg: "{{ item.id }}: {{ item.status or 'not found' }} {{ item.fail_reason | default('') }}"
      loop: "{{ ansible_failed_result.jobs | default([]) | rejectattr('status', 'equalto', 'Completed') }}"

    - name: Stop, some instances are not usable
      ansible.builtin.fail:
        msg: "Not every creation task completed: {{ ansible_failed_result.msg }}"

- name: List the failed tasks of the last two days
  huaweicloud.cloud.ddm_job_info:
    region: cn-north-4
    start_time: "{{ '%Y-%m-%dT%H:%M:%SZ' | strftime(now().timestamp() | int - 2 * 86400, utc=true) }}"
    status:
      - Failed
      - RollbackSuccess
  register: failed_tasks
"""

RETURN = r"""
job:
  description:
    - The task. On failure and timeout, the last state seen.
    - Every task in RV(jobs) has this shape too.
  returned: with O(job_id), on success, and on failure when the task was read
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
          reports V(Expanding), V(Canceling), V(Rollbacking), V(ToBeSwitched) and V(Switching).
        - V(RollbackSuccess) and V(CancelSuccess) are not in the API reference's list of statuses, but
          have been seen on tasks that were rolled back or cancelled; they count as failures.
      type: str
      sample: Completed
    created_time:
      description:
        - When the task was created, as the API gives it, like C(2018-08-06T18:41:14+0800). The offset is the
          region's time zone and may be any offset; compare times as times, not as text.
      type: str
      sample: "2018-08-06T18:41:14+0800"
    end_time:
      description:
        - The task's end time, as the API gives it, in the same format.
        - Not a completion signal. The API fills it for some running tasks too (an expected end), and leaves it
          empty for others. Only RV(job.status) tells whether the task has finished.
      type: str
      sample: "2018-08-07T00:41:14+0800"
    process:
      description: Progress while the task runs, such as V(60%); empty otherwise.
      type: str
      sample: "60%"
    fail_reason:
      description: Why the task failed, from the task list, when its status is a failure and the list had it.
      type: str
      returned: when the task failed and the reason could be found
      sample: "Insufficient quota for ECS instances."
    operations:
      description:
        - What can be done next about the task, from the task list, for a task that ended in failure
          (V(Failed), V(CancelSuccess), V(RollbackSuccess)) or waits in V(ToBeSwitched), when the list had it.
          A V(Completed) task has nothing left to act on and is not looked up.
        - V(toBeRetried) the task can be retried; V(toBeRolled) it can be rolled back; V(toBeSwitched) it
          waits for a switch-over to be started. Other values may appear and are passed through.
      type: list
      elements: str
      returned: when the task ended in failure or is V(ToBeSwitched), and the task list had it; always for tasks read from the list
      sample: ["toBeRetried"]
    database_name:
      description: The logical database the task works on, from the task list; empty for instance-wide tasks.
      type: str
      returned: when the task was read from the task list
      sample: orders
      version_added: 1.1.0
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
jobs:
  description:
    - With O(job_ids), every task in the order given, as last seen (also on failure and timeout). A task that was never
      found has only C(id) and a null C(status).
    - Without O(job_id) or O(job_ids), the tasks in the time window that pass the filters.
    - Each task has the shape of RV(job), with C(instance) as an object. Since 1.1.0 list items have that shape too.
    - Since 2.0.0 listed tasks no longer carry the flat C(instance_id) and C(instance_name), nor an empty C(fail_reason)
      when they did not fail (deprecated in 1.1.0); use C(instance.id), C(instance.name) and C(fail_reason | default('')).
  returned: with O(job_ids), or when O(job_id) is not given
  type: list
  elements: dict
  sample:
    - id: 5b0c7e2a-3f1d-4c8e-9a6f-0d2b4e6a8c01
      name: CreateInstance
      status: Completed
      created_time: "2026-11-28T10:41:14+0000"
      end_time: "2026-11-28T10:52:40+0000"
      process: ""
      instance:
        id: a48e43ff268f4c0e879652d65e63d0fbin09
        name: DDM-test
      database_name: ""
      operations: []
counts:
  description: With O(job_ids), how many tasks are in each status. Tasks never found are not counted.
  returned: with O(job_ids)
  type: dict
  sample: {"Completed": 28, "Failed": 1, "Running": 1}
  version_added: 1.1.0
elapsed:
  description: Seconds spent querying and waiting.
  returned: with O(job_id) or O(job_ids), on success, and on failure when the tasks were read
  type: float
  sample: 42.7
polls:
  description: How many times the task was queried; with O(job_ids), how many times the group was (one poll may take several requests).
  returned: with O(job_id) or O(job_ids), on success, and on failure when the tasks were read
  type: int
  sample: 11
"""

import datetime

from ..module_utils._ddm.jobs import KNOWN_STATUSES, RETENTION, job_view
from ..module_utils._ddm.module import DdmModule
from ..module_utils._cloud.errors import ConfigurationError, OperationFailed
from ..module_utils._ansible.module import check_plain_id
from ..module_utils._cloud.times import parse_time

LIST_OPTIONS = ("start_time", "end_time", "status", "name")
DEFAULT_WINDOW = datetime.timedelta(hours=24)
MAX_JOB_IDS = 200


def option_time(params: dict, option: str) -> datetime.datetime | None:
    if params[option] is None:
        return None
    try:
        return parse_time(params[option])
    except ValueError as exc:
        raise ConfigurationError("%s %s, got %r" % (option, exc, params[option])) from None


class DdmJobInfo(DdmModule):
    wait_default = False
    mutually_exclusive = (("job_id", "job_ids"),)

    @classmethod
    def argument_spec(cls):
        spec = super().argument_spec()
        spec.update(
            job_id=dict(type="str"),
            job_ids=dict(type="list", elements="str"),
            instance_id=dict(type="str"),
            start_time=dict(type="str"),
            end_time=dict(type="str"),
            status=dict(type="list", elements="str"),
            name=dict(type="str"),
        )
        return spec

    def check_options(self):
        params = self.module.params
        check_plain_id(params["job_id"], "job_id")
        check_plain_id(params["instance_id"], "instance_id")
        if params["job_ids"] is not None:
            self.check_job_ids(params["job_ids"])
        elif params["job_id"] is None:
            if params["wait"]:
                raise ConfigurationError("wait needs job_id or job_ids: only given tasks can be waited on")
            self.list_window()
            unknown = [status for status in params["status"] or [] if status.lower() not in {known.lower() for known in KNOWN_STATUSES}]
            if unknown:
                self.module.warn("status: DDM never reports %s, so no task matches %s (statuses: %s)" % (
                    ", ".join(map(repr, unknown)), "it" if len(unknown) == 1 else "them", ", ".join(KNOWN_STATUSES)))
            return
        given = [option for option in LIST_OPTIONS if params[option] is not None]
        if given:
            raise ConfigurationError("%s %s the task list, which is read when neither job_id nor job_ids is given" % (
                ", ".join(given), "only filters" if len(given) == 1 else "only filter"))
        super().check_options()

    def check_job_ids(self, job_ids):
        if not job_ids:
            raise ConfigurationError("job_ids is empty: give at least one task id")
        if len(job_ids) > MAX_JOB_IDS:
            raise ConfigurationError("job_ids names %d tasks; at most %d can be read in one task: split the list" % (len(job_ids), MAX_JOB_IDS))
        for index, job_id in enumerate(job_ids):
            check_plain_id(job_id, "job_ids[%d]" % index)
        repeated = sorted({job_id for job_id in job_ids if job_ids.count(job_id) > 1})
        if repeated:
            raise ConfigurationError("job_ids names %s more than once: give each task once" % ", ".join(repeated))
        if self.module.params["instance_id"] is not None:
            raise ConfigurationError("instance_id checks the task of job_id; with job_ids, check each task's instance.id in the result")

    def list_window(self):
        """(start, end) of the list query, from the options: the last 24 hours by default."""
        params = self.module.params
        now = datetime.datetime.now(datetime.timezone.utc)
        end = option_time(params, "end_time") or now
        start = option_time(params, "start_time") or end - DEFAULT_WINDOW
        if start > end:
            raise ConfigurationError("start_time (%s) is after end_time (%s)" % (start.isoformat(), end.isoformat()))
        if start < now - RETENTION:
            raise ConfigurationError("start_time (%s) is more than 30 days ago; the DDM API only keeps 30 days of tasks" % start.isoformat())
        return start, end

    def run(self):
        if self.params["job_ids"] is not None:
            self.report_jobs()
        elif self.params["job_id"] is None:
            self.list_jobs()
        else:
            self.report_job()

    def list_jobs(self):
        listing = self.jobs.iterate(*self.list_window())
        self.result["jobs"] = [job_view(item) for item in listing if self.listed(item)]
        if listing.truncated:
            self.module.warn("The DDM task list was cut short (%s), so tasks may be missing: narrow start_time and end_time" % listing.truncated)

    def listed(self, item) -> bool:
        """Whether a list item passes the status, name and instance_id filters."""
        params = self.params
        statuses = {status.lower() for status in params["status"] or []} or None
        checks = ((statuses, lambda wanted: item["status"].lower() in wanted), (params["name"], lambda name: item.get("name") == name),
                  (params["instance_id"], lambda instance_id: item.get("instance_id") == instance_id))
        return all(wanted is None or matches(wanted) for wanted, matches in checks)

    def report_job(self):
        params = self.params
        if params["wait"]:
            outcome = self.job_waiter.wait(params["job_id"], self.deadline, params["wait_interval"], params["instance_id"])
        else:
            outcome = self.job_waiter.read(params["job_id"], params["instance_id"])
        self.result.update(outcome.result())
        if outcome.message:
            raise OperationFailed(outcome.message)

    def report_jobs(self):
        """job_ids: every job's state; with wait, until all are final. A failed job does not end the wait early."""
        params = self.params
        if params["wait"]:
            outcome = self.job_waiter.wait_group(params["job_ids"], self.deadline, params["wait_interval"])
        else:
            outcome = self.job_waiter.read_group(params["job_ids"])
        self.result.update(outcome.result())
        if outcome.message:
            raise OperationFailed(outcome.message)


def main():
    DdmJobInfo.main()


if __name__ == "__main__":
    main()
