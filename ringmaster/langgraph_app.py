"""The graph for LangGraph Server and `langgraph dev` (named in the top-level langgraph.json).

The server brings its own checkpointer and interrupt handling, so the graph is compiled
without one; the team, planner and models come from the same settings as `ringmaster serve`.

The server calls the factory for every run, inside its event loop: building the team (files,
the demo database, the local planner's training) is blocking work, so it is done once, in a
worker thread, and the compiled graph is reused. Through the server, reviews are asked one at
a time (see `PARALLEL_REVIEWS` in graph/nodes/dispatch.py): its clients resume without
interrupt ids.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from ringmaster.graph.build import build_graph
from ringmaster.settings import Settings
from ringmaster.wiring import build_deps

_lock = threading.Lock()
_graph: Any = None


def build_app_graph() -> Any:
    """The run graph over the configured team (the demo team when nothing is set), built once."""
    global _graph
    with _lock:
        if _graph is None:
            _graph = build_graph(build_deps(Settings()))
        return _graph


async def make_graph() -> Any:
    """The graph factory langgraph.json names."""
    if _graph is not None:
        return _graph
    return await asyncio.to_thread(build_app_graph)
