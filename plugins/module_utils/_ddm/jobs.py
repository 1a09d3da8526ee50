# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DDM job API: one job, the job list, what their answers must look like, and status meanings.

Every answer is checked here, once, before anything else reads it: a field of the wrong type
becomes an :class:`UnexpectedAnswer` naming the field, never a crash further on.
:func:`job_view` turns either answer shape into the one shape results show, and
:class:`JobGroup` reads many jobs at once through the list.
"""

from __future__ import annotations

import datetime
import time

from .._cloud.answers import check_answer, is_count, json_kind, list_problem, plain_id_problem, required_text_problems, text_problems
from .._cloud.errors import APIError, NotFoundError, printable, server_text
from .._cloud.paging import PagedListing
from .._cloud.times import epoch_ms, parse_time, utc_now

SERVICE = "DDM"
SUCCESS_STATUSES = frozenset(("Completed",))
FAILURE_STATUSES = frozenset(("Failed", "CancelSuccess", "RollbackSuccess"))
# Anything else (Running, Expanding, Canceling, Rollbacking, ToBeSwitched, Switching, and
# statuses added later) is still in progress: listing "pending" states breaks on new ones.
FINAL_STATUSES = SUCCESS_STATUSES | FAILURE_STATUSES
# Every status the sources document (a list filter warns on others: a typo matches nothing).
KNOWN_STATUSES = ("Running", "Completed", "Failed", "Expanding", "Canceling", "Rollbacking", "RollbackSuccess", "CancelSuccess", "ToBeSwitched",
                  "Switching")

# DDM answers an unknown job with HTTP 400 DBS.300400; a proxy in front may answer a bare 404.
NOT_FOUND_CODES = frozenset(("DBS.300400",))
PAGE_SIZE = 128  # the API's largest page
# However many jobs the list claims, reading stops here (25,600 jobs) with a warning.
MAX_LIST_PAGES = 200
# A job's failure reason and operations are a best-effort extra: a few pages of the list at most.
LIST_LOOKUP_MAX_PAGES = 4
# The API keeps this much history; the list call rejects an earlier start_time.
RETENTION = datetime.timedelta(days=30)

JOB_TEXT_FIELDS = ("name", "created_time", "end_time", "process")
ITEM_TEXT_FIELDS = JOB_TEXT_FIELDS + ("instance_id", "instance_name", "database_name", "fail_reason")
# The job list knows what can be done next (operations) about these. A completed job has
# nothing left to act on: looking it up would cost every successful gate a list request.
LIST_DETAIL_STATUSES = FAILURE_STATUSES | {"ToBeSwitched"}

# Inside a wait, "not found" first means "not visible yet": a job created a moment ago may
# take a while to appear in the API.
NOT_FOUND_GRACE = 30
# Before any job's creation time is known, a group reads the list over this recent window.
FIRST_WINDOW = datetime.timedelta(hours=24)
# A window starts this long before the earliest creation it must cover: created_time has whole
# seconds, and the client's clock need not agree with the server's.
WINDOW_MARGIN = datetime.timedelta(minutes=1)
# A group's cycle reads at most this many pages (1,024 jobs); jobs beyond are read one by one.
GROUP_MAX_PAGES = 8
# After the first refresh, a group reads at most this many jobs the list does not show on their own per refresh, in turn.
GROUP_SINGLE_READS = 3


def progress_percent(job: dict) -> float | None:
    """The ``process`` field (``"60%"``) as a number, or None when the job reports none."""
    text = (job.get("process") or "").strip().rstrip("%")
    try:
        return float(text)
    except ValueError:
        return None


def describe(job: dict) -> str:
    """``DDM job <id> (<name>) on instance <name> (<id>)``, for messages."""
    instance = job.get("instance") or {}
    text = "DDM job %s (%s)" % (job.get("id"), job.get("name") or "unnamed")
    if instance.get("id") or instance.get("name"):
        text += " on instance %s (%s)" % (instance.get("name") or "unnamed", instance.get("id") or "no id")
    return text


def describe_failure(job: dict) -> str:
    """``DDM job ... ended with status Failed: <reason>``."""
    reason = ": %s" % server_text(job["fail_reason"]) if job.get("fail_reason") else ""
    return "%s ended with status %s%s" % (describe(job), job["status"], reason)


def describe_last_state(job: dict) -> str:
    """``DDM job ...: last status Running, progress 40%``, for timeouts."""
    notes = {"ToBeSwitched": " (the task waits for a manual switch-over)", "Completed": " (seen only after the deadline)"}
    return "%s: last status %s%s, progress %s" % (describe(job), job["status"], notes.get(job["status"], ""), job.get("process") or "not reported")


def job_view(record: dict) -> dict:
    """A job in the one shape every result shows, from the single-job answer or a list item.

    ``id, name, status, created_time, end_time, process, instance {id, name}`` as given, plus, when
    the record carries them: ``fail_reason`` (failed jobs only), ``operations`` and ``database_name``.
    """
    job = {key: record[key] for key in ("id", "name", "status", "created_time", "end_time", "process") if key in record}
    instance = record.get("instance")
    if instance is None and ("instance_id" in record or "instance_name" in record):
        instance = {key: record[flat] for key, flat in (("id", "instance_id"), ("name", "instance_name")) if flat in record}
    if instance is not None:
        job["instance"] = {key: instance[key] for key in ("id", "name") if key in instance}
    add_list_details(job, record)
    return job


def add_list_details(job: dict, item: dict) -> None:
    """What only the job list tells about a job: ``fail_reason`` (failed jobs only), ``operations``, ``database_name``."""
    if job["status"] in FAILURE_STATUSES and item.get("fail_reason"):
        job["fail_reason"] = item["fail_reason"]
    if item.get("operations") is not None:
        job["operations"] = list(item["operations"])
    if item.get("database_name") is not None:
        job["database_name"] = item["database_name"]


def job_problem(record, where: str, text_fields=JOB_TEXT_FIELDS) -> str | None:
    """What is wrong with a job object of an answer, or None when it has the documented shape."""
    if not isinstance(record, dict):
        return "%s is %s, expected an object" % (where, json_kind(record))
    problems = required_text_problems(record, where, ("id", "status"))
    if not problems:
        # A job id goes into URLs and results: it follows the rule an option's id follows (a 60 KB id is refused, not kept).
        problems += [problem for problem in [plain_id_problem(record["id"], where + ".id")] if problem]
    problems += text_problems(record, where, text_fields)
    instance = record.get("instance")
    if instance is not None and not isinstance(instance, dict):
        problems.append("%s.instance is %s, expected an object" % (where, json_kind(instance)))
    elif instance is not None:
        problems += text_problems(instance, where + ".instance", ("id", "name"))
    operations = record.get("operations")
    if operations is not None and not (isinstance(operations, list) and all(isinstance(op, str) for op in operations)):
        problems.append("%s.operations is %s, expected an array of strings" % (where, json_kind(operations)))
    return problems[0] if problems else None


class DdmJobs:
    """Calls of ``/v3/{project_id}/jobs`` through a :class:`HuaweiCloudClient`."""

    def __init__(self, client, endpoint: str):
        self.client = client
        self.endpoint = endpoint

    def _url(self, suffix: str = "") -> str:
        return "%s/v3/%s/jobs%s" % (self.endpoint, self.client.project_id, suffix)

    def server_now(self) -> datetime.datetime:
        """Now on the server's clock (learnt from its answers' Date header), which the list's time window is compared with."""
        server_now = getattr(self.client, "server_now", None)
        return server_now() if server_now is not None else utc_now()

    def get(self, job_id: str) -> dict:
        """The job's current state; NotFoundError when DDM does not know it."""
        try:
            response = self.client.request("GET", self._url("/" + job_id), service=SERVICE)
        except APIError as exc:
            # A gateway's own 404 (APIGW.0101, a wrong endpoint path) is not a missing job.
            if exc.code in NOT_FOUND_CODES or (exc.status == 404 and not exc.from_gateway):
                raise NotFoundError("job %s not found in project %s" % (job_id, self.client.project_id)) from None
            raise
        job = self.client.decode_json(response, SERVICE).get("job")
        problem = job_problem(job, "job")
        if problem is None and job["id"] != job_id:
            problem = "job.id is %s, not the requested %s" % (printable(job["id"][:64]), job_id)
        check_answer(SERVICE, problem, response)
        return job

    def page(self, start_ms: int, end_ms: int, offset: int, wanted=None, notes: ListNotes | None = None):
        """One page of the job list: (items, the list's total or None when not given).

        Every item is checked, unless ``wanted`` (job ids) is given: then only those jobs' items are. A malformed
        item of another job is then replaced by a placeholder whose ``id`` is no job's (the page keeps its length,
        which paging counts on) and counted in ``notes``; ``notes`` also names the wanted jobs that the page shows
        twice with different statuses.
        """
        params = [("start_time", start_ms), ("end_time", end_ms), ("offset", offset), ("limit", PAGE_SIZE)]
        response = self.client.request("GET", self._url(), params=params, service=SERVICE)
        body = self.client.decode_json(response, SERVICE)
        items, total = body.get("jobs"), body.get("total")
        items = [] if items is None else items
        if wanted is None:
            problem = list_problem(items, "jobs", lambda item, where: job_problem(item, where, ITEM_TEXT_FIELDS))
        else:
            items, problem = _wanted_items(items, wanted, notes if notes is not None else ListNotes())
        if problem is None and total is not None and not is_count(total):
            problem = "total is %s, expected a count" % json_kind(total)
        check_answer(SERVICE, problem, response)
        return items, total

    def iterate(self, start: datetime.datetime, end: datetime.datetime, max_pages: int = MAX_LIST_PAGES, wanted=None,
                notes: ListNotes | None = None) -> PagedListing:
        """The jobs created between ``start`` and ``end`` (aware datetimes), read lazily; ``truncated`` says why reading stopped early.

        With ``wanted``, only those jobs' items are checked (see :meth:`page`).
        """
        start_ms, end_ms = epoch_ms(start), epoch_ms(end)
        return PagedListing(lambda offset: self.page(start_ms, end_ms, offset, wanted, notes), PAGE_SIZE, max_pages, "tasks")

    def find_list_item(self, job: dict) -> dict | None:
        """The job as the job list shows it, with ``fail_reason`` and ``operations``, which the single-job call lacks.

        Only the list's first few pages from the job's creation on are read: a best-effort lookup.
        """
        now = self.server_now()
        try:
            created = parse_time(job.get("created_time") or "")
        except ValueError:
            created = now - datetime.timedelta(days=1)
        earliest = now - RETENTION + datetime.timedelta(minutes=1)
        start = min(max(created - datetime.timedelta(minutes=1), earliest), now)
        notes = ListNotes()
        listing = self.iterate(start, now, LIST_LOOKUP_MAX_PAGES, wanted={job["id"]}, notes=notes)
        found = None
        for item in listing:
            if item["id"] == job["id"]:
                found = found or item
        # A job the list shows twice with different statuses: neither entry can be trusted for its details.
        return None if job["id"] in notes.conflicts else found


class ListNotes:
    """What a read of the job list for given jobs left out: ``skipped`` malformed items of other jobs, and
    ``conflicts`` {id: statuses} of given jobs listed twice on one page with different statuses."""

    def __init__(self):
        self.skipped = 0
        self.conflicts = {}
        self.statuses = {}  # id -> the statuses the list showed for a given job, over every page read
        self.malformed = set()  # the malformed items seen: one a page repeats counts once


def _wanted_items(items, wanted, notes: ListNotes):
    """(the page's items, a malformed item of another job replaced by a placeholder; the problem with the page or None)."""
    if not isinstance(items, list):
        return [], "jobs is %s, expected an array" % json_kind(items)
    kept, statuses = [], notes.statuses  # across pages: a job listed on two pages with different statuses is caught too
    for index, item in enumerate(items):
        item_id = item.get("id") if isinstance(item, dict) else None
        is_wanted = isinstance(item_id, str) and item_id in wanted
        problem = job_problem(item, "jobs[%d]" % index, ITEM_TEXT_FIELDS)
        if problem is not None and is_wanted:
            return [], problem
        if problem is not None:
            seen = hash(repr(item))
            notes.skipped += seen not in notes.malformed
            notes.malformed.add(seen)
            item = {"id": object()}  # equal to no job id, and unique: paging takes it for an item it has not seen
        elif is_wanted:
            statuses.setdefault(item_id, set()).add(item["status"])
        kept.append(item)
    notes.conflicts.update({job_id: sorted(found) for job_id, found in statuses.items() if len(found) > 1})
    return kept, None


class JobGroup:
    """Many jobs read together: each :meth:`refresh` reads one window of the job list, paged.

    While the jobs still in progress fit in one page, a refresh costs one request whatever their
    number. The first window is the last 24 hours; later ones start at the earliest creation time
    of a job still in progress. A job the list does not show is read on its own (``GET``) on the
    first refresh, and once ``grace`` seconds have passed if it was never found; within the grace,
    "not found" means "not visible yet" and the next refresh's list looks for it again. Otherwise
    (a job seen before that the list does not show, a list cut short, a job listed twice with
    different statuses) at most ``GROUP_SINGLE_READS`` such jobs are read on their own per refresh,
    in turn, so that a list that never shows some jobs (a server clock ahead of ours) cannot cost
    a request per job and poll. Final jobs are not read again.

    Only the given jobs' items of the list are checked: ``skipped`` counts the malformed items of
    other jobs left out (the most on one refresh), and ``conflicts`` {id: statuses} names the given
    jobs the list showed twice with different statuses.
    """

    def __init__(self, jobs: DdmJobs, job_ids, grace: float = 0, clock=time.monotonic, now=utc_now):
        self._jobs = jobs
        self.ids = list(job_ids)
        self.states = {}  # id -> the job as last seen (job_view)
        self._since = {}  # id -> the earliest time it can have been created
        self._grace = grace
        self._clock = clock
        self._now = now
        self._started = None  # (clock(), now()) at the first refresh
        self._read_at = {}  # id -> the refresh that last read it on its own
        self.cycles = 0
        self.skipped = 0
        self.conflicts = {}

    def pending(self) -> list:
        """Ids of the jobs not yet seen in a final status, in the order given."""
        return [job_id for job_id in self.ids if (self.states.get(job_id) or {}).get("status") not in FINAL_STATUSES]

    def done(self) -> bool:
        return not self.pending()

    def jobs(self) -> list:
        """Every job as last seen, in the order given; a job never found is ``{"id": ..., "status": None}``
        (a status key on every job keeps ``selectattr('status', ...)`` working in plays)."""
        return [self.states.get(job_id) or {"id": job_id, "status": None} for job_id in self.ids]

    def counts(self) -> dict:
        """How many jobs are in each status (jobs never found are not counted)."""
        counts = {}
        for job in self.states.values():
            counts[job["status"]] = counts.get(job["status"], 0) + 1
        return counts

    def failed(self) -> list:
        return [self.states[job_id] for job_id in self.ids if job_id in self.states and self.states[job_id]["status"] in FAILURE_STATUSES]

    def summary(self) -> dict:
        """For a progress line: how many jobs completed, failed (by status), still run and were not found yet, and the
        average progress of the running ones that report it (None when none does)."""
        counts = self.counts()
        running = [job for job in self.states.values() if job["status"] not in FINAL_STATUSES]
        percents = [percent for percent in (progress_percent(job) for job in running) if percent is not None]
        return dict(total=len(self.ids), completed=counts.get("Completed", 0), running=len(running), not_found=len(self.ids) - len(self.states),
                    failed={status: count for status, count in counts.items() if status in FAILURE_STATUSES},
                    average=round(sum(percents) / len(percents), 1) if percents else None)

    def refresh(self) -> JobGroup:
        """Read the current state of every job still in progress; raises NotFoundError for a job that does not exist."""
        if self._started is None:
            self._started = (self._clock(), self._now())
        wanted = self.pending()
        notes = ListNotes()
        found, complete, start = self._read_list(wanted, notes)
        self.skipped = max(self.skipped, notes.skipped)
        self.conflicts.update(notes.conflicts)
        for job_id in wanted:
            if job_id in found:
                self._record(found[job_id], start)
        for job_id in self._single_reads([job_id for job_id in wanted if job_id not in found], complete, notes.conflicts):
            self._read_at[job_id] = self.cycles
            self._read_one(job_id)
        self.cycles += 1
        return self

    def _single_reads(self, missing, complete, conflicts) -> list:
        """Which of the jobs the list did not show to read on their own this refresh (see the class)."""
        if self.cycles == 0:
            return missing
        never_found = [job_id for job_id in missing if job_id not in self.states]
        if self._clock() - self._started[0] >= self._grace:
            first = never_found  # "not found" is now final: each is found, or ends the wait
        else:
            first = []
        turn = [job_id for job_id in missing if job_id not in first and (job_id in self.states or not complete or job_id in conflicts)]
        turn.sort(key=lambda job_id: (job_id not in conflicts, self._read_at.get(job_id, -1)))  # stable: in the order given
        return first + turn[:GROUP_SINGLE_READS]

    def _window_start(self, wanted, now) -> datetime.datetime | None:
        if self.cycles == 0:
            return now - FIRST_WINDOW
        starts = [self._since[job_id] for job_id in wanted if job_id in self._since]
        if any(job_id not in self.states for job_id in wanted):
            # Not visible when the wait began, so created at most the grace before it.
            starts.append(self._started[1] - datetime.timedelta(seconds=self._grace))
        return min(starts) - WINDOW_MARGIN if starts else None

    def _read_list(self, wanted, notes):
        """({id: list item} of the wanted jobs the list shows, whether the list was read in full, the window's start).

        When the clock that sets the window jumps during the read (the server's clock, learnt from the read's own answers,
        runs ahead of this machine's), a list missing some jobs is read once more, with the window on that clock.
        """
        before = (self._clock(), self._now())
        found, complete, start = self._read_window(wanted, notes)
        jump = (self._now() - before[1]).total_seconds() - (self._clock() - before[0])
        if abs(jump) > WINDOW_MARGIN.total_seconds() and len(found) < len(wanted):
            again = ListNotes()
            found, complete, start = self._read_window(wanted, again)
            notes.skipped, notes.conflicts = max(notes.skipped, again.skipped), again.conflicts
        return found, complete, start

    def _read_window(self, wanted, notes):
        now = self._now()
        start = self._window_start(wanted, now)
        if start is None:  # only jobs whose creation time is unreadable: the list cannot place them
            return {}, False, None
        start = min(max(start, now - RETENTION + WINDOW_MARGIN), now)
        wanted = set(wanted)
        listing = self._jobs.iterate(start, now, GROUP_MAX_PAGES, wanted=wanted, notes=notes)
        found = {}
        for item in listing:
            if item["id"] in wanted and item["id"] not in notes.conflicts:  # a job listed twice, differently, is read on its own
                found[item["id"]] = item
                if len(found) == len(wanted):
                    break
        return found, listing.truncated is None, start

    def _record(self, record, window_start=None):
        job = job_view(record)
        self.states[job["id"]] = job
        try:
            self._since[job["id"]] = parse_time(job.get("created_time") or "")
        except ValueError:
            if window_start is not None:  # the list showed it, so it was created inside the window
                self._since.setdefault(job["id"], window_start)

    def _read_one(self, job_id):
        try:
            self._record(self._jobs.get(job_id))
        except NotFoundError as exc:
            if job_id in self.states:
                raise exc.with_message("%s (it was found earlier in this wait)" % exc) from None
            waited = self._clock() - self._started[0]
            if waited >= self._grace:
                raise (exc.with_message("%s (still not found after %d s of waiting)" % (exc, self._grace)) if self._grace else exc) from None
