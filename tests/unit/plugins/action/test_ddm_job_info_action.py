# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ddm_job_info action plugin's progress lines."""

from __future__ import annotations

from ansible_collections.huaweicloud.cloud.plugins.action.ddm_job_info import format_progress


def test_progress_line_format():
    record = {"id": "j1", "name": "CreateInstance", "status": "Running", "process": "60%", "elapsed": 95.4}
    assert format_progress("db1", record) == "[db1] DDM job j1 (CreateInstance): Running 60%, 95 s elapsed"
    assert format_progress("db1", dict(record, status="Completed", process="")) == "[db1] DDM job j1 (CreateInstance): Completed, 95 s elapsed"
