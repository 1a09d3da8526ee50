# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile text from the server or from credential sources: escaped in every message, never a crash, never unbounded.

ansible-core 2.19 and later print a failure's ``msg`` and warnings as they are, so server text in
them once drove the terminal (cleared it, retitled it, printed a fake ``ok: [localhost]``). A lone
surrogate (``\\ud800``, which JSON can carry) once crashed the signer, or made the controller refuse
the whole result. Huge task names once grew the progress file by megabytes per poll.
"""

from __future__ import annotations

import glob
import json
import os
import re

from cases import token_case  # pylint: disable=import-error
from ddm_instance_cases import CREATE, FAST  # pylint: disable=import-error
from harness.emulator import (  # pylint: disable=import-error
    ACCESS_KEY, AGENCY_DOMAIN_NAME, AGENCY_NAME, PROJECT_ID, REGION, SECRET_KEY, STATIC_TOKEN,
)
from harness.terminal import Terminal  # pylint: disable=import-error

HOSTILE = "CreateInstance\x1b[2J\x1b[H\x1b]0;owned\x07\nok: [localhost]"
# What a user sees instead: every control character as an escape.
SHOWN = "CreateInstance\\x1b[2J\\x1b[H\\x1b]0;owned\\x07\\nok: [localhost]"
REASON = "quota\x1b[31m\x07\nok: [localhost] changed"
REASON_SHOWN = "quota\\x1b[31m\\x07\\nok: [localhost] changed"
UNSIGNABLE = "The secret key is not valid Unicode text (it holds a lone surrogate), so the request cannot be signed (the value is not shown)"
LIST_PATH = "/jobs$"  # the task list only (a task's own path ends with its id)


def _list_item(job, status, **fields):
    """A task as the task list shows it (the emulator's shape), with another status."""
    instance = job.get("instance") or {}
    return dict({"id": job["id"], "name": job.get("name"), "status": status, "created_time": job["created_time"], "end_time": "",
                 "process": "", "instance_id": instance.get("id"), "instance_name": instance.get("name"), "fail_reason": "",
                 "database_name": "", "operations": []}, **fields)


def _task(name, module, options):
    return {"name": name, module: dict(options, endpoint="{{ endpoint }}", project_id="{{ project_id }}"), "ignore_errors": True}


def test_server_text_in_messages_and_warnings_cannot_drive_the_terminal(ansible_runner, emulator, tmp_path):
    """Every module's messages and warnings, with the default callback on a terminal: no escape character reaches it."""
    failed = emulator.post_job(name=HOSTILE, outcome="Failed", fail_reason=REASON)
    running = emulator.post_job(name=HOSTILE, timeline=[{"at": 0, "status": "Running", "process": "5\x1b[31m0%"}])
    twice = emulator.post_job(outcome="Completed")
    emulator.instance_settings(**FAST)
    emulator.fail_next("create", fail_reason=REASON)
    tasks = [
        _task("An instance whose creation fails", "huaweicloud.cloud.ddm_instance", dict(CREATE, name="ddm-hostile-01", wait_interval=1)),
        _task("One task that fails", "huaweicloud.cloud.ddm_job_info", {"job_id": failed["id"], "wait": True, "wait_interval": 1}),
        _task("One task that times out", "huaweicloud.cloud.ddm_job_info", {"job_id": running["id"], "wait": True, "wait_interval": 1,
                                                                            "wait_timeout": 2}),
        _task("Many tasks", "huaweicloud.cloud.ddm_job_info", {"job_ids": [twice["id"], failed["id"]], "wait": True, "wait_interval": 1}),
    ]
    playbook = tmp_path / "hostile.yml"
    playbook.write_text(json.dumps([{"name": "Hostile server text", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]), encoding="utf-8")
    command = ansible_runner.playbook_command(str(playbook), {"endpoint": emulator.url, "project_id": PROJECT_ID})

    terminal = Terminal(command, ansible_runner._env({"HW_AUTH_TOKEN": STATIC_TOKEN}, json_output=False))  # pylint: disable=protected-access
    # Once the instance's task has been looked up in the list: the list shows a task of the group twice, with different
    # statuses (one of them hostile), and a warning quotes them.
    assert terminal.read_until(r"^TASK \[One task that fails\]"), terminal.text
    emulator.add_fault(method="GET", path=LIST_PATH, count=50, status=200,
                       json={"total": 3, "jobs": [_list_item(twice, "Running\x1b[2J\x07"), _list_item(twice, "Completed"),
                                                  _list_item(failed, "Failed", fail_reason=REASON)]})
    assert terminal.finish() == 0, terminal.text

    output = terminal.text
    assert "\x1b" not in output and "\x07" not in output, output  # nothing the server sent reaches the terminal raw
    assert not re.search(r"^ok: \[localhost\]", output, re.MULTILINE), output  # no fake result line: every task failed
    assert "Traceback" not in output
    messages = [line for line in output.splitlines() if line.startswith(("[ERROR]", "[WARNING]"))]
    expected = [
        "DDM job %s (%s) on instance" % (failed["id"], SHOWN),  # a failed task: its name and reason
        "ended with status Failed: %s" % REASON_SHOWN,
        "Timed out after 2 s waiting for DDM job %s (%s)" % (running["id"], SHOWN),  # a timeout: its name and progress
        "progress 5\\x1b[31m0%",
        "1 of 2 DDM jobs did not succeed: DDM job %s (%s)" % (failed["id"], SHOWN),  # a group
        "read on their own: %s (Completed, Running\\x1b[2J\\x07)" % twice["id"],  # a warning
        "ddm-hostile-01",  # ddm_instance: its creation task's reason
    ]
    for text in expected:
        assert any(text in line for line in messages), (text, messages)
    assert sum(REASON_SHOWN in line for line in messages if line.startswith("[ERROR]")) >= 3, messages


def test_lone_surrogates_in_server_text_are_shown_escaped(ansible_runner, emulator):
    """A surrogate in a task name once made the controller refuse the whole result ("Refusing to deserialize an invalid UTF8 string")."""
    named = emulator.post_job(name="Create\ud800Instance")
    failed = emulator.post_job(name="Create\udfffInstance", outcome="Failed", fail_reason="quota\ud800")
    cases = [token_case(emulator, "read", job_id=named["id"]),
             token_case(emulator, "failed wait", job_id=failed["id"], wait=True, wait_interval=1),
             token_case(emulator, "many", job_ids=[named["id"], failed["id"]])]

    results = ansible_runner.run_cases(cases)[0]

    assert results["read"].get("failed") is not True and results["read"]["job"]["name"] == "Create\\ud800Instance", results["read"]
    wait = results["failed wait"]
    assert wait["failed"] is True and wait["job"]["fail_reason"] == "quota\\ud800", wait
    assert wait["msg"] == "DDM job %s (Create\\udfffInstance) on instance %s (%s) ended with status Failed: quota\\ud800" % (
        failed["id"], failed["instance"]["name"], failed["instance"]["id"])
    assert [job["name"] for job in results["many"]["jobs"]] == ["Create\\ud800Instance", "Create\\udfffInstance"], results["many"]


def test_a_secret_that_is_not_unicode_text_fails_cleanly_and_unseen(ansible_runner, emulator, tmp_path):
    """A lone surrogate in a secret key from a config file, the metadata service or IAM once crashed the signer."""
    secret = "SKhostile\ud800zzqv"
    issued = {"credential": {"access": "AKTEMPHOSTILE0000000", "secret": secret, "securitytoken": "hostile-token",
                             "expires_at": "2099-01-01T00:00:00.000000Z"}}
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"current": "dev", "profiles": [{"name": "dev", "mode": "AKSK", "accessKeyId": ACCESS_KEY,
                                                                  "secretAccessKey": secret}]}), encoding="utf-8")
    config.chmod(0o600)
    base = {"HW_DDM_ENDPOINT": emulator.url, "HW_AUTH_URL": emulator.url, "HW_METADATA_ENDPOINT": emulator.url, "HW_PROJECT_ID": PROJECT_ID}
    sources = {
        "shared config file": ({"HW_SHARED_CONFIG_FILE": str(config)}, None),
        "metadata service": ({"HW_USE_ECS_METADATA": "true"}, ("GET", "/openstack/latest/securitykey$", 200)),
        "IAM (agency)": ({"HW_ACCESS_KEY": ACCESS_KEY, "HW_SECRET_KEY": SECRET_KEY, "HW_REGION_NAME": REGION,
                          "HW_ASSUME_ROLE_AGENCY_NAME": AGENCY_NAME, "HW_ASSUME_ROLE_DOMAIN_NAME": AGENCY_DOMAIN_NAME},
                         ("POST", "/v3.0/OS-CREDENTIAL/securitytokens$", 201)),
    }
    job = emulator.post_job()
    for source, (env, fault) in sources.items():
        emulator.clear_faults()
        emulator.configure_metadata(agency=True)
        if fault:
            emulator.add_fault(method=fault[0], path=fault[1], status=fault[2], json=issued, count=5)

        run = ansible_runner.adhoc("job_id=%s" % job["id"], env=dict(base, **env))  # no traceback: checked by the runner

        result = run.result()
        assert run.rc != 0 and result.get("failed") is True, (source, run)
        if source == "shared config file":  # refused as the file is read (not plain keys), else by the signer
            assert result["msg"] == UNSIGNABLE or "does not look like plain keys" in result["msg"], (source, result)
        else:
            assert result["msg"] == UNSIGNABLE, (source, result)
        for fragment in ("SKhostile", "zzqv"):
            assert fragment not in run.stdout + run.stderr, (source, run)
        # The request was never sent: nothing reached the DDM API.
        assert not [entry for entry in emulator.requests_log() if entry["path"].endswith(job["id"])], source


def test_huge_task_names_keep_the_progress_file_and_lines_small(ansible_runner, emulator, tmp_path):
    """A task name of 900 KB whose progress changes at every poll once grew the progress file by as much per poll (138 MB in 25 s)."""
    name = "CreateInstance" + "n" * 900 * 1024
    job = emulator.post_job(name=name, duration=100)  # one per cent more each second: a new record at every poll
    local_tmp = tmp_path / "local-tmp"
    playbook = tmp_path / "huge.yml"
    playbook.write_text(json.dumps([{"name": "Huge task names", "hosts": "localhost", "gather_facts": False, "tasks": [
        _task("Wait on a task with a huge name", "huaweicloud.cloud.ddm_job_info",
              {"job_id": job["id"], "wait": True, "wait_interval": 1, "wait_timeout": 8})]}]), encoding="utf-8")
    command = ansible_runner.playbook_command(str(playbook), {"endpoint": emulator.url, "project_id": PROJECT_ID})
    env = {"HW_AUTH_TOKEN": STATIC_TOKEN, "ANSIBLE_LOCAL_TEMP": str(local_tmp)}

    terminal = Terminal(command, ansible_runner._env(env, json_output=False))  # pylint: disable=protected-access
    sizes = []
    while terminal.process.poll() is None:
        terminal.read_until(r"(?!)", timeout=0.3)  # read for a while
        sizes += [os.path.getsize(path) for path in glob.glob(str(local_tmp / "**" / "huaweicloud-progress-*"), recursive=True)
                  if os.path.exists(path)]
    assert terminal.finish() == 0, terminal.text[-2000:]

    assert sizes and max(sizes) < 16 * 1024, max(sizes or [0])
    lines = re.findall(r"^\[localhost\] DDM job %s \(CreateInstance(n*)\.\.\.\): Running (\d+)%%, \d+ s elapsed$" % job["id"],
                       terminal.text, re.MULTILINE)
    assert len(lines) >= 3, terminal.text[-3000:]
    assert all(len("CreateInstance" + shown) == 200 for shown, _percent in lines)
