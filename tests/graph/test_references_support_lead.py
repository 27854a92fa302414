"""References from a support lead typing on a phone (conversations-dev19): a first name that
begins the full name of someone else ("n elif torres" after Elif Yilmaz) is that other person,
never the one of the thread who shares the first name; "n" for "and" opens an ellipsis ("n
INV-1207?"), which puts its record beside the one before; "either of them" and "each" asked
about two customers are both, and "either of them" told to do something leaves the pick open."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, catalogue, customer, entities, facts, turn

FACTS = facts(
    customer("CUS-1011", "Elif Yilmaz", "Yilmaz Labs pro active", pronouns="she"),
    customer("CUS-1050", "Elif Torres", "Torres Foods business active", pronouns="she"),
    customer("CUS-1047", "Elif Costa", "Costa Studio free active", pronouns="she"),
    customer("CUS-1021", "Zoe Jansen", "Jansen Works business active", pronouns="she"),
    customer("CUS-1043", "Oscar Larsen", "Larsen Health pro active", pronouns="he"),
    RecordFacts("INV-1204", "CUS-1017", "unpaid 2025-06 june usd 99.00"),
    RecordFacts("INV-1207", "CUS-1020", "unpaid 2025-06 june usd 499.00"),
)
LOOKUP, RECORDS = catalogue(FACTS)


def test_a_first_name_that_begins_another_full_name_is_not_the_thread_person() -> None:
    history = [turn(1, "whats elif yilmaz on", "CUS-1011")]
    out = resolve("n elif torres", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and "CUS-1011" not in out.text, out.text
    # With both Elifs in the thread, "credit elif" is asked, never given to the first one.
    history.append(turn(2, "n elif torres", "CUS-1050"))
    out = resolve("credit elif 10, she was overcharged", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is not None
    assert "CUS-1011" in out.question and "CUS-1050" in out.question


def test_a_first_name_alone_is_still_the_one_person_of_the_thread() -> None:
    history = [turn(1, "whats elif yilmaz on", "CUS-1011")]
    out = resolve("credit elif 10, she was overcharged", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["CUS-1011"]
    # Her own full name typed again is hers.
    out = resolve("give elif yilmaz 10", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["CUS-1011"], out.text


def test_n_for_and_puts_a_record_beside_the_one_before() -> None:
    # "INV-1204 paid?" then "n INV-1207?": two invoices side by side, so "it" is asked, as
    # after "and INV-1207?", never the newer one by recency.
    for typed in ("n INV-1207?", "and INV-1207?"):
        history = [turn(1, "INV-1204 paid?", "CUS-1017"), turn(2, typed, "CUS-1020")]
        out = resolve("send a reminder for it", history, KINDS, LOOKUP, ACTS, RECORDS)
        assert out.question is not None, typed
        assert "INV-1204" in out.question and "INV-1207" in out.question
    # One invoice in play: "it" is that one.
    out = resolve("send a reminder for it", history[1:], KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is None and entities(out) == ["INV-1207"]


def test_either_of_them_and_each_in_a_question_are_both_and_an_act_on_either_is_asked() -> None:
    history = [
        turn(1, "give CUS-1021 a 10 credit for the webhook delays"),
        turn(2, "give CUS-1043 a 10 credit for the webhook delays"),
    ]
    for typed in ("does either of them owe us anything", "which plan is each on"):
        out = resolve(typed, history, KINDS, LOOKUP, ACTS, RECORDS)
        assert out.question is None, typed
        assert sorted(entities(out)) == ["CUS-1021", "CUS-1043"], typed
    for typed in (
        "give either of them a 10 credit",
        "refund either of them",
        "email either of them",
    ):
        out = resolve(typed, history, KINDS, LOOKUP, ACTS, RECORDS)
        assert out.question is not None, typed
        assert "CUS-1021" in out.question and "CUS-1043" in out.question
    # "each" before a noun is a determiner, not the records: left as typed.
    out = resolve("close each ticket", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.resolutions == []


def test_the_catalog_of_people_is_read_once_a_turn() -> None:
    # Every person record is looked up to read the catalog's full names; a turn whose first
    # names each fit a person of the thread reads it once, not once a name.
    listed: list[str] = []

    def records(prefix: str) -> list[str]:
        listed.append(prefix)
        return RECORDS(prefix)

    history = [turn(1, "whats elif yilmaz and zoe jansen on", "CUS-1011 CUS-1021")]
    out = resolve("credit Elif and Zoe 10 each", history, KINDS, LOOKUP, ACTS, records)
    assert sorted(entities(out)) == ["CUS-1011", "CUS-1021"]
    assert listed.count("CUS") == 1
