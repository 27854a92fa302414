"""The LangGraph state machine: intake, plan, dispatch, agent, validate, review, synthesize."""

from ringmaster.graph.build import build_graph, build_work_graph
from ringmaster.graph.checkpoint import open_checkpointer
from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.errors import CheckpointerError, GraphError, RequestError
from ringmaster.graph.intake import validate_request

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
