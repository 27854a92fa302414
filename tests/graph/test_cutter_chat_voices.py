"""Voices of chat tools and to-do lists (issue 14, demo-team-dev4): asks joined by " / ", lists
with emoji bullets, check boxes or lettered items, @mentions and forwarded mails under an
"FYI". The splitter offers the cuts; the synthetic requests teach
the cutter which of them are real."""

from __future__ import annotations

import random

from ringmaster.graph.planner.cutter import joiner_kind
from ringmaster.graph.planner.local import CUTTER_CODE
from ringmaster.graph.planner.splitter import split_request
from ringmaster.graph.planner.synthesis import (
    Synthetic,
    chat,
    forward_note,
    join,
    listed,
)

PIECES = [("wash the car", "car"), ("feed the cat", "pets"), ("mow the lawn", "garden")]


def _texts(text: str) -> list[str]:
    return [s.text for s in split_request(text)]


def test_a_slash_between_spaces_is_a_candidate_cut_and_a_slash_inside_a_word_is_not() -> None:
    segments = split_request("check api health / count tickets tagged timeout this week")
    assert [s.text for s in segments] == [
        "check api health",
        "count tickets tagged timeout this week",
    ]
    assert segments[1].boundary == "weak"
    assert joiner_kind(segments[1].joiner) == "semicolon"
    assert _texts("send the Q3/Q4 churn and/or the forecast") == [
        "send the Q3/Q4 churn and/or the forecast"
    ]


def test_emoji_bullets_check_boxes_and_lettered_items_are_list_items() -> None:
    assert _texts("👉 wash the car\n👉 feed the cat") == ["wash the car", "feed the cat"]
    assert _texts("✅ wash the car\n➡️ feed the cat") == ["wash the car", "feed the cat"]
    todo = "To do:\n- [ ] wash the car\n- [x] feed the cat"
    assert _texts(todo) == ["To do", "wash the car", "feed the cat"]
    lettered = "Would you mind (a) washing the car, (b) feeding the cat, and (c) mowing the lawn?"
    assert _texts(lettered) == [
        "Would you mind",
        "washing the car",
        "feeding the cat",
        "mowing the lawn?",
    ]
    # letters out of order, or a lone "(a)", are no list
    assert len(_texts("wash the car (b) and the van (a)")) == 2
    # quoted history is no list
    assert _texts("> wash the car\n> feed the cat") == ["> wash the car > feed the cat"]


def test_a_slash_join_and_lists_with_new_bullets_keep_every_piece_in_its_span() -> None:
    rng = random.Random(5)
    slashed = [join(PIECES[:2], rng) for _ in range(400)]
    assert any(" / " in r.text for r in slashed)
    bullets = [listed(PIECES, rng) for _ in range(300)]
    for marker in ("👉 ", "• ", "- [ ] ", "(a) "):
        assert any(marker in r.text for r in bullets), marker
    for r in slashed + bullets:
        for (s, e), (piece, _) in zip(r.spans, PIECES, strict=False):
            assert piece.split()[0] in r.text[s:e].lower()  # the object may be "it"
    inline = [r for r in bullets if "(a) " in r.text and "\n" not in r.text]
    assert inline and all(len(split_request(r.text)) >= 3 for r in inline)


def test_chat_mentions_name_the_piece_they_open() -> None:
    rng = random.Random(4)
    base = Synthetic("wash the car and feed the cat", ((0, 12), (17, 29)), ("car", "pets"))
    rows = [chat(base, rng) for _ in range(300)]
    mentioned = [r for r in rows if "@" in r.text]
    assert mentioned
    for r in mentioned:
        assert r.text[r.spans[0][0] : r.spans[0][1]].startswith("@car ")
        assert r.text[r.spans[1][0] : r.spans[1][1]].startswith("@pets ")


def test_a_forwarded_mail_under_an_fyi_belongs_to_the_request_it_carries() -> None:
    rng = random.Random(6)
    base = Synthetic("wash the car and feed the cat", ((0, 12), (17, 29)), ("car", "pets"))
    rows = [forward_note(base, rng) for _ in range(100)]
    assert any("Forwarded message" in r.text for r in rows)
    assert any("Original Message" in r.text for r in rows)
    assert any(r.text.startswith("FYI") for r in rows)
    for fwd in rows:
        assert "From: " in fwd.text and fwd.spans[0][0] == 0 and fwd.labels == base.labels
        assert fwd.text[fwd.spans[0][0] : fwd.spans[0][1]].endswith("wash the car")
        assert fwd.text[fwd.spans[1][0] : fwd.spans[1][1]] == "feed the cat"


def test_the_splitter_is_part_of_the_cutters_cache_key() -> None:
    """The cutter is trained on the splitter's candidate cuts: a splitter change must retrain."""
    assert "splitter.py" in CUTTER_CODE
