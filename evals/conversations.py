"""Conversation evals: multi-turn threads whose follow-ups must resolve to the right records.

A row is one conversation: `{"id", "turns": [{"text", "agents", "resolved", "ambiguous"}]}`.
`agents` is the exact set of agents the turn must reach (empty: a person), `resolved` the ids
its references ("it", "that customer", "do that for … too") must resolve to — ids the turn
writes out itself do not count — and `ambiguous`
marks a turn whose reference has several candidates: it must be asked, never acted on.

Each conversation runs on the whole graph (planner, agents, tools) with fresh dependencies, so
later turns see what earlier ones did. Reviews a turn raises are decided before the next turn
(approve where allowed, else respond), as a reviewer would, so a conversation never stalls.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph.types import Command

from ringmaster.evals.dataset import read_jsonl
from ringmaster.evals.errors import DatasetError
from ringmaster.graph.build import build_graph
from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.events import EVENT_KEY
from ringmaster.graph.references import EntityKind, kinds_from_team

if TYPE_CHECKING:
    from ringmaster.settings import Settings


@dataclass(frozen=True)
class Turn:
    text: str
    agents: frozenset[str]
    resolved: frozenset[str]
    ambiguous: bool


@dataclass(frozen=True)
class Conversation:
    id: str
    turns: list[Turn]


def load_conversations(path: Path) -> list[Conversation]:
    """Read and check a conversations JSONL file; DatasetError names the file when it is
    missing, unreadable, not UTF-8 or empty, and the line and field that are wrong."""
    out = []
    _, rows = read_jsonl(path)
    for number, row in rows:
        where = f"{path}:{number}"
        if not isinstance(row, dict) or not isinstance(row.get("turns"), list):
            raise DatasetError(f"{where}: not a conversation row (an object with 'id' and 'turns')")
        if not isinstance(row.get("id"), str) or not row["id"]:
            raise DatasetError(f"{where}: field 'id' must be a non-empty string")
        turns = [_turn(t, f"{where}: turn {n}") for n, t in enumerate(row["turns"], 1)]
        if not turns:
            raise DatasetError(f"{where}: a conversation needs at least one turn")
        out.append(Conversation(row["id"], turns))
    return out


def _turn(obj: Any, where: str) -> Turn:
    """One turn, checked as `parse_row` checks an eval row: a string where a list belongs
    would be read as its characters, and a misspelt field as absent, each scoring the turn
    against a label nobody wrote."""
    if not isinstance(obj, dict):
        raise DatasetError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    unknown = sorted(set(obj) - {"text", "agents", "resolved", "ambiguous"})
    if unknown:
        raise DatasetError(f"{where}: unknown field(s) {', '.join(unknown)}")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DatasetError(f"{where}: field 'text' must be a non-empty string")
    lists = {}
    for name in ("agents", "resolved"):
        value = obj.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise DatasetError(f"{where}: field {name!r} must be a list of non-empty strings")
        lists[name] = frozenset(value)
    ambiguous = obj.get("ambiguous", False)
    if not isinstance(ambiguous, bool):
        raise DatasetError(f"{where}: field 'ambiguous' must be true or false")
    return Turn(text, lists["agents"], lists["resolved"], ambiguous)


@dataclass
class TurnResult:
    conversation: str
    turn: int
    text: str
    expected_agents: list[str]
    agents: list[str]
    expected_resolved: list[str]
    resolved: list[str]
    ambiguous: bool
    asked: bool  # the turn became a question instead of work
    acted: bool  # some side effect ran in this turn
    rewritten: str | None = None
    question: str | None = None  # what ringmaster asked instead, when it asked

    @property
    def agents_ok(self) -> bool:
        return set(self.agents) == set(self.expected_agents)


@dataclass
class ConversationReport:
    turns: list[TurnResult] = field(default_factory=list)

    def metrics(self) -> dict[str, Any]:
        referring = [t for t in self.turns if t.expected_resolved]
        ambiguous = [t for t in self.turns if t.ambiguous]
        clear = [t for t in self.turns if not t.ambiguous]

        def share(part: list[TurnResult], total: list[TurnResult]) -> float | None:
            return round(len(part) / len(total), 4) if total else None

        return {
            "conversations": len({t.conversation for t in self.turns}),
            "turns": len(self.turns),
            "agent_set_accuracy": share([t for t in self.turns if t.agents_ok], self.turns),
            "resolution_accuracy": share(
                [t for t in referring if set(t.resolved) == set(t.expected_resolved)], referring
            ),
            "referring_turns": len(referring),
            "clarifying_question_rate": share([t for t in ambiguous if t.asked], ambiguous),
            "ambiguous_turns": len(ambiguous),
            "ambiguous_acted_on": len([t for t in ambiguous if t.acted]),
            "questions_on_clear_turns": len([t for t in clear if t.asked]),
        }


def _decide_all(interrupts: list[Any]) -> dict[str, Any]:
    """Approve every action where approving is allowed, else answer in its place."""
    resume = {}
    for intr in interrupts:
        decisions = []
        for cfg in intr.value.get("review_configs", []):
            allowed = cfg.get("allowed_decisions", [])
            if "approve" in allowed:
                decisions.append({"type": "approve"})
            else:
                decisions.append({"type": "respond", "message": "handled by the eval's reviewer"})
        resume[intr.id] = {"decisions": decisions, "reviewer": "eval"}
    return resume


def run_conversations(
    conversations: list[Conversation],
    make_deps: Callable[[], GraphDeps],
    checkpointer: Callable[[], AbstractContextManager[Any]],
    requester: dict[str, Any],
) -> ConversationReport:
    """Run every conversation on a fresh graph and record, per turn, what it did."""
    report = ConversationReport()
    for conv in conversations:
        with checkpointer() as saver:
            deps = make_deps()
            kinds = kinds_from_team(deps.registry.team.entities)
            app = build_graph(deps, saver)
            config = {"configurable": {"thread_id": f"eval-{conv.id}-{uuid.uuid4().hex[:8]}"}}
            for number, turn in enumerate(conv.turns, 1):
                payload = {
                    "request": turn.text,
                    "requester": requester,
                    "turn": number,
                    "results": None,
                }
                events = list(_events(app, payload, config))
                for _ in range(20):  # a turn raises a bounded number of reviews
                    pending = list(app.get_state(config, subgraphs=True).interrupts)
                    if not pending:
                        break
                    events += _events(app, Command(resume=_decide_all(pending)), config)
                report.turns.append(_turn_result(conv.id, number, turn, events, kinds))
    return report


def with_classifier(base: Settings, classifier: str, folder: Path) -> Settings:
    """`base` with the local planner running `classifier` ("tfidf" or "hybrid") and the
    thresholds tuned for it (`RoutingConfig.for_classifier`, as `eval run --classifier` routes):
    copies of its team file and policy file in `folder` with their routing blocks changed, and
    nothing else (the policy's block replaces the team's, so both are changed)."""
    import yaml

    from ringmaster.agents.demo import TEAM_FILE
    from ringmaster.agents.spec import RoutingConfig

    def copy(source: Path, name: str) -> Path:
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        if "routing" in data or name == "team.yaml":
            routing = RoutingConfig.model_validate(data.get("routing") or {})
            data["routing"] = routing.for_classifier(classifier).model_dump(exclude_unset=True)
            data["routing"]["classifier"] = classifier
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return folder / name

    policy = base.effective_policy_file
    return base.model_copy(
        update={
            "team_file": copy(base.team_file or TEAM_FILE, "team.yaml"),
            "policy_file": copy(policy, "policy.yaml") if policy else None,
        }
    )


def run_on_team(
    conversations: list[Conversation], base: Settings, classifier: str | None = None
) -> ConversationReport:
    """`run_conversations` with `base`'s team (the demo when it names none), as `ringmaster
    eval conversations` runs it: each conversation on a fresh demo database, one planner
    model. The caller reads the settings (the CLI from the environment). `classifier`: the
    local planner's, by `with_classifier` (None: the team's own)."""
    import tempfile
    from contextlib import nullcontext

    from langgraph.checkpoint.memory import InMemorySaver

    from ringmaster.wiring import build_deps, load_team_and_tools

    with tempfile.TemporaryDirectory(prefix="ringmaster-conv-") as tmp:
        if classifier is not None:
            base = with_classifier(base, classifier, Path(tmp) / "files")
        homes = iter(range(len(conversations)))

        def fresh_deps() -> GraphDeps:
            home = Path(tmp) / f"c{next(homes)}"
            return build_deps(
                base.model_copy(update={"home": home, "planner_cache": base.cache_dir})
            )

        team, _ = load_team_and_tools(base.model_copy(update={"home": Path(tmp) / "team"}))
        names = {a.name for a in team.agents}
        for conv in conversations:
            for number, turn in enumerate(conv.turns, 1):
                if unknown := sorted(turn.agents - names):
                    raise DatasetError(
                        f"conversation {conv.id!r}, turn {number}: field 'agents' names "
                        f"{unknown}, not in the team ({', '.join(sorted(names))})"
                    )
        scopes = sorted({s for a in team.agents for s in a.scopes})
        return run_conversations(
            conversations,
            fresh_deps,
            lambda: nullcontext(InMemorySaver()),
            {"id": "eval", "scopes": scopes, "priority": "normal"},
        )


def _events(app: Any, payload: Any, config: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for chunk in app.stream(payload, config, stream_mode="custom", subgraphs=True):
        _, event = chunk
        if isinstance(event, dict) and EVENT_KEY in event:
            yield event


def _spelled(text: str, kinds: Sequence[EntityKind]) -> set[str]:
    """Record ids written in the text itself, by the team's entity patterns (any
    LETTERS-DIGITS token when the team names no entities)."""
    if not kinds:
        return set(re.findall(r"\b[A-Z]{2,}-\d+\b", text))
    return {entity for kind in kinds for entity in kind.pattern.findall(text)}


def _turn_result(
    conv: str,
    number: int,
    turn: Turn,
    events: list[dict[str, Any]],
    kinds: Sequence[EntityKind] = (),
) -> TurnResult:
    plan = next((e for e in events if e[EVENT_KEY] == "plan"), {})
    subtasks = plan.get("subtasks", [])
    refs = [e for e in events if e[EVENT_KEY] == "references"]
    return TurnResult(
        conversation=conv,
        turn=number,
        text=turn.text,
        expected_agents=sorted(turn.agents),
        agents=sorted({s["agent"] for s in subtasks if s.get("agent") and not s.get("escalate")}),
        expected_resolved=sorted(turn.resolved),
        # Only ids the turn does not spell out count: "do that for CUS-1002 too" names its id.
        resolved=sorted(
            {r["entity"] for e in refs for r in e.get("resolutions", [])}
            - _spelled(turn.text, kinds)
        ),
        ambiguous=turn.ambiguous,
        asked=any(e.get("question") for e in refs),
        acted=any(e[EVENT_KEY] == "side_effect" and e.get("status") == "executed" for e in events),
        rewritten=refs[0]["text"] if refs else None,
        question=next((str(e["question"]) for e in refs if e.get("question")), None),
    )
