"""`module:attr` entries load through `pkgutil.resolve_name`, and a wrong one says why."""

from __future__ import annotations

import json

import pytest

from ringmaster.agents.errors import AgentRuntimeError
from ringmaster.agents.runtime import load_entry


def test_entries_resolve_dotted_attributes() -> None:
    assert load_entry("json:dumps") is json.dumps
    assert load_entry("json:JSONDecoder.decode") is json.JSONDecoder.decode


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ("no_such_module_here:x", "cannot import 'no_such_module_here'"),
        ("json:nothing", "nothing"),
        ("json.dumps", "module:attribute"),
    ],
)
def test_a_wrong_entry_says_why(entry: str, why: str) -> None:
    with pytest.raises(AgentRuntimeError, match=why):
        load_entry(entry)
