# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The progress side channel between the module and its action plugin."""

from __future__ import annotations

from ansible_collections.huaweicloud.cloud.plugins.module_utils.progress import PROGRESS_FILE_ENV, ProgressReporter, read_new_records


def test_reporter_writes_only_changes(tmp_path):
    path = tmp_path / "progress"
    reporter = ProgressReporter(str(path))
    for key, elapsed in ((("Running", "10%"), 0.0), (("Running", "10%"), 1.0), (("Running", "40%"), 3.0), (("Completed", ""), 7.0)):
        reporter.update(key, {"status": key[0], "process": key[1], "elapsed": elapsed})
    with open(path, encoding="utf-8") as handle:
        records = read_new_records(handle)
    assert [(r["status"], r["process"], r["elapsed"]) for r in records] == [("Running", "10%", 0.0), ("Running", "40%", 3.0), ("Completed", "", 7.0)]


def test_reporter_without_a_file_or_with_an_unwritable_one_is_silent(tmp_path, monkeypatch):
    monkeypatch.delenv(PROGRESS_FILE_ENV, raising=False)
    ProgressReporter.from_environment().update(("Running", "1%"), {})
    broken = ProgressReporter(str(tmp_path / "missing-dir" / "progress"))
    broken.update(("Running", "1%"), {})  # must not raise: progress never fails a wait
    broken.update(("Running", "2%"), {})
    assert not (tmp_path / "missing-dir").exists()
    # It gave up after the first failure instead of retrying on every poll.
    assert broken._path is None  # pylint: disable=protected-access


def test_partial_lines_wait_for_the_rest(tmp_path):
    path = tmp_path / "progress"
    path.write_text('{"status": "Running"}\n{"status": "Compl', encoding="utf-8")
    with open(path, encoding="utf-8") as handle:
        assert read_new_records(handle) == [{"status": "Running"}]
        with open(path, "a", encoding="utf-8") as writer:
            writer.write('eted"}\n')
        assert read_new_records(handle) == [{"status": "Completed"}]
        assert read_new_records(handle) == []
