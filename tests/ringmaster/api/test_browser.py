"""A browser (Playwright driving Debian's Chromium, headless) signs in, opens an item,
approves it and sees the thread complete; a request containing <script> shows as text."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ringmaster.api.conftest import Api, build_api

CHROMIUM = "/usr/bin/chromium"
XSS = "Refund <script>window.__pwned = 1</script> now"

pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None,
    reason=f"{CHROMIUM} is missing (apt-get install -y chromium; .ci/run does it)",
)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Api, str]]:
    import uvicorn

    gen = build_api(tmp_path, None)
    api = next(gen)
    # The server is handed a socket already bound to a port the system picked: nothing else
    # (another xdist worker's server) can take the port between choosing and binding it.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(api.client.app, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    started = threading.Event()

    def wait() -> None:
        while not server.started and thread.is_alive():
            started.wait(0.05)

    wait()
    try:
        assert server.started, "the browser tests' server did not start"
        yield api, f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        gen.close()


def test_sign_in_open_approve_and_see_the_thread_complete(served: tuple[Api, str]) -> None:
    from playwright.sync_api import sync_playwright

    api, base = served
    thread, item = api.waiting_item("ann", XSS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page()
            page.goto(f"{base}/ui")
            assert page.url.endswith("/ui/login")
            page.fill("#token", api.tokens["rev"])
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/ui")
            page.click(f"a[href='/ui/items/{item['id']}']")
            page.wait_for_selector("#request-text")
            # The request's markup is text on the page, and its script never ran.
            assert page.inner_text("#request-text") == XSS
            assert page.evaluate("window.__pwned") is None
            page.click("#approve")
            page.wait_for_url(f"{base}/ui/threads/{thread}")
            assert page.inner_text("#thread-status") == "completed"
        finally:
            browser.close()
    assert [r[1] for r in api.ledger.rows()] == [50]


def test_the_queue_refreshes_itself(served: tuple[Api, str], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    api, base = served
    api.client.app.state.rm.settings.ui_refresh_seconds = 0.2  # type: ignore[attr-defined]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page()
            page.goto(f"{base}/ui/login")
            page.fill("#token", api.tokens["rev"])
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/ui")
            assert page.inner_text("#total") == "0 item(s)"
            _, item = api.waiting_item("ann")
            # The new item appears without a reload.
            page.wait_for_selector(f"a[href='/ui/items/{item['id']}']", timeout=10_000)
            assert page.inner_text("#total") == "1 item(s)"
        finally:
            browser.close()


def test_the_thread_page_shows_the_plan_and_follows_it_live(served: tuple[Api, str]) -> None:
    from playwright.sync_api import sync_playwright

    api, base = served
    thread, item = api.waiting_item("ann", "do both")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page()
            page.goto(f"{base}/ui/login")
            page.fill("#token", api.tokens["rev"])
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/ui")
            page.goto(f"{base}/ui/threads/{thread}")
            assert "status-done" in (page.get_attribute("#node-t1", "class") or "")
            assert "status-awaiting_review" in (page.get_attribute("#node-t2", "class") or "")
            # Decided elsewhere (the API): the open page's graph and status follow, no reload.
            decided = api.post(
                f"/reviews/{item['id']}/decision", "rita", json={"decision": "approve"}
            )
            assert decided.status_code in (200, 202), decided.text
            page.wait_for_selector("#node-t2.status-done", timeout=20_000)
            page.wait_for_selector("#thread-status.status-completed", timeout=20_000)
            assert page.text_content("#node-t2 .node-status") == "done"
            # The finished turn joins the conversation: the words asked and the answer given.
            api.post(f"/threads/{thread}/requests", "ann", json={"request": "and again"})
            page.reload()
            turns = page.locator("#conversation .turn")
            assert turns.count() == 1  # the second turn waits for its review: not finished
            assert "do both" in turns.nth(0).inner_text()
            assert "t2 gamma: done" in page.inner_text("#conversation .reply")
            assert "status-awaiting_review" in (page.get_attribute("#node-t2", "class") or "")
        finally:
            browser.close()
