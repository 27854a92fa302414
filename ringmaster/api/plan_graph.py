"""A turn's plan as a small graph for the thread page: subtasks laid out by dependency depth.

Columns are dependency depth (a subtask sits one column right of the last one it waits for),
rows the order within a column. The page draws it as inline SVG and the browser recolours a
node by its subtask id as the thread's events arrive (static/thread.js).
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import TopologicalSorter
from typing import Any

NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 170, 46, 50, 18, 10


@dataclass(frozen=True)
class Node:
    id: str
    agent: str
    status: str
    description: str
    x: int
    y: int


@dataclass(frozen=True)
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass(frozen=True)
class PlanGraph:
    nodes: list[Node]
    edges: list[Edge]
    width: int
    height: int


def layout(plan: dict[str, Any] | None, results: dict[str, Any]) -> PlanGraph | None:
    """The plan's subtasks as positioned nodes and dependency edges; None without a plan.
    A plan the supervisor answered itself (`reply`) is one node: the supervisor, done."""
    if plan and plan.get("reply") is not None:
        why = str(plan.get("rationale") or plan["reply"])
        node = Node(id="reply", agent="supervisor", status="done", description=why, x=PAD, y=PAD)
        return PlanGraph([node], [], PAD * 2 + NODE_W, PAD * 2 + NODE_H)
    if not plan or not plan.get("subtasks"):
        return None
    subtasks = {s["id"]: s for s in plan["subtasks"]}
    order = TopologicalSorter({sid: s.get("depends_on", []) for sid, s in subtasks.items()})
    depth: dict[str, int] = {}
    for sid in order.static_order():
        deps = [d for d in subtasks[sid].get("depends_on", []) if d in depth]
        depth[sid] = 1 + max((depth[d] for d in deps), default=-1)
    rows: dict[int, int] = {}
    nodes: dict[str, Node] = {}
    for sid, s in subtasks.items():  # plan order within a column
        col = depth[sid]
        row = rows.get(col, 0)
        rows[col] = row + 1
        result = results.get(sid) or {}
        agent = s.get("agent") if not s.get("escalate") else None
        nodes[sid] = Node(
            id=sid,
            agent=result.get("agent") or agent or "human",  # no agent: a person routes it
            status=result.get("status") or "planned",
            description=s.get("description", ""),
            x=PAD + col * (NODE_W + GAP_X),
            y=PAD + row * (NODE_H + GAP_Y),
        )
    edges = [
        Edge(
            nodes[d].x + NODE_W,
            nodes[d].y + NODE_H // 2,
            nodes[sid].x,
            nodes[sid].y + NODE_H // 2,
        )
        for sid, s in subtasks.items()
        for d in s.get("depends_on", [])
        if d in nodes
    ]
    width = PAD * 2 + (max(depth.values()) + 1) * (NODE_W + GAP_X) - GAP_X
    height = PAD * 2 + max(rows.values()) * (NODE_H + GAP_Y) - GAP_Y
    return PlanGraph(list(nodes.values()), edges, width, height)
