# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ddm_job_info action plugin's progress lines."""

from __future__ import annotations

from ansible_collections.huaweicloud.cloud.plugins.action.ddm_job_info import format_progress


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
