# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DDM instance API: show, list, create, change and delete instances; flavors and engine versions.

Every answer is checked here before anything reads it, and :func:`instance_view` gives results
one shape, whichever call read the instance (the option names for what can be set, the API's
names for the rest; never a password). Writes that must not be sent twice (create, add and
remove nodes) are sent as not repeatable: an unclear outcome is an :class:`OutcomeUnknown`.
A write refused because the instance is busy is a :class:`ResourceBusy`. Requests keep to the
client's scope (:meth:`HuaweiCloudClient.within`): nothing here holds a deadline.
"""

from __future__ import annotations

import re

from .._cloud.answers import check_answer, is_count, json_kind, list_problem, required_text_problems, text_problems
from .._cloud.errors import APIError, ResourceBusy, printable
from .._cloud.paging import INDEX_OR_PAGE, PagedListing

SERVICE = "DDM"
READY = "RUNNING"
# Failed for good: present fails on them, absent may delete them.
FAILED_STATUSES = frozenset(("CREATEFAILED", "ERROR"))
# Not operable until someone acts (billing, support): FROZEN and every *_FAILED.
STUCK_STATUSES = frozenset(("FROZEN",))
GONE_STATUSES = frozenset(("DELETED",))
# "Another operation is being performed": answered 409, and seen as 403 too.
BUSY_CODES = frozenset(("DBS.200019", "DBS.212033"))
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{3,63}")
PAGE_SIZE = 128  # the list's largest page
# 100 pages of 128: 12,800 instances, far more than an account's quota.
MAX_LIST_PAGES = 100
MAX_NODES_PER_CALL = 32
ENGINE_PAGE_SIZE = 100
MAX_ENGINE_PAGES = 10

_SHOW_TEXT_FIELDS = ("name", "created", "updated", "available_zone", "vpc_id", "subnet_id", "security_group_id", "access_ip", "access_port",
                     "error_msg", "order_id", "enterprise_project_id", "engine_version", "admin_user_name", "flavor_ref")


def is_failed(status: str | None) -> bool:
    """Whether an instance in this status can no longer be operated (a failed creation, an error, frozen, *_FAILED)."""
    return bool(status) and (status in FAILED_STATUSES or status in STUCK_STATUSES or status.endswith("_FAILED"))


def in_progress(status: str | None) -> bool:
    """Whether an operation is under way (any status but RUNNING and the failed ones, unknown ones included)."""
    return status != READY and not is_failed(status) and status not in GONE_STATUSES


def availability_zones(record: dict) -> list:
    """The instance's AZs as a list: the API gives one comma-separated string."""
    return [zone.strip() for zone in (record.get("available_zone") or "").split(",") if zone.strip()]


def instance_view(record: dict) -> dict:
    """An instance in the one shape results show, from the show answer or a list item (which has no ``nodes``)."""
    view = dict(id=record["id"], name=record.get("name"), status=record.get("status"), flavor=record.get("flavor_ref"),
                node_num=record.get("node_count"), availability_zones=availability_zones(record))
    for key in ("vpc_id", "subnet_id", "security_group_id", "engine_version", "access_ip", "access_port", "enterprise_project_id",
                "created", "updated", "error_msg", "order_id"):
        view[key] = record.get(key)
    view["admin_user"] = record.get("admin_user_name")
    if isinstance(record.get("nodes"), list):
        view["nodes"] = [{key: node.get(key) for key in ("node_id", "status", "ip", "port", "group_id")} for node in record["nodes"]]
    return view


def describe(instance: dict) -> str:
    """``DDM instance <name> (<id>)``, for messages."""
    return "DDM instance %s (%s)" % (instance.get("name") or "unnamed", instance.get("id") or "no id")


def instance_problem(record, where: str) -> str | None:
    """What is wrong with an instance object of an answer, or None when it has the documented shape."""
    if not isinstance(record, dict):
        return "%s is %s, expected an object" % (where, json_kind(record))
    problems = required_text_problems(record, where, ("id", "status"))
    problems += text_problems(record, where, _SHOW_TEXT_FIELDS)
    if record.get("node_count") is not None and not is_count(record["node_count"]):
        problems.append("%s.node_count is %s, expected a count" % (where, json_kind(record["node_count"])))
    nodes = record.get("nodes")
    if nodes is not None:
        problem = list_problem(nodes, where + ".nodes", lambda node, at: None if isinstance(node, dict) else "%s is %s, expected an object"
                               % (at, json_kind(node)))
        if problem:
            problems.append(problem)
    return problems[0] if problems else None


class DdmInstances:
    """Calls of the DDM instance API through a :class:`HuaweiCloudClient`."""

    def __init__(self, client, endpoint: str):
        self.client = client
        self.endpoint = endpoint

    def _url(self, version: str, suffix: str = "") -> str:
        return "%s/%s/%s/instances%s" % (self.endpoint, version, self.client.project_id, suffix)

    def _call(self, method: str, url: str, **options):
        try:
            response = self.client.request(method, url, service=SERVICE, **options)
        except APIError as exc:
            if exc.code in BUSY_CODES:
                raise ResourceBusy(str(exc)) from None
            raise
        return response, (self.client.decode_json(response, SERVICE) if response.content.strip() else {})

    # ------------------------------------------------------------------ reads

    def get(self, instance_id: str) -> dict | None:
        """The instance (show answer, with ``nodes``), or None once it does not exist."""
        try:
            response, body = self._call("GET", self._url("v1", "/" + instance_id))
        except APIError as exc:
            # A gateway's own 404 (a wrong endpoint path) is not a missing instance.
            if exc.status == 404 and not exc.from_gateway:
                return None
            raise
        problem = instance_problem(body, "instance")
        if problem is None and body["id"] != instance_id:
            problem = "instance.id is %s, not the requested %s" % (printable(body["id"][:64]), instance_id)
        check_answer(SERVICE, problem, response)
        return None if body["status"] in GONE_STATUSES else body

    def page(self, offset: int):
        """One page of the instance list: (items, the list's total or None)."""
        response, body = self._call("GET", self._url("v1"), params=[("offset", offset), ("limit", PAGE_SIZE)])
        items, total = body.get("instances"), body.get("total_record")
        items = [] if items is None else items
        problem = list_problem(items, "instances", instance_problem)
        if problem is None and total is not None and not is_count(total):
            problem = "total_record is %s, expected a count" % json_kind(total)
        check_answer(SERVICE, problem, response)
        return items, total

    def iterate(self) -> PagedListing:
        """Every instance of the project, read lazily, once each, whether the server reads ``offset`` as an index or a page number."""
        return PagedListing(self.page, PAGE_SIZE, MAX_LIST_PAGES, "instances", INDEX_OR_PAGE)

    def find_by_name(self, name: str):
        """(the list items named exactly ``name``, why the list was cut short or None); a list cut short is read once more
        (it may have moved while it was read)."""
        for _attempt in range(2):
            listing = self.iterate()
            matches = [item for item in listing if item.get("name") == name and item["status"] not in GONE_STATUSES]
            if listing.truncated is None:
                break
        return matches, listing.truncated

    def flavors(self, engine_version: str | None = None, engine_id: str | None = None, zones=None) -> list:
        """Flavors on offer: ``[{id, spec_code, vcpus, ram, cpu_arch, az_status {az: status}}]``."""
        params = [("engine_id", engine_id)] if engine_id else [("engine_version", engine_version)]
        if zones:
            params.append(("available_zones", ",".join(zones)))
        response, body = self._call("GET", "%s/v3/%s/flavors" % (self.endpoint, self.client.project_id), params=params)
        groups = body.get("flavor_groups") or []
        problem = list_problem(groups, "flavor_groups", _flavor_group_problem)
        check_answer(SERVICE, problem, response)
        return [dict(id=flavor.get("id"), spec_code=flavor["spec_code"], vcpus=flavor.get("vcpus"), ram=flavor.get("ram"),
                     cpu_arch=group.get("group_type"),
                     az_status={info.get("code"): info.get("status") for info in flavor.get("az_infos") or [] if isinstance(info, dict)})
                for group in groups for flavor in group.get("flavors") or []]

    def engines(self) -> list:
        """Engine versions on offer: ``[{id, name, version}]``, every page of them (the call answers 10 by default)."""
        listing = PagedListing(self._engine_page, ENGINE_PAGE_SIZE, MAX_ENGINE_PAGES, "engine versions")
        return [{key: group.get(key) for key in ("id", "name", "version")} for group in listing]

    def _engine_page(self, offset: int):
        response, body = self._call("GET", "%s/v3/%s/engines" % (self.endpoint, self.client.project_id),
                                    params=[("offset", offset), ("limit", ENGINE_PAGE_SIZE)])
        groups, total = body.get("engine_groups") or [], body.get("total")
        problem = list_problem(groups, "engine_groups", lambda item, where: _text_object_problem(item, where, ("id", "version"), ("name",)))
        if problem is None and total is not None and not is_count(total):
            problem = "total is %s, expected a count" % json_kind(total)
        check_answer(SERVICE, problem, response)
        return groups, total

    # ------------------------------------------------------------------ writes

    def create(self, body: dict) -> dict:
        """``{id, job_id}`` (or ``{order_id}`` for a prepaid one). Never resent: an unclear outcome is an OutcomeUnknown."""
        response, answer = self._call("POST", self._url("v3"), json_body=body, repeatable=False)
        return _ids(answer, response, ("id", "job_id", "order_id"))

    def delete(self, instance_id: str, delete_data_nodes: bool) -> dict:
        """``{job_id}``; ``delete_dn_data`` is always sent (older docs give its default both ways). Never resent."""
        response, answer = self._call("DELETE", self._url("v3", "/" + instance_id),
                                      params=[("delete_dn_data", "true" if delete_data_nodes else "false")], repeatable=False)
        return _ids(answer, response, ("job_id", "order_id"))

    def resize(self, instance_id: str, spec_code: str) -> dict:
        """``{job_id}``. Never resent."""
        response, answer = self._call("PUT", self._url("v3", "/%s/flavor" % instance_id), json_body={"spec_code": spec_code}, repeatable=False)
        return _ids(answer, response, ("job_id", "order_id"))

    def add_nodes(self, instance_id: str, zones: list) -> dict:
        """Adds one node per entry of ``zones`` (1 to 32). Never resent."""
        body = {"nodes": [{"available_zone": zone} for zone in zones]}
        response, answer = self._call("POST", self._url("v3", "/%s/nodes" % instance_id), json_body=body, repeatable=False)
        return _ids(answer, response, ("job_id", "order_id"))

    def remove_nodes(self, instance_id: str, count: int) -> dict:
        """Removes ``count`` nodes. Never resent. The v2 answer is camelCase (``jobId``)."""
        response, answer = self._call("POST", self._url("v2", "/%s/action/reduce" % instance_id), json_body={"node_number": count},
                                      repeatable=False)
        return _ids({"job_id": answer.get("jobId")}, response, ("job_id",))

    def rename(self, instance_id: str, name: str) -> None:
        self._call("PUT", self._url("v1", "/%s/modify-name" % instance_id), json_body={"name": name})

    def set_security_group(self, instance_id: str, security_group_id: str) -> None:
        self._call("PUT", self._url("v1", "/%s/modify-security-group" % instance_id), json_body={"security_group_id": security_group_id})

    def reset_password(self, instance_id: str, user: str, password: str) -> dict:
        """``{job_id}``, or ``{}``: the SDK's model of this answer is empty."""
        response, answer = self._call("PUT", self._url("v3", "/%s/admin-user" % instance_id), json_body={"name": user, "password": password})
        return _ids(answer, response, ("job_id",), required=False)


def _text_object_problem(item, where: str, required: tuple, optional: tuple) -> str | None:
    if not isinstance(item, dict):
        return "%s is %s, expected an object" % (where, json_kind(item))
    problems = required_text_problems(item, where, required) + text_problems(item, where, optional)
    return problems[0] if problems else None


def _flavor_group_problem(group, where: str) -> str | None:
    problem = _text_object_problem(group, where, (), ("group_type",))
    if problem is None:
        problem = list_problem(group.get("flavors") or [], where + ".flavors",
                               lambda flavor, at: _text_object_problem(flavor, at, ("spec_code",), ("id",)))
    return problem


def _ids(answer: dict, response, keys: tuple, required: bool = True) -> dict:
    """The ids a write answered (job_id, id, order_id), checked: text ids, and at least one of them unless not ``required``."""
    found = {key: answer.get(key) for key in keys if answer.get(key) is not None}
    problem = next(("%s is %s, expected a string" % (key, json_kind(value)) for key, value in found.items()
                    if not isinstance(value, str) or not value), None)
    if problem is None and required and not found:
        problem = "none of %s in the answer" % ", ".join(keys)
    check_answer(SERVICE, problem, response)
    return found
