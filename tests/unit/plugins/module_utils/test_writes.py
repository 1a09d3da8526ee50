# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WriteSender on scripted HTTP answers: a write sent once, unclear outcomes read back, tasks adopted only with proof, orders refused."""

from __future__ import annotations

import datetime
import types

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.deadline import Deadline
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import APIError, OperationFailed, OutcomeUnknown, TransportError
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.instances import DdmInstances
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.jobs import DdmJobs
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.writes import NOT_APPLIED, WriteSender

ENDPOINT = "https://ddm.example.invalid"
DATE = {"Date": "Sat, 28 Nov 2026 10:00:00 GMT"}
SENT = datetime.datetime(2026, 11, 28, 10, 0, tzinfo=datetime.timezone.utc)
CREATE = {"name": "ddm-a"}
ITEM = {"id": "i1", "name": "ddm-a", "status": "CREATING"}


def listed(*items):
    return {"instances": list(items), "total_record": len(items)}


def job(job_id, name, instance_id, created):
    return {"id": job_id, "name": name, "status": "Running", "instance_id": instance_id, "created_time": created}


def setup(http, clock, *answers, seconds=60):
    session = http.Session(*answers)
    client, _sleeps = http.client(session, clock=clock, max_retries=2)
    module = types.SimpleNamespace(result={}, changed=False, deadline=Deadline(seconds, clock), params={"wait_interval": 2}, client=client,
                                   clock=clock, sleep=clock.sleep)
    return WriteSender(module, DdmJobs(client, ENDPOINT)), DdmInstances(client, ENDPOINT), module, session


@pytest.mark.parametrize("garbled", [dict(text="<html><title>Request accepted</title></html>"), dict(text='{"id": "i1", "job'),
                                     dict(body={"id": ["i1"], "job_id": 7}), dict(text="")])
def test_an_unreadable_2xx_after_a_create_is_read_back_and_the_id_recorded_first(http, clock, garbled):
    sender, api, module, session = setup(http, clock, http.answer(202, **garbled), http.answer(200, listed(ITEM)))
    recorded = []
    sent = sender.send("create", lambda: api.create(CREATE), look=lambda: api.find_by_name("ddm-a")[0], record=recorded.append,
                       check="the instances named ddm-a")
    assert sent.found == [ITEM] and recorded == [[ITEM]] and sent.answer is None
    assert module.result["actions"] == ["create"] and module.changed is True
    assert [entry["method"] for entry in session.sent] == ["POST", "GET"]


def test_a_read_back_keeps_trying_through_errors_then_says_it_cannot_tell(http, clock):
    failing = [http.answer(500, {"error_code": "DBS.280001", "error_msg": "Parameter error"})] * 20
    sender, api, _module, session = setup(http, clock, http.answer(504, text=""), *failing, seconds=20)
    with pytest.raises(OperationFailed) as info:
        sender.send("create", lambda: api.create(CREATE), what="create DDM instance ddm-a", look=lambda: api.find_by_name("ddm-a")[0],
                    check="the instances named ddm-a")
    message = str(info.value)
    assert message.startswith("The request to create DDM instance ddm-a got no clear answer (HTTP 504")
    assert "it may or may not have been applied" in message and "nothing showed it within 20 s" in message
    assert "the last read-back failed: HTTP 500 DBS.280001" in message and "check the instances named ddm-a" in message
    assert [entry["method"] for entry in session.sent].count("POST") == 1 and len(session.sent) > 3


def test_a_deadline_leaves_no_read_back_and_says_so(http, clock):
    sender, api, _module, _session = setup(http, clock, http.answer(502, text=""), seconds=60)
    sender.module.deadline = Deadline(0, clock)
    with pytest.raises(OperationFailed, match="may or may not have been applied; the run's deadline \\(wait_timeout\\) left no time"):
        sender.send("create", lambda: api.create(CREATE), look=lambda: api.find_by_name("ddm-a")[0], check="x")


def test_an_order_in_any_answer_fails_naming_it(http, clock):
    sender, api, module, _session = setup(http, clock, http.answer(200, {"order_id": "CS24"}))
    with pytest.raises(OperationFailed, match="DDM answered resize DDM instance x with order CS24: a yearly/monthly order"):
        sender.send("resize", lambda: api.resize("i1", "big"), what="resize DDM instance x")
    assert module.result["actions"] == ["resize"]


def test_a_write_refused_with_a_4xx_changes_nothing(http, clock):
    sender, api, module, _session = setup(http, clock, http.answer(400, {"error_code": "DBS.280001", "error_msg": "bad"}))
    with pytest.raises(APIError):
        sender.send("resize", lambda: api.resize("i1", "big"))
    assert module.result["actions"] == [] and module.changed is False


class Script:
    """Stands in for a write or a look: answers from a list (an exception is raised), counting the calls."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


LOST = OutcomeUnknown(TransportError("POST ...: connection reset"))


def test_a_write_the_read_back_shows_not_applied_is_sent_once_more_only_with_resend(http, clock):
    sender, _api, module, _session = setup(http, clock)
    write, look = Script(LOST, {}), Script(NOT_APPLIED)
    sent = sender.send("create", write, look=look, resend=True, check="the account list")
    assert sent.answer == {} and (write.calls, look.calls) == (2, 1) and module.result["actions"] == ["create"]
    write, look = Script(LOST, LOST), Script(NOT_APPLIED, NOT_APPLIED)
    with pytest.raises(OperationFailed, match=r"The request to create got no clear answer \(POST ...: connection reset\) twice, and the account "
                                              r"list does not show it applied; run the task again"):
        sender.send("create", write, look=look, resend=True, check="the account list")
    assert write.calls == 2
    write, look = Script(LOST), Script(NOT_APPLIED)
    with pytest.raises(OperationFailed, match="no clear answer .*, and the account list does not show it applied"):
        sender.send("delete", write, look=look, check="the account list")
    assert write.calls == 1


def test_a_task_is_adopted_only_when_new_of_the_right_name_and_instance(http, clock):
    older = job("j0", "EnlargeNode", "i1", "2026-11-28T09:59:00Z")  # the previous run's, a minute earlier
    seen = job("j1", "EnlargeNode", "i1", "2026-11-28T10:00:02Z")  # listed before the write
    other = job("j2", "EnlargeNode", "i2", "2026-11-28T10:00:03Z")
    wrong = job("j3", "ReduceNode", "i1", "2026-11-28T10:00:03Z")
    ours = job("j4", "EnlargeNode", "i1", "2026-11-28T10:00:04Z")
    page = {"jobs": [older, seen, other, wrong], "total": 4}
    sender, _api, _module, _session = setup(http, clock, http.answer(200, page, headers=DATE),
                                            http.answer(200, dict(page, jobs=page["jobs"] + [ours], total=5)))
    assert sender.adopt_job(("EnlargeNode",), "i1", SENT, {"j1"}) is None
    assert sender.adopt_job(("EnlargeNode",), "i1", SENT, {"j1"})["id"] == "j4"


def test_the_server_clock_comes_from_its_date_header(http, clock):
    sender, api, _module, _session = setup(http, clock, http.answer(200, listed(), headers=DATE))
    api.find_by_name("x")
    assert abs((sender.server_now() - SENT).total_seconds()) < 5


def test_an_adopted_task_whose_instance_is_not_as_asked_cannot_tell():
    with pytest.raises(OperationFailed, match="task j4 was found for it and ended, but the result is not as asked: the request may or may not"):
        WriteSender.confirm(False, "add nodes to x", "j4", "the node count of x")
    WriteSender.confirm(True, "add nodes to x", "j4", "the node count of x")
