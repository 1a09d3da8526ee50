# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""scripts/integration.sh around the ansible-test targets: the real-account mode refuses without its opt-in and
sends nothing, its settings come from the environment, and the sweeper deletes by a run's prefix only."""

from __future__ import annotations

import json
import os
import stat
import subprocess

import pytest

from account_cases import add_schema  # pylint: disable=import-error
from harness.emulator import ACCESS_KEY, PROJECT_ID, REGION, SECRET_KEY  # pylint: disable=import-error
from harness.integration_config import (  # pylint: disable=import-error
    CLOUD_VARIABLES, OPT_IN, PREFIX_PATTERN, ConfigError, cloud_config, emulator_config, new_prefix, write,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "integration.sh")
CLOUD_ENV = {
    "HW_ACCESS_KEY": "AKEXAMPLE", "HW_SECRET_KEY": "sk-example-secret", "HW_REGION_NAME": "cn-north-4",
    "HUAWEICLOUD_IT_VPC_ID": "vpc-1", "HUAWEICLOUD_IT_SUBNET_ID": "subnet-1", "HUAWEICLOUD_IT_SECURITY_GROUP_ID": "sg-1",
    "HUAWEICLOUD_IT_AVAILABILITY_ZONES": "cn-north-4a, cn-north-4b", "HUAWEICLOUD_IT_RDS_IDS": "rds-1,rds-2",
    "HUAWEICLOUD_IT_RDS_PASSWORD": "Rds-Passw0rd",
}


def script(args, env, tmp_path, timeout=600):
    """Run scripts/integration.sh with only ``env`` (and what any shell needs), its work files under tmp_path."""
    full_env = {"PATH": os.path.join(ROOT, ".venv", "bin") + os.pathsep + os.environ["PATH"], "HOME": os.environ["HOME"],
                "LANG": "C.UTF-8", "INTEGRATION_WORK": str(tmp_path / "work"), "ANSIBLE_NOCOLOR": "1"}
    full_env.update(env)
    return subprocess.run([SCRIPT] + args, env=full_env, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_each_run_has_its_own_prefix_of_the_family():
    prefixes = {new_prefix() for _attempt in range(20)}
    assert len(prefixes) == 20
    assert all(PREFIX_PATTERN.match(prefix) for prefix in prefixes)


def test_cloud_settings_come_from_the_environment():
    config = cloud_config(dict(CLOUD_ENV, **{OPT_IN: "yes"}), prefix="ait0a1b2c")
    assert config["huaweicloud_integration_mode"] == "cloud"
    assert config["huaweicloud_availability_zones"] == ["cn-north-4a", "cn-north-4b"]
    assert config["huaweicloud_data_node_ids"] == ["rds-1", "rds-2"]
    assert config["huaweicloud_data_node_user"] == "root"
    assert "huaweicloud_project_id" not in config and "huaweicloud_endpoint" not in config
    assert config["huaweicloud_resource_prefix"] == "ait0a1b2c"


@pytest.mark.parametrize("opt_in", [None, "", "no", "true", "YES"])
def test_cloud_mode_is_refused_without_the_exact_opt_in(opt_in):
    env = dict(CLOUD_ENV)
    if opt_in is not None:
        env[OPT_IN] = opt_in
    with pytest.raises(ConfigError, match="refusing to run against a real account.*Set HUAWEICLOUD_IT_BILLABLE=yes"):
        cloud_config(env)


def test_cloud_mode_names_every_missing_setting():
    env = {OPT_IN: "yes", "HW_ACCESS_KEY": "AKEXAMPLE"}
    with pytest.raises(ConfigError) as raised:
        cloud_config(env)
    required = [variable for _name, variable, needed, _meaning in CLOUD_VARIABLES if needed and variable not in env]
    assert required and all(variable in str(raised.value) for variable in required)
    assert "HW_ACCESS_KEY" not in str(raised.value)


def test_cloud_mode_needs_two_data_nodes():
    with pytest.raises(ConfigError, match="two RDS for MySQL"):
        cloud_config(dict(CLOUD_ENV, HUAWEICLOUD_IT_RDS_IDS="rds-1", **{OPT_IN: "yes"}))


def test_the_settings_file_is_private(tmp_path):
    path = write(emulator_config("http://127.0.0.1:1"), str(tmp_path / "integration_config.yml"))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path, encoding="utf-8") as handle:
        assert json.load(handle)["huaweicloud_endpoint"] == "http://127.0.0.1:1"


def test_the_script_refuses_a_cloud_run_without_opt_in_and_leaves_nothing(tmp_path):
    run = script(["cloud"], CLOUD_ENV, tmp_path)
    assert run.returncode != 0
    assert "Set HUAWEICLOUD_IT_BILLABLE=yes" in run.stderr, run.stderr
    # Refused before staging or calling ansible-test: no settings file with the keys anywhere.
    assert "ansible-test" not in run.stdout + run.stderr
    assert not os.path.exists(tmp_path / "work" / "cloud_config.yml")
    assert CLOUD_ENV["HW_SECRET_KEY"] not in run.stdout + run.stderr


def test_the_sweeper_refuses_a_prefix_that_is_not_a_runs(tmp_path):
    run = script(["sweep", "--yes", "prod"], {}, tmp_path)
    assert run.returncode != 0
    assert "'prod' is not the prefix of a run" in run.stderr
    assert not os.path.exists(tmp_path / "work" / "sweep")


def test_the_sweeper_deletes_only_what_runs_left_behind(tmp_path, emulator):
    emulator.instance_settings(delete_seconds=0)
    names = ["ait0f0f0f-instance", "ait123abc-schema", "aitzzzzzz-instance", "production-ait0f0f0f-db", "ait0f0f0f", "orders"]
    ids = {name: emulator.add_instance(name=name)["id"] for name in names}
    # A run's schema on a run's instance goes with its databases; any other schema is not the sweeper's.
    add_schema(emulator, ids["ait123abc-schema"], "ait123abc_orders")
    add_schema(emulator, ids["ait123abc-schema"], "customers")
    env = {"HW_DDM_ENDPOINT": emulator.url, "HW_AUTH_URL": emulator.url, "HW_ACCESS_KEY": ACCESS_KEY, "HW_SECRET_KEY": SECRET_KEY,
           "HW_REGION_NAME": REGION, "HW_PROJECT_ID": PROJECT_ID}

    listed = script(["sweep"], env, tmp_path)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "nothing was deleted (check mode)" in listed.stdout
    assert "ait0f0f0f-instance" in listed.stdout and "ait123abc-schema" in listed.stdout
    assert sorted(instance["name"] for instance in emulator.instances()) == sorted(names)

    assert "ait123abc_orders" in listed.stdout
    assert [entry for entry in emulator.api_requests("/databases") if entry["method"] == "DELETE"] == []  # check mode dropped nothing

    one_run = script(["sweep", "--yes", "ait123abc"], env, tmp_path)
    assert one_run.returncode == 0, one_run.stdout + one_run.stderr
    deletes = [(entry["path"].rsplit("/", 1)[1], entry["params"]) for entry in emulator.api_requests("/databases/") if entry["method"] == "DELETE"]
    assert deletes == [("ait123abc_orders", {"delete_dn_data": "true"})]
    assert sorted(instance["name"] for instance in emulator.instances()) == sorted(set(names) - {"ait123abc-schema"})

    every_run = script(["sweep", "--yes"], env, tmp_path)
    assert every_run.returncode == 0, every_run.stdout + every_run.stderr
    left = {instance["name"]: instance["id"] for instance in emulator.instances()}
    assert sorted(left) == sorted(["aitzzzzzz-instance", "production-ait0f0f0f-db", "ait0f0f0f", "orders"])
    assert all(left[name] == ids[name] for name in left)
