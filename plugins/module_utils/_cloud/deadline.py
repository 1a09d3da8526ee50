# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one time limit of a run: made once from ``wait_timeout``, then handed forward as it is.

Requests keep to it through the client's scope (:meth:`HuaweiCloudClient.within`), waits take it
(:func:`wait_for`), and its timeout message is built here and nowhere else.
"""

from __future__ import annotations

import time


class Deadline:
    """An end ``seconds`` from now on ``clock`` (a monotonic clock), what is left of it, and how to say that it passed.

    ``whole_run`` says that ``option`` bounds the whole run whatever else the options say, which the message then tells.
    """

    def __init__(self, seconds: float, clock=time.monotonic, whole_run: bool = False, option: str = "wait_timeout"):
        self.seconds = seconds
        self.clock = clock
        self.end = clock() + seconds
        self.whole_run = whole_run
        self.option = option

    def remaining(self) -> float:
        """Seconds left, never below 0."""
        return max(self.end - self.clock(), 0.0)

    def expired(self) -> bool:
        return self.clock() >= self.end

    def sooner(self, seconds: float) -> Deadline:
        """A deadline ``seconds`` from now, or at this one's end if that comes first (a bounded look inside the run)."""
        return Deadline(min(seconds, self.remaining()), self.clock, self.whole_run, self.option)

    def explain(self, error) -> str:
        """The message of a run that reached the deadline outside any wait (in a lookup or a write): ``error`` says where."""
        return "%s: %s" % (self._timed_out(outside_a_wait=True), error)

    def waiting_for(self, what: str) -> str:
        """The start of the message of a wait that reached the deadline: ``Timed out after 5 s waiting for <what>``."""
        return "%s waiting for %s" % (self._timed_out(outside_a_wait=False), what)

    def _timed_out(self, outside_a_wait: bool) -> str:
        if self.whole_run:
            return "Timed out (%s, %d s, bounds the whole run)" % (self.option, self.seconds)
        return "Timed out after %d s%s" % (self.seconds, " (%s)" % self.option if outside_a_wait else "")
