# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scripted HTTP answers for the client and the service layers: no network, real client code."""

from __future__ import annotations

import io
import json
import types

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.auth import TokenAuth
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.client import HuaweiCloudClient
from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.retry import RetryPolicy


def answer(status=200, body=None, headers=None, text=None):
    """A streamed response, as the client receives it from requests."""
    response = requests.Response()
    response.status_code = status
    response.headers = CaseInsensitiveDict(headers or {})
    data = text if text is not None else json.dumps(body if body is not None else {})
    response.raw = io.BytesIO(data.encode() if isinstance(data, str) else data)
    return response


class ScriptedSession:
    """Plays back answers (or raises exceptions) in order and records what was sent."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent = []
        self.auth = None

    def request(self, method, url, **kwargs):
        self.sent.append(dict(kwargs, method=method, url=url))
        item = self.answers.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


class FakeClock:
    """``time.monotonic`` and ``time.sleep`` on a simulated clock."""

    def __init__(self, now=0.0):
        self.now = now
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


def make_client(session, auth=None, max_retries=5, clock=None, **kwargs):
    """A real client on a scripted session whose pauses move ``clock`` on (the clock of the deadlines it is given); returns
    (client, the pauses it slept)."""
    clock = clock or FakeClock()
    client = HuaweiCloudClient(auth or TokenAuth("tok"), iam_url="https://iam.example.invalid", region=kwargs.pop("region", "cn-north-4"),
                               project_id=kwargs.pop("project_id", "pid"), retry=RetryPolicy(max_retries=max_retries, rng=lambda: 1.0),
                               session=session, sleep=clock.sleep, **kwargs)
    return client, clock.sleeps


@pytest.fixture
def clock():
    """A simulated clock at 100 s: ``clock()`` reads it, ``clock.sleep()`` moves it on."""
    return FakeClock(100.0)


@pytest.fixture
def http():
    """``http.answer(...)``, ``http.Session(*answers)``, ``http.client(session, ...)`` and ``http.Clock()``."""
    return types.SimpleNamespace(answer=answer, Session=ScriptedSession, client=make_client, Clock=FakeClock)
