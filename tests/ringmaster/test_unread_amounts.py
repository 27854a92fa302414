"""A refund or credit whose amount the demo team cannot read is asked, and a doubted one is
reviewed: nothing is paid out on a guess (a new-user trial, issue 16's "a request the skill
cannot parse becomes a question, not a `done`").

Each case runs the whole graph on the embedded default (the runner, and once the CLI) and
asserts on the demo company's refunds and credits tables, which a guess used to change.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ringmaster.decisions import Decision, DecisionService
from ringmaster.graph.state import Requester
from ringmaster.runner import Runner, RunOutcome
from ringmaster.settings import Settings
from ringmaster.tools.demo import ensure_demo_db
from tests.agents.test_demo_amounts import TRIAL
from tests.ringmaster.test_cli import Cli
from tests.ringmaster.test_cli import cli_in_process as cli_in_process  # noqa: F401 (fixture)
from tests.ringmaster.test_cli import planner_cache as planner_cache  # noqa: F401 (fixture)


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[Runner]:
    with Runner(Settings(home=tmp_path)) as r:
        yield r


def submit(runner: Runner, text: str) -> RunOutcome:
    return runner.submit(text, requester=Requester(id="ann", scopes=runner.default_scopes()))


def money_paid_out(db: Path) -> dict[str, list[Any]]:
    """The rows of the demo company's tables a refund or credit writes."""
    with sqlite3.connect(ensure_demo_db(db)) as conn:
        return {
            t: conn.execute(f"SELECT * FROM {t}").fetchall()  # noqa: S608 (fixed names)
            for t in ("refunds", "credits", "side_effects")
        }


def only_result(out: RunOutcome) -> dict[str, Any]:
    (result,) = out.results.values()
    return result


# The trial's requests, each refunded or credited a guessed amount before (one list with the
# skill's own test; a too-long amount raised twice inside the skill and marked billing unhealthy,
# then the fallback answered with a knowledge-base article reported done).
@pytest.mark.parametrize(("text", "quoted"), TRIAL)
def test_an_amount_the_skill_cannot_read_is_asked_and_nothing_is_paid(
    runner: Runner, text: str, quoted: str
) -> None:
    before = money_paid_out(runner.settings.demo_db_path)
    out = submit(runner, text)
    result = only_result(out)
    assert out.status == "needs_input" and out.pending == []
    assert (result["agent"], result["status"], result["attempts"]) == ("billing", "needs_input", 1)
    assert quoted in result["summary"] and "nothing was proposed" in result["summary"]
    assert money_paid_out(runner.settings.demo_db_path) == before


def test_a_plain_amount_is_still_refunded(runner: Runner) -> None:
    """The control: the same path pays a plain amount, so the cases above can see a refund."""
    before = money_paid_out(runner.settings.demo_db_path)
    out = submit(runner, "Refund 0.50 on invoice INV-1001")
    assert only_result(out)["status"] == "done"
    after = money_paid_out(runner.settings.demo_db_path)
    (new,) = set(after["refunds"]) - set(before["refunds"])
    assert "INV-1001" in new and 50 in new  # 0.50 in cents


def test_a_refund_the_agent_doubts_waits_for_a_person_who_reads_the_doubt(runner: Runner) -> None:
    before = money_paid_out(runner.settings.demo_db_path)
    out = submit(runner, "Refund invoice INV-1018 in full, the customer was double charged")
    doubt = "the request says it was charged twice, but INV-1018 has 1 successful charge(s)"
    (item,) = out.pending
    result = only_result(out)
    assert out.status == "waiting" and result["status"] == "awaiting_review"
    assert doubt in item.summary  # the review queue's row
    assert doubt in result["summary"]  # what the requester is told meanwhile
    assert item.payload["context"]["recommended"]["decision"] == "reject"
    assert money_paid_out(runner.settings.demo_db_path) == before  # 29.00 is under the limit
    done = DecisionService(runner).decide(item, Decision("reject", reason="not doubled"), "rev")
    assert only_result(done)["status"] == "rejected"
    assert money_paid_out(runner.settings.demo_db_path) == before


def test_the_cli_asks_instead_of_refunding_a_decimal_comma(cli_in_process: Cli) -> None:
    cli = cli_in_process
    out = cli.json("run", "Refund 0,50 on invoice INV-1005")
    assert out["status"] == "needs_input" and out["pending"] == []
    (result,) = out["results"].values()
    assert result["status"] == "needs_input" and "'0,50'" in result["summary"]
    with sqlite3.connect(cli.home / "demo-company.db") as conn:
        assert (
            conn.execute("SELECT count(*) FROM refunds WHERE invoice_id = 'INV-1005'").fetchone()[0]
            == 0
        )
    assert cli.side_effects() == []
