# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A DDM instance's parameters and its restart: the API calls, the checks of wanted values, and the restart operation.

- :class:`DdmParameters` reads every parameter (``GET /v3/.../configurations``, every page), changes some
  (``PUT /v3.1/.../configurations``, values as strings, answering ``need_restart`` and no task) and restarts the
  instance (``POST /v3/.../restart``, answering a task). The answers are checked before anything reads them;
  ``need_restart`` and ``read_only`` come as strings (``"1"``/``"0"``, ``"true"``/``"false"``) or booleans.
- :func:`plan_changes` compares wanted values with the read ones as strings (``2`` and ``"2"`` are the same) and
  refuses, before anything is written, unknown and read-only parameters and values outside their ``value_range``
  (:class:`ValueRange`: ``1-100``, ``0.01-10``, ``OFF|ON``; a shape it does not know is a warning, the value is sent).
- :func:`restart_instance` restarts an instance once it has settled and answers the restart's job id; a restart whose
  outcome is unclear is never sent again (its ``RestartInstance`` task is adopted through the run's ``WriteSender``).
"""

from __future__ import annotations

import decimal
import re

from .instances import SERVICE, DdmInstances, describe, is_failed
from .._cloud.answers import check_answer, json_kind, required_text_problems, text_problems
from .._cloud.errors import HuaweiCloudError, OperationFailed, printable
from .._cloud.paging import PagedListing

PAGE_SIZE = 128  # the call's largest page
MAX_PAGES = 20  # 2,560 parameters: an instance has a few dozen
RESTART_TASK = "RestartInstance"
TRUE_FLAGS = ("1", "true")
FALSE_FLAGS = ("0", "false", "")
_NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"
_RANGE = re.compile(r"(%s)\s*-\s*(%s)" % (_NUMBER, _NUMBER))
_INTEGER = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(_NUMBER)
# Choices: words of letters, digits, '_', '-' and '.', separated by '|'.
_CHOICES = re.compile(r"[A-Za-z0-9_.-]+(\|[A-Za-z0-9_.-]+)+")


def flag(value) -> bool | None:
    """A ``need_restart``/``read_only`` of an answer as a boolean: ``"1"``, ``"true"`` or true; None when it is neither shape."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_FLAGS + FALSE_FLAGS:
        return value.strip().lower() in TRUE_FLAGS
    return None


class ValueRange:
    """A parameter's ``value_range``: ``kind`` is ``any`` (empty), ``integer`` (``1-100``), ``decimal`` (``0.01-10``),
    ``choices`` (``OFF|ON``) or ``unknown`` (any other shape: values are sent unchecked)."""

    def __init__(self, text, data_type=None):
        self.text = text if isinstance(text, str) else ""
        self.low = self.high = None
        self.choices = ()
        text = self.text.strip()
        bounds = _RANGE.fullmatch(text)
        if not text:
            self.kind = "any"
        elif bounds:
            decimals = "." in text or str(data_type or "").lower() in ("float", "double", "decimal")
            self.kind = "decimal" if decimals else "integer"
            self.low, self.high = (decimal.Decimal(bound) for bound in bounds.groups())
        elif _CHOICES.fullmatch(text):
            self.kind = "choices"
            self.choices = tuple(text.split("|"))
        else:
            self.kind = "unknown"

    def allowed(self) -> str:
        """What the range allows, in words."""
        if self.kind == "integer":
            return "an integer from %s to %s" % (self.low, self.high)
        if self.kind == "decimal":
            return "a number from %s to %s" % (self.low, self.high)
        if self.kind == "choices":
            return "one of %s" % ", ".join(self.choices)
        return "any value"

    def problem(self, value: str) -> str | None:
        """Why ``value`` is outside the range, or None when it is inside (or the range cannot be checked)."""
        if self.kind == "integer":
            inside = _INTEGER.fullmatch(value) is not None and self.low <= int(value) <= self.high
        elif self.kind == "decimal":
            inside = _DECIMAL.fullmatch(value) is not None and self.low <= decimal.Decimal(value) <= self.high
        elif self.kind == "choices":
            inside = value in self.choices
        else:
            return None
        return None if inside else "must be %s, got %s" % (self.allowed(), printable(repr(value)))


def parameter_view(item: dict) -> dict:
    """A parameter as the module works with it: ``value`` a string, the flags booleans, the range parsed (``range``)."""
    return dict(name=item["name"], value=item.get("value") if item.get("value") is not None else "", need_restart=bool(flag(item.get("need_restart"))),
                read_only=bool(flag(item.get("read_only"))), value_range=item.get("value_range") or "", data_type=item.get("data_type"),
                range=ValueRange(item.get("value_range"), item.get("data_type")))


def parameter_problem(item, where: str) -> str | None:
    """What is wrong with an item of ``configuration_parameter``, or None."""
    if not isinstance(item, dict):
        return "%s is %s, expected an object" % (where, json_kind(item))
    problems = required_text_problems(item, where, ("name",)) + text_problems(item, where, ("value", "value_range", "data_type"))
    problems += ["%s.%s is %s, expected \"0\" or \"1\"" % (where, key, printable(repr(item[key])[:32])) for key in ("need_restart", "read_only")
                 if item.get(key) is not None and flag(item[key]) is None]
    return problems[0] if problems else None


def as_text(value, parameter: dict | None) -> str | None:
    """A wanted value as the API's string: numbers as written (``2`` is ``"2"``); YAML's ``ON``/``OFF`` (booleans) as the
    parameter's own choice when it has ON/OFF or true/false choices. None when the value cannot be a parameter value."""
    if isinstance(value, bool):
        choices = parameter["range"].choices if parameter else ()
        for pair in (("ON", "OFF"), ("on", "off"), ("true", "false"), ("TRUE", "FALSE"), ("1", "0")):
            if pair[0] in choices and pair[1] in choices:
                return pair[0] if value else pair[1]
        return None
    if isinstance(value, (int, float, decimal.Decimal)):
        return str(value)
    if isinstance(value, str):
        return value
    return None


def plan_changes(parameters: dict, wanted: dict, describe_instance: str, warn) -> dict:
    """``{name: {before, after}}`` of the wanted values that differ from ``parameters`` (``{name: parameter_view}``).

    Fails, before anything is written, naming every unknown or read-only parameter and every value outside its
    ``value_range`` with what is allowed; warns about ranges of a shape it does not know (those values are sent as they are).
    """
    problems, unknown, changes = [], [], {}
    for name in sorted(wanted):
        parameter = parameters.get(name)
        if parameter is None:
            unknown.append(name)
            continue
        value = as_text(wanted[name], parameter)
        if value is None:
            problems.append("%s must be a string or a number, got %s (quote values such as \"ON\" and \"OFF\")" % (
                name, printable(repr(wanted[name]))[:64]))
            continue
        if parameter["read_only"]:
            if value != parameter["value"]:
                problems.append("%s is read-only (its value is %s)" % (name, printable(repr(parameter["value"]))))
            continue
        problem = parameter["range"].problem(value)
        if problem:
            problems.append("%s %s (value_range %s)" % (name, problem, printable(parameter["value_range"])))
            continue
        if parameter["range"].kind == "unknown":
            warn("The value_range %s of parameter %s is of a shape this module does not know; %s is sent unchecked" % (
                printable(repr(parameter["value_range"])), name, printable(repr(value))))
        if value != parameter["value"]:
            changes[name] = dict(before=parameter["value"], after=value)
    if unknown:
        problems.insert(0, "%s %s not a parameter of the instance (its parameters: %s)" % (
            ", ".join(printable(name) for name in unknown), "is" if len(unknown) == 1 else "are", ", ".join(sorted(parameters))))
    if problems:
        raise HuaweiCloudError("Cannot set the parameters of %s: %s. Nothing was changed" % (describe_instance, "; ".join(problems)))
    return changes


class DdmParameters(DdmInstances):
    """The instance calls (:class:`DdmInstances`) and the parameter and restart calls of one project."""

    def parameters(self, instance_id: str) -> dict:
        """``{name: parameter_view}`` of every parameter of the instance, every page of them."""
        listing = PagedListing(lambda offset: self._parameter_page(instance_id, offset), PAGE_SIZE, MAX_PAGES, "parameters")
        found = {entry["id"]: entry["parameter"] for entry in listing}
        if listing.truncated:
            raise HuaweiCloudError("The parameter list of DDM instance %s was cut short (%s): not changing anything on a partial list" % (
                instance_id, listing.truncated))
        return found

    def _parameter_page(self, instance_id: str, offset: int):
        items, total = self._page(self._instance_url("v3", instance_id, "/configurations"), offset, PAGE_SIZE, "configuration_parameter", "total",
                                  parameter_problem)
        return [dict(id=item["name"], parameter=parameter_view(item)) for item in items], total

    def set_parameters(self, instance_id: str, values: dict) -> bool | None:
        """Change parameters (``{name: "value"}``); whether a restart is needed for them to take effect (None: not said).
        Never resent: an unclear outcome is an OutcomeUnknown."""
        response, answer = self._call("PUT", self._url("v3.1", "/%s/configurations" % instance_id), json_body={"values": values}, repeatable=False)
        need_restart = answer.get("need_restart", answer.get("needRestart"))
        problem = None
        if need_restart is not None and flag(need_restart) is None:
            problem = "need_restart is %s, expected a boolean" % json_kind(need_restart)
        check_answer(SERVICE, problem, response)
        return flag(need_restart) if need_restart is not None else None

    def restart(self, instance_id: str) -> str:
        """Restart the instance; the restart's job id. Never resent: an unclear outcome is an OutcomeUnknown."""
        response, answer = self._call("POST", self._url("v3", "/%s/restart" % instance_id), repeatable=False)
        job_id = answer.get("job_id")
        problem = None if isinstance(job_id, str) and job_id else "job_id is %s, expected a non-empty string" % json_kind(job_id)
        check_answer(SERVICE, problem, response)
        return job_id


def restart_instance(api: DdmParameters, operator, sender, instance: dict, may_wait: bool, operation) -> tuple:
    """Restart ``instance`` through ``operator`` (an :class:`InstanceOperator`) and ``sender`` (the run's :class:`WriteSender`)
    once no other operation is under way on it (waiting for that when ``may_wait``): (the restart's job id, whether it was
    adopted). A failed instance is refused. A restart whose outcome is unclear is not sent again: its task is adopted with the
    sender's proof rules, and the caller follows an adopted task to its end and checks that the instance reads RUNNING."""
    instance = operator.wait_until_settled(instance, may_wait, operation)
    if is_failed(instance.get("status")):
        raise OperationFailed("%s is %s: it cannot be restarted" % (printable(describe(instance)), printable(instance["status"])), instance)
    seen = sender.jobs_of(instance["id"])
    sent_at = sender.server_now()
    what = "restart %s" % printable(describe(instance))
    sent = sender.send("restart", lambda: operator.send(instance, lambda: api.restart(instance["id"]), may_wait, operation), what=what,
                       look=lambda: sender.adopt_job((RESTART_TASK,), instance["id"], sent_at, seen),
                       check="the %s tasks of %s (ddm_job_info)" % (RESTART_TASK, printable(describe(instance))))
    if sent.found is None:
        return sent.answer, False
    operator.warn("The answer to the request to %s was lost (%s); its task %s was found and followed" % (what, sent.cause, sent.found["id"]))
    return sent.found["id"], True
