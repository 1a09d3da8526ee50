# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The progress side channel between the module and its action plugin, and the DDM records with their lines."""

from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._ansible.progress import (MAX_LINE, MAX_TEXT, PROGRESS_FILE_ENV, ProgressReporter,
                                                                                          quiet_record, read_new_records, shown)
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.progress import group_record, instance_record, job_failed_record, job_record

RESIZE = {"operation": {"name": "resize", "step": 1, "steps": 2}, "instance": {"id": "i1", "name": "ddm-a"}}


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
    record = job_failed_record({"id": "j1", "name": huge, "status": "Failed", "instance": {"id": "i1", "name": huge}, "fail_reason": huge},
                               2.0, operation={"name": huge, "step": 1, "steps": 2})
    ProgressReporter(str(path)).write(record)
    ProgressReporter(str(path)).write(group_record({"total": 2, "failed": {huge: 1}}, 3.0))
    with open(path, encoding="utf-8") as handle:
        failed, group = read_new_records(handle)
    cut = "n" * MAX_TEXT + "..."
    assert failed["name"] == failed["fail_reason"] == failed["instance"]["name"] == failed["operation"]["name"] == cut
    assert failed["operation"]["steps"] == 2 and group["failed"] == {cut: 1}
    # The line was rendered from the whole texts, each cut on its own, and is not cut to MAX_TEXT by the writer.
    assert failed["line"] == record["line"] and failed["line"].count(cut) == 5 and len(failed["line"]) > MAX_TEXT
    assert group["line"] == "DDM jobs: 0/2 Completed, 1 %s, 0 running, 3 s elapsed" % cut
    assert path.stat().st_size < 4000


def test_the_line_is_cut_to_its_own_bound_and_a_line_that_is_no_text_is_left_out(tmp_path):
    path = tmp_path / "progress"
    ProgressReporter(str(path)).write({"kind": "other", "line": "x" * (3 * MAX_LINE), "elapsed": 1})
    ProgressReporter(str(path)).write({"kind": "other", "line": {"x" * 500: "y" * 500}, "elapsed": 2})
    with open(path, encoding="utf-8") as handle:
        long, odd = read_new_records(handle)
    assert long["line"] == "x" * MAX_LINE + "..."
    assert "line" not in odd


def test_the_file_stops_growing_with_a_last_record_that_says_so(tmp_path):
    path = tmp_path / "progress"
    reporter = ProgressReporter(str(path), max_bytes=2000)
    for poll in range(100):
        reporter.update(poll, {"kind": "task", "id": "j1", "name": "x" * 500, "status": "Running", "process": "%d%%" % poll, "elapsed": poll})
    with open(path, encoding="utf-8") as handle:
        records = read_new_records(handle)
    assert path.stat().st_size <= 2000
    assert [record["kind"] for record in records] == ["task"] * (len(records) - 1) + ["quiet"] and len(records) >= 3
    assert records[-1]["line"] == "no more progress lines (there were too many); the wait goes on, %d s elapsed" % records[-1]["elapsed"]


def test_the_quiet_line_survives_an_odd_elapsed():
    assert quiet_record(3600.2)["line"] == "no more progress lines (there were too many); the wait goes on, 3600 s elapsed"
    for odd in (float("nan"), float("inf"), None, True, "7"):
        assert quiet_record(odd)["line"].endswith("the wait goes on, 0 s elapsed")


def test_shown_text_escapes_control_characters_and_is_cut():
    assert shown("Create\x1b[2J\x1b]0;owned\x07\r\nok: [db1] \u202e") == "Create\\x1b[2J\\x1b]0;owned\\x07\\r\\nok: [db1] \\u202e"
    assert shown(None) == "None" and shown(42) == "42"
    assert shown("n" * 201) == "n" * 200 + "..." and shown("n" * 200) == "n" * 200
    assert shown("\x07" * 10 ** 6) == "\\x07" * 50 + "..."  # cut after escaping: never more than the bound
    assert shown("x" * 5000, limit=10) == "x" * 10 + "..."


# The DDM records: the line of each kind is the sentence users see after "[host] ".

def test_a_job_line_says_its_status_and_process():
    job = {"id": "j1", "name": "CreateInstance", "status": "Running", "process": "60%"}
    record = job_record("j1", job, 95.4)
    assert record == {"kind": "job", "id": "j1", "name": "CreateInstance", "status": "Running", "process": "60%", "elapsed": 95.4,
                      "line": "DDM job j1 (CreateInstance): Running 60%, 95 s elapsed"}
    assert job_record("j1", dict(job, status="Completed", process=""), 95.6)["line"] == "DDM job j1 (CreateInstance): Completed, 96 s elapsed"
    assert job_record("j1", {"id": "j1", "status": "Running"}, 1)["line"] == "DDM job j1 (unnamed): Running, 1 s elapsed"


def test_a_job_not_visible_yet_says_so():
    record = job_record("j9", None, 4.2)
    assert record == {"kind": "job", "id": "j9", "status": "not visible yet", "elapsed": 4.2, "line": "DDM job j9 (unnamed): not visible yet, 4 s elapsed"}


def test_a_group_line_counts_jobs_by_outcome():
    summary = {"total": 30, "completed": 12, "failed": {"Failed": 1}, "running": 17, "not_found": 0, "average": 55.2}
    record = group_record(summary, 140.4)
    assert record == dict(summary, kind="group", elapsed=140.4, line="DDM jobs: 12/30 Completed, 1 Failed, 17 running (avg 55%), 140 s elapsed")
    summary.update(failed={"RollbackSuccess": 1, "Failed": 2}, running=12, not_found=3, average=None)
    assert group_record(summary, 140.4)["line"] == "DDM jobs: 12/30 Completed, 2 Failed, 1 RollbackSuccess, 12 running, 3 not visible yet, 140 s elapsed"


def test_a_group_line_survives_odd_counts():
    odd = {"failed": {"Fail\x1b[31med": 1}, "completed": "many", "total": True, "average": float("nan")}
    assert group_record(odd, float("inf"))["line"] == "DDM jobs: 0/0 Completed, 1 Fail\\x1b[31med, 0 running, 0 s elapsed"
    assert group_record({"running": 1, "average": 99.5, "failed": None}, 2)["line"] == "DDM jobs: 0/0 Completed, 1 running (avg 100%), 2 s elapsed"


def test_a_failed_job_line_names_the_job_its_instance_and_reason():
    job = {"id": "j1", "name": "CreateInstance", "status": "Failed", "instance": {"id": "i1", "name": "ddm-a"}, "fail_reason": "No quota."}
    record = job_failed_record(job, 95.4)
    assert record == dict(job, kind="job_failed", elapsed=95.4,
                          line="DDM job j1 (CreateInstance) on instance ddm-a (i1) ended with status Failed, 95 s elapsed: No quota.")
    bare = job_failed_record(dict(job, instance=None, fail_reason=None), 95.4)
    assert bare["line"] == "DDM job j1 (CreateInstance) ended with status Failed, 95 s elapsed"
    nameless = job_failed_record(dict(job, instance={"id": "i1"}, fail_reason=""), 1)
    assert nameless["line"] == "DDM job j1 (CreateInstance) on instance unnamed (i1) ended with status Failed, 1 s elapsed"
    assert job_failed_record(dict(job, instance={"name": "ddm-a"}), 1)["line"].startswith("DDM job j1 (CreateInstance) on instance ddm-a (no id) ended")


def test_an_instance_wait_line_says_the_status_and_the_one_awaited():
    record = instance_record({"id": "i1", "name": "ddm-a", "status": "RESIZING", "engine": "x"}, "RUNNING", 3.4)
    assert record == {"kind": "instance", "instance": {"id": "i1", "name": "ddm-a"}, "status": "RESIZING", "wanted": "RUNNING", "elapsed": 3.4,
                      "line": "DDM instance ddm-a (i1): status RESIZING, waiting for RUNNING, 3 s elapsed"}
    assert instance_record({}, "deleted", 1)["line"] == "DDM instance unnamed (no id): status unknown, waiting for deleted, 1 s elapsed"


def test_records_of_an_operation_say_what_they_are_for():
    job = {"id": "j1", "name": "ResizeFlavor", "status": "Running", "process": "40%"}
    record = job_record("j1", job, 12.2, **RESIZE)
    assert record["operation"] == RESIZE["operation"] and record["instance"] == RESIZE["instance"]
    assert record["line"] == "DDM instance ddm-a (i1), resize (1 of 2): DDM job j1 (ResizeFlavor): Running 40%, 12 s elapsed"
    waiting = instance_record({"id": "i1", "name": "ddm-a", "status": "RESIZING"}, "RUNNING", 3, operation=RESIZE["operation"])
    assert waiting["line"] == "DDM instance ddm-a (i1), resize (1 of 2): status RESIZING, waiting for RUNNING, 3 s elapsed"
    group = group_record({"total": 2, "completed": 1, "running": 1}, 5, **RESIZE)
    assert group["line"] == "DDM instance ddm-a (i1), resize (1 of 2): DDM jobs: 1/2 Completed, 1 running, 5 s elapsed"
    failed = job_failed_record(dict(job, status="Failed", instance={"id": "i1", "name": "ddm-a"}), 7, operation=RESIZE["operation"])
    assert failed["line"] == "DDM instance ddm-a (i1), resize (1 of 2): DDM job j1 (ResizeFlavor) on instance ddm-a (i1) ended with status Failed, 7 s elapsed"


def test_an_operation_of_one_step_shows_no_count_and_an_instance_without_an_id_says_so():
    one_step = job_record("j1", {"id": "j1", "name": "CreateInstance", "status": "Running"}, 1,
                          operation={"name": "create", "step": 1, "steps": 1}, instance={"name": "ddm-a"})
    assert one_step["line"] == "DDM instance ddm-a (no id yet), create: DDM job j1 (CreateInstance): Running, 1 s elapsed"
    odd_steps = job_record("j1", None, 1, operation={"name": "resize", "step": "one", "steps": 3}, instance=None)
    assert odd_steps["line"] == "DDM instance unnamed (no id yet), resize (0 of 3): DDM job j1 (unnamed): not visible yet, 1 s elapsed"


HOSTILE = "x\x1b[2J\x1b[H\x1b]0;owned\x07\r\nok: [localhost]\u202e"
HOSTILE_SHOWN = "x\\x1b[2J\\x1b[H\\x1b]0;owned\\x07\\r\\nok: [localhost]\\u202e"


@pytest.mark.parametrize("record", [
    job_record(HOSTILE, {"id": HOSTILE, "name": HOSTILE, "status": HOSTILE, "process": HOSTILE}, 1, operation={"name": HOSTILE, "steps": 2},
               instance={"id": HOSTILE, "name": HOSTILE}),
    group_record({"failed": {HOSTILE: 1}}, 1, operation={"name": HOSTILE}),
    job_failed_record({"id": HOSTILE, "name": HOSTILE, "status": HOSTILE, "instance": {"id": HOSTILE, "name": HOSTILE}, "fail_reason": HOSTILE}, 1),
    instance_record({"id": HOSTILE, "name": HOSTILE, "status": HOSTILE}, HOSTILE, 1),
], ids=["job", "group", "job_failed", "instance"])
def test_server_text_in_a_line_is_escaped(record):
    assert record["line"].isprintable() and HOSTILE_SHOWN in record["line"], record["line"]
    assert HOSTILE in record.values() or record["kind"] in ("group", "instance")  # the structured fields keep the text as it was


def test_the_line_of_a_failed_job_is_escaped_word_for_word():
    record = job_failed_record({"id": "j1", "name": "x\x1b[2J", "status": "Failed\n", "instance": {"name": "a\rb"}, "fail_reason": "\x07ok: [db1]"}, 1)
    assert record["line"] == "DDM job j1 (x\\x1b[2J) on instance a\\rb (no id) ended with status Failed\\n, 1 s elapsed: \\x07ok: [db1]"


def test_every_text_of_a_line_is_cut_so_the_line_stays_small():
    huge = "\x1b" * 10 ** 6
    record = job_failed_record({"id": huge, "name": huge, "status": huge, "instance": {"id": huge, "name": huge}, "fail_reason": huge}, 1e300,
                               operation={"name": huge, "step": 10 ** 6, "steps": 10 ** 6})
    cut = "\\x1b" * 50 + "..."
    assert record["line"].count(cut) == 9 and record["line"].isprintable()
    assert len(record["line"]) < 2400 < MAX_LINE
    for name, cut in (("\x07" * 10 ** 6, "\\x07" * 50 + "..."), ("n" * 5000, "n" * 200 + "...")):
        assert job_record("j1", {"id": "j1", "name": name, "status": "Running"}, 1)["line"] == "DDM job j1 (%s): Running, 1 s elapsed" % cut
