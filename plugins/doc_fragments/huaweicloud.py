# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Options and attributes shared by every huaweicloud.cloud module."""

    # Connection and authentication options (plugins/module_utils/_ansible/module.py).
    DOCUMENTATION = r"""
options:
  region:
    description:
      - Huawei Cloud region, for example V(cn-north-4).
      - Builds the service and IAM endpoints when they are not given, and names the project to
        look up when O(project_id) is not set.
      - If not set, the value of the E(HW_REGION_NAME) environment variable is used.
    type: str
  project_id:
    description:
      - Id of the project the API calls act in.
      - Optional. Without it, IAM is asked for the project called O(project_name), or else O(region)
        (C(GET /v3/projects) with AK/SK, C(GET /v3/auth/projects) with a token, the token's project with a password).
      - Mutually exclusive with O(project_name).
      - If not set, the value of E(HW_PROJECT_ID) or E(HUAWEICLOUD_SDK_PROJECT_ID) is used.
    type: str
  project_name:
    description:
      - Name of the project to look up in IAM when O(project_id) is not set, for a sub-project such as
        V(cn-north-4_ddmteam). Defaults to O(region). Works with every kind of credentials.
      - If not set, the value of E(HW_PROJECT_NAME) is used.
    type: str
    version_added: 1.1.0
  iam_endpoint:
    description:
      - Base URL of the IAM service, with or without the C(/v3) suffix.
      - Defaults to C(https://iam.<region>.<cloud>), or C(https://iam.<cloud>) without a region.
      - If not set, the value of E(HW_AUTH_URL) or E(HUAWEICLOUD_SDK_IAM_ENDPOINT) is used.
    type: str
  cloud:
    description:
      - Domain suffix of the Huawei Cloud site that endpoints are built from.
      - Defaults to V(myhuaweicloud.com), or V(myhuaweicloud.eu) for the European site's regions
        (V(eu-west-101) and every other C(eu-west-1*)); V(eu-west-0) stays on V(myhuaweicloud.com).
      - If not set, the value of E(HW_CLOUD) is used.
    type: str
  auth_token:
    description:
      - An IAM token, sent as C(X-Auth-Token). Takes precedence over every other credential.
      - It cannot be renewed, so it must outlive the task.
      - If not set, the value of E(HW_AUTH_TOKEN) is used.
    type: str
  access_key:
    description:
      - Access key id (AK) for AK/SK request signing. Needs O(secret_key).
      - If not set, the value of E(HW_ACCESS_KEY) or E(HUAWEICLOUD_SDK_AK) is used.
    type: str
  secret_key:
    description:
      - Secret access key (SK) that signs each request. It is never sent.
      - If not set, the value of E(HW_SECRET_KEY) or E(HUAWEICLOUD_SDK_SK) is used.
    type: str
  security_token:
    description:
      - Security token of temporary AK/SK credentials.
      - Temporary credentials given this way cannot be renewed; when they expire the task fails with
        C(temporary credentials expired at <time>). Use O(agency_name) or O(use_ecs_metadata) for credentials
        that are renewed during long waits.
      - If not set, the value of E(HW_SECURITY_TOKEN) or E(HUAWEICLOUD_SDK_SECURITY_TOKEN) is used.
    type: str
  user_name:
    description:
      - IAM user name for password authentication, exchanged for a token. Needs O(password), and O(domain_name)
        or O(domain_id).
      - If not set, the value of E(HW_USER_NAME) is used.
    type: str
  password:
    description:
      - Password of O(user_name).
      - If not set, the value of E(HW_USER_PASSWORD) is used.
    type: str
  domain_name:
    description:
      - Account (domain) name that O(user_name) belongs to. Mutually exclusive with O(domain_id).
      - If not set, the value of E(HW_DOMAIN_NAME) is used.
    type: str
  domain_id:
    description:
      - Account (domain) id that O(user_name) belongs to, instead of O(domain_name).
      - If not set, the value of E(HW_DOMAIN_ID) is used.
    type: str
    version_added: 1.1.0
  shared_config_file:
    description:
      - Path of the shared config file of KooCLI (C(hcloud)) and the Terraform provider, whose AKSK profiles
        give C(accessKeyId), C(secretAccessKey), C(securityToken), C(region), C(projectId), C(agencyName) and
        C(agencyDomainName).
      - As with Terraform, the file is read only when this option or O(profile) is set; it then defaults to
        C(~/.hcloud/config.json). It cannot be combined with credential options.
      - If not set, the value of E(HW_SHARED_CONFIG_FILE) is used.
    type: path
    version_added: 1.1.0
  profile:
    description:
      - Name of the profile to use in O(shared_config_file). Defaults to the file's C(current) profile.
      - If not set, the value of E(HW_PROFILE) is used.
    type: str
    version_added: 1.1.0
  agency_name:
    description:
      - Assume this agency (role) of the account O(agency_domain_name). The credentials found are exchanged with IAM
        for the agency's temporary credentials, which sign every request and are renewed before they expire.
      - If not set, the value of E(HW_ASSUME_ROLE_AGENCY_NAME) is used.
    type: str
    version_added: 1.1.0
  agency_domain_name:
    description:
      - Name of the account (domain) that created O(agency_name). Needed with O(agency_name).
      - If not set, the value of E(HW_ASSUME_ROLE_DOMAIN_NAME) is used.
    type: str
    version_added: 1.1.0
  agency_duration:
    description:
      - Lifetime in seconds of the agency's temporary credentials, between 900 and 86400. Defaults to 3600.
      - If not set, the value of E(HW_ASSUME_ROLE_DURATION) is used.
    type: int
    version_added: 1.1.0
  use_ecs_metadata:
    description:
      - On an ECS with an agency attached, take temporary credentials from the ECS metadata service,
        renewed before they expire. Used only when no other source gives credentials.
      - The service is never contacted unless this is true. Its address, C(http://169.254.169.254), can be
        changed with the E(HW_METADATA_ENDPOINT) environment variable.
      - If not set, the value of E(HW_USE_ECS_METADATA) is used.
    type: bool
    version_added: 1.1.0
    default: false
  validate_certs:
    description:
      - Whether to verify the TLS certificates of the API endpoints. Turning it off prints a warning.
      - If not set, E(HW_INSECURE) (the Terraform provider's variable) set to V(true) turns it off.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a CA bundle that verifies the endpoints' certificates, for private sites.
    type: path
  api_timeout:
    description:
      - Seconds each attempt of a request may take in all, headers and body, before it is retried; 1 to 600.
      - Inside a wait, an attempt also ends at the wait's deadline.
    type: int
    default: 30
  max_retries:
    description:
      - How many times to retry a request that failed transiently (connection errors, timeouts,
        HTTP 429, 500, 502, 503 and 504), with exponential backoff and jitter, honouring C(Retry-After).
      - Between 0 and 20. Retries are reported as a warning.
      - If not set, the value of E(HW_MAX_RETRIES) is used.
    type: int
    default: 5
notes:
  - "Credentials come from the first of these sources that holds some; the sources after it are not read.
    Settings that are not credentials (region, project id, agency, IAM endpoint) follow the same order, option by option."
  - "Source 1, task options, and source 2, environment variables: an option beats its variable. Among them
    O(auth_token) beats O(access_key) and O(secret_key) (plus O(security_token)), which beat O(user_name),
    O(password) and O(domain_name) or O(domain_id). A partly given set is an error unless a set before it is complete."
  - "Source 3, the shared config file: the profile O(profile) (default: the current one) of O(shared_config_file)
    (default C(~/.hcloud/config.json)), read only when one of the two is set."
  - "Source 4, the SDK credentials file: section C([basic]) (C(ak), C(sk), C(security_token), C(project_id),
    C(iam_endpoint)) of the file named by E(HUAWEICLOUD_SDK_CREDENTIALS_FILE), or of C(~/.huaweicloud/credentials)
    when it exists."
  - "Source 5, the ECS metadata service: only with O(use_ecs_metadata)."
  - "With O(agency_name), the credentials found are the base exchanged for the agency's temporary credentials."
  - "Refused before any request: credential options together with O(profile) or O(shared_config_file);
    O(project_id) with O(project_name); O(domain_id) with O(domain_name); O(agency_name) without
    O(agency_domain_name), or agency options without O(agency_name)."
  - Set the options once for a whole play with C(module_defaults) and the group
    C(group/huaweicloud.cloud.huaweicloud).
requirements:
  - requests
attributes:
  action_group:
    description: Use C(group/huaweicloud.cloud.huaweicloud) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - huaweicloud.cloud.huaweicloud
"""

    # The DDM service endpoint override.
    DDM = r"""
options:
  endpoint:
    description:
      - Base URL of the DDM API, for private sites or testing.
      - Defaults to C(https://ddm.<region>.<cloud>).
      - If not set, the value of E(HW_DDM_ENDPOINT) is used.
    type: str
"""

    # Attributes of read-only modules.
    INFO_MODULE = r"""
attributes:
  check_mode:
    description: Can run in check mode and return the same result as a normal run.
    support: full
  diff_mode:
    description: Returns no differences; the module changes nothing.
    support: N/A
"""

    RESOURCE_MODULE = r"""
attributes:
  check_mode:
    description: In check mode the module only reads, and returns what it would change in RV(actions) and C(changed).
    support: full
  diff_mode:
    description: Shows the resource's settings before and after the change (never a password).
    support: full
"""

    # The wait options of modules that change things (plugins/module_utils/_ddm/module.py); a module may document one its own way.
    WAIT = r"""
options:
  wait:
    description:
      - Wait until the last operation's task is V(Completed) (and, when deleting, until the resource is gone).
      - Also lets the module wait for an operation already under way on the resource to end before its own.
        Without O(wait), such a resource fails the task, naming its status.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds the whole run may take when the module waits, every request, operation and wait included. Must be positive.
    type: int
    default: 1800
  wait_interval:
    description:
      - Longest pause between two polls, in seconds. Must be positive and not above O(wait_timeout).
      - Defaults to 5, or to O(wait_timeout) when that is shorter.
      - The first pauses are shorter (1, 2, 4 seconds...) so that short tasks are detected quickly.
    type: int
attributes:
  action:
    description: An action plugin of the same name shows the waits' progress live.
    support: full
notes:
  - Live progress lines need the module to run on the controller, that is with a local connection
    (C(delegate_to=localhost) or C(connection=local)), and without C(async), C(become) or C(no_log).
    Elsewhere the module works the same, and only its result is shown.
"""
