# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DDM task (job) API: reading one task, paging through the task list, and status meanings."""

from __future__ import annotations

import itertools

from .errors import APIError, NotFoundError, request_id_from

SUCCESS_STATUSES = frozenset(("Completed",))
FAILURE_STATUSES = frozenset(("Failed", "CancelSuccess", "RollbackSuccess"))
# Anything else (Running, Expanding, Canceling, Rollbacking, ToBeSwitched, Switching, and
# statuses added later) is still in progress: listing "pending" states breaks on new ones.
FINAL_STATUSES = SUCCESS_STATUSES | FAILURE_STATUSES

# DDM answers an unknown task with HTTP 400 DBS.300400; a proxy in front may answer a bare 404.
NOT_FOUND_CODES = frozenset(("DBS.300400",))
PAGE_SIZE = 128  # the API's largest page


def progress_percent(job: dict) -> float | None:
    """The ``process`` field (``"60%"``) as a number, or None when the task reports none."""
    text = str(job.get("process") or "").strip().rstrip("%")
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


class DdmJobs:
    """Calls of ``/v3/{project_id}/jobs`` through a :class:`HuaweiCloudClient`."""

    def __init__(self, client, endpoint: str):
        self.client = client
        self.endpoint = endpoint

    def _url(self, suffix: str = "") -> str:
        return "%s/v3/%s/jobs%s" % (self.endpoint, self.client.project_id, suffix)

    def get(self, job_id: str, deadline: float | None = None) -> dict:
        try:
            response = self.client.request("GET", self._url("/" + job_id), deadline=deadline)
        except APIError as exc:
            # A gateway's own 404 (APIGW.0101, a wrong endpoint path) is not a missing task.
            if exc.code in NOT_FOUND_CODES or (exc.status == 404 and not (exc.code or "").startswith("APIGW.")):
                raise NotFoundError("job %s not found in project %s" % (job_id, self.client.project_id)) from None
            raise
        job = self.client.decode_json(response).get("job")
        if not isinstance(job, dict) or not job.get("status"):
            raise APIError(response.status_code, None, "the DDM answer carries no job with a status", request_id_from(response.headers))
        return job

    def iterate(self, start_ms: int, end_ms: int, max_pages: int | None = None):
        """Yield the tasks created in [start_ms, end_ms], one page in memory at a time."""
        offset = 0
        for _page in range(max_pages) if max_pages else itertools.count():
            params = [("start_time", start_ms), ("end_time", end_ms), ("offset", offset), ("limit", PAGE_SIZE)]
            body = self.client.get_json(self._url(), params=params)
            jobs = body.get("jobs") or []
            yield from jobs
            offset += len(jobs)
            if not jobs or offset >= int(body.get("total") or 0):
                return
