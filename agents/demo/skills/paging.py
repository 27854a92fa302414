"""Every row a listing tool holds, read page by page (`page_after`): a count or a filter over
its newest 500 (a page's largest size) had left older rows out and given what remained as
all there were."""

from __future__ import annotations

from typing import Any

from ringmaster.tools.base import ToolBox

PAGE = 500


def every(tools: ToolBox, tool: str, **args: Any) -> list[dict[str, Any]]:
    """The rows `tool` lists for `args`, every page of them, in the tool's order."""
    rows: list[dict[str, Any]] = []
    while True:
        after = {"page_after": rows[-1]["id"]} if rows else {}
        page: list[dict[str, Any]] = tools.call(tool, limit=PAGE, **args, **after)
        rows += page
        if len(page) < PAGE:
            return rows
