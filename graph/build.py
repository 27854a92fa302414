"""`build_graph()`: the run graph and the per-subtask work graph, compiled with a checkpointer.

run:   START → intake → plan → dispatch ⇉ work (one per ready subtask, in parallel)
                                 ↑________↓            → synthesize → END
work:  START → (review if routing is unsure) → agent → validate → agent (retry/fallback)
                                                         ↘ review → act | agent | END
                                                         ↘ act → END
"""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph

from graph.deps import GraphDeps
from graph.nodes.act import make_act
from graph.nodes.agent import make_agent
from graph.nodes.dispatch import dispatch, route_ready
from graph.nodes.plan import make_plan
from graph.nodes.review import make_review
from graph.nodes.synthesize import synthesize
from graph.nodes.validate import make_validate
from graph.state import RunState, WorkOutput, WorkState


def _entry(state: WorkState) -> str:
    sub = state["subtask"]
    return "review" if sub.get("escalate") or not sub.get("agent") else "agent"


def _next(state: WorkState) -> str:
    return END if state["next"] == "end" else state["next"]


def build_work_graph(deps: GraphDeps) -> Any:
    """One subtask's way through agent, validation, review and action."""
    g = StateGraph(WorkState, output_schema=WorkOutput)
    g.add_node("agent", make_agent(deps))
    g.add_node("validate", make_validate(deps))
    g.add_node("review", make_review(deps))
    g.add_node("act", make_act(deps))
    g.add_conditional_edges(START, _entry, ["agent", "review"])
    g.add_edge("agent", "validate")
    g.add_conditional_edges("validate", _next, ["agent", "review", "act", END])
    g.add_conditional_edges("review", _next, ["agent", "act", END])
    g.add_edge("act", END)
    return g.compile()


def build_graph(deps: GraphDeps, checkpointer: BaseCheckpointSaver | None = None) -> Any:
    """The compiled run graph. Pass a checkpointer for interrupts and resumes to work."""
    g = StateGraph(RunState)
    g.add_node("plan", make_plan(deps))
    g.add_node("dispatch", dispatch)
    g.add_node("work", build_work_graph(deps))
    g.add_node("synthesize", synthesize)
    g.add_edge(START, "plan")
    g.add_edge("plan", "dispatch")
    g.add_conditional_edges("dispatch", route_ready, ["work", "synthesize"])
    g.add_edge("work", "dispatch")
    g.add_edge("synthesize", END)
    return g.compile(checkpointer=checkpointer)
