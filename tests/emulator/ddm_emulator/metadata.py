# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ECS metadata service (169.254.169.254 on a real ECS): session tokens and the agency's temporary credentials.

Not behind the API gateway: no authentication, no throttling. Its answers are plain text except the
credentials, which come in IAM's ``{"credential": {...}}`` shape.
"""

from __future__ import annotations

import json

from .errors import ApiError
from .iam import credential_body


METADATA_LIFETIME = 3600
MAX_TOKEN_TTL = 21600
MSG_NO_AGENCY = "Please configure Cloud Service Agency first"
TEXT = {"Content-Type": "text/plain; charset=utf-8"}


def text_error(status, message):
    return ApiError(status, message.encode("utf-8"), TEXT)


def api_metadata_token(ctx):
    """PUT /meta-data/latest/api/token: a session token for X-Metadata-Token-Ttl-Seconds seconds."""
    if ctx.state.metadata()["token"] == "unsupported":
        raise text_error(404, "Not Found")
    ttl = ctx.call.header("X-Metadata-Token-Ttl-Seconds") or ""
    if not ttl.isdigit() or not 1 <= int(ttl) <= MAX_TOKEN_TTL:
        raise text_error(400, "X-Metadata-Token-Ttl-Seconds must be an integer from 1 to %d" % MAX_TOKEN_TTL)
    return 200, ctx.state.add_metadata_token(int(ttl)).encode("ascii"), TEXT


def api_security_key(ctx):
    """GET /openstack/latest/securitykey: temporary credentials of the agency attached to the ECS."""
    settings = ctx.state.metadata()
    token = ctx.call.header("X-Metadata-Token")
    if token is not None and not ctx.state.metadata_token_valid(token):
        raise text_error(401, "Unauthorized: the metadata token is invalid or expired")
    if token is None and settings["token"] == "required":
        raise text_error(401, "Unauthorized: X-Metadata-Token is required")
    if not settings["agency"]:
        raise text_error(401, MSG_NO_AGENCY)
    return 200, json.dumps(credential_body(ctx.state, METADATA_LIFETIME, "metadata")).encode("utf-8"), {"Content-Type": "application/json"}
