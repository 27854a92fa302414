"""Cursor pagination on every list (reviews, threads, a thread's audit): pages walk every row
once, in order, even when rows are added between pages; a foreign cursor is a 422."""

from __future__ import annotations

from typing import Any

from tests.ringmaster.api.conftest import Api


def walk(api: Api, path: str, user: str, limit: int) -> list[dict[str, Any]]:
    sep = "&" if "?" in path else "?"
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        url = f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(url, user).json()
        assert set(page) == {"items", "total", "limit", "next_cursor"}, page
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the pages never ended")


def test_every_list_pages_with_a_cursor(sqlite_api: Api) -> None:
    api = sqlite_api
    threads = [api.waiting_item()[0] for _ in range(3)]
    reviews = walk(api, "/reviews", "rev", 2)
    whole = api.get("/reviews", "rev").json()["items"]
    assert [r["id"] for r in reviews] == [r["id"] for r in whole] and len(whole) == 3

    listed = walk(api, "/threads", "rev", 2)
    assert sorted(t["id"] for t in listed) == sorted(threads)

    story = walk(api, f"/threads/{threads[0]}/audit", "ann", 3)
    seqs = [e["seq"] for e in story]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs)) > 3
    total = api.get(f"/threads/{threads[0]}/audit?limit=1", "ann").json()["total"]
    assert total == len(story)


def test_a_page_continues_after_the_last_row_seen(sqlite_api: Api) -> None:
    api = sqlite_api
    api.waiting_item()
    api.waiting_item()
    first = api.get("/reviews?limit=1", "rev").json()
    api.waiting_item()  # a new, younger item arrives between pages
    rest = walk(api, f"/reviews?cursor={first['next_cursor']}", "rev", 1)
    ids = [first["items"][0]["id"]] + [r["id"] for r in rest]
    assert len(ids) == len(set(ids)) == 3  # nothing repeated, nothing skipped


def test_a_cursor_of_another_list_is_refused(sqlite_api: Api) -> None:
    api = sqlite_api
    thread = api.waiting_item()[0]
    api.waiting_item()
    cursor = api.get(f"/threads/{thread}/audit?limit=1", "ann").json()["next_cursor"]
    for path in ("/reviews", "/threads"):
        r = api.get(f"{path}?cursor={cursor}", "rev")
        assert r.status_code == 422 and r.json()["code"] == "invalid_input", r.text
