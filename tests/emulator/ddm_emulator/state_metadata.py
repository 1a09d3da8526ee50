# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ECS metadata service's part of the emulator's state: how it treats session tokens, whether an agency is attached, and
the session tokens it handed out (``metadata.py`` serves them)."""

from __future__ import annotations

import secrets
import time


# How the metadata service treats session tokens: "optional" (as ECS does), "required", or
# "unsupported" (no token API: PUT /meta-data/latest/api/token answers 404).
METADATA_TOKEN_MODES = ("optional", "required", "unsupported")


class MetadataState:
    """The ECS metadata service part of ``EmulatorState``."""

    def _reset_metadata(self):
        self._metadata = {"token": "optional", "agency": True}
        self._metadata_tokens = {}

    def metadata(self):
        with self._lock:
            return dict(self._metadata)

    def configure_metadata(self, token_mode=None, agency=None):
        with self._lock:
            if token_mode is not None:
                self._metadata["token"] = token_mode
            if agency is not None:
                self._metadata["agency"] = agency

    def add_metadata_token(self, ttl):
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._metadata_tokens[token] = time.time() + ttl
        return token

    def metadata_token_valid(self, token):
        with self._lock:
            return self._metadata_tokens.get(token, 0) > time.time()
