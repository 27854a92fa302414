"""An email's sign-off: the closing line and the signature under the message.

"Kind regards," / "Thanks!" with the writer's name, title and company on the lines under it say
who wrote, never what is asked. Left in, they are cut into candidate parts that the classifier
routes by their words (a company name in a signature to legal, "Cheers / Marta" to analytics)
and that the cutter must glue back, and the request's whole-text scores carry them too. The
planner splits and routes the message without its sign-off, and the sign-off goes back on the
last subtask, so an agent still reads the name and an id in a signature ("Claire / CUS-1031").

Only lines of their own are taken, and only when they ask nothing ("Thanks, and please close
TCK-1 too" stays in the message). The greeting line ("Hi analytics folks,") is left in: taken
off the same way, it let the cutter cut a sentence of context under it into a part for a
person (demo-team-dev lost a one-part email; see `graph/planner/segmenting.py`).
"""

from __future__ import annotations

import re

from ringmaster.graph.planner.no_ask import asks_something

_CLOSING = re.compile(
    r"^\s*(?:thanks|thank\s+you|many\s+thanks|thx|cheers|best|regards|kind\s+regards|"
    r"best\s+regards|warm\s+regards|warmest\s+regards|best\s+wishes|all\s+the\s+best|"
    r"sincerely|yours\s+(?:sincerely|faithfully|truly)|respectfully|speak\s+soon|talk\s+soon)"
    r"\b[^\n]{0,30}$",
    re.IGNORECASE,
)
# A signature is a few short lines: name, title, company, an account id.
_SIGNATURE_LINES = 4
_SIGNATURE_CHARS = 60


def sign_off(text: str) -> tuple[str, str]:
    """`text` without its sign-off block, and the block ("" and `text` when there is none)."""
    lines = text.strip().splitlines()
    for i in range(len(lines) - 1, max(0, len(lines) - 1 - _SIGNATURE_LINES), -1):
        if _CLOSING.match(lines[i]):
            block = lines[i:]
            body = "\n".join(lines[:i]).strip()
            short = all(len(ln) <= _SIGNATURE_CHARS for ln in block)
            if body and short and not asks_something("\n".join(block)):
                return body, "\n".join(block).strip()
            break
        if len(lines[i]) > _SIGNATURE_CHARS:
            break
    return text.strip(), ""
