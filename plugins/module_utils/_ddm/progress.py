# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The progress records of DDM waits, each with the line users see (this file owns their schema and their wording).

The records go through the side channel of ``module_utils/_ansible/progress.py``; the action
plugin shows each ``line`` after the host. Every field but ``kind``, ``elapsed`` and ``line`` is optional:

- ``job``: one job: ``id``, ``name``, ``status`` (``not visible yet`` before it appears), ``process``;
  ``DDM job <id> (<name>): Running 60%, 95 s elapsed``
- ``group``: many jobs: ``total``, ``completed``, ``failed`` {status: count}, ``running``, ``average``
  (per cent, of the running jobs that report it), ``not_found``;
  ``DDM jobs: 12/30 Completed, 1 Failed, 17 running (avg 55%), 140 s elapsed``
- ``job_failed``: one job of a group ended badly: ``id``, ``name``, ``status``, ``instance`` {id, name}, ``fail_reason``;
  ``DDM job <id> (<name>) on instance <name> (<id>) ended with status Failed, 95 s elapsed: <reason>``
- ``instance``: an instance's status while a module waits for it: ``status``, ``wanted`` (the status awaited);
  ``DDM instance <name> (<id>): status RESIZING, waiting for RUNNING, 3 s elapsed``
- ``schema``: a schema's status while a module waits for it: ``schema`` (its name), ``status``, ``wanted``;
  ``DDM schema <name>: status CREATING, waiting for RUNNING, 3 s elapsed``

Any record may carry ``operation`` {``name``, ``step``, ``steps``} and ``instance`` {``id``, ``name``}:
what the wait is for, when a module runs several operations on one instance. Its line then starts
with it: ``DDM instance <name> (<id>), resize (1 of 2): DDM job <id> (<name>): Running 40%, 12 s elapsed``.

Each text of a line is escaped and cut to ``MAX_TEXT`` characters (:func:`shown`), so a line stays
within a few KB and holds no control character whatever the server sent.
"""

from __future__ import annotations

from .._ansible.progress import number, seconds, shown


def job_record(job_id: str, job: dict | None, elapsed: float, **context) -> dict:
    """One job's state (``job`` as results show it, None while the job is not visible yet)."""
    if job is None:
        record = dict(context, kind="job", id=job_id, status="not visible yet", elapsed=elapsed)
    else:
        record = dict(context, kind="job", id=job["id"], name=job.get("name"), status=job["status"], process=job.get("process"), elapsed=elapsed)
    process = " %s" % _text(record["process"]) if record.get("process") else ""
    return dict(record, line="%s%s: %s%s, %d s elapsed" % (_about(record), _job(record), _text(record["status"]), process, seconds(elapsed)))


def group_record(summary: dict, elapsed: float, **context) -> dict:
    """A group's counts (``JobGroup.summary()``)."""
    record = dict(context, kind="group", elapsed=elapsed, **summary)
    return dict(record, line="%sDDM jobs: %s, %d s elapsed" % (_about(record), _group_counts(record), seconds(elapsed)))


def job_failed_record(job: dict, elapsed: float, **context) -> dict:
    """One job of a group that ended badly."""
    record = dict(context, kind="job_failed", id=job["id"], name=job.get("name"), status=job["status"], instance=job.get("instance"),
                  fail_reason=job.get("fail_reason"), elapsed=elapsed)
    line = _about(record) + _job(record)
    instance = _object(record["instance"])
    if instance.get("id") or instance.get("name"):
        line += " on instance %s (%s)" % (_text(instance.get("name"), "unnamed"), _text(instance.get("id"), "no id"))
    reason = ": %s" % _text(record["fail_reason"]) if record["fail_reason"] else ""
    return dict(record, line="%s ended with status %s, %d s elapsed%s" % (line, _text(record["status"]), seconds(elapsed), reason))


def instance_record(current: dict, wanted: str, elapsed: float, **context) -> dict:
    """An instance's status while a module waits for it to reach ``wanted``."""
    record = dict(context, kind="instance", instance={key: current.get(key) for key in ("id", "name")}, status=current.get("status"),
                  wanted=wanted, elapsed=elapsed)
    about = _about(record) or "DDM instance %s (%s): " % (_text(current.get("name"), "unnamed"), _text(current.get("id"), "no id"))
    line = "%sstatus %s, waiting for %s, %d s elapsed" % (about, _text(record["status"], "unknown"), _text(wanted), seconds(elapsed))
    return dict(record, line=line)


def schema_record(name: str, status: str | None, wanted: str, elapsed: float, **context) -> dict:
    """A schema's status (``gone`` once it is not listed any more) while a module waits for it to reach ``wanted``."""
    record = dict(context, kind="schema", schema=name, status=status, wanted=wanted, elapsed=elapsed)
    line = "%sDDM schema %s: status %s, waiting for %s, %d s elapsed" % (
        _about(record), _text(name), _text(status, "unknown"), _text(wanted), seconds(elapsed))
    return dict(record, line=line)


def _about(record: dict) -> str:
    """What the wait is for, when it is for an operation: ``DDM instance <name> (<id>), resize (1 of 2): ``."""
    operation = _object(record.get("operation"))
    if not operation:
        return ""
    instance = _object(record.get("instance"))
    about = "DDM instance %s (%s), %s" % (_text(instance.get("name"), "unnamed"), _text(instance.get("id"), "no id yet"), _text(operation.get("name")))
    if _count(operation.get("steps")) > 1:
        about += " (%d of %d)" % (_count(operation.get("step")), _count(operation.get("steps")))
    return about + ": "


def _job(record: dict) -> str:
    return "DDM job %s (%s)" % (_text(record.get("id")), _text(record.get("name"), "unnamed"))


def _group_counts(record: dict) -> str:
    parts = ["%d/%d Completed" % (_count(record.get("completed")), _count(record.get("total")))]
    parts += ["%d %s" % (_count(count), _text(status)) for status, count in sorted(_object(record.get("failed")).items())]
    average = record.get("average")
    parts.append("%d running%s" % (_count(record.get("running")), " (avg %d%%)" % round(average) if number(average) else ""))
    if _count(record.get("not_found")):
        parts.append("%d not visible yet" % record["not_found"])
    return ", ".join(parts)


def _text(value, default="") -> str:
    """Server text, shown: escaped and cut."""
    return shown(value or default)


def _count(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _object(value) -> dict:
    return value if isinstance(value, dict) else {}
