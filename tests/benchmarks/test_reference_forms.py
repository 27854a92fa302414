"""benchmarks/reference_forms.py: which turns it takes, and how it re-says their reference,
without running them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from benchmarks import ambiguity_mutations as am
from benchmarks import reference_forms as rf
from benchmarks.halves import half_of
from ringmaster.evals.conversations import Conversation, Turn, TurnResult
from ringmaster.tools.demo.db import ensure_demo_db


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> am.Records:
    return am.Records(ensure_demo_db(tmp_path_factory.mktemp("demo") / "demo.db"))


def _turn(text: str, resolved: tuple[str, ...] = (), agents: str = "support") -> Turn:
    return Turn(text, frozenset({agents}), frozenset(resolved), False)


def _forms(conv: Conversation, records: am.Records, n: int = 0) -> dict[str, str]:
    [src] = am.sources("dev", [conv])
    return dict(rf.record_forms(n, src, records))


def test_a_pronoun_object_is_re_said_in_every_noun_form(records: am.Records) -> None:
    conv = Conversation("c1", [_turn("TCK-1078 status?"), _turn("close it", ("TCK-1078",))])
    forms = _forms(conv, records)
    assert forms["demonstrative"] == "close that ticket"
    assert forms["same"] == "close the same ticket"
    assert forms["definite"] == "close the ticket"
    assert forms["synonym"] == "close that case"
    # TCK-1078 is Rafael Ito's one open ticket: his id says it.
    assert forms["possessive"] == "close CUS-1020's ticket"
    assert forms["casual"] == "close it pls"
    assert "pronoun" not in forms  # "it" already


def test_a_customer_is_said_with_the_pronouns_the_demo_db_keeps(records: am.Records) -> None:
    conv = Conversation(
        "c1",
        [_turn("who filed TCK-1005"), _turn("what plan are they on?", ("CUS-1007",), "billing")],
    )
    forms = _forms(conv, records)
    assert forms["pronoun"] == "what plan is she on?"  # Yuki Tanaka; the verb agrees
    assert forms["demonstrative"] == "what plan is that customer on?"
    assert forms["synonym"] == "what plan is that client on?"
    # TCK-1005 is one of two open tickets of hers, so her own words do not say it: no
    # possessive.
    assert "possessive" not in _forms(
        Conversation("c2", [_turn("TCK-1005 status?"), _turn("close it", ("TCK-1005",))]),
        records,
    )
    assert forms["casual"] == "what plan are they on"  # a question: no "pls"


def test_a_noun_phrase_becomes_a_pronoun_in_its_case(records: am.Records) -> None:
    conv = Conversation(
        "c1",
        [_turn("who filed TCK-1078"), _turn("email that customer a reply", ("CUS-1020",))],
    )
    assert _forms(conv, records)["pronoun"] == "email him a reply"
    conv = Conversation(
        "c1", [_turn("INV-1189 status?"), _turn("is that invoice paid", ("INV-1189",))]
    )
    assert [_forms(conv, records, n)["pronoun"] for n in (0, 1)] == ["is it paid", "is that paid"]
    conv = Conversation(
        "c1", [_turn("INV-1189 status?"), _turn("refund that invoice", ("INV-1189",))]
    )
    assert [_forms(conv, records, n)["pronoun"] for n in (0, 1, 2)] == [
        "refund it",
        "refund that",
        "refund this",
    ]


def test_carry_forms_follow_a_record_source_and_re_say_a_carry_source(
    records: am.Records,
) -> None:
    conv = Conversation(
        "c1",
        [
            _turn("close TCK-1078"),
            _turn("do the same for TCK-1005 too"),  # a carry source, by id
            _turn("add a note to it", ("TCK-1005",)),
            _turn("and TCK-1037 too", agents="billing"),  # not the turn before's agents
        ],
    )
    carries = list(rf.carry_sources("dev", [conv]))
    assert [s.where for s in carries] == ["dev:c1:2"]
    redone = dict(rf.carry_forms(carries[0], records, carried=True))
    assert redone["ellipsis-and"] == Turn(
        "and TCK-1005?", frozenset({"support"}), frozenset(), False
    )
    assert redone["correction"].text == "sorry, I meant TCK-1005"  # TCK-1078 before it
    assert redone["casual"].text == "do the same for tck-1005 too"
    # An id typed in lower case is not scored either way: the eval does not read it as
    # spelled, and the resolver reports it only where it rewrites the turn.
    done = TurnResult(
        "m", 2, "and cus-1004 pls", ["billing"], ["billing"], [], [], False, False, False
    )
    assert rf.outcome(done) == rf.outcome(replace(done, resolved=["CUS-1004"])) == "resolved"
    assert rf.outcome(replace(done, resolved=["CUS-1005"])) == "wrong"
    [src] = am.sources("dev", [conv])
    after = dict(rf.carry_forms(src, records, carried=False))
    second = records.like("TCK-1005")
    assert after["additive-too"].text == f"do that for {second} too"
    assert after["additive-too"].resolved == frozenset()
    assert after["correction"].text == f"sorry, I meant {second}"
    made = rf.mutants([src], carries, records, 40)
    ends = {m.form: m.conversation.turns for m in made if m.source == "dev:c1:3"}
    assert ends["ellipsis-what-about"][-2:] == [
        conv.turns[2],
        Turn(f"what about {second}", frozenset({"support"}), frozenset(), False),
    ]


def test_halves_are_fixed_by_the_turn_and_split_the_sources() -> None:
    wheres = [f"dev:d{i:02}:{t}" for i in range(40) for t in (2, 3)]
    halves = [half_of(w) for w in wheres]
    assert halves == [half_of(w) for w in wheres]
    assert 20 < halves.count("A") < 60


def test_the_splits_are_the_tuning_splits_only(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        rf.main(["--splits", "../conversations"])
    assert "no split" in capsys.readouterr().err


def test_what_says_which_is_kept(records: am.Records) -> None:
    # "his ticket" among two tickets: his is what says which, so no form drops it.
    conv = Conversation(
        "c1",
        [
            _turn("pull up TCK-1078 and TCK-1005"),
            _turn("close his ticket", ("TCK-1078",)),
        ],
    )
    forms = _forms(conv, records)
    assert set(forms) == {"synonym", "possessive", "casual"}
    assert forms["synonym"] == "close his case"
    # "give her a credit" after two customers: her pronoun says which, so only chat spelling.
    conv = Conversation(
        "c2",
        [
            _turn("what are CUS-1001 and CUS-1002 paying?", agents="billing"),
            _turn("give her a $15 credit", ("CUS-1001",), "billing"),
        ],
    )
    assert set(_forms(conv, records)) == {"casual"}
