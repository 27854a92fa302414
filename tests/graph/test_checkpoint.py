"""Checkpointers from URLs: SQLite with compact versions, Postgres, and clear errors."""

from __future__ import annotations

import operator
from pathlib import Path
from typing import Annotated, TypedDict

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph

from ringmaster.graph.checkpoint import CompactSqliteSaver, connect_sqlite, open_checkpointer
from ringmaster.graph.errors import CheckpointerError


class Counter(TypedDict):
    n: Annotated[int, operator.add]


def _graph(saver: object) -> object:
    g = StateGraph(Counter)
    g.add_node("inc", lambda s: {"n": 1})
    g.add_edge(START, "inc")
    return g.compile(checkpointer=saver)  # type: ignore[arg-type]


def test_versions_are_small_integers(tmp_path: Path) -> None:
    with open_checkpointer(f"sqlite:///{tmp_path / 'cp.db'}") as saver:
        assert isinstance(saver, CompactSqliteSaver)
        app = _graph(saver)
        cfg = {"configurable": {"thread_id": "a"}}
        app.invoke({"n": 1}, cfg)  # type: ignore[attr-defined]
        app.invoke({"n": 1}, cfg)  # type: ignore[attr-defined]
        versions = saver.get_tuple(cfg).checkpoint["channel_versions"]  # type: ignore[arg-type, union-attr]
        assert versions and all(isinstance(v, int) for v in versions.values())
        assert app.get_state(cfg).values["n"] == 4  # type: ignore[attr-defined]


def test_a_store_written_by_plain_sqlite_saver_keeps_working(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    cfg = {"configurable": {"thread_id": "old"}}
    conn = connect_sqlite(path)
    plain = SqliteSaver(conn)
    _graph(plain).invoke({"n": 1}, cfg)  # type: ignore[attr-defined]
    conn.close()
    with open_checkpointer(str(path)) as saver:
        app = _graph(saver)
        app.invoke({"n": 1}, cfg)  # type: ignore[attr-defined]
        assert app.get_state(cfg).values["n"] == 4  # type: ignore[attr-defined]
        versions = saver.get_tuple(cfg).checkpoint["channel_versions"]  # type: ignore[arg-type, union-attr]
        assert all(isinstance(v, str) for v in versions.values())


def test_postgres_checkpointer(pg_database: str) -> None:
    with open_checkpointer(pg_database) as saver:
        app = _graph(saver)
        cfg = {"configurable": {"thread_id": "pg"}}
        app.invoke({"n": 2}, cfg)  # type: ignore[attr-defined]
        assert app.get_state(cfg).values["n"] == 3  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "url, message",
    [
        ("sqlite:relative.db", "use sqlite:///PATH"),
        ("postgresql://nobody@127.0.0.1:1/none", "cannot connect to Postgres"),
    ],
)
def test_bad_urls_say_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(CheckpointerError, match=message), open_checkpointer(url):
        pass
