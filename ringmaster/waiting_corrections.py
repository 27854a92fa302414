"""Routing corrections the local planner cannot use yet, noted where `ringmaster status` reads them.

Reviewers' corrections retrain the local planner, and retraining needs the `train` extra.
Without it the planner plans with the team's own model and the corrections wait
(ringmaster/wiring.py). Every command that builds a planner meets that, so the warning is given
when it is news — the first time, or when the number of waiting corrections changed (one was
added) — not on every command; `ringmaster status` says it for as long as it holds. The note is
a small JSON file in the planner's cache folder, gone once a planner uses the corrections.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ringmaster.clock import utcnow
from ringmaster.private_files import private_dir

NOTE = "corrections-waiting.json"


@dataclass(frozen=True)
class Waiting:
    count: int  # corrections the planner did not use
    why: str
    since: datetime  # when this count was first noted


def note_waiting(cache_dir: Path, count: int, why: str) -> bool:
    """Note that `count` corrections wait, and why; True when that is news to say."""
    before = waiting(cache_dir)
    if before is not None and before.count == count and before.why == why:
        return False
    private_dir(cache_dir)
    body = {"count": count, "why": why, "since": utcnow().isoformat()}
    tmp = cache_dir / f".{NOTE}.{os.getpid()}"
    tmp.write_text(json.dumps(body), encoding="utf-8")
    tmp.replace(cache_dir / NOTE)  # whole, for a reader in another process
    return True


def note_used(cache_dir: Path) -> None:
    """The planner uses every correction there is: nothing waits."""
    (cache_dir / NOTE).unlink(missing_ok=True)


def waiting(cache_dir: Path) -> Waiting | None:
    """What a planner last noted as waiting, None when nothing does (or the note is unreadable,
    which the next planner build writes again)."""
    try:
        body = json.loads((cache_dir / NOTE).read_text(encoding="utf-8"))
        return Waiting(int(body["count"]), str(body["why"]), datetime.fromisoformat(body["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
