# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything the emulator knows at run time, one part per service as its handlers are split:

- ``state_jobs``: jobs;
- ``state_instances``: DDM instances and their settings;
- ``state_identity``: projects, credentials, tokens;
- ``state_metadata``: the ECS metadata service's settings;
- ``state_traffic``: faults, rate limit, clock skew, request log.

``EmulatorState`` composes the parts behind one re-entrant lock (an instance operation adds its job under the instance's
lock). A new service is a part class in its own ``state_<service>.py`` with a ``_reset_<service>`` method, one base class
of ``EmulatorState`` and one line in ``reset``.
"""

from __future__ import annotations

import threading

from .accounts_state import AccountStore
from .configure import ConfigureSettings
from .model import DEMO_INSTANCE, DEMO_JOB_IDS, DEMO_JOBS
from .parameters_state import ParameterStore
from .schemas_state import SchemaStore
from .state_identity import TOKEN_LIFETIME, IdentityState
from .state_instances import InstanceState
from .state_jobs import JobState
from .state_metadata import METADATA_TOKEN_MODES, MetadataState
from .state_traffic import TrafficState


# The control API imports these two from here.
__all__ = ["EmulatorState", "METADATA_TOKEN_MODES", "TOKEN_LIFETIME"]


class EmulatorState(JobState, InstanceState, IdentityState, MetadataState, TrafficState):
    """Everything the emulator knows.  Threads share it: read and change it only through these methods."""

    def __init__(self, seed_demo=False):
        self._lock = threading.RLock()
        self.seed_demo = seed_demo
        self.reset()

    def reset(self):
        with self._lock:
            self._reset_jobs()
            self._reset_instances()
            self._reset_identity()
            self._reset_metadata()
            self._reset_traffic()
            # The configuration services: used under this lock (inside with_instance).
            self.configure_settings = ConfigureSettings()
            self.schemas = SchemaStore()
            self.accounts = AccountStore()
            self.parameters = ParameterStore()
            if self.seed_demo:
                for spec in DEMO_JOBS:
                    self.add_job(dict(spec, instance=DEMO_INSTANCE))

    def info(self):
        """What GET /_emulator/info shows of the state."""
        with self._lock:
            info = {"seed_demo": self.seed_demo, "demo_job_ids": dict(DEMO_JOB_IDS) if self.seed_demo else {}, "metadata": self.metadata()}
            info.update(self._identity_info())
            info.update(self._traffic_info())
            return info
