# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Loopback emulator of the Huawei Cloud DDM task and instance APIs and the IAM calls they depend on.

Standard library only.  One base URL serves both services, so ``endpoint`` and
``iam_endpoint`` are the same ``http://127.0.0.1:PORT``.

Usage (with ``tests/emulator`` as the working directory or on ``PYTHONPATH``)::

    python -m ddm_emulator --port 0 --port-file FILE \\
        [--verifier auto|sdk|builtin] [--tls-cert F --tls-key F] [--seed-demo] [--verbose]

API served (behaviour as documented for the real services; routes in ``routes.py``):

- ``GET  /v3/{project_id}/jobs/{job_id}``    DDM: one task (unknown -> 400 DBS.300400)
- ``GET  /v3/{project_id}/jobs``             DDM: list tasks (start_time/end_time required, integer ms)
- ``POST /v3/{project_id}/instances``        DDM: create (202 {id, job_id}; charge_info.charge_mode prePaid: 202 {order_id})
- ``GET  /v1/{project_id}/instances/{id}``   DDM: show (available_zone one comma-separated string, node_count int,
  access_port/core_count/ram_capacity strings, nodes, error_msg only when there is one; 404 once deleted)
- ``GET  /v1/{project_id}/instances``        DDM: list (offset, limit 1-128 default 10; items without nodes; newest first;
  {instances, instance_num (items on this page), page_no, page_size, total_record, total_page})
- ``DELETE /v3/{project_id}/instances/{id}?delete_dn_data=true|false``  DDM: delete (202 {job_id}; also from
  CREATEFAILED, ERROR and data_disk_full; the value sent is in the request log's params and the control listing's delete_dn_data)
- ``PUT  /v3/{project_id}/instances/{id}/flavor`` {spec_code, group_id}  DDM: change flavor (200 {job_id}; the same or an
  unknown spec code, or one not on offer in an AZ of the instance: 400)
- ``POST /v3/{project_id}/instances/{id}/nodes`` {nodes: [{available_zone}], group_id, subnet_id}  DDM: add 1-32 nodes in the
  instance's AZs (202 {job_id})
- ``POST /v2/{project_id}/instances/{id}/action/reduce`` {node_number, group_id}  DDM: remove 1..(the group's nodes - 1) nodes
  (200 {instanceId, instanceName, jobId}; yearly/monthly instances: 400)
- (on an instance with several node groups the three calls above need group_id, and adding nodes also subnet_id when the
  group spans several subnets: 400 without)
- ``GET  /v3/{project_id}/instances/{id}/groups?offset=&limit=``       DDM: node groups ({total_count, group_list: [{id, name,
  role (rw, r), endpoint, ipv6_endpoint, is_load_balance, is_default_group, cpu_num_per_node, mem_num_per_node, architecture,
  node_list: [{id, name, az}]}]})
- ``PUT  /v1/{project_id}/instances/{id}/modify-name`` {name}          DDM: rename at once (200 {name}; letters, digits, '-')
- ``PUT  /v3/{project_id}/instances/{id}/name`` {name}                 DDM: rename as a task (200 {job_id}; '_' allowed; the
  instance reads MODIFY_NAME, the new name shows once the task completes)
- ``PUT  /v1/{project_id}/instances/{id}/modify-security-group`` {security_group_id}  DDM: at once (200 {security_group_id},
  as the API reference's example answers)
- ``PUT  /v3/{project_id}/instances/{id}/admin-user`` {name, password}  DDM: reset the administrator (202 {job_id}, or {}
  with the password_answer setting "empty")
- ``GET  /v3/{project_id}/flavors?engine_version=|engine_id=&available_zones=a,b&offset=&limit=``  DDM: flavor groups X86 and
  ARM, each paged on its own (limit default 10, at most 128; each group gives its offset, limit and total)
- ``GET  /v3/{project_id}/engines``          DDM: engine versions ({engine_groups, offset, limit, total})
- ``POST /v3/auth/tokens``                   IAM: password -> token (201, X-Subject-Token)
- ``GET  /v3/projects?name=REGION``          IAM: project lookup (token or AK/SK)
- ``GET  /v3/auth/projects``                 IAM: every project the caller may use, sub-projects included
- ``POST /v3.0/OS-CREDENTIAL/securitytokens`` IAM: assume_role -> temporary credentials of an agency (201)
- ``PUT  /meta-data/latest/api/token``       ECS metadata: session token (text; 404 in the "unsupported" mode)
- ``GET  /openstack/latest/securitykey``     ECS metadata: temporary credentials of the ECS's agency

DDM instances (``instances.py``, ``ddm_instances.py``, ``catalogue.py``): v3 calls answer errors as {error_code,
error_msg}, v1 and v2 calls as {errCode, externalMessage}.  Bad parameters are 400 DBS.280001, an unknown instance
404 DBS.200002, a write while the instance is not RUNNING 409 DBS.200019 (or 403 DBS.212033).  Operations run as tasks
of the task API: CreateInstance (status CREATING), DeleteInstance (DELETING), ResizeFlavor (RESIZING; name not
documented, chosen here), EnlargeNode (GROWING), ReduceNode (REDUCING), ResetAdminPassword (RESET_PASSWORD; chosen
here), ModifyInstanceName (MODIFY_NAME; the v3 rename's, chosen here).  For stale_seconds after a write is accepted
show and list still read RUNNING with the old values; the new
values show when the task completes (a creation reads CREATING at once).  A failed creation leaves CREATEFAILED with
error_msg; another failed operation leaves the instance RUNNING with its old values, or in the status its fail_next
named (e.g. RESIZE_ROLL_FAILED, with error_msg).  ``data_disk_full`` (set through the control API) refuses every write but
deletion.  Yearly/monthly instances (order_id) answer a flavor change, added nodes
and deletion with {order_id} of an order nobody pays, and change nothing.  No call ever shows a password.

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
- ``POST /_emulator/instances`` {id, project_id, name, status, error_msg, flavor_ref, available_zones, node_count,
  engine_version, vpc_id, subnet_id, security_group_id, enterprise_project_id, param_group_id, time_zone,
  admin_user_name, admin_user_password, order_id, order_id_shown, enable_ssl, age, groups} seeds one instance as it is
  (names may repeat); ``groups`` [{id, name, node_count, flavor_ref, subnet_ids}] gives several node groups (the first is
  the default one; node_count is then per group); ``order_id_shown`` (as_is, empty, absent, null) is how show and list give
  the order_id (writes still answer orders);
  ``POST /_emulator/instances/bulk`` {count, name_prefix (names prefix00001...), ...the same spec without id};
  ``GET /_emulator/instances`` lists every instance with what only tests see (actual_status, actual_order_id, operation,
  delete_dn_data values received, unpaid_orders, groups, node_subnets, not_found, time_zone, admin_password_set; never a
  password)
- ``GET``/``POST /_emulator/instances/settings`` {create_seconds (3), operation_seconds (2), delete_seconds (2),
  stale_seconds (1), offset_mode ("index": offset skips records; "page": offset is a page number from 1, 0 read as 1),
  busy_answer (409 or 403), password_answer ("job" or "empty")}
- ``POST /_emulator/instances/fail_next`` {operation (create, delete, resize, enlarge, reduce, password, rename), fail_reason,
  status (the instance's status after the failure; default CREATEFAILED for create, else RUNNING)}: the next such
  operation's task fails
- ``POST /_emulator/instances/{id}/status`` {status, error_msg} sets any status (ERROR, FROZEN...), abandoning an
  operation in progress (its task still ends as scripted)
- ``POST /_emulator/instances/{id}/not_found`` {count (1), calls (["show"]; also delete, resize, enlarge, reduce, rename,
  rename_v3, security_group, password, groups)}: the next count of each call on this instance answer 404 DBS.200002 as if it
  did not exist (the list still shows it)
- ``POST /_emulator/instances/{id}/order_id_shown`` {shown}: as the seed field
- ``POST /_emulator/instances/list_repeat`` {mode ("previous": a later page's first item is the last of the page before;
  "twice": a page's second item is its first again; null: stop), count (1)}: the next count pages it can apply to keep
  their size and total but miss one instance
- ``POST /_emulator/instances/flavor_status`` {spec_code, az, status (normal, unsupported, sellout)}; by default the
  ARM flavor is unsupported in cn-north-4c (``catalogue.py``)
- ``POST /_emulator/faults`` {method, path (regex searched in the path), count, status, body, json,
  headers (null drops a header), delay (a stall, when long), drop, apply (let the API handle the request first, then
  drop or replace its answer: the write happened, its answer was lost), trickle (bytes a second),
  trickle_part ("all" from the status line on, or "body"), pad_to (bytes; trailing spaces), garble ("html", "truncated",
  "wrong_types", "empty": apply the request, then make its real answer unreadable, its status kept unless status is given),
  label}; ``GET``/``DELETE /_emulator/faults``
- ``POST /_emulator/latency`` {method, path (regex), delay, jitter (seeded by seed), where ("before" the service sees the
  request, or "after", before its answer leaves), label}: a standing delay, never used up; ``GET /_emulator/latency``;
  ``DELETE /_emulator/latency`` removes them and releases the requests they hold (so is a reset)
- ``POST /_emulator/chaos`` {rate, seed, kinds (drop, 500, 503-html, 429, slow), slow_delay, method,
  path}: a random fault for that share of the matching requests, from a seeded generator (the same
  seed draws the same faults in the same order); ``GET``/``DELETE /_emulator/chaos``
- ``POST /_emulator/tokens`` {token, project_id, expires_in}; ``DELETE /_emulator/tokens/{token}``;
  ``DELETE /_emulator/tokens`` revokes every token issued by ``POST /v3/auth/tokens``
- ``POST /_emulator/ratelimit`` {limit, window}; ``POST /_emulator/clock`` {skew}: the server's clock (the Date header of
  every answer, the AK/SK date check, the times of tasks and instances, the task list's window and 30-day limit)
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
``routes`` (the API routes), ``gateway`` (authentication, throttling, project checks), ``ddm``, ``ddm_instances``,
``iam`` and ``metadata`` (the services), ``state`` (what the emulator knows, composed of one ``state_<service>`` part per
service: jobs, instances, identity, metadata, traffic), ``faults``, ``model`` (tasks),
``instances`` (instances), ``catalogue`` (AZs, flavors, engines), ``identities``, ``errors``, ``spec``, ``times``.
"""

from __future__ import annotations

from .identities import (ACCESS_KEY, AGENCY_DOMAIN_NAME, AGENCY_NAME, DOMAIN_ID, DOMAIN_NAME, PROJECT_ID, REGION, SECRET_KEY,
                         SECURITY_TOKEN, STATIC_TOKEN, SUBPROJECT_ID, SUBPROJECT_NAME, TEMP_ACCESS_KEY, TEMP_SECRET_KEY, USER_ID,
                         USER_NAME, USER_PASSWORD)
from .catalogue import (ACCESS_PORT, AVAILABLE_ZONES, ENGINE_VERSIONS, ENGINES, FLAVOR_CODES, FLAVORS, OTHER_SECURITY_GROUP_ID,
                        SECURITY_GROUP_ID, SUBNET_ID, VPC_ID)
from .instances import DEFAULT_SETTINGS as INSTANCE_SETTINGS, OPERATIONS as INSTANCE_OPERATIONS
from .model import DEMO_JOB_IDS

__all__ = ["ACCESS_KEY", "ACCESS_PORT", "AGENCY_DOMAIN_NAME", "AGENCY_NAME", "AVAILABLE_ZONES", "DEMO_JOB_IDS", "DOMAIN_ID",
           "DOMAIN_NAME", "ENGINES", "ENGINE_VERSIONS", "FLAVORS", "FLAVOR_CODES", "INSTANCE_OPERATIONS", "INSTANCE_SETTINGS",
           "OTHER_SECURITY_GROUP_ID", "PROJECT_ID", "REGION", "SECRET_KEY", "SECURITY_GROUP_ID", "SECURITY_TOKEN", "STATIC_TOKEN",
           "SUBNET_ID", "SUBPROJECT_ID", "SUBPROJECT_NAME", "TEMP_ACCESS_KEY", "TEMP_SECRET_KEY", "USER_ID", "USER_NAME",
           "USER_PASSWORD", "VPC_ID"]
