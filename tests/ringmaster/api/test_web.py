"""The web review queue: sign-in into a session cookie, CSRF on every form, escaped text,
and a decision from the item page that completes the thread."""

from __future__ import annotations

import re

from tests.ringmaster.api.conftest import Api

XSS = "Please <script>alert(1)</script> & refund"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def sign_in(api: Api, user: str = "rev") -> str:
    form = api.client.get("/ui/login")
    assert form.status_code == 200
    r = api.client.post(
        "/ui/login",
        data={"token": api.tokens[user], "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/ui", r.text
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/ui" in cookie
    queue = api.client.get("/ui")
    assert queue.status_code == 200
    return csrf_of(queue.text)


def test_sign_in_needs_the_form_csrf_and_a_reviewer(sqlite_api: Api) -> None:
    api = sqlite_api
    r = api.client.post("/ui/login", data={"token": api.tokens["rev"], "csrf": "forged"})
    assert "expired" in r.text and "rm_session" not in r.headers.get("set-cookie", "")
    form = api.client.get("/ui/login")
    r = api.client.post("/ui/login", data={"token": api.tokens["ann"], "csrf": csrf_of(form.text)})
    assert "the queue is for reviewers" in r.text
    assert api.client.get("/ui", follow_redirects=False).status_code == 303


def test_queue_item_and_decision_from_the_page(sqlite_api: Api) -> None:
    api = sqlite_api
    thread, item = api.waiting_item("ann", XSS)
    csrf = sign_in(api)
    queue = api.client.get("/ui")
    assert item["id"][:10] in queue.text and "Deadline" in queue.text
    assert "script-src 'self'" in queue.headers["content-security-policy"]
    rows = api.client.get("/ui/rows?status=pending")
    assert item["id"][:10] in rows.text and 'data-total="1"' in rows.text

    page = api.client.get(f"/ui/items/{item['id']}")
    assert "<script>alert(1)</script>" not in page.text
    assert "Please &lt;script&gt;alert(1)&lt;/script&gt; &amp; refund" in page.text
    assert "Recommended" in page.text and "&#34;amount&#34;: 50" in page.text

    # Without the CSRF token nothing happens.
    forged = api.client.post(f"/ui/items/{item['id']}/decide", data={"decision": "approve"})
    assert forged.status_code == 403
    assert api.runner.queue.get(item["id"]).status == "pending"
    # Edited arguments are checked again: bad JSON is shown on the page, nothing changes.
    bad = api.client.post(
        f"/ui/items/{item['id']}/decide",
        data={"decision": "edit", "args_0": "{amount: 7", "csrf": csrf},
    )
    assert bad.status_code == 422 and "not valid JSON" in bad.text
    assert api.runner.queue.get(item["id"]).status == "pending"

    done = api.client.post(
        f"/ui/items/{item['id']}/decide", data={"decision": "approve", "csrf": csrf}
    )
    assert done.status_code == 200 and done.url.path == f"/ui/threads/{thread}"
    assert 'id="thread-status" class="status-completed">completed<' in done.text
    assert [r[1] for r in api.ledger.rows()] == [50]
    again = api.client.post(
        f"/ui/items/{item['id']}/decide", data={"decision": "approve", "csrf": csrf}
    )
    assert again.status_code == 409 and "already decided" in again.text


def test_edit_and_claim_from_the_page(sqlite_api: Api) -> None:
    api = sqlite_api
    _, item = api.waiting_item()
    csrf = sign_in(api, "rita")
    claim = api.client.post(f"/ui/items/{item['id']}/claim", data={"csrf": csrf})
    assert claim.status_code == 200 and "claimed by rita" in claim.text
    edited = api.client.post(
        f"/ui/items/{item['id']}/decide",
        data={"decision": "edit", "args_0": '{"amount": 8, "note": "t2"}', "csrf": csrf},
    )
    assert edited.status_code == 200
    assert [r[1] for r in api.ledger.rows()] == [8]


def test_own_items_and_sign_out(sqlite_api: Api) -> None:
    api = sqlite_api
    _, item = api.waiting_item("rev")
    csrf = sign_in(api, "rev")
    page = api.client.get(f"/ui/items/{item['id']}")
    assert "your own request" in page.text and 'id="approve"' not in page.text
    r = api.client.post(
        f"/ui/items/{item['id']}/decide", data={"decision": "approve", "csrf": csrf}
    )
    assert r.status_code == 403
    assert api.client.post("/ui/logout", data={"csrf": "nope"}).status_code == 403
    out = api.client.post("/ui/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert api.client.get("/ui", follow_redirects=False).status_code == 303
    assert api.client.get("/ui/items/nope1234", follow_redirects=False).status_code == 303


def test_the_item_page_shows_each_action_once_without_the_inbox_markdown(
    sqlite_api: Api,
) -> None:
    """ "Proposed action" showed the first action's description as an inbox gets it: the
    context in Markdown (`**Why you are asked:** … **Recommended:** …`) in one paragraph,
    repeating the request, blocker and recommendation shown above it."""
    api = sqlite_api
    _, item = api.waiting_item("ann", XSS)
    sign_in(api)
    packaged = api.runner.queue.get(item["id"]).payload["action_requests"][0]["description"]
    assert "**Why you are asked:**" in packaged  # what an inbox with nothing else is given
    own = packaged.split("\n\n")[0]
    page = api.client.get(f"/ui/items/{item['id']}")
    assert page.status_code == 200
    assert "**" not in page.text and "Why you are asked" not in page.text
    assert own.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in page.text
    assert page.text.count('class="recommended"') == 1
    assert "<script>alert(1)</script>" not in page.text


def test_a_ui_path_with_no_page_is_an_html_page_and_an_api_path_json(sqlite_api: Api) -> None:
    """/ui/reviews/ID (the API's name for a review, under /ui) answered the API's JSON 404 in
    the browser: it is the item's page, and a /ui path with no page is a page saying so."""
    api = sqlite_api
    _, item = api.waiting_item("ann")
    sign_in(api)
    guessed = api.client.get(f"/ui/reviews/{item['id'][:10]}", follow_redirects=False)
    assert guessed.status_code == 303
    assert guessed.headers["location"] == f"/ui/items/{item['id'][:10]}"
    assert item["id"][:10] in api.client.get(f"/ui/reviews/{item['id'][:10]}").text
    missing = api.client.get("/ui/nothing/here")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert (
        "There is no page at /ui/nothing/here" in missing.text
        and "Back to the queue" in missing.text
    )
    assert "default-src 'self'" in missing.headers["content-security-policy"]
    api_missing = api.client.get("/nothing/here")
    assert api_missing.status_code == 404
    assert api_missing.headers["content-type"] == "application/problem+json"


def test_a_page_with_no_page_shows_signed_in_only_whom_the_queue_lets_in(sqlite_api: Api) -> None:
    """A reviewer made a requester after signing in is sent to sign in by every page; the page
    saying a /ui path has none had still shown them signed in, with the queue's links."""
    api = sqlite_api
    sign_in(api, "rita")
    assert "rita (reviewer)" in api.client.get("/ui/nothing/here").text
    api.client.app.state.rm.accounts.change("rita", role="requester")  # type: ignore[attr-defined]
    assert api.client.get("/ui", follow_redirects=False).status_code == 303
    missing = api.client.get("/ui/nothing/here")
    assert missing.status_code == 404 and "There is no page at /ui/nothing/here" in missing.text
    assert "rita" not in missing.text and "Sign out" not in missing.text
