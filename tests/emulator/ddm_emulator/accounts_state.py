# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DDM accounts (users) of each instance, and the passwords the weak-password check knows.

Account calls are synchronous: a change shows in the next list.  Passwords are kept to check a reset against and
are never shown; the control API gives their SHA-256 and how often they changed, so a test can tell whether one was
sent.  Use a store only under the state's lock (inside ``EmulatorState.with_instance``), except the weak passwords.
"""

from __future__ import annotations

import collections
import hashlib
import threading
import time

from .times import api_time


# Passwords that pass the character rules but that the weak-password check refuses (compared without case).
WEAK_PASSWORDS = ("Admin@123", "Admin_123", "Huawei@123", "P@ssw0rd", "Passw0rd!", "Password123!", "Qwerty@123", "Root@1234",
                  "Test@1234", "Abc@12345")
DAY = 24 * 3600


class Account:
    """One DDM account."""

    def __init__(self, name, password, base_authority, description, password_lifetime, databases):
        self.name = name
        self.password = password
        self.base_authority = list(base_authority)
        self.description = description
        self.password_lifetime = password_lifetime
        self.databases = list(databases)
        self.created_wall = time.time()
        self.password_changed_wall = self.created_wall
        self.password_changes = 0

    def set_password(self, password):
        self.password = password
        self.password_changed_wall = time.time()
        self.password_changes += 1

    def api_item(self):
        """An item of the v3 list: times as yyyy-mm-ddThh:mm:ss+0000; expiration_time empty when the password never expires."""
        expires = api_time(self.password_changed_wall + self.password_lifetime * DAY) if self.password_lifetime else ""
        return {"name": self.name, "status": "RUNNING", "base_authority": list(self.base_authority),
                "password_lifetime": self.password_lifetime, "password_last_changed": api_time(self.password_changed_wall),
                "description": self.description, "created": api_time(self.created_wall),
                "databases": [{"name": name} for name in self.databases], "expiration_time": expires}

    def control_shape(self):
        return dict(self.api_item(), password_sha256=hashlib.sha256(self.password.encode("utf-8")).hexdigest(),
                    password_changes=self.password_changes)


class AccountStore:
    """The accounts of every instance, oldest first, and the weak passwords."""

    def __init__(self):
        self._accounts = {}
        self._weak_lock = threading.Lock()
        self._weak = {password.lower() for password in WEAK_PASSWORDS}

    def accounts(self, instance_id):
        """{name: Account} of an instance."""
        return self._accounts.setdefault(instance_id, collections.OrderedDict())

    def forget_schemas(self, instance_id, names):
        """Schemas that are gone leave the accounts that used them."""
        for account in self.accounts(instance_id).values():
            account.databases = [name for name in account.databases if name not in names]

    def is_weak(self, password):
        with self._weak_lock:
            return password.lower() in self._weak

    def add_weak(self, passwords):
        with self._weak_lock:
            self._weak.update(password.lower() for password in passwords)
            return len(self._weak)
