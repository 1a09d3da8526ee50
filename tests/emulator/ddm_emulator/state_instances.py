# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DDM instance store of the emulator's state: instances, their settings, scripted failures, the flavors' status per
AZ and the list's scripted repeats (``ddm_instances.py`` serves them, ``instances.py`` models one)."""

from __future__ import annotations

import collections
import time

from .catalogue import DEFAULT_FLAVOR_AZ_STATUS
from .instances import DEFAULT_SETTINGS


class InstanceState:
    """The DDM instances part of ``EmulatorState``."""

    def _reset_instances(self):
        # Oldest first: the list call reads it backwards (newest first).
        self._instances = collections.OrderedDict()
        self._instances_added = 0
        self._instance_settings = dict(DEFAULT_SETTINGS)
        self._failures = {}
        self._flavor_status = dict(DEFAULT_FLAVOR_AZ_STATUS)
        self._list_repeat = None

    def add_instance(self, instance):
        with self._lock:
            self._instances_added += 1
            instance.seq = self._instances_added
            self._instances[instance.id] = instance
            self._know_project(instance.project_id)
        return instance

    def _settled(self, instance, now):
        # An instance whose deletion task has completed is gone.
        if instance.settle(now):
            del self._instances[instance.id]
            return None
        return instance

    def with_instance(self, project_id, instance_id, action):
        """Return ``action(instance)`` run under the lock (a read, or a check and a change as one step); the
        instance is None when unknown, in another project (project_id None: any) or deleted."""
        with self._lock:
            instance = self._instances.get(instance_id)
            if instance is not None and project_id in (None, instance.project_id):
                return action(self._settled(instance, time.monotonic()))
            return action(None)

    def _current_instances(self, project_id=None):
        now = time.monotonic()
        return [instance for instance in list(self._instances.values())
                if (project_id is None or instance.project_id == project_id) and self._settled(instance, now) is not None]

    def list_instances(self, project_id, start, count):
        """(how many instances the project has, the list items of ``count`` of them from ``start``, newest first).

        A scripted repeat (``set_list_repeat``) changes the page as an unstable order would: ``previous`` puts the item
        before the page (the last of the page before) in place of its first, ``twice`` puts its first item in place of its
        second.  The page keeps its size and the total stays right; one instance is never shown."""
        with self._lock:
            instances = self._current_instances(project_id)
            instances.reverse()
            now = time.monotonic()
            page = instances[start:start + count]
            mode = self._take_list_repeat(start > 0 and len(page) >= 1, len(page) >= 2)
            if mode == "previous":
                page[0] = instances[start - 1]
            elif mode == "twice":
                page[1] = page[0]
            return len(instances), [instance.list_item(now) for instance in page]

    def _take_list_repeat(self, later_page, two_items):
        """The scripted repeat this page gets (counted down), or None when none is due or it cannot apply here."""
        repeat = self._list_repeat
        if repeat is None or not (later_page if repeat["mode"] == "previous" else two_items):
            return None
        repeat["remaining"] -= 1
        if repeat["remaining"] <= 0:
            self._list_repeat = None
        return repeat["mode"]

    def set_list_repeat(self, mode, count):
        """The next ``count`` list pages it can apply to repeat an item (mode "previous" or "twice"); mode None: none."""
        with self._lock:
            self._list_repeat = {"mode": mode, "remaining": count} if mode else None

    def list_repeat(self):
        with self._lock:
            return dict(self._list_repeat) if self._list_repeat else None

    def control_instances(self):
        with self._lock:
            now = time.monotonic()
            return [instance.control_shape(now) for instance in self._current_instances()]

    def instance_settings(self):
        with self._lock:
            return dict(self._instance_settings)

    def configure_instances(self, settings):
        with self._lock:
            self._instance_settings.update(settings)
            return dict(self._instance_settings)

    def set_failure(self, operation, failure):
        """The next operation of this kind fails (failure: {fail_reason, status})."""
        with self._lock:
            self._failures[operation] = failure

    def take_failure(self, operation):
        with self._lock:
            return self._failures.pop(operation, None)

    def failures(self):
        with self._lock:
            return {operation: dict(failure) for operation, failure in self._failures.items()}

    def flavor_status(self, spec_code, zone):
        with self._lock:
            return self._flavor_status.get((spec_code, zone), "normal")

    def set_flavor_status(self, spec_code, zone, status):
        with self._lock:
            self._flavor_status[(spec_code, zone)] = status
