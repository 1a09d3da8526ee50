# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DDM schema API: the logical databases of an instance, sharded over its data nodes (RDS for MySQL instances).

Create and delete are v3 calls that answer a task (``job_id``); the list exists only in v1; a schema is read on its own
with v3 (with its shards and data nodes). Every answer is checked here before anything reads it, and
:func:`schema_view` gives results one shape, whichever call read the schema (never a password).

Where the sources disagree, both readings are survived: a missing schema reads as 400 DBS.300129 or as 404; its
failed creation as ``CREATE_FAILED`` or ``CREATEFAILED``; ``shard_number`` as a number or as a string. A creation is
sent as not repeatable (an unclear outcome is an :class:`OutcomeUnknown`); a write refused because the instance is
busy is a :class:`ResourceBusy`. Requests keep to the client's scope: nothing here holds a deadline.
"""

from __future__ import annotations

import datetime
import re

from .._cloud.answers import check_answer, is_count, json_kind, list_problem, required_text_problems, text_problems
from .._cloud.errors import APIError, printable
from .._cloud.paging import PagedListing
from .._cloud.times import parse_time
from .api import SERVICE, DdmApi

READY = "RUNNING"
# Both spellings of a failed creation, and the failed shard changes (the migration workflow).
FAILED_STATUSES = frozenset(("CREATE_FAILED", "CREATEFAILED", "EXPAND_FAILED", "EXPANDING FAILED", "SCALING OUT FAILED"))
# 2 to 48 characters, a lower-case letter first, then lower-case letters, digits and '_' (some pages say 24 at most:
# the server then refuses a longer name with DBS.300405 before anything is created).
NAME = re.compile(r"[a-z][a-z0-9_]{1,47}")
NAME_RULE = "2 to 48 characters: a lower-case letter, then lower-case letters, digits and '_'"
RESERVED_NAMES = ("information_schema", "mysql", "performance_schema", "sys")
SHARD_MODES = ("cluster", "single")
MAX_SHARDS_PER_NODE = 64
# A missing schema: 400 DBS.300129 on a read ("failed to query schema information"), or a plain 404.
MISSING_CODES = frozenset(("DBS.300129",))
# A delete of a missing schema: DBS.300101 ("delete failed") is also answered for other reasons, so it counts as
# "missing" only once the list confirms that the name is not there.
DELETE_FAILED_CODE = "DBS.300101"
# A missing instance: not a missing schema.
INSTANCE_MISSING_CODE = "DBS.200002"
# A delete while the schema is being created or deleted.
STATUS_CODE = "DBS.300130"
PAGE_SIZE = 128  # the lists' largest page
MAX_LIST_PAGES = 50  # 6,400 schemas or data nodes


def is_failed(status: str | None) -> bool:
    """Whether a schema in this status failed for good (both spellings of a failed creation, any *FAILED)."""
    return bool(status) and (status.upper() in FAILED_STATUSES or status.upper().replace(" ", "_").endswith("FAILED"))


def in_progress(status: str | None) -> bool:
    """Whether an operation is under way on the schema: any status but RUNNING and the failed ones (unknown ones included)."""
    return status != READY and not is_failed(status)


def name_problem(name: str) -> str | None:
    """What is wrong with a schema name, or None."""
    if not NAME.fullmatch(name):
        return "must have %s, got %r" % (NAME_RULE, name)
    if name in RESERVED_NAMES:
        return "must not be one of %s, got %r" % (", ".join(RESERVED_NAMES), name)
    return None


def shard_problem(shard_mode: str, shard_number: int, nodes: int) -> str | None:
    """What is wrong with a shard count for this many data nodes, or None: a sharded (``cluster``) schema has from one
    to 64 shards per data node, an unsharded (``single``) one a shard per data node."""
    if shard_mode == "single" and shard_number != nodes:
        return "an unsharded (single) schema has one shard per data node: shard_number must be %d for %d data node(s), got %d" % (
            nodes, nodes, shard_number)
    if shard_mode == "cluster" and not nodes <= shard_number <= nodes * MAX_SHARDS_PER_NODE:
        return "a sharded (cluster) schema has 1 to %d shards per data node: shard_number must be between %d and %d for %d data " \
               "node(s), got %d" % (MAX_SHARDS_PER_NODE, nodes, nodes * MAX_SHARDS_PER_NODE, nodes, shard_number)
    return None


def _count(value):
    """A count the API gives as a number or as a string of digits (OTC types shard_number as a string)."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def _created(value) -> str | None:
    """The creation time in UTC, ``2026-11-28T10:00:00Z``, whichever way the API gives it: the v1 list in epoch
    milliseconds, v3 show as ``yyyy-MM-ddTHH:mm:ssZ`` in Java's sense (``2026-11-28T10:00:00+0000``)."""
    if is_count(value):
        when = datetime.datetime.fromtimestamp(value / 1000, datetime.timezone.utc)
    else:
        try:
            when = parse_time(value).astimezone(datetime.timezone.utc)
        except ValueError:
            return value  # shown as the API wrote it rather than lost
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def schema_view(record: dict) -> dict:
    """A schema in the one shape results show, from the v3 show answer (with ``shards``) or a v1 list item (``used_rds``)."""
    nodes = record.get("data_nodes") if record.get("data_nodes") is not None else record.get("used_rds")
    view = dict(name=record["name"], status=record.get("status"), shard_mode=record.get("shard_mode"),
                shard_number=_count(record.get("shard_number")),
                data_nodes=[{key: node.get(key) for key in ("id", "name", "status")} for node in nodes or []],
                created=_created(record.get("created")))
    if isinstance(record.get("shards"), list):
        view["shards"] = [{key: shard.get(key) for key in ("data_node_id", "physical_db_name", "status", "shard_index")}
                          for shard in record["shards"]]
    return view


def describe(schema: dict, instance: dict) -> str:
    """``schema <name> of DDM instance <name> (<id>)``, for messages."""
    return "schema %s of DDM instance %s (%s)" % (schema.get("name"), instance.get("name") or "unnamed", instance.get("id") or "no id")


def _node_problem(node, where: str) -> str | None:
    if not isinstance(node, dict):
        return "%s is %s, expected an object" % (where, json_kind(node))
    problems = required_text_problems(node, where, ("id",)) + text_problems(node, where, ("name", "status", "engine_version", "private_ip"))
    return problems[0] if problems else None


def _shard_problem(shard, where: str) -> str | None:
    if not isinstance(shard, dict):
        return "%s is %s, expected an object" % (where, json_kind(shard))
    problems = text_problems(shard, where, ("data_node_id", "physical_db_name", "status"))
    return problems[0] if problems else None


def schema_problem(record, where: str) -> str | None:
    """What is wrong with a schema object of an answer (the show answer or a list item), or None."""
    if not isinstance(record, dict):
        return "%s is %s, expected an object" % (where, json_kind(record))
    problems = required_text_problems(record, where, ("name", "status")) + text_problems(record, where, ("shard_mode", "updated"))
    shard_number = _count(record.get("shard_number"))
    if shard_number is not None and not is_count(shard_number):
        problems.append("%s.shard_number is %s, expected a count" % (where, json_kind(shard_number)))
    created = record.get("created")
    if created is not None and not isinstance(created, str) and not is_count(created):
        problems.append("%s.created is %s, expected a time" % (where, json_kind(created)))
    for key, item_problem in (("data_nodes", _node_problem), ("used_rds", _node_problem), ("shards", _shard_problem)):
        if record.get(key) is not None:
            problem = list_problem(record[key], "%s.%s" % (where, key), item_problem)
            if problem:
                problems.append(problem)
    return problems[0] if problems else None


class DdmSchemas(DdmApi):
    """Calls of the DDM schema API through a :class:`HuaweiCloudClient`."""

    # ------------------------------------------------------------------ reads

    def get(self, instance_id: str, name: str) -> dict | None:
        """The schema (v3 show answer, with ``shards`` and ``data_nodes``), or None when it does not exist (either reading)."""
        try:
            response, body = self._call("GET", self._instance_url("v3", instance_id, "/databases/" + name))
        except APIError as exc:
            if is_missing(exc):
                return None
            raise
        problem = schema_problem(body, "schema")
        if problem is None and body["name"].lower() != name.lower():
            problem = "schema.name is %s, not the requested %s" % (printable(body["name"][:64]), name)
        check_answer(SERVICE, problem, response)
        return body

    def page(self, instance_id: str, offset: int):
        """One page of the v1 schema list: (items, each with its name as ``id`` too; the list's total or None)."""
        items, total = self._page(self._instance_url("v1", instance_id, "/databases"), offset, PAGE_SIZE, "databases", "total", schema_problem)
        return [dict(item, id=item["name"]) for item in items], total

    def iterate(self, instance_id: str) -> PagedListing:
        """Every schema of the instance (v1 list items), read lazily, once each."""
        return PagedListing(lambda offset: self.page(instance_id, offset), PAGE_SIZE, MAX_LIST_PAGES, "schemas")

    def listed(self, instance_id: str, name: str):
        """(the list item of the schema named ``name`` or None, why the list was cut short or None)."""
        listing = self.iterate(instance_id)
        found = next((item for item in listing if item["name"] == name), None)
        return found, listing.truncated

    def available_data_nodes(self, instance_id: str):
        """(the data nodes the instance offers for new schemas ``[{id, name, status, engine_name, engine_version, private_ip, port,
        time_zone}]``, why the list was cut short or None)."""
        listing = PagedListing(lambda offset: self._node_page(instance_id, offset), PAGE_SIZE, MAX_LIST_PAGES, "data nodes")
        return list(listing), listing.truncated

    def _node_page(self, instance_id: str, offset: int):
        return self._page(self._instance_url("v3", instance_id, "/available-data-nodes"), offset, PAGE_SIZE, "data_nodes", "total", _node_problem)

    # ------------------------------------------------------------------ writes

    def create(self, instance_id: str, name: str, shard_mode: str, shard_number: int, data_nodes: list) -> dict:
        """``{job_id}``. ``data_nodes`` are ``{id, admin_user, admin_password}``. Never resent: an unclear outcome is an OutcomeUnknown."""
        body = dict(name=name, shard_mode=shard_mode, shard_number=shard_number,
                    dn_instances=[dict(id=node["id"], user_name=node["admin_user"], user_password=node["admin_password"]) for node in data_nodes])
        response, answer = self._call("POST", self._instance_url("v3", instance_id, "/databases"), json_body=body, repeatable=False)
        return _job_id(answer, response)

    def delete(self, instance_id: str, name: str, delete_data: bool) -> dict | None:
        """``{job_id}``, or None when the schema does not exist (a plain 404 or DBS.300129; DBS.300101 once the list agrees).
        ``delete_dn_data`` is always sent: the v3 call needs it."""
        try:
            response, answer = self._call("DELETE", self._instance_url("v3", instance_id, "/databases/" + name),
                                          params=[("delete_dn_data", "true" if delete_data else "false")])
        except APIError as exc:
            if is_missing(exc) or (exc.code == DELETE_FAILED_CODE and self.listed(instance_id, name) == (None, None)):
                return None
            raise
        return _job_id(answer, response)


def is_missing(error: APIError) -> bool:
    """Whether an error says that the schema does not exist: 400 (or 404) DBS.300129, or DDM's own 404 (not the gateway's,
    nor a missing instance's)."""
    return error.code in MISSING_CODES or (error.status == 404 and not error.from_gateway and error.code != INSTANCE_MISSING_CODE)


def _job_id(answer: dict, response) -> dict:
    job_id = answer.get("job_id")
    problem = None if isinstance(job_id, str) and job_id else "job_id is %s, expected a non-empty string" % json_kind(job_id)
    check_answer(SERVICE, problem, response)
    return dict(job_id=job_id)
