"""benchmarks/ambiguity_mutations.py: which turns it mutates, and how, without running them."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import ambiguity_followups as af
from benchmarks import ambiguity_mutations as am
from benchmarks.halves import half_of
from ringmaster.evals.conversations import Conversation, Turn
from ringmaster.tools.demo.db import ensure_demo_db


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> am.Records:
    return am.Records(ensure_demo_db(tmp_path_factory.mktemp("demo") / "demo.db"))


def _turn(text: str, resolved: tuple[str, ...] = (), ambiguous: bool = False) -> Turn:
    return Turn(text, frozenset({"support"}), frozenset(resolved), ambiguous)


def test_a_source_turn_refers_to_one_record_by_a_word_that_does_not_say_which() -> None:
    conv = Conversation(
        "c1",
        [
            _turn("TCK-1005 status?"),
            _turn("set it to pending", ("TCK-1005",)),
            _turn("close the first one", ("TCK-1005",)),  # an ordinal says which
            _turn("set tck1005 to high", ("TCK-1005",)),  # an id typed fast
            _turn("close it", ambiguous=True),
            _turn("the SSO one", ("TCK-1005",)),  # a reply to the question
        ],
    )
    assert [s.where for s in am.sources("dev", [conv])] == ["dev:c1:2"]


def test_the_second_record_is_real_of_the_same_kind_and_owner(records: am.Records) -> None:
    tickets = records.rows["ticket"]
    # A ticket whose customer has another of its status: the second is that one.
    shared = next(
        t for t in tickets
        if any(u["id"] != t["id"] and (u["owner"], u["a"]) == (t["owner"], t["a"]) for u in tickets)
    )  # fmt: skip
    second = records.like(str(shared["id"]))
    assert second is not None and second.startswith("TCK-") and second != shared["id"]
    other = records.by_id[second]
    assert (other["owner"], other["a"]) == (shared["owner"], shared["a"])
    # Without one, another customer's of the same status.
    assert records.by_id[str(records.like("TCK-1002"))]["a"] == records.by_id["TCK-1002"]["a"]


def test_ambiguous_mutants_ask_and_controls_resolve(records: am.Records) -> None:
    conv = Conversation(
        "c1", [_turn("TCK-1005 status?"), _turn("set it to pending", ("TCK-1005",))]
    )
    made = {m.family: m for m in am.mutants(list(am.sources("dev", [conv])), records, 40)}
    assert {"ambiguous-insert", "ambiguous-adjacent", "ambiguous-widen", "control-id"} <= set(made)
    insert = made["ambiguous-insert"].conversation.turns
    assert insert[-1] == Turn("set it to pending", frozenset(), frozenset(), True)
    assert "TCK-1005" in insert[-2].text and records.like("TCK-1005") in insert[-2].text
    assert made["ambiguous-widen"].conversation.turns[0].text.startswith("TCK-1005 and TCK-")
    named = made["control-id"].conversation.turns[-1]
    assert named.text == "set TCK-1005 to pending" and not named.ambiguous
    assert named.agents == frozenset({"support"}) and named.resolved == frozenset()


def test_the_splits_are_the_tuning_splits_only(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        am.main(["--splits", "../conversations"])
    assert "no split" in capsys.readouterr().err
    assert all(Path(am.split_file(n)).name != "conversations.jsonl" for n in am.dev_splits())


def test_a_rival_ticket_belongs_to_someone_referred_to_alike(records: am.Records) -> None:
    # TCK-1056 is Lucas's (he) only open ticket: "his ticket" beside a "she"'s is his.
    second = records.like("TCK-1056")
    assert second is not None
    owner = records.by_id["TCK-1056"]["owner"]
    assert records.said(records.by_id[second]["owner"]) == records.said(owner)


def test_act_mutants_end_at_a_write_and_halves_are_fixed(records: am.Records) -> None:
    conv = Conversation("c1", [_turn("TCK-1005 status?"), _turn("what's it about?", ("TCK-1005",))])
    made = am.mutants(list(am.sources("dev", [conv])), records, 40)
    acts = {m.family: m for m in made if m.family.startswith(("act-", "control-act"))}
    assert {"act-it", "control-act"} <= set(acts)
    assert acts["act-it"].ambiguous and acts["act-it"].conversation.turns[-1].text == "close it"
    control = acts["control-act"].conversation.turns[-1]
    assert not acts["control-act"].ambiguous and control.resolved == frozenset({"TCK-1005"})
    # A source turn's half is its own, the same in every family and every run: the SHA-256 of
    # (split, conversation, turn index), whose first byte is odd for c2's (worked out once), so
    # a mutant that took `Mutant.half`'s default "A" would show.
    conv = Conversation("c2", conv.turns)
    (src,) = am.sources("dev", [conv])
    assert src.half == half_of("dev\x00c2\x001") == "B"
    assert {m.half for m in am.mutants([src], records, 40)} == {"B"}


def test_followup_mutants_leave_two_candidates_and_controls_one(records: am.Records) -> None:
    conv = Conversation("c1", [_turn("TCK-1019 status?"), _turn("what's it about?", ("TCK-1019",))])
    made = {m.family: m for m in am.mutants(list(am.sources("dev", [conv])), records, 40)}
    families = {"act-other-record", "act-correction", "act-that-one", "act-narrowed"}
    families |= {"act-kind-correction", "act-same", "act-other-customer"}
    assert families | {f.replace("act-", "control-") for f in families - {"act-narrowed"}} <= set(
        made
    )
    # "same for the other ticket" after three looked up and one closed: two others.
    other = made["act-other-record"].conversation.turns
    closed = other[-2].text.split()[-1]
    assert other[-1].ambiguous and closed in other[-3].text and other[-3].text.count("TCK-") == 3
    # Its control looks up the one closed and R alone: the other is R.
    control = made["control-other-record"].conversation.turns
    assert control[-3].text.count("TCK-") == 2 and control[-1].resolved == frozenset({"TCK-1019"})
    # "do the same for her": the credited customer is referred to otherwise than the two.
    same = made["act-same"].conversation.turns
    credited = same[-2].text.split()[1]
    pair = [w for w in same[-3].text.replace("?", "").split() if w.startswith("CUS-")]
    assert len({records.said(p) for p in pair}) == 1 and records.said(credited) not in {
        records.said(p) for p in pair
    }
    # An id acted on is never one slip from a candidate's ("CUS-1023" beside "CUS-1013").
    assert all(sum(x != y for x, y in zip(credited, p, strict=True)) > 1 for p in pair)
    assert not af._apart("CUS-1032", "CUS-1023") and af._apart("CUS-1032", "CUS-1025")
    assert made["control-both"].conversation.turns[-1].resolved == frozenset(
        {"TCK-1019", str(records.like("TCK-1019"))}
    )


def test_the_printed_table_counts_each_family_and_all_per_half(
    capsys: pytest.CaptureFixture[str],
) -> None:
    am.print_families(
        {
            "act-it": {"mutants": 3, "asked": 2, "neither": 1},
            "act-it A": {"mutants": 2, "asked": 2},
            "act-it B": {"mutants": 1, "neither": 1},
            "act-owners": {"mutants": 1, "acted": 1},
            "act-owners B": {"mutants": 1, "acted": 1},
            "control-id": {"mutants": 2, "resolved": 1, "wrong": 1},
            "control-id A": {"mutants": 2, "resolved": 1, "wrong": 1},
        }
    )
    lines = {line[:20].strip(): line[20:].split() for line in capsys.readouterr().out.splitlines()}
    assert " ".join(lines["act-owners"]) == "1: 0 / 1 / 0 A 0: 0 / 0 / 0 B 1: 0 / 1 / 0"
    assert " ".join(lines["ambiguous, all"]) == "4: 2 / 1 / 1 A 2: 2 / 0 / 0 B 2: 0 / 1 / 1"
    assert " ".join(lines["controls, all"]) == "2: 1 / 0 / 1 A 2: 1 / 0 / 1 B 0: 0 / 0 / 0"


def test_families_are_tallied_by_family_and_by_family_and_half() -> None:
    got = am.tally_families(
        [("act-it", "A", "asked"), ("act-it", "B", "acted"), ("act-it", "A", "asked")]
    )
    assert got == {
        "act-it": {"mutants": 3, "asked": 2, "acted": 1},
        "act-it A": {"mutants": 2, "asked": 2},
        "act-it B": {"mutants": 1, "acted": 1},
    }
