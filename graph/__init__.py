"""The LangGraph state machine: intake, plan, dispatch, agent, validate, review, synthesize."""

from graph.build import build_graph, build_work_graph
from graph.checkpoint import open_checkpointer
from graph.deps import GraphDeps
from graph.errors import CheckpointerError, GraphError, RequestError
from graph.intake import validate_request

__all__ = [
    "CheckpointerError",
    "GraphDeps",
    "GraphError",
    "RequestError",
    "build_graph",
    "build_work_graph",
    "open_checkpointer",
    "validate_request",
]
