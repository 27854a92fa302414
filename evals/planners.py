"""Planners by name for the evals, and the optional extras an eval reads from a planner.

Beyond the `Planner` protocol a planner may expose, and the runner then uses:
- `model: str`: it is model-backed, so its answers are cached and rows run concurrently;
- `model_calls: int`, `tokens: int`: running totals, read before and after each request;
- `escalation_score(request) -> float`: its own "this belongs to a human" score for the AUROC,
  instead of 1 - the top route's probability.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
from pathlib import Path
from typing import Protocol, runtime_checkable

from ringmaster.agents.spec import Team
from ringmaster.evals.errors import PlannerUnavailable
from ringmaster.graph.planner.base import Planner

PLANNERS = ("local", "llm", "cascade")


@runtime_checkable
class ScoresEscalation(Protocol):
    """A planner with its own score for "this request belongs to a human"."""

    def escalation_score(self, request: str) -> float: ...


def make_planner(name: str, team: Team, *, cache_dir: Path | None = None) -> Planner:
    """Build the planner called `name` for `team`; the local one caches its trained model.

    `module:attr` names a factory `(team, cache_dir=...) -> Planner`, so a team can evaluate a
    planner of its own (and tests a scripted one) through the same command.
    """
    if ":" in name:
        return _from_entry(name, team, cache_dir)
    if name == "local":
        try:
            # Imported here, not at the top: every `ringmaster` command imports this module, and
            # only planning needs the classifier stack (about 80 ms more at start-up).
            module = importlib.import_module("ringmaster.graph.planner.local")
        except ImportError as exc:
            raise PlannerUnavailable(f"the local planner cannot be imported: {exc}") from None
        planner: Planner = module.LocalPlanner(team, cache_dir=cache_dir)
        return planner
    if name in ("llm", "cascade"):
        # Model-backed planners need ringmaster's model settings, which evals/ does not read:
        # `ringmaster eval run` passes `ringmaster.models.eval_planner_factory` for them.
        raise PlannerUnavailable(
            f"the {name!r} planner needs a chat model: run it through `ringmaster eval run` "
            "(model settings) or pass a planner_factory"
        )
    raise PlannerUnavailable(f"unknown planner {name!r} (choose from {', '.join(PLANNERS)})")


def model_name(planner: Planner) -> str | None:
    model = getattr(planner, "model", None)
    return str(model) if model else None


def usage(planner: Planner) -> tuple[int, int]:
    """The planner's running (model calls, tokens), 0 for planners that count nothing."""
    return int(getattr(planner, "model_calls", 0) or 0), int(getattr(planner, "tokens", 0) or 0)


def team_digest(team: Team) -> str:
    """A digest of everything in a team that can change a plan, thresholds included.

    Not `team.fingerprint`: that hashes the file, and a team tuned in memory keeps the
    fingerprint of the file it came from.
    """
    text = team.model_dump_json(exclude={"fingerprint"})
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def planner_identity(planner: Planner, team: Team) -> str:
    """What a cached answer depends on besides the request: planner, model, version, team."""
    version = getattr(planner, "version", None) or getattr(planner, "prompt_version", None)
    return f"{planner.name}|{model_name(planner) or '-'}|{version or '-'}|{team_digest(team)}"


def _from_entry(entry: str, team: Team, cache_dir: Path | None) -> Planner:
    try:
        factory = pkgutil.resolve_name(entry)
    except (ImportError, AttributeError, ValueError) as exc:
        raise PlannerUnavailable(f"cannot load planner factory {entry!r}: {exc}") from None
    planner: Planner = factory(team, cache_dir=cache_dir)
    if not callable(getattr(planner, "plan", None)) or not getattr(planner, "name", None):
        raise PlannerUnavailable(f"{entry!r} did not return a planner (needs .name and .plan)")
    return planner
