# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the emulator does to break write safety on the DDM instance calls: a transient 404 for an instance the list shows,
list pages that repeat an instance, applied writes answered with an unreadable 2xx, a prepaid instance that hides its order,
and standing latencies that let concurrent creators race."""

from __future__ import annotations

import json
import threading

import pytest

from harness.emulator import EmulatorError, PROJECT_ID
from instance_calls import (FAST, add_latency, api, assert_error, clear_latency, create_body, list_repeat, not_found, order_id_shown,
                            running, show, shown, wait_for)


LIST = ("v1", "instances")
LIST_PATH = "/v1/%s/instances" % PROJECT_ID


def listed_ids(emulator, **params):
    body = api(emulator, "GET", LIST, params=params).json()
    return [item["id"] for item in body["instances"]], body


# ----------------------------------------------------------------------------- a transient 404

def test_show_answers_404_a_few_times_for_an_instance_the_list_shows(emulator):
    instance_id = running(emulator)
    unknown = show(emulator, "no-such-instance")
    assert not_found(emulator, instance_id, count=2)["not_found"] == {"show": 2}
    for _attempt in range(2):
        missing = show(emulator, instance_id)
        # The very answer of an instance that does not exist, in the v1 shape.
        assert_error(missing, 404, "DBS.200002", "v1")
        assert missing.json() == unknown.json() == {"errCode": "DBS.200002", "externalMessage": "The DB instance does not exist."}
        assert listed_ids(emulator)[0] == [instance_id]
    assert shown(emulator, instance_id)["id"] == instance_id
    assert emulator.instance(instance_id)["not_found"] == {"show": 0}


def test_a_transient_404_on_a_write_applies_nothing(emulator):
    instance_id = running(emulator)
    not_found(emulator, instance_id, calls=["resize", "delete"])
    assert_error(api(emulator, "PUT", ("v3", "instances/%s/flavor" % instance_id), {"spec_code": "ddm.c6.xlarge.2"}), 404, "DBS.200002")
    assert_error(api(emulator, "DELETE", ("v3", "instances/" + instance_id), params={"delete_dn_data": "false"}), 404, "DBS.200002")
    control = emulator.instance(instance_id)
    assert (control["operation"], control["delete_dn_data"], shown(emulator, instance_id)["status"]) == (None, [], "RUNNING")
    assert api(emulator, "PUT", ("v3", "instances/%s/flavor" % instance_id), {"spec_code": "ddm.c6.xlarge.2"}).status_code == 200


@pytest.mark.parametrize("payload", [{"count": -1}, {"count": "2"}, {"calls": []}, {"calls": ["list"]}, {"calls": "show"}])
def test_not_found_refuses_bad_specs(emulator, payload):
    instance_id = running(emulator)
    with pytest.raises(EmulatorError):
        emulator.control("POST", "instances/%s/not_found" % instance_id, payload)
    with pytest.raises(EmulatorError):
        emulator.control("POST", "instances/unknown/not_found", {})


# ----------------------------------------------------------------------------- list pages that repeat an instance

def test_a_later_page_can_repeat_the_last_instance_of_the_page_before(emulator):
    emulator.add_instances_bulk(15, name_prefix="bulk-")
    everyone, _body = listed_ids(emulator, limit=15)
    assert list_repeat(emulator, "previous") == {"mode": "previous", "remaining": 1}
    first, _body = listed_ids(emulator, offset=0, limit=10)  # a first page cannot start early: the repeat waits
    second, body = listed_ids(emulator, offset=10, limit=10)
    assert first == everyone[:10] and second == everyone[9:10] + everyone[11:]
    # The page and the total keep their sizes: only the unique ids tell that the listing fell short.
    assert (body["instance_num"], body["total_record"], len(set(first + second))) == (5, 15, 14)
    assert emulator.control("GET", "instances/settings")["list_repeat"] is None
    assert listed_ids(emulator, offset=10, limit=10)[0] == everyone[10:]


def test_a_page_can_hold_an_instance_twice(emulator):
    emulator.add_instances_bulk(5, name_prefix="bulk-")
    everyone, _body = listed_ids(emulator)
    list_repeat(emulator, "twice", count=2)
    for _page in range(2):
        ids, body = listed_ids(emulator)
        assert ids == [everyone[0], everyone[0]] + everyone[2:] and (body["instance_num"], body["total_record"]) == (5, 5)
    assert listed_ids(emulator)[0] == everyone


@pytest.mark.parametrize("payload", [{"mode": "thrice"}, {"mode": "twice", "count": 0}, {"mode": "twice", "count": True}])
def test_list_repeat_refuses_bad_specs(emulator, payload):
    with pytest.raises(EmulatorError):
        emulator.control("POST", "instances/list_repeat", payload)


# ----------------------------------------------------------------------------- applied writes, unreadable answers

WRITES = {
    "create": ("POST", r"/v3/[^/]+/instances$", lambda e, i: api(e, "POST", ("v3", "instances"), create_body(name="garbled"))),
    "resize": ("PUT", r"/flavor$", lambda e, i: api(e, "PUT", ("v3", "instances/%s/flavor" % i), {"spec_code": "ddm.c6.xlarge.2"})),
    "enlarge": ("POST", r"/nodes$", lambda e, i: api(e, "POST", ("v3", "instances/%s/nodes" % i), {"nodes": [{"available_zone": "cn-north-4a"}]})),
    "reduce": ("POST", r"/action/reduce$", lambda e, i: api(e, "POST", ("v2", "instances/%s/action/reduce" % i), {"node_number": 1})),
    "delete": ("DELETE", r"/instances/[^/]+$", lambda e, i: api(e, "DELETE", ("v3", "instances/" + i), params={"delete_dn_data": "true"})),
}
APPLIED_STATUS = {"create": 202, "resize": 200, "enlarge": 202, "reduce": 200, "delete": 202}


def unreadable(response, garble):
    """Whether the answer cannot be read as the API's JSON object of strings."""
    try:
        body = json.loads(response.text)
    except ValueError:
        return True
    return garble == "wrong_types" and isinstance(body, dict) and body and not any(isinstance(value, str) for value in body.values())


@pytest.mark.parametrize("garble", ["html", "truncated", "wrong_types", "empty"])
@pytest.mark.parametrize("operation", sorted(WRITES))
def test_an_applied_write_answered_with_an_unreadable_2xx(emulator, operation, garble):
    instance_id = running(emulator, node_count=2)
    # Slow operations: the test reads the one in progress.
    emulator.instance_settings(create_seconds=60, operation_seconds=60, delete_seconds=60)
    method, path, send = WRITES[operation]
    emulator.add_fault(method=method, path=path, garble=garble)
    response = send(emulator, instance_id)
    assert response.status_code == APPLIED_STATUS[operation] and unreadable(response, garble), response.text
    if garble == "html":
        assert response.headers["Content-Type"] == "text/html" and response.text.startswith("<!DOCTYPE html>")
    logged = [entry for entry in emulator.requests_log() if "fault" in entry][-1]
    assert (logged["status"], logged["applied_status"], logged["fault"]["garble"]) == (APPLIED_STATUS[operation],) * 2 + (garble,)
    # The write was applied: a new instance, or an operation (with its task) on the old one.
    if operation == "create":
        created = [item for item in emulator.instances() if item["name"] == "garbled"]
        assert len(created) == 1 and created[0]["operation"]["task"] == "CreateInstance"
    else:
        assert emulator.instance(instance_id)["operation"]["operation"] == operation


def test_a_garbled_answer_may_also_change_the_status(emulator):
    emulator.instance_settings(**FAST)
    emulator.add_fault(method="POST", path=r"/instances$", garble="truncated", status=200)
    response = api(emulator, "POST", ("v3", "instances"), create_body())
    assert response.status_code == 200 and response.text.startswith('{"') and unreadable(response, "truncated")
    assert len(emulator.instances()) == 1
    with pytest.raises(EmulatorError):
        emulator.add_fault(garble="scrambled")


# ----------------------------------------------------------------------------- a prepaid instance that hides its order

@pytest.mark.parametrize("shown_as, expected", [("empty", ""), ("null", None), ("absent", KeyError)])
def test_a_prepaid_instance_can_hide_its_order_while_writes_answer_orders(emulator, shown_as, expected):
    instance_id = running(emulator, order_id="CS2401011200ABCDE", order_id_shown=shown_as)
    listed = api(emulator, "GET", LIST).json()["instances"][0]
    for body in (shown(emulator, instance_id), listed):
        assert body.get("order_id", KeyError) == expected
    resized = api(emulator, "PUT", ("v3", "instances/%s/flavor" % instance_id), {"spec_code": "ddm.c6.xlarge.2"})
    grown = api(emulator, "POST", ("v3", "instances/%s/nodes" % instance_id), {"nodes": [{"available_zone": "cn-north-4a"}]})
    assert set(resized.json()) == set(grown.json()) == {"order_id"} and resized.json()["order_id"] != grown.json()["order_id"]
    control = emulator.instance(instance_id)
    assert control["actual_order_id"] == "CS2401011200ABCDE" and [order["operation"] for order in control["unpaid_orders"]] == [
        "resize", "enlarge"]
    assert order_id_shown(emulator, instance_id, "as_is")["order_id"] == "CS2401011200ABCDE"


def test_an_instance_created_prepaid_can_hide_its_order_afterwards(emulator):
    emulator.instance_settings(**FAST)
    order = api(emulator, "POST", ("v3", "instances"), create_body(charge_info={"charge_mode": "prePaid", "period_type": "month",
                                                                                "period_num": 1})).json()["order_id"]
    instance_id = emulator.instances()[0]["id"]
    order_id_shown(emulator, instance_id, "absent")
    wait_for(lambda: shown(emulator, instance_id)["status"] == "RUNNING")
    assert "order_id" not in shown(emulator, instance_id) and emulator.instance(instance_id)["actual_order_id"] == order
    with pytest.raises(EmulatorError):
        order_id_shown(emulator, instance_id, "hidden")


# ----------------------------------------------------------------------------- latency

def _in_thread(call):
    """Run ``call`` in a thread; return (the thread, a dict that gets its "result")."""
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(result=call()), daemon=True)
    thread.start()
    return thread, outcome


def _held(emulator, method, path):
    """The logged requests of ``method`` on ``path`` that a latency holds (or held)."""
    return [entry for entry in emulator.requests_log() if entry["method"] == method and entry["path"] == path and "latency" in entry]


def test_a_latency_before_the_service_lets_a_list_see_a_later_create(emulator):
    emulator.instance_settings(**FAST)
    assert add_latency(emulator, 60, method="GET", path=LIST_PATH + "$")["where"] == "before"
    thread, outcome = _in_thread(lambda: api(emulator, "GET", LIST).json())
    wait_for(lambda: _held(emulator, "GET", LIST_PATH))
    created = api(emulator, "POST", ("v3", "instances"), create_body()).json()["id"]
    assert "result" not in outcome  # still held
    clear_latency(emulator)
    thread.join(10)
    # Sent before the creation, read after it.
    assert [item["id"] for item in outcome["result"]["instances"]] == [created]
    assert _held(emulator, "GET", LIST_PATH)[0]["latency"] == {"before": 60.0, "after": 0.0}


def test_a_latency_after_the_service_delivers_a_stale_answer(emulator):
    emulator.instance_settings(**FAST)
    add_latency(emulator, 60, where="after", method="GET", path=LIST_PATH + "$")
    thread, outcome = _in_thread(lambda: api(emulator, "GET", LIST).json())
    # The service has answered (the log has its status); the answer is held.
    wait_for(lambda: [entry for entry in _held(emulator, "GET", LIST_PATH) if entry["status"] == 200])
    created = api(emulator, "POST", ("v3", "instances"), create_body()).json()["id"]
    assert "result" not in outcome and [item["id"] for item in emulator.instances()] == [created]
    clear_latency(emulator)
    thread.join(10)
    assert outcome["result"]["instances"] == [] and outcome["result"]["total_record"] == 0


def test_concurrent_creators_race_past_each_other(emulator):
    """Two creators of one name each list (none), then create: with the create slow to apply, both succeed."""
    emulator.instance_settings(**FAST)
    add_latency(emulator, 60, method="POST", path=r"/v3/[^/]+/instances$", label="slow create")
    create_path = "/v3/%s/instances" % PROJECT_ID
    creators = []
    for number in range(2):
        assert api(emulator, "GET", LIST).json()["total_record"] == 0
        creators.append(_in_thread(lambda: api(emulator, "POST", ("v3", "instances"), create_body(name="raced"))))
        wait_for(lambda: len(_held(emulator, "POST", create_path)) == number + 1)
    clear_latency(emulator)
    for thread, outcome in creators:
        thread.join(10)
        assert outcome["result"].status_code == 202
    assert [item["name"] for item in emulator.instances()] == ["raced", "raced"]
    assert emulator.control("GET", "latency")["latency"] == []


def test_latency_with_jitter_is_seeded_and_reset_clears_it(emulator):
    first = add_latency(emulator, 0.01, jitter=0.02, seed=7, method="GET", path="/jobs")
    assert (first["delay"], first["jitter"], first["method"]) == (0.01, 0.02, "GET")
    instance_id = running(emulator)
    assert shown(emulator, instance_id)["id"] == instance_id  # does not match: no latency
    assert "latency" not in emulator.api_requests("/instances/")[-1]
    assert emulator.info()["latency"] == [first]
    emulator.reset()
    assert emulator.control("GET", "latency")["latency"] == []
    for payload in ({"delay": -1}, {"delay": 0}, {"delay": 1, "where": "during"}, {"delay": 1, "seed": "x"}, {"delay": 1, "path": "("}):
        with pytest.raises(EmulatorError):
            emulator.control("POST", "latency", payload)
