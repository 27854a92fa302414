"""Cuts found by benchmarks/join_mutations.py (half A): one-part tuning rows joined by a
connector the splitter or the cutter missed."""

from __future__ import annotations

from ringmaster.graph.planner.cutter import joiner_kind
from ringmaster.graph.planner.splitter import split_request


def test_a_postscript_opens_another_matter_after_its_own_full_stop() -> None:
    text = "reset my pw pls.\n\nP.S. Refund INV-1158 (the customer cancelled in time)."
    segments = split_request(text)
    # "P.S." was a sentence of its own, a piece with no words the cutter glued to both asks
    assert [s.text for s in segments] == [
        "reset my pw pls.",
        "Refund INV-1158 (the customer cancelled in time).",
    ]
    assert segments[1].boundary == "strong"
    assert joiner_kind(segments[1].joiner) == "new-matter"
    # spelled with a colon, as before; a message that opens with one has one part
    assert [s.text for s in split_request("Close TCK-1.\nPS: refund INV-1")] == [
        "Close TCK-1.",
        "refund INV-1",
    ]
    assert [s.text for s in split_request("P.S. Refund INV-1158")] == ["Refund INV-1158"]
