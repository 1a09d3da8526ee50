# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The task store of the emulator's state: scripted jobs and the jobs instance operations run as (``ddm.py`` serves them)."""

from __future__ import annotations

import collections

from .identities import PROJECT_ID
from .model import Job


class JobState:
    """The jobs part of ``EmulatorState``: call its methods with the state's lock free or held (it is re-entrant)."""

    def _reset_jobs(self):
        self._jobs = collections.OrderedDict()

    def add_job(self, spec):
        """Create a job from a control spec, replacing any job with its id."""
        with self._lock:
            job = Job(spec, PROJECT_ID, self.now())
            self._jobs[job.id] = job
            self._know_project(job.project_id)
        return job

    def find_job(self, project_id, job_id):
        with self._lock:
            job = self._jobs.get(job_id)
            return job if job is not None and job.project_id == project_id else None

    def project_jobs(self, project_id):
        with self._lock:
            return [job for job in self._jobs.values() if job.project_id == project_id]

    def all_jobs(self):
        with self._lock:
            return list(self._jobs.values())
