# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The matrix's claim check: tox-ansible.ini's pins and environments against requires_ansible and the docs."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import claims  # noqa: E402  pylint: disable=wrong-import-position,import-error

RELEASES = {"2.%d" % minor: "2.%d.1" % minor for minor in range(16, 22)}
ENVS = ["%s-py3.12-2.%d" % (kind, minor) for kind in claims.TEST_TYPES for minor in range(16, 22)]
STATED = "ansible-core 2.16 through 2.21 (`>=2.16.0,<2.22.0`): " + ", ".join(RELEASES.values())


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def claimed_tree(tmp_path, requires='">=2.16.0,<2.22.0"', docs_text=STATED):
    (tmp_path / "meta").mkdir()
    (tmp_path / "docs").mkdir()
    write(tmp_path / "meta" / "runtime.yml", "---\nrequires_ansible: %s\n" % requires)
    for doc in claims.CLAIM_DOCS:
        write(tmp_path / doc, docs_text)
    return str(tmp_path)


def test_the_repository_claims_what_its_full_label_tests():
    releases = claims.pinned_releases()
    assert sorted(releases, key=claims.minor_number) == ["2.16", "2.17", "2.18", "2.19", "2.20", "2.21"]
    # The full label's environments, as tox-ansible.ini spells them: every minor has all three kinds.
    envs = ["%s-py3.12-%s" % (kind, minor) for kind in claims.TEST_TYPES for minor in releases]
    assert claims.claim_problem(releases, envs) is None


def test_the_pins_are_read_from_the_ansible_core_section(tmp_path):
    ini = write(tmp_path / "tox.ini", "[testenv]\ncommands_pre =\n    2.16: echo x\n[ansible-core]\nrelease =\n    2.16: 2.16.19\n    2.17: 2.17.14\n")
    assert claims.pinned_releases(ini) == {"2.16": "2.16.19", "2.17": "2.17.14"}


@pytest.mark.parametrize("release", ["2.16: 2.17.1", "2.16: 2.16", "2.16 2.16.19", "stable-2.16: 2.16.19"])
def test_a_malformed_pin_is_refused(tmp_path, release):
    with pytest.raises(ValueError, match="cannot read"):
        claims.pinned_releases(write(tmp_path / "tox.ini", "[ansible-core]\nrelease =\n    %s\n" % release))


def test_no_pins_is_refused(tmp_path):
    with pytest.raises(ValueError, match="pins no ansible-core release"):
        claims.pinned_releases(write(tmp_path / "tox.ini", "[tox]\n"))


@pytest.mark.parametrize("requires, docs_text, problem", [
    ('">=2.16.0,<2.22.0"', STATED, None),
    ("'>=2.16.0,<2.22.0'", STATED, None),
    ('">=2.16.0"', STATED, "claims requires_ansible '>=2.16.0'"),
    ('">=2.15.0,<2.22.0"', STATED, "tests '>=2.16.0,<2.22.0'"),
    ('">=2.16.0,<2.22.0"', STATED.replace("<2.22.0", "<2.21.0"), "README.md must state requires_ansible '>=2.16.0,<2.22.0'"),
    ('">=2.16.0,<2.22.0"', STATED.replace(", 2.19.1", ""), "README.md must state requires_ansible '>=2.16.0,<2.22.0' and name the tested "
                                                           "releases (lacks 2.19.1)"),
    ('">=2.16.0,<2.22.0"', STATED.replace("2.19.1", "2.19.14"), "(lacks 2.19.1)"),
])
def test_the_claims_must_be_the_tested_range(tmp_path, requires, docs_text, problem):
    found = claims.claim_problem(RELEASES, ENVS, claimed_tree(tmp_path, requires, docs_text))
    assert found == problem if problem is None else problem in found


def test_a_gap_in_the_pinned_minors_is_a_problem(tmp_path):
    releases = {minor: release for minor, release in RELEASES.items() if minor != "2.18"}
    envs = [env for env in ENVS if not env.endswith("-2.18")]
    assert "skips a minor between 2.16 and 2.21" in claims.claim_problem(releases, envs, claimed_tree(tmp_path))


@pytest.mark.parametrize("envs, problem", [
    ([env for env in ENVS if env != "integration-py3.12-2.17"], "ansible-core 2.17 has no integration environment"),
    ([env for env in ENVS if not env.startswith("sanity-")], "ansible-core 2.16 has no sanity environment"),
    (ENVS + ["unit-py3.12-2.22"], "unit-py3.12-2.22 tests ansible-core 2.22, which tox-ansible.ini does not pin"),
    (ENVS + ["galaxy"], "'galaxy' is not a tox-ansible environment name"),
])
def test_every_pinned_minor_needs_every_kind_of_environment(tmp_path, envs, problem):
    assert problem in claims.claim_problem(RELEASES, envs, claimed_tree(tmp_path))
