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

from .._cloud.answers import check_answer, is_count, json_kind, list_problem, plain_id_problem, required_text_problems, text_problems
from .._cloud.errors import APIError, UnexpectedAnswer, printable
from .._cloud.paging import INDEX_OR_PAGE, PagedListing
from .api import SERVICE, DdmApi

READY = "RUNNING"
# Failed for good: present fails on them, absent may delete them.
FAILED_STATUSES = frozenset(("CREATEFAILED", "ERROR"))
# Not operable until someone acts (billing, support, freeing disk space): FROZEN, data_disk_full and every *_FAILED.
STUCK_STATUSES = frozenset(("FROZEN", "DATA_DISK_FULL"))
GONE_STATUSES = frozenset(("DELETED",))
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{3,63}")
PAGE_SIZE = 128  # the list's largest page
# 100 pages of 128: 12,800 instances, far more than an account's quota.
MAX_LIST_PAGES = 100
MAX_NODES_PER_CALL = 32
ENGINE_PAGE_SIZE = 100
MAX_ENGINE_PAGES = 10
# The flavor list pages each CPU-architecture group on its own (10 a page by default, at most 128).
FLAVOR_PAGE_SIZE = 128
MAX_FLAVOR_PAGES = 10
GROUP_PAGE_SIZE = 100
MAX_GROUP_PAGES = 10
FLAVOR_STATUSES = ("normal", "unsupported", "sellout")

_SHOW_TEXT_FIELDS = ("name", "created", "updated", "available_zone", "vpc_id", "subnet_id", "security_group_id", "access_ip", "access_port",
                     "error_msg", "order_id", "enterprise_project_id", "engine_version", "admin_user_name", "flavor_ref")


# Every status the sources document (the instance list's filter warns on others: a typo matches nothing).
KNOWN_STATUSES = ("RUNNING", "CREATING", "CREATE", "CREATEFAILED", "ERROR", "FROZEN", "DATA_DISK_FULL", "RESIZING", "GROWING", "REDUCING",
                  "RESTARTING", "BACKUP", "RESTORE", "MODIFY_NAME", "RESET_PASSWORD", "SET_CONFIGURATION", "DELETING", "DELETED")


def is_known_status(status: str) -> bool:
    return status.upper() in KNOWN_STATUSES or status.upper().endswith("_FAILED")


def is_failed(status: str | None) -> bool:
    """Whether an instance in this status can no longer be operated (a failed creation, an error, frozen, a full data disk, *_FAILED)."""
    return bool(status) and (status in FAILED_STATUSES or status.upper() in STUCK_STATUSES or status.endswith("_FAILED"))


def in_progress(status: str | None) -> bool:
    """Whether an operation is under way (any status but RUNNING and the failed ones, unknown ones included)."""
    return status != READY and not is_failed(status) and status not in GONE_STATUSES


def availability_zones(record: dict) -> list:
    """The instance's AZs as a list: the API gives one comma-separated string."""
    return [zone.strip() for zone in (record.get("available_zone") or "").split(",") if zone.strip()]


def as_number(value):
    """A count, port or size the API gives as text (``"5066"``, ``"8"``) as a number (an int when whole); None when it is none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else value
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def number_problem(record: dict, where: str, keys) -> list:
    """Fields of ``keys`` that are present and neither a number nor text that reads as one."""
    return ["%s.%s is %s, expected a number" % (where, key, printable(repr(record[key])[:40]) if isinstance(record[key], str) else json_kind(record[key]))
            for key in keys if record.get(key) not in (None, "") and as_number(record[key]) is None]


def first_address(value):
    """``access_ip``: one address; a comma-separated list (every node's address) gives its first."""
    if not isinstance(value, str):
        return value
    return next((part.strip() for part in value.split(",") if part.strip()), "")


def instance_view(record: dict) -> dict:
    """An instance in the one shape results show, from the show answer or a list item (which has no ``nodes``).

    Counts, ports and sizes are numbers, ``access_ip`` one address; each node's address is in ``nodes[].ip``.
    """
    view = dict(id=record["id"], name=record.get("name"), status=record.get("status"), flavor=record.get("flavor_ref"),
                node_num=as_number(record.get("node_count")), availability_zones=availability_zones(record))
    for key in ("vpc_id", "subnet_id", "security_group_id", "engine_version", "enterprise_project_id", "created", "updated", "error_msg",
                "order_id"):
        view[key] = record.get(key)
    view.update(access_ip=first_address(record.get("access_ip")), access_port=as_number(record.get("access_port")),
                vcpus=as_number(record.get("core_count")), ram=as_number(record.get("ram_capacity")))
    view["admin_user"] = record.get("admin_user_name")
    if isinstance(record.get("nodes"), list):
        view["nodes"] = [dict({key: node.get(key) for key in ("node_id", "status", "ip", "group_id")}, port=as_number(node.get("port")))
                         for node in record["nodes"]]
    return view


def describe(instance: dict) -> str:
    """``DDM instance <name> (<id>)``, for messages."""
    return "DDM instance %s (%s)" % (instance.get("name") or "unnamed", instance.get("id") or "no id")


def instance_problem(record, where: str) -> str | None:
    """What is wrong with an instance object of an answer, or None when it has the documented shape."""
    if not isinstance(record, dict):
        return "%s is %s, expected an object" % (where, json_kind(record))
    problems = required_text_problems(record, where, ("id", "status"))
    if not problems:
        # Ids go into URLs and results: an id of the answer follows the rule an option's id follows.
        problems += [problem for problem in [plain_id_problem(record["id"], where + ".id")] if problem]
    problems += text_problems(record, where, _SHOW_TEXT_FIELDS)
    if record.get("node_count") is not None and not is_count(record["node_count"]):
        problems.append("%s.node_count is %s, expected a count" % (where, json_kind(record["node_count"])))
    problems += number_problem(record, where, ("access_port", "core_count", "ram_capacity"))
    nodes = record.get("nodes")
    if nodes is not None:
        problem = list_problem(nodes, where + ".nodes", _node_problem)
        if problem:
            problems.append(problem)
    return problems[0] if problems else None


def _node_problem(node, where: str) -> str | None:
    if not isinstance(node, dict):
        return "%s is %s, expected an object" % (where, json_kind(node))
    problems = text_problems(node, where, ("node_id", "status", "ip", "group_id")) + number_problem(node, where, ("port",))
    return problems[0] if problems else None


def required_fields(record: dict, what: str, keys) -> None:
    """Fail cleanly, naming the field, when an answer lacks one that a decision needs (a flavor to compare, a node count)."""
    missing = [key for key in keys if record.get(key) in (None, "")]
    if missing:
        raise UnexpectedAnswer(SERVICE, "%s has no %s, which deciding what to change needs; nothing was changed" % (what, ", ".join(missing)))


class DdmInstances(DdmApi):
    """Calls of the DDM instance API through a :class:`HuaweiCloudClient`."""

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
        return self._page(self._url("v1"), offset, PAGE_SIZE, "instances", "total_record", instance_problem)

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
        """Flavors on offer, every page of every CPU-architecture group: ``[{id, spec_code, vcpus, ram, cpu_arch, az_status {az: status}}]``.

        Each group of the answer is paged on its own (``offset``/``limit``/``total`` per group): pages are read until every
        group's total is read, a page brings nothing new, or ``MAX_FLAVOR_PAGES`` (then the list would be cut short: it fails).
        """
        params = [("engine_id", engine_id)] if engine_id else [("engine_version", engine_version)]
        if zones:
            params.append(("available_zones", ",".join(zones)))
        found, order = {}, {}  # (group_type, spec_code) -> flavor; group_type -> its keys, in the API's order
        for page in range(MAX_FLAVOR_PAGES):
            offset = page * FLAVOR_PAGE_SIZE
            response, body = self._call("GET", "%s/v3/%s/flavors" % (self.endpoint, self.client.project_id),
                                        params=params + [("offset", offset), ("limit", FLAVOR_PAGE_SIZE)])
            groups = body.get("flavor_groups")
            groups = [] if groups is None else groups
            check_answer(SERVICE, list_problem(groups, "flavor_groups", _flavor_group_problem), response)
            new, more = 0, False
            for group in groups:
                flavors = group.get("flavors") or []
                for flavor in flavors:
                    key = (group.get("group_type"), flavor["spec_code"])
                    if key not in found:
                        new += 1
                        order.setdefault(key[0], []).append(key)
                        found[key] = _flavor(flavor, group.get("group_type"))
                total = group.get("total")
                # A group without a total (the older shape) is complete in one answer.
                more = more or (total is not None and offset + len(flavors) < total and bool(flavors))
            if not more or not new:
                return [found[key] for keys in order.values() for key in keys]
        raise UnexpectedAnswer(SERVICE, "the flavor list did not end after %d pages of %d" % (MAX_FLAVOR_PAGES, FLAVOR_PAGE_SIZE))

    def groups(self, instance_id: str) -> list:
        """The instance's node groups: ``[{id, name, role, is_default, node_num, vcpus, ram, cpu_arch, availability_zones}]``."""
        listing = PagedListing(lambda offset: self._group_page(instance_id, offset), GROUP_PAGE_SIZE, MAX_GROUP_PAGES, "node groups")
        groups = [dict(id=group["id"], name=group.get("name"), role=group.get("role"), is_default=group.get("is_default_group") is True,
                       node_num=len(group.get("node_list") or []), vcpus=as_number(group.get("cpu_num_per_node")),
                       ram=as_number(group.get("mem_num_per_node")), cpu_arch=group.get("architecture"),
                       availability_zones=sorted({node.get("az") for node in group.get("node_list") or [] if node.get("az")}))
                  for group in listing]
        if listing.truncated:
            raise UnexpectedAnswer(SERVICE, "the node group list of instance %s was cut short (%s)" % (instance_id, listing.truncated))
        return groups

    def _group_page(self, instance_id: str, offset: int):
        return self._page(self._instance_url("v3", instance_id, "/groups"), offset, GROUP_PAGE_SIZE, "group_list", "total_count", _group_problem)

    def engines(self) -> list:
        """Engine versions on offer: ``[{id, name, version}]``, every page of them (the call answers 10 by default)."""
        listing = PagedListing(self._engine_page, ENGINE_PAGE_SIZE, MAX_ENGINE_PAGES, "engine versions")
        return [{key: group.get(key) for key in ("id", "name", "version")} for group in listing]

    def _engine_page(self, offset: int):
        return self._page("%s/v3/%s/engines" % (self.endpoint, self.client.project_id), offset, ENGINE_PAGE_SIZE, "engine_groups", "total",
                          lambda item, where: _text_object_problem(item, where, ("id", "version"), ("name",)))

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

    def resize(self, instance_id: str, spec_code: str, group_id: str | None = None) -> dict:
        """``{job_id}``; ``group_id`` chooses the node group (needed on an instance with several). Never resent."""
        body = dict({"spec_code": spec_code}, **_given(group_id=group_id))
        response, answer = self._call("PUT", self._url("v3", "/%s/flavor" % instance_id), json_body=body, repeatable=False)
        return _ids(answer, response, ("job_id", "order_id"))

    def add_nodes(self, instance_id: str, zones: list, group_id: str | None = None, subnet_id: str | None = None) -> dict:
        """Adds one node per entry of ``zones`` (1 to 32), to node group ``group_id`` in ``subnet_id`` when given. Never resent."""
        body = dict({"nodes": [{"available_zone": zone} for zone in zones]}, **_given(group_id=group_id, subnet_id=subnet_id))
        response, answer = self._call("POST", self._url("v3", "/%s/nodes" % instance_id), json_body=body, repeatable=False)
        return _ids(answer, response, ("job_id", "order_id"))

    def remove_nodes(self, instance_id: str, count: int, group_id: str | None = None) -> dict:
        """Removes ``count`` nodes (of node group ``group_id`` when given). Never resent. The v2 answer is camelCase (``jobId``)."""
        body = dict({"node_number": count}, **_given(group_id=group_id))
        response, answer = self._call("POST", self._url("v2", "/%s/action/reduce" % instance_id), json_body=body, repeatable=False)
        return _ids({"job_id": answer.get("jobId")}, response, ("job_id",))

    def rename(self, instance_id: str, name: str) -> dict:
        """``{job_id}``: the v3 call, which allows ``_`` (v1 ``modify-name`` does not) and runs as a task (the instance reads MODIFY_NAME)."""
        response, answer = self._call("PUT", self._url("v3", "/%s/name" % instance_id), json_body={"name": name})
        return _ids(answer, response, ("job_id",))

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


def _given(**values) -> dict:
    return {key: value for key, value in values.items() if value is not None}


def _flavor(flavor: dict, group_type) -> dict:
    return dict(id=flavor.get("id"), spec_code=flavor["spec_code"], vcpus=as_number(flavor.get("vcpus")), ram=as_number(flavor.get("ram")),
                cpu_arch=group_type, az_status={info["code"]: info.get("status") for info in flavor.get("az_infos") or []})


def _flavor_group_problem(group, where: str) -> str | None:
    problem = _text_object_problem(group, where, (), ("group_type",))
    if problem is None:
        problem = list_problem(group.get("flavors") or [], where + ".flavors", _flavor_problem)
    if problem is None and group.get("total") is not None and not is_count(group["total"]):
        problem = "%s.total is %s, expected a count" % (where, json_kind(group["total"]))
    return problem


def _flavor_problem(flavor, where: str) -> str | None:
    problem = _text_object_problem(flavor, where, ("spec_code",), ("id",))
    if problem is None:
        problems = number_problem(flavor, where, ("vcpus", "ram"))
        problem = problems[0] if problems else list_problem(flavor.get("az_infos") or [], where + ".az_infos",
                                                            lambda info, at: _text_object_problem(info, at, ("code",), ("status",)))
    return problem


def _group_problem(group, where: str) -> str | None:
    problem = _text_object_problem(group, where, ("id",), ("name", "role", "architecture"))
    if problem is None:
        problem = plain_id_problem(group["id"], where + ".id")
    if problem is None:
        problem = list_problem(group.get("node_list") or [], where + ".node_list", lambda node, at: _text_object_problem(node, at, (), ("id", "az")))
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
