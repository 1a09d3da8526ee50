# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of every DDM module: the service, the wait options, the run's deadline, the result and the job wait.

A DDM module subclasses :class:`DdmModule`, adds its options to :meth:`argument_spec`, checks them in
``check_options`` (then calls ``super().check_options()`` for the wait options), and in ``run`` makes
its calls and puts what it has into ``self.result`` as it goes: the resource it manages into
``self.resource`` (the result shows it under ``resource_key``), a job it started into
:meth:`wait_for_job`. It catches nothing: any failure is reported here with the result so far.
Its ``main()`` is ``TheModule.main()``.
"""

from __future__ import annotations

import time

from .jobs import DdmJobs
from .job_waiter import JobWaiter
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

    def read_quietly(self) -> dict | None:
        """The resource now, or as last seen when it cannot be read (the deadline passed, say); None when there is none."""
        if self.resource is None:
            return None
        try:
            return self.read(self.resource) or self.resource
        except HuaweiCloudError:
            return self.resource
