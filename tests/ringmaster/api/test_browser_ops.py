"""A browser (Playwright driving Chromium, headless) signs in and reads the status and summary
pages: the numbers of a real run, the charts drawn, and no CSP violation on either page."""

from __future__ import annotations

from tests.ringmaster.api.conftest import Api
from tests.ringmaster.api.test_browser import CHROMIUM, pytestmark, served

__all__ = ["pytestmark", "served"]


def test_status_and_summary_pages(served: tuple[Api, str]) -> None:
    from playwright.sync_api import sync_playwright

    api, base = served
    api.waiting_item("ann")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page()
            violations: list[str] = []
            page.on(
                "console",
                lambda m: violations.append(m.text) if "Content Security" in m.text else None,
            )
            page.goto(f"{base}/ui/status")
            assert page.url.endswith("/ui/login")
            page.fill("#token", api.tokens["rev"])
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/ui")
            page.click("a[href='/ui/status']")
            page.wait_for_url(f"{base}/ui/status")
            gamma = page.locator("tr[data-agent='gamma']")
            assert gamma.locator("td.health").inner_text() == "healthy"
            assert gamma.locator("td.throughput").inner_text() == "1.0"
            assert gamma.locator("svg.chart").count() == 2
            box = gamma.locator("svg.chart").first.locator("rect").last.bounding_box()
            assert box is not None and box["height"] > 0  # one output this hour: a bar
            page.click("a[href='/ui/summary']")
            page.wait_for_url(f"{base}/ui/summary")
            beta = page.locator("tr[data-agent='beta']")
            assert beta.locator("td.processed").inner_text() == "1"
            gamma_row = page.locator("tr[data-agent='gamma']")
            assert gamma_row.locator("td.escalated").inner_text() == "1"
            assert "1 review(s) pending" in page.inner_text("#actions")
            page.fill("input[name=since]", "not-a-length")
            page.click("form.filters button[type=submit]")
            # The page names its own field, not the CLI's flag.
            error = page.inner_text("p.error")
            assert "since 'not-a-length'" in error and "--since" not in error
            assert violations == []
        finally:
            browser.close()
