"""Wiring: the team, tools, policy, corrections and planner the embedded default runs with."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from ringmaster.agents.policy import Policy, apply_policy, load_policy
from ringmaster.agents.spec import Team
from ringmaster.availability import StatusAvailability
from ringmaster.corrections import Correction, with_corrections
from ringmaster.extras import MissingExtra
from ringmaster.graph.events import emit
from ringmaster.limit_ledger import SqlLimitLedger
from ringmaster.settings import Settings
from ringmaster.tools.base import ToolRegistry
from ringmaster.waiting_corrections import note_used, note_waiting

if TYPE_CHECKING:  # the graph's modules load LangChain; `ringmaster status` needs only the team
    from ringmaster.graph.deps import GraphDeps
    from ringmaster.graph.planner.base import Plan, Planner
    from ringmaster.graph.references import Lookup, RecordFacts
    from ringmaster.tools.demo.lookup import Record

log = logging.getLogger(__name__)


def load_policy_for(settings: Settings) -> Policy:
    """The policy in force: the configured file, the demo's for the demo team, or defaults."""
    path = settings.effective_policy_file
    return load_policy(path) if path else Policy()


def load_team_and_tools(
    settings: Settings, corrections: list[Correction] | None = None
) -> tuple[Team, ToolRegistry]:
    """The team (demo or configured) and its tools, with the policy's rules applied and the
    reviewers' routing corrections added to the agents' examples."""
    from ringmaster.agents.demo import load_demo_team
    from ringmaster.agents.spec import load_team
    from ringmaster.tools.demo import build_demo_tools, ensure_demo_db

    tools = build_demo_tools(ensure_demo_db(settings.demo_db_path), settings.refund_approval_limit)
    if settings.team_file is None:
        team = load_demo_team()
    else:
        team = load_team(settings.team_file, tool_names=set(tools.names()))
    team, tools = apply_policy(load_policy_for(settings), team, tools)
    return with_corrections(team, corrections or []), tools


def build_deps(
    settings: Settings, corrections: list[Correction] | None = None, *, relearning: bool = False
) -> GraphDeps:
    """The embedded default: the demo team (or the configured team file) and the local planner.

    `relearning` (a correction was just recorded): the planner retrains at its first plan, not
    here, so deciding, correcting and resuming, which need the team but no plan, do not wait
    for a retrain; one plan after several corrections retrains once."""
    from ringmaster.agents.registry import AgentRegistry
    from ringmaster.graph.deps import GraphDeps
    from ringmaster.models import llm_runtime_factory, make_judge, planner_kind
    from ringmaster.tools.demo.lookup import demo_lookup, demo_records

    team, tools = load_team_and_tools(settings, corrections)
    registry = AgentRegistry.build(team, tools, llm_runtime=llm_runtime_factory(settings))
    planner: Planner
    if relearning:
        planner = PlannerAtFirstUse(
            planner_kind(settings),
            lambda: _planner(settings, team, corrections),
            lambda: _planner(settings, load_team_and_tools(settings, None)[0], None),
        )
    else:
        planner = _planner(settings, team, corrections)
    return GraphDeps(
        registry=registry,
        planner=planner,
        max_request_chars=settings.max_request_chars,
        judge=make_judge(settings, team),
        lookup=_record_facts(demo_lookup(settings.demo_db_path)),
        records=demo_records(settings.demo_db_path),
        availability=availability_for(settings, team),
        ledger=ledger_for(settings),
    )


def _planner(settings: Settings, team: Team, corrections: list[Correction] | None) -> Planner:
    from ringmaster.models import make_planner

    try:
        if corrections:  # new corrections mean a retrain, a minute or more: say so, not hang
            log.info(
                "updating the planner with %d routing correction(s) (a retrain takes a while)",
                len(corrections),
            )
            started = time.monotonic()
            planner = make_planner(settings, team)
            log.info(
                "planner %s with %d routing correction(s) in %.1f s",
                "retrained" if _trained_here(planner) else "loaded from its cache",
                len(corrections),
                time.monotonic() - started,
            )
        else:
            planner = make_planner(settings, team)
    except MissingExtra:
        if not corrections:
            raise
        # Reviewers' corrections change the local planner's training examples, and retraining
        # needs the `train` extra: plan with the team's own model, and say the corrections wait
        # once, not on every command (`ringmaster status` keeps saying it).
        base, _ = load_team_and_tools(settings, None)
        planner = make_planner(settings, base)
        if note_waiting(settings.cache_dir, len(corrections), UNUSED_WHY):
            log.warning(
                "%d routing correction(s) not used by the local planner: %s; "
                "`ringmaster status` shows this until they are used",
                len(corrections),
                UNUSED_WHY,
            )
        return planner
    note_used(settings.cache_dir)
    return planner


def _trained_here(planner: object) -> bool:
    """Whether the local planner in `planner` (itself, or a cascade's or an LLM planner's
    fallback) was trained in this process rather than loaded."""
    for part in (planner, getattr(planner, "local", None), getattr(planner, "fallback", None)):
        trained = getattr(part, "trained", None)
        if isinstance(trained, bool):
            return trained
    return False


UNUSED_WHY = "retraining it needs the 'train' extra (pip install 'ringmaster[train]')"


class PlannerAtFirstUse:
    """A planner built when it is first asked for a plan (`built` then holds it); once, though
    parallel runs may ask at the same time.

    A build that fails (a retrain on the corrections) is tried once: the error is logged and
    audited on the thread whose plan met it (`planner_retrain_failed`), and this planner plans
    with `fallback` (the team's own, without the corrections) from then on. The next
    correction makes a new one (Runner.relearn), which tries again once."""

    def __init__(
        self,
        name: str,
        build: Callable[[], Planner],
        fallback: Callable[[], Planner] | None = None,
    ) -> None:
        self.name = name
        self._build = build
        self._fallback = fallback
        self._lock = threading.Lock()
        self.built: Planner | None = None
        self.failed: str | None = None  # why the build failed, once it has

    def plan(
        self, request: str, *, allowed_agents: Sequence[str] | None = None, context: str = ""
    ) -> Plan:
        with self._lock:
            if self.built is None:
                self.built = self._build_once()
        return self.built.plan(request, allowed_agents=allowed_agents, context=context)

    def _build_once(self) -> Planner:
        if self.failed is None:
            try:
                return self._build()
            except Exception as exc:
                if self._fallback is None:
                    raise
                self.failed = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "retraining the planner on the routing corrections failed (%s); planning "
                    "without them until the next correction",
                    self.failed,
                )
                emit("planner_retrain_failed", "system", error=self.failed, planner=self.name)
        assert self._fallback is not None
        return self._fallback()


def _record_facts(find: Callable[[str], Record | None]) -> Lookup:
    """The demo database's records as the reference resolver's `RecordFacts`."""
    from ringmaster.graph.references import RecordFacts

    def lookup(record_id: str) -> RecordFacts | None:
        found = find(record_id)
        return None if found is None else RecordFacts(**dataclasses.asdict(found))

    return lookup


def availability_for(settings: Settings, team: Team) -> StatusAvailability | None:
    """Agents' health and load for the router, unless load-aware routing is switched off."""
    if not settings.load_aware_routing:
        return None
    return StatusAvailability(
        settings.app_db_url,
        team,
        window=timedelta(minutes=settings.status_window_minutes),
        unhealthy_error_rate=settings.unhealthy_error_rate,
    )


def ledger_for(settings: Settings) -> SqlLimitLedger:
    """The running totals of the policy's cumulative limits, in the application's database."""
    return SqlLimitLedger(settings.app_db_url)
