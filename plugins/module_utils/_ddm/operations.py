# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Operations on one DDM instance, one at a time, within the run's deadline.

An :class:`InstanceOperator` sends a write when the instance can take it (waiting for ``RUNNING``
while another operation is under way, when allowed) and waits for a deleted instance to disappear.
What a write whose outcome is unclear did is decided in ``writes.py``. Every wait goes through
:func:`wait_for` and writes live progress records; an :class:`Operation`, handed to each call, says
what the wait is for.
"""

from __future__ import annotations

import time

from .instances import READY, describe, in_progress, is_failed
from .._cloud.deadline import Deadline
from .._cloud.errors import DeadlineExceeded, OperationFailed, ResourceBusy, printable
from .progress import instance_record
from .._ansible.progress import ProgressReporter
from .job_waiter import wait_interval
from .._cloud.polling import FIRST_PAUSE, wait_for


class Operation:
    """What a module is doing, for the progress records of its waits: the operation's ``name``, its ``step`` of ``steps``,
    and the ``instance`` ({id, name}) it works on."""

    def __init__(self, name: str, instance: dict, step: int = 1, steps: int = 1):
        self.name = name
        self.instance = instance
        self.step = step
        self.steps = steps

    def progress_context(self) -> dict:
        """The keyword arguments every progress record of the operation's waits carries."""
        return dict(operation=dict(name=self.name, step=self.step, steps=self.steps), instance=dict(self.instance))


class InstanceOperator:
    """Runs writes on DDM instances through ``api`` (a :class:`DdmInstances`) and reads jobs through ``jobs`` (a :class:`DdmJobs`).

    ``deadline`` (the run's :class:`Deadline`) bounds every wait; ``interval`` is the longest pause between polls;
    ``warn`` shows a warning; ``reporter`` writes the progress records; ``clock`` and ``sleep`` are the waits'.
    """

    def __init__(self, api, jobs, deadline: Deadline, interval: int | None, warn, reporter: ProgressReporter | None = None,
                 clock=time.monotonic, sleep=time.sleep):
        self.api = api
        self.jobs = jobs
        self.deadline = deadline
        self.interval = interval
        self.warn = warn
        self.reporter = reporter or ProgressReporter.from_environment()
        self._clock = clock
        self._sleep = sleep

    def _wait(self, fetch, is_final, on_poll=None, first_pause: float = FIRST_PAUSE):
        """:func:`wait_for` within the run's deadline."""
        return wait_for(fetch, is_final, self.deadline, wait_interval(self.interval, self.deadline), on_poll=on_poll, first_pause=first_pause,
                        clock=self._clock, sleep=self._sleep)

    # ------------------------------------------------------------------ the instance's status

    def wait_until_settled(self, instance: dict, may_wait: bool, operation: Operation) -> dict:
        """The instance once no operation is under way on it (RUNNING, or failed): waits when ``may_wait``, else fails naming the status."""
        if not in_progress(instance.get("status")):
            return instance
        if not may_wait:
            raise OperationFailed("%s is %s: another operation is under way; set wait: true to wait for it to end" % (
                printable(describe(instance)), printable(instance["status"])), instance)
        return self.wait_for_status(instance, settled, READY, operation)

    def wait_for_status(self, instance: dict, done, wanted: str, operation: Operation) -> dict | None:
        """Poll the instance until ``done(instance or None)``; None once it is gone. Fails at the deadline with the last status."""
        last = [instance]

        def fetch():
            last[0] = self.api.get(instance["id"])
            return last[0]

        def report(current, elapsed):
            shown = current or dict(instance, status="gone")
            self.reporter.update(shown.get("status"), instance_record(shown, wanted, elapsed, **operation.progress_context()))

        def seen():
            current = last[0]
            return ("it was last seen gone" if current is None else "its status is still %s" % printable(str(current.get("status"))),
                    current or instance)

        return self.watch(fetch, done, report, lambda: "%s to be %s" % (printable(describe(last[0] or instance)), wanted), seen)

    def watch(self, fetch, done, report, awaited, seen):
        """``fetch()``'s value once ``done(value)``, polled within the run's deadline, each poll reported (``report(value, elapsed)``).

        At the deadline it fails: ``Timed out ... waiting for <awaited()>: <what seen() says was last seen>`` (and the last error),
        carrying the resource ``seen()`` gives. A deadline is a deadline: never taken for the resource's state.
        """
        outcome = self._wait(fetch, done, report) if not self.deadline.expired() else None
        if outcome is None or outcome.timed_out:
            text, resource = seen()
            error = "; last error: %s" % outcome.error if outcome is not None and outcome.error else ""
            raise OperationFailed("%s: %s%s" % (self.deadline.waiting_for(awaited()), text, error), resource)
        return outcome.value

    # ------------------------------------------------------------------ writes

    def send(self, instance: dict, write, may_wait: bool, operation: Operation, done=None):
        """``write()``'s answer; a write refused because the instance is busy is sent again once it is RUNNING (when ``may_wait``).

        ``done(instance or None)`` says whether the instance is already as the write asks: a request resent because its first
        answer was lost is refused as busy by the operation that first attempt started, and once that ends it is not sent again
        (a resize would be refused: same flavor). The answer is then ``{}``.
        """
        refused, stopped = [], []

        def attempt():
            """(the write's answer,) once accepted (or found done); None while refused as busy."""
            if refused:
                current = self.wait_for_status(instance, settled, READY, operation)
                if done is not None and done(current):
                    self.warn("%s was already as asked once the operation under way on it ended: an earlier attempt of the request, whose "
                              "answer was lost, did it; not sent again" % printable(describe(current or instance)))
                    return ({},)
                if current is None or is_failed(current["status"]):
                    raise OperationFailed("%s cannot be changed: its status is %s" % (
                        printable(describe(current or instance)), "gone" if current is None else printable(current["status"])), current)
            try:
                return (write(),)
            except ResourceBusy as exc:
                if not may_wait:
                    current = self.api.get(instance["id"]) or instance
                    raise OperationFailed("%s is busy (%s, status %s); set wait: true to wait for the other operation to end" % (
                        printable(describe(current)), exc, printable(str(current.get("status")))), current) from None
                refused[:] = [exc]  # the refusal came before the status changed (or the status read is stale): wait, then look again
                return None
            except DeadlineExceeded as exc:
                stopped.append(exc)  # no answer by the deadline: a timeout of the run, as for any other request
                return ()

        # A steady cadence: the operation under way takes minutes, and each attempt first waits for the instance to settle.
        outcome = self._wait(attempt, lambda sent: sent is not None, first_pause=wait_interval(self.interval, self.deadline))
        if stopped:
            raise stopped[0]
        if outcome.value:
            return outcome.value[0]
        raise OperationFailed("%s stayed busy until the deadline: %s" % (printable(describe(instance)), refused[0]), instance)


def settled(instance: dict | None) -> bool:
    """Whether no operation is under way on the instance (None: it is gone)."""
    return instance is None or not in_progress(instance["status"])
