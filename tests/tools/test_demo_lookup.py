"""The resolver's record look-ups on the demo database: owners and describing words."""

from __future__ import annotations

from pathlib import Path

from ringmaster.tools.demo import ensure_demo_db
from ringmaster.tools.demo.lookup import demo_lookup


def test_a_records_owner_and_words_come_from_the_demo_database(tmp_path: Path) -> None:
    lookup = demo_lookup(ensure_demo_db(tmp_path / "demo.db"))
    ticket = lookup("TCK-1001")
    assert ticket is not None and ticket.owner == "CUS-1001"
    assert "password reset" in ticket.words
    june = lookup("inv-1190")  # ids are looked up as written in any case
    assert june is not None and june.owner == "CUS-1002" and "June" in june.words.split()
    deployment = lookup("DEP-1032")
    assert deployment is not None and deployment.owner is None
    assert {"api", "production"} <= set(deployment.words.split())
    assert lookup("TCK-9999") is None and lookup("XYZ-1001") is None
