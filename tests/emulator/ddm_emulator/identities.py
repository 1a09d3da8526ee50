# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The identities the emulator knows from the start: region, project, domain, user, keys and a static token."""

from __future__ import annotations


REGION = "cn-north-4"
PROJECT_ID = "0123456789abcdef0123456789abcdef"
DOMAIN_ID = "fedcba9876543210fedcba9876543210"
DOMAIN_NAME = "emulator-domain"
USER_ID = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
USER_NAME = "emulator-user"
USER_PASSWORD = "Emulator-Passw0rd!"
ACCESS_KEY = "AKEMULATOR0000000000"
SECRET_KEY = "SKemulatorSecretKey00000000000000000000000"
TEMP_ACCESS_KEY = "AKTEMPEMULATOR000000"
TEMP_SECRET_KEY = "SKtempEmulatorSecret0000000000000000000000"
SECURITY_TOKEN = "emulator-security-token-0001"
STATIC_TOKEN = "emulator-static-token-0001"
# A sub-project of the region (IAM names them <region>_<name>).
SUBPROJECT_ID = "a5b0c0d0e0f00112233445566778899a"
SUBPROJECT_NAME = REGION + "_ddmteam"
# The agency IAM lets any authenticated caller assume, and the account that created it.
AGENCY_NAME = "ddm-ops-agency"
AGENCY_DOMAIN_NAME = "emulator-delegating-domain"
