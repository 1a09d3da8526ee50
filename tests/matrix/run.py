# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ansible-core matrix: the built collection on every ansible-core it claims (``scripts/test.sh matrix``).

    python tests/matrix/run.py [--only 2.16 2.21] [--jobs N]
    python tests/matrix/run.py --bin-dir oldest|newest|2.16   (prints that version's venv bin directory)

For each line of ``versions.txt``: a virtual environment with that ansible-core on its controller
Python (cached, see ``venvs.py``), the tarball installed with that version's ``ansible-galaxy``,
then five checks against the emulator, with the modules running on the target Python:

- ``doc``: ``ansible-doc`` renders the module from the installed copy;
- ``adhoc``: ``ansible -m`` reads a completed task (token from the environment);
- ``wait``: the shipped example playbook waits on a running task, on a terminal, and shows
  progress lines while it runs (AK/SK, project found by region through ``module_defaults``);
- ``list``: a playbook lists one instance's tasks (IAM password) and reports the modules' Python;
- ``rescue``: the example playbook on a task that fails: its ``rescue`` branch reports the task.

Every check also fails on a warning, a deprecation warning or a traceback in the output.
Prints a table of what ran where; exits 1 when a check failed or a Python was missing.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid

MATRIX_DIR = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(MATRIX_DIR)
REPO_ROOT = os.path.dirname(TESTS_DIR)
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)
if MATRIX_DIR not in sys.path:
    sys.path.insert(0, MATRIX_DIR)

# pylint: disable=wrong-import-position,import-error
from harness.ansible_runner import Ansible  # noqa: E402
from harness.collection import build_and_install  # noqa: E402
from harness.emulator import (ACCESS_KEY, DOMAIN_NAME, PROJECT_ID, REGION, SECRET_KEY, STATIC_TOKEN, USER_NAME, USER_PASSWORD,  # noqa: E402
                              EmulatorProcess)
from harness.terminal import Terminal  # noqa: E402
from venvs import MissingPython, VenvError, cached_venv, find_python  # noqa: E402
# pylint: enable=wrong-import-position,import-error

VERSIONS_FILE = os.path.join(MATRIX_DIR, "versions.txt")
WORKDIR = os.path.join(REPO_ROOT, "build", "matrix")
CHECKS = ("doc", "adhoc", "wait", "list", "rescue")
MODULE = "huaweicloud.cloud.ddm_job_info"
EXAMPLE = "ansible_collections/huaweicloud/cloud/examples/gate_on_instance_creation.yml"
FAIL_REASON = "Insufficient ECS capacity for the selected flavor."
# Where the supported range is stated for users: they must agree with versions.txt.
CLAIM_DOCS = ("README.md", os.path.join("docs", "user-guide.md"))
# Output no check may contain, whatever its outcome.
NOISE = re.compile(r"^.*(\[WARNING\]|\[DEPRECATION WARNING\]|Traceback \(most recent call last\)).*$", re.MULTILINE)


class CheckFailed(AssertionError):
    """A check saw something other than what it expects."""


def expect(condition, message, run=None):
    if not condition:
        raise CheckFailed(message + ("\n" + _tail(run) if run is not None else ""))


def _tail(run, lines=25):
    text = run if isinstance(run, str) else "rc=%s\n%s%s" % (run.rc, run.stdout, run.stderr)
    return "\n".join(text.splitlines()[-lines:])


def expect_clean(text):
    noise = NOISE.findall(text)
    expect(not noise, "unexpected output:\n" + "\n".join(noise[:5]))


def output_of(run):
    return run if isinstance(run, str) else "$ %s\nrc=%s\n--- stdout\n%s--- stderr\n%s" % (" ".join(run.command), run.rc, run.stdout, run.stderr)


def read_versions(path=VERSIONS_FILE):
    """[(ansible-core version, controller Python minor)], and the target Python minor."""
    rows, target = [], None
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            fields = line.split("#", 1)[0].split()
            if not fields:
                continue
            if len(fields) != 2 or not re.fullmatch(r"3\.\d+", fields[1]):
                raise ValueError("%s: cannot read %r" % (path, line.strip()))
            if fields[0] == "target":
                target = fields[1]
            elif re.fullmatch(r"2\.\d+\.\d+", fields[0]):
                rows.append((fields[0], fields[1]))
            else:
                raise ValueError("%s: %r is not an ansible-core version" % (path, fields[0]))
    if target is None or not rows:
        raise ValueError("%s needs ansible-core lines and a 'target' line" % path)
    return rows, target


def minor(version):
    return ".".join(version.split(".")[:2])


def core_venv(core, python_minor):
    """(Venv, created) with ansible-core ``core`` on the newest Python ``python_minor`` here."""
    return cached_venv(find_python(python_minor), ["ansible-core==%s" % core], "ansible-core-%s" % minor(core))


def claim_problem(rows, root=REPO_ROOT):
    """Why the claims (requires_ansible, README.md, docs/user-guide.md) differ from the tested minors, or None."""
    minors = sorted({int(core.split(".")[1]) for core, _python in rows})
    if minors != list(range(minors[0], minors[-1] + 1)):
        return "%s skips a minor between 2.%d and 2.%d" % (os.path.relpath(VERSIONS_FILE, REPO_ROOT), minors[0], minors[-1])
    tested = ">=2.%d.0,<2.%d.0" % (minors[0], minors[-1] + 1)
    with open(os.path.join(root, "meta", "runtime.yml"), encoding="utf-8") as handle:
        found = re.search(r"^requires_ansible:\s*[\"']?([^\"'\n]+)", handle.read(), re.MULTILINE)
    claimed = found.group(1).strip() if found else None
    if claimed != tested:
        return "meta/runtime.yml claims requires_ansible %r but %s tests %r" % (claimed, os.path.relpath(VERSIONS_FILE, REPO_ROOT), tested)
    for doc in CLAIM_DOCS:
        with open(os.path.join(root, doc), encoding="utf-8") as handle:
            text = handle.read()
        unnamed = [core for core, _python in rows if not re.search(r"(?<![\d.])%s(?!\.?\d)" % re.escape(core), text)]
        if tested not in text or unnamed:
            return "%s must state requires_ansible %r and name the tested versions%s" % (doc, tested, (" (lacks %s)" % ", ".join(unnamed)) if unnamed else "")
    return None


class Outcome:
    """What happened to one ansible-core version: its environment and each check's result and time."""

    def __init__(self, core, python_minor):
        self.core = core
        self.python_minor = python_minor
        self.controller = None  # the controller Python's full version
        self.venv = "-"
        self.results = {}  # check -> "pass", "FAIL" or "MISSING" (no controller Python)
        self.seconds = 0.0
        self.errors = []

    @property
    def passed(self):
        return bool(self.results) and all(result == "pass" for result in self.results.values())

    def fail_all(self, label, message):
        self.results = {check: label for check in CHECKS}
        self.errors.append(message)


class VersionRun:
    """The checks of one ansible-core version, with its own installed collection and Ansible environment."""

    def __init__(self, bin_dir, collections_path, workdir, target, emulator):
        self.bin_dir = bin_dir
        self.target = target
        target_python = target.python
        self.emulator = emulator
        self.collections_path = collections_path
        self.ansible = Ansible(collections_path, workdir)
        # This version's binaries, and the modules on the target Python.
        self.ansible.base_env.update(PATH=os.pathsep.join((bin_dir, "/usr/bin", "/bin")), ANSIBLE_PYTHON_INTERPRETER=target_python)
        self.workdir = workdir
        self.vars_file = os.path.join(workdir, "vars.json")
        with open(self.vars_file, "w", encoding="utf-8") as handle:
            json.dump({"ansible_connection": "local", "ansible_python_interpreter": target_python}, handle)

    def log(self, check, run):
        """Keep what a check's process printed in build/matrix/<version>/<check>.log."""
        with open(os.path.join(self.workdir, check + ".log"), "a", encoding="utf-8") as handle:
            handle.write(output_of(run) + "\n")

    def run(self, check, command, env=None, json_output=True):
        run = self.ansible.run(command, env=env, json_output=json_output)
        self.log(check, run)
        return run

    def command(self, binary, *args):
        return [os.path.join(self.bin_dir, binary), "-i", "localhost,", "-e", "@" + self.vars_file] + list(args)

    def example_vars(self, job_id, instance_id):
        return ["-e", json.dumps({"ddm_create_job_id": job_id, "ddm_instance_id": instance_id, "hw_region": REGION,
                                  "hw_ddm_endpoint": self.emulator.url, "hw_iam_endpoint": self.emulator.url,
                                  "ddm_wait_timeout": 120})]

    def example(self):
        return os.path.join(self.collections_path, EXAMPLE)

    def new_instance(self):
        return {"id": uuid.uuid4().hex + "in09", "name": "ddm-matrix"}

    # ------------------------------------------------------------------ checks

    def check_doc(self):
        run = self.run("doc", [os.path.join(self.bin_dir, "ansible-doc"), "-t", "module", MODULE], json_output=False)
        expect(run.rc == 0, "ansible-doc failed", run)
        expect(os.path.join(self.collections_path, "ansible_collections/huaweicloud/cloud/plugins/modules/ddm_job_info.py") in run.stdout,
               "ansible-doc did not read the installed collection", run)
        for section in ("OPTIONS", "EXAMPLES", "RETURN VALUES"):
            expect(re.search("^" + section, run.stdout, re.MULTILINE), "ansible-doc shows no %s section" % section, run)
        expect_clean(run.output)

    def check_adhoc(self):
        job = self.emulator.post_job(name="CreateInstance", duration=0, outcome="Completed", instance=self.new_instance())
        run = self.run("adhoc", self.command("ansible", "localhost", "-m", MODULE, "-a",
                                             "job_id=%s endpoint=%s project_id=%s" % (job["id"], self.emulator.url, PROJECT_ID)),
                       env={"HW_AUTH_TOKEN": STATIC_TOKEN})
        expect(run.rc == 0, "the ad-hoc query failed", run)
        result = run.result()
        expect(result["job"]["id"] == job["id"] and result["job"]["status"] == "Completed", "wrong task: %s" % result.get("job"), run)
        expect(result["changed"] is False, "an _info module reported a change", run)
        expect_clean(run.output)

    def check_wait(self):
        instance = self.new_instance()
        job = self.emulator.post_job(name="CreateInstance", duration=3600, instance=instance)
        command = self.command("ansible-playbook", *self.example_vars(job["id"], instance["id"])) + [self.example()]
        terminal = Terminal(command, dict(self.ansible.base_env, HW_ACCESS_KEY=ACCESS_KEY, HW_SECRET_KEY=SECRET_KEY), cwd=self.workdir)
        line = r"^\[localhost\] DDM job %s \(CreateInstance\): %%s( \d+%%%%)?, \d+ s elapsed$" % job["id"]
        try:
            running = terminal.read_until(line % "Running", timeout=90)
            # Shown while the module still waits on a running task: live, not replayed at the end.
            still_waiting = terminal.process.poll() is None
        finally:
            # The task completes a second later, whatever was seen: the play never hangs.
            self.emulator.post_job(id=job["id"], name="CreateInstance", duration=1, outcome="Completed", instance=instance)
            rc = terminal.finish(timeout=120)
            self.log("wait", "$ %s\nrc=%s\n%s" % (" ".join(command), rc, terminal.text))
        expect(running, "no progress line while the task ran", terminal.text)
        expect(still_waiting, "the playbook ended before the task did", terminal.text)
        expect(rc == 0, "the playbook failed (rc %s) on a task that completes" % rc, terminal.text)
        expect(re.search(line % "Completed", terminal.text, re.MULTILINE), "no progress line for the completion", terminal.text)
        expect("Configuring DDM instance ddm-matrix (%s)" % instance["id"] in terminal.text, "the play did not go on", terminal.text)
        expect_clean(terminal.text)

    def check_list(self):
        instance = self.new_instance()
        ids = {self.emulator.post_job(name=name, duration=0, outcome="Completed", instance=instance)["id"]
               for name in ("CreateInstance", "EnlargeNode", "RestartInstance")}
        self.emulator.post_job(name="CreateInstance", duration=0, outcome="Completed", instance=self.new_instance())
        env = {"HW_USER_NAME": USER_NAME, "HW_USER_PASSWORD": USER_PASSWORD, "HW_DOMAIN_NAME": DOMAIN_NAME, "HW_AUTH_URL": self.emulator.url}
        list_vars = {"ddm_instance_id": instance["id"], "hw_endpoint": self.emulator.url, "hw_project_id": PROJECT_ID}
        run = self.run("list", self.command("ansible-playbook", "-e", json.dumps(list_vars), os.path.join(MATRIX_DIR, "list_jobs.yml")), env=env)
        expect(run.rc == 0, "the list playbook failed", run)
        listed = run.result("List the tasks of the instance")["jobs"]
        expect({job["id"] for job in listed} == ids, "listed %s, expected %s" % (sorted(job["id"] for job in listed), sorted(ids)), run)
        python = run.result("Read the Python the modules run on")["ansible_facts"]["ansible_python"]
        ran_on = "%s (%d.%d.%d)" % (python["executable"], python["version"]["major"], python["version"]["minor"], python["version"]["micro"])
        expect(ran_on == "%s (%s)" % (self.target.python, self.target.version), "the modules ran on %s, not on the target Python" % ran_on, run)
        expect_clean(run.output)

    def check_rescue(self):
        instance = self.new_instance()
        job = self.emulator.post_job(name="CreateInstance", duration=1, outcome="Failed", fail_reason=FAIL_REASON, instance=instance)
        run = self.run("rescue", self.command("ansible-playbook", *self.example_vars(job["id"], instance["id"])) + [self.example()],
                       env={"HW_ACCESS_KEY": ACCESS_KEY, "HW_SECRET_KEY": SECRET_KEY})
        # The rescue branch reports the task, then stops the play on purpose: a failed host.
        expect(run.rc == 2, "expected exit code 2 (a failed host) after the rescue", run)
        shown = run.result("Show the creation task's last known state")["msg"]
        expect(shown["task"]["id"] == job["id"] and shown["task"]["status"] == "Failed", "the rescue saw %s" % shown, run)
        expect(FAIL_REASON in shown["why"], "the failure does not give the task's failure reason: %s" % shown["why"], run)
        expect(run.result("Stop, the instance is not usable").get("failed") is True, "the play did not stop", run)
        expect("Configure the instance" not in [name for name, _hosts in run.tasks()], "the play configured a failed instance", run)
        expect_clean(run.output)


def galaxy_install(bin_dir, tarball, workdir):
    """Install the tarball with this version's ansible-galaxy; return the collections path."""
    collections_path = os.path.join(workdir, "collections")
    env = {"PATH": os.pathsep.join((bin_dir, "/usr/bin", "/bin")), "HOME": workdir, "LANG": "C.UTF-8",
           "ANSIBLE_HOME": os.path.join(workdir, ".ansible"), "PYTHONDONTWRITEBYTECODE": "1"}
    completed = subprocess.run([os.path.join(bin_dir, "ansible-galaxy"), "collection", "install", "--offline", "-p", collections_path, tarball],
                               cwd=workdir, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300, check=False)
    manifest = os.path.join(collections_path, "ansible_collections", "huaweicloud", "cloud", "MANIFEST.json")
    if completed.returncode != 0 or not os.path.isfile(manifest):
        raise CheckFailed("ansible-galaxy collection install failed:\n%s%s" % (completed.stdout, completed.stderr))
    return collections_path


def run_version(outcome, tarball, target, emulator):
    try:
        start = time.monotonic()
        venv, created = core_venv(outcome.core, outcome.python_minor)
        outcome.venv = "%s %.0f s" % ("created" if created else "reused", time.monotonic() - start)
        outcome.controller = venv.version
        workdir = os.path.join(WORKDIR, outcome.core)
        os.makedirs(workdir)
        collections_path = galaxy_install(venv.bin_dir, tarball, workdir)
    except MissingPython as exc:
        outcome.fail_all("MISSING", str(exc))
        return outcome
    except (VenvError, CheckFailed, OSError, subprocess.SubprocessError) as exc:
        outcome.fail_all("FAIL", "setup: %s" % exc)
        return outcome
    checks = VersionRun(venv.bin_dir, collections_path, workdir, target, emulator)
    for check in CHECKS:
        start = time.monotonic()
        try:
            getattr(checks, "check_" + check)()
            outcome.results[check] = "pass"
        except Exception as exc:  # pylint: disable=broad-except
            # Any error is this check's failure; the table reports it and the next check runs.
            outcome.results[check] = "FAIL"
            outcome.errors.append("%s: %s: %s" % (check, type(exc).__name__, exc))
        outcome.seconds += time.monotonic() - start
    return outcome


def table(outcomes, target):
    header = ["ansible-core", "controller", "target", "venv"] + list(CHECKS) + ["checks (s)"]
    rows = [[o.core, "Python %s" % (o.controller or o.python_minor), "Python %s" % target, o.venv]
            + [o.results.get(check, "-") for check in CHECKS] + ["%.1f" % o.seconds] for o in outcomes]
    widths = [max(len(str(row[i])) for row in [header] + rows) for i in range(len(header))]
    return "\n".join("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip() for row in [header] + rows)


def print_bin_dir(rows, wanted):
    """Print the bin directory of one version's venv (created when needed), for scripts to run its tools."""
    by_version = sorted(rows, key=lambda row: [int(part) for part in row[0].split(".")])
    named = {"oldest": by_version[0], "newest": by_version[-1]}
    row = named.get(wanted) or next((row for row in rows if minor(row[0]) == wanted), None)
    if row is None:
        sys.exit("matrix: no ansible-core %s in %s" % (wanted, VERSIONS_FILE))
    try:
        venv, _created = core_venv(*row)
    except (MissingPython, VenvError) as exc:
        sys.exit("matrix: FAILED: %s" % exc)
    print(venv.bin_dir)
    return 0


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--only", nargs="+", metavar="MINOR", help="only these ansible-core minors, such as 2.16 2.21")
    parser.add_argument("--jobs", type=int, default=1, help="ansible-core versions checked at once (default 1)")
    parser.add_argument("--bin-dir", metavar="MINOR", help="only print the bin directory of this version's venv (oldest, newest or a minor)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        rows, target_minor = read_versions()
    except (OSError, ValueError) as exc:
        sys.exit("matrix: FAILED: %s" % exc)
    if args.bin_dir:
        return print_bin_dir(rows, args.bin_dir)
    # The claim is checked on the full list, whatever --only selects.
    problem = claim_problem(rows)
    if problem:
        sys.exit("matrix: FAILED: " + problem)
    if args.only:
        rows = [row for row in rows if minor(row[0]) in args.only]
        if not rows:
            sys.exit("matrix: no ansible-core version in %s matches %s" % (VERSIONS_FILE, " ".join(args.only)))
    started = time.monotonic()
    shutil.rmtree(WORKDIR, ignore_errors=True)
    os.makedirs(WORKDIR)
    try:
        target_venv, created = cached_venv(find_python(target_minor), ["-r", os.path.join(REPO_ROOT, "requirements.txt")],
                                           "target", requirement_files=[os.path.join(REPO_ROOT, "requirements.txt")])
    except (MissingPython, VenvError) as exc:
        sys.exit("matrix: FAILED: no target Python: %s" % exc)
    print("matrix: modules run on Python %s (%s, %s)" % (target_venv.version, target_venv.python, "created" if created else "reused"), flush=True)
    os.makedirs(os.path.join(WORKDIR, "build"))
    try:
        tarball = build_and_install(REPO_ROOT, os.path.join(WORKDIR, "build")).tarball
    except (AssertionError, RuntimeError) as exc:
        sys.exit("matrix: FAILED: the collection did not build: %s" % exc)
    print("matrix: built %s" % os.path.basename(tarball), flush=True)
    outcomes = [Outcome(core, python_minor) for core, python_minor in rows]
    with EmulatorProcess() as emulator, concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_version, outcome, tarball, target_venv, emulator) for outcome in outcomes]
        for future in concurrent.futures.as_completed(futures):
            outcome = future.result()
            print("matrix: ansible-core %s: %s" % (outcome.core, "passed" if outcome.passed else "FAILED"), flush=True)
    print("\n" + table(outcomes, target_venv.version))
    failed = [outcome for outcome in outcomes if not outcome.passed]
    for outcome in failed:
        print("\n!!! ansible-core %s on Python %s:" % (outcome.core, outcome.controller or outcome.python_minor))
        for error in outcome.errors:
            print("    " + error.replace("\n", "\n    "))
    checks = sum(len(outcome.results) for outcome in outcomes)
    bad = sum(1 for outcome in outcomes for result in outcome.results.values() if result != "pass")
    print("\nmatrix: %d ansible-core versions, %d checks in %.0f s: %d passed, %d failed"
          % (len(outcomes), checks, time.monotonic() - started, checks - bad, bad))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
