"""Issue 12: the web queue's edges: a huge age filter, the sign-in page's message, and a
sign-in CSRF pair planted from another subdomain."""

from __future__ import annotations

import html
import re

from tests.ringmaster.api.conftest import Api
from tests.ringmaster.api.test_web import csrf_of, sign_in


def test_a_huge_age_filter_is_ignored_not_a_500(sqlite_api: Api) -> None:
    sign_in(sqlite_api)
    for value in ("999999999999", "99999999"):
        r = sqlite_api.client.get(f"/ui?older_than={value}")
        assert r.status_code == 200, r.text


def test_the_sign_in_page_shows_no_text_from_the_url(sqlite_api: Api) -> None:
    r = sqlite_api.client.get("/ui/login?error=Your+account+is+locked%2C+call+555-0100")
    assert r.status_code == 200 and "555-0100" not in r.text


def test_a_planted_cookie_and_field_pair_does_not_sign_in(sqlite_api: Api) -> None:
    api = sqlite_api
    # What another subdomain can do: set the login cookie and post a form with the same value.
    api.client.cookies.set("rm_login_csrf", "planted", path="/ui")
    r = api.client.post(
        "/ui/login",
        data={"token": api.tokens["rev"], "csrf": "planted"},
        follow_redirects=False,
    )
    assert r.status_code == 200 and "expired" in r.text
    api.client.cookies.clear()
    form = api.client.get("/ui/login")
    assert csrf_of(form.text) != api.client.cookies.get("rm_login_csrf")
    sign_in(api)  # the server's own pair still works


def test_a_refused_decision_keeps_what_the_reviewer_typed(sqlite_api: Api) -> None:
    """A typo in edited JSON (or a refused edit) shows the error above the form with the
    reviewer's own text still in it, not the proposed arguments again: nothing typed is lost."""
    api = sqlite_api
    _, item = api.waiting_item()
    csrf = sign_in(api, "rita")
    typed = '{"amount": 7, "note": "half, as agreed with the account manager"'  # no closing }
    bad = api.client.post(
        f"/ui/items/{item['id']}/decide",
        data={"decision": "edit", "args_0": typed, "csrf": csrf},
    )
    assert bad.status_code == 422 and "not valid JSON" in bad.text
    box = re.search(r'<textarea id="args_0"[^>]*>([^<]*)</textarea>', bad.text)
    assert box and html.unescape(box.group(1)) == typed
    assert api.runner.queue.get(item["id"]).status == "pending"
    # A fresh page shows the proposal again.
    fresh = api.client.get(f"/ui/items/{item['id']}")
    box = re.search(r'<textarea id="args_0"[^>]*>([^<]*)</textarea>', fresh.text)
    assert box and typed not in html.unescape(box.group(1))
    # A reason over the limit is kept too, escaped like every text on the page.
    reason = "</textarea><script>alert(1)</script>" + "x" * 2100
    long = api.client.post(
        f"/ui/items/{item['id']}/decide",
        data={"decision": "reject", "reason": reason, "csrf": csrf},
    )
    assert long.status_code == 422 and "<script>alert(1)" not in long.text
    kept = re.search(r'<input id="reason"[^>]*value="([^"]*)"', long.text)
    assert kept and html.unescape(kept.group(1)) == reason
    assert api.runner.queue.get(item["id"]).status == "pending"


def test_the_thread_and_item_pages_show_no_bidi_overrides(sqlite_api: Api) -> None:
    """A request's bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) would
    show its words in another order than they are; the pages drop them, as the CLI does."""
    api = sqlite_api
    marks = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    thread, item = api.waiting_item(text="do it \u202eok\u2066 now\u2069")
    sign_in(api, "rita")
    for url in (f"/ui/threads/{thread}", f"/ui/items/{item['id']}"):
        r = api.client.get(url)
        assert r.status_code == 200, r.text
        text = html.unescape(r.text)
        assert not any(m in text for m in marks), (url, [m for m in marks if m in text])
        assert "do it ok now" in text, url


def test_deciding_or_claiming_a_missing_item_is_a_page_not_a_json_problem(sqlite_api: Api) -> None:
    """A form posted for an item id that is no item (a stale link, a typo) answered the
    browser with the API's application/problem+json; opening it showed a page already."""
    csrf = sign_in(sqlite_api, "rita")
    for action, form in (("decide", {"decision": "approve"}), ("claim", {})):
        r = sqlite_api.client.post(f"/ui/items/deadbeefdead/{action}", data={**form, "csrf": csrf})
        assert r.status_code == 404, (action, r.text)
        assert r.headers["content-type"].startswith("text/html"), (action, r.headers)
        assert "no review item" in r.text


def test_numbers_in_digits_other_than_0_9_are_no_filter_or_action_not_a_500(
    sqlite_api: Api,
) -> None:
    """'²' is a digit to str.isdigit() but not to int(): an age filter or an edit field named
    with one was a ValueError and a 500."""
    api = sqlite_api
    _, item = api.waiting_item()
    csrf = sign_in(api, "rita")
    for value in ("%C2%B2", "%D9%A3", "abc"):
        for path in ("/ui", "/ui/rows"):
            r = api.client.get(f"{path}?older_than={value}")
            assert r.status_code == 200, (path, value, r.text)
            assert item["id"][:10] in r.text  # no filter: the item is listed
    r = api.client.post(
        f"/ui/items/{item['id']}/decide",
        data={"decision": "edit", "args_\u00b2": '{"amount": 1}', "csrf": csrf},
    )
    assert r.status_code == 422 and "at least one entry" in r.text, r.text
    assert api.runner.queue.get(item["id"]).status == "pending"
