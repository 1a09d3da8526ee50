# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Loopback emulator of the Huawei Cloud DDM task API and the IAM calls it depends on.

Standard library only.  One base URL serves both services, so ``endpoint`` and
``iam_endpoint`` are the same ``http://127.0.0.1:PORT``.

Usage (with ``tests/emulator`` as the working directory or on ``PYTHONPATH``)::

    python -m ddm_emulator --port 0 --port-file FILE \\
        [--verifier auto|sdk|builtin] [--tls-cert F --tls-key F] [--seed-demo] [--verbose]

API served (behaviour as documented for the real services; routes in ``routes.py``):

- ``GET  /v3/{project_id}/jobs/{job_id}``    DDM: one task (unknown -> 400 DBS.300400)
- ``GET  /v3/{project_id}/jobs``             DDM: list tasks (start_time/end_time required, integer ms)
- ``POST /v3/auth/tokens``                   IAM: password -> token (201, X-Subject-Token)
- ``GET  /v3/projects?name=REGION``          IAM: project lookup (token or AK/SK)
- ``GET  /v3/auth/projects``                 IAM: every project the caller may use, sub-projects included
- ``POST /v3.0/OS-CREDENTIAL/securitytokens`` IAM: assume_role -> temporary credentials of an agency (201)
- ``PUT  /meta-data/latest/api/token``       ECS metadata: session token (text; 404 in the "unsupported" mode)
- ``GET  /openstack/latest/securitykey``     ECS metadata: temporary credentials of the ECS's agency

Temporary credentials (agency, metadata, control) really expire: a request signed with them after
``expires_at`` is answered 401 APIGW.0301 ``MSG_CREDENTIAL_EXPIRED``.  The metadata routes are not
behind the gateway (no authentication, no throttling); ``X-Metadata-Token`` is redacted in the log.

Authentication (``gateway.py``): ``X-Auth-Token`` (static, control-registered or IAM-issued; must be
scoped to the project in the path, else 403 APIGW.0302) or an ``SDK-HMAC-SHA256`` signature verified
against the request as received (X-Sdk-Date within 15 minutes of the emulator clock; temporary AKs need
their X-Security-Token; X-Project-Id, when sent, must match the path).  Failures answer 401 with the
gateway body ``{"error_code": "APIGW.0301", "error_msg": ..., "request_id": ...}``; the texts are the
``MSG_*`` constants of ``gateway.py``.  Every response carries X-Request-Id, IAM ones X-IAM-Trace-Id too.

Control API (JSON, no auth; ``control.py``):

- ``POST /_emulator/reset``; ``GET /_emulator/info``
- ``POST /_emulator/jobs`` {id (default: a new UUID), project_id, name, instance, duration, outcome,
  timeline, fail_reason, database_name, operations, age, visible_after (seconds before the task shows
  in either call), utc_offset ("+0800": the time zone of its times), running_end_time ("expected" or
  "created": what end_time shows while it runs, as in the API docs' examples)}; posting an existing id
  replaces that job (its timeline restarts now), which lets a test script how a job it has seen running
  ends; ``GET /_emulator/jobs``; ``POST /_emulator/jobs/bulk`` {count, ...the same spec without id}
  creates many at once
- ``POST /_emulator/faults`` {method, path (regex searched in the path), count, status, body, json,
  headers (null drops a header), delay (a stall, when long), drop, trickle (bytes a second),
  trickle_part ("all" from the status line on, or "body"), pad_to (bytes; trailing spaces), label};
  ``GET``/``DELETE /_emulator/faults``
- ``POST /_emulator/chaos`` {rate, seed, kinds (drop, 500, 503-html, 429, slow), slow_delay, method,
  path}: a random fault for that share of the matching requests, from a seeded generator (the same
  seed draws the same faults in the same order); ``GET``/``DELETE /_emulator/chaos``
- ``POST /_emulator/tokens`` {token, project_id, expires_in}; ``DELETE /_emulator/tokens/{token}``;
  ``DELETE /_emulator/tokens`` revokes every token issued by ``POST /v3/auth/tokens``
- ``POST /_emulator/ratelimit`` {limit, window}; ``POST /_emulator/clock`` {skew}
- ``GET``/``DELETE /_emulator/requests``; ``POST /_emulator/projects`` {id, name}
- ``POST /_emulator/credentials`` {expires_in} issues temporary credentials (IAM's shape);
  ``POST /_emulator/credentials/lifetime`` {seconds or null} caps the lifetime of those issued from now on
- ``POST /_emulator/metadata`` {token: optional|required|unsupported, agency: bool}

Pre-seeded identities (``identities.py``): region ``cn-north-4``, project
``0123456789abcdef0123456789abcdef`` and its sub-project ``cn-north-4_ddmteam``, AK/SK, temporary AK/SK
with security token (never expiring), IAM user, a static token, and an agency any caller may assume.

``--seed-demo`` creates these jobs in the default project (``POST /_emulator/reset`` re-creates them;
``model.py``):

- ``5b0c7e2a-3f1d-4c8e-9a6f-0d2b4e6a8c01`` CreateInstance, Completed
- ``5b0c7e2a-3f1d-4c8e-9a6f-0d2b4e6a8c02`` EnlargeNode, Running for 20 s (process rising), then Completed
- ``5b0c7e2a-3f1d-4c8e-9a6f-0d2b4e6a8c03`` RestartInstance, Failed (with a fail_reason in the list API)
- ``5b0c7e2a-3f1d-4c8e-9a6f-0d2b4e6a8c04`` migrateLogicDb, Running for an hour
- ``5b0c7e2a-3f1d-4c8e-9a6f-0d2b4e6a8c05`` EnlargeNode, Expanding for 10 s, then Completed
- ``5b0c7e2a-3f1d-4c8e-9a6f-0d2b4e6a8c06`` ReduceNode, RollbackSuccess

Only loopback addresses can be bound.  SIGTERM/SIGINT stop the server cleanly (``__main__.py``).

Modules, from the wire inwards: ``__main__`` (command line), ``server`` (HTTP handler, faults on the
wire, TLS), ``request`` (one request as received, its log entry), ``control`` (the control API),
``routes`` (the API routes), ``gateway`` (authentication, throttling, project checks), ``ddm`` and
``iam`` and ``metadata`` (the services), ``state`` (what the emulator knows), ``faults``, ``model`` (tasks),
``identities``, ``errors``, ``spec``, ``times``.
"""

from __future__ import annotations

from .identities import (ACCESS_KEY, AGENCY_DOMAIN_NAME, AGENCY_NAME, DOMAIN_ID, DOMAIN_NAME, PROJECT_ID, REGION, SECRET_KEY,
                         SECURITY_TOKEN, STATIC_TOKEN, SUBPROJECT_ID, SUBPROJECT_NAME, TEMP_ACCESS_KEY, TEMP_SECRET_KEY, USER_ID,
                         USER_NAME, USER_PASSWORD)
from .model import DEMO_JOB_IDS

__all__ = ["ACCESS_KEY", "AGENCY_DOMAIN_NAME", "AGENCY_NAME", "DEMO_JOB_IDS", "DOMAIN_ID", "DOMAIN_NAME", "PROJECT_ID", "REGION",
           "SECRET_KEY", "SECURITY_TOKEN", "STATIC_TOKEN", "SUBPROJECT_ID", "SUBPROJECT_NAME", "TEMP_ACCESS_KEY", "TEMP_SECRET_KEY",
           "USER_ID", "USER_NAME", "USER_PASSWORD"]
