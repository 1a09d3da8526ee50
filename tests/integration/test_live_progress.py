# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Live progress during wait=true, as the default ansible-playbook output shows it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys

import pytest

from harness.emulator import PROJECT_ID, STATIC_TOKEN  # pylint: disable=import-error
from harness.terminal import Terminal  # pylint: disable=import-error

HERE = os.path.dirname(os.path.abspath(__file__))
CONNECTION_PLUGINS = os.path.join(HERE, "connection_plugins")
BECOME_PLUGINS = os.path.join(HERE, "become_plugins")

PLAYBOOK = """
- name: Gate on a DDM task
  hosts: {hosts}
  gather_facts: false
  tasks:
    - name: Wait for the task
      huaweicloud.cloud.ddm_job_info:
        job_id: "{{{{ job_id }}}}"
        wait: true
        wait_interval: 2
        wait_timeout: 120
        endpoint: "{{{{ endpoint }}}}"
        project_id: "{{{{ project_id }}}}"
{extra}
      register: gate

    - name: Show the final status
      ansible.builtin.debug:
        msg: "final status {{{{ gate.job.status }}}} after {{{{ gate.polls }}}} polls"
"""


def write_playbook(tmp_path, hosts="localhost", extra=""):
    path = tmp_path / "progress.yml"
    path.write_text(PLAYBOOK.format(hosts=hosts, extra=extra), encoding="utf-8")
    return str(path)


def progress_lines(text, job_id):
    return re.findall(r"^\[(\S+)\] DDM job %s \(CreateInstance\): (\w+)( \d+%%)?, (\d+) s elapsed$" % job_id, text, re.MULTILINE)


def run_vars(emulator, job):
    return {"job_id": job["id"], "endpoint": emulator.url, "project_id": PROJECT_ID}


def token_env():
    return {"HW_AUTH_TOKEN": STATIC_TOKEN}


def test_progress_lines_appear_while_the_task_runs(ansible_runner, emulator, tmp_path):
    job = emulator.post_job(duration=3600)
    command = ansible_runner.playbook_command(write_playbook(tmp_path), run_vars(emulator, job))

    terminal = Terminal(command, ansible_runner._env(token_env(), json_output=False))  # pylint: disable=protected-access
    first = terminal.read_until(r"DDM job %s \(CreateInstance\): Running" % job["id"])
    assert first, terminal.text
    # Shown while the module is still waiting on a running task: live, not replayed at the end.
    assert terminal.process.poll() is None, terminal.text
    assert emulator.jobs()[0]["status"] == "Running"
    emulator.post_job(id=job["id"], duration=3, outcome="Completed")

    assert terminal.finish() == 0, terminal.text
    output = terminal.text
    assert "Traceback" not in output
    lines = progress_lines(output, job["id"])
    assert lines[0][1] == "Running" and lines[-1][1] == "Completed", output
    assert all(host == "localhost" for host, _status, _percent, _elapsed in lines)
    # Quiet when nothing changes: one line per change, never two alike in a row.
    assert all(a[1:3] != b[1:3] for a, b in zip(lines, lines[1:]))
    polls = int(re.search(r"final status Completed after (\d+) polls", output).group(1))
    assert len(lines) <= polls


def test_delegate_to_localhost_shows_progress_for_a_remote_inventory_host(ansible_runner, emulator, tmp_path):
    job = emulator.post_job(duration=4, outcome="Completed")
    inventory = tmp_path / "hosts.ini"
    # An SSH host that is never contacted: the task is delegated, and .invalid names never resolve.
    inventory.write_text("db1.example.invalid ansible_connection=ssh\n", encoding="utf-8")
    extra_vars = tmp_path / "vars.json"
    extra_vars.write_text(json.dumps(run_vars(emulator, job)), encoding="utf-8")
    playbook = write_playbook(tmp_path, hosts="all", extra="      delegate_to: localhost")
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(inventory), "-e", "@%s" % extra_vars, playbook]

    run = ansible_runner.run(command, env=token_env(), json_output=False)

    assert run.rc == 0, run
    lines = progress_lines(run.stdout, job["id"])
    assert lines and lines[-1][1] == "Completed", run
    assert lines[0][0] == "db1.example.invalid"


def test_async_wait_works_without_live_lines(ansible_runner, emulator, tmp_path):
    job = emulator.post_job(duration=3, outcome="Completed")
    playbook = write_playbook(tmp_path, extra="      async: 60\n      poll: 1")
    env = dict(token_env(), ANSIBLE_ASYNC_DIR=str(tmp_path / "async"))

    run = ansible_runner.run(ansible_runner.playbook_command(playbook, run_vars(emulator, job)), env=env, json_output=False)

    assert run.rc == 0, run
    assert "final status Completed" in run.stdout
    assert progress_lines(run.stdout, job["id"]) == []


def test_a_module_running_elsewhere_still_waits(ansible_runner, emulator, tmp_path):
    job = emulator.post_job(duration=3, outcome="Completed")
    remote_vars = dict(run_vars(emulator, job), ansible_connection="fake_remote", ansible_python_interpreter=sys.executable)
    command = ansible_runner.playbook_command(write_playbook(tmp_path), remote_vars)

    run = ansible_runner.run(command, env=dict(token_env(), ANSIBLE_CONNECTION_PLUGINS=CONNECTION_PLUGINS), json_output=False)

    assert run.rc == 0, run
    assert "final status Completed" in run.stdout
    assert progress_lines(run.stdout, job["id"]) == []


@pytest.mark.parametrize("extra, in_effect", [
    pytest.param("      no_log: true", "'no_log: true' was specified for this result", id="no_log"),
    # same_user: become without a password or root; the module runs as under any become method.
    pytest.param("      become: true\n      become_method: same_user", "BECOME-SUCCESS-", id="become"),
])
def test_no_progress_where_it_could_leak_or_be_unreadable(ansible_runner, emulator, tmp_path, extra, in_effect):
    # Completed at the first poll: without no_log or become, that one poll shows a line.
    job = emulator.post_job(duration=0, outcome="Completed")
    command = ansible_runner.playbook_command(write_playbook(tmp_path, extra=extra), run_vars(emulator, job), verbosity=3)

    run = ansible_runner.run(command, env=dict(token_env(), ANSIBLE_BECOME_PLUGINS=BECOME_PLUGINS), json_output=False)

    assert run.rc == 0, run
    # -vvv shows that the setting took effect, and the task still registered the job.
    assert in_effect in run.stdout, run
    assert "final status Completed after 1 polls" in run.stdout, run
    assert progress_lines(run.stdout, job["id"]) == []


def test_server_text_in_progress_lines_cannot_drive_the_terminal(ansible_runner, emulator, tmp_path):
    """A task name and process holding escape sequences once cleared the screen, retitled the window and faked output."""
    hostile = "CreateInstance\x1b[2J\x1b[H\x1b]0;owned\x07\nok: [localhost]"
    job = emulator.post_job(name=hostile, timeline=[{"at": 0, "status": "Running", "process": "5\x1b[31m0%"}])
    command = ansible_runner.playbook_command(write_playbook(tmp_path), run_vars(emulator, job))

    terminal = Terminal(command, ansible_runner._env(token_env(), json_output=False))  # pylint: disable=protected-access
    # Seen running first, whatever the machine's load, then finished.
    assert terminal.read_until(r"\): Running 5"), terminal.text
    emulator.post_job(id=job["id"], name=hostile, timeline=[{"at": 0, "status": "Completed"}])
    assert terminal.finish() == 0, terminal.text

    output = terminal.text
    assert "\x1b" not in output and "\x07" not in output, output  # nothing the server sent reaches the terminal raw
    escaped = "DDM job %s (CreateInstance\\x1b[2J\\x1b[H\\x1b]0;owned\\x07\\nok: [localhost]): Running 5\\x1b[31m0%%" % job["id"]
    assert escaped in output, output
    # The only "ok: [localhost]" lines at the start of a line are Ansible's own (the wait and the debug task).
    assert len(re.findall(r"^ok: \[localhost\]", output, re.MULTILINE)) == 2, output


def test_a_task_not_visible_yet_says_so_before_it_appears(ansible_runner, emulator, tmp_path):
    job = emulator.post_job(duration=3600, visible_after=6)
    command = ansible_runner.playbook_command(write_playbook(tmp_path), run_vars(emulator, job))

    terminal = Terminal(command, ansible_runner._env(token_env(), json_output=False))  # pylint: disable=protected-access
    shown = terminal.read_until(r"DDM job %s \(unnamed\): not visible yet, \d+ s elapsed" % job["id"])
    assert shown, terminal.text
    # Said while the task is still hidden, not afterwards.
    assert not re.search(r"DDM job %s \(CreateInstance\)" % job["id"], terminal.text), terminal.text
    assert terminal.read_until(r"DDM job %s \(CreateInstance\): Running" % job["id"]), terminal.text
    emulator.post_job(id=job["id"], duration=1, outcome="Completed")
    assert terminal.finish() == 0, terminal.text


@pytest.mark.parametrize("unbuffered", [True, False], ids=["unbuffered", "buffered"])
def test_a_run_whose_output_is_closed_early_still_ends(ansible_runner, emulator, tmp_path, unbuffered):
    """``ansible-playbook play.yml | head -1``: the reader leaves after one line, and the run must end all the same."""
    job = emulator.post_job(duration=4)
    command = ansible_runner.playbook_command(write_playbook(tmp_path), run_vars(emulator, job))
    env = ansible_runner._env(dict(token_env(), PYTHONUNBUFFERED="1" if unbuffered else ""), json_output=False)  # pylint: disable=protected-access
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=str(tmp_path),
                          start_new_session=True) as process:
        try:
            process.stdout.readline()
            process.stdout.close()  # as `head -1` does once it has its line
            rc = process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise AssertionError("ansible-playbook still runs 90 s after its output was closed: %s" % process.stderr.read().decode())
        stderr = process.stderr.read().decode()
    # It ends. How depends on ansible-core, which may itself fail to flush its output at exit
    # (exit code 120); nothing of the collection fails.
    assert rc is not None and "huaweicloud" not in stderr.split("Traceback", 1)[-1], (rc, stderr)
    # The task really ran to its end: the module polled until the task completed.
    assert any(entry["path"].endswith(job["id"]) for entry in emulator.requests_log())
