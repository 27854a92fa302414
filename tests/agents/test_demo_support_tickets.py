"""The support skill's ticket listings: "open" is every ticket not closed yet (pending too), as
the customer record's open-ticket count is, and every ticket an answer counts is named by id."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from ringmaster.agents.demo import demo_registry
from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.runtime import AgentOutput, AgentTask
from ringmaster.tools.demo import reads
from ringmaster.tools.errors import ToolArgumentError
from tests.agents.test_demo_team import ALL_SCOPES


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> AgentRegistry:
    return demo_registry(tmp_path_factory.mktemp("demo") / "demo.db")


def support(registry: AgentRegistry, description: str) -> AgentOutput:
    task = AgentTask(
        thread_id="t-1", subtask_id="s-1", description=description, expected="", scopes=ALL_SCOPES
    )
    return registry.runtime("support").run(task, registry.toolbox("support", ALL_SCOPES))


def tickets(registry: AgentRegistry, **filters: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = registry.tools.get("list_tickets").fn(**filters)
    return found


def with_pending(registry: AgentRegistry) -> str:
    """A customer of the demo with an open ticket and a pending one."""
    pending = {t["customer_id"] for t in tickets(registry, status="pending", limit=100)}
    return next(t["customer_id"] for t in tickets(registry, status="open", limit=100)
                if t["customer_id"] in pending)  # fmt: skip


def test_open_tickets_are_every_ticket_not_closed(registry: AgentRegistry) -> None:
    customer = with_pending(registry)
    unfinished = {
        t["id"] for t in tickets(registry, customer_id=customer) if t["status"] != "closed"
    }
    pending = {t["id"] for t in tickets(registry, customer_id=customer, status="pending")}
    out = support(registry, f"what are {customer}'s open tickets?")
    assert set(out.output["ticket_ids"]) == unfinished
    summary = out.output["summary"]
    assert f"has {len(unfinished)} open ticket(s)" in summary
    for t in out.output["tickets"]:
        said = " (pending)" if t["status"] == "pending" else ""
        assert f"{t['id']} {t['subject']}{said}" in summary
    assert pending and pending < unfinished
    # The customer record counts them alike.
    detail = registry.tools.get("get_customer").fn(customer_id=customer)
    assert detail["open_tickets"] == len(unfinished)
    # Asked for by another status, that status only.
    out = support(registry, f"what are {customer}'s pending tickets?")
    assert set(out.output["ticket_ids"]) == pending


def test_open_tickets_of_everyone_take_in_the_pending_ones(registry: AgentRegistry) -> None:
    out = support(registry, "list the open tickets")
    statuses = {t["status"] for t in out.output["tickets"]}
    assert statuses == {"open", "pending"}


def test_an_account_look_up_names_the_open_tickets_it_counts(registry: AgentRegistry) -> None:
    customer = with_pending(registry)
    unfinished = [t for t in tickets(registry, customer_id=customer) if t["status"] != "closed"]
    out = support(registry, f"is {customer} active?")
    assert out.category == "account"
    assert f"with {len(unfinished)} open ticket(s): " in out.output["summary"]
    assert all(t["id"] in out.output["summary"] for t in unfinished)
    assert set(out.output["ticket_ids"]) == {t["id"] for t in unfinished}


def test_a_question_about_one_described_ticket_answers_for_that_ticket(
    registry: AgentRegistry,
) -> None:
    """ "is Olivia Garcia's dashboard ticket still open?" is about her dashboard ticket: the
    answer is that ticket's status, not a listing of every open one (which left "close hers"
    next with two to choose from)."""
    customer = with_pending(registry)
    name = registry.tools.get("get_customer").fn(customer_id=customer)["name"]
    theirs = tickets(registry, customer_id=customer)
    words = {t["id"]: set(t["subject"].lower().split()) for t in theirs}
    ticket, word = next(
        (t, w)
        for t in theirs
        for w in sorted(words[t["id"]])
        if len(w) > 3 and not any(w in v for k, v in words.items() if k != t["id"])
    )
    out = support(registry, f"is {name}'s {word} ticket still open?")
    assert out.output["ticket_ids"] == [ticket["id"]]
    assert not out.output.get("question")
    assert (
        f"{ticket['id']} '{ticket['subject']}' for {customer} is {ticket['status']}"
        in (out.output["summary"])
    )
    # With no word that picks one, every open one is listed, as before.
    out = support(registry, f"is {name}'s ticket still open?")
    unfinished = {t["id"] for t in theirs if t["status"] != "closed"}
    assert set(out.output["ticket_ids"]) == unfinished


def recorded_listings(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The arguments of every `list_tickets` call of a demo registry built after this."""
    calls: list[dict[str, Any]] = []
    listing = reads.list_tickets

    @functools.wraps(listing)
    def recorded(db: Path, **args: Any) -> list[dict[str, Any]]:
        calls.append(args)
        return listing(db, **args)

    monkeypatch.setattr(reads, "list_tickets", recorded)
    return calls


def test_open_tickets_are_listed_by_one_call_with_the_statuses_it_ran_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Open" tickets are one `list_tickets` call for the open and the pending ones (a status
    list, as `count_records` takes), not two calls merged by the skill: what the tool was asked
    is what the answer lists, newest first and within the tool's limit."""
    calls = recorded_listings(monkeypatch)
    registry = demo_registry(tmp_path / "demo.db")
    customer = with_pending(registry)
    calls.clear()
    out = support(registry, f"what are {customer}'s open tickets?")
    assert calls == [{"customer_id": customer, "status": ["open", "pending"]}]
    listed = reads.list_tickets(tmp_path / "demo.db", **calls[0])
    assert out.output["ticket_ids"] == [t["id"] for t in listed]


def test_list_tickets_takes_a_status_or_a_list_of_them(registry: AgentRegistry) -> None:
    every = tickets(registry, limit=200)
    both = tickets(registry, status=["open", "pending"], limit=200)
    assert [t["id"] for t in both] == [t["id"] for t in every if t["status"] != "closed"]
    assert {t["status"] for t in tickets(registry, status=["pending"], limit=200)} == {"pending"}
    for wrong, said in (([], "lists no values"), (["open", "shut"], "must be one of")):
        with pytest.raises(ToolArgumentError, match=said):
            tickets(registry, status=wrong)


def test_a_change_is_made_to_the_tickets_its_sentence_names(registry: AgentRegistry) -> None:
    """Tickets named in a sentence before the one asking for a change say what the request is
    about; the change is made to the tickets its own sentence names (conversations-dev21:
    "oh they're TCK-1110 and TCK-1010, both rate limit ones. could you close TCK-1110?" closed
    both). A sentence after it, or "too", carries the change on."""
    first, second = (t["id"] for t in tickets(registry, status="open", limit=2))

    def changed(text: str) -> list[str]:
        out = support(registry, text)
        return sorted(a.args["ticket_id"] for a in out.proposed_actions)

    out = support(registry, f"oh they're {first} and {second}, same bug haha. could you close "
                            f"{second}? she said it's fine now")  # fmt: skip
    assert [(a.tool, a.args["ticket_id"]) for a in out.proposed_actions] == [
        ("close_ticket", second)
    ]
    assert f"{first} '" in out.output["summary"]  # the other one is described, not changed
    assert changed(f"{first} and {second} look alike. Set {first} to urgent.") == [first]
    assert changed(f"{first} and {second} are fixed. Close {first} and {second}.") == sorted(
        [first, second]
    )
    assert changed(f"Close {first}. {second} too.") == sorted([first, second])
    assert changed(f"{first} is fixed. Close {second} too.") == sorted([first, second])
    assert changed(f"close {first} and {second}") == sorted([first, second])


def test_a_described_ticket_is_picked_by_its_words_not_by_function_words(
    registry: AgentRegistry,
) -> None:
    """Aisha Khan (CUS-1003) has TCK-1002 'Charged twice this month' and TCK-1091 'Question
    about my latest invoice' open (conversations-dev21 n25): "asked about a double charge" is
    the first, by "charge" (not her closed TCK-1055 of the same subject); "about" had picked
    the second, and the note the next turn asked for "the ticket" was written on it."""
    subjects = {t["id"]: t["subject"] for t in tickets(registry, customer_id="CUS-1003")}
    assert subjects["TCK-1002"] == "Charged twice this month"
    assert subjects["TCK-1091"] == "Question about my latest invoice"
    out = support(registry, "Aisha Khan asked about a double charge, is there a ticket for that?")
    assert out.output["ticket_ids"] == ["TCK-1002"]
    # Only function words in common: no ticket is picked by them, hers are listed.
    out = support(registry, "is there a ticket about that for Aisha Khan?")
    assert len(out.output["ticket_ids"]) > 1
    # Asked about a closed one, the closed one.
    out = support(registry, "was Aisha Khan's charged twice ticket closed?")
    assert out.output["ticket_ids"] == ["TCK-1055"]


@pytest.mark.parametrize(
    ("asked", "about"),
    [
        # "login" is how her ticket says it: "Cannot log in after password reset".
        ("is there an open ticket for maria lopez about login?", "log in"),
        ("does CUS-1001 have an open ticket?", ""),
        ("is maria lopez's open ticket about login still pending?", "log in"),
    ],
)
def test_asking_whether_a_ticket_is_open_opens_none(
    registry: AgentRegistry, asked: str, about: str
) -> None:
    # "open ticket" read as "open a ticket": one more ticket was proposed for her.
    out = support(registry, asked)
    assert out.proposed_actions == []
    live = [t for t in tickets(registry, customer_id="CUS-1001") if t["status"] != "closed"]
    # Her open tickets are answered: every one, or those "about login" when it says so.
    fits = [t["id"] for t in live if about in t["subject"].lower()]
    assert live and fits
    assert out.output["ticket_ids"] == fits


@pytest.mark.parametrize(
    "asked",
    ["open ticket for CUS-1001: cannot export", "log an open ticket for CUS-1001 about export"],
)
def test_a_ticket_asked_for_is_still_opened(registry: AgentRegistry, asked: str) -> None:
    (action,) = support(registry, asked).proposed_actions
    assert action.tool == "open_ticket" and action.args["customer_id"] == "CUS-1001"


def _unfinished(registry: AgentRegistry, **filters: Any) -> list[dict[str, Any]]:
    return tickets(registry, status=["open", "pending"], limit=500, **filters)


def test_a_listing_asked_about_a_subject_lists_the_tickets_of_that_subject(
    registry: AgentRegistry,
) -> None:
    """ "which customers have open tickets about 502 errors?" had listed the 20 newest open
    tickets whatever they were about, and named no customer."""
    every = _unfinished(registry)
    subject = next(
        t["subject"] for t in every if 1 < sum(u["subject"] == t["subject"] for u in every) < 20
    )
    about = [t for t in every if t["subject"] == subject]
    topic = " ".join(subject.lower().split()[-2:])
    out = support(registry, f"who has got open tickets regarding {topic}?")
    assert set(out.output["ticket_ids"]) == {t["id"] for t in about}
    assert set(out.output["customer_ids"]) == {t["customer_id"] for t in about}
    assert f"about '{topic}'" in out.output["summary"]
    assert all(t["customer_id"] in out.output["summary"] for t in about)


def test_a_listing_by_the_words_before_tickets_reads_the_tickets_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "any open SSO tickets?": the words are checked against every ticket's subject, and the
    open ones are taken from those tickets: they had been paged through again for the status,
    every listing reading the tickets twice. The answer is the status's own listing's."""
    calls = recorded_listings(monkeypatch)
    registry = demo_registry(tmp_path / "demo.db")
    sso = [t["id"] for t in _unfinished(registry) if "SSO" in t["subject"]]
    pages = len(tickets(registry, limit=500)) // 500 + 1
    calls.clear()
    out = support(registry, "any open SSO tickets?")
    assert [c for c in calls if "status" in c] == []
    assert len(calls) == pages
    assert sso and out.output["ticket_ids"] == sso


def _theirs_and_a_word_of_others(
    registry: AgentRegistry, customer: str
) -> tuple[list[dict[str, Any]], str]:
    """The customer's unfinished tickets, and a word of another ticket's subject none of
    theirs uses."""
    theirs = _unfinished(registry, customer_id=customer)
    held = {t["subject"] for t in theirs}
    other = next(t["subject"] for t in _unfinished(registry) if t["subject"] not in held)
    word = max(other.split(), key=len).lower()
    assert not any(word in s.lower() for s in held)
    return theirs, word


def test_a_customer_asked_about_a_subject_they_have_no_ticket_for_is_told_so(
    registry: AgentRegistry,
) -> None:
    """ "does Maria Lopez have open tickets about invoices?" had listed her open tickets about
    logging in, as if they answered it."""
    customer = with_pending(registry)
    detail = registry.tools.get("get_customer").fn(customer_id=customer)
    theirs, word = _theirs_and_a_word_of_others(registry, customer)
    out = support(registry, f"has {detail['name']} any open tickets concerning {word}?")
    assert out.output["ticket_ids"] == []
    assert f"has no open ticket(s) about '{word}'" in out.output["summary"]
    # Asked by a word one of theirs has, that one.
    mine = theirs[0]
    word = max(mine["subject"].split(), key=len).lower()
    out = support(registry, f"has {detail['name']} any open tickets concerning {word}?")
    picked = [t["id"] for t in theirs if word in t["subject"].lower()]
    assert out.output["ticket_ids"] == picked


def test_words_outside_what_qualifies_tickets_pick_none_of_them(registry: AgentRegistry) -> None:
    """ "… has any open tickets? sorry if wrong place": a word of another clause that some
    ticket's subject uses had been read as what the tickets were about, and hers were hidden."""
    customer = with_pending(registry)
    name = registry.tools.get("get_customer").fn(customer_id=customer)["name"]
    theirs, word = _theirs_and_a_word_of_others(registry, customer)
    out = support(registry, f"does {name} have open tickets? ignore my {word} rant earlier")
    assert out.output["ticket_ids"] == [t["id"] for t in theirs]
    # Said before "tickets", the word does say which.
    out = support(registry, f"does {name} have open {word} tickets?")
    assert out.output["ticket_ids"] == []


def test_who_the_customer_on_a_ticket_is_says_who_they_are(registry: AgentRegistry) -> None:
    ticket = tickets(registry, status="pending", limit=1)[0]
    who = registry.tools.get("get_customer").fn(customer_id=ticket["customer_id"])
    for asked in (f"who's the customer on {ticket['id']}?", f"who opened {ticket['id']}"):
        summary = support(registry, asked).output["summary"]
        assert f"{ticket['id']}'s customer is {who['name']} ({who['id']}" in summary
    # Asked how it stands, the ticket is described and its customer not looked up.
    summary = support(registry, f"what's the status of {ticket['id']}?").output["summary"]
    assert who["name"] not in summary and ticket["status"] in summary


@pytest.mark.parametrize(
    ("level", "up"), [("low", "normal"), ("normal", "high"), ("high", "urgent")]
)
def test_a_bare_escalate_raises_a_ticket_one_level(
    registry: AgentRegistry, level: str, up: str
) -> None:
    """ "escalate" with no level is one step above the ticket's own: a low ticket had gone
    straight to high (two steps), as if high were what escalating means."""
    tid = next(
        t["id"] for t in tickets(registry, priority=level, limit=100) if t["status"] != "closed"
    )
    (action,) = support(registry, f"escalate {tid}").proposed_actions
    assert action.args == {"ticket_id": tid, "priority": up}
    # A stated level is the level, whatever the ticket had.
    (action,) = support(registry, f"escalate {tid} to urgent").proposed_actions
    assert action.args["priority"] == "urgent"


def _open_of(registry: AgentRegistry, level: str) -> str:
    return next(
        t["id"] for t in tickets(registry, priority=level, limit=100) if t["status"] != "closed"
    )


def test_an_escalate_to_a_level_below_the_tickets_proposes_no_lowering(
    registry: AgentRegistry,
) -> None:
    """ "escalate TCK-… to high" of an urgent ticket had proposed high: lowered under the word
    asking to raise it. It is said to be there already, and nothing else is dropped."""
    tid = _open_of(registry, "urgent")
    out = support(registry, f"escalate {tid} to high")
    assert out.proposed_actions == []
    assert f"{tid} is already urgent priority, above high" in out.output["summary"]
    (action,) = support(registry, f"bump {tid} to normal, and add a note: chased").proposed_actions
    assert action.args == {"ticket_id": tid, "note": "chased"}
    # Lowering is asked by its own words, and a lowering that would raise is none either.
    (action,) = support(registry, f"de-escalate {tid} to high").proposed_actions
    assert action.args == {"ticket_id": tid, "priority": "high"}
    low = _open_of(registry, "low")
    out = support(registry, f"lower {low} to urgent")
    assert out.proposed_actions == [] and "already low priority, below urgent" in str(out.output)


@pytest.mark.parametrize(("level", "up"), [("low", "normal"), ("high", "urgent")])
def test_a_bare_bump_raises_a_ticket_one_level(
    registry: AgentRegistry, level: str, up: str
) -> None:
    """ "bump TCK-…" with no level had only looked the ticket up, changing nothing: it asks
    for a raise as a bare "escalate" does."""
    tid = _open_of(registry, level)
    (action,) = support(registry, f"bump {tid}").proposed_actions
    assert action.args == {"ticket_id": tid, "priority": up}
    top = _open_of(registry, "urgent")
    out = support(registry, f"bump {top} pls")
    assert out.proposed_actions == []
    assert f"{top} already has urgent priority; no change proposed" in out.output["summary"]
