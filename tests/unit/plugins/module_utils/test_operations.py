# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""InstanceOperator on a scripted instance API and a simulated clock: busy retries, status waits and read-backs,
all through the one polling loop."""

from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._ansible.progress import ProgressReporter, read_new_records
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.deadline import Deadline
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import DeadlineExceeded, OperationFailed, ResourceBusy
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.operations import InstanceOperator, Operation, settled

RUNNING = dict(id="i1", name="ddm-a", status="RUNNING")
OPERATION = Operation("resize", dict(id="i1", name="ddm-a"), 1, 2)


class ScriptedInstances:
    """Stands in for DdmInstances: get() and find_by_name() answer from scripts (the last entry repeats), on the clock."""

    def __init__(self, states=(RUNNING,), named=((),)):
        self.states = list(states)
        self.named = [list(found) for found in named]
        self.reads = 0

    def get(self, instance_id):  # pylint: disable=unused-argument
        self.reads += 1
        return self.states.pop(0) if len(self.states) > 1 else self.states[0]

    def find_by_name(self, name):  # pylint: disable=unused-argument
        return (self.named.pop(0) if len(self.named) > 1 else self.named[0]), None


class Writes:
    """A write that answers from a script: an exception is raised, anything else returned."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent = 0

    def __call__(self):
        self.sent += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def operator(clock, api, seconds=60, interval=None, reporter=None, jobs=None):
    warnings = []
    made = InstanceOperator(api, jobs, Deadline(seconds, clock), interval, warnings.append, reporter or ProgressReporter(None),
                            clock=clock, sleep=clock.sleep)
    return made, warnings


BUSY = ResourceBusy("HTTP 409 DBS.200019: Another operation is being performed.")


def test_a_write_refused_as_busy_is_sent_again_once_the_instance_settles(clock):
    api = ScriptedInstances([dict(RUNNING, status="RESIZING"), RUNNING])
    ops, warnings = operator(clock, api)
    write = Writes(BUSY, {"job_id": "j2"})
    assert ops.send(RUNNING, write, True, OPERATION) == {"job_id": "j2"}
    assert write.sent == 2 and api.reads == 2 and warnings == []
    # One steady pause of the interval before looking at the status, then the status wait's own schedule.
    assert clock.sleeps == [5, 1.0]


def test_a_write_that_answers_nothing_is_not_taken_for_a_refusal(clock):
    ops, _warnings = operator(clock, ScriptedInstances())
    write = Writes(None)
    assert ops.send(RUNNING, write, True, OPERATION) is None and write.sent == 1 and clock.sleeps == []


def test_without_wait_a_busy_instance_fails_naming_its_status(clock):
    api = ScriptedInstances([dict(RUNNING, status="RESIZING")])
    ops, _warnings = operator(clock, api)
    with pytest.raises(OperationFailed) as info:
        ops.send(RUNNING, Writes(BUSY), False, OPERATION)
    assert str(info.value) == ("DDM instance ddm-a (i1) is busy (HTTP 409 DBS.200019: Another operation is being performed., status RESIZING); "
                               "set wait: true to wait for the other operation to end")
    assert info.value.resource["status"] == "RESIZING" and clock.sleeps == []


def test_an_instance_that_stays_busy_fails_at_the_deadline(clock):
    ops, _warnings = operator(clock, ScriptedInstances(), seconds=12)
    write = Writes(*[BUSY] * 10)
    with pytest.raises(OperationFailed, match=r"^DDM instance ddm-a \(i1\) stayed busy until the deadline: HTTP 409"):
        ops.send(RUNNING, write, True, OPERATION)
    # At 0, 5 and 10 s (a steady cadence), and at 11 s: the last attempt leaves a second for its answer.
    assert clock.sleeps == [5, 5, 1] and write.sent == 4


def test_a_resent_write_refused_by_its_own_operation_is_not_sent_a_third_time(clock):
    api = ScriptedInstances([dict(RUNNING, status="RESIZING"), dict(RUNNING, flavor_ref="large")])
    ops, warnings = operator(clock, api)
    write = Writes(BUSY)
    assert ops.send(RUNNING, write, True, OPERATION, done=lambda current: current["flavor_ref"] == "large") == {}
    assert write.sent == 1 and warnings == [
        "DDM instance ddm-a (i1) was already as asked once the operation under way on it ended: an earlier attempt of the request, whose answer "
        "was lost, did it; not sent again"]


def test_a_write_that_reaches_the_deadline_fails_as_a_timeout_of_the_run(clock):
    ops, _warnings = operator(clock, ScriptedInstances())
    stalled = DeadlineExceeded("PUT x: no complete answer before the deadline")
    with pytest.raises(DeadlineExceeded) as info:
        ops.send(RUNNING, Writes(stalled), True, OPERATION)
    assert info.value is stalled


def test_a_status_wait_reports_progress_with_the_operation_it_serves(clock, tmp_path):
    path = tmp_path / "progress"
    api = ScriptedInstances([dict(RUNNING, status="RESIZING"), dict(RUNNING, status="RESIZING"), RUNNING])
    ops, _warnings = operator(clock, api, reporter=ProgressReporter(str(path)))
    assert ops.wait_until_settled(dict(RUNNING, status="RESIZING"), True, OPERATION) == RUNNING
    with open(path, encoding="utf-8") as handle:
        records = read_new_records(handle)
    assert [(record["kind"], record["status"], record["operation"]) for record in records] == [
        ("instance", "RESIZING", dict(name="resize", step=1, steps=2)), ("instance", "RUNNING", dict(name="resize", step=1, steps=2))]
    assert records[0]["instance"] == dict(id="i1", name="ddm-a") and records[0]["wanted"] == "RUNNING"


def test_a_status_wait_fails_at_the_deadline_with_the_last_status(clock):
    ops, _warnings = operator(clock, ScriptedInstances([dict(RUNNING, status="RESIZING")]), seconds=10)
    with pytest.raises(OperationFailed, match=r"^Timed out after 10 s waiting for DDM instance ddm-a \(i1\) to be RUNNING: its status is still "
                                              r"RESIZING$"):
        ops.wait_for_status(RUNNING, settled, "RUNNING", OPERATION)
    assert clock.now - 100.0 <= 10.0


def test_a_deadline_that_passes_in_a_status_read_is_reported_as_a_deadline_never_as_the_instance_gone(clock):
    """The read that the deadline cut off has no answer: a delete must not take it for "gone", a wait not for "settled"."""
    class Stalls(ScriptedInstances):
        def get(self, instance_id):
            raise DeadlineExceeded("GET x: no complete answer before the deadline")

    ops, warnings = operator(clock, Stalls(), seconds=10)
    for done in (settled, lambda current: current is None):
        with pytest.raises(OperationFailed) as info:
            ops.wait_for_status(RUNNING, done, "deleted", OPERATION)
        assert str(info.value).startswith("Timed out after 10 s waiting for DDM instance ddm-a (i1) to be deleted: its status is still RUNNING")
        assert "no complete answer before the deadline" in str(info.value) and info.value.resource == RUNNING
    ops, warnings = operator(clock, Stalls(), seconds=10)
    with pytest.raises(OperationFailed, match="^Timed out"):
        ops.send(RUNNING, Writes(BUSY), True, OPERATION, done=lambda current: current is None)
    assert warnings == []
