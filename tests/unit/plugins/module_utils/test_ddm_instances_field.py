# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The instance API as the field has it, on scripted HTTP answers: flavors paged per CPU group, the v3 rename, node groups,
data_disk_full, answers checked and typed, bounded server text, the server's clock, and host names that do not resolve."""

from __future__ import annotations

import datetime
import email.utils
import json
import socket

import pytest
import requests
import urllib3

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import TransportError, UnexpectedAnswer, server_text
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm import instances as ddm
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.jobs import DdmJobs, JobGroup, describe_failure

ENDPOINT = "https://ddm.example.invalid"
UTC = datetime.timezone.utc


def api(http, *answers):
    session = http.Session(*answers)
    client, _sleeps = http.client(session)
    return ddm.DdmInstances(client, ENDPOINT), session


def sent_json(entry):
    return json.loads(entry["data"]) if entry.get("data") else None


def flavor(code, vcpus="2", ram="4", zones=("az1",)):
    return {"id": "f-" + code, "spec_code": code, "vcpus": vcpus, "ram": ram, "az_infos": [{"code": zone, "status": "normal"} for zone in zones]}


def group(kind, codes, offset, total):
    return {"group_type": kind, "flavors": [flavor(code) for code in codes], "offset": offset, "limit": 128, "total": total}


# ---------------------------------------------------------------------- 1. flavors per CPU group, every page

def test_flavors_are_read_over_every_page_of_every_group(http):
    x86 = ["x%03d" % number for number in range(130)]
    pages = [http.answer(200, {"flavor_groups": [group("X86", x86[:128], 0, 130), group("ARM", ["a1", "a2"], 0, 2)]}),
             http.answer(200, {"flavor_groups": [group("X86", x86[128:], 128, 130), group("ARM", [], 128, 2)]})]
    instances, session = api(http, *pages)

    flavors = instances.flavors(engine_version="3.0.8.5")

    assert [item["spec_code"] for item in flavors] == x86 + ["a1", "a2"]
    assert [(item["cpu_arch"], item["vcpus"], item["ram"]) for item in flavors[-1:]] == [("ARM", 2, 4)]
    assert [entry["url"].split("?")[1] for entry in session.sent] == [
        "engine_version=3.0.8.5&limit=128&offset=0", "engine_version=3.0.8.5&limit=128&offset=128"]


def test_a_flavor_list_without_totals_is_one_page_and_one_that_never_ends_fails(http):
    instances, session = api(http, http.answer(200, {"flavor_groups": [{"group_type": "X86", "flavors": [flavor("x1")]}]}))
    assert [item["spec_code"] for item in instances.flavors(engine_version="v")] == ["x1"] and len(session.sent) == 1

    endless = [http.answer(200, {"flavor_groups": [group("X86", ["x%d" % page], 0, 10 ** 6)]}) for page in range(ddm.MAX_FLAVOR_PAGES)]
    instances, _session = api(http, *endless)
    with pytest.raises(UnexpectedAnswer, match="did not end after"):
        instances.flavors(engine_version="v")


@pytest.mark.parametrize("az_infos, field", [
    ("normal", "flavor_groups[0].flavors[0].az_infos is a string"),
    ([["az1"]], "flavor_groups[0].flavors[0].az_infos[0] is an array"),
    ([{"status": "normal"}], "flavor_groups[0].flavors[0].az_infos[0].code is null"),
    ([{"code": {"a": 1}, "status": "normal"}], "flavor_groups[0].flavors[0].az_infos[0].code is an object"),
])
def test_a_hostile_az_infos_is_an_unexpected_answer_naming_the_field(http, az_infos, field):
    bad = dict(flavor("x1"), az_infos=az_infos)
    instances, _session = api(http, http.answer(200, {"flavor_groups": [{"group_type": "X86", "flavors": [bad]}]}))
    with pytest.raises(UnexpectedAnswer, match=field.replace("[", r"\[").replace("]", r"\]")):
        instances.flavors(engine_version="v")


# ---------------------------------------------------------------------- 2. the v3 rename

def test_rename_goes_through_v3_and_answers_its_task(http):
    instances, session = api(http, http.answer(200, {"job_id": "job-rename"}))
    assert instances.rename("i1", "orders_ddm") == {"job_id": "job-rename"}
    assert (session.sent[0]["method"], session.sent[0]["url"], sent_json(session.sent[0])) == (
        "PUT", ENDPOINT + "/v3/pid/instances/i1/name", {"name": "orders_ddm"})


# ---------------------------------------------------------------------- 3. node groups

def test_group_id_goes_with_resize_add_and_remove_nodes_and_only_when_given(http):
    answers = [http.answer(200, {"job_id": "j1"}), http.answer(202, {"job_id": "j2"}), http.answer(200, {"jobId": "j3"}),
               http.answer(200, {"job_id": "j4"})]
    instances, session = api(http, *answers)
    instances.resize("i1", "ddm.c6.xlarge.2", "g2")
    instances.add_nodes("i1", ["az1", "az2"], "g2", "subnet-2")
    instances.remove_nodes("i1", 1, "g2")
    instances.resize("i1", "ddm.c6.large.2")
    assert [sent_json(entry) for entry in session.sent] == [
        {"spec_code": "ddm.c6.xlarge.2", "group_id": "g2"},
        {"nodes": [{"available_zone": "az1"}, {"available_zone": "az2"}], "group_id": "g2", "subnet_id": "subnet-2"},
        {"node_number": 1, "group_id": "g2"},
        {"spec_code": "ddm.c6.large.2"}]


def test_groups_are_read_typed(http):
    answer = {"total_count": 2, "group_list": [
        {"id": "g1", "name": "default", "role": "rw", "is_default_group": True, "cpu_num_per_node": 2, "mem_num_per_node": "4",
         "architecture": "X86", "node_list": [{"id": "n1", "az": "az1"}, {"id": "n2", "az": "az2"}]},
        {"id": "g2", "name": "reads", "role": "r", "is_default_group": False, "cpu_num_per_node": 4, "mem_num_per_node": 8,
         "architecture": "X86", "node_list": [{"id": "n3", "az": "az1"}]}]}
    instances, session = api(http, http.answer(200, answer))
    groups = instances.groups("i1")
    assert [(item["id"], item["is_default"], item["node_num"], item["vcpus"], item["ram"], item["availability_zones"]) for item in groups] == [
        ("g1", True, 2, 2, 4, ["az1", "az2"]), ("g2", False, 1, 4, 8, ["az1"])]
    assert session.sent[0]["url"].startswith(ENDPOINT + "/v3/pid/instances/i1/groups?")


def test_a_group_id_that_is_no_plain_id_is_refused(http):
    answer = {"total_count": 1, "group_list": [{"id": "../g1", "node_list": []}]}
    instances, _session = api(http, http.answer(200, answer))
    with pytest.raises(UnexpectedAnswer, match=r"group_list\[0\].id"):
        instances.groups("i1")


# ---------------------------------------------------------------------- 4. data_disk_full

@pytest.mark.parametrize("status", ["data_disk_full", "DATA_DISK_FULL"])
def test_a_full_data_disk_is_stuck_not_an_operation_in_progress(status):
    assert ddm.is_failed(status) and not ddm.in_progress(status)


# ---------------------------------------------------------------------- 6. and 7. answers checked, results typed

def show(**fields):
    return dict({"id": "i1", "status": "RUNNING", "name": "ddm-a", "available_zone": "az1,az2", "node_count": 2, "access_ip": "10.0.0.1,10.0.0.2",
                 "access_port": "5066", "core_count": "4", "ram_capacity": "8", "flavor_ref": "ddm.c6.xlarge.2",
                 "nodes": [{"node_id": "n1", "status": "RUNNING", "ip": "10.0.0.1", "port": "5066", "group_id": "g1"},
                           {"node_id": "n2", "status": "RUNNING", "ip": "10.0.0.2", "port": "5066", "group_id": "g1"}]}, **fields)


def test_results_are_typed_as_users_filter_them(http):
    instances, _session = api(http, http.answer(200, show()))
    view = ddm.instance_view(instances.get("i1"))
    assert (view["node_num"], view["access_port"], view["vcpus"], view["ram"], view["access_ip"]) == (2, 5066, 4, 8, "10.0.0.1")
    assert [node["ip"] for node in view["nodes"]] == ["10.0.0.1", "10.0.0.2"] and {node["port"] for node in view["nodes"]} == {5066}
    assert ddm.instance_view(dict(show(), access_ip="192.168.0.9", access_port=None))["access_ip"] == "192.168.0.9"


@pytest.mark.parametrize("fields, problem", [
    (dict(id="i" * 60000), "instance.id is"),
    (dict(access_port="port"), "instance.access_port is 'port', expected a number"),
    (dict(ram_capacity=[8]), "instance.ram_capacity is an array, expected a number"),
    (dict(nodes=[{"node_id": "n1", "port": {"p": 1}}]), r"instance.nodes\[0\].port is an object"),
])
def test_answers_are_checked_not_trusted(http, fields, problem):
    record = show(**fields)
    instances, _session = api(http, http.answer(200, record))
    with pytest.raises(UnexpectedAnswer, match=problem) as caught:
        instances.get(record["id"])
    assert len(str(caught.value)) < 500


def test_a_list_item_with_a_huge_id_fails_cleanly_and_briefly(http):
    instances, _session = api(http, http.answer(200, {"instances": [show(id="x" * 60000)], "total_record": 1}))
    with pytest.raises(UnexpectedAnswer, match=r"instances\[0\].id") as caught:
        list(instances.iterate())
    assert len(str(caught.value)) < 500


def test_a_field_a_decision_needs_and_the_answer_lacks_is_named():
    with pytest.raises(UnexpectedAnswer, match="has no flavor_ref, node_count"):
        ddm.required_fields({"flavor_ref": None, "node_count": ""}, "DDM instance a (i1)", ("flavor_ref", "node_count"))
    ddm.required_fields({"flavor_ref": "f"}, "DDM instance a (i1)", ("flavor_ref",))


# ---------------------------------------------------------------------- 8. bounded messages

def test_server_text_in_messages_is_cut_and_the_job_keeps_it_whole():
    reason = "disk " * 180000
    job = {"id": "j1", "name": "CreateInstance", "status": "Failed", "fail_reason": reason}
    message = describe_failure(job)
    assert len(message) < 600 and "900000 characters in all" in message and job["fail_reason"] == reason
    assert server_text("short\x1b[2J") == "short\\x1b[2J"


# ---------------------------------------------------------------------- 5. a host name that does not resolve

def test_a_host_name_that_does_not_resolve_fails_at_once_saying_check_region(http):
    cause = urllib3.exceptions.NameResolutionError("ddm.cn-north4.myhuaweicloud.com", None, socket.gaierror(-2, "Name or service not known"))
    error = requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", cause))
    session = http.Session(error, error, error)
    client, sleeps = http.client(session)
    with pytest.raises(TransportError, match="check region/endpoint") as caught:
        client.request("GET", "https://ddm.cn-north4.myhuaweicloud.com/v3/pid/jobs/j1")
    assert len(session.sent) == 1 and sleeps == [] and caught.value.sent is False
    assert "ddm.cn-north4.myhuaweicloud.com does not resolve" in str(caught.value)


# ---------------------------------------------------------------------- 9. the server's clock

def dated(http, body, when):
    return http.answer(200, body, headers={"Date": email.utils.format_datetime(when, usegmt=True)})


def test_the_job_list_window_follows_the_server_clock_running_ahead(http, clock):
    ahead = datetime.datetime.now(UTC) + datetime.timedelta(hours=2)
    created = (ahead - datetime.timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    jobs_listed = {"jobs": [{"id": "j%d" % n, "status": "Running", "name": "CreateInstance", "created_time": created} for n in range(3)], "total": 3}
    session = http.Session(dated(http, {"projects": []}, ahead), dated(http, jobs_listed, ahead), dated(http, jobs_listed, ahead))
    client, _sleeps = http.client(session)
    jobs = DdmJobs(client, ENDPOINT)
    client.request("GET", ENDPOINT + "/anything")  # any answer tells the server's time
    assert abs(jobs.server_now() - ahead) < datetime.timedelta(seconds=5)

    group = JobGroup(jobs, ["j0", "j1", "j2"], grace=30, clock=clock, now=jobs.server_now)
    group.refresh().refresh()
    # Each poll is one list request whose window ends on the server's clock: every job is read, none on its own.
    assert len(session.sent) == 3 and all("/jobs?" in entry["url"] for entry in session.sent[1:])
    for entry in session.sent[1:]:
        query = dict(part.split("=") for part in entry["url"].split("?")[1].split("&"))
        assert int(query["end_time"]) >= int((ahead - datetime.timedelta(seconds=5)).timestamp()) * 1000
    assert group.counts() == {"Running": 3}


def test_without_a_date_header_the_local_clock_is_used(http):
    client, _sleeps = http.client(http.Session(http.answer(200, {})))
    client.request("GET", ENDPOINT + "/anything")
    assert client.clock_offset is None and abs(client.server_now() - datetime.datetime.now(UTC)) < datetime.timedelta(seconds=5)


def test_a_clock_learnt_during_the_first_list_read_reads_the_list_again_not_each_job(http, clock):
    ahead = datetime.datetime.now(UTC) + datetime.timedelta(hours=3)
    created = ahead.strftime("%Y-%m-%dT%H:%M:%S+0000")
    listed = {"jobs": [{"id": "j%d" % n, "status": "Running", "name": "CreateInstance", "created_time": created} for n in range(50)], "total": 50}
    # The first answer (whose window ended on this machine's clock) cannot show jobs created "in the future"; it tells the server's time.
    session = http.Session(dated(http, {"jobs": [], "total": 0}, ahead), dated(http, listed, ahead))
    client, _sleeps = http.client(session)
    jobs = DdmJobs(client, ENDPOINT)
    group = JobGroup(jobs, ["j%d" % n for n in range(50)], grace=30, clock=clock, now=jobs.server_now)
    group.refresh()
    assert len(session.sent) == 2 and group.counts() == {"Running": 50}
    ends = [int(dict(part.split("=") for part in entry["url"].split("?")[1].split("&"))["end_time"]) for entry in session.sent]
    assert ends[1] - ends[0] > 2 * 3600 * 1000


def test_a_listed_job_with_a_huge_id_fails_cleanly_and_another_jobs_is_left_out(http):
    huge = {"id": "j" * 60000, "status": "Running", "name": "CreateInstance"}
    mine = {"id": "j1", "status": "Completed", "name": "CreateInstance"}
    session = http.Session(http.answer(200, {"jobs": [huge, mine], "total": 2}), http.answer(200, {"jobs": [huge, mine], "total": 2}))
    client, _sleeps = http.client(session)
    jobs = DdmJobs(client, ENDPOINT)
    start = datetime.datetime.now(UTC) - datetime.timedelta(hours=1)
    with pytest.raises(UnexpectedAnswer, match=r"jobs\[0\].id") as caught:
        list(jobs.iterate(start, datetime.datetime.now(UTC)))
    assert len(str(caught.value)) < 500
    assert [item["id"] for item in jobs.iterate(start, datetime.datetime.now(UTC), wanted={"j1"}) if isinstance(item["id"], str)] == ["j1"]
