"""Model calls and prompt tokens: ringmaster's LLM planner and agents against `create_supervisor`.

The request, the three specialists and their one look-up tool each are the ones in
`benchmarks/overhead.py`; every model is the benchmarks' one zero-latency scripted chat model
(`benchmarks/scripted.py`), which counts its calls and the prompt tokens it is actually sent
(every message, tool call and tool schema, with one stand-in tokenizer: a token per four
characters), so both sides are measured alike. Both use `durability="sync"`; requests run
interleaved (round i of every system before round i+1), after one warm-up each.

Rows:
    create_supervisor · react agents        the supervisor hands off with transfer_to_<agent>
    ringmaster · llm planner · llm agents   one planning call, then tool choice + answer per agent
                                            (defaults: one tool each, so one round of tool
                                            calls, and the answer call goes without the schema)
    ringmaster · cascade · llm agents       the local planner (demo team) first; the model only
                                            when it is unsure (the row says which happened)
    ringmaster · llm planner · llm agents · tool_rounds 5
                                            the same, each agent set to five rounds of tool
                                            calls (`tool_rounds: 5`, the default before it was
                                            one round per tool), as for an agent that may call
                                            its tool again: its answer call carries the schema
    ringmaster · llm planner · answer_direct the tools' structured results stand as the answers:
                                            one planning call and one tool choice per agent

Both sides get the same request, the same three tool functions (name, docstring, signature)
and the same scripted answers: the plan (in the planner's compact schema), each specialist's
tool call and its final text.

Targets (issue 4): at most 7 calls (6 when the cascade routes without the model) and at most
30% of create_supervisor's prompt tokens; the floor with answer_direct is 4 calls.

    .venv/bin/python -m benchmarks.llm_calls [--requests 20] [--json] [--planner-cache DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from benchmarks.scripted import Latency, Script, ScriptedChatModel, machine, percentile
from benchmarks.systems import SUPERVISOR
from benchmarks.workload import (
    REQUEST,
    SPECIALISTS,
    bench_team,
    check_ringmaster,
    check_supervisor,
    local_planner,
    plan_script,
    ringmaster_payload,
    specialist_script,
    supervisor_app,
)
from ringmaster.agents.llm_runtime import LLMRuntime
from ringmaster.agents.registry import AgentRegistry
from ringmaster.graph.build import build_graph
from ringmaster.graph.checkpoint import open_checkpointer
from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.planner.base import Planner
from ringmaster.graph.planner.cascade import CascadePlanner
from ringmaster.graph.planner.llm import LLMPlanner
from ringmaster.tools.base import Tool, ToolRegistry

CALLS_TARGET = 7
CASCADE_CALLS_TARGET = 6
FLOOR_CALLS = 4
TOKENS_TARGET = 0.30


def direct_script(s: Any) -> Script:
    """An agent whose tool's result stands as its answer: one tool choice, nothing more."""

    def script(messages: list[BaseMessage]) -> AIMessage:
        text = "\n".join(str(m.content) for m in messages if isinstance(m, HumanMessage))
        call = {
            "name": s.tool_name,
            "args": {s.arg: s.find_arg(text)},
            "id": "c1",
            "type": "tool_call",
        }
        return AIMessage("", tool_calls=[call])

    return script


def check_direct(state: dict[str, Any]) -> None:
    results = state.get("results") or {}
    for s in SPECIALISTS:
        r = next((r for r in results.values() if r["agent"] == s.name), None)
        if r is None or r["status"] != "done" or not isinstance(r["output"].get("result"), dict):
            raise AssertionError(f"{s.name} did not answer with its tool's result: {r}")


@dataclass
class Row:
    system: str
    requests: int
    model_calls: float
    prompt_tokens: float
    output_tokens: float
    median_ms: float
    p95_ms: float
    planned_locally: float | None = None  # cascade: share of requests without a planner call


@dataclass
class Bench:
    name: str
    invoke: Callable[[str], dict[str, Any]]
    check: Callable[[dict[str, Any]], None]
    models: list[ScriptedChatModel]
    cascade: CascadePlanner | None = None
    times: list[float] = field(default_factory=list)
    _start: tuple[int, int, int, int] = (0, 0, 0, 0)

    def _counts(self) -> tuple[int, int, int, int]:
        return (
            sum(m.calls for m in self.models),
            sum(m.prompt_tokens for m in self.models),
            sum(m.output_tokens for m in self.models),
            self.cascade.local_only if self.cascade else 0,
        )

    def warm_up(self) -> None:
        self.invoke("warm-up")
        self._start = self._counts()

    def request(self, i: int) -> None:
        start = time.perf_counter()
        state = self.invoke(f"r-{i}")
        self.times.append((time.perf_counter() - start) * 1000)
        self.check(state)

    def row(self) -> Row:
        n = len(self.times)
        calls, spent, out, local = (b - a for a, b in zip(self._start, self._counts(), strict=True))
        return Row(
            self.name,
            n,
            round(calls / n, 2),
            round(spent / n, 1),
            round(out / n, 1),
            round(statistics.median(self.times), 2),
            round(percentile(self.times, 95), 2),
            local / n if self.cascade is not None else None,
        )


def measure(benches: list[Bench], requests: int) -> list[Row]:
    """Warm each up, then interleave the requests (round i of every system before round i+1),
    so the machine's load falls on every system alike."""
    for bench in benches:
        bench.warm_up()
    for i in range(requests):
        for bench in benches:
            bench.request(i)
    return [bench.row() for bench in benches]


def ringmaster_bench(
    name: str,
    saver: Any,
    planner: Planner,
    direct: bool,
    planner_models: list[ScriptedChatModel],
    tool_rounds: int | None = None,
) -> Bench:
    tools = ToolRegistry()
    for s in SPECIALISTS:
        tools.register(Tool(s.tool_name, s.tool.__doc__ or "", s.tool, answer_direct=direct))
    models: dict[str, ScriptedChatModel] = {}

    def runtime(spec: Any) -> LLMRuntime:
        s = next(x for x in SPECIALISTS if x.name == spec.name)
        models[s.name] = ScriptedChatModel(
            script=direct_script(s) if direct else specialist_script(s)
        )
        return LLMRuntime(spec, models[s.name])

    team = bench_team()
    for spec in team.agents:  # the same team, its agents on the llm runtime
        spec.runtime = spec.runtime.model_copy(update={"kind": "llm", "entry": None})
        spec.tool_rounds = tool_rounds
    registry = AgentRegistry.build(team, tools, llm_runtime=runtime)
    app = build_graph(GraphDeps(registry=registry, planner=planner), saver)

    def invoke(thread: str) -> dict[str, Any]:
        config = {"configurable": {"thread_id": thread}}
        return app.invoke(ringmaster_payload(), config, durability="sync")  # type: ignore[no-any-return]

    cascade = planner if isinstance(planner, CascadePlanner) else None
    check = check_direct if direct else check_ringmaster
    return Bench(name, invoke, check, [*planner_models, *models.values()], cascade)


def supervisor_bench(saver: Any) -> Bench:
    app, models = supervisor_app(saver, Latency())

    def invoke(thread: str) -> dict[str, Any]:
        config = {"configurable": {"thread_id": thread}}
        payload = {"messages": [HumanMessage(REQUEST)]}
        return app.invoke(payload, config, durability="sync")  # type: ignore[no-any-return]

    return Bench(SUPERVISOR, invoke, check_supervisor, models)


def run(requests: int, planner_cache: Path | None) -> list[Row]:
    benches = []
    with tempfile.TemporaryDirectory(prefix="ringmaster-llm-bench-") as tmp, ExitStack() as stack:

        def saver(tag: str) -> Any:
            return stack.enter_context(open_checkpointer(f"sqlite:///{Path(tmp) / tag}.db"))

        team = bench_team()

        def llm_planner_bench(
            name: str,
            tag: str,
            *,
            local: Planner | None = None,
            direct: bool = False,
            tool_rounds: int | None = None,
        ) -> Bench:
            """The LLM planner (behind `local` as a cascade, when given) on a scripted model."""
            model = ScriptedChatModel(script=plan_script())
            llm = LLMPlanner(team, model)
            planner = llm if local is None else CascadePlanner(local, llm)
            return ringmaster_bench(name, saver(tag), planner, direct, [model], tool_rounds)

        benches.append(supervisor_bench(saver("supervisor")))
        benches.append(llm_planner_bench("ringmaster · llm planner · llm agents", "llm"))
        local = local_planner(planner_cache)
        if local is not None:
            benches.append(
                llm_planner_bench("ringmaster · cascade · llm agents", "cascade", local=local)
            )
        benches.append(
            llm_planner_bench(
                "ringmaster · llm planner · llm agents · tool_rounds 5", "rounds", tool_rounds=5
            )
        )
        benches.append(
            llm_planner_bench("ringmaster · llm planner · answer_direct", "direct", direct=True)
        )
        return measure(benches, requests)


def verdicts(rows: list[Row]) -> list[dict[str, Any]]:
    """One per ringmaster row: its calls and its share of create_supervisor's prompt tokens."""
    base = rows[0]
    out = []
    for r in rows[1:]:
        share = r.prompt_tokens / base.prompt_tokens
        if "answer_direct" in r.system:
            target, label = FLOOR_CALLS, "floor"
        elif r.planned_locally:
            target, label = CASCADE_CALLS_TARGET, "cascade routed locally"
        else:
            target, label = CALLS_TARGET, "target"
        met = r.model_calls <= target and share <= TOKENS_TARGET
        text = (
            f"{r.system}: {r.model_calls:g} calls ({label} <= {target}), prompt tokens "
            f"{share:.0%} of create_supervisor's (target <= {TOKENS_TARGET:.0%}): "
            + ("met" if met else "NOT met")
        )
        out.append(
            {
                "target": f"{r.system}: calls and prompt-token share",
                "calls": r.model_calls,
                "calls_limit": target,
                "value": round(share, 3),
                "limit": TOKENS_TARGET,
                "met": met,
                "text": text,
            }
        )
    return out


def command(argv: Sequence[str]) -> str:
    return " ".join([".venv/bin/python -m benchmarks.llm_calls", *argv])


def main(argv: Sequence[str] | None = None) -> list[Row]:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--planner-cache", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    before = machine()
    rows = run(args.requests, args.planner_cache)
    after = machine()
    if args.json:
        doc = {
            "benchmark": "llm_calls",
            "command": command(argv),
            "machine": {"before": before, "after": after},
            "request": REQUEST,
            "requests": args.requests,
            "rows": [asdict(r) for r in rows],
            "verdicts": verdicts(rows),
        }
        print(json.dumps(doc, indent=2))
        return rows
    load = before["load"]
    print(f"{command(argv)}  (load average before: {load[0]} {load[1]} {load[2]})")
    print(f"{args.requests} requests per system: {REQUEST!r}")
    width = max(len(r.system) for r in rows)
    print(
        f"{'system':<{width}}  {'calls/req':>9}  {'prompt tok/req':>14}  {'output tok/req':>14}"
        f"  {'median ms':>9}  {'p95 ms':>9}  local"
    )
    for r in rows:
        local = "-" if r.planned_locally is None else f"{r.planned_locally:.0%}"
        print(
            f"{r.system:<{width}}  {r.model_calls:>9g}  {r.prompt_tokens:>14,.0f}  "
            f"{r.output_tokens:>14,.0f}  {r.median_ms:>9.2f}  {r.p95_ms:>9.2f}  {local}"
        )
    print()
    for v in verdicts(rows):
        print(v["text"])
    return rows


if __name__ == "__main__":
    main()
