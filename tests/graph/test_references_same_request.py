"""A person's pronoun whose antecedent the same request names before it ("show CUS-1003's open
tickets and what plan they are on"): that person, never the one an earlier turn named, and no
question; a pronoun with none in the request still reads the thread. And "the other two"
when one other is left: that one, no question of a single choice, confirmed before an act."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from ringmaster.graph.references.same_request import NAMED_IN_REQUEST
from tests.graph.references_kit import ACTS, KINDS, catalogue, entities, turn

FACTS = {
    "CUS-1003": RecordFacts(
        "CUS-1003", None, "Aisha Khan Khan Bakery starter active",
        owns=("TCK-1020", "TCK-1021"), title="Aisha Khan", pronouns="she",
    ),
    "TCK-1020": RecordFacts("TCK-1020", "CUS-1003", "oven sensor offline open urgent"),
    "TCK-1021": RecordFacts("TCK-1021", "CUS-1003", "invoice question open low"),
    "CUS-1009": RecordFacts(
        "CUS-1009", None, "Emma Dubois Dubois SARL pro active",
        owns=("TCK-1030",), title="Emma Dubois", pronouns="she",
    ),
    "TCK-1030": RecordFacts("TCK-1030", "CUS-1009", "login broken open normal"),
    "CUS-1012": RecordFacts(
        "CUS-1012", None, "Omar Said Said Foods pro active", title="Omar Said", pronouns="he"
    ),
}  # fmt: skip
LOOKUP, RECORDS = catalogue(FACTS)
# The thread's last customer is Emma, not the one the next request names.
ABOUT_EMMA = [turn(1, "look up CUS-1009 for me", "TCK-1030")]


def _resolve(request: str, history: list[dict[str, object]] = ABOUT_EMMA):  # type: ignore[no-untyped-def]
    return resolve(request, history, KINDS, LOOKUP, ACTS, RECORDS)


def test_a_pronoun_after_the_person_the_request_names_is_that_person() -> None:
    for said, text in (
        (
            "Show CUS-1003's open tickets and what plan they are on",
            "Show CUS-1003's open tickets and what plan CUS-1003 is on",
        ),
        (
            "Show Aisha Khan's open tickets and what plan she is on",
            "Show Aisha Khan's open tickets and what plan CUS-1003 is on",
        ),
        ("pull up CUS-1003 and check their plan", "pull up CUS-1003 and check CUS-1003's plan"),
        ("check CUS-1012 and what plan he is on", "check CUS-1012 and what plan CUS-1012 is on"),
    ):
        out = _resolve(said)
        assert (out.text, out.question) == (text, None), said
        [found] = out.resolutions
        # The rationale says where the person came from: this request, not turn 1.
        assert found.turn == 2 and "named before it in this request" in found.describe()


def test_a_contracted_pronoun_after_the_person_the_request_names_is_that_person() -> None:
    # "they're", "she'll": the request's person, never the thread's (Emma), nor left as typed;
    # the verb written out for the id ("'s" is left as put, as for the thread's pronouns).
    for said, text in (
        ("check CUS-1003, they're on which plan?", "check CUS-1003, CUS-1003 is on which plan?"),
        (
            "look up CUS-1003 and tell me if they've paid",
            "look up CUS-1003 and tell me if CUS-1003 has paid",
        ),
        (
            "look up Aisha Khan and whether she'll renew",
            "look up Aisha Khan and whether CUS-1003 will renew",
        ),
        (
            "pull up Aisha Khan and check if she's active",
            "pull up Aisha Khan and check if CUS-1003's active",
        ),
    ):
        out = _resolve(said)
        assert (out.text, out.question) == (text, None), said
        [found] = out.resolutions
        assert (found.entity, found.turn, found.tie) == ("CUS-1003", 2, NAMED_IN_REQUEST)


def test_a_pronoun_the_request_names_no_one_for_still_reads_the_thread() -> None:
    out = _resolve("what plan are they on")
    assert (out.text, entities(out)) == ("what plan is CUS-1009 on", ["CUS-1009"])
    assert "this request" not in out.resolutions[0].describe()
    # "she" of a man the request named is not him: the request's person does not stand for it.
    out = _resolve("check CUS-1012 and what plan she is on")
    assert "CUS-1012" not in [r.entity for r in out.resolutions if r.phrase == "she"]
    # Two people named: "they" is both, as typed, never one of them guessed.
    out = _resolve("CUS-1003 and CUS-1012, what plan are they on")
    assert "CUS-1003" not in entities(out) or "CUS-1012" in entities(out)


def test_they_after_records_the_request_names_in_the_plural_is_those_records() -> None:
    # "whether they are urgent": the tickets' words, so not the customer.
    out = _resolve("Show CUS-1003's open tickets and whether they are urgent")
    assert "CUS-1003" not in [r.entity for r in out.resolutions if r.phrase == "they"]
    assert "CUS-1003 is urgent" not in out.text


def test_the_other_two_when_one_other_is_there_is_that_one_confirmed_before_an_act() -> None:
    history = [turn(1, "pull up CUS-1003"), turn(2, "give CUS-1012 a 10 dollar credit")]
    out = _resolve("show me the other two customers", history)
    assert out.question is None and entities(out) == ["CUS-1003"]
    assert "guessed" in out.resolutions[0].describe()
    out = _resolve("do that for the other two customers too", history)
    # A credit on a guess is asked to be confirmed, with the one record there is.
    assert out.question is not None and "CUS-1003" in out.question
    assert "Which customer do you mean: CUS-1003?" not in out.question


def _resolve_records(request: str):  # type: ignore[no-untyped-def]
    history = [turn(1, "look up CUS-1009 for me", "TCK-1030"), turn(2, "and CUS-1003?")]
    return resolve(request, history, KINDS, LOOKUP, ACTS, RECORDS)


def test_it_after_the_one_record_the_request_names_is_that_record() -> None:
    out = _resolve("check TCK-1021 and whether it is still open")
    assert out.text == "check TCK-1021 and whether TCK-1021 is still open"
    [found] = out.resolutions
    assert (found.entity, found.turn) == ("TCK-1021", 2)
    assert "named before it in this request" in found.describe()
    # "its customer": the record's, which is then its customer (a cut part keeps them).
    out = _resolve_records("close TCK-1030 and tell its customer")
    assert out.text == "close TCK-1030 and tell CUS-1009" and entities(out) == ["CUS-1009"]


def test_it_the_request_names_no_one_record_for_is_read_as_before() -> None:
    for said in (
        "check TCK-1020 and TCK-1021 and whether it is urgent",  # two before it
        "check TCK-1021, it's urgent?",  # "it's": no verb the id could carry
        "close TCK-1021 and make it quick",  # an "it" of nothing
        "close TCK-1021 and tell her it is fixed",  # the message's words
        "close TCK-1021 and add a note that it was fixed",
        "close TCK-1021, she confirmed it works",  # her words
    ):
        out = _resolve(said)
        assert "TCK-1021 is" not in out.text and "TCK-1021 was" not in out.text, said
        assert "named before it in this request" not in [r.tie for r in out.resolutions], said


def test_a_look_up_joined_on_with_and_is_no_act_to_confirm() -> None:
    history = [turn(1, "pull up CUS-1003"), turn(2, "give CUS-1012 a 10 dollar credit")]
    for said in ("and show me the other two customers", "also show me the other two customers"):
        out = _resolve(said, history)
        assert out.question is None and entities(out) == ["CUS-1003"], said
