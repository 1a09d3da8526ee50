# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The importer stage's judge (tests/harness/collection.py): galaxy-importer's config, and which outputs fail.

galaxy-importer itself runs in ``scripts/test.sh importer``; here a stand-in plays it.
"""

from __future__ import annotations

import configparser
import os
import stat

from harness import collection  # pylint: disable=import-error
from harness.__main__ import main as harness_main  # pylint: disable=import-error

CLEAN = """\
Importing with galaxy-importer 0.4.44
Getting doc strings via ansible-doc
Finding content inside collection
Loading module ddm_job_info
Linting module ddm_job_info via flake8...
Linting collection via ansible-lint 26.10.1...
...ansible-lint run complete
Collection loading complete
Importer processing completed successfully
"""
FLAKE8_WARNING = "WARNING: plugins/modules/ddm_job_info.py:429:17: W503 line break before binary operator"


def with_lines(text, after, *lines):
    return text.replace(after + "\n", after + "\n" + "".join(line + "\n" for line in lines))


def test_the_config_turns_flake8_on_and_ansible_test_off(tmp_path):
    parser = configparser.ConfigParser()
    parser.read_string(collection.importer_config(str(tmp_path)))
    # galaxy-importer reads booleans with getboolean, other values as strings.
    section = parser["galaxy-importer"]
    assert section.getboolean("RUN_ANSIBLE_TEST") is False
    assert section.getboolean("RUN_FLAKE8") is True
    assert section.getboolean("OFFLINE_ANSIBLE_LINT") is True
    assert section.getboolean("CHECK_CHANGELOG") is True
    assert section["TMP_ROOT_DIR"] == str(tmp_path)
    assert section["ANSIBLE_LOCAL_TMP"].startswith(str(tmp_path))


def test_a_clean_import_has_no_problem():
    assert not collection.importer_findings(CLEAN)
    assert not collection.importer_problems(0, CLEAN)


def test_every_warning_and_error_is_a_problem():
    output = with_lines(CLEAN, "Linting module ddm_job_info via flake8...", FLAKE8_WARNING)
    output = with_lines(output, "Finding content inside collection", "ERROR: Error in galaxy.yml: 'tags' is required", "  detail line")
    output = with_lines(output, "...ansible-lint run complete", "WARNING: meta/runtime.yml:1: meta-runtime[unsupported-version]")

    assert collection.importer_problems(0, output) == [
        "ERROR: Error in galaxy.yml: 'tags' is required",
        FLAKE8_WARNING,
        "WARNING: meta/runtime.yml:1: meta-runtime[unsupported-version]",
    ]


def test_a_failed_run_or_one_without_flake8_is_a_problem():
    failed = "Importing with galaxy-importer 0.4.44\nERROR: The import failed for the following reason: bad tarball\n"
    assert collection.importer_problems(1, failed) == [
        "ERROR: The import failed for the following reason: bad tarball",
        "galaxy-importer exited with 1",
        "galaxy-importer did not report 'Importer processing completed successfully'",
        "galaxy-importer ran no flake8 (is RUN_FLAKE8 honoured?)",
    ]
    no_flake8 = CLEAN.replace("Linting module ddm_job_info via flake8...\n", "")
    assert collection.importer_problems(0, no_flake8) == ["galaxy-importer ran no flake8 (is RUN_FLAKE8 honoured?)"]
    missing = with_lines(CLEAN, "Linting module ddm_job_info via flake8...", "WARNING: flake8 not found, skipping")
    assert collection.importer_problems(0, missing) == ["WARNING: flake8 not found, skipping"]


def stand_in(tmp_path, output):
    """A bin directory whose python plays galaxy-importer: it prints ``output`` if it was given a config and the tarball."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (tmp_path / "output.txt").write_text(output, encoding="utf-8")
    script = bin_dir / "python"
    script.write_text("#!/bin/sh\n"
                      '[ "$1 $2" = "-m galaxy_importer.main" ] && [ -f "$3" ] && grep -q "^RUN_FLAKE8 = True$" "$GALAXY_IMPORTER_CONFIG" '
                      '&& [ "$(pwd)" = "%s" ] || exit 3\n'
                      'cat "%s"\n' % (tmp_path / "work", tmp_path / "output.txt"), encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    tarball = tmp_path / "huaweicloud-cloud-1.0.0.tar.gz"
    tarball.write_bytes(b"")
    return ["importer", str(tarball), "--bin-dir", str(bin_dir), "--workdir", str(tmp_path / "work")]


def test_the_command_passes_a_clean_import(tmp_path, capsys):
    assert harness_main(stand_in(tmp_path, CLEAN)) == 0
    out = capsys.readouterr().out
    assert out.startswith(CLEAN)
    assert "huaweicloud-cloud-1.0.0.tar.gz imports without a warning" in out
    assert os.path.isfile(str(tmp_path / "work" / "galaxy-importer.cfg"))


def test_the_command_fails_on_a_warning(tmp_path, capsys):
    assert harness_main(stand_in(tmp_path, with_lines(CLEAN, "Linting module ddm_job_info via flake8...", FLAKE8_WARNING))) == 1
    err = capsys.readouterr().err
    assert "galaxy-importer: 1 problem(s) with huaweicloud-cloud-1.0.0.tar.gz:\n  " + FLAKE8_WARNING in err


def test_the_command_fails_without_a_tarball(tmp_path, capsys):
    assert harness_main(["importer", str(tmp_path / "none.tar.gz"), "--bin-dir", str(tmp_path), "--workdir", str(tmp_path / "w")]) == 1
    assert "no tarball at" in capsys.readouterr().err
