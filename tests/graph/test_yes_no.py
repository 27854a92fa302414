"""One list of yes and no words: each word that answers "Did you mean INV-1001 …?" is, alone
and with nothing asked, told that nothing waits for it, never raised for a person."""

from __future__ import annotations

import pytest

from ringmaster.graph.pleasantries import NOTHING_ASKED, pleasantry_reply
from ringmaster.graph.references.followups import _DECLINE, _YES
from ringmaster.graph.yes_no import NO, YES


@pytest.mark.parametrize("word", YES + NO)
def test_every_yes_or_no_word_alone_is_answered(word: str) -> None:
    # "ok" and "okay" acknowledge too ("Noted."); every other word says nothing is asked.
    assert pleasantry_reply(word) == ("Noted." if word in ("ok", "okay") else NOTHING_ASKED)
    assert pleasantry_reply(f"{word.capitalize()}!") == pleasantry_reply(word)


@pytest.mark.parametrize("word", YES)
def test_a_yes_word_confirms_and_declines_nothing(word: str) -> None:
    assert _YES.match(f"{word}, that one") and not _DECLINE.match(word)


@pytest.mark.parametrize("word", NO)
def test_a_no_word_declines_and_confirms_nothing(word: str) -> None:
    assert _DECLINE.match(f"{word}, thanks") and not _YES.match(word)


@pytest.mark.parametrize("said", ["yes, refund INV-1001", "no, INV-1003", "yes please close it"])
def test_a_yes_or_no_with_a_request_in_it_is_the_request(said: str) -> None:
    assert pleasantry_reply(said) is None
