# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and waiting on DDM jobs, for any module: one job or many, within the run's deadline.

A module hands over job ids and its :class:`Deadline` and gets back an outcome: the jobs' last states,
the failure details the job list adds (``fail_reason``, ``operations``), and the message to fail
with, if any (a failed job, a timeout). The waits write live progress records
(:mod:`.progress`) and give a job created a moment ago time to appear. Requests keep to the
client's scope, which the module sets to the same deadline.
"""

from __future__ import annotations

import time

from .jobs import FAILURE_STATUSES, FINAL_STATUSES, LIST_DETAIL_STATUSES, NOT_FOUND_GRACE, JobGroup, add_list_details, describe_failure, \
    describe_last_state, job_view, progress_percent
from .._cloud.deadline import Deadline
from .._cloud.errors import HuaweiCloudError, NotFoundError, WrongInstance
from .progress import group_record, job_failed_record, job_record
from .._ansible.progress import ProgressReporter
from .._cloud.polling import WaitOutcome, wait_for
from .._cloud.times import utc_now

DEFAULT_WAIT_INTERVAL = 5
# Looking up a job's failure reason and operations is a courtesy: it may not hold the play up for long.
LIST_LOOKUP_SECONDS = 10
# Messages name this many jobs at most; the result holds them all.
MAX_NAMED = 10


def name_some(texts: list) -> str:
    named = "; ".join(texts[:MAX_NAMED])
    return named + ("; and %d more (see jobs)" % (len(texts) - MAX_NAMED) if len(texts) > MAX_NAMED else "")


def wait_interval(interval: int | None, deadline: Deadline) -> float:
    """The longest pause between polls: ``interval`` if given, else 5 s (or what is left of the deadline, if shorter)."""
    return interval or min(DEFAULT_WAIT_INTERVAL, deadline.remaining())


def last_error(outcome: WaitOutcome) -> str:
    return "; the last poll got no answer: %s" % outcome.error if outcome.error is not None else ""


def progress_context(operation) -> dict:
    """What every progress record of a wait carries about what it is for (an operation's ``progress_context()``), if anything."""
    return operation.progress_context() if operation is not None else {}


class JobOutcome:
    """What reading or waiting on one job found: ``job`` (None if never seen), and ``message`` when it must fail."""

    def __init__(self, job: dict | None, polls: int, elapsed: float, message: str | None = None):
        self.job = job
        self.polls = polls
        self.elapsed = elapsed
        self.message = message

    def result(self) -> dict:
        result = dict(elapsed=round(self.elapsed, 1), polls=self.polls)
        if self.job is not None:
            result["job"] = self.job
        return result


class GroupOutcome:
    """What reading or waiting on many jobs found: every job in the order given, and ``message`` when it must fail."""

    def __init__(self, group: JobGroup, elapsed: float, message: str | None = None):
        self.jobs = group.jobs()
        self.counts = group.counts()
        self.polls = group.cycles
        self.elapsed = elapsed
        self.message = message

    def result(self) -> dict:
        return dict(jobs=self.jobs, counts=self.counts, elapsed=round(self.elapsed, 1), polls=self.polls)


class JobWaiter:
    """Reads and waits on DDM jobs through a :class:`DdmJobs`.

    ``warn`` shows a warning (the module's); ``reporter`` writes the progress records; ``clock`` and
    ``sleep`` are the waits' (``time.monotonic`` and ``time.sleep``). A wait's ``operation`` (see
    :class:`Operation`) says what the job does for the module, in every progress record.
    """

    def __init__(self, jobs, warn, reporter: ProgressReporter | None = None, clock=time.monotonic, sleep=time.sleep):
        self.jobs = jobs
        self._warn = warn
        self._reporter = reporter or ProgressReporter.from_environment()
        self._clock = clock
        self._sleep = sleep

    # ------------------------------------------------------------------ one job

    def get(self, job_id: str, expected_instance: str | None = None) -> dict:
        """The job as results show it; refuses a job of another instance than ``expected_instance``."""
        job = job_view(self.jobs.get(job_id))
        actual = (job.get("instance") or {}).get("id")
        if expected_instance and actual != expected_instance:
            raise WrongInstance("DDM job %s (%s) belongs to instance %s, not to instance_id %s: refusing to report on the wrong task"
                                % (job["id"], job.get("name"), actual or "(none)", expected_instance), job)
        return job

    def read(self, job_id: str, expected_instance: str | None = None) -> JobOutcome:
        """One look at the job, with the failure details of a job that ended badly; never fails on its status."""
        started = self._clock()
        job = self.get(job_id, expected_instance)
        outcome = JobOutcome(job, 1, self._clock() - started)
        self._add_details_if_final(job)
        return outcome

    def wait(self, job_id: str, deadline: Deadline, interval: int | None = None, expected_instance: str | None = None,
             operation=None) -> JobOutcome:
        """Poll until the job is final or the ``deadline`` passes; ``message`` says why it must fail, if it must."""
        started = self._clock()
        seen = [False]  # whether the job was found: only that is kept of earlier answers (they can be megabytes each)
        context = progress_context(operation)

        def poll():
            try:
                job = self.get(job_id, expected_instance)
            except NotFoundError as exc:
                if seen[0]:
                    raise exc.with_message("%s (it was found earlier in this wait)" % exc) from None
                if self._clock() - started >= NOT_FOUND_GRACE:
                    raise exc.with_message("%s (still not found after %d s of waiting)" % (exc, NOT_FOUND_GRACE)) from None
                return None  # not visible yet: look again on the normal schedule
            seen[0] = True
            return job

        def report(job, elapsed):
            record = job_record(job_id, job, elapsed, **context)
            self._reporter.update(("not visible yet",) if job is None else (job["status"], job.get("process")), record)

        outcome = wait_for(poll, lambda job: job is not None and job["status"] in FINAL_STATUSES, deadline, wait_interval(interval, deadline),
                           on_poll=report, progress=lambda job: progress_percent(job) if job else None, clock=self._clock, sleep=self._sleep)
        job = outcome.value
        self._add_details_if_final(job)
        message = None
        if job is not None and job["status"] in FAILURE_STATUSES:
            message = describe_failure(job)
        elif outcome.timed_out:
            message = self._timeout_message(job_id, deadline, outcome)
        return JobOutcome(job, outcome.polls, outcome.elapsed, message)

    @staticmethod
    def _timeout_message(job_id: str, deadline: Deadline, outcome: WaitOutcome) -> str:
        job = outcome.value
        if job is None and outcome.polls:
            what = "DDM job %s: the task was not found yet (a new task can take a while to appear)" % job_id
        elif job is None:
            what = "DDM job %s: no answer from DDM yet" % job_id
        else:
            what = describe_last_state(job)
        return deadline.waiting_for(what) + last_error(outcome)

    def _add_details_if_final(self, job: dict | None) -> None:
        if job is not None and job["status"] in LIST_DETAIL_STATUSES:
            self.add_list_details(job)

    def add_list_details(self, job: dict, deadline: Deadline | None = None) -> bool:
        """``fail_reason`` and ``operations`` from the job list: the single-job call does not carry them. False on an error.

        The lookup keeps to ``deadline``, by default ``LIST_LOOKUP_SECONDS`` from now (and never past the run's deadline).
        """
        try:
            with self.jobs.client.within(deadline or Deadline(LIST_LOOKUP_SECONDS, self._clock)):
                item = self.jobs.find_list_item(job)
        except HuaweiCloudError as exc:
            self._warn("Could not read the task's failure reason and operations from the task list: %s" % exc)
            return False
        if item is not None:
            add_list_details(job, item)
        return True

    # ------------------------------------------------------------------ many jobs

    def read_group(self, job_ids: list) -> GroupOutcome:
        """Every job's current state, in one pass; never fails on their statuses."""
        return self._group(job_ids, None, None, None)

    def wait_group(self, job_ids: list, deadline: Deadline, interval: int | None = None, operation=None) -> GroupOutcome:
        """Poll until every job is final or the ``deadline`` passes; a failed job does not end the wait early."""
        return self._group(job_ids, deadline, interval, operation)

    def _group(self, job_ids, deadline, interval, operation) -> GroupOutcome:
        waiting = deadline is not None
        group = JobGroup(self.jobs, job_ids, NOT_FOUND_GRACE if waiting else 0, clock=self._clock, now=getattr(self.jobs, "server_now", utc_now))
        started = self._clock()
        outcome = None
        try:
            if waiting:
                outcome = wait_for(group.refresh, lambda value: group.done(), deadline, wait_interval(interval, deadline),
                                   on_poll=self._group_reporter(group, progress_context(operation)),
                                   progress=lambda value: {job_id: progress_percent(group.states[job_id])
                                                           for job_id in group.pending() if job_id in group.states},
                                   clock=self._clock, sleep=self._sleep)
            else:
                group.refresh()
        except HuaweiCloudError as exc:
            self._warn_about_the_list(group)
            return GroupOutcome(group, self._clock() - started, str(exc))
        self._warn_about_the_list(group)
        self._add_group_details(group)
        failed = [describe_failure(job) for job in group.failed()] if waiting else []
        message = None
        if outcome is not None and outcome.timed_out:
            running = [describe_last_state(group.states[job_id]) for job_id in group.pending() if job_id in group.states]
            unseen = [job_id for job_id in group.pending() if job_id not in group.states]
            message = deadline.waiting_for("%d DDM jobs" % len(group.ids))
            if running:
                message += ", %d still in progress: %s" % (len(running), name_some(running))
            if unseen:
                message += "%s %d not found yet (a new task can take a while to appear): %s" % (";" if running else ",", len(unseen), name_some(unseen))
            if not running and not unseen:
                message += ": every task was final, but seen only after the deadline"
            message += (". Failed meanwhile: %s" % name_some(failed) if failed else "") + last_error(outcome)
        elif failed:
            message = "%d of %d DDM jobs did not succeed: %s" % (len(failed), len(group.ids), name_some(failed))
        return GroupOutcome(group, self._clock() - started, message)

    def _warn_about_the_list(self, group: JobGroup) -> None:
        """What the job list got wrong about other jobs (left out), or about ours (read on their own instead)."""
        if group.skipped:
            self._warn("The DDM task list held malformed items of other tasks (%d on one read); they were left out" % group.skipped)
        if group.conflicts:
            shown = ["%s (%s)" % (job_id, ", ".join(status[:64] for status in statuses)) for job_id, statuses in group.conflicts.items()]
            self._warn("The DDM task list showed %d of the tasks twice, with different statuses, so they were read on their own: %s" % (
                len(shown), name_some(shown)))

    def _add_group_details(self, group: JobGroup) -> None:
        """The list's details for final jobs that were read on their own (the list did not show them)."""
        deadline = Deadline(LIST_LOOKUP_SECONDS, self._clock)
        for job in group.states.values():
            if job["status"] in LIST_DETAIL_STATUSES and "operations" not in job and not self.add_list_details(job, deadline):
                return

    def _group_reporter(self, group: JobGroup, context: dict):
        """Progress records: one when the counts change, one for each job that fails."""
        told = set()

        def report(value, elapsed):  # pylint: disable=unused-argument
            for job in group.failed():
                if job["id"] not in told:
                    told.add(job["id"])
                    self._reporter.write(job_failed_record(job, elapsed, **context))
            summary = group.summary()
            key = (summary["completed"], sorted(summary["failed"].items()), summary["running"], summary["not_found"])
            self._reporter.update(key, group_record(summary, elapsed, **context))
        return report
