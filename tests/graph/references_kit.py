"""What the reference tests share: the demo team's kinds of record, and a history entry as the
runner records it (the request as resolved, and what its answer listed)."""

from __future__ import annotations

from typing import Any

from ringmaster.agents.demo import TEAM_FILE
from ringmaster.agents.spec import load_team
from ringmaster.graph.references import Resolved, kinds_from_team, turn_entities

KINDS = kinds_from_team(load_team(TEAM_FILE).entities)


def turn(number: int, request: str, listed: str = "") -> dict[str, Any]:
    """A history entry for `request`, its result listing `listed`."""
    results = {"t1": {"output": {"listed": listed}}} if listed else {}
    return {"turn": number, "request": request, "entities": turn_entities(KINDS, request, results)}


def entities(out: Resolved) -> list[str]:
    """The records a resolution read the request's references as, in order."""
    return [r.entity for r in out.resolutions]
