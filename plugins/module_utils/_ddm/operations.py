# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Operations on one DDM instance, one at a time, within one deadline.

An :class:`InstanceOperator` sends a write when the instance can take it (waiting for ``RUNNING``
while another operation is under way, when allowed), waits for the write's task, waits for a
deleted instance to disappear, and reads back what a write whose answer was lost did: it never
sends such a write again. Every wait writes live progress records.
"""

from __future__ import annotations

import datetime
import time

from .instances import READY, InstanceBusy, describe, in_progress, is_failed
from .jobs import job_view
from .._cloud.errors import HuaweiCloudError, OutcomeUnknown, printable
from .._ansible.progress import ProgressReporter, instance_record
from .job_waiter import TaskWaiter, wait_interval
from .._cloud.times import utc_now
from .._cloud.polling import wait_for

# After a write whose answer was lost, look this long for what it did (an instance, a task).
READ_BACK_SECONDS = 30
# A task's created_time has whole seconds and the clocks need not agree: look a little earlier.
READ_BACK_MARGIN = datetime.timedelta(minutes=2)


class OperationFailed(HuaweiCloudError):
    """An operation failed or timed out; ``instance`` and ``job`` are the last states seen, for the result."""

    def __init__(self, message: str, instance: dict | None = None, job: dict | None = None):
        super().__init__(message)
        self.instance = instance
        self.job = job


class InstanceOperator:
    """Runs writes on DDM instances through ``api`` (a :class:`DdmInstances`) and waits on them through ``jobs`` (a :class:`DdmJobs`).

    ``deadline`` (a ``time.monotonic()`` value) bounds everything; ``interval`` is the longest pause
    between polls; ``warn`` shows a warning. ``context`` goes into every progress record.
    """

    def __init__(self, api, jobs, deadline: float, interval: int | None, warn, reporter: ProgressReporter | None = None, budget: int | None = None):
        self.api = api
        self.jobs = jobs
        self.deadline = deadline
        self.budget = budget  # the seconds the whole run had (wait_timeout), for messages
        self.interval = interval
        self.warn = warn
        self.reporter = reporter or ProgressReporter.from_environment()
        self.context = {}

    def remaining(self) -> float:
        return max(self.deadline - time.monotonic(), 0.0)

    def _wait(self, fetch, is_final, on_poll):
        timeout = self.remaining()
        if timeout <= 0:
            return None, True
        outcome = wait_for(fetch, is_final, timeout, wait_interval(self.interval, timeout), on_poll=on_poll)
        return outcome.value, outcome.timed_out

    # ------------------------------------------------------------------ the instance's status

    def wait_until_settled(self, instance: dict, may_wait: bool) -> dict:
        """The instance once no operation is under way on it (RUNNING, or failed): waits when ``may_wait``, else fails naming the status."""
        if not in_progress(instance.get("status")):
            return instance
        if not may_wait:
            raise OperationFailed("%s is %s: another operation is under way; set wait: true to wait for it to end" % (
                printable(describe(instance)), printable(instance["status"])), instance)
        return self.wait_for_status(instance, lambda current: current is None or not in_progress(current["status"]), READY)

    def wait_for_status(self, instance: dict, done, wanted: str) -> dict | None:
        """Poll the instance until ``done(instance or None)``; None once it is gone. Fails at the deadline with the last status."""
        last = [instance]

        def fetch(deadline):  # pylint: disable=unused-argument
            last[0] = self.api.get(instance["id"])
            return last[0]

        def report(current, elapsed):
            shown = current or dict(instance, status="gone")
            self.reporter.update(shown.get("status"), instance_record(shown, wanted, elapsed, **self.context))

        value, timed_out = self._wait(fetch, done, report)
        if timed_out and not done(last[0]):
            current = last[0] or instance
            raise OperationFailed("Timed out waiting for %s to be %s: its status is still %s" % (
                printable(describe(current)), wanted, printable(str(current.get("status")))), current)
        return value

    # ------------------------------------------------------------------ writes

    def send(self, instance: dict, write, may_wait: bool, done=None) -> dict:
        """``write()``'s answer; a write refused because the instance is busy is sent again once it is RUNNING (when ``may_wait``).

        ``done(instance or None)`` says whether the instance is already as the write asks: a request resent because its first
        answer was lost is refused as busy by the operation that first attempt started, and once that ends it is not sent again
        (a resize would be refused: same flavor). The answer is then ``{}``.
        """
        while True:
            try:
                return write()
            except InstanceBusy as exc:
                if not may_wait:
                    current = self.api.get(instance["id"]) or instance
                    raise OperationFailed("%s is busy (%s, status %s); set wait: true to wait for the other operation to end" % (
                        printable(describe(current)), exc, printable(str(current.get("status")))), current) from None
                if self.remaining() <= 0:
                    raise OperationFailed("%s stayed busy until the deadline: %s" % (printable(describe(instance)), exc), instance) from None
                # The refusal came before the status changed (or the status read is stale): wait for RUNNING, then look again.
                time.sleep(min(wait_interval(self.interval, self.remaining()), self.remaining()))
                current = self.wait_for_status(instance, lambda now: now is None or not in_progress(now["status"]), READY)
                if done is not None and done(current):
                    self.warn("%s was already as asked once the operation under way on it ended: an earlier attempt of the request, whose "
                              "answer was lost, did it; not sent again" % printable(describe(current or instance)))
                    return {}
                if current is None or is_failed(current["status"]):
                    raise OperationFailed("%s cannot be changed: its status is %s" % (
                        printable(describe(current or instance)), "gone" if current is None else printable(current["status"])), current) from None

    def wait_for_task(self, instance: dict, job_id: str) -> dict:
        """The task once final, with its failure details; raises OperationFailed when it fails or the deadline passes."""
        waiter = TaskWaiter(self.jobs, self.warn, self.reporter, progress=self.context)
        timeout_text = "Timed out (wait_timeout, %d s, bounds the whole run)" % self.budget if self.budget else None
        outcome = waiter.wait(job_id, max(self.remaining(), 0.001), self.interval, expected_instance=instance.get("id"), timeout_text=timeout_text)
        if outcome.message:
            current = self._read_quietly(instance)
            raise OperationFailed(outcome.message, current, outcome.job)
        return outcome.job

    def _read_quietly(self, instance: dict) -> dict:
        """The instance now, or as last seen when it cannot be read (the deadline passed, say)."""
        try:
            return self.api.get(instance["id"]) or instance
        except HuaweiCloudError:
            return instance

    # ------------------------------------------------------------------ writes whose answer was lost

    def adopt_created(self, name: str, sent: datetime.datetime, error: OutcomeUnknown) -> tuple:
        """(instance list item, the creation task's id or None) of the one instance named ``name`` that a create whose answer was lost
        made; looks for it for a while. Never sends the create again."""
        found = []

        def look(deadline):  # pylint: disable=unused-argument
            found[:] = self.api.find_by_name(name)[0]
            return found

        limit = min(READ_BACK_SECONDS, self.remaining())
        if limit > 0:
            wait_for(look, bool, limit, wait_interval(self.interval, limit))
        if len(found) > 1:
            raise OperationFailed("The request to create DDM instance %s %s; %d instances of that name exist now (%s): not choosing one" % (
                printable(name), _unclear(error), len(found), ", ".join(printable(item["id"]) for item in found)))
        if not found:
            raise OperationFailed("The request to create DDM instance %s %s; no instance of that name appeared within %d s. It was not sent "
                                  "again: run the task again, and it adopts the instance if it exists, or creates it" % (
                                      printable(name), _unclear(error), round(limit)))
        task = self.find_task("CreateInstance", found[0], sent)
        self.warn("The answer to the request to create DDM instance %s was lost (%s); the instance it created, %s, was found by name "
                  "and adopted" % (printable(name), error.cause, printable(found[0]["id"])))
        return found[0], task

    def adopt_node_change(self, instance: dict, task_name: str, sent: datetime.datetime, error: OutcomeUnknown) -> str:
        """The id of the task a node change whose answer was lost started; looks for it in the task list for a while."""
        found = []

        def look(deadline):  # pylint: disable=unused-argument
            found[:] = [job_id for job_id in [self.find_task(task_name, instance, sent)] if job_id]
            return found

        limit = min(READ_BACK_SECONDS, self.remaining())
        if limit > 0:
            wait_for(look, bool, limit, wait_interval(self.interval, limit))
        if not found:
            raise OperationFailed("The request to change the nodes of %s %s; no %s task for it appeared within %d s. It was not sent "
                                  "again: check the instance's node count, then run the task again" % (
                                      printable(describe(instance)), _unclear(error), task_name, round(limit)), instance)
        self.warn("The answer to the request to change the nodes of %s was lost (%s); its task %s was found and followed" % (
            printable(describe(instance)), error.cause, found[0]))
        return found[0]

    def find_task(self, task_name: str, instance: dict, since: datetime.datetime) -> str | None:
        """The id of the newest task named ``task_name`` on this instance created since ``since`` (the task list, a few pages)."""
        listing = self.jobs.iterate(since - READ_BACK_MARGIN, utc_now(), 4, self.deadline)
        for item in listing:
            job = job_view(item)
            if item.get("name") == task_name and (job.get("instance") or {}).get("id") == instance["id"]:
                return job["id"]
        return None


def _unclear(error: OutcomeUnknown) -> str:
    return "got no clear answer (%s): it may or may not have been applied" % error.cause
