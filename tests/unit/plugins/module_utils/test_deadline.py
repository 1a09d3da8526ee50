# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run's one deadline: what is left of it, a bounded look inside it, and its timeout messages."""

from __future__ import annotations

from ansible_collections.huaweicloud.cloud.plugins.module_utils._cloud.deadline import Deadline


def test_it_knows_its_end_and_what_is_left_on_its_clock(clock):
    deadline = Deadline(30, clock)
    assert deadline.end == 130.0 and deadline.remaining() == 30.0 and not deadline.expired()
    clock.sleep(29.5)
    assert deadline.remaining() == 0.5 and not deadline.expired()
    clock.sleep(1)
    assert deadline.remaining() == 0.0 and deadline.expired()


def test_a_bounded_look_never_ends_after_the_deadline(clock):
    deadline = Deadline(100, clock)
    assert deadline.sooner(30).seconds == 30 and deadline.sooner(30).end == 130.0
    clock.sleep(90)
    look = deadline.sooner(30)
    assert look.seconds == 10.0 and look.end == deadline.end
    clock.sleep(20)
    assert deadline.sooner(30).seconds == 0.0


def test_timeout_messages():
    waiting, whole_run = Deadline(5), Deadline(1800, whole_run=True)
    assert waiting.explain("GET x: no answer") == "Timed out after 5 s (wait_timeout): GET x: no answer"
    assert waiting.waiting_for("DDM job j1") == "Timed out after 5 s waiting for DDM job j1"
    assert whole_run.explain("GET x: no answer") == "Timed out (wait_timeout, 1800 s, bounds the whole run): GET x: no answer"
    assert whole_run.waiting_for("DDM job j1") == "Timed out (wait_timeout, 1800 s, bounds the whole run) waiting for DDM job j1"
