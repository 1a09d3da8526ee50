# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DDM task calls: get one task, list tasks."""

from __future__ import annotations

import re

from .errors import ddm_error


LIST_MAX_AGE_MS = 30 * 24 * 3600 * 1000
# Clients compute "now - 30 days" a moment before the request arrives; a little grace keeps that legal.
LIST_AGE_GRACE_MS = 5 * 60 * 1000
MSG_JOB_NOT_FOUND = "The task is not found."


def _int_param(params, name, default=None):
    value = params.get(name)
    if value is None:
        if default is None:
            raise ddm_error("Invalid parameter: %s is required." % name)
        return default
    if not re.match(r"^[0-9]+$", value):
        return None
    return int(value)


def parse_list_params(params, now):
    """(start_time, end_time, offset, limit) of a list call; ``now`` is the server's clock (epoch seconds)."""
    start, end = _int_param(params, "start_time"), _int_param(params, "end_time")
    for name, value in (("start_time", start), ("end_time", end)):
        if value is None:
            raise ddm_error("Invalid parameter: %s must be a Unix timestamp in integer milliseconds." % name)
    if start < now * 1000 - LIST_MAX_AGE_MS - LIST_AGE_GRACE_MS:
        raise ddm_error("Invalid parameter: start_time must be within the last 30 days.")
    if end < start:
        raise ddm_error("Invalid parameter: end_time must not be earlier than start_time.")
    offset = _int_param(params, "offset", 0)
    if offset is None:
        raise ddm_error("Invalid parameter: offset must be an integer greater than or equal to 0.")
    limit = _int_param(params, "limit", 10)
    if limit is None or not 1 <= limit <= 128:
        raise ddm_error("Invalid parameter: limit must be an integer from 1 to 128.")
    return start, end, offset, limit


def api_list_jobs(ctx, project_id):
    start, end, offset, limit = parse_list_params(ctx.call.first_params(), ctx.state.now())
    jobs = [job for job in ctx.state.project_jobs(project_id) if job.visible() and start <= job.created_wall * 1000 <= end]
    jobs.sort(key=lambda job: (-job.created_wall, job.id))
    page = [job.list_item() for job in jobs[offset:offset + limit]]
    return 200, {"offset": offset, "limit": limit, "total": len(jobs), "jobs": page}, {}


def api_show_job(ctx, project_id, job_id):
    job = ctx.state.find_job(project_id, job_id)
    if job is None or not job.visible():
        raise ddm_error(MSG_JOB_NOT_FOUND, code="DBS.300400")
    return 200, {"job": job.api_shape()}, {}
