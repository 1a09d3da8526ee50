# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Progress lines, as the action plugins show them: the record's own line after the host, escaped and cut."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._ansible.progress import MAX_LINE, ProgressReporter
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.progress import group_record, instance_record, job_failed_record, job_record
from ansible_collections.huaweicloud.cloud.plugins.plugin_utils import progress as plugin_progress
from ansible_collections.huaweicloud.cloud.plugins.plugin_utils.progress import ProgressAction, format_progress


def test_the_line_is_shown_after_the_host():
    assert format_progress("db1", {"kind": "anything", "line": "DDM job j1 (CreateInstance): Running 60%, 95 s elapsed"}) == \
        "[db1] DDM job j1 (CreateInstance): Running 60%, 95 s elapsed"
    assert format_progress("db1", {"line": "no more progress lines (there were too many); the wait goes on, 3600 s elapsed"}) == \
        "[db1] no more progress lines (there were too many); the wait goes on, 3600 s elapsed"


def test_a_hostile_line_cannot_drive_the_terminal():
    """A progress file could hold anything: the plugin escapes what it shows, whatever the module did."""
    line = format_progress("db1", {"line": "Create\x1b[2J\x1b[H\x1b]0;owned\x07\nok: [localhost]\r\u202e"})
    assert line == "[db1] Create\\x1b[2J\\x1b[H\\x1b]0;owned\\x07\\nok: [localhost]\\r\\u202e"
    assert line.isprintable()


def test_an_escaped_line_is_shown_as_it_is():
    escaped = job_record("j1", {"id": "j1", "name": "x\x1b[2J", "status": "Running"}, 1)["line"]
    assert format_progress("db1", {"line": escaped}) == "[db1] DDM job j1 (x\\x1b[2J): Running, 1 s elapsed"  # not escaped twice


def test_an_overlong_line_is_cut():
    assert format_progress("db1", {"line": "n" * (10 * MAX_LINE)}) == "[db1] " + "n" * MAX_LINE + "..."
    line = format_progress("db1", {"line": "\x07" * 10 ** 6})
    assert line == "[db1] " + "\\x07" * (MAX_LINE // 4) + "..."


@pytest.mark.parametrize("record", [{"kind": "job", "id": "j1", "status": "Running", "elapsed": 1}, {"line": ""}, {"line": None}, {"line": 42},
                                    {"line": ["a"]}, {"line": {"a": "b"}}, ["line"], "line", 42, None],
                         ids=["no line", "empty", "null", "number", "list", "object", "a list", "a text", "a number", "null record"])
def test_a_record_without_a_line_is_not_shown(record):
    assert format_progress("db1", record) is None


def test_records_written_by_a_module_show_the_lines_users_know(tmp_path, monkeypatch):
    """The lines through the file and the plugin's reader, exactly as ansible-playbook shows them."""
    path = tmp_path / "progress"
    reporter = ProgressReporter(str(path))
    context = {"operation": {"name": "resize", "step": 1, "steps": 2}, "instance": {"id": "i1", "name": "ddm-a"}}
    job = {"id": "j1", "name": "CreateInstance", "status": "Running", "process": "60%"}
    reporter.write(job_record("j1", job, 95.4))
    reporter.write({"kind": "job", "id": "j2"})  # a record without a line (an older or a foreign writer): left out
    reporter.write(job_record("j1", None, 2))
    reporter.write(group_record({"total": 30, "completed": 12, "failed": {"Failed": 1}, "running": 17, "not_found": 0, "average": 55.2}, 140.4))
    reporter.write(job_failed_record(dict(job, status="Failed", instance={"id": "i1", "name": "ddm-a"}, fail_reason="No quota."), 95.4))
    reporter.write(instance_record({"id": "i1", "name": "ddm-a", "status": "RESIZING"}, "RUNNING", 3, **context))
    reporter.write(job_record("j3", dict(job, id="j3", name="ResizeFlavor", process="40%"), 12.2, **context))
    shown = []
    monkeypatch.setattr(plugin_progress.display, "display", shown.append)
    monkeypatch.setattr(plugin_progress, "controller_output_closed", lambda: False)
    stop = threading.Event()
    stop.set()  # the module has ended: the plugin reads what is there, once
    ProgressAction._show_progress(str(path), "db1", stop)  # pylint: disable=protected-access
    assert shown == [
        "[db1] DDM job j1 (CreateInstance): Running 60%, 95 s elapsed",
        "[db1] DDM job j1 (unnamed): not visible yet, 2 s elapsed",
        "[db1] DDM jobs: 12/30 Completed, 1 Failed, 17 running (avg 55%), 140 s elapsed",
        "[db1] DDM job j1 (CreateInstance) on instance ddm-a (i1) ended with status Failed, 95 s elapsed: No quota.",
        "[db1] DDM instance ddm-a (i1), resize (1 of 2): status RESIZING, waiting for RUNNING, 3 s elapsed",
        "[db1] DDM instance ddm-a (i1), resize (1 of 2): DDM job j3 (ResizeFlavor): Running 40%, 12 s elapsed",
    ]


def test_the_last_record_of_a_full_file_says_why_lines_stop(tmp_path, monkeypatch):
    path = tmp_path / "progress"
    reporter = ProgressReporter(str(path), max_bytes=1000)
    for poll in range(20):
        reporter.update(poll, job_record("j1", {"id": "j1", "name": "x" * 150, "status": "Running", "process": "%d%%" % poll}, 3600.2))
    shown = []
    monkeypatch.setattr(plugin_progress.display, "display", shown.append)
    monkeypatch.setattr(plugin_progress, "controller_output_closed", lambda: False)
    stop = threading.Event()
    stop.set()
    ProgressAction._show_progress(str(path), "db1", stop)  # pylint: disable=protected-access
    assert len(shown) >= 2 and all(line.startswith("[db1] DDM job j1 (xxx") for line in shown[:-1])
    assert shown[-1] == "[db1] no more progress lines (there were too many); the wait goes on, 3600 s elapsed"
