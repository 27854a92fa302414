"""langgraph.json names a graph factory that exists and returns a compiled graph."""

from __future__ import annotations

import asyncio
import importlib.util
import json
from pathlib import Path

import pytest
from langgraph.graph.state import CompiledStateGraph

ROOT = Path(__file__).resolve().parents[2]


def test_langgraph_json_points_at_the_graph_factory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RINGMASTER_HOME", str(tmp_path))  # the demo planner trains there
    monkeypatch.delenv("RINGMASTER_TEAM_FILE", raising=False)
    config = json.loads((ROOT / "langgraph.json").read_text())
    path, _, attr = config["graphs"]["ringmaster"].partition(":")
    file = (ROOT / path).resolve()
    assert file.is_file()
    spec = importlib.util.spec_from_file_location("langgraph_app", file)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert callable(getattr(module, attr))
    # The server awaits the factory inside its event loop; the blocking build runs elsewhere.
    graph = asyncio.run(getattr(module, attr)())
    # Compiled, and without a checkpointer: LangGraph Server brings its own.
    assert isinstance(graph, CompiledStateGraph) and graph.checkpointer is None
    assert {"plan", "dispatch", "work", "synthesize"} <= set(graph.nodes)
    # Built once: the server calls the factory for every run.
    assert asyncio.run(getattr(module, attr)()) is graph
    # Studio and clients get the state's schemas, messages included.
    for schema in (graph.get_input_jsonschema(), graph.get_output_jsonschema()):
        assert {"request", "messages", "results", "answer"} <= set(schema["properties"])
