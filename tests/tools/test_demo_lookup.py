"""The resolver's record look-ups on the demo database: owners and describing words."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

from ringmaster.tools.demo import ensure_demo_db
from ringmaster.tools.demo.lookup import demo_lookup, demo_records


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


def test_a_record_says_whose_it_is_and_whether_it_is_finished(tmp_path: Path) -> None:
    lookup = demo_lookup(ensure_demo_db(tmp_path / "demo.db"))
    open_ticket, closed_ticket = lookup("TCK-1001"), lookup("TCK-1004")
    assert open_ticket is not None and closed_ticket is not None
    assert not open_ticket.done and closed_ticket.done  # TCK-1004 is closed in the demo data
    # "the one for Maria", "the Lopez one": the owner's name and company describe it too.
    assert {"Maria", "Lopez"} <= set(open_ticket.words.split())
    resolved = lookup("INC-1001")
    assert resolved is not None and resolved.done
    customer = lookup("CUS-1001")
    assert customer is not None and not customer.done and "TCK-1001" in customer.owns


def test_a_record_is_described_by_what_people_call_it_for_short(tmp_path: Path) -> None:
    lookup = demo_lookup(ensure_demo_db(tmp_path / "demo.db"))
    two_factor, saml = lookup("TCK-1058"), lookup("TCK-1003")  # "Two-factor code …", "… SAML …"
    assert two_factor is not None and "2fa" in two_factor.words.split()
    assert saml is not None and "sso" in saml.words.split()
    password = lookup("TCK-1001")
    assert password is not None and not {"2fa", "sso"} & set(password.words.split())
    assert "login" in password.words.split()  # "Cannot log in …" is "the login one"


def test_a_short_name_is_matched_as_a_word_not_inside_one() -> None:
    from ringmaster.tools.demo.lookup import _words

    assert "saml" in _words({"title": "SSO login loop"}, ("title",)).split()  # type: ignore[arg-type]
    for text in ("payment processor down", "refund of 1502.00"):
        words = _words({"title": text}, ("title",)).split()  # type: ignore[arg-type]
        assert not {"saml", "5xx"} & set(words), text


def test_a_record_is_described_by_its_month_its_version_and_its_amount(tmp_path: Path) -> None:
    lookup = demo_lookup(ensure_demo_db(tmp_path / "demo.db"))
    june, rc = lookup("DEP-1032"), lookup("DEP-1033")  # api 2.14.0 (June 14), 2.15.0-rc1
    assert june is not None and "June" in june.words.split()
    assert "2025-06-14T09:30:00+00:00" not in june.words  # a timestamp describes nothing
    assert rc is not None and "rc" in rc.words.split()
    big, small = lookup("INV-1207"), lookup("INV-1208")  # 499.00 and 299.00
    assert big is not None and small is not None and big.amount == Decimal("499.00")
    assert small.amount == Decimal("299.00") and lookup("TCK-1001").amount is None  # type: ignore[union-attr]


def test_an_unpaid_invoice_is_also_outstanding_a_paid_one_is_not(tmp_path: Path) -> None:
    # "the customer's other outstanding invoice": what finance staff call an unpaid one.
    lookup = demo_lookup(ensure_demo_db(tmp_path / "demo.db"))
    unpaid, paid = lookup("INV-1223"), lookup("INV-1176")  # Greta Fischer's June and May
    assert unpaid is not None and {"outstanding", "overdue"} <= set(unpaid.words.split())
    assert paid is not None and "outstanding" not in paid.words.split()
    # "is she behind on any invoices?": a customer is behind on an unpaid one only.
    assert "behind" in unpaid.words.split() and "behind" not in paid.words.split()


def test_a_pending_ticket_is_open_too_a_closed_one_is_not(tmp_path: Path) -> None:
    # "what's still open on his account?" lists his pending ticket too (support), so "open"
    # does not single out the one in status open among them.
    db = ensure_demo_db(tmp_path / "demo.db")
    lookup = demo_lookup(db)
    with sqlite3.connect(db) as conn:
        by_status = dict(conn.execute("SELECT status, MIN(id) FROM tickets GROUP BY status"))
    for status, said in (("open", True), ("pending", True), ("closed", False)):
        ticket = lookup(by_status[status])
        assert ticket is not None and ("open" in ticket.words.split()) is said, status


def test_every_record_of_a_prefix_is_listed_for_a_reply_that_describes_one(tmp_path: Path) -> None:
    records = demo_records(ensure_demo_db(tmp_path / "demo.db"))
    deployments = records("DEP")
    assert "DEP-1028" in deployments and deployments == sorted(deployments)
    assert all(d.startswith("DEP-") for d in deployments)
    assert records("dep") == deployments and records("XYZ") == []


def test_a_deployment_a_later_one_replaced_is_finished(tmp_path: Path) -> None:
    lookup = demo_lookup(ensure_demo_db(tmp_path / "demo.db"))
    replaced, running = lookup("DEP-1021"), lookup("DEP-1025")  # web staging 3.8.0, 3.8.1
    assert replaced is not None and running is not None
    assert replaced.done and not running.done


def test_a_deployment_a_later_failed_one_did_not_replace_still_runs(tmp_path: Path) -> None:
    """A later deployment of the same service and environment replaces the one before only if
    it went out: a failed one replaced nothing, so the running one is not done."""
    import sqlite3

    db = ensure_demo_db(tmp_path / "demo.db")
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        last = conn.execute("SELECT * FROM deployments ORDER BY id DESC LIMIT 1").fetchone()
        running = last["id"]
        assert last["status"] == "succeeded"
        later = dict(last) | {"id": "DEP-9001", "status": "failed"}
        conn.execute(
            f"INSERT INTO deployments VALUES ({', '.join('?' * len(later))})",  # noqa: S608
            tuple(later.values()),
        )
    found = demo_lookup(db)(running)
    assert found is not None and not found.done, running


def test_a_customer_says_how_they_are_referred_to(tmp_path: Path) -> None:
    lookup = demo_lookup(ensure_demo_db(tmp_path / "demo.db"))
    aisha, james = lookup("CUS-1003"), lookup("CUS-1002")
    assert aisha is not None and aisha.title == "Aisha Khan" and aisha.pronouns == "she"
    assert james is not None and james.title == "James Chen" and james.pronouns == "he"
    ticket = lookup("TCK-1001")
    assert ticket is not None and ticket.pronouns == ""  # only people keep pronouns


def test_a_database_built_before_pronouns_were_kept_says_none(tmp_path: Path) -> None:
    db = ensure_demo_db(tmp_path / "demo.db")
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE customers DROP COLUMN pronouns")
    customer = demo_lookup(db)("CUS-1003")
    assert customer is not None and customer.title == "Aisha Khan" and customer.pronouns == ""


def test_an_incident_is_tied_to_the_deployment_it_began_under(tmp_path: Path) -> None:
    # "roll back the deploy that caused it": the api release the open incident began after,
    # as the ops skill finds the deployment behind an incident.
    lookup = demo_lookup(ensure_demo_db(tmp_path / "demo.db"))
    incident, alert, deployment = lookup("INC-1012"), lookup("ALT-1041"), lookup("DEP-1032")
    assert incident is not None and incident.behind == ("DEP-1032",)
    assert alert is not None and alert.behind == ()  # an alert fires on its own
    assert deployment is not None and deployment.behind == ()


def test_an_invoice_nothing_was_paid_on_is_no_refunds(tmp_path: Path) -> None:
    # INV-1102 is unpaid; INV-1008 was paid; INV-1157 was refunded in full (its status says so).
    lookup = demo_lookup(ensure_demo_db(tmp_path / "demo.db"))
    unpaid, paid, refunded = lookup("INV-1102"), lookup("INV-1008"), lookup("INV-1157")
    assert unpaid is not None and unpaid.cannot == (("refund", "has not been paid"),)
    assert paid is not None and paid.cannot == ()
    assert refunded is not None and refunded.cannot == () and "refunded" in refunded.words
