"""The LangGraph state machine: intake, plan, dispatch, agent, validate, review, synthesize.

The names below are imported on first use (PEP 562), not with the package: importing a light
module such as `ringmaster.graph.state` or `.errors` must not import LangGraph's builder (it
would cost every CLI command its start-up time).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ringmaster.graph.build import build_graph, build_work_graph
    from ringmaster.graph.checkpoint import open_checkpointer
    from ringmaster.graph.deps import GraphDeps
    from ringmaster.graph.errors import CheckpointerError, GraphError, RequestError
    from ringmaster.graph.intake import validate_request

_WHERE = {
    "build_graph": "build",
    "build_work_graph": "build",
    "open_checkpointer": "checkpoint",
    "GraphDeps": "deps",
    "CheckpointerError": "errors",
    "GraphError": "errors",
    "RequestError": "errors",
    "validate_request": "intake",
}

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


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
