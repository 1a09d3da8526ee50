# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Options and attributes shared by every huaweicloud.cloud module."""

    # Connection and authentication options (plugins/module_utils/huaweicloud.py).
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
      - Optional with AK/SK or password authentication, which discover it from IAM through O(region).
        Required with O(auth_token).
      - If not set, the value of E(HW_PROJECT_ID) or E(HUAWEICLOUD_SDK_PROJECT_ID) is used.
    type: str
  iam_endpoint:
    description:
      - Base URL of the IAM service, with or without the C(/v3) suffix.
      - Defaults to C(https://iam.<region>.<cloud>), or C(https://iam.<cloud>) without a region.
      - If not set, the value of E(HW_AUTH_URL) or E(HUAWEICLOUD_SDK_IAM_ENDPOINT) is used.
    type: str
  cloud:
    description:
      - Domain suffix of the Huawei Cloud site that endpoints are built from.
      - Defaults to V(myhuaweicloud.com), or V(myhuaweicloud.eu) for region V(eu-west-101).
      - If not set, the value of E(HW_CLOUD) is used.
    type: str
  auth_token:
    description:
      - An IAM token, sent as C(X-Auth-Token). Takes precedence over every other credential.
      - Needs O(project_id).
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
      - If not set, the value of E(HW_SECURITY_TOKEN) or E(HUAWEICLOUD_SDK_SECURITY_TOKEN) is used.
    type: str
  user_name:
    description:
      - IAM user name for password authentication, exchanged for a token. Needs O(password) and O(domain_name).
      - If not set, the value of E(HW_USER_NAME) is used.
    type: str
  password:
    description:
      - Password of O(user_name).
      - If not set, the value of E(HW_USER_PASSWORD) is used.
    type: str
  domain_name:
    description:
      - Account (domain) name that O(user_name) belongs to.
      - If not set, the value of E(HW_DOMAIN_NAME) is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificates of the API endpoints. Turning it off prints a warning.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a CA bundle that verifies the endpoints' certificates, for private sites.
    type: path
  api_timeout:
    description:
      - Seconds to wait for each HTTP response before retrying it.
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
  - Credentials are chosen in this order; the first complete set wins, and a partly given set is an error
    unless a set before it is complete. 1. O(auth_token). 2. O(access_key) and O(secret_key)
    (plus O(security_token) for temporary credentials). 3. O(user_name), O(password) and O(domain_name).
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
