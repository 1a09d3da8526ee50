# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The progress side channel between the module and its action plugin."""

from __future__ import annotations

from ansible_collections.huaweicloud.cloud.plugins.module_utils._ansible.progress import (MAX_TEXT, PROGRESS_FILE_ENV, ProgressReporter, group_record,
                                                                                 read_new_records, task_failed_record)


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


def test_every_text_of_a_record_is_bounded_before_it_is_written(tmp_path):
    path = tmp_path / "progress"
    huge = "n" * (6 * 1024 * 1024)
    record = task_failed_record({"id": "j1", "name": huge, "status": "Failed", "instance": {"id": "i1", "name": huge}, "fail_reason": huge},
                                2.0, operation={"name": huge, "step": 1, "steps": 2})
    ProgressReporter(str(path)).write(record)
    ProgressReporter(str(path)).write(group_record({"total": 2, "failed": {huge: 1}}, 3.0))
    with open(path, encoding="utf-8") as handle:
        failed, group = read_new_records(handle)
    cut = "n" * MAX_TEXT + "..."
    assert failed["name"] == failed["fail_reason"] == failed["instance"]["name"] == failed["operation"]["name"] == cut
    assert failed["operation"]["steps"] == 2 and group["failed"] == {cut: 1}
    assert path.stat().st_size < 2000


def test_the_file_stops_growing_with_a_last_record_that_says_so(tmp_path):
    path = tmp_path / "progress"
    reporter = ProgressReporter(str(path), max_bytes=2000)
    for poll in range(100):
        reporter.update(poll, {"kind": "task", "id": "j1", "name": "x" * 500, "status": "Running", "process": "%d%%" % poll, "elapsed": poll})
    with open(path, encoding="utf-8") as handle:
        records = read_new_records(handle)
    assert path.stat().st_size <= 2000
    assert [record["kind"] for record in records] == ["task"] * (len(records) - 1) + ["quiet"] and len(records) >= 3
