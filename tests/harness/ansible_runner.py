# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real ``ansible`` / ``ansible-playbook`` runs against the installed collection, with an explicit environment.

Every process sees only the installed copy of the collection and the variables given here:
nothing leaks in from the caller's environment or configuration.
"""

from __future__ import annotations

import collections
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

from .playbooks import CASES_TASK, DEFAULT_MODULE, cases_playbook, fqcn, module_package

HARNESS_DIR = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(HARNESS_DIR)
PLAYBOOKS = os.path.join(TESTS_DIR, "integration", "playbooks")
CALLBACKS = os.path.join(TESTS_DIR, "integration", "callback_plugins")
# The ansible binaries of the Python environment running the tests.
BIN_DIR = os.path.dirname(sys.executable)
# The module a method runs when not told which (``module=``: a FQCN, or a bare name of this collection).
MODULE = DEFAULT_MODULE
MODULE_PACKAGE = module_package(MODULE)
RUN_TIMEOUT = 180
RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)
FATAL = re.compile(r"^fatal: \[([^\]]+)\]: FAILED! => (.*)$", re.MULTILINE)


class AnsibleRun:
    """One finished ansible process: exit code, output, and (with the JSON callback) the task results."""

    def __init__(self, command, rc, stdout, stderr, json_output):
        self.command = command
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.json_output = json_output
        self._data = None

    @property
    def data(self):
        """The JSON callback's document; None for runs with the default callback (read stdout)."""
        if not self.json_output:
            return None
        if self._data is None:
            # Verbose lines (-v) can precede the document; the callback prints it last, starting at column 0.
            start = self.stdout.find('{\n  "plays"')
            assert start >= 0, "no JSON document in the output of %r" % self
            self._data = json.loads(self.stdout[start:])
        return self._data

    @property
    def output(self):
        return self.stdout + self.stderr

    def tasks(self):
        """(task name, {host: result}) for every task of every play, in order."""
        return [(task["task"]["name"], task["hosts"]) for play in self.data["plays"] for task in play["tasks"]]

    def result(self, task_name=None):
        """The localhost result of the named task (default: the only module task of an ad-hoc run)."""
        matches = [hosts["localhost"] for name, hosts in self.tasks() if "localhost" in hosts and (task_name is None or name == task_name)]
        assert matches, "no result for task %r in %s" % (task_name, [name for name, _hosts in self.tasks()])
        return matches[-1]

    def recap(self):
        """{host: (ok, failed, unreachable)} from the PLAY RECAP of a run with the default callback."""
        return {match.group(1): (int(match.group(2)), int(match.group(5)), int(match.group(4))) for match in RECAP.finditer(self.stdout)}

    def failures(self):
        """'host: message' for every failed task of a run with the default callback."""
        return ["%s: %s" % (match.group(1), _fatal_message(match.group(2))) for match in FATAL.finditer(self.stdout)]

    def __repr__(self):
        return "AnsibleRun(rc=%s)\n--- command: %s\n--- stdout:\n%s\n--- stderr:\n%s" % (self.rc, self.command, self.stdout, self.stderr)


class MeasuredRun(AnsibleRun):
    """A run with its wall time and the resource usage of its whole process tree."""

    def __init__(self, command, finished, json_output, label=None):
        super().__init__(command, finished.rc, finished.stdout, finished.stderr, json_output)
        self.label = label
        self.wall = finished.wall
        self.timed_out = finished.timed_out
        self.cpu_user = finished.usage.ru_utime
        self.cpu_sys = finished.usage.ru_stime
        # Linux reports kilobytes: the peak of the largest single process of the tree.
        self.maxrss_mb = finished.usage.ru_maxrss / 1024.0

    @property
    def cpu(self):
        return self.cpu_user + self.cpu_sys


def _fatal_message(text):
    try:
        return json.loads(text).get("msg", text)
    except ValueError:
        return text[:300]


_Finished = collections.namedtuple("_Finished", "rc stdout stderr wall usage timed_out")


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _execute(command, cwd, env, timeout):
    """Run ``command`` to completion in its own process group; on timeout, kill the whole group.

    os.wait4 gives the CPU time and peak RSS of exactly this process and the descendants it waited
    for (Ansible's workers, the modules). Output goes to files: a full pipe would block the run.
    """
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as out, \
            tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as err:
        start = time.monotonic()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
        expired = threading.Event()

        def expire():
            expired.set()
            _kill_group(process.pid)

        watchdog = threading.Timer(timeout, expire)
        watchdog.start()
        try:
            _pid, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            _kill_group(process.pid)
            process.wait()
            raise
        finally:
            watchdog.cancel()
        wall = time.monotonic() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return _Finished(process.returncode, out.read(), err.read(), wall, usage, expired.is_set())


def _check_clean_output(run):
    # A traceback must never reach users, whatever the outcome.
    assert "Traceback" not in run.stdout, run
    assert "Traceback" not in run.stderr, run


def _options(check, verbosity):
    return (["--check"] if check else []) + (["-" + "v" * verbosity] if verbosity else [])


class Ansible:
    """Runs ansible and ansible-playbook against localhost with a clean, explicit environment."""

    def __init__(self, collections_path, workdir, env=None):
        """``env`` adds to the explicit environment of every run; a None value removes a variable."""
        self.collections_path = collections_path
        self.workdir = workdir
        home = os.path.join(workdir, "home")
        os.makedirs(home, exist_ok=True)
        config = os.path.join(workdir, "ansible.cfg")
        with open(config, "w", encoding="utf-8") as handle:
            handle.write("[defaults]\n")
        self.base_env = {
            "PATH": os.pathsep.join((BIN_DIR, "/usr/bin", "/bin")),
            "HOME": home,
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "ANSIBLE_CONFIG": config,
            "ANSIBLE_HOME": os.path.join(home, ".ansible"),
            "ANSIBLE_COLLECTIONS_PATH": collections_path,
            "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
            "ANSIBLE_CALLBACK_PLUGINS": CALLBACKS,
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        }
        for key, value in (env or {}).items():
            if value is None:
                self.base_env.pop(key, None)
            else:
                self.base_env[key] = str(value)
        self._counter = 0

    @staticmethod
    def binary(name):
        return os.path.join(BIN_DIR, name)

    def _env(self, env, json_output):
        merged = dict(self.base_env)
        if json_output:
            merged.update(ANSIBLE_STDOUT_CALLBACK="json_results", ANSIBLE_LOAD_CALLBACK_PLUGINS="1")
        merged.update({key: str(value) for key, value in (env or {}).items()})
        return merged

    def _file(self, stem, suffix, text):
        self._counter += 1
        path = os.path.join(self.workdir, "%s-%d%s" % (stem, self._counter, suffix))
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return path

    def _vars_file(self, extra_vars):
        data = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
        data.update(extra_vars or {})
        return self._file("vars", ".json", json.dumps(data))

    def _inventory(self, hosts):
        """``localhost,``, or an INI inventory of {host name: {variable: value}}."""
        if hosts is None:
            return "localhost,"
        lines = [" ".join([name] + ["%s=%s" % item for item in sorted((host_vars or {}).items())]) for name, host_vars in hosts.items()]
        return self._file("inventory", ".ini", "\n".join(lines) + "\n")

    def adhoc_command(self, module_args, check=False, verbosity=0, module=MODULE):
        command = [os.path.join(BIN_DIR, "ansible"), "localhost", "-i", "localhost,", "-e", "@" + self._vars_file(None),
                   "-m", fqcn(module), "-a", module_args]
        return command + _options(check, verbosity)

    def playbook_command(self, playbook, extra_vars=None, check=False, verbosity=0, hosts=None, forks=None):
        """``hosts`` ({name: {variable: value}}) replaces the single localhost; every host runs locally."""
        path = playbook if os.path.isabs(playbook) else os.path.join(PLAYBOOKS, playbook)
        command = [os.path.join(BIN_DIR, "ansible-playbook"), "-i", self._inventory(hosts), "-e", "@" + self._vars_file(extra_vars), path]
        return command + _options(check, verbosity) + (["--forks", str(forks)] if forks else [])

    def run(self, command, env=None, json_output=True, timeout=RUN_TIMEOUT):
        run = self.measure(command, timeout=timeout, env=env, json_output=json_output)
        assert not run.timed_out, "timed out after %s s: %r" % (timeout, run)
        _check_clean_output(run)
        return run

    def measure(self, command, timeout=RUN_TIMEOUT, env=None, json_output=False, label=None):
        """Run to completion (the process group is killed after ``timeout``); return a MeasuredRun."""
        return MeasuredRun(command, _execute(command, self.workdir, self._env(env, json_output), timeout), json_output, label)

    def module_alone(self, module_args, package=None, timeout=RUN_TIMEOUT, label=None, module=MODULE):
        """A module's own process, without Ansible around it: python -m <package> <args file>, measured.

        ``package`` (a Python module name) defaults to the one of ``module``.
        """
        command = [sys.executable, "-m", package or module_package(module), self._file("args", ".json", json.dumps({"ANSIBLE_MODULE_ARGS": module_args}))]
        return self.measure(command, timeout, {"PYTHONPATH": self.collections_path}, label=label)

    def start(self, command, env=None, json_output=True):
        """Start a run in the background (to act on the emulator meanwhile); finish it with :meth:`finish`."""
        process = subprocess.Popen(command, cwd=self.workdir, env=self._env(env, json_output), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return process, command, json_output

    @staticmethod
    def finish(started):
        process, command, json_output = started
        stdout, stderr = process.communicate(timeout=RUN_TIMEOUT)
        run = AnsibleRun(command, process.returncode, stdout, stderr, json_output)
        _check_clean_output(run)
        return run

    def adhoc(self, module_args, env=None, json_output=True, check=False, verbosity=0, module=MODULE):
        return self.run(self.adhoc_command(module_args, check, verbosity, module), env, json_output)

    def playbook(self, playbook, extra_vars=None, env=None, json_output=True, check=False, verbosity=0):
        return self.run(self.playbook_command(playbook, extra_vars, check, verbosity), env, json_output)

    def cases_command(self, cases, defaults=None, check=False, verbosity=0, module=MODULE):
        """The command that runs ``module`` once per item of ``cases`` (see :mod:`harness.playbooks`).

        ``defaults`` reach every case through the play variable case_defaults, out of the printed loop items.
        """
        variables = {"cases": cases, "case_defaults": defaults or {}}
        return self.playbook_command(cases_playbook(self.workdir, module), variables, check, verbosity)

    def run_cases(self, cases, defaults=None, env=None, check=False, verbosity=0, module=MODULE):
        """Run ``module`` over ``cases`` (dicts of its options plus a ``case`` label) in one ansible-playbook run.

        Returns ({case label: item result}, the task-level result); see :func:`case_results`.
        """
        return case_results(self.run(self.cases_command(cases, defaults, check, verbosity, module), env), cases)


def case_results(run, cases):
    """({case label: item result}, the task-level result) of a finished cases run; every case ran, in order."""
    assert run.rc == 0, run
    task = run.result(CASES_TASK)
    assert [item["item"]["case"] for item in task["results"]] == [case["case"] for case in cases]
    return {item["item"]["case"]: item for item in task["results"]}, task
