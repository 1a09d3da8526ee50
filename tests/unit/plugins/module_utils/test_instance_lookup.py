# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Finding the instance a configuration module works on: by id, or by an exact name over the whole list."""

from __future__ import annotations

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import ConfigurationError, HuaweiCloudError
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.instance_lookup import check_instance_lookup_options, find_instance
from ansible_collections.huaweicloud.cloud.plugins.module_utils._ddm.instances import DdmInstances

INSTANCE = {"id": "i1", "name": "orders-ddm", "status": "RUNNING"}


def api(http, *answers):
    session = http.Session(*(http.answer(body=body) if isinstance(body, dict) else body for body in answers))
    return DdmInstances(http.client(session)[0], "https://ddm.example.invalid"), session


def test_an_id_reads_the_instance(http):
    instances, session = api(http, INSTANCE)
    assert find_instance(instances, {"instance_id": "i1", "instance_name": None}) == INSTANCE
    assert session.sent[0]["url"].endswith("/v1/pid/instances/i1")


def test_an_unknown_id_fails(http):
    instances, _session = api(http, http.answer(404, {"errCode": "DBS.200002", "externalMessage": "not found"}))
    with pytest.raises(HuaweiCloudError, match="DDM instance i9 does not exist"):
        find_instance(instances, {"instance_id": "i9"})


def test_a_name_is_matched_exactly_over_the_whole_list(http):
    listing = {"instances": [dict(INSTANCE, id="i0", name="orders-ddm-2"), INSTANCE], "total_record": 2}
    instances, session = api(http, listing, INSTANCE)
    assert find_instance(instances, {"instance_id": None, "instance_name": "orders-ddm"})["id"] == "i1"
    assert [sent["method"] for sent in session.sent] == ["GET", "GET"] and session.sent[1]["url"].endswith("/instances/i1")


def test_two_instances_of_the_name_fail_listing_their_ids(http):
    listing = {"instances": [dict(INSTANCE, id="i0"), INSTANCE], "total_record": 2}
    instances, session = api(http, listing)
    with pytest.raises(HuaweiCloudError, match=r"2 DDM instances are named orders-ddm \(i0, i1\)"):
        find_instance(instances, {"instance_name": "orders-ddm"})
    assert len(session.sent) == 1


def test_a_name_nobody_has_fails(http):
    instances, _session = api(http, {"instances": [INSTANCE], "total_record": 1})
    with pytest.raises(HuaweiCloudError, match="No DDM instance is named other"):
        find_instance(instances, {"instance_name": "other"})


def test_an_instance_id_that_is_not_a_plain_id_is_refused_before_sending():
    with pytest.raises(ConfigurationError, match="instance_id must be a plain id"):
        check_instance_lookup_options({"instance_id": "../x"})
