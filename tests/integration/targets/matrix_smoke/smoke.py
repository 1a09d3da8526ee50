# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Smoke checks of the installed collection with the ansible-core under test, against the run's emulator.

What each ansible-core of the matrix (tox-ansible.ini) proves beyond the other targets:

- ``doc``: ``ansible-doc`` renders a module from the installed copy;
- ``adhoc``: ``ansible -m huaweicloud.cloud.ddm_job_info`` reads a completed task (token from the environment);
- ``wait``: the shipped example ``examples/gate_on_instance_creation.yml`` waits on a running task on a
  pseudo-terminal and shows progress lines while it runs (AK/SK from the environment);
- ``list``: ``list_jobs.yml`` lists one instance's tasks (IAM password from the environment);
- ``rescue``: the example on a task that fails: its ``rescue`` branch reports the task and stops the play.

No command may print a warning, a deprecation warning or a traceback.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

MODULE = "huaweicloud.cloud.ddm_job_info"
MODULE_FILE = "ansible_collections/huaweicloud/cloud/plugins/modules/ddm_job_info.py"
EXAMPLE = "examples/gate_on_instance_creation.yml"
FAIL_REASON = "Insufficient ECS capacity for the selected flavor."
# The IAM user the emulator seeds (tests/emulator/ddm_emulator/identities.py); its name and domain come from the control API.
EMULATOR_USER_PASSWORD = "Emulator-Passw0rd!"
NOISE = re.compile(r"^.*(\[WARNING\]|\[DEPRECATION WARNING\]|Traceback \(most recent call last\)).*$", re.MULTILINE)
# No proxy between the checks and the loopback emulator.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class CheckFailed(AssertionError):
    """A check saw something other than what it expects."""


def expect(condition, message, output=None):
    if not condition:
        raise CheckFailed(message + ("\n--- output (end)\n" + "\n".join(output.splitlines()[-30:]) if output else ""))


def expect_clean(output):
    noise = NOISE.findall(output)
    expect(not noise, "unexpected output: " + "; ".join(noise[:5]), output)


class Smoke:
    """The checks, with the settings ansible-test hands the targets (tests/integration/integration_config.yml)."""

    def __init__(self, config, terminal):
        self.terminal = terminal  # harness.terminal.Terminal: a command's output on a pseudo-terminal
        self.url = config["huaweicloud_emulator_url"].rstrip("/")
        self.project_id = config["huaweicloud_project_id"]
        self.region = config["huaweicloud_region"]
        self.access_key = config["huaweicloud_access_key"]
        self.secret_key = config["huaweicloud_secret_key"]
        self.prefix = config["huaweicloud_resource_prefix"]
        self.python = os.environ.get("ANSIBLE_TEST_PYTHON_INTERPRETER", sys.executable)
        self.env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
        # ansible-test points ANSIBLE_PLAYBOOK_DIR into the collection, which makes ad-hoc commands warn
        # "running with default collection"; a user's commands run from a directory of their own.
        self.env.pop("ANSIBLE_PLAYBOOK_DIR", None)
        self.cwd = tempfile.mkdtemp(prefix="matrix-smoke-")
        for name in ("HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_AUTH_TOKEN", "HW_USER_NAME", "HW_USER_PASSWORD", "HW_DOMAIN_NAME", "HW_AUTH_URL"):
            self.env.pop(name, None)
        self.host_vars = json.dumps({"ansible_connection": "local", "ansible_python_interpreter": self.python})
        self.collection = None
        self.version = "?"

    # ---------------------------------------------------------------- helpers

    def control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request("%s/_emulator/%s" % (self.url, path), data=data, method=method, headers={"Content-Type": "application/json"})
        with OPENER.open(request, timeout=30) as answer:
            return json.loads(answer.read().decode("utf-8") or "{}")

    def post_job(self, **spec):
        return self.control("POST", "jobs", spec)["job"]

    def new_instance(self):
        return {"id": uuid.uuid4().hex + "in09", "name": "%s-matrix-smoke" % self.prefix}

    def run(self, command, env=None):
        """(exit code, stdout and stderr) of an Ansible command; its output is echoed for the test log."""
        print("$ " + " ".join(command), flush=True)
        completed = subprocess.run(command, env=dict(self.env, **(env or {})), cwd=self.cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, timeout=600, check=False)
        print(completed.stdout, flush=True)
        return completed.returncode, completed.stdout

    def ansible(self, binary, *args):
        return [binary, "-i", "localhost,", "-e", self.host_vars] + list(args)

    def example(self, job_id, instance_id):
        extra = {"ddm_create_job_id": job_id, "ddm_instance_id": instance_id, "hw_region": self.region,
                 "hw_ddm_endpoint": self.url, "hw_iam_endpoint": self.url, "ddm_wait_timeout": 120}
        return self.ansible("ansible-playbook", "-e", json.dumps(extra), os.path.join(self.collection, EXAMPLE))

    # ---------------------------------------------------------------- checks

    def check_doc(self):
        rc, output = self.run(["ansible-doc", "-t", "module", MODULE])
        expect(rc == 0, "ansible-doc failed", output)
        found = re.search(r"(/\S+)/" + re.escape(MODULE_FILE), output)
        expect(found, "ansible-doc does not say where it read the module", output)
        installed = [path.rstrip("/") for path in self.env.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if path]
        expect(found.group(1).rstrip("/") in installed, "ansible-doc read %s, not the installed copy in %s" % (found.group(0), installed), output)
        for section in ("OPTIONS", "EXAMPLES", "RETURN VALUES"):
            expect(re.search("^" + section, output, re.MULTILINE), "ansible-doc shows no %s section" % section, output)
        expect_clean(output)
        _rc, version = self.run(["ansible", "--version"])
        core = re.search(r"^ansible \[core [^\]]+\]", version, re.MULTILINE)
        self.version = core.group(0) if core else "ansible-core ?"
        self.collection = os.path.join(found.group(1), "ansible_collections/huaweicloud/cloud")

    def check_adhoc(self):
        token = "%s-matrix-smoke-%s" % (self.prefix, uuid.uuid4().hex)
        self.control("POST", "tokens", {"token": token, "project_id": self.project_id})
        job = self.post_job(name="CreateInstance", duration=0, outcome="Completed", instance=self.new_instance())
        rc, output = self.run(self.ansible("ansible", "localhost", "-m", MODULE, "-a", "job_id=%s endpoint=%s project_id=%s"
                                           % (job["id"], self.url, self.project_id)), env={"HW_AUTH_TOKEN": token})
        expect(rc == 0, "the ad-hoc query failed", output)
        expect("=>" in output, "the ad-hoc query printed no result", output)
        result = json.loads(output.split("=>", 1)[1])
        expect(result["job"]["id"] == job["id"] and result["job"]["status"] == "Completed", "wrong task: %s" % result.get("job"), output)
        expect(result["changed"] is False, "an _info module reported a change", output)
        expect_clean(output)

    def check_wait(self):
        instance = self.new_instance()
        job = self.post_job(name="CreateInstance", duration=3600, instance=instance)
        command = self.example(job["id"], instance["id"])
        line = r"^\[localhost\] DDM job %s \(CreateInstance\): %%s( \d+%%%%)?, \d+ s elapsed\r?$" % job["id"]
        print("$ " + " ".join(command) + "   (on a pseudo-terminal)", flush=True)
        terminal = self.terminal(command, dict(self.env, HW_ACCESS_KEY=self.access_key, HW_SECRET_KEY=self.secret_key), self.cwd)
        try:
            running = terminal.read_until(line % "Running", timeout=90)
            # Shown while the module still waits on a running task: live, not replayed at the end.
            still_waiting = terminal.process.poll() is None
        finally:
            # The task completes a second later, whatever was seen: the play never hangs.
            self.post_job(id=job["id"], name="CreateInstance", duration=1, outcome="Completed", instance=instance)
            rc = terminal.finish(timeout=120)
            print(terminal.text, flush=True)
        expect(running, "no progress line while the task ran", terminal.text)
        expect(still_waiting, "the playbook ended before the task did", terminal.text)
        expect(rc == 0, "the playbook failed (rc %s) on a task that completes" % rc, terminal.text)
        expect(re.search(line % "Completed", terminal.text, re.MULTILINE), "no progress line for the completion", terminal.text)
        expect("Configuring DDM instance %s (%s)" % (instance["name"], instance["id"]) in terminal.text, "the play did not go on", terminal.text)
        expect_clean(terminal.text)

    def check_list(self):
        identities = self.control("GET", "info")
        instance = self.new_instance()
        ids = [self.post_job(name=name, duration=0, outcome="Completed", instance=instance)["id"]
               for name in ("CreateInstance", "EnlargeNode", "RestartInstance")]
        self.post_job(name="CreateInstance", duration=0, outcome="Completed", instance=self.new_instance())
        env = {"HW_USER_NAME": identities["user_name"], "HW_USER_PASSWORD": EMULATOR_USER_PASSWORD, "HW_DOMAIN_NAME": identities["domain_name"],
               "HW_AUTH_URL": self.url}
        list_vars = {"ddm_instance_id": instance["id"], "hw_endpoint": self.url, "hw_project_id": self.project_id, "expected_job_ids": ids}
        rc, output = self.run(self.ansible("ansible-playbook", "-e", json.dumps(list_vars), os.path.abspath("list_jobs.yml")), env=env)
        expect(rc == 0, "the list playbook failed", output)
        expect("modules ran on %s (%s)" % (self.python, os.environ.get("ANSIBLE_TEST_PYTHON_VERSION", "")) in output,
               "the modules did not run on %s" % self.python, output)
        expect_clean(output)

    def check_rescue(self):
        instance = self.new_instance()
        job = self.post_job(name="CreateInstance", duration=1, outcome="Failed", fail_reason=FAIL_REASON, instance=instance)
        rc, output = self.run(self.example(job["id"], instance["id"]), env={"HW_ACCESS_KEY": self.access_key, "HW_SECRET_KEY": self.secret_key})
        # The rescue branch reports the task, then stops the play on purpose: a failed host.
        expect(rc == 2, "expected exit code 2 (a failed host) after the rescue, not %s" % rc, output)
        shown = output.partition("TASK [Show the creation task's last known state]")[2].partition("TASK [")[0]
        expect(job["id"] in shown and '"status": "Failed"' in shown, "the rescue did not show the failed task", output)
        expect(FAIL_REASON in shown, "the rescue does not give the task's failure reason", output)
        stop = output.partition("TASK [Stop, the instance is not usable]")[2].partition("PLAY RECAP")[0]
        expect(re.search(r"^fatal: \[localhost\]: FAILED!", stop, re.MULTILINE), "the play did not stop", output)
        expect("TASK [Configure the instance]" not in output, "the play configured a failed instance", output)
        expect_clean(output)


def harness_tests_dir():
    """The collection's ``tests`` folder, which holds the shared harness (tests/harness): ansible-test runs this
    target from a copy inside the collection (tests/output/.tmp/integration/...), so it is above the working directory."""
    here = os.getcwd()
    while not os.path.isfile(os.path.join(here, "harness", "terminal.py")):
        parent = os.path.dirname(here)
        if parent == here:
            sys.exit("matrix_smoke: no tests/harness above %s: run the target from the collection's tests/integration" % os.getcwd())
        here = parent
    return here


def main():
    config_path = os.path.join(os.path.dirname(os.path.dirname(os.getcwd())), "integration_config.yml")
    if not os.path.isfile(config_path):
        sys.exit("matrix_smoke: %s is missing: run the targets through scripts/integration.sh" % config_path)
    with open(config_path, encoding="utf-8") as handle:
        config = json.load(handle)  # scripts/integration.sh writes it as JSON, which is YAML
    if config.get("huaweicloud_integration_mode") != "emulator":
        print("matrix_smoke: skipped: its checks drive the emulator's control API")
        return 0
    sys.path.insert(0, harness_tests_dir())
    smoke = Smoke(config, importlib.import_module("harness.terminal").Terminal)
    failed = []
    try:
        for check in ("doc", "adhoc", "wait", "list", "rescue"):
            start = time.monotonic()
            try:
                getattr(smoke, "check_" + check)()
                print("matrix_smoke: %s passed (%.1f s)" % (check, time.monotonic() - start), flush=True)
            except Exception as exc:  # pylint: disable=broad-except
                # Any error is this check's failure; the next check still runs (wait and rescue need doc's path).
                failed.append(check)
                print("matrix_smoke: %s FAILED: %s: %s" % (check, type(exc).__name__, exc), flush=True)
    finally:
        shutil.rmtree(smoke.cwd, ignore_errors=True)
    outcome = "FAILED: " + " ".join(failed) if failed else "every check passed"
    print("matrix_smoke: %s, Python %s: %s" % (smoke.version, os.environ.get("ANSIBLE_TEST_PYTHON_VERSION", "?"), outcome))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
