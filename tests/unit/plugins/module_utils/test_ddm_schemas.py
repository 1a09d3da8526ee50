# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema API on scripted HTTP answers: both readings of a missing schema, checked answers, one shape of results,
a creation never resent, and an explicit delete_dn_data."""

from __future__ import annotations

import urllib.parse

import pytest
import requests

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import APIError, OutcomeUnknown, ResourceBusy, UnexpectedAnswer
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.schemas import DdmSchemas, in_progress, is_failed, name_problem, \
    schema_view, shard_problem

DETAIL = {"name": "orders", "status": "RUNNING", "created": "2026-11-28T10:00:00Z", "updated": "2026-11-28T10:01:00Z", "shard_mode": "cluster",
          "shard_number": 2,
          "shards": [{"data_node_id": "dn1", "physical_db_name": "orders_0000", "status": "RUNNING", "shard_index": 0},
                     {"data_node_id": "dn1", "physical_db_name": "orders_0001", "status": "RUNNING", "shard_index": 1}],
          "data_nodes": [{"id": "dn1", "name": "rds-1", "status": "normal", "engine_name": "mysql", "engine_version": "8.0", "mem": 4, "cpu": 2}]}
ITEM = {"name": "orders", "shard_mode": "cluster", "shard_number": 2, "status": "RUNNING", "created": 1764324000000, "shard_unit": 2,
        "used_rds": [{"id": "dn1", "name": "rds-1", "status": "normal"}]}
MISSING_400 = {"error_code": "DBS.300129", "error_msg": "Failed to query schema information."}


def schemas(http, *answers):
    session = http.Session(*(http.answer(body=item) if isinstance(item, dict) else item for item in answers))
    return DdmSchemas(http.client(session, max_retries=2)[0], "https://ddm.example.invalid"), session


def query(sent) -> dict:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(sent["url"]).query))


def test_a_schema_is_read_with_v3_and_shown_in_one_shape(http):
    api, session = schemas(http, DETAIL)
    record = api.get("i1", "orders")
    assert session.sent[0]["method"] == "GET" and session.sent[0]["url"] == "https://ddm.example.invalid/v3/pid/instances/i1/databases/orders"
    assert schema_view(record) == {"name": "orders", "status": "RUNNING", "shard_mode": "cluster", "shard_number": 2, "created": "2026-11-28T10:00:00Z",
                                   "data_nodes": [{"id": "dn1", "name": "rds-1", "status": "normal"}],
                                   "shards": [{"data_node_id": "dn1", "physical_db_name": "orders_0000", "status": "RUNNING", "shard_index": 0},
                                              {"data_node_id": "dn1", "physical_db_name": "orders_0001", "status": "RUNNING", "shard_index": 1}]}


@pytest.mark.parametrize("status", [400, 404])
def test_a_missing_schema_reads_as_none_in_either_reading(http, status):
    api, _session = schemas(http, http.answer(status, MISSING_400))
    assert api.get("i1", "orders") is None


def test_ddm_own_404_is_a_missing_schema_but_not_a_missing_instance_nor_the_gateway(http):
    api, _session = schemas(http, http.answer(404, {"error_code": "DBS.999999", "error_msg": "Not found."}))
    assert api.get("i1", "orders") is None
    for body in ({"errCode": "DBS.200002", "externalMessage": "The DB instance does not exist."},
                 {"error_code": "APIGW.0101", "error_msg": "The API does not exist or has not been published."}):
        api, _session = schemas(http, http.answer(404, body))
        with pytest.raises(APIError):
            api.get("i1", "orders")


def test_a_shard_number_given_as_text_reads_as_a_number_and_a_wrong_type_names_the_field(http):
    api, _session = schemas(http, dict(DETAIL, shard_number="2"))
    assert schema_view(api.get("i1", "orders"))["shard_number"] == 2
    api, _session = schemas(http, dict(DETAIL, shard_number=[2]))
    with pytest.raises(UnexpectedAnswer, match=r"schema.shard_number is an array, expected a count"):
        api.get("i1", "orders")
    api, _session = schemas(http, dict(DETAIL, shards=[{"data_node_id": 5}]))
    with pytest.raises(UnexpectedAnswer, match=r"schema.shards\[0\].data_node_id is a number, expected a string"):
        api.get("i1", "orders")


def test_the_v1_list_is_read_over_every_page_and_its_items_take_the_same_shape(http):
    first = {"databases": [dict(ITEM, name="s%03d" % index) for index in range(128)], "total": 129}
    api, session = schemas(http, first, {"databases": [ITEM], "total": 129})
    items = list(api.iterate("i1"))
    assert len(items) == 129 and [query(sent) for sent in session.sent] == [{"offset": "0", "limit": "128"}, {"offset": "128", "limit": "128"}]
    assert session.sent[0]["url"].startswith("https://ddm.example.invalid/v1/pid/instances/i1/databases?")
    assert schema_view(items[-1]) == {"name": "orders", "status": "RUNNING", "shard_mode": "cluster", "shard_number": 2,
                                      "data_nodes": [{"id": "dn1", "name": "rds-1", "status": "normal"}], "created": "2025-11-28T10:00:00Z"}


def test_the_available_data_nodes_are_read_over_every_page(http):
    node = {"id": "dn1", "name": "rds-1", "status": "normal", "engine_name": "mysql", "engine_version": "8.0", "private_ip": "10.0.0.1",
            "port": 3306, "time_zone": "UTC"}
    api, session = schemas(http, {"data_nodes": [node], "offset": 0, "limit": 128, "total": 1})
    assert api.available_data_nodes("i1") == ([node], None)
    assert "/v3/pid/instances/i1/available-data-nodes?" in session.sent[0]["url"]


def test_a_creation_sends_the_logins_as_dn_instances_and_is_never_resent(http):
    api, session = schemas(http, http.answer(202, {"job_id": "j1", "name": "orders"}))
    nodes = [{"id": "dn1", "admin_user": "root", "admin_password": "pw-1"}]
    assert api.create("i1", "orders", "cluster", 2, nodes) == {"job_id": "j1"}
    assert session.sent[0]["method"] == "POST" and session.sent[0]["url"].endswith("/v3/pid/instances/i1/databases")
    assert b'"dn_instances": [{"id": "dn1", "user_name": "root", "user_password": "pw-1"}]' in session.sent[0]["data"]

    api, session = schemas(http, requests.exceptions.ConnectionError("reset"), http.answer(202, {"job_id": "j1"}))
    with pytest.raises(OutcomeUnknown):
        api.create("i1", "orders", "cluster", 2, nodes)
    assert len(session.sent) == 1
    api, session = schemas(http, http.answer(502, text="<html>bad gateway</html>"))
    with pytest.raises(OutcomeUnknown):
        api.create("i1", "orders", "cluster", 2, nodes)


def test_a_busy_instance_is_a_resource_busy(http):
    for status, code in ((409, "DBS.200019"), (403, "DBS.212033")):
        api, _session = schemas(http, http.answer(status, {"error_code": code, "error_msg": "Another operation is being performed."}))
        with pytest.raises(ResourceBusy):
            api.create("i1", "orders", "cluster", 2, [{"id": "dn1", "admin_user": "root", "admin_password": "pw"}])


@pytest.mark.parametrize("delete_data,sent", [(False, "false"), (True, "true")])
def test_a_delete_always_sends_delete_dn_data(http, delete_data, sent):
    api, session = schemas(http, http.answer(202, {"job_id": "j2", "database_name": "orders"}))
    assert api.delete("i1", "orders", delete_data) == {"job_id": "j2"}
    assert session.sent[0]["method"] == "DELETE" and query(session.sent[0]) == {"delete_dn_data": sent}


def test_a_delete_of_a_missing_schema_is_none_in_every_reading(http):
    for answer in (http.answer(400, MISSING_400), http.answer(404, MISSING_400)):
        api, _session = schemas(http, answer)
        assert api.delete("i1", "orders", False) is None
    # DBS.300101 says "delete failed" for other reasons too: missing only once the list agrees.
    failed = {"error_code": "DBS.300101", "error_msg": "Failed to delete the schema."}
    api, session = schemas(http, http.answer(400, failed), {"databases": [dict(ITEM, name="other")], "total": 1})
    assert api.delete("i1", "orders", False) is None and len(session.sent) == 2
    api, _session = schemas(http, http.answer(400, failed), {"databases": [ITEM], "total": 1})
    with pytest.raises(APIError, match="DBS.300101"):
        api.delete("i1", "orders", False)


def test_statuses_both_spellings_of_a_failed_creation_and_unknown_ones_in_progress():
    assert is_failed("CREATE_FAILED") and is_failed("CREATEFAILED") and is_failed("EXPAND_FAILED") and is_failed("Scaling out failed")
    assert not is_failed("RUNNING") and not in_progress("RUNNING") and not in_progress("CREATEFAILED")
    assert in_progress("CREATING") and in_progress("ROLLING BACK") and in_progress("SOMETHING_NEW") and in_progress(None)


@pytest.mark.parametrize("name", ["a", "1orders", "Orders", "orders-1", "o" * 49, "mysql", "sys"])
def test_names_outside_the_rule_are_refused(name):
    assert name_problem(name)


def test_names_inside_the_rule_pass():
    assert name_problem("o1") is None and name_problem("orders_2026") is None and name_problem("o" * 48) is None


def test_shard_counts_against_data_nodes():
    assert shard_problem("cluster", 2, 2) is None and shard_problem("cluster", 128, 2) is None
    assert "between 2 and 128 for 2 data node(s), got 129" in shard_problem("cluster", 129, 2)
    assert "between 3 and 192" in shard_problem("cluster", 2, 3)
    assert shard_problem("single", 2, 2) is None
    assert "shard_number must be 2 for 2 data node(s), got 4" in shard_problem("single", 4, 2)


@pytest.mark.parametrize("created, shown", [
    ("2026-11-28T10:00:00+0000", "2026-11-28T10:00:00Z"),   # v3 show, Java's yyyy-MM-dd'T'HH:mm:ssZ
    ("2026-11-28T18:00:00+0800", "2026-11-28T10:00:00Z"),
    ("2026-11-28T10:00:00Z", "2026-11-28T10:00:00Z"),
    (1764324000000, "2025-11-28T10:00:00Z"),               # the v1 list's epoch milliseconds
    ("not a time", "not a time"),                           # shown as written rather than lost
])
def test_creation_times_are_shown_in_utc(created, shown):
    assert schema_view(dict(DETAIL, created=created))["created"] == shown
