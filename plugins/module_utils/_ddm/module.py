# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of every DDM module: the service, the wait options, the run's deadline, the result and the job wait.

A DDM module subclasses :class:`DdmModule`, adds its options to :meth:`argument_spec`, checks them in
``check_options`` (then calls ``super().check_options()`` for the wait options), and in ``run`` makes
its calls and puts what it has into ``self.result`` as it goes: the resource it manages into
``self.resource`` (the result shows it under ``resource_key``), a job it started into
:meth:`follow_job` (or :meth:`wait_for_job`), a write it would send in check mode into :meth:`plan_to`.
``self.api`` (the instance calls) and ``self.operator`` (an :class:`InstanceOperator`) are made on first use.
It catches nothing: any failure is reported here with the result so far. Its ``main()`` is ``TheModule.main()``.
A module that works on one instance named by ``instance_id`` or ``instance_name`` subclasses :class:`InstanceScopedModule`.
"""

from __future__ import annotations

import functools
import time

from .instance_lookup import INSTANCE_LOOKUP_RULES, check_instance_lookup_options, find_instance, instance_lookup_argument_spec
from .instances import DdmInstances
from .jobs import DdmJobs
from .job_waiter import JobWaiter
from .operations import InstanceOperator
from .._ansible.module import HuaweiCloudModule
from .._ansible.progress import ProgressReporter
from .._cloud.deadline import Deadline
from .._cloud.errors import ConfigurationError, HuaweiCloudError, OperationFailed


class DdmModule(HuaweiCloudModule):
    """A module of the DDM service (see the module's docstring).

    With ``waits`` (the default) the module has the options ``wait`` (default ``wait_default``),
    ``wait_timeout`` (default ``wait_timeout_default``) and ``wait_interval``, documented by the doc
    fragment ``huaweicloud.cloud.huaweicloud.wait``. ``wait_timeout`` bounds the whole run when the
    module waits, and always when ``wait_timeout_bounds_run``. ``clock`` and ``sleep`` are those of
    every wait and of the run's deadline.
    """

    service = "ddm"
    waits = True
    wait_default = True
    wait_timeout_default = 1800
    wait_timeout_bounds_run = False
    resource_key = None  # the result's key for the resource the module manages ("instance"), if it manages one
    instance_api = DdmInstances  # the class of ``self.api``, the instance calls (DdmParameters for a module of parameters)
    clock = staticmethod(time.monotonic)
    sleep = staticmethod(time.sleep)

    def __init__(self, module):
        super().__init__(module)
        self._resource = None
        self.reporter = None  # the progress records of every wait of the run
        self.jobs = None  # the job API (DdmJobs)
        self.job_waiter = None

    @classmethod
    def argument_spec(cls) -> dict:
        spec = super().argument_spec()
        if cls.waits:
            spec.update(wait=dict(type="bool", default=cls.wait_default), wait_timeout=dict(type="int", default=cls.wait_timeout_default),
                        wait_interval=dict(type="int"))
        return spec

    def check_options(self) -> None:
        """The wait options: positive, and ``wait_interval`` not above ``wait_timeout``. A module checks its own first."""
        if not self.waits:
            return
        params = self.params
        for option in ("wait_timeout", "wait_interval"):
            if params[option] is not None and params[option] <= 0:
                raise ConfigurationError("%s must be a positive number of seconds, got %d" % (option, params[option]))
        if params["wait_interval"] is not None and params["wait_interval"] > params["wait_timeout"]:
            raise ConfigurationError("wait_interval (%d) must not be larger than wait_timeout (%d)" % (params["wait_interval"], params["wait_timeout"]))

    def run_deadline(self) -> Deadline | None:
        if self.waits and (self.params["wait"] or self.wait_timeout_bounds_run):
            return Deadline(self.params["wait_timeout"], self.clock, whole_run=self.wait_timeout_bounds_run)
        return None

    def connect(self) -> None:
        super().connect()
        self.reporter = ProgressReporter.from_environment()
        self.jobs = DdmJobs(self.client, self.endpoint)
        self.job_waiter = JobWaiter(self.jobs, self.module.warn, self.reporter, clock=self.clock, sleep=self.sleep)

    @functools.cached_property
    def api(self):
        """The instance calls (an ``instance_api``)."""
        return self.instance_api(self.client, self.endpoint)

    @functools.cached_property
    def operator(self) -> InstanceOperator:
        """Operations on instances through ``self.api``, within the run's deadline, with the module's waits and progress records."""
        return InstanceOperator(self.api, self.jobs, self.deadline, self.params.get("wait_interval"), self.module.warn, self.reporter,
                                clock=self.clock, sleep=self.sleep)

    # ------------------------------------------------------------------ the result

    @property
    def resource(self) -> dict | None:
        """The resource as last read (None when there is none); the result shows it under ``resource_key``, failures included."""
        return self._resource

    @resource.setter
    def resource(self, value: dict | None) -> None:
        self._resource = value
        if self.resource_key is not None:
            self.result.pop(self.resource_key, None)
            if value is not None:
                self.result[self.resource_key] = self.view(value)

    def plan_to(self, action: str, before=None, after=None) -> None:
        """In check mode: a write the run would send (the result's ``planned``; ``actions`` holds what was sent) and what --diff shows."""
        self.result.setdefault("planned", []).append(action)
        self.changed_by(before, after)

    def view(self, resource: dict) -> dict:
        """The resource as the result shows it."""
        return resource

    def read(self, resource: dict) -> dict | None:  # pylint: disable=unused-argument
        """The resource as it is now, None once it is gone; a module that manages one reads it here."""
        return None

    def failure(self, error: HuaweiCloudError) -> str:
        """The result takes what a failed operation last saw: its ``resource`` and its ``job``."""
        if isinstance(error, OperationFailed):
            if error.resource is not None:
                self.resource = error.resource
            if error.job is not None:
                self.result["job"] = error.job
        return super().failure(error)

    # ------------------------------------------------------------------ jobs

    def wait_for_job(self, job_id: str, operation) -> dict:
        """The job once final, with its failure details; raises OperationFailed (with the resource read again and the job)
        when it fails, belongs to another instance than the ``operation``'s (an :class:`Operation`), or the run's deadline passes."""
        outcome = self.job_waiter.wait(job_id, self.deadline, self.params["wait_interval"], expected_instance=operation.instance.get("id"),
                                       operation=operation)
        if outcome.message:
            raise OperationFailed(outcome.message, self.read_quietly(), outcome.job)
        return outcome.job

    def follow_job(self, job_id: str | None, operation, wait: bool) -> None:
        """Record a write's job (``job_id``, ``job_ids``) and, when ``wait``, wait for it (``job``); nothing without a job."""
        if job_id:
            self.result.setdefault("job_ids", []).append(job_id)
            self.result["job_id"] = job_id
            if wait:
                self.result["job"] = self.wait_for_job(job_id, operation)

    def read_all(self, listing, list_name: str, items: str) -> list:
        """Every item of ``listing`` (a :class:`PagedListing`); a warning says when the ``list_name`` was cut short, so that
        ``items`` may be missing (an info module shows what it could read)."""
        found = list(listing)
        if listing.truncated:
            self.module.warn("The %s was cut short (%s), so %s may be missing" % (list_name, listing.truncated, items))
        return found

    def read_quietly(self) -> dict | None:
        """The resource now, or as last seen when it cannot be read (the deadline passed, say); None when there is none."""
        if self.resource is None:
            return None
        try:
            return self.read(self.resource) or self.resource
        except HuaweiCloudError:
            return self.resource


class InstanceScopedModule(DdmModule):
    """A DDM module that works on one instance, which ``instance_id`` or ``instance_name`` names (exactly one; the doc fragment
    ``huaweicloud.cloud.ddm_instance_lookup``): the options, their rules and check, and :meth:`find_instance`."""

    required_one_of = INSTANCE_LOOKUP_RULES
    mutually_exclusive = INSTANCE_LOOKUP_RULES

    @classmethod
    def argument_spec(cls) -> dict:
        spec = super().argument_spec()
        spec.update(instance_lookup_argument_spec())
        return spec

    def check_options(self) -> None:
        check_instance_lookup_options(self.params)
        super().check_options()

    def find_instance(self) -> dict:
        """The instance the options name (its show answer); fails when there is none, or two of the name."""
        return find_instance(self.api, self.params)
