# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The matrix's own logic: its pin file, the claim check, finding Pythons and reusing venvs."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import run as matrix  # noqa: E402  pylint: disable=wrong-import-position,import-error
import venvs  # noqa: E402  pylint: disable=wrong-import-position,import-error

ROWS = [("2.%d.1" % minor, "3.12") for minor in range(16, 22)]
THIS_PYTHON = "%d.%d" % sys.version_info[:2]


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_pin_file_reads_and_matches_the_claim():
    rows, target = matrix.read_versions()
    assert target == "3.10"
    assert [matrix.minor(core) for core, _python in rows] == ["2.16", "2.17", "2.18", "2.19", "2.20", "2.21"]
    assert matrix.claim_problem(rows) is None


@pytest.mark.parametrize("text", ["2.16.19 3.12\n", "target 3.10\n", "2.16 3.12\ntarget 3.10\n", "2.16.19 py3.12\ntarget 3.10\n",
                                  "2.16.19\ntarget 3.10\n"])
def test_a_malformed_pin_file_is_refused(tmp_path, text):
    with pytest.raises(ValueError):
        matrix.read_versions(write(tmp_path / "versions.txt", text))


def test_comments_and_blank_lines_are_ignored(tmp_path):
    rows, target = matrix.read_versions(write(tmp_path / "versions.txt", "# pins\n\n2.16.19  3.12  # newest 2.16\ntarget 3.10\n"))
    assert rows == [("2.16.19", "3.12")] and target == "3.10"


def claimed_tree(tmp_path, requires, docs_text):
    (tmp_path / "meta").mkdir()
    (tmp_path / "docs").mkdir()
    write(tmp_path / "meta" / "runtime.yml", "---\nrequires_ansible: %s\n" % requires)
    for doc in matrix.CLAIM_DOCS:
        write(tmp_path / doc, docs_text)
    return str(tmp_path)


STATED = "ansible-core 2.16 through 2.21 (`>=2.16.0,<2.22.0`): " + ", ".join(core for core, _python in ROWS)


@pytest.mark.parametrize("requires, docs_text, problem", [
    ('">=2.16.0,<2.22.0"', STATED, None),
    ("'>=2.16.0,<2.22.0'", STATED, None),
    ('">=2.16.0"', STATED, "claims requires_ansible '>=2.16.0'"),
    ('">=2.15.0,<2.22.0"', STATED, "tests '>=2.16.0,<2.22.0'"),
    ('">=2.16.0,<2.22.0"', STATED.replace("<2.22.0", "<2.21.0"), "README.md must state requires_ansible '>=2.16.0,<2.22.0'"),
    ('">=2.16.0,<2.22.0"', STATED.replace(", 2.19.1", ""), "README.md must state requires_ansible '>=2.16.0,<2.22.0' and name the tested "
                                                           "versions (lacks 2.19.1)"),
    ('">=2.16.0,<2.22.0"', STATED.replace("2.19.1", "2.19.14"), "(lacks 2.19.1)"),
])
def test_the_claims_must_be_the_tested_range(tmp_path, requires, docs_text, problem):
    found = matrix.claim_problem(ROWS, claimed_tree(tmp_path, requires, docs_text))
    assert found == problem if problem is None else problem in found


def test_a_gap_in_the_tested_minors_is_a_problem(tmp_path):
    root = claimed_tree(tmp_path, '">=2.16.0,<2.22.0"', STATED)
    assert "skips a minor" in matrix.claim_problem([row for row in ROWS if row[0] != "2.18.1"], root)


def test_a_missing_python_is_named_with_a_remedy(tmp_path, monkeypatch):
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(venvs.MissingPython, match=r"Python 3\.99 is not on this machine.*pyenv install 3\.99"):
        venvs.find_python("3.99")


def test_a_pyenv_python_is_found_when_path_has_none(tmp_path, monkeypatch):
    bin_dir = tmp_path / "versions" / ("%s.%d" % (THIS_PYTHON, sys.version_info[2])) / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / ("python" + THIS_PYTHON)).symlink_to(sys.executable)
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert venvs.find_python(THIS_PYTHON) == str(bin_dir / ("python" + THIS_PYTHON))


def test_a_venv_is_reused_until_its_requirements_change(tmp_path, monkeypatch):
    monkeypatch.setattr(venvs, "CACHE", str(tmp_path / "cache"))
    requirements = write(tmp_path / "requirements.txt", "# nothing yet\n")
    first, created = venvs.cached_venv(sys.executable, ["-r", requirements], "demo", requirement_files=[requirements])
    assert created and os.path.isfile(os.path.join(first.path, venvs.COMPLETE))
    assert first.version.startswith(THIS_PYTHON + ".")
    again, created = venvs.cached_venv(sys.executable, ["-r", requirements], "demo", requirement_files=[requirements])
    assert not created and again.path == first.path
    write(tmp_path / "requirements.txt", "# still nothing, but another pin set\n")
    changed, created = venvs.cached_venv(sys.executable, ["-r", requirements], "demo", requirement_files=[requirements])
    assert created and changed.path != first.path
    # The stale venv of the same name is gone: the cache holds one per name.
    assert not os.path.exists(first.path)


def test_an_interrupted_venv_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setattr(venvs, "CACHE", str(tmp_path / "cache"))
    requirements = write(tmp_path / "requirements.txt", "")
    venv, _created = venvs.cached_venv(sys.executable, ["-r", requirements], "demo", requirement_files=[requirements])
    os.unlink(os.path.join(venv.path, venvs.COMPLETE))
    rebuilt, created = venvs.cached_venv(sys.executable, ["-r", requirements], "demo", requirement_files=[requirements])
    assert created and rebuilt.path == venv.path and os.path.isfile(os.path.join(venv.path, venvs.COMPLETE))


def test_the_table_shows_each_check_and_where_it_ran():
    good = matrix.Outcome("2.21.5", "3.13")
    good.controller, good.venv, good.seconds = "3.13.0", "reused 0 s", 7.5
    good.results = {check: "pass" for check in matrix.CHECKS}
    missing = matrix.Outcome("2.16.19", "3.12")
    missing.fail_all("MISSING", "Python 3.12 is not on this machine")
    lines = matrix.table([good, missing], "3.10.13").splitlines()
    assert lines[0].split() == ["ansible-core", "controller", "target", "venv"] + list(matrix.CHECKS) + ["checks", "(s)"]
    assert lines[1].split() == ["2.21.5", "Python", "3.13.0", "Python", "3.10.13", "reused", "0", "s"] + ["pass"] * 5 + ["7.5"]
    assert lines[2].split()[:3] == ["2.16.19", "Python", "3.12"] and lines[2].count("MISSING") == 5
    assert good.passed and not missing.passed
