"""A request in words the demo team's skills cannot read is asked back, never answered with a
look-up no one asked for (README, "An agent asks what it cannot read": words in another
language end `needs_input` with the agent's question, never `done`). A new-user trial ran
"Rembourser la facture INV-1003 en totalité" and got INV-1003's details back as `done`."""

from __future__ import annotations

import pytest

from tests.ringmaster.test_cli import Cli
from tests.ringmaster.test_cli import cli_in_process as cli_in_process  # noqa: F401 (fixture)
from tests.ringmaster.test_cli import planner_cache as planner_cache  # noqa: F401 (fixture)


@pytest.mark.parametrize(
    "request_text",
    [
        "Rembourser la facture INV-1003 en totalité",
        "退款 INV-1003",
        "INV-1003 返金してください",
        "Bitte das Ticket TCK-1001 schließen",
    ],
)
def test_a_request_in_another_language_ends_in_a_question(
    cli_in_process: Cli, request_text: str
) -> None:
    cli = cli_in_process
    out = cli.json("run", request_text)
    assert out["status"] == "needs_input", out
    assert out["pending"] == []
    results = list(out["results"].values())
    assert results and all(r["status"] == "needs_input" for r in results), results
    for r in results:
        assert r["summary"].rstrip().endswith("?"), r
        assert "INV-1003 (" not in r["summary"], r  # no invoice look-up reported as the answer
    assert cli.side_effects() == []


def test_an_english_request_with_the_same_id_is_still_done(cli_in_process: Cli) -> None:
    out = cli_in_process.json("run", "show me invoice INV-1003")
    assert out["status"] == "completed", out
    assert [r["status"] for r in out["results"].values()] == ["done"]
