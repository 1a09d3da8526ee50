# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller side of live progress: an action plugin base that shows a waiting module's records as lines.

A waiting module's action plugin subclasses :class:`ProgressAction` and says whether the module
waits by default (``wait_default``). Each progress record carries its line, rendered by the module
(the side channel: ``module_utils/_ansible/progress.py``; the DDM records and their wording:
``module_utils/_ddm/progress.py``); the plugin shows it after the host, escaped again, and knows no service.

Live lines need the module to run on the controller (a local connection, such as
``delegate_to: localhost`` or ``connection: local``), without ``async``, ``become`` or
``no_log``. Otherwise the module runs exactly as it would without the plugin, and only its
final result is shown.
"""

from __future__ import annotations

import errno
import os
import select
import stat
import tempfile
import threading

from ansible import constants as C
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

# The collection's module_utils are imported only where a wait shows progress: the collection
# loader compiles them from source in every ansible process, and a task that does not wait
# (an ad-hoc query) never needs them.

display = Display()
POLL_SECONDS = 0.5


def format_progress(host: str, record) -> str | None:
    """The line of a progress record, after the host: ``[host] <line>``; None for a record without a line to show.

    The module renders each line; a progress file could hold anything all the same, so what is
    shown is escaped (control characters, ANSI escape sequences and line breaks as escapes) and cut.
    """
    from ansible_collections.huaweicloud.cloud.plugins.module_utils._ansible.progress import MAX_LINE, shown  # pylint: disable=import-outside-toplevel

    line = record.get("line") if isinstance(record, dict) else None
    if not isinstance(line, str) or not line:
        return None
    return "[%s] %s" % (host, shown(line, MAX_LINE))


def controller_output_closed() -> bool:
    """Whether the reader of the controller's standard output has gone (``ansible-playbook play.yml | head -1``).

    ansible-core shows a worker's display messages in the results thread of the controller, and
    that thread ends for good on a broken pipe: the play then waits for ever for the task's result.
    So no line is sent once the output is closed. Workers of ansible-core 2.19 and later write to
    /dev/null, so the controller's own output (the parent's) is looked at through /proc; where there
    is no /proc, lines are sent as before.
    """
    for path in ("/proc/%d/fd/1" % os.getppid(), "/proc/self/fd/1"):
        try:
            if not stat.S_ISFIFO(os.stat(path).st_mode):
                continue
            handle = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
        except OSError as exc:
            if exc.errno == errno.ENXIO:  # a pipe that nobody reads any more
                return True
            continue
        try:
            poller = select.poll()
            poller.register(handle, select.POLLOUT)
            return any(events & (select.POLLERR | select.POLLHUP) for _fd, events in poller.poll(0))
        finally:
            os.close(handle)
    return False


class ProgressAction(ActionBase):
    """Runs the module and, while it waits, shows its progress records as lines.

    ``wait_default`` is the module's default for ``wait``: progress is shown when the task waits.
    """

    _supports_check_mode = True
    _supports_async = True
    wait_default = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # no longer has any effect
        # As the normal action does. ansible-core 2.21 calls has_native_async obsolete (its
        # _execute_module decides), so a later release may drop it: absent means False.
        wrap_async = bool(self._task.async_val) and not getattr(self._connection, "has_native_async", False)
        if self._can_show_progress(wrap_async):
            module_result = self._execute_with_progress(task_vars)
        else:
            module_result = self._execute_module(task_vars=task_vars, wrap_async=wrap_async)
        result = merge_hash(result, module_result)
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)  # pylint: disable=protected-access
        return result

    def _can_show_progress(self, wrap_async) -> bool:
        # The progress file must be readable here: same machine, same user, no background run.
        waits = boolean(self._task.args.get("wait", self.wait_default), strict=False)
        local = getattr(self._connection, "transport", None) == "local"
        return waits and local and not wrap_async and not self._task.no_log and not self._play_context.become

    def _execute_with_progress(self, task_vars):
        from ansible_collections.huaweicloud.cloud.plugins.module_utils._ansible.progress import PROGRESS_FILE_ENV  # pylint: disable=import-outside-toplevel

        host = (task_vars or {}).get("inventory_hostname", "localhost")
        handle, path = tempfile.mkstemp(prefix="huaweicloud-progress-", dir=C.DEFAULT_LOCAL_TMP)
        os.close(handle)
        stop = threading.Event()
        tail = threading.Thread(target=self._show_progress, args=(path, host, stop), daemon=True)
        environment = self._task.environment if isinstance(self._task.environment, list) else [self._task.environment or {}]
        self._task.environment = environment + [{PROGRESS_FILE_ENV: path}]
        tail.start()
        try:
            return self._execute_module(task_vars=task_vars)
        finally:
            self._task.environment = environment
            stop.set()
            tail.join()
            os.unlink(path)

    @staticmethod
    def _show_progress(path, host, stop):
        from ansible_collections.huaweicloud.cloud.plugins.module_utils._ansible.progress import read_new_records  # pylint: disable=import-outside-toplevel

        with open(path, encoding="utf-8") as progress:
            while True:
                finished = stop.wait(POLL_SECONDS)
                records = read_new_records(progress)
                if records and controller_output_closed():
                    return  # nobody reads the lines: sending one would stop the play (see controller_output_closed)
                for line in filter(None, (format_progress(host, record) for record in records)):
                    display.display(to_text(line))
                if finished:
                    return
