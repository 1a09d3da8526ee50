# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The identity store of the emulator's state: projects, access keys (permanent and temporary), tokens (``iam.py`` serves
them, ``gateway.py`` checks callers against them)."""

from __future__ import annotations

import collections
import secrets
import time

from .identities import (ACCESS_KEY, PROJECT_ID, REGION, SECRET_KEY, SECURITY_TOKEN, STATIC_TOKEN, SUBPROJECT_ID, SUBPROJECT_NAME,
                         TEMP_ACCESS_KEY, TEMP_SECRET_KEY)


TOKEN_LIFETIME = 24 * 3600
STATIC_TOKEN_LIFETIME = 10 * 365 * 24 * 3600


class CredentialRecord:
    """An access key the gateway knows: its secret key, its security token (None: permanent) and expiry (None: never)."""

    def __init__(self, secret_key, security_token=None, expires=None):
        self.secret_key = secret_key
        self.security_token = security_token
        self.expires = expires


def new_temporary_credential(lifetime):
    """(access key, record) of fresh temporary credentials, in the shapes IAM hands out."""
    access_key = "AKTEMP" + secrets.token_hex(7).upper()
    record = CredentialRecord("SKtemp" + secrets.token_urlsafe(30), "gQpjbi1ub3J0aC00" + secrets.token_urlsafe(120), time.time() + lifetime)
    return access_key, record


class TokenRecord:
    """A token the gateway accepts: its project (None: domain-scoped), expiry, and whether IAM issued it."""

    def __init__(self, project_id, lifetime, issued=False):
        self.project_id = project_id
        self.expires = time.time() + lifetime
        self.revoked = False
        self.issued = issued


class IdentityState:
    """The projects, credentials and tokens part of ``EmulatorState``."""

    def _reset_identity(self):
        self._projects = collections.OrderedDict([(PROJECT_ID, REGION), (SUBPROJECT_ID, SUBPROJECT_NAME)])
        self._tokens = {STATIC_TOKEN: TokenRecord(PROJECT_ID, STATIC_TOKEN_LIFETIME)}
        self._tokens_issued = 0
        self._credentials = {ACCESS_KEY: CredentialRecord(SECRET_KEY), TEMP_ACCESS_KEY: CredentialRecord(TEMP_SECRET_KEY, SECURITY_TOKEN)}
        self._temporary_issued = collections.Counter()
        self._lifetime_cap = None

    def _identity_info(self):
        return {"tokens_issued": self._tokens_issued, "temporary_issued": dict(self._temporary_issued), "lifetime_cap": self._lifetime_cap}

    # ------------------------------------------------------------------ projects

    def _know_project(self, project_id):
        # A project first met in a job or a token gets a made-up name.
        self._projects.setdefault(project_id, "project-%s" % project_id[:8])

    def add_project(self, project_id, name):
        with self._lock:
            self._projects[project_id] = name

    def has_project(self, project_id):
        with self._lock:
            return project_id in self._projects

    def projects(self):
        """A copy of {project id: project name}, oldest first."""
        with self._lock:
            return collections.OrderedDict(self._projects)

    # ------------------------------------------------------------------ credentials

    def credential(self, access_key):
        """The CredentialRecord of a known access key, else None."""
        with self._lock:
            return self._credentials.get(access_key)

    def issue_temporary(self, lifetime, origin):
        """New temporary credentials for ``lifetime`` seconds (or the shorter lifetime cap); ``origin`` is counted."""
        with self._lock:
            if self._lifetime_cap is not None:
                lifetime = min(lifetime, self._lifetime_cap)
            access_key, record = new_temporary_credential(lifetime)
            self._credentials[access_key] = record
            self._temporary_issued[origin] += 1
            return access_key, record

    def set_lifetime_cap(self, seconds):
        """Temporary credentials issued from now on live at most ``seconds`` (None: as long as asked)."""
        with self._lock:
            self._lifetime_cap = seconds

    # ------------------------------------------------------------------ tokens

    def add_token(self, token, project_id, lifetime=TOKEN_LIFETIME, issued=False):
        with self._lock:
            self._tokens[token] = TokenRecord(project_id, lifetime, issued)
            if issued:
                self._tokens_issued += 1
            if project_id:
                self._know_project(project_id)
            return self._tokens[token]

    def lookup_token(self, token):
        with self._lock:
            return self._tokens.get(token)

    def revoke_token(self, token):
        with self._lock:
            record = self._tokens.get(token)
            if record is not None:
                record.revoked = True
            return record is not None

    def revoke_issued(self):
        with self._lock:
            records = [record for record in self._tokens.values() if record.issued and not record.revoked]
            for record in records:
                record.revoked = True
            return len(records)
