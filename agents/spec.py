"""Agent specs and teams, loaded from a YAML team file and checked before anything runs."""

from __future__ import annotations

import graphlib
import hashlib
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ringmaster.agents.errors import TeamFileError

# libyaml's parser when PyYAML was built with it (its wheels are): the demo team file takes
# 0.2 s to parse in pure Python, a fifth of `ringmaster status`, and 20 ms in C.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_problem(exc: yaml.YAMLError) -> str:
    """PyYAML's error in one line, where it is in the file first: "line 4, column 1: did
    not find expected ',' or ']' (while parsing a flow sequence from line 3, column 18)".
    Its own text takes four lines and names "<unicode string>", not the file."""
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem is None:
        return " ".join(str(exc).split())
    where = "" if exc.problem_mark is None else _mark(exc.problem_mark) + ": "
    context = ""
    if exc.context:
        start = exc.context_mark
        same = start is None or exc.problem_mark is None or _mark(start) == _mark(exc.problem_mark)
        context = f" ({exc.context}{'' if same else ' from ' + _mark(start)})"  # type: ignore[arg-type]
    return " ".join(f"{where}{exc.problem}{context}".split())


def _mark(mark: yaml.Mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


DEFAULT_OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["summary"],
    "properties": {"summary": {"type": "string", "minLength": 1}},
}


class RuntimeSpec(BaseModel):
    """How an agent runs: a Python callable or a compiled LangGraph graph, named `module:attr`,
    or (`kind: llm`) a tool-calling chat model over the agent's tools, which needs no entry."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["python", "graph", "llm"] = "python"
    entry: str | None = Field(default=None, pattern=r"^[\w.]+:[\w.]+$")
    instructions: str = ""  # llm: added to the agent's system prompt

    @model_validator(mode="after")
    def _entry_when_needed(self) -> RuntimeSpec:
        if self.kind != "llm" and self.entry is None:
            raise ValueError(f"a {self.kind} runtime needs an entry (module:attr)")
        return self


class AgentModelSpec(BaseModel):
    """The chat model an agent uses (`provider:model`, as `init_chat_model` names it)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    base_url: str | None = None
    fallbacks: list[str] = Field(default_factory=list)
    temperature: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value


def check_patterns(patterns: list[str]) -> list[str]:
    """The patterns unchanged, or ValueError naming the first that is not a regular expression."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(
                f"pattern {pattern!r} is not a valid regular expression: {exc}"
            ) from None
    return patterns


class AgentChecks(BaseModel):
    """Policy checks the validator applies to every output of the agent."""

    model_config = ConfigDict(extra="forbid")

    required_fields: list[str] = Field(default_factory=list)
    forbidden_patterns: list[str] = Field(default_factory=list)

    # Checked here, so a bad pattern is a TeamFileError at load, not a crash in the validator.
    _patterns_compile = field_validator("forbidden_patterns")(check_patterns)


class RateLimit(BaseModel):
    """At most `calls` subtasks of the agent start in any `seconds` (a model provider's limit),
    held across every worker process by the run queue."""

    model_config = ConfigDict(extra="forbid")

    calls: int = Field(ge=1)
    seconds: float = Field(gt=0)


class AgentSpec(BaseModel):
    """One specialist: what it does, what it may touch, who may reach it, what it must return."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    description: str = Field(min_length=1)
    examples: list[str] = Field(default_factory=list)
    tools: list[str] = Field(default_factory=list)
    scopes: list[str] = Field(default_factory=list)  # empty: any requester may reach it
    capacity: int = Field(default=4, ge=1)
    rate_limit: RateLimit | None = None
    fallback: str | None = None
    human_categories: list[str] = Field(default_factory=list)  # "*" means every output
    output_schema: dict[str, Any] = Field(default_factory=lambda: dict(DEFAULT_OUTPUT_SCHEMA))
    checks: AgentChecks = Field(default_factory=AgentChecks)
    max_attempts: int = Field(default=2, ge=1, le=10)
    runtime: RuntimeSpec
    model: AgentModelSpec | None = None  # llm runtime: unset means the agents' default model
    # What an LLM judge checks in every output (unset: no judge). Needs a judge model.
    judge: str | None = None
    # llm runtime: model calls per subtask attempt (more is a failed attempt).
    max_model_calls: int = Field(default=6, ge=1, le=50)
    # llm runtime: rounds of tool calls per attempt (failed rounds aside); after them the model
    # answers without tool schemas. Unset: one round per tool the agent may use, as dependent
    # calls chain from tool to tool; set it for an agent that calls one tool several times in
    # turn (a search it refines, pages of a list). The last call max_model_calls allows always
    # goes without tools.
    tool_rounds: int | None = Field(default=None, ge=0, le=49)
    # Operations (ringmaster/agent_status.py, graph/standins.py): agents that may take this
    # one's subtasks when it is unhealthy or its queue is long (they must overlap in skills:
    # a stand-in still has to be reachable by the requester), and an optional health check,
    # `module:attr`, a callable taking no arguments that returns a bool (or raises: unhealthy).
    standins: list[str] = Field(default_factory=list)
    health_check: str | None = Field(default=None, pattern=r"^[\w.]+:[\w.]+$")

    @field_validator("examples")
    @classmethod
    def _examples_not_blank(cls, v: list[str]) -> list[str]:
        if any(not e.strip() for e in v):
            raise ValueError("examples must not be blank")
        return v

    def needs_human(self, category: str | None) -> bool:
        return "*" in self.human_categories or (
            category is not None and category in self.human_categories
        )

    def reachable_by(self, requester_scopes: set[str] | frozenset[str]) -> bool:
        return not self.scopes or bool(set(self.scopes) & set(requester_scopes))


class ClassifierThresholds(BaseModel):
    """Thresholds tuned for one classifier; only the fields given replace the block's."""

    model_config = ConfigDict(extra="forbid")

    confidence_floor: float | None = Field(default=None, ge=0.0, le=1.0)
    min_margin: float | None = Field(default=None, ge=0.0, le=1.0)
    human_floor: float | None = Field(default=None, ge=0.0, le=1.0)  # null: unset it


class RoutingConfig(BaseModel):
    """Thresholds for sending a subtask to a human instead of an agent."""

    model_config = ConfigDict(extra="forbid")

    confidence_floor: float = Field(default=0.5, ge=0.0, le=1.0)
    min_margin: float = Field(default=0.1, ge=0.0, le=1.0)
    # Out-of-scope floor (local planner): a part whose P(human) / (P(human) + P(best agent)) is
    # at least this goes to a person as out of scope, even when an agent still outranks the
    # human label. Unset: only the planner's own out-of-scope check (the human label wins).
    human_floor: float | None = Field(default=None, ge=0.0, le=1.0)
    # The local planner's classifier: "tfidf", or "hybrid" (TF-IDF + sentence embedding, with
    # the `embeddings` extra installed; without it the planner says so and uses TF-IDF).
    classifier: Literal["tfidf", "hybrid"] = "tfidf"
    # The thresholds above are tuned for `classifier`; another classifier's probabilities sit
    # elsewhere (CLINC150's hybrid floor 0.706 and human floor 0.0055 sent ~6% of in-scope
    # requests to a person under TF-IDF, cross-validated on its train split). Thresholds for a
    # classifier the planner may run instead (`--classifier`, or hybrid without the embeddings
    # extra) go here, by its name.
    by_classifier: dict[Literal["tfidf", "hybrid"], ClassifierThresholds] = Field(
        default_factory=dict
    )

    def for_classifier(self, kind: str) -> RoutingConfig:
        """The thresholds to route with when the planner runs classifier `kind`."""
        if kind == self.classifier:
            return self
        entry = self.by_classifier.get(kind)  # type: ignore[call-overload]
        tuned = {} if entry is None else {f: getattr(entry, f) for f in entry.model_fields_set}
        # Only the out-of-scope floor may be unset; a null floor or margin keeps the block's.
        tuned = {f: v for f, v in tuned.items() if v is not None or f == "human_floor"}
        return self.model_copy(update={"classifier": kind, **tuned})


class EntitySpec(BaseModel):
    """A kind of record requests talk about, so follow-ups ("close it") resolve to its ids."""

    model_config = ConfigDict(extra="forbid")

    pattern: str = Field(min_length=1)  # a regular expression matching one id, e.g. TCK-\d{4}
    nouns: list[str] = Field(default_factory=list)  # words that name it: "ticket", "case"
    person: bool = False  # referred to as "they/them" rather than "it"

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return value


class Team(BaseModel):
    """A roster of agents and its routing thresholds."""

    model_config = ConfigDict(extra="forbid")

    name: str = "team"
    routing: RoutingConfig = Field(default_factory=RoutingConfig)
    agents: list[AgentSpec]
    # Requests that belong to no agent: the local planner learns what "a human" looks like.
    human_examples: list[str] = Field(default_factory=list)
    # Kinds of record (tickets, invoices, customers …) that follow-ups may refer back to.
    entities: dict[str, EntitySpec] = Field(default_factory=dict)
    fingerprint: str = ""  # sha256 of the source file, set by the loader

    def agent(self, name: str) -> AgentSpec:
        for spec in self.agents:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def names(self) -> list[str]:
        return [a.name for a in self.agents]


def _location(loc: tuple[Any, ...], data: Any) -> str:
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
            name = node.get("name") if isinstance(node, dict) else None
            parts.append(f"[{key}]" + (f" ({name})" if name else ""))
        else:
            parts.append(f".{key}")
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts).lstrip(".")


def parse_team(text: str, *, source: str = "<team>", tool_names: set[str] | None = None) -> Team:
    """Parse and check a team file's text; raise TeamFileError with a precise message."""
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise TeamFileError(f"{source}: not valid YAML: {yaml_problem(exc)}") from None
    if not isinstance(data, dict) or "agents" not in data:
        raise TeamFileError(f"{source}: expected a mapping with an 'agents' list")
    try:
        team = Team.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = _location(tuple(err["loc"]), data)
        raise TeamFileError(f"{source}: {where}: {err['msg']}") from None
    _check_consistency(team, source, tool_names)
    team.fingerprint = hashlib.sha256(text.encode()).hexdigest()
    return team


def read_file(path: Path, what: str, error: type[TeamFileError] = TeamFileError) -> str:
    """A team or policy file's text; `error`, naming `what`, when it is missing or unreadable."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{what} not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read {what} {path}: {exc}") from None


def load_team(path: str | Path, *, tool_names: set[str] | None = None) -> Team:
    """Load a team file; `tool_names` (when given) are the tools an agent may name."""
    p = Path(path)
    return parse_team(read_file(p, "team file"), source=str(p), tool_names=tool_names)


def _check_consistency(team: Team, source: str, tool_names: set[str] | None) -> None:
    if not team.agents:
        raise TeamFileError(f"{source}: the team has no agents")
    seen: set[str] = set()
    for spec in team.agents:
        if spec.name in seen:
            raise TeamFileError(f"{source}: duplicate agent name {spec.name!r}")
        seen.add(spec.name)
    for spec in team.agents:
        if tool_names is not None:
            for tool in spec.tools:
                if tool not in tool_names:
                    raise TeamFileError(
                        f"{source}: agent {spec.name!r} names unknown tool {tool!r} "
                        f"(known: {', '.join(sorted(tool_names))})"
                    )
        if spec.fallback is not None and spec.fallback not in seen:
            raise TeamFileError(
                f"{source}: agent {spec.name!r} falls back to unknown agent {spec.fallback!r}"
            )
        for standin in spec.standins:
            if standin not in {a.name for a in team.agents} or standin == spec.name:
                raise TeamFileError(
                    f"{source}: agent {spec.name!r} names unknown stand-in {standin!r}"
                )
    fallbacks = {a.name: [a.fallback] if a.fallback else [] for a in team.agents}
    try:
        graphlib.TopologicalSorter(fallbacks).prepare()
    except graphlib.CycleError as exc:
        # graphlib names the cycle against the edges (fallback → agent); say it as they read.
        cycle = " -> ".join(reversed(exc.args[1]))
        raise TeamFileError(f"{source}: fallback cycle: {cycle}") from None
