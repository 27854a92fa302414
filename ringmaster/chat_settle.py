"""The end of a script's chat: what it started is seen to its end before the process exits.

A chat fed from a pipe reaches the end of its input as soon as the script has written its
lines, and a run the chat has reported as going (a review decided elsewhere whose resumed run
is on another process or a worker, a turn released from behind its review) may not have
finished then. Exiting there would leave the script without the outcome, so the chat says
what it waits for, waits — looking at the thread as its watcher does — until those runs have
finished or RINGMASTER_CHAT_WAIT_SECONDS pass, and then says, one line each, what is still
not finished. A turn waiting for a review nobody has decided is not waited for: that can take
hours, and the turn's outcome already said so.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from ringmaster.cli_options import SHORT_ID, command

if TYPE_CHECKING:
    from ringmaster.cli_chat import Chat

# However rarely the watcher looks (RINGMASTER_CHAT_POLL_SECONDS), the end-of-input wait looks
# at least this often: it is what the script is blocked on.
LOOK_SECONDS = 0.5


def in_motion(session: Chat) -> list[dict[str, Any]]:
    """The turns the chat reported as going that have not finished: `{turn, review_ids}` for
    one whose reviews were decided (its resumed run is to finish), `{turn, released}` for one
    no longer held behind its reviews that has not run yet."""
    if session.thread is None:
        return []
    going: list[dict[str, Any]] = [
        {"turn": turn, "review_ids": sorted(ids)} for turn, ids in sorted(session.decided.items())
    ]
    still_held = {j.turn for j in session.runner.jobs.held(session.thread)}
    going += [{"turn": t, "released": True} for t in sorted(session.held - still_held)]
    return going


def _what(going: dict[str, Any]) -> str:
    if going.get("released"):
        return f"turn {going['turn']} (released from behind its review)"
    ids = ", ".join(i[:SHORT_ID] for i in going["review_ids"])
    return f"turn {going['turn']} (review {ids} decided, its run resumed)"


def settle(session: Chat, wait: float, every: float) -> None:
    """At the end of piped input: report what lands until nothing the chat reported as going
    is unfinished, or `wait` seconds pass; then one `pending` line for each turn still going."""
    with session.lock:
        session.catch_up()
        going = in_motion(session)
    if not going:
        return
    session.say(
        "waiting",
        f"end of input: waiting up to {wait:g} s for "
        + "; ".join(_what(g) for g in going)
        + " to finish",
        turns=[g["turn"] for g in going],
    )
    deadline = time.monotonic() + wait
    pause = threading.Event()  # never set: a wait that a signal does not cut short
    while going and (left := deadline - time.monotonic()) > 0:
        pause.wait(min(every, LOOK_SECONDS, left))
        with session.lock:
            session.catch_up()
            going = in_motion(session)
    for g in going:
        session.say(
            "pending",
            f"{_what(g)} has not finished after {wait:g} s; "
            f"`{command(f'thread show {session.thread}', session.typed_as)}` shows its outcome "
            "once it has",
            thread_id=session.thread,
            **g,
        )
