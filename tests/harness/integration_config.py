# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The variables of ``tests/integration/integration_config.yml``, which ansible-test hands to every target.

Two modes, one set of names (the targets never ask which cloud they meet, except to be allowed to run):

- ``emulator``: the loopback emulator's URL, keys and network ids, the data node login it seeds;
- ``cloud``: a real account, from environment variables (:data:`CLOUD_VARIABLES`), refused unless
  ``HUAWEICLOUD_IT_BILLABLE=yes`` says the run may create billable resources.

Every resource a target creates is named after ``huaweicloud_resource_prefix``: ``ait`` and six hex
digits, new for each run, so the sweeper (``scripts/integration.sh sweep``) finds leftovers by it alone.
"""

from __future__ import annotations

import json
import os
import re
import secrets

from .emulator import (ACCESS_KEY, AVAILABLE_ZONES, PROJECT_ID, REGION, SECRET_KEY, SECURITY_GROUP_ID, SUBNET_ID,
                       VPC_ID)

# The family every run's prefix belongs to; the sweeper deletes nothing outside it.
PREFIX_FAMILY = "ait"
PREFIX_PATTERN = re.compile(r"^%s[0-9a-f]{6}$" % PREFIX_FAMILY)
OPT_IN = "HUAWEICLOUD_IT_BILLABLE"
# What the emulator seeds on every instance's data nodes (tests/emulator/ddm_emulator).
EMULATOR_DATA_NODE_USER = "root"
EMULATOR_DATA_NODE_PASSWORD = "Rds-Admin-Passw0rd"

# (variable, environment variable, required, what it is) of the cloud mode.
CLOUD_VARIABLES = (
    ("huaweicloud_access_key", "HW_ACCESS_KEY", True, "the access key (AK) of an IAM user allowed to manage DDM"),
    ("huaweicloud_secret_key", "HW_SECRET_KEY", True, "its secret key (SK)"),
    ("huaweicloud_region", "HW_REGION_NAME", True, "the region, such as cn-north-4"),
    ("huaweicloud_project_id", "HW_PROJECT_ID", False, "the project id (default: the region's project)"),
    ("huaweicloud_vpc_id", "HUAWEICLOUD_IT_VPC_ID", True, "the VPC the test instances join"),
    ("huaweicloud_subnet_id", "HUAWEICLOUD_IT_SUBNET_ID", True, "a subnet of that VPC"),
    ("huaweicloud_security_group_id", "HUAWEICLOUD_IT_SECURITY_GROUP_ID", True, "a security group of that VPC"),
    ("huaweicloud_availability_zones", "HUAWEICLOUD_IT_AVAILABILITY_ZONES", True, "availability zones, comma-separated"),
    ("huaweicloud_data_node_ids", "HUAWEICLOUD_IT_RDS_IDS", True,
     "two RDS for MySQL instances in that VPC, comma-separated: the schemas' data nodes"),
    ("huaweicloud_data_node_user", "HUAWEICLOUD_IT_RDS_USER", False, "their administrator (default root)"),
    ("huaweicloud_data_node_password", "HUAWEICLOUD_IT_RDS_PASSWORD", True, "that administrator's password"),
)
LISTS = ("huaweicloud_availability_zones", "huaweicloud_data_node_ids")


class ConfigError(ValueError):
    """The settings of a run are missing or refused; the message says which and why."""


def new_prefix():
    return PREFIX_FAMILY + secrets.token_hex(3)


def emulator_config(url, prefix=None):
    """The variables for a run against the emulator at ``url`` (DDM and IAM on one base URL)."""
    return {
        "huaweicloud_integration_mode": "emulator",
        "huaweicloud_resource_prefix": prefix or new_prefix(),
        "huaweicloud_emulator_url": url,
        "huaweicloud_endpoint": url,
        "huaweicloud_iam_endpoint": url,
        "huaweicloud_region": REGION,
        "huaweicloud_project_id": PROJECT_ID,
        "huaweicloud_access_key": ACCESS_KEY,
        "huaweicloud_secret_key": SECRET_KEY,
        "huaweicloud_vpc_id": VPC_ID,
        "huaweicloud_subnet_id": SUBNET_ID,
        "huaweicloud_security_group_id": SECURITY_GROUP_ID,
        "huaweicloud_availability_zones": list(AVAILABLE_ZONES[:1]),
        # Empty: the targets take the data nodes each emulated instance offers.
        "huaweicloud_data_node_ids": [],
        "huaweicloud_data_node_user": EMULATOR_DATA_NODE_USER,
        "huaweicloud_data_node_password": EMULATOR_DATA_NODE_PASSWORD,
    }


def cloud_config(environ, prefix=None):
    """The variables for a run against a real account, from ``environ``; ConfigError when refused or incomplete."""
    if environ.get(OPT_IN) != "yes":
        raise ConfigError(
            "refusing to run against a real account: the targets create billable DDM instances (docs/integration-tests.md"
            " says what a run costs). Set %s=yes to allow it." % OPT_IN)
    config = {"huaweicloud_integration_mode": "cloud", "huaweicloud_resource_prefix": prefix or new_prefix(),
              "huaweicloud_data_node_user": "root"}
    missing = []
    for name, variable, required, meaning in CLOUD_VARIABLES:
        value = environ.get(variable, "").strip()
        if not value:
            if required:
                missing.append("  %s: %s" % (variable, meaning))
            continue
        config[name] = [item.strip() for item in value.split(",") if item.strip()] if name in LISTS else value
    if missing:
        raise ConfigError("these environment variables are not set:\n" + "\n".join(missing))
    if len(config["huaweicloud_data_node_ids"]) < 2:
        raise ConfigError("HUAWEICLOUD_IT_RDS_IDS needs two RDS for MySQL instance ids, comma-separated")
    return config


def write(config, path):
    """Write the variables for ansible-test, readable by this user only (the cloud mode's carry keys)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        # JSON is YAML: no quoting question for any value.
        json.dump(config, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.chmod(path, 0o600)
    return path
