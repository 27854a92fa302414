"""Issue 12: a CLI decision names a real user and meets the API's checks, in new processes.

Once users exist, `review approve|reject|… --as NAME` must name an enabled reviewer who did
not raise the item; a refused decision is one line, exit 2, and leaves the item pending.
"""

from __future__ import annotations

import json
import re

from tests.ringmaster.test_cli import Cli


def refused(cli: Cli, item: str, who: str, message: str) -> None:
    proc = cli("review", "approve", item, "--as", who, ok=False)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and message in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    (shown,) = [i for i in cli.json("review", "list", "--as", "rev") if i["id"] == item]
    assert shown["status"] == "pending"


def add_users(cli: Cli) -> None:
    """ann requests (billing), rev reviews, old is a disabled reviewer, req a plain requester."""
    cli("users", "add", "ann", "--scopes", "billing", "--no-token")
    cli("users", "add", "rev", "--role", "reviewer", "--no-token")
    cli("users", "add", "old", "--role", "reviewer", "--no-token")
    cli("users", "add", "req", "--no-token")
    cli("users", "disable", "old")


def test_cli_decisions_meet_the_same_identity_checks_as_the_api(cli_in_process: Cli) -> None:
    cli = cli_in_process
    add_users(cli)
    out = cli.json("run", "Refund 250.00 on invoice INV-1010", "--as", "ann", "--scopes", "billing")
    (item,) = [p["id"] for p in out["pending"]]
    refused(cli, item, "nobody", "'nobody' is not a user")
    # ann is a requester: no reviewer to be "another" of; calling it off is hers.
    own = "their own request raised it; a reviewer decides it; to call it off, say so on its"
    refused(cli, item, "ann", own)
    refused(cli, item, "old", "user 'old' is disabled")
    refused(cli, item, "req", "is a requester, not a reviewer")
    assert cli.side_effects() == []
    # A disabled requester's items can only be rejected, from the CLI too.
    cli("users", "disable", "ann")
    refused(cli, item, "rev", "disabled user 'ann'")
    done = cli.json("review", "reject", item, "--reason", "shut out", "--as", "rev")
    assert done["status"] == "completed" and cli.side_effects() == []


def test_cli_requests_meet_the_same_identity_checks_as_the_api(cli_in_process: Cli) -> None:
    cli = cli_in_process
    cli("users", "add", "ann", "--scopes", "billing,support", "--no-token")
    cli("users", "add", "bob", "--scopes", "billing", "--no-token")
    cli("users", "add", "rev", "--role", "reviewer", "--scopes", "billing", "--no-token")
    rollback = "roll back the api deployment in production"

    def refused(*args: str, message: str) -> None:
        proc = cli(*args, ok=False)
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and len(lines) == 1 and message in lines[0], proc.stderr

    refused("run", rollback, "--as", "mallory", message="'mallory' is not a user")
    refused("run", rollback, "--as", "ann", "--scopes", "ops", message="ann may not reach ops")
    # It ran with every agent's scopes: an ops rollback was planned and its review raised.
    out = cli.json("run", rollback, "--as", "ann")
    assert all(s["agent"] != "ops" for s in out["plan"]["subtasks"])
    # To a plain requester another's thread is not found, as the API's 404 (it said "only the
    # thread's requester may send requests on it", which told bob the thread is there); a
    # reviewer, who sees it, is told why not (the API's 403).
    thread = out["thread_id"]
    for typed in (thread, thread[:8]):
        refused(
            "run", "and close TCK-1001", "--as", "bob", "--thread", typed,
            message=f"error: no thread {typed} of yours (reviewers see every thread's)",
        )  # fmt: skip
        proc = cli("chat", "--as", "bob", "--thread", typed, ok=False)
        assert proc.returncode == 2 and f"no thread {typed} of yours" in proc.stderr
        assert thread not in proc.stderr.replace(f"thread {typed} ", "")
    refused(
        "run", "and close TCK-1001", "--as", "rev", "--thread", thread,
        message="only the thread's requester may send requests on it",
    )  # fmt: skip
    assert cli.side_effects() == []
    assert cli.json("thread", "show", thread, "--as", "ann")["turn"] == 1


def test_a_cli_claim_meets_the_same_identity_checks_as_the_api(cli_in_process: Cli) -> None:
    """`review claim` marked any name as the item's reviewer: its own requester, a requester,
    a stranger; the API and the web page refuse them (403), as deciding does."""
    cli = cli_in_process
    cli("users", "add", "ann", "--scopes", "billing", "--no-token")
    cli("users", "add", "rev", "--role", "reviewer", "--no-token")
    cli("users", "add", "req", "--no-token")
    out = cli.json("run", "Refund 250.00 on invoice INV-1010", "--as", "ann")
    (item,) = [p["id"] for p in out["pending"]]
    for who, message in (
        ("ann", "their own request raised it"),
        ("req", "is a requester, not a reviewer"),
        ("nobody", "'nobody' is not a user"),
    ):
        proc = cli("review", "claim", item, "--as", who, ok=False)
        (line,) = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and message in line, proc.stderr
    (shown,) = cli.json("review", "list", "--as", "rev")
    assert shown["claimed_by"] is None
    assert cli.json("review", "claim", item, "--as", "rev")["claimed_by"] == "rev"


def test_a_cli_routing_correction_meets_the_same_identity_checks(cli_in_process: Cli) -> None:
    """`review correct` recorded a correction (which the planner then learns, for everyone's
    requests) in any name once users existed: the thread's own requester, a requester, a
    stranger, a disabled reviewer; a routing review's pick of agent is only a reviewer's."""
    cli = cli_in_process
    add_users(cli)
    thread = cli.json("run", "Refund 250.00 on invoice INV-1010", "--as", "ann")["thread_id"]
    for who, message in (
        ("ann", "their own request raised it"),
        ("req", "is a requester, not a reviewer"),
        ("nobody", "'nobody' is not a user"),
        ("old", "user 'old' is disabled"),
    ):
        proc = cli("review", "correct", thread, "t1", "--agent", "support", "--as", who, ok=False)
        (line,) = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and message in line, proc.stderr
    done = cli.json("review", "correct", thread, "t1", "--agent", "support", "--as", "rev")
    assert done["corrections"] == 1  # the reviewer's, and none of the refused ones


def test_a_review_is_shown_to_whom_the_api_shows_it(cli_in_process: Cli) -> None:
    """`chat`'s `/show ID` and `review show` showed any thread's review (its request and
    proposed action) to a plain requester, though the chat's `/reviews` lists only their own
    and the API answers 404 for another's thread: now both ask what the API asks (its own
    requester, or a reviewer), and a refusal is one line that does not name the thread."""
    cli = cli_in_process
    add_users(cli)
    out = cli.json("run", "Refund 250.00 on invoice INV-1010", "--as", "ann")
    (item,) = [p["id"] for p in out["pending"]]
    refused = cli("review", "show", item[:8], "--as", "req", ok=False)
    (line,) = refused.stderr.strip().splitlines()
    assert refused.returncode == 2 and f"no review item {item[:8]} on a thread of yours" in line
    assert out["thread_id"] not in refused.stderr and "INV-1010" not in refused.stdout
    for who in ("ann", "rev"):
        assert cli.json("review", "show", item, "--as", who)["id"] == item
    stranger = cli("review", "show", item, "--as", "nobody", ok=False)
    assert stranger.returncode == 2 and "'nobody' is not a user" in stranger.stderr

    def chat(who: str) -> list[dict[str, object]]:
        # In this process too: what the chat shows whom is checked, not a process start.
        proc = cli("chat", "--json", "--as", who, input=f"/show {item[:8]}\n")
        return [json.loads(raw) for raw in proc.stdout.splitlines()]

    (said,) = chat("req")
    assert said["type"] == "error" and "on a thread of yours" in str(said["text"])
    assert out["thread_id"] not in str(said["text"])
    (shown,) = chat("rev")
    assert shown["type"] == "review" and "INV-1010" in str(shown["text"])


def test_review_and_thread_lists_and_thread_show_are_what_the_api_shows(
    cli_in_process: Cli,
) -> None:
    """`review list`, `thread list` and `thread show` showed every thread and every review
    (requests, answers, proposed actions) to anyone; the API shows a plain requester their own
    threads and the reviews on them, reviewers everything. Now the command line does too, for
    `--as NAME` (default: the login): a list is filtered, another's thread refused in one line
    that does not show it."""
    cli = cli_in_process
    cli("users", "add", "ann", "--scopes", "billing", "--no-token")
    cli("users", "add", "req", "--scopes", "billing", "--no-token")
    cli("users", "add", "rev", "--role", "reviewer", "--no-token")
    anns = cli.json("run", "Refund 250.00 on invoice INV-1010", "--as", "ann")
    reqs = cli.json("run", "Refund 240.00 on invoice INV-1010", "--as", "req")
    (ann_item,) = [p["id"] for p in anns["pending"]]
    (req_item,) = [p["id"] for p in reqs["pending"]]
    ann_thread, req_thread = anns["thread_id"], reqs["thread_id"]

    def ids(*args: str) -> set[str]:
        return {i["id"] for i in cli.json(*args)}

    assert ids("review", "list", "--as", "req") == {req_item}
    assert ids("review", "list", "--as", "ann", "--status", "all") == {ann_item}
    assert ids("review", "list", "--as", "ann", "--thread", req_thread) == set()
    assert ids("review", "list", "--as", "rev") == {ann_item, req_item}
    assert ids("thread", "list", "--as", "req") == {req_thread}
    assert ids("thread", "list", "--as", "rev") == {ann_thread, req_thread}
    assert ids("thread", "list", "--as", "rev", "--requester", "ann") == {ann_thread}
    for who in ("req", "rev"):
        assert cli.json("thread", "show", req_thread, "--as", who)["thread"]["id"] == req_thread

    def refused(*args: str, message: str) -> None:
        proc = cli(*args, ok=False)
        (line,) = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and message in line, proc.stderr
        assert "250.00" not in proc.stdout + proc.stderr  # ann's request

    refused("thread", "show", ann_thread[:8], "--as", "req", message="no thread ")
    refused("thread", "show", ann_thread, "--as", "req", message="of yours (reviewers see")
    refused(
        "thread", "list", "--as", "req", "--requester", "ann",
        message="error: req sees only their own threads, not ann's (reviewers see everyone's)",
    )  # fmt: skip  # the API's 403 detail (tests/ringmaster/api/test_auth.py)
    for args in (("review", "list"), ("thread", "list"), ("thread", "show", ann_thread)):
        refused(*args, "--as", "nobody", message="'nobody' is not a user")


def test_audit_show_refuses_a_requester_anothers_thread_as_the_api_does(
    cli_in_process: Cli,
) -> None:
    """`audit show THREAD` printed any thread's story (the request, the plan, the proposed
    refund, every decision) to anyone, while `GET /threads/ID/audit` and `thread show` refuse
    a plain requester another's thread. It takes `--as` now and refuses in the same line."""
    cli = cli_in_process
    add_users(cli)
    anns = cli.json("run", "Refund 250.00 on invoice INV-1010", "--as", "ann")
    thread = anns["thread_id"]
    for who in ("ann", "rev"):
        events = cli.json("audit", "show", thread, "--as", who)
        assert events[0]["kind"] == "request_received", events[0]
    for args in (("audit", "show", thread), ("audit", thread[:8])):
        proc = cli(*args, "--as", "req", ok=False)
        (line,) = proc.stderr.strip().splitlines()
        assert proc.returncode == 2, proc.stderr
        assert line.startswith("error: no thread ") and "of yours (reviewers see" in line
        assert "250.00" not in proc.stdout + proc.stderr  # ann's request
    proc = cli("audit", "show", thread, "--as", "nobody", ok=False)
    assert proc.returncode == 2 and "'nobody' is not a user" in proc.stderr


def test_an_empty_as_is_refused_not_taken_for_the_login(cli_in_process: Cli) -> None:
    """`--as ""` was taken as no `--as`: the command acted as the login name, and its error
    named a user nobody typed ("'root' is not a user"). It is refused in one line, before
    anything is stored."""
    cli = cli_in_process
    add_users(cli)
    for args in (
        ("run", "Refund 250.00 on invoice INV-1010"),
        ("thread", "list"),
        ("review", "list"),
        ("review", "approve", "abcd"),
    ):
        for blank in ("", "  "):
            proc = cli(*args, "--as", blank, ok=False)
            (line,) = proc.stderr.strip().splitlines()
            assert proc.returncode == 2, proc.stderr
            assert line == "error: --as needs a user name (leave it out to act as your login name)"
    assert cli.json("thread", "list", "--as", "rev") == []


def test_a_requesters_chat_offers_only_what_she_may_do(cli_in_process: Cli) -> None:
    """`chat --as ann` (a requester) said "Decide here: /show, /approve, …" under her own
    request's review, listed /approve … in /help, and pointed `/approve` on another thread's
    review to `chat --thread … --as ann`, where it is refused again: she is offered what the
    decision service would accept of her (a reviewer decides; a call-off is hers)."""
    cli = cli_in_process
    add_users(cli)
    cli("users", "add", "boss", "--role", "reviewer", "--scopes", "billing", "--no-token")
    first = cli.json("run", "Refund 250.00 on invoice INV-1010", "--as", "ann")
    (elsewhere,) = [p["id"] for p in first["pending"]]
    refund = "Refund invoice INV-1004 in full, the customer cancelled"
    typed = f"{refund}\n/help\n/approve {elsewhere[:8]}\n"
    done = cli("chat", "--as", "ann", input=typed)
    text = " ".join(done.stdout.split())
    assert "Decide here" not in text and "/approve ID" not in text
    assert "A reviewer decides review " in text
    assert 'to call it off, say so here ("cancel that", "never mind"); /show ID reads it' in text
    assert "a reviewer decides your reviews; to call one off, say so" in text
    error = " ".join(done.stderr.split())
    assert "ann cannot decide review item" in error and "a reviewer decides it" in error
    assert "chat --thread" not in error and "another reviewer" not in error
    # A reviewer chatting on her own request is shown the same, though she decides others'.
    own = cli(
        "chat",
        "--as",
        "boss",
        input="Refund invoice INV-1004 in full, the customer cancelled\n/help\n",
    )
    mine = " ".join(own.stdout.split())
    assert "A reviewer decides review " in mine and "Decide here" not in mine
    assert "/approve ID" in mine  # /help: she may decide others' reviews
    # And one she may decide is offered as before.
    rev = cli("chat", "--as", "rev", "--thread", first["thread_id"], input="/reviews\n")
    assert "/approve" in rev.stdout
    assert cli.side_effects() == []


def test_a_requesters_run_offers_only_what_she_may_do(cli_in_process: Cli) -> None:
    """`run --as ann` (a requester) said "Decide with: ringmaster review approve ID …" under
    her own request's review, which she may not decide: she is told a reviewer decides it and
    how to call it off, and the call-off it names does withdraw it."""
    cli = cli_in_process
    add_users(cli)
    done = cli("run", "Refund 250.00 on invoice INV-1010", "--as", "ann")
    text = " ".join(done.stdout.split())
    (item,) = [i["id"] for i in cli.json("review", "list", "--as", "rev")]
    (thread,) = [t["id"] for t in cli.json("thread", "list", "--as", "ann")]
    assert "Decide with" not in text and "review approve" not in text, text
    assert f"A reviewer decides review {item[:8]}" in text, text
    call_off = re.search(r'to call it off, say so in `(.*?)` \("cancel that"\)', text)
    assert call_off is not None and call_off.group(1).endswith(
        f"chat --thread {thread} --as ann"
    ), text
    assert "review show ID --as ann` reads it" in text, text
    # What it says is true: "cancel that" in that chat withdraws her review; nothing ran.
    cli("chat", "--thread", thread, "--as", "ann", input="cancel that\n")
    (shown,) = [i for i in cli.json("review", "list", "--as", "rev", "--status", "all")
                if i["id"] == item]  # fmt: skip
    assert shown["status"] != "pending" and shown["decided_by"] == "ann", shown
    assert cli.side_effects() == []


def test_thread_show_offers_only_the_decisions_that_person_may_make_on_that_item(
    cli_in_process: Cli,
) -> None:
    """`thread show ID --as ann` ended "Decide with: … review approve ID" under her own
    request's review, which she may not decide; a routing item's hint offered approve, though
    it takes edit, respond and reject alone."""
    cli = cli_in_process
    add_users(cli)
    done = cli.json("run", "book me a flight to Paris next tuesday", "--as", "ann")
    (item,) = done["pending"]
    assert item["kind"] == "routing"
    own = " ".join(cli("thread", "show", done["thread_id"], "--as", "ann").stdout.split())
    assert "Decide with" not in own and "review approve" not in own, own
    assert f"A reviewer decides review {item['id'][:8]}" in own, own
    theirs = " ".join(cli("thread", "show", done["thread_id"], "--as", "rev").stdout.split())
    hint = re.search(r"Decide with: .*? review (.*?) \(ID: a unique", theirs)
    assert hint is not None, theirs
    forms = re.split(r", | or ", hint.group(1))
    assert [f.split()[0] for f in forms] == ["edit", "reject", "respond"], theirs


def test_a_login_that_is_not_a_user_is_told_the_two_ways_on(cli_in_process: Cli) -> None:
    """After `users add`, `review list` with no --as said "error: 'root' is not a user: look
    as one (`--as NAME`)": it names the users to pass and the command that adds the login."""
    cli = cli_in_process
    add_users(cli)
    for args in (("review", "list"), ("thread", "list"), ("run", "Refund INV-1010")):
        proc = cli(*args, "--as", "nobody", ok=False)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.strip() == (
            "error: 'nobody' is not a user of ringmaster; pass --as NAME (users: ann, req, "
            "rev) or add it with `ringmaster users add nobody`"
        )


def test_the_chats_decision_hint_lists_what_the_items_allow_as_a_sentence() -> None:
    """Built apart from the `review` hint's own list, an item allowing no decision read
    "Decide here:  or /show ID"."""
    from datetime import UTC, datetime

    from ringmaster.cli_chat import chat_decisions_hint
    from ringmaster.review_queue import ReviewItem

    def item(allowed: list[str]) -> ReviewItem:
        payload = {"review_configs": [{"allowed_decisions": allowed}]}
        return ReviewItem(
            id="r" * 12, thread_id="t", turn=1, subtask_id="t1", kind="routing", agent=None,
            category=None, priority="normal", requester="ann", status="pending", summary="s",
            payload=payload, decision=None, decided_by=None, claimed_by=None,
            created_at=datetime.now(UTC), decided_at=None, resumed_at=None,
        )  # fmt: skip

    routing = chat_decisions_hint([item(["edit", "reject", "respond"])])
    assert routing == "Decide here: /show, /edit, /reject or /respond ID (/help for more)"
    assert chat_decisions_hint([item([])]) == "Decide here: /show ID (/help for more)"
