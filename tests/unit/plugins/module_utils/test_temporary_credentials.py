# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Temporary credentials from an agency or the ECS metadata service: parsing, renewal before expiry and after a 401."""

from __future__ import annotations

import datetime
import json

import pytest

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.auth import AkSkAuth, TokenAuth
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.errors import APIError, IdentityError, TransportError, UnexpectedAnswer
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.temporary_credentials import (AgencySource, MetadataSource,
                                                                                                     RenewingAkSkAuth, TemporaryCredentials,
                                                                                                     parse_credential, parse_expiry)

URL = "https://ddm.example.invalid/v3/pid/jobs/j1"
T0 = 1_800_000_000.0


def iso(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def credential(http, number, expires_at, status=201):
    return http.answer(status, {"credential": {"access": "AKTEMP%d" % number, "secret": "SKTEMP%d" % number,
                                               "securitytoken": "ST%d" % number, "expires_at": iso(expires_at)}})


class WallClock:
    def __init__(self, now=T0):
        self.now = now

    def __call__(self):
        return self.now


def agency_auth(clock, secrets=None):
    source = AgencySource(TokenAuth("base-token"), "ddm-ops", "other-account", 3600)
    return RenewingAkSkAuth(source, clock=clock, on_secret=secrets.append if secrets is not None else None)


@pytest.mark.parametrize("text,expected", [
    ("2026-11-28T21:17:59.000000Z", datetime.datetime(2026, 11, 28, 21, 17, 59, tzinfo=datetime.timezone.utc).timestamp()),
    ("2026-11-28T21:17:59Z", datetime.datetime(2026, 11, 28, 21, 17, 59, tzinfo=datetime.timezone.utc).timestamp()),
    ("2026-11-29T05:17:59+08:00", datetime.datetime(2026, 11, 28, 21, 17, 59, tzinfo=datetime.timezone.utc).timestamp()),
    ("2026-11-28T21:17:59", datetime.datetime(2026, 11, 28, 21, 17, 59, tzinfo=datetime.timezone.utc).timestamp()),
    ("tomorrow", None), (None, None), (17, None),
])
def test_expiry_times(text, expected):
    assert parse_expiry(text) == expected


@pytest.mark.parametrize("body,fragment", [
    ({}, "no credential object"),
    ({"credential": {"access": "AK", "secret": "SECRET-VALUE", "expires_at": "2030-01-01T00:00:00Z"}}, "a value is missing"),
    ({"credential": {"access": "AK", "secret": "SECRET-VALUE", "securitytoken": "ST\nX", "expires_at": "2030-01-01T00:00:00Z"}},
     "characters an HTTP header cannot carry"),
    ({"credential": {"access": "AK", "secret": "SECRET-VALUE", "securitytoken": "ST", "expires_at": "soon"}}, "expires_at is not an ISO"),
])
def test_malformed_credentials_are_named_without_their_values(body, fragment):
    with pytest.raises(UnexpectedAnswer, match=fragment) as info:
        parse_credential(body, "IAM", T0)
    assert "SECRET-VALUE" not in str(info.value)


def test_renewal_is_due_ahead_of_expiry():
    hour = TemporaryCredentials("AK", "SK", "ST", T0 + 3600, T0)
    assert not hour.renew_due(T0 + 3600 - 301) and hour.renew_due(T0 + 3600 - 299)
    short = TemporaryCredentials("AK", "SK", "ST", T0 + 4, T0)
    assert not short.renew_due(T0 + 2.9) and short.renew_due(T0 + 3.1)
    assert short.expired(T0 + 4) and not short.expired(T0 + 3.9)


def test_agency_credentials_sign_requests_and_are_renewed_before_they_expire(http):
    clock = WallClock()
    secrets = []
    session = http.Session(credential(http, 1, T0 + 10), http.answer(200, {"ok": 1}), credential(http, 2, T0 + 20), http.answer(200, {"ok": 2}))
    client, _sleeps = http.client(session, auth=agency_auth(clock, secrets))
    assert client.get_json(URL) == {"ok": 1}
    clock.now = T0 + 8  # within the last quarter of the lifetime
    assert client.get_json(URL) == {"ok": 2}
    assume, first, renew, second = session.sent
    assert assume["method"] == "POST" and assume["url"] == "https://iam.example.invalid/v3.0/OS-CREDENTIAL/securitytokens"
    assert assume["headers"]["X-Auth-Token"] == "base-token"
    assert json.loads(assume["data"]) == {"auth": {"identity": {"methods": ["assume_role"], "assume_role": {
        "agency_name": "ddm-ops", "domain_name": "other-account", "duration_seconds": 3600}}}}
    assert first["headers"]["Authorization"].startswith("SDK-HMAC-SHA256 Access=AKTEMP1,")
    assert first["headers"]["X-Security-Token"] == "ST1" and "X-Auth-Token" not in first["headers"]
    assert renew["headers"]["X-Auth-Token"] == "base-token"
    assert second["headers"]["Authorization"].startswith("SDK-HMAC-SHA256 Access=AKTEMP2,")
    assert secrets == ["SKTEMP1", "ST1", "SKTEMP2", "ST2"]


def test_a_failed_renewal_keeps_valid_credentials(http):
    clock = WallClock()
    iam_down = http.answer(400, {"error": {"code": 400, "message": "IAM hiccup", "title": "Bad Request"}})
    session = http.Session(credential(http, 1, T0 + 10), http.answer(200, {"ok": 1}), iam_down, http.answer(200, {"ok": 2}),
                           iam_down)
    client, _sleeps = http.client(session, auth=agency_auth(clock))
    client.get_json(URL)
    clock.now = T0 + 9
    assert client.get_json(URL) == {"ok": 2}
    assert session.sent[3]["headers"]["Authorization"].startswith("SDK-HMAC-SHA256 Access=AKTEMP1,")
    clock.now = T0 + 10  # expired now: the renewal's failure is the answer
    with pytest.raises(IdentityError, match="IAM did not give temporary credentials for agency 'ddm-ops' of account 'other-account': "
                                            "HTTP 400: IAM hiccup") as info:
        client.get_json(URL)
    assert info.value.cause.status == 400


def test_a_401_renews_once_then_says_so(http):
    clock = WallClock()
    expired = http.answer(401, {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information: expired"})
    session = http.Session(credential(http, 1, T0 + 3600), expired, credential(http, 2, T0 + 3600), expired)
    client, _sleeps = http.client(session, auth=agency_auth(clock))
    with pytest.raises(APIError) as info:
        client.get_json(URL)
    assert str(info.value).endswith("(the temporary credentials from agency 'ddm-ops' of account 'other-account' were renewed and "
                                    "rejected again)")
    assert [sent["url"].rsplit("/", 1)[-1] for sent in session.sent] == ["securitytokens", "j1", "securitytokens", "j1"]


def test_agency_credentials_find_the_project_by_name(http):
    projects = http.answer(200, {"projects": [{"id": "p-team", "name": "cn-north-4_team"}]})
    session = http.Session(credential(http, 1, T0 + 3600), projects)
    client, _sleeps = http.client(session, auth=agency_auth(WallClock()), project_id=None, project_name="cn-north-4_team")
    assert client.project_id == "p-team"
    assert session.sent[1]["url"] == "https://iam.example.invalid/v3/projects?name=cn-north-4_team"
    assert session.sent[1]["headers"]["X-Security-Token"] == "ST1"


def metadata_client(http, *answers):
    session = http.Session(*answers)
    auth = RenewingAkSkAuth(MetadataSource("http://127.0.0.1:9"), clock=WallClock())
    client, _sleeps = http.client(session, auth=auth)
    return client, session


def test_metadata_with_a_session_token(http):
    client, session = metadata_client(http, http.answer(200, text="meta-token"), credential(http, 1, T0 + 3600, 200), http.answer(200, {"ok": 1}))
    assert client.get_json(URL) == {"ok": 1}
    put, get, _call = session.sent
    assert (put["method"], put["url"]) == ("PUT", "http://127.0.0.1:9/meta-data/latest/api/token")
    assert put["headers"]["X-Metadata-Token-Ttl-Seconds"] == "21600"
    assert (get["method"], get["url"]) == ("GET", "http://127.0.0.1:9/openstack/latest/securitykey")
    assert get["headers"]["X-Metadata-Token"] == "meta-token"


@pytest.mark.parametrize("status", [404, 405, 503])
def test_metadata_without_the_token_api_goes_on_at_once(http, status):
    client, session = metadata_client(http, http.answer(status, text="no"), credential(http, 1, T0 + 3600, 200), http.answer(200, {"ok": 1}))
    assert client.get_json(URL) == {"ok": 1}
    assert "X-Metadata-Token" not in session.sent[1]["headers"]
    assert client.retry_events == []


def test_metadata_asks_for_a_token_after_a_401(http):
    client, session = metadata_client(http, http.answer(404, text="no"), http.answer(401, text="Unauthorized"), http.answer(200, text="late"),
                                      credential(http, 1, T0 + 3600, 200), http.answer(200, {"ok": 1}))
    assert client.get_json(URL) == {"ok": 1}
    assert session.sent[3]["headers"]["X-Metadata-Token"] == "late"


def test_metadata_without_an_agency_says_what_to_do(http):
    client, _session = metadata_client(http, http.answer(404, text="no"), http.answer(401, text="Please configure Cloud Service Agency first"))
    with pytest.raises(IdentityError, match="no agency is attached to this ECS"):
        client.get_json(URL)


def test_metadata_unreachable_is_named(http):
    import requests  # pylint: disable=import-outside-toplevel
    refused = requests.exceptions.ConnectionError("refused")
    client, _session = metadata_client(http, refused, refused)
    client.retry.max_retries = 0
    with pytest.raises(IdentityError, match="The ECS metadata service did not give temporary credentials: PUT http://127.0.0.1:9") as info:
        client.get_json(URL)
    assert isinstance(info.value.cause, TransportError)


def test_direct_temporary_credentials_say_when_they_expired(http):
    rejected = http.answer(401, {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information: the temporary access "
                                 "key and security token have expired"}, {"Date": "Sat, 28 Nov 2026 21:17:59 GMT"})
    client, _sleeps = http.client(http.Session(rejected), auth=AkSkAuth("AK", "SK", "ST", "securityToken of profile 'dev' in /c.json"))
    with pytest.raises(APIError) as info:
        client.get_json(URL)
    message = str(info.value)
    assert message.startswith("temporary credentials expired at 2026-11-28T21:17:59Z; they came from securityToken of profile 'dev' "
                              "in /c.json and cannot be renewed here")
    assert "HTTP 401 APIGW.0301" in message and info.value.status == 401


def test_other_401s_of_direct_credentials_are_left_alone(http):
    rejected = http.answer(401, {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information: verify aksk signature fail"})
    client, _sleeps = http.client(http.Session(rejected, rejected), auth=AkSkAuth("AK", "SK", "ST"))
    with pytest.raises(APIError, match="^HTTP 401 APIGW.0301: Incorrect IAM authentication information: verify aksk signature fail"):
        client.get_json(URL)
    client, _sleeps = http.client(http.Session(rejected), auth=AkSkAuth("AK", "SK"))
    with pytest.raises(APIError, match="^HTTP 401"):
        client.get_json(URL)


def test_every_secret_fetched_from_the_metadata_service_reaches_the_client(http):
    session = http.Session(http.answer(200, text="meta-token"), credential(http, 1, T0 + 3600, 200), http.answer(200, {"ok": 1}))
    kept = []
    client, _sleeps = http.client(session, auth=RenewingAkSkAuth(MetadataSource("http://127.0.0.1:9"), clock=WallClock()), on_secret=kept.append)
    client.get_json(URL)
    # The session token as well as the keys: a server may quote any of them in an error message.
    assert kept == ["meta-token", "SKTEMP1", "ST1"]
