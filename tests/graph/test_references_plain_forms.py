"""References in plain office English (conversations-dev23, half A): a follow-up opened as an
ellipsis that goes on to ask its own question of the record ("and the unpaid one, when is it
due?") is that question, not the last one again."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve

from .references_kit import ACTS, KINDS, customer, entities, facts, invoice, turn

MONTHS = {"INV-1022": "2025-02", "INV-1069": "2025-03", "INV-1163": "2025-05"}
FACTS = facts(
    customer(
        "CUS-1024", "Tariq Castillo", "Castillo Labs business active", [*MONTHS, "INV-1210"], "he"
    ),  # fmt: skip
    *(invoice(i, "CUS-1024", "paid", m) for i, m in MONTHS.items()),
    invoice("INV-1210", "CUS-1024", "unpaid", "2025-06"),
)
LISTED = [
    turn(1, "Show me CUS-1024's invoices.", "CUS-1024 INV-1022 INV-1069 INV-1163 INV-1210"),
    turn(2, "Is INV-1022 paid?", "INV-1022 CUS-1024"),
]


def test_an_ellipsis_that_asks_its_own_question_keeps_it() -> None:
    # Was rewritten to "Is INV-1210 paid?", the request before, and "when is it due" was lost.
    for typed in ("And the unpaid one, when is it due?", "and the unpaid one - when is it due?"):
        out = resolve(typed, LISTED, KINDS, FACTS.get, ACTS)
        assert entities(out) == ["INV-1210"] and "due" in out.text, typed
    # A bare ellipsis is still the request before, for the new record.
    out = resolve("And the unpaid one?", LISTED, KINDS, FACTS.get, ACTS)
    assert out.text == "Is INV-1210 paid?"


TWO = facts(
    customer("CUS-1002", "James Chen", "Chen Analytics Ltd business active", ["DOC-1023"], "he"),
    customer(
        "CUS-1004", "Tom Becker", "Becker Logistics GmbH enterprise active", ["DOC-1021"], "he"
    ),
    RecordFacts("DOC-1021", "CUS-1004", "contract master services agreement becker logistics"),
    RecordFacts("DOC-1023", "CUS-1002", "contract master services agreement chen analytics"),
    RecordFacts("TCK-1003", "CUS-1002", "sso login fails with saml error pending high"),
    RecordFacts("TCK-1043", "CUS-1031", "sso login fails with saml error pending high"),
)
TICKETS = [
    turn(1, "Show me tickets TCK-1003 and TCK-1043.", "TCK-1003 CUS-1002 TCK-1043 CUS-1031"),
    turn(2, "Which customers are TCK-1003 and TCK-1043 for?", "CUS-1002 CUS-1031"),
]


def test_the_former_and_the_latter_before_a_particle_or_a_possessive() -> None:
    # Read only at the end of a clause or before a verb: "set the latter to urgent" asked
    # which ticket, "the customer on the former" asked too.
    cases = {
        "Set the latter to urgent.": ("Set TCK-1043 to urgent.", ["TCK-1043"]),
        "roll the former back": ("roll TCK-1003 back", ["TCK-1003"]),
        "And email the customer on the former that we're looking into it.": (
            "And email CUS-1002 that we're looking into it.", ["CUS-1002"]),
    }  # fmt: skip
    for typed, (text, ids) in cases.items():
        out = resolve(typed, TICKETS, KINDS, TWO.get, ACTS)
        assert out.question is None and out.text == text and entities(out) == ids, typed
    # A turn between that acted on one of the two: "the former" is still the other of them.
    history = [*TICKETS, turn(3, "Set TCK-1043 to urgent.", "TCK-1043")]
    out = resolve("email the customer on the former", history, KINDS, TWO.get, ACTS)
    assert out.text == "email CUS-1002" and entities(out) == ["CUS-1002"]
    # Before a noun it is no reference: "the former owner".
    out = resolve("who was the former owner of TCK-1043?", TICKETS, KINDS, TWO.get, ACTS)
    assert "TCK-1003" not in out.text


def test_the_former_and_the_latter_in_one_request_are_both_read_in_one_pass() -> None:
    # `_former_latter` read the first of them; the second was left to a second call from
    # `descriptions._described`, which reads only with a lookup: without one it stayed unread.
    for lookup in (TWO.get, None):
        out = resolve("close the former and reopen the latter", TICKETS, KINDS, lookup, ACTS)
        assert out.text == "close TCK-1003 and reopen TCK-1043", lookup
        assert entities(out) == ["TCK-1003", "TCK-1043"], lookup


def test_the_former_and_the_latter_of_two_people_named() -> None:
    # A turn that named two people and nothing else: "the latter" was left unread.
    history = [turn(1, "What plans are CUS-1002 and CUS-1004 on?", "CUS-1002 CUS-1004")]
    out = resolve("Pull up the latter's contract.", history, KINDS, TWO.get, ACTS)
    assert out.text == "Pull up DOC-1021." and entities(out) == ["DOC-1021"]
    out = resolve("email the former", history, KINDS, TWO.get, ACTS)
    assert out.text == "email CUS-1002" and entities(out) == ["CUS-1002"]
    # Named by full name, as the catalog knows them.
    named = [turn(1, "What plans are James Chen and Tom Becker on?", "CUS-1002 CUS-1004")]
    out = resolve("Pull up the latter's contract.", named, KINDS, TWO.get, ACTS, _every)
    assert out.text == "Pull up DOC-1021." and entities(out) == ["DOC-1021"]


def _every(prefix: str) -> list[str]:
    """Every record of the test's catalog whose id starts with `prefix`."""
    return [e for e in TWO if e.startswith(prefix)]


MAY = facts(
    RecordFacts("DEP-1022", None, "web 3.8.0 production failed release 2025-05-09 may"),
    RecordFacts("DEP-1021", None, "web 3.8.0 staging succeeded release 2025-05-08 may"),
)


def test_a_one_word_relative_clause_describes_the_record() -> None:
    # "the one that failed" was read as no reference: ops listed the newest deployments.
    history = [turn(1, "What web deploys went out in May?", "DEP-1022 DEP-1021")]
    for typed, picked in {
        "Who deployed the one that failed?": "DEP-1022",
        "roll back the deployment which failed, please": "DEP-1022",
        "and the one that succeeded?": "DEP-1021",
    }.items():
        out = resolve(typed, history, KINDS, MAY.get, ACTS)
        assert entities(out) == [picked] and picked in out.text, typed
    # A clause that goes on, or whose word says nothing of the record, is left as typed.
    for typed in ("who deployed the deploy that caused it?", "close the one that you closed"):
        assert resolve(typed, history, KINDS, MAY.get, ACTS).text == typed
    # As is one whose word no record's facts say (a payment that failed is no invoice's
    # word): not asked "which invoice?", as "the failed one" would be.
    unpaid = facts(invoice("INV-1041", "CUS-1043", "unpaid", "2025-02"),
                   invoice("INV-1229", "CUS-1043", "unpaid", "2025-06"))  # fmt: skip
    listed = [turn(1, "CUS-1043 unpaid invoices?", "CUS-1043 INV-1041 INV-1229")]
    typed = "send reminder for the one that failed"
    out = resolve(typed, listed, KINDS, unpaid.get, ACTS)
    assert out.question is None and out.text == typed


def test_that_one_points_at_the_record_just_named_where_it_may_be_either() -> None:
    # "Is INV-1022 paid?", "And INV-1210, when is it due?": two invoices asked about one a turn.
    # "that one" asked "INV-1210 or INV-1022?"; "it" still asks, as "the invoice" does.
    history = [*LISTED, turn(3, "And INV-1210, when is it due?", "INV-1210 CUS-1024")]
    for typed in ("Remind him about that one.", "what month is that one for?"):
        out = resolve(typed, history, KINDS, FACTS.get, ACTS)
        assert out.question is None and "INV-1210" in entities(out), typed
        assert "INV-1022" not in entities(out), typed
    out = resolve("Is it overdue?", history, KINDS, FACTS.get, ACTS)
    assert out.question is not None and "INV-1022" in out.question


PLANS = facts(
    customer("CUS-1002", "James Chen", "Chen Analytics Ltd business active", ["INV-1190"], "he"),
    customer("CUS-1004", "Tom Becker", "Becker Logistics enterprise active", ["INV-1192"], "he"),
    customer(
        "CUS-1010",
        "Omar Haddad",
        "Haddad Ventures enterprise active",
        ["INV-1198", "INV-1151"],
        "he",
    ),  # fmt: skip
    invoice("INV-1190", "CUS-1002", "paid", "2025-06"),
    invoice("INV-1192", "CUS-1004", "paid", "2025-06"),
    invoice("INV-1198", "CUS-1010", "paid", "2025-06"),
    invoice("INV-1151", "CUS-1010", "paid", "2025-05"),
    # A contract that says "enterprise" too, as the demo's do.
    RecordFacts("DOC-1022", "CUS-1010", "contract enterprise agreement haddad ventures"),
)


def test_an_ordinal_in_a_change_of_a_value_people_take_counts_the_people() -> None:
    # Three customers' plans asked one a turn, the last answer listing two invoices:
    # "upgrade the first one to enterprise" was read as the first invoice listed.
    history = [
        turn(1, "What plan is CUS-1002 on?", "CUS-1002 INV-1190"),
        turn(2, "What plan is CUS-1004 on?", "CUS-1004 INV-1192"),
        turn(3, "What plan is CUS-1010 on?", "CUS-1010 INV-1198 INV-1151"),
    ]
    records = PLANS.keys

    def every(prefix: str) -> list[str]:
        return [e for e in records() if e.startswith(prefix)]

    out = resolve("Upgrade the first one to enterprise.", history, KINDS, PLANS.get, ACTS, every)
    assert out.text == "Upgrade CUS-1002 to enterprise." and entities(out) == ["CUS-1002"]
    # Without such a value the ordinal still counts the listing: "refund the first one".
    out = resolve("refund the first one", history, KINDS, PLANS.get, ACTS, every)
    assert entities(out) == ["INV-1198"]
