"""Orchestration overhead: ringmaster's graph against `langgraph-supervisor` on one request.

Both systems answer the same three-part request ("ticket? invoice? service health?") with the
same three specialists, each owning one read-only look-up tool, and the same zero-latency
scripted chat model. Both checkpoint to a fresh SQLite file (`ringmaster.graph.checkpoint`, WAL)
with
`durability="sync"`. What is left to measure is what the orchestration itself costs: the time
from `invoke` to the final state, and the checkpoint bytes a request leaves on disk.

Rows:
    ringmaster · scripted planner · python agents   the headline: one scripted planner answer
                                                    (what an LLM planner's single call returns),
                                                    three Python runtimes calling their tool
    ringmaster · scripted planner · react agents    the very `create_react_agent` specialists
                                                    the supervisor uses, run as GraphRuntime
    ringmaster · local planner · python agents      the embedded default: the classifier
                                                    planner trained on the demo team
    create_supervisor · react agents                the supervisor model hands off with
                                                    `transfer_to_<agent>`, one agent at a time

Requests run interleaved (request i of every system before request i+1 of any), each on its own
thread id, after one warm-up request per system. Every request's final state is checked, so a
system that stopped doing the work cannot look fast.

    .venv/bin/python -m benchmarks.overhead [--requests 50] [--json] [--no-local-planner]
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import BaseTool, StructuredTool
from langchain_core.utils.function_calling import convert_to_openai_tool

# Nothing from benchmarks/ here: `make bench` runs this file by path, where that package is not
# importable (llm_calls imports from this module, not the other way round).
from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.runtime import (
    AgentOutput,
    AgentRuntime,
    AgentTask,
    GraphRuntime,
    PythonRuntime,
)
from ringmaster.agents.spec import Team, parse_team
from ringmaster.graph.build import build_graph
from ringmaster.graph.checkpoint import open_checkpointer
from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.planner.base import Plan, Planner
from ringmaster.tools.base import Tool, ToolBox, ToolRegistry

REPO = Path(__file__).resolve().parents[1]
DEMO_TEAM = REPO / "agents" / "demo" / "team.yaml"

REQUEST = (
    "What is the status of ticket TCK-1001? Also, has invoice INV-1001 been paid? "
    "And is the api service healthy?"
)

TIME_TARGET = 0.5  # ringmaster's median time at most half of create_supervisor's
BYTES_TARGET = 0.2  # and at most a fifth of its checkpoint bytes

# -- the three specialists and their look-up tools --------------------------------------------

TICKETS = {"TCK-1001": {"id": "TCK-1001", "status": "open", "priority": "high"}}
INVOICES = {"INV-1001": {"id": "INV-1001", "amount": "120.00", "status": "paid"}}
SERVICES = {"api": {"service": "api", "status": "degraded", "error_rate": 0.021}}


def get_ticket(ticket_id: str) -> dict[str, Any]:
    """A support ticket by id."""
    return dict(TICKETS[ticket_id])


def get_invoice(invoice_id: str) -> dict[str, Any]:
    """An invoice by id."""
    return dict(INVOICES[invoice_id])


def service_health(service: str) -> dict[str, Any]:
    """A service's current health."""
    return dict(SERVICES[service])


@dataclass(frozen=True)
class Specialist:
    """One agent: its single read-only tool, and how it finds the tool's argument in text."""

    name: str
    description: str
    tool: Callable[..., dict[str, Any]]
    arg: str
    pattern: str  # the argument, found in the task or the conversation
    part: str  # its part of REQUEST, as a planner would cut it

    @property
    def tool_name(self) -> str:
        return self.tool.__name__

    def find_arg(self, text: str) -> str:
        match = re.search(self.pattern, text)
        if match is None:
            raise LookupError(f"{self.name}: no {self.arg} in {text!r}")
        return match.group(1)

    def answer(self, record: Any) -> str:
        """The agent's final text, the same on both sides."""
        return f"{self.name}: {self.tool_name} -> {json.dumps(record, sort_keys=True)}"


SPECIALISTS = (
    Specialist(
        "support",
        "Customer support: tickets.",
        get_ticket,
        "ticket_id",
        r"\b(TCK-\d+)\b",
        "What is the status of ticket TCK-1001?",
    ),
    Specialist(
        "billing",
        "Billing: invoices and payments.",
        get_invoice,
        "invoice_id",
        r"\b(INV-\d+)\b",
        "has invoice INV-1001 been paid?",
    ),
    Specialist(
        "ops",
        "Operations: service health.",
        service_health,
        "service",
        r"\b(api|web|auth)\b service",
        "is the api service healthy?",
    ),
)


def bench_team() -> Team:
    """The three specialists as a ringmaster team (their runtimes are given as overrides)."""
    agents = [
        {
            "name": s.name,
            "description": s.description,
            "tools": [s.tool_name],
            "output_schema": {
                "type": "object",
                "required": ["summary"],
                "properties": {"summary": {"type": "string", "minLength": 1}},
            },
            # Never loaded: every runtime is given to the registry as an override.
            "runtime": {"kind": "python", "entry": "benchmarks.overhead:python_agent"},
        }
        for s in SPECIALISTS
    ]
    return parse_team(json.dumps({"name": "bench", "agents": agents}), source="bench")


def bench_tools() -> ToolRegistry:
    registry = ToolRegistry()
    for s in SPECIALISTS:
        registry.register(Tool(s.tool_name, s.tool.__doc__ or s.tool_name, s.tool))
    return registry


def langchain_tool(s: Specialist) -> BaseTool:
    return StructuredTool.from_function(s.tool, name=s.tool_name, description=s.tool.__doc__)


# -- the scripted model -----------------------------------------------------------------------

Script = Callable[[list[BaseMessage]], AIMessage]


class ScriptedChatModel(BaseChatModel):
    """A chat model with zero latency: `script` picks the answer from the messages it gets.

    The script is a pure function of the conversation, so there is nothing to reset between
    requests except the call counter.
    """

    script: Script
    calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.calls += 1
        return ChatResult(generations=[ChatGeneration(message=self.script(messages))])

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        # What a provider's chat model does: format the tools once, send them with each call.
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)


M = TypeVar("M", bound=ScriptedChatModel)


def _human_text(messages: Sequence[BaseMessage]) -> str:
    return "\n".join(
        m.content for m in messages if isinstance(m, HumanMessage) and isinstance(m.content, str)
    )


def specialist_script(s: Specialist) -> Script:
    """Call the one tool on the argument found in the conversation, then report its result."""

    def script(messages: list[BaseMessage]) -> AIMessage:
        last = messages[-1]
        if isinstance(last, ToolMessage) and last.name == s.tool_name:
            return AIMessage(s.answer(json.loads(str(last.content))))
        # The result given back as text (a call sent without tool schemas): the same answer.
        done = f"{s.tool_name} returned: "
        if isinstance(last, HumanMessage) and done in str(last.content):
            result = str(last.content).split(done, 1)[1].split("\n", 1)[0]
            return AIMessage(s.answer(json.loads(result)))
        call = {
            "name": s.tool_name,
            "args": {s.arg: s.find_arg(_human_text(messages))},
            "id": f"call-{s.tool_name}-{len(messages)}",
            "type": "tool_call",
        }
        return AIMessage("", tool_calls=[call])

    return script


def supervisor_script(names: Sequence[str]) -> Script:
    """Hand off to each agent not yet called, in order; then answer with what they said."""

    def script(messages: list[BaseMessage]) -> AIMessage:
        called = {tc["name"] for m in messages if isinstance(m, AIMessage) for tc in m.tool_calls}
        for name in names:
            tool = f"transfer_to_{name}"
            if tool not in called:
                call = {"name": tool, "args": {}, "id": f"call-{tool}", "type": "tool_call"}
                return AIMessage("", tool_calls=[call])
        answers = [
            m.content
            for m in messages
            if isinstance(m, AIMessage)
            and isinstance(m.content, str)
            and m.content.split(":", 1)[0] in names
        ]
        return AIMessage("\n".join(answers))

    return script


# -- ringmaster's side ------------------------------------------------------------------------


class ScriptedPlanner:
    """An LLM planner's one call: the scripted model answers with the plan as JSON."""

    name = "scripted"

    def __init__(self) -> None:
        answer = {
            "planner": "scripted",
            "subtasks": [
                {
                    "id": f"t{i}",
                    "description": s.part,
                    "agent": s.name,
                    "confidence": 0.95,
                    "rationale": f"about {s.description.lower()}",
                }
                for i, s in enumerate(SPECIALISTS, start=1)
            ],
        }
        text = json.dumps(answer)
        self.model = ScriptedChatModel(script=lambda messages: AIMessage(text))

    @property
    def calls(self) -> int:
        return self.model.calls

    def plan(self, request: str, *, allowed_agents: Sequence[str] | None = None) -> Plan:
        agents = ", ".join(allowed_agents or [s.name for s in SPECIALISTS])
        prompt = [
            SystemMessage(f"Split the request into subtasks for: {agents}."),
            HumanMessage(request),
        ]
        return Plan.model_validate_json(str(self.model.invoke(prompt).content))


def python_agent(s: Specialist) -> Callable[[AgentTask, ToolBox], AgentOutput]:
    def run(task: AgentTask, tools: ToolBox) -> AgentOutput:
        record = tools.call(s.tool_name, **{s.arg: s.find_arg(task.description)})
        return AgentOutput(output={"summary": s.answer(record), "record": record})

    return run


def react_agent(s: Specialist, model_type: type[M]) -> tuple[Any, M]:
    """The specialist as `create_react_agent`, the way langgraph-supervisor expects it."""
    from langgraph.prebuilt import create_react_agent

    model = model_type(script=specialist_script(s))
    with warnings.catch_warnings():  # deprecated in favour of langchain's create_agent
        warnings.simplefilter("ignore")
        agent = create_react_agent(
            model, [langchain_tool(s)], name=s.name, prompt=f"You are {s.description}"
        )
    return agent, model


# -- one system under test ---------------------------------------------------------------------


@dataclass
class System:
    """A compiled graph on its own checkpoint file, with what to send and how to check it."""

    name: str
    app: Any
    db: Path
    conn: sqlite3.Connection
    payload: Callable[[], Any]
    check: Callable[[dict[str, Any]], None]
    call_counters: list[Any]  # anything with a `calls` attribute
    times: list[float] = field(default_factory=list)
    last_state: dict[str, Any] | None = None

    def model_calls(self) -> int:
        return sum(c.calls for c in self.call_counters)

    def invoke(self, thread: str) -> float:
        config = {"configurable": {"thread_id": thread}}
        payload = self.payload()
        start = time.perf_counter()
        state = self.app.invoke(payload, config, durability="sync")
        elapsed = time.perf_counter() - start
        self.check(state)
        self.last_state = state
        return elapsed

    def file_bytes(self) -> int:
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(p.stat().st_size for p in self.db.parent.glob(self.db.name + "*"))


def ringmaster_payload() -> dict[str, Any]:
    """The graph's input for REQUEST from a bench requester, on a new thread."""
    return {
        "request": REQUEST,
        "requester": {"id": "bench", "scopes": [], "priority": "normal"},
        "turn": 1,
        "plan": None,
        "results": None,
        "answer": None,
    }


def check_ringmaster(state: dict[str, Any]) -> None:
    results = state.get("results") or {}
    statuses = {k: r["status"] for k, r in results.items()}
    agents = sorted(r["agent"] for r in results.values())
    if set(statuses.values()) != {"done"} or agents != sorted(s.name for s in SPECIALISTS):
        raise AssertionError(f"ringmaster did not finish the three subtasks: {statuses} {agents}")
    for s in SPECIALISTS:
        if f"{s.name}: {s.tool_name} -> " not in (state.get("answer") or ""):
            raise AssertionError(f"ringmaster's answer lacks {s.name}'s: {state.get('answer')!r}")


def check_supervisor(state: dict[str, Any]) -> None:
    messages = state["messages"]
    for s in SPECIALISTS:
        said = [m for m in messages if isinstance(m, AIMessage) and m.name == s.name]
        if not any(str(m.content).startswith(f"{s.name}: {s.tool_name} -> ") for m in said):
            raise AssertionError(f"create_supervisor has no answer from {s.name}")
    final = messages[-1]
    if not (isinstance(final, AIMessage) and final.name == "supervisor" and final.content):
        raise AssertionError(f"create_supervisor did not end with its answer: {final!r}")


def ringmaster_system(
    name: str, saver: Any, db: Path, planner: Planner, agents: Literal["python", "react"]
) -> System:
    counters: list[Any] = [planner] if isinstance(planner, ScriptedPlanner) else []
    runtimes: dict[str, AgentRuntime] = {}
    for s in SPECIALISTS:
        if agents == "react":
            graph, model = react_agent(s, ScriptedChatModel)
            runtimes[s.name] = GraphRuntime(graph)
            counters.append(model)
        else:
            runtimes[s.name] = PythonRuntime(python_agent(s))
    registry = AgentRegistry.build(bench_team(), bench_tools(), overrides=runtimes)
    app = build_graph(GraphDeps(registry=registry, planner=planner), saver)
    return System(name, app, db, saver.conn, ringmaster_payload, check_ringmaster, counters)


def supervisor_app(saver: Any, model_type: type[M]) -> tuple[Any, list[M]]:
    """`create_supervisor` over the three react specialists, compiled on `saver`; its models,
    the supervisor's first."""
    from langgraph_supervisor import create_supervisor

    pairs = [react_agent(s, model_type) for s in SPECIALISTS]
    model = model_type(script=supervisor_script([s.name for s in SPECIALISTS]))
    with warnings.catch_warnings():  # it builds on the deprecated create_react_agent
        warnings.simplefilter("ignore")
        workflow = create_supervisor(
            [agent for agent, _ in pairs],
            model=model,
            prompt="You route each part of the request to the agent that owns it.",
        )
    return workflow.compile(checkpointer=saver), [model, *(m for _, m in pairs)]


def supervisor_system(name: str, saver: Any, db: Path) -> System:
    app, models = supervisor_app(saver, ScriptedChatModel)
    return System(
        name,
        app,
        db,
        saver.conn,
        lambda: {"messages": [HumanMessage(REQUEST)]},
        check_supervisor,
        list(models),
    )


def local_planner(cache_dir: Path | None) -> Planner | None:
    """The embedded default planner on the demo team, or None when it is not there."""
    try:
        from ringmaster.agents.spec import load_team
        from ringmaster.graph.planner.local import LocalPlanner
    except ImportError:
        return None
    if not DEMO_TEAM.exists():
        return None
    return LocalPlanner(load_team(DEMO_TEAM), cache_dir=cache_dir)


# -- measuring ---------------------------------------------------------------------------------


@dataclass
class Figures:
    """What one system costs per request."""

    system: str
    requests: int
    median_ms: float
    p95_ms: float
    mean_ms: float
    checkpoint_bytes_per_request: float  # checkpoints.checkpoint + .metadata + writes.value
    file_bytes_per_request: float  # growth of the SQLite file (WAL folded in)
    checkpoints_per_request: float
    writes_per_request: float
    model_calls_per_request: float


@dataclass
class Report:
    requests: int
    request: str
    figures: list[Figures]
    final_states: dict[str, dict[str, Any]]
    times_ms: dict[str, list[float]]  # per request, in the order they ran

    def paired_time_ratio(self, system: str, against: str) -> float:
        """The median of per-round ratios: each pair ran back to back, so load swings cancel."""
        pairs = zip(self.times_ms[system], self.times_ms[against], strict=True)
        return statistics.median(a / b for a, b in pairs)

    def ratios(self) -> list[dict[str, Any]]:
        base = self.figures[-1]
        out = []
        for f in self.figures[:-1]:
            time_ratio = f.median_ms / base.median_ms
            bytes_ratio = f.checkpoint_bytes_per_request / base.checkpoint_bytes_per_request
            out.append(
                {
                    "system": f.system,
                    "against": base.system,
                    "time": round(time_ratio, 3),
                    "bytes": round(bytes_ratio, 3),
                    "time_paired": round(self.paired_time_ratio(f.system, base.system), 3),
                    "time_target_met": time_ratio <= TIME_TARGET,
                    "bytes_target_met": bytes_ratio <= BYTES_TARGET,
                }
            )
        return out


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[rank]


def stored_bytes(db: Path, warmup_thread: str) -> tuple[int, int, int]:
    """Blob bytes, checkpoint rows and write rows of every thread but the warm-up's."""
    with sqlite3.connect(db) as conn:
        cp_bytes, cp_rows = conn.execute(
            "SELECT COALESCE(SUM(LENGTH(checkpoint) + LENGTH(metadata)), 0), COUNT(*) "
            "FROM checkpoints WHERE thread_id != ?",
            (warmup_thread,),
        ).fetchone()
        w_bytes, w_rows = conn.execute(
            "SELECT COALESCE(SUM(LENGTH(value)), 0), COUNT(*) FROM writes WHERE thread_id != ?",
            (warmup_thread,),
        ).fetchone()
    return cp_bytes + w_bytes, cp_rows, w_rows


def measure(systems: list[System], requests: int) -> list[Figures]:
    warmup = "warm-up"
    calls_before: dict[str, int] = {}
    size_before: dict[str, int] = {}
    for system in systems:
        system.invoke(warmup)
        calls_before[system.name] = system.model_calls()
        size_before[system.name] = system.file_bytes()
    for i in range(requests):  # interleaved, so drift and noise fall on every system alike
        for system in systems:
            system.times.append(system.invoke(f"request-{i:04d}"))
    figures = []
    for system in systems:
        blob, checkpoints, writes = stored_bytes(system.db, warmup)
        grown = system.file_bytes() - size_before[system.name]
        ms = [t * 1000 for t in system.times]
        figures.append(
            Figures(
                system=system.name,
                requests=requests,
                median_ms=round(statistics.median(ms), 3),
                p95_ms=round(percentile(ms, 0.95), 3),
                mean_ms=round(statistics.fmean(ms), 3),
                checkpoint_bytes_per_request=round(blob / requests, 1),
                file_bytes_per_request=round(grown / requests, 1),
                checkpoints_per_request=round(checkpoints / requests, 2),
                writes_per_request=round(writes / requests, 2),
                model_calls_per_request=round(
                    (system.model_calls() - calls_before[system.name]) / requests, 2
                ),
            )
        )
    return figures


@contextmanager
def systems_under_test(
    workdir: Path, with_local: bool, planner_cache: Path | None
) -> Iterator[list[System]]:
    with ExitStack() as stack:

        def saver(tag: str) -> tuple[Any, Path]:
            db = workdir / tag / "checkpoints.db"
            return stack.enter_context(open_checkpointer(f"sqlite:///{db}")), db

        systems = []
        cp, db = saver("rm-python")
        systems.append(
            ringmaster_system(
                "ringmaster · scripted planner · python agents", cp, db, ScriptedPlanner(), "python"
            )
        )
        cp, db = saver("rm-react")
        systems.append(
            ringmaster_system(
                "ringmaster · scripted planner · react agents", cp, db, ScriptedPlanner(), "react"
            )
        )
        local = local_planner(planner_cache) if with_local else None
        if local is not None:
            cp, db = saver("rm-local")
            systems.append(
                ringmaster_system(
                    "ringmaster · local planner · python agents", cp, db, local, "python"
                )
            )
        cp, db = saver("supervisor")
        systems.append(supervisor_system("create_supervisor · react agents", cp, db))
        yield systems


def run(requests: int, with_local: bool = True, planner_cache: Path | None = None) -> Report:
    with tempfile.TemporaryDirectory(prefix="ringmaster-bench-") as tmp:
        with systems_under_test(Path(tmp), with_local, planner_cache) as systems:
            figures = measure(systems, requests)
            finals = {s.name: s.last_state or {} for s in systems}
            times = {s.name: [t * 1000 for t in s.times] for s in systems}
    return Report(requests, REQUEST, figures, finals, times)


# -- output ------------------------------------------------------------------------------------

COLUMNS = (
    ("median ms", "median_ms", "{:.2f}"),
    ("p95 ms", "p95_ms", "{:.2f}"),
    ("ckpt bytes/req", "checkpoint_bytes_per_request", "{:,.0f}"),
    ("file bytes/req", "file_bytes_per_request", "{:,.0f}"),
    ("checkpoints/req", "checkpoints_per_request", "{:.1f}"),
    ("writes/req", "writes_per_request", "{:.1f}"),
    ("model calls/req", "model_calls_per_request", "{:.1f}"),
)


def table(report: Report) -> str:
    width = max(len(f.system) for f in report.figures)
    head = f"{'system':<{width}}  " + "  ".join(f"{c:>15}" for c, _, _ in COLUMNS)
    lines = [head, "-" * len(head)]
    for f in report.figures:
        row = asdict(f)
        cells = "  ".join(f"{fmt.format(row[key]):>15}" for _, key, fmt in COLUMNS)
        lines.append(f"{f.system:<{width}}  {cells}")
    return "\n".join(lines)


def verdict(ratio: dict[str, Any]) -> str:
    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    return (
        f"{ratio['system']} / {ratio['against']}: "
        f"time {ratio['time']:.2f} (target <= {TIME_TARGET}: {met(ratio['time_target_met'])}; "
        f"paired per round {ratio['time_paired']:.2f}), "
        f"bytes {ratio['bytes']:.2f} (target <= {BYTES_TARGET}: {met(ratio['bytes_target_met'])})"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per system")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--no-local-planner",
        action="store_true",
        help="skip the local-planner row (training it takes ~12 s without a cache)",
    )
    parser.add_argument(
        "--planner-cache", type=Path, default=None, help="directory for the local planner model"
    )
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> Report:
    """Run the benchmark, print the table (or JSON), and return the report."""
    args = parse_args(argv)
    report = run(args.requests, not args.no_local_planner, args.planner_cache)
    ratios = report.ratios()
    if args.json:
        doc = {
            "requests": report.requests,
            "request": report.request,
            "targets": {"time": TIME_TARGET, "bytes": BYTES_TARGET},
            "systems": [asdict(f) for f in report.figures],
            "ratios": ratios,
        }
        print(json.dumps(doc, indent=2))
    else:
        print(f"{report.requests} requests per system, each on its own thread: {REQUEST!r}")
        print(table(report))
        print()
        headline, *others = ratios
        for ratio in others:
            print("also  " + verdict(ratio))
        print(verdict(headline))
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
