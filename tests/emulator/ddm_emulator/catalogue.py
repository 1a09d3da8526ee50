# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the DDM instance API offers in the emulated region: availability zones, engine versions, node flavors,
and the VPC, subnet and security group a demo may name (any non-empty id is accepted)."""

from __future__ import annotations


AVAILABLE_ZONES = ("cn-north-4a", "cn-north-4b", "cn-north-4c")

# Oldest first; the newest is what a demo would pick.
ENGINES = (
    {"id": "367b68a3-e8f2-4b1d-9f2e-5d6c0a1b3e01", "name": "DDM", "version": "3.0.8.5"},
    {"id": "367b68a3-e8f2-4b1d-9f2e-5d6c0a1b3e02", "name": "DDM", "version": "3.0.9.1"},
    {"id": "367b68a3-e8f2-4b1d-9f2e-5d6c0a1b3e03", "name": "DDM", "version": "3.1.0.2"},
)
ENGINE_VERSIONS = tuple(engine["version"] for engine in ENGINES)

# vcpus and ram (GB) are strings, as the flavor list and the show call (core_count, ram_capacity) give them.
FLAVORS = (
    {"id": "a1f5c0de-6c61-4f27-8a10-000000000001", "spec_code": "ddm.c6.large.2", "vcpus": "2", "ram": "4", "group_type": "X86"},
    {"id": "a1f5c0de-6c61-4f27-8a10-000000000002", "spec_code": "ddm.c6.xlarge.2", "vcpus": "4", "ram": "8", "group_type": "X86"},
    {"id": "a1f5c0de-6c61-4f27-8a10-000000000003", "spec_code": "ddm.c6.2xlarge.2", "vcpus": "8", "ram": "16", "group_type": "X86"},
    {"id": "a1f5c0de-6c61-4f27-8a10-000000000004", "spec_code": "ddm.kc1.large.2", "vcpus": "2", "ram": "4", "group_type": "ARM"},
) + tuple(
    # More than one page of each kind: the flavor list answers 10 per CPU-architecture group unless asked for more.
    {"id": "a1f5c0de-6c61-4f27-8a10-%012d" % number, "spec_code": spec_code, "vcpus": str(vcpus), "ram": str(vcpus * ratio),
     "group_type": group_type}
    for number, (spec_code, vcpus, ratio, group_type) in enumerate((
        ("ddm.c6.4xlarge.2", 16, 2, "X86"), ("ddm.c6.8xlarge.2", 32, 2, "X86"), ("ddm.c6.16xlarge.2", 64, 2, "X86"),
        ("ddm.c6.large.4", 2, 4, "X86"), ("ddm.c6.xlarge.4", 4, 4, "X86"), ("ddm.c6.2xlarge.4", 8, 4, "X86"),
        ("ddm.c6.4xlarge.4", 16, 4, "X86"), ("ddm.c6.8xlarge.4", 32, 4, "X86"), ("ddm.c6.16xlarge.4", 64, 4, "X86"),
        ("ddm.c7.large.2", 2, 2, "X86"), ("ddm.c7.xlarge.2", 4, 2, "X86"),
        ("ddm.kc1.xlarge.2", 4, 2, "ARM"), ("ddm.kc1.2xlarge.2", 8, 2, "ARM"),
    ), start=5))
CPU_ARCHITECTURES = ("X86", "ARM")
FLAVOR_CODES = tuple(flavor["spec_code"] for flavor in FLAVORS)
FLAVOR_STATUSES = ("normal", "unsupported", "sellout")
# The ARM flavors are not offered in the third AZ (a test can change any of these through the control API).
DEFAULT_FLAVOR_AZ_STATUS = {(flavor["spec_code"], "cn-north-4c"): "unsupported" for flavor in FLAVORS if flavor["group_type"] == "ARM"}

VPC_ID = "3c1a7e52-0b6d-4d1e-9f6a-7d2f0e4c5a01"
SUBNET_ID = "5e2b8f63-1c7e-4e2f-8a7b-8e3a1f5d6b02"
SECURITY_GROUP_ID = "7f3c9a74-2d8f-4f3a-9b8c-9f4b2a6e7c03"
# Another security group, for a test that changes it.
OTHER_SECURITY_GROUP_ID = "8a4dab85-3e9a-4a4b-8c9d-0a5c3b7f8d04"
ACCESS_PORT = "5066"


def flavor(spec_code):
    """The catalogue entry of a spec code, or None."""
    for entry in FLAVORS:
        if entry["spec_code"] == spec_code:
            return entry
    return None


def engine(engine_id=None, version=None):
    """The engine with this id or version, or None."""
    for entry in ENGINES:
        if entry["id"] == engine_id or entry["version"] == version:
            return entry
    return None
