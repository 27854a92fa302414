"""References by what a person or record is rather than by pronoun: a customer by company,
status or first name, an id taken back within its own message, "both of them" after people
named one turn at a time."""

from __future__ import annotations

from decimal import Decimal

from ringmaster.agents.demo import TEAM_FILE
from ringmaster.agents.spec import load_team
from ringmaster.graph.references import RecordFacts, kinds_from_team, resolve
from tests.graph.test_references_followups import ids, turn

KINDS = kinds_from_team(load_team(TEAM_FILE).entities)

# As tools/demo/lookup.py answers for these records of the demo database.
FACTS = {
    "CUS-1001": RecordFacts(
        "CUS-1001",
        None,
        "Maria Lopez maria.lopez@example.com Lopez Design Studio pro active",
        owns=("TCK-1001", "INV-1189"),
    ),
    "CUS-1003": RecordFacts(
        "CUS-1003", None, "Aisha Khan aisha.khan@example.com Khan Bakery starter active"
    ),
    "CUS-1005": RecordFacts(
        "CUS-1005", None, "Sofia Rossi sofia.rossi@example.com Rossi & Figli pro active"
    ),
    "CUS-1008": RecordFacts(
        "CUS-1008", None, "Noah Schmidt noah.schmidt@example.com Schmidt Consulting pro suspended"
    ),
    "CUS-1009": RecordFacts(
        "CUS-1009", None, "Emma Dubois emma.dubois@example.com Atelier Dubois starter churned"
    ),
    "CUS-1031": RecordFacts("CUS-1031", None, "Ben Garcia ben.garcia@example.com Garcia Group"),
    "CUS-1032": RecordFacts(
        "CUS-1032", None, "Olivia Garcia olivia.garcia@example.com Garcia Partners"
    ),
    "TCK-1005": RecordFacts("TCK-1005", "CUS-1007", "API returns 502 errors open urgent"),
    "TCK-1037": RecordFacts("TCK-1037", "CUS-1007", "Need to add more seats pending normal"),
    "INV-1189": RecordFacts(
        "INV-1189", "CUS-1001", "unpaid 2025-06 USD June Jun 2025 Maria Lopez Lopez Design Studio"
    ),
    "INV-1146": RecordFacts(
        "INV-1146", "CUS-1005", "unpaid 2025-05 USD May May 2025 Sofia Rossi Rossi & Figli"
    ),
}


def lookup(entity: str) -> RecordFacts | None:
    return FACTS.get(entity)


def test_a_customer_is_picked_by_the_words_of_their_own_record() -> None:
    history = [turn(1, "Look up Maria Lopez (CUS-1001) and Aisha Khan (CUS-1003) for me")]
    out = resolve("the bakery one, what plan?", history, KINDS, lookup)
    assert out.question is None and out.text == "CUS-1003, what plan?"
    out = resolve("and the design studio one?", history, KINDS, lookup)
    assert ids(out) == {"CUS-1001"}
    history = [turn(1, "look up CUS-1008 and CUS-1009")]
    assert ids(resolve("why is the suspended one suspended", history, KINDS, lookup)) == {
        "CUS-1008"
    }
    assert ids(resolve("the churned one, what plan were they on", history, KINDS, lookup)) == {
        "CUS-1009"
    }


def test_a_description_that_fits_a_named_record_is_the_record_not_its_customer() -> None:
    # The invoices carry their customers' names: "the Lopez one" is Maria's invoice.
    history = [turn(1, "look up CUS-1001 and CUS-1005 and their invoices INV-1189 and INV-1146")]
    out = resolve("refund the Lopez one", history, KINDS, lookup)
    assert "CUS-1001" not in ids(out)


def test_a_first_name_is_the_one_customer_of_the_thread_with_that_name() -> None:
    history = [turn(1, "can you check INV-1189 and INV-1146", touched="CUS-1001 CUS-1005")]
    out = resolve("give Sofia a $20 credit for the trouble", history, KINDS, lookup)
    assert out.text == "give CUS-1005 a $20 credit for the trouble"
    history = [turn(1, "look up CUS-1031 and CUS-1032"), turn(2, "give CUS-1032 a $15 credit")]
    assert resolve("Do the same for Ben.", history, KINDS, lookup).text == (
        "give CUS-1031 a $15 credit"
    )
    # A surname both of them have is left as typed, and so is a sentence's first word.
    out = resolve("write to Garcia about the delay", history, KINDS, lookup)
    assert "Garcia" in out.text and not ids(out) & {"CUS-1031", "CUS-1032"}
    assert "CUS-1031" not in ids(resolve("Ben said thanks", [turn(1, "look up CUS-1031")], KINDS))


def test_an_id_taken_back_in_its_own_message_is_not_a_candidate() -> None:
    history = [turn(1, "is TCK-1005 still open? no wait I mean TCK-1037")]
    out = resolve("ok bump it to high", history, KINDS, lookup)
    assert out.question is None and out.text == "ok bump TCK-1037 to high"
    history = [turn(1, "what plan is CUS-1011 on, no sorry, CUS-1012")]
    assert ids(resolve("move them to enterprise", history, KINDS, lookup)) == {"CUS-1012"}
    # "sorry" that does not lead to the other id takes nothing back.
    history = [turn(1, "close TCK-1005, sorry for the delay, and TCK-1037")]
    assert resolve("add a note to it", history, KINDS, lookup).question is not None


def test_both_of_them_after_people_named_one_turn_at_a_time() -> None:
    history = [
        turn(1, "look up CUS-1001 and CUS-1003"),
        turn(2, "CUS-1003, what plan?"),
        turn(3, "is CUS-1001 still active?"),
    ]
    out = resolve("let both of them know by email", history, KINDS, lookup)
    assert ids(out) == {"CUS-1001", "CUS-1003"}


AMOUNTS = {
    "INV-1207": RecordFacts("INV-1207", "CUS-1020", "unpaid 2025-06 June", amount=Decimal(499)),
    "INV-1208": RecordFacts("INV-1208", "CUS-1021", "unpaid 2025-06 June", amount=Decimal(299)),
    "INV-1066": RecordFacts("INV-1066", "CUS-1020", "paid 2025-03 March Mar", amount=Decimal(529)),
    "INV-1191": RecordFacts("INV-1191", "CUS-1003", "unpaid 2025-06 June", amount=Decimal(29)),
    "INV-1200": RecordFacts("INV-1200", "CUS-1012", "unpaid 2025-06 June", amount=Decimal(299)),
    "DEP-1024": RecordFacts("DEP-1024", None, "api production 2.13.2 succeeded release May"),
    "DEP-1031": RecordFacts("DEP-1031", None, "api staging 2.14.0 succeeded release June"),
    "DEP-1032": RecordFacts("DEP-1032", None, "api production 2.14.0 succeeded release June"),
    "DEP-1033": RecordFacts("DEP-1033", None, "api staging 2.15.0-rc1 release rc June"),
}


def described(entity: str) -> RecordFacts | None:
    return AMOUNTS.get(entity) or FACTS.get(entity)


def test_the_bigger_one_is_the_record_with_the_larger_amount() -> None:
    history = [turn(1, "the invoices INV-1207 and INV-1208, both are for June?")]
    assert resolve("send me the bigger one", history, KINDS, described).text == ("send me INV-1207")
    # "the customer of the smaller one" is that invoice's customer, and so is "he" after it.
    out = resolve(
        "and the customer of the smaller one, which plan is he on?", history, KINDS, described
    )
    assert ids(out) == {"CUS-1021"}


def test_the_one_of_march_is_described_after_its_noun() -> None:
    history = [turn(1, "show me the invoices of CUS-1020", touched="INV-1207 INV-1066")]
    out = resolve("The one of March, why is it so high?", history, KINDS, described)
    assert out.question is None and out.text.startswith("INV-1066")


def test_the_first_invoice_i_mentioned_counts_the_users_own_mentions_across_turns() -> None:
    history = [turn(1, "INV-1191 still unpaid?"), turn(2, "and INV-1200?")]
    out = resolve("what's the due date on the first invoice I mentioned", history, KINDS, described)
    assert ids(out) == {"INV-1191"}


def test_a_description_picks_from_the_records_the_listing_request_described() -> None:
    # "api deploys in june?" listed the May one too: "the production one" is June's.
    history = [turn(1, "api deploys in june?", touched="DEP-1033 DEP-1032 DEP-1031 DEP-1024")]
    out = resolve("roll back the production one", history, KINDS, described)
    assert out.question is None and ids(out) == {"DEP-1032"}
    assert ids(resolve("the rc one, promoted to prod yet?", history, KINDS, described)) == {
        "DEP-1033"
    }


def test_a_reply_reports_the_record_it_picked_not_the_others_its_question_resolved() -> None:
    history = [
        turn(1, "list CUS-1001's invoices", touched="INV-1189 INV-1146"),
    ]
    asked = {
        "turn": 2,
        "request": "email the invoice to her finance team",
        "entities": {
            "named": [],
            "question": {
                "request": "email the invoice to her finance team",
                "options": [["invoice", "INV-1189"], ["invoice", "INV-1146"]],
            },
        },
    }
    out = resolve("the june one", [*history, asked], KINDS, lookup)
    assert ids(out) == {"INV-1189"} and "INV-1189" in out.text


def test_words_that_only_look_like_a_reference_are_left_alone() -> None:
    history = [turn(1, "what's the status of TCK-1003?")]
    # "IT" is the customer's department; "a note that …" is the note's wording.
    out = resolve(
        "move it back to open and add a note that the customer's IT team sent new metadata",
        history,
        KINDS,
        lookup,
    )
    assert out.resolutions and ids(out) == {"TCK-1003"} and "IT team" in out.text
    # "while you're at it" is an idiom, not a record: "his" is the customer.
    history = [turn(1, "pull up CUS-1004 and the tickets TCK-1008 and TCK-1017")]
    out = resolve("while you're at it, check his last payment", history, KINDS, lookup)
    assert out.question is None and ids(out) == {"CUS-1004"}


def test_his_contract_is_the_customers_document_and_him_is_still_the_customer() -> None:
    facts = {
        **FACTS,
        "CUS-1004": RecordFacts("CUS-1004", None, "Tom Becker", owns=("TCK-1008", "DOC-1021")),
        "DOC-1021": RecordFacts("DOC-1021", "CUS-1004", "contract Master services agreement"),
    }
    history = [turn(1, "pull up everything on CUS-1004")]
    out = resolve(
        "have legal dig out his contract before my call with him", history, KINDS, facts.get
    )
    assert ids(out) == {"DOC-1021", "CUS-1004"} and "DOC-1021" in out.text


def test_an_ordinal_picks_among_two_customers_and_later_or_earlier_among_records() -> None:
    # "what plans are CUS-1003 and CUS-1005 on?": "the first one" is CUS-1003, as it would be
    # of two tickets; "the later one" of two deployments is the one deployed later.
    # Their answer listed invoices besides: the ordinal still counts the customers named.
    history = [turn(1, "what plans are CUS-1003 and CUS-1005 on?", "INV-1003 INV-1050 INV-1097")]
    for request, meant in [
        ("and credit the first one 15 dollars", "CUS-1003"),
        ("credit the second customer 15 dollars", "CUS-1005"),
    ]:
        out = resolve(request, history, KINDS, lookup)
        assert out.question is None and ids(out) == {meant}, request
    history = [turn(1, "when was DEP-1024 deployed, and DEP-1020?")]
    for request, meant in [
        ("who deployed the later one?", "DEP-1024"),
        ("roll back the earlier one", "DEP-1020"),
    ]:
        out = resolve(request, history, KINDS, lookup)
        assert out.question is None and ids(out) == {meant}, request


def test_a_comparison_is_between_the_records_the_user_named() -> None:
    # The answer about DEP-1024 and DEP-1020 listed DEP-1033 besides: "the later one" is
    # DEP-1024 of the two named; after "who deployed DEP-1024?", "no, the older one" is
    # DEP-1020, the other of that pair, not DEP-1024 again.
    history = [turn(1, "when was DEP-1024 deployed, and DEP-1020?", "DEP-1033 DEP-1032")]
    out = resolve("who deployed the later one?", history, KINDS, lookup)
    assert out.question is None and ids(out) == {"DEP-1024"}
    history.append(turn(2, "who deployed DEP-1024?"))
    out = resolve("no, the older one, sorry", history, KINDS, lookup)
    assert out.question is None and ids(out) == {"DEP-1020"}


def test_a_release_candidate_said_as_the_noun_is_the_rc_deployment() -> None:
    """ "the rc on staging" after a listing of staging deployments is the one whose version is
    a release candidate, as "the rc one" is; it had been left as typed for ops to guess."""
    history = [turn(1, "what's deployed on staging?", touched="DEP-1033 DEP-1031")]
    for request in (
        "revert the rc on staging please",
        "is that release candidate healthy?",
        "who pushed the staging RC?",
    ):
        out = resolve(request, history, KINDS, described)
        assert out.question is None and ids(out) == {"DEP-1033"}, request
    # The tag as a word of another noun phrase names no record; nor, asking nothing, does the
    # tag when no record in play has it.
    assert ids(resolve("how do we cut the rc build?", history, KINDS, described)) == set()
    tickets = [turn(1, "show TCK-1001 and TCK-1002")]
    out = resolve("when does the rc go out?", tickets, KINDS, described)
    assert out.question is None and ids(out) == set()
