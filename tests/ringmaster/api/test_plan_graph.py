"""The thread page's plan graph: subtasks placed by dependency depth, coloured by status."""

from __future__ import annotations

from ringmaster.api.plan_graph import GAP_X, NODE_W, PAD, layout


def test_dependents_sit_right_of_what_they_wait_for_and_carry_their_status() -> None:
    plan = {
        "subtasks": [
            {"id": "t1", "agent": "billing", "description": "refund", "depends_on": []},
            {"id": "t2", "agent": "ops", "description": "roll back", "depends_on": []},
            {"id": "t3", "agent": "content", "description": "draft", "depends_on": ["t2"]},
            {"id": "t4", "agent": "x", "escalate": True, "description": "?", "depends_on": []},
        ]
    }
    graph = layout(plan, {"t1": {"status": "done", "agent": "billing"}})
    assert graph is not None
    nodes = {n.id: n for n in graph.nodes}
    assert [nodes[s].x for s in ("t1", "t2", "t3")] == [PAD, PAD, PAD + NODE_W + GAP_X]
    assert nodes["t1"].y < nodes["t2"].y < nodes["t4"].y and nodes["t3"].y == nodes["t1"].y
    assert (nodes["t1"].status, nodes["t3"].status) == ("done", "planned")
    assert nodes["t4"].agent == "human"  # an escalated subtask is a person's until decided
    [edge] = graph.edges
    assert (edge.x1, edge.x2) == (nodes["t2"].x + NODE_W, nodes["t3"].x)
    assert graph.width == PAD * 2 + 2 * NODE_W + GAP_X


def test_no_plan_no_graph() -> None:
    assert layout(None, {}) is None
    assert layout({"subtasks": []}, {}) is None
