"""`build_graph()`: the run graph and the per-subtask work graph, compiled with a checkpointer.

run:   START → plan (with intake's checks) ⇉ work (one per ready subtask, in parallel)
       work → dispatch ⇉ work (what is ready now; then the parked subtasks)
       dispatch → END (nothing left to run: dispatch synthesized the answer in its own step)
       plan → synthesize → END (nothing to run at all)
work:  START → agent → validate → agent (retry with feedback, then the fallback agent)
                                ↘ act → END           (approved or unneeded side effects)
                                ↘ END                 (nothing to approve or run)
                                ↘ park → END          (a person must decide: routing, approval,
                                                       a category, an exhausted retry budget)
       START → review → act | agent | END             (a parked subtask, sent back)
                      ↺ review                        (an answer its schema refused: ask again)

A subtask that needs a person first *parks*: it ends with status awaiting_review and keeps its
work state. Dispatch runs everything else that can run, dependents of finished work included,
and sends the parked subtasks back to `review` (the `interrupt()`) only when nothing else can.
So a review never holds up work that does not need it. Each step is a checkpoint under
durability="sync", so the graph keeps steps few: intake's checks run inside the plan node, the
plan's first subtasks are sent straight from it (dispatch, which marks the subtasks whose
dependencies failed, has nothing to do before any subtask ran: the plan clears the results),
the last dispatch writes the answer itself (synthesize is a pure function of the results, as
dispatch is), and a subtask with nothing to act on ends at validate.
"""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph

from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.nodes.act import make_act
from ringmaster.graph.nodes.agent import make_agent
from ringmaster.graph.nodes.dispatch import make_dispatch, park, route_dispatched, route_ready
from ringmaster.graph.nodes.plan import make_plan
from ringmaster.graph.nodes.review import make_review
from ringmaster.graph.nodes.synthesize import make_synthesize
from ringmaster.graph.nodes.validate import make_validate
from ringmaster.graph.references import kinds_from_team
from ringmaster.graph.state import RunState, WorkOutput, WorkState


def _entry(state: WorkState) -> str:
    if state.get("deferred"):  # parked earlier, sent back now that nothing else can run
        return "review"
    sub = state["subtask"]
    return "park" if sub.get("escalate") or not sub.get("agent") else "agent"


def _next(state: WorkState) -> str:
    nxt = state["next"]
    if nxt == "review" and not state.get("deferred"):
        return "park"
    return END if nxt == "end" else nxt


def build_work_graph(deps: GraphDeps) -> Any:
    """One subtask's way through agent, validation, review and action."""
    g = StateGraph(WorkState, output_schema=WorkOutput)
    g.add_node("agent", make_agent(deps))
    g.add_node("validate", make_validate(deps))
    g.add_node("review", make_review(deps))
    g.add_node("act", make_act(deps))
    g.add_node("park", park)
    g.add_conditional_edges(START, _entry, ["agent", "review", "park"])
    g.add_edge("agent", "validate")
    g.add_conditional_edges("validate", _next, ["agent", "review", "park", "act", END])
    g.add_conditional_edges("review", _next, ["agent", "act", "review", END])
    g.add_conditional_edges("act", _next, ["review", "park", END])  # a limit may ask a person
    g.add_edge("park", END)
    return g.compile()


def build_graph(deps: GraphDeps, checkpointer: BaseCheckpointSaver | None = None) -> Any:
    """The compiled run graph. Pass a checkpointer for interrupts and resumes to work."""
    synthesize = make_synthesize(kinds_from_team(deps.registry.team.entities))
    g = StateGraph(RunState)
    g.add_node("plan", make_plan(deps))
    g.add_node("dispatch", make_dispatch(synthesize))
    g.add_node("work", build_work_graph(deps))
    g.add_node("synthesize", synthesize)
    g.add_edge(START, "plan")
    g.add_conditional_edges("plan", route_ready, ["work", "synthesize"])  # see the docstring
    g.add_conditional_edges("dispatch", route_dispatched, ["work", END])
    g.add_edge("work", "dispatch")
    g.add_edge("synthesize", END)
    return g.compile(checkpointer=checkpointer)
