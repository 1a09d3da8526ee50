# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A hard time limit on a block of code, even one blocked in a socket read.

Socket timeouts bound each read, not a whole answer: a server that trickles one byte a
second keeps every read short and an answer going for ever. A real-time timer
(``SIGALRM``) interrupts whatever the block is doing once the limit passes. Signals
reach only the main thread; elsewhere the limit is not enforced and only the socket
timeouts apply.
"""

from __future__ import annotations

import contextlib
import signal
import threading


class TimeLimitExpired(Exception):
    """The time limit passed inside the block.

    Deliberately not an OSError or TimeoutError, which HTTP libraries catch and retry.
    """


def can_interrupt() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise :class:`TimeLimitExpired` in the block once ``seconds`` have passed."""
    if not can_interrupt():
        yield
        return
    if seconds <= 0:
        raise TimeLimitExpired()

    def expire(signum, frame):  # pylint: disable=unused-argument
        raise TimeLimitExpired()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)
