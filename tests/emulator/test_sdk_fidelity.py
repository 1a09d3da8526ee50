# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fidelity check: the official Huawei Cloud SDK, a client written elsewhere, talks to the emulator.

The SDK signs, sends and parses exactly as it does against the real service, so these tests
catch any drift of the emulator's signature check or response shapes from the real API.
"""

from __future__ import annotations

import importlib
import time

import pytest

from harness import emulator as harness
from harness.emulator import ACCESS_KEY, PROJECT_ID, SECRET_KEY

pytest.importorskip("huaweicloudsdkddm")


@pytest.fixture(scope="module")
def sdk(tmp_path_factory):
    """The SDK modules, imported with HOME in a temporary directory (the SDK writes ~/.huaweicloud)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(tmp_path_factory.mktemp("sdk-home")))
        names = ("huaweicloudsdkcore.http.user_agent", "huaweicloudsdkcore.auth.credentials", "huaweicloudsdkcore.http.http_config",
                 "huaweicloudsdkcore.region.region", "huaweicloudsdkcore.exceptions.exceptions", "huaweicloudsdkddm.v1")
        modules = {name.rsplit(".", 1)[-1]: importlib.import_module(name) for name in names}
        yield modules


def build_client(sdk, url, credentials=None, region=False):
    config = sdk["http_config"].HttpConfig.get_default_config()
    config.ignore_ssl_verification = True
    config.timeout = (5, 10)
    builder = sdk["v1"].DdmClient.new_builder().with_http_config(config)
    builder = builder.with_credentials(credentials or sdk["credentials"].BasicCredentials(ACCESS_KEY, SECRET_KEY, PROJECT_ID))
    if region:
        # The region only feeds project-id discovery; the IAM endpoint is the emulator too.
        return builder.with_region(sdk["region"].Region(harness.REGION, url)).build()
    return builder.with_endpoints([url]).build()


def show(sdk, client, job_id):
    return client.show_ddm_job_result(sdk["v1"].ShowDdmJobResultRequest(job_id=job_id))


@pytest.fixture(params=["auto", "builtin"])
def target(request, emulator_process, builtin_emulator):
    process = emulator_process if request.param == "auto" else builtin_emulator
    process.reset()
    return process


def test_sdk_show_job_is_accepted_and_parsed(sdk, target):
    job = target.post_job(name="EnlargeNode", instance={"id": "a48e43ff268f4c0e879652d65e63d0fbin09", "name": "DDM-test"}, duration=60)
    response = show(sdk, build_client(sdk, target.url), job["id"])
    model = response.job
    assert isinstance(model, sdk["v1"].JobInfo)
    assert (model.id, model.name, model.status) == (job["id"], "EnlargeNode", "Running")
    assert model.process.endswith("%")
    assert model.created_time == job["created_time"]
    assert model.end_time == ""
    assert (model.instance.id, model.instance.name) == ("a48e43ff268f4c0e879652d65e63d0fbin09", "DDM-test")
    logged = target.api_requests(job["id"])[-1]
    assert logged["auth"] == "aksk" and logged["status"] == 200 and logged["access_key"] == ACCESS_KEY


def test_sdk_list_tasks(sdk, target):
    failed = target.post_job(outcome="Failed", fail_reason="node unreachable", database_name="orders", operations=["toBeRetried"])
    now = int(time.time() * 1000)
    request = sdk["v1"].ListTasksRequest(start_time=now - 3600 * 1000, end_time=now + 1000, offset=0, limit=128)
    response = build_client(sdk, target.url).list_tasks(request)
    assert response.total == len(response.jobs) >= 1
    item = [job for job in response.jobs if job.id == failed["id"]][0]
    assert isinstance(item, sdk["v1"].JobItem)
    assert (item.status, item.fail_reason, item.database_name, item.operations) == ("Failed", "node unreachable", "orders", ["toBeRetried"])
    assert item.end_time and item.instance_id


def test_sdk_list_tasks_with_float_times_is_rejected(sdk, target):
    now = int(time.time() * 1000)
    request = sdk["v1"].ListTasksRequest(start_time=float(now - 3600 * 1000), end_time=float(now))
    with pytest.raises(sdk["exceptions"].ClientRequestException) as caught:
        build_client(sdk, target.url).list_tasks(request)
    assert caught.value.status_code == 400
    assert caught.value.error_code.startswith("DBS.")


def test_sdk_wrong_secret_key_gets_gateway_error(sdk, target):
    credentials = sdk["credentials"].BasicCredentials(ACCESS_KEY, "SKwrongwrongwrongwrongwrongwrongwrongwrong", PROJECT_ID)
    with pytest.raises(sdk["exceptions"].ClientRequestException) as caught:
        show(sdk, build_client(sdk, target.url, credentials), harness.DEMO_JOB_IDS["completed"])
    error = caught.value
    assert error.status_code == 401
    assert error.error_code == "APIGW.0301"
    assert "signature" in error.error_msg
    assert error.request_id == target.api_requests("/jobs/")[-1]["request_id"]


def test_sdk_unknown_job(sdk, target):
    with pytest.raises(sdk["exceptions"].ClientRequestException) as caught:
        show(sdk, build_client(sdk, target.url), "no-such-job")
    assert (caught.value.status_code, caught.value.error_code, caught.value.error_msg) == (400, "DBS.300400", "The task is not found.")


def test_sdk_temporary_credentials(sdk, target):
    job = target.post_job()
    credentials = sdk["credentials"].BasicCredentials(harness.TEMP_ACCESS_KEY, harness.TEMP_SECRET_KEY, PROJECT_ID)
    credentials.with_security_token(harness.SECURITY_TOKEN)
    assert show(sdk, build_client(sdk, target.url, credentials), job["id"]).job.status == "Completed"
    logged = target.api_requests(job["id"])[-1]
    assert logged["headers"]["X-Security-Token"] == "***"


def test_sdk_discovers_project_id_through_iam(sdk, target):
    job = target.post_job()
    # The SDK caches discovered project ids per AK and region for the whole process.
    sdk["credentials"].Credentials._CACHE.clear()  # pylint: disable=protected-access
    credentials = sdk["credentials"].BasicCredentials(ACCESS_KEY, SECRET_KEY).with_iam_endpoint(target.url)
    client = build_client(sdk, target.url, credentials, region=True)
    assert credentials.project_id == PROJECT_ID
    assert show(sdk, client, job["id"]).job.id == job["id"]
    lookups = target.api_requests("/v3/projects")
    assert lookups and lookups[-1]["params"] == {"name": harness.REGION} and lookups[-1]["status"] == 200


def test_sdk_sees_throttling(sdk, target):
    target.set_ratelimit(1, 30)
    client = build_client(sdk, target.url)
    job = target.post_job()
    show(sdk, client, job["id"])
    # The SDK's transport retries a 429 itself and then reports a bare "429"; the gateway body is in the log.
    with pytest.raises(sdk["exceptions"].ClientRequestException) as caught:
        show(sdk, client, job["id"])
    assert caught.value.status_code == 429
    statuses = [entry["status"] for entry in target.api_requests(job["id"])]
    assert statuses[0] == 200 and set(statuses[1:]) == {429}


def test_sdk_parses_the_newer_task_shapes(sdk, target):
    """UUID ids, non-zero offsets, end_time on running tasks, ToBeSwitched with its operations."""
    running = target.post_job(duration=600, utc_offset="+0800", running_end_time="expected")
    switching = target.post_job(timeline=[{"at": 0, "status": "ToBeSwitched"}], operations=["toBeSwitched"], utc_offset="-0530",
                                running_end_time="created")
    client = build_client(sdk, target.url)
    model = show(sdk, client, running["id"]).job
    assert (model.id, model.status, model.end_time) == (running["id"], "Running", running["end_time"]) and model.end_time.endswith("+0800")
    now = int(time.time() * 1000)
    listed = client.list_tasks(sdk["v1"].ListTasksRequest(start_time=now - 3600 * 1000, end_time=now + 1000))
    assert listed.limit == 10  # the documented default page size
    item = [job for job in listed.jobs if job.id == switching["id"]][0]
    assert (item.status, item.operations, item.end_time) == ("ToBeSwitched", ["toBeSwitched"], item.created_time)
    assert item.created_time.endswith("-0530")


def test_sdk_does_not_see_a_task_before_it_is_visible(sdk, target):
    job = target.post_job(visible_after=30)
    with pytest.raises(sdk["exceptions"].ClientRequestException) as caught:
        show(sdk, build_client(sdk, target.url), job["id"])
    assert (caught.value.status_code, caught.value.error_code) == (400, "DBS.300400")


def test_sdk_reads_a_service_error_on_a_500(sdk, target):
    target.add_fault(path="/jobs$", status=500, json={"error_code": "DBS.280001", "error_msg": "Parameter error."})
    now = int(time.time() * 1000)
    with pytest.raises(sdk["exceptions"].ServerResponseException) as caught:
        build_client(sdk, target.url).list_tasks(sdk["v1"].ListTasksRequest(start_time=now - 1000, end_time=now))
    assert (caught.value.status_code, caught.value.error_code, caught.value.error_msg) == (500, "DBS.280001", "Parameter error.")
