"""Records a follow-up put side by side ("status of TCK-1126?", "and TCK-1005?") are all in
play for every way a later turn can point at one of them: a pronoun, a noun ("the ticket") and
an action typed without its object ("roll back", "close pls") each ask which, and none of them
acts on the newer one as a guess."""

from __future__ import annotations

import pytest

from ringmaster.graph.references import resolve
from tests.graph.references_kit import ACTS, KINDS, turn

TICKETS = [
    turn(1, "status of TCK-1126?", "TCK-1126 'API returns 502 errors' for CUS-1031 is open"),
    turn(2, "status of TCK-1005?", "TCK-1005 'API returns 502 errors' for CUS-1007 is open"),
]
DEPLOYS = [
    turn(1, "who shipped DEP-1029?", "DEP-1029 billing-service 1.10.0 by dana.ops"),
    turn(2, "who shipped DEP-1030?", "DEP-1030 auth 4.3.0 by sam.ortiz"),
]


@pytest.mark.parametrize("request_", ["roll back", "rollback pls", "roll it back"])
def test_an_action_without_its_object_asks_among_deployments_side_by_side(request_: str) -> None:
    out = resolve(request_, DEPLOYS, KINDS, acts=ACTS)
    assert out.question is not None and not out.resolutions, out.text
    assert "DEP-1029" in out.question and "DEP-1030" in out.question


@pytest.mark.parametrize("request_", ["close it", "close pls", "add a note to it: they called"])
def test_a_turn_about_no_record_in_between_leaves_both_tickets_in_play(request_: str) -> None:
    # An alerts question answered without ids stands between: "it" is still one of the two.
    history = [*TICKETS, turn(3, "anything firing on api?", "2 firing alert(s): api latency")]
    out = resolve(request_, history, KINDS, acts=ACTS)
    assert out.question is not None and not out.resolutions, out.text
    assert "TCK-1126" in out.question and "TCK-1005" in out.question


def test_the_same_action_done_again_moves_on_to_the_newer_record() -> None:
    # Not side by side: a close that ran for TCK-1126 and then for TCK-1005 ("same for
    # TCK-1005", recorded as rewritten) finishes the first; "close pls" is the newer one.
    history = [turn(1, "close TCK-1126"), turn(2, "close TCK-1005")]
    for entry, done in zip(history, ("TCK-1126", "TCK-1005"), strict=True):
        entry["entities"]["acted"] = [["ticket", done]]
    out = resolve("add a note to it: customer confirmed", history, KINDS, acts=ACTS)
    assert out.question is None and [r.entity for r in out.resolutions] == ["TCK-1005"]
