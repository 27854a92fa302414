"""One list of thanks (`graph/pleasantries.THANKS`) for a pleasantry and every courtesy the
planner's envelope reads. The copies it replaced had drifted apart: "cheers" closed a mail
but did not make a courtesy part, "many thanks" was a sign-off but not a pleasantry, "thx so
much" was no closing courtesy. Each form now reads alike in all of them."""

from __future__ import annotations

import pytest

from ringmaster.graph.planner.envelope import closing_courtesy, courtesy, is_courtesy, sign_off
from ringmaster.graph.pleasantries import pleasantry_reply

# Forms one copy or another left out before they were one list.
FORMS = ("many thanks", "big thanks", "thank u", "thanx", "thx", "tysm", "cheers")


@pytest.mark.parametrize("thanks", FORMS)
def test_a_thanks_alone_is_a_pleasantry(thanks: str) -> None:
    assert pleasantry_reply(f"{thanks}!") == "You're welcome."


@pytest.mark.parametrize("thanks", FORMS)
def test_a_part_that_only_thanks_is_a_courtesy(thanks: str) -> None:
    assert is_courtesy(f"{thanks} for the quick fix!")
    assert not is_courtesy(f"{thanks}, and please close TCK-1")


@pytest.mark.parametrize("thanks", FORMS)
def test_a_thanks_that_opens_a_mail_is_its_courtesy(thanks: str) -> None:
    text = f"{thanks.capitalize()} for the quick reply. Please refund INV-1004."
    assert courtesy(text) == (
        "Please refund INV-1004.",
        f"{thanks.capitalize()} for the quick reply.",
    )


@pytest.mark.parametrize("thanks", FORMS)
def test_a_thanks_paragraph_closes_a_mail(thanks: str) -> None:
    closing = f"{thanks.capitalize()} so much, and let me know if you need anything."
    text = f"Please refund INV-1004.\n\n{closing}"
    assert closing_courtesy(text)[0] == "Please refund INV-1004."


@pytest.mark.parametrize("thanks", ("many thanks", "big thanks", "thanx", "thank u", "cheers"))
def test_a_thanks_line_over_the_name_signs_off(thanks: str) -> None:
    text = f"Please refund INV-1004.\n\n{thanks.capitalize()},\nMarta"
    assert sign_off(text) == ("Please refund INV-1004.", f"{thanks.capitalize()},\nMarta")


def test_a_word_that_starts_like_a_thanks_is_none() -> None:
    assert not is_courtesy("thanksgiving schedule for the office")
    assert pleasantry_reply("tyre pressure") is None
    assert courtesy("Tyler asked for the refund. Please refund INV-1004.")[1] == ""


def test_a_name_spelt_like_a_short_thanks_is_no_courtesy() -> None:
    # "ty" thanks in lower case; "Ty" opening a sentence is a person.
    assert is_courtesy("ty for the quick fix!")
    assert pleasantry_reply("ty!") == "You're welcome."
    assert not is_courtesy("Ty is out today.")
    assert courtesy("Ty is out today. Please reassign TCK-1108.")[1] == ""
