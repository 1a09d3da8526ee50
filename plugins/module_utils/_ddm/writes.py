# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place of the DDM modules that decides what a write did.

A state module makes one :class:`WriteSender` per run and sends each write through :meth:`WriteSender.send`::

    sender = WriteSender(self, self.jobs)   # self: the DdmModule (its deadline, wait_interval, result, warnings)
    sent = sender.send("create", lambda: api.create(body), look=lambda: api.find_by_name(name)[0] or None,
                       record=lambda found: setattr(self, "resource", found[0]), check="the instances named %s" % name)
    if sent.found is not None:   # the answer was unclear, and the read-back found what the write did
        ...
    else:
        sent.answer               # the write's answer, its order_id refused

- The write is sent once (its API call is made not repeatable: see ``HuaweiCloudClient.request``). Its action goes into
  the result's ``actions`` and the run is ``changed`` once it is sent, unless the API refused it with a 4xx (nothing was
  applied). Any ``order_id`` in its answer fails naming the order: this collection never leaves an unpaid order.
- Its outcome is unclear on no answer, a 502/503/504, a timeout (an :class:`OutcomeUnknown`) and on a 2xx whose body cannot
  be read (an :class:`UnexpectedAnswer`). Then ``look()`` reads back what the write did: it is called until it returns
  something (not None, not empty) for up to ``READ_BACK_SECONDS``, never past the run's deadline; its errors are retried
  meanwhile. What it found is given to ``record`` at once, before anything else can fail (put its id into the result).
  Nothing found: the run fails saying that the write may or may not have been applied, and naming ``check``.
- A synchronous API (accounts) lists a write's effect at once: its ``look()`` answers :data:`NOT_APPLIED` when the read-back
  shows the write was not applied. The write is then sent once more when ``send`` was given ``resend`` (a creation whose
  list shows it absent), else the run fails saying so; it is never sent a third time.
- A task is adopted only with proof (:meth:`WriteSender.adopt_job`): created after the write was sent by the server's
  clock (less :data:`CLOCK_MARGIN`), not among the resource's tasks listed before the write (:meth:`WriteSender.jobs_of`),
  of one of the right names, on the right resource; the caller then checks that the resource reached the target once
  the task ended (:meth:`WriteSender.confirm`).
"""

from __future__ import annotations

import datetime

from .jobs import job_view
from .job_waiter import wait_interval
from .._cloud.errors import APIError, DeadlineExceeded, HuaweiCloudError, OperationFailed, OutcomeUnknown, UnexpectedAnswer, printable
from .._cloud.polling import wait_for
from .._cloud.times import parse_time

# After a write whose outcome is unclear, look this long for what it did (never past the run's deadline).
READ_BACK_SECONDS = 30
# Task times have whole seconds, and so has the server's Date header.
CLOCK_MARGIN = datetime.timedelta(seconds=10)
# The resource's tasks listed before a write: this far back, this many pages.
JOBS_BEFORE = datetime.timedelta(days=1)
JOB_PAGES = 4
# What a look() answers when the read-back shows that the write was not applied (a synchronous API's list).
NOT_APPLIED = "not applied"


class Sent:
    """What a write did: its ``answer`` (None when unclear), or what the read-back ``found`` (None when the answer was clear),
    and ``cause`` (why the outcome was unclear)."""

    def __init__(self, answer=None, found=None, cause=None):
        self.answer = answer
        self.found = found
        self.cause = cause


class WriteSender:
    """Sends the writes of one run of ``module`` (a :class:`DdmModule`), reading tasks through ``jobs`` (a :class:`DdmJobs`)."""

    def __init__(self, module, jobs, clock=None, sleep=None):
        self.module = module
        self.jobs = jobs
        self._clock = clock or module.clock
        self._sleep = sleep or module.sleep
        module.result.setdefault("actions", [])

    @property
    def deadline(self):
        return self.module.deadline

    def send(self, action: str, write, look=None, record=None, check: str = "", what: str | None = None, resend: bool = False) -> Sent:
        """Send ``write()`` once (see the module's docstring); ``action`` names it in ``actions``, ``what`` in messages. With
        ``resend``, a write whose outcome was unclear and whose read-back answered :data:`NOT_APPLIED` is sent once more."""
        what = what or action
        for attempt in range(2 if resend else 1):
            try:
                answer = write()
            except (OutcomeUnknown, UnexpectedAnswer) as exc:
                if not attempt:
                    self._sent(action)
                cause = exc.cause if isinstance(exc, OutcomeUnknown) else exc
                found = self.read_back(what, cause, look, record, check)
                if found is not NOT_APPLIED:
                    return Sent(found=found, cause=cause)
                continue
            except APIError as exc:
                if 400 <= exc.status < 500:
                    raise  # refused: nothing was applied, and the run is not changed by it
                if not attempt:
                    self._sent(action)
                raise
            if not attempt:
                self._sent(action)
            order = (answer or {}).get("order_id") if isinstance(answer, dict) else None
            if order:
                raise OperationFailed("DDM answered %s with order %s: a yearly/monthly order, which this collection never pays; see the "
                                      "billing centre (pay or cancel it there)" % (what, printable(str(order))))
            return Sent(answer=answer)
        raise OperationFailed("The request to %s got no clear answer (%s)%s, and %s does not show it applied; run the task again" % (
            what, cause, " twice" if resend else "", check))

    def _sent(self, action: str) -> None:
        self.module.result["actions"].append(action)
        self.module.changed = True

    def read_back(self, what: str, cause: HuaweiCloudError, look, record=None, check: str = ""):
        """What ``look()`` finds within the read-back window, given to ``record`` at once; fails when it finds nothing."""
        unclear = "The request to %s got no clear answer (%s): it may or may not have been applied" % (what, cause)
        if look is None:
            raise OperationFailed("%s. It was not sent again; check %s" % (unclear, check))
        errors = []

        def attempt():
            try:
                return look() or None
            except DeadlineExceeded:
                raise
            except HuaweiCloudError as exc:
                errors[:] = [exc]  # the read-back keeps trying: the service that lost the answer may still be recovering
                return None

        window = self.deadline.sooner(READ_BACK_SECONDS)
        found = None
        if window.seconds > 0:
            found = wait_for(attempt, lambda value: value is not None, window, wait_interval(self.module.params.get("wait_interval"), window),
                             clock=self._clock, sleep=self._sleep).value
        if found is None:
            reason = ("the run's deadline (%s) left no time to read it back" % self.deadline.option if window.seconds <= 0
                      else "nothing showed it within %d s" % round(window.seconds))
            raise OperationFailed("%s; %s%s. It was not sent again: check %s before running the task again" % (
                unclear, reason, " (the last read-back failed: %s)" % errors[0] if errors else "", check))
        if record is not None and found is not NOT_APPLIED:
            record(found)
        return found

    # ------------------------------------------------------------------ tasks

    def server_now(self) -> datetime.datetime:
        """The server's time now (its last Date header's offset from this machine's clock)."""
        return self.module.client.server_now()

    def jobs_of(self, resource_id: str) -> set:
        """The ids of the resource's tasks of the last day (a few pages of the task list), to be listed before a write."""
        now = self.server_now()
        return {item["id"] for item in self.jobs.iterate(now - JOBS_BEFORE, now + CLOCK_MARGIN, JOB_PAGES)
                if (job_view(item).get("instance") or {}).get("id") == resource_id}

    def adopt_job(self, names, resource_id: str, sent: datetime.datetime, seen_before=frozenset()) -> dict | None:
        """The newest task of one of ``names`` (any name when None) on the resource, created after ``sent`` (the server's time
        when the write was sent) and not in ``seen_before``; None when there is none (no proof: adopt nothing)."""
        listing = self.jobs.iterate(sent - CLOCK_MARGIN, self.server_now() + CLOCK_MARGIN, JOB_PAGES)
        for item in listing:
            job = job_view(item)
            right_job = names is None or job.get("name") in names
            on_resource = (job.get("instance") or {}).get("id") == resource_id
            if right_job and on_resource and job["id"] not in seen_before and _created_after(job, sent - CLOCK_MARGIN):
                return job
        return None

    @staticmethod
    def confirm(reached: bool, what: str, job_id: str | None, check: str, resource=None) -> None:
        """After an adopted task ended: the resource must be as the write asked, else the run cannot tell what the write did."""
        if not reached:
            raise OperationFailed("The request to %s got no clear answer; %s, but the result is not as asked: the request may or may not "
                                  "have been applied. It was not sent again: check %s" % (
                                      what, "task %s was found for it and ended" % job_id if job_id else "no task of it was found",
                                      check), resource)


def _created_after(job: dict, when: datetime.datetime) -> bool:
    try:
        return parse_time(job.get("created_time") or "") >= when
    except ValueError:
        return False
