from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.llm_http.server import ScriptedServer, serve


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with serve() as s:
        yield s


# The graph fixtures (checkpointer, make_run) for the agent tests here.
from tests.graph.conftest import checkpointer, make_run  # noqa: E402,F401
