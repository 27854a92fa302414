"""Half A and half B of a mutation benchmark's cases.

Each mutation benchmark (`ambiguity_mutations`, `reference_forms`, `envelope_mutations`,
`join_mutations`) puts its sources, and where it applies its templates or connectors, in half A
(fixes are read and made from it) or half B (a transfer check, read in totals only). The half is
fixed by the SHA-256 of a key the benchmark chooses, so it is no one's choice and blind to the
words. Each benchmark keeps its own key (a row's text; a turn's split, conversation and index):
changing one would move cases between halves that have been read.
"""

from __future__ import annotations

import hashlib

HALVES = ("A", "B")


def half_of(key: str) -> str:
    """ "A" or "B" by the first byte of the SHA-256 of `key`."""
    return HALVES[hashlib.sha256(key.encode()).digest()[0] % 2]
