"""Untrusted text made safe to show: a request's, an agent's or a reviewer's words printed by
the CLI (cli_output.py) or rendered by the web pages (api/web.py)."""

from __future__ import annotations

import re

_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: cursor moves, clearing, colours
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[@-_]"  # other two-character escapes
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # the remaining control characters (not \n, \t)
    r"|[\u202a-\u202e\u2066-\u2069]"  # bidi embeddings, overrides, isolates: reorder the line
)


def clean(text: str) -> str:
    """Untrusted text with terminal control characters, escape sequences and bidirectional
    overrides removed (newlines and tabs kept), so showing it cannot move the cursor, rewrite
    the screen or show its characters in another order than they are."""
    return _CONTROL.sub("", text)
