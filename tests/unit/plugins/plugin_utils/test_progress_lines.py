# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Progress lines, as the action plugins show them."""

from __future__ import annotations

from ansible_collections.huaweicloud.cloud.plugins.plugin_utils.progress import format_progress


def test_progress_line_format():
    record = {"id": "j1", "name": "CreateInstance", "status": "Running", "process": "60%", "elapsed": 95.4}
    assert format_progress("db1", record) == "[db1] DDM job j1 (CreateInstance): Running 60%, 95 s elapsed"
    assert format_progress("db1", dict(record, status="Completed", process="")) == "[db1] DDM job j1 (CreateInstance): Completed, 95 s elapsed"


def test_server_text_is_escaped_so_it_cannot_drive_the_terminal():
    record = {"id": "j1\x1b]0;owned\x07", "name": "Create\x1b[2J\x1b[H\nok: [localhost]", "status": "Running\r", "process": "6\u202e0%",
              "elapsed": "NaN"}
    line = format_progress("db1", record)
    assert all(char.isprintable() for char in line)
    assert line == ("[db1] DDM job j1\\x1b]0;owned\\x07 (Create\\x1b[2J\\x1b[H\\nok: [localhost]): Running\\r 6\\u202e0%, 0 s elapsed")


def test_overlong_server_text_is_cut():
    line = format_progress("db1", {"id": "j1", "name": "n" * 5000, "status": "Running", "elapsed": 1})
    assert len(line) < 300


def test_group_line_counts_tasks_by_outcome():
    record = {"kind": "group", "total": 30, "completed": 12, "failed": {"Failed": 1}, "running": 17, "not_found": 0, "average": 55.2, "elapsed": 140.4}
    assert format_progress("localhost", record) == "[localhost] DDM jobs: 12/30 Completed, 1 Failed, 17 running (avg 55%), 140 s elapsed"
    record.update(failed={"RollbackSuccess": 1, "Failed": 2}, running=12, not_found=3, average=None)
    assert format_progress("localhost", record) == ("[localhost] DDM jobs: 12/30 Completed, 2 Failed, 1 RollbackSuccess, 12 running, "
                                                    "3 not visible yet, 140 s elapsed")


def test_failed_task_line_names_the_task_its_instance_and_reason():
    record = {"kind": "job_failed", "id": "j1", "name": "CreateInstance", "status": "Failed", "instance": {"id": "i1", "name": "ddm-a"},
              "fail_reason": "No quota.", "elapsed": 95.4}
    assert format_progress("db1", record) == "[db1] DDM job j1 (CreateInstance) on instance ddm-a (i1) ended with status Failed, 95 s elapsed: No quota."
    assert format_progress("db1", dict(record, instance=None, fail_reason=None)) == "[db1] DDM job j1 (CreateInstance) ended with status Failed, 95 s elapsed"


def test_group_and_failure_lines_escape_server_text_and_survive_odd_records():
    failure = {"kind": "job_failed", "id": "j1", "name": "x\x1b[2J", "status": "Failed\n", "instance": {"name": "a\rb"}, "fail_reason": "\x07ok: [db1]"}
    group = {"kind": "group", "failed": {"Fail\x1b[31med": 1}, "completed": "many", "total": True, "average": float("nan"), "elapsed": float("inf")}
    for record in (failure, group):
        line = format_progress("db1", record)
        assert all(char.isprintable() for char in line), line
    assert format_progress("db1", group) == "[db1] DDM jobs: 0/0 Completed, 1 Fail\\x1b[31med, 0 running, 0 s elapsed"


def test_records_of_an_instance_operation_say_what_they_are_for():
    context = {"operation": {"name": "resize", "step": 1, "steps": 2}, "instance": {"id": "i1", "name": "ddm-a"}}
    task = dict(context, kind="task", id="j1", name="ResizeFlavor", status="Running", process="40%", elapsed=12.2)
    assert format_progress("db1", task) == "[db1] DDM instance ddm-a (i1), resize (1 of 2): DDM job j1 (ResizeFlavor): Running 40%, 12 s elapsed"
    waiting = dict(context, kind="instance", status="RESIZING", wanted="RUNNING", elapsed=3)
    assert format_progress("db1", waiting) == "[db1] DDM instance ddm-a (i1), resize (1 of 2): status RESIZING, waiting for RUNNING, 3 s elapsed"
    single = {"kind": "instance", "instance": {"id": "i1", "name": "x\x1b[2J"}, "status": "DELETING", "wanted": "deleted", "elapsed": 1}
    assert format_progress("db1", single) == "[db1] DDM instance x\\x1b[2J (i1): status DELETING, waiting for deleted, 1 s elapsed"
    one_step = dict(task, operation={"name": "create", "step": 1, "steps": 1}, instance={"name": "ddm-a"})
    assert format_progress("db1", one_step).startswith("[db1] DDM instance ddm-a (no id yet), create: DDM job j1")


def test_cut_text_says_so_and_a_full_progress_file_says_why_lines_stop():
    line = format_progress("db1", {"id": "j1", "name": "\x07" * 10 ** 6, "status": "Running", "elapsed": 1})
    assert line == "[db1] DDM job j1 (%s...): Running, 1 s elapsed" % ("\\x07" * 50)
    assert format_progress("db1", {"kind": "quiet", "elapsed": 3600.2}) == \
        "[db1] no more progress lines (there were too many); the wait goes on, 3600 s elapsed"
