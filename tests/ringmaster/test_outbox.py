"""The outbox sender against a real local webhook server and a real local SMTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest

from ringmaster.outbox import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Destination,
    EmailTransport,
    Outbox,
    PermanentError,
    WebhookTransport,
    check_webhook_url,
    verify_signature,
)
from ringmaster.tables import make_engine
from tests.ringmaster.webhook import Hook

START = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
SECRET = b"s3cret"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def engine(tmp_path: Path, db_url: str | None) -> Iterator[Any]:
    url = db_url.replace("postgresql://", "postgresql+psycopg://") if db_url else None
    engine = make_engine(url or f"sqlite:///{tmp_path / 'app.db'}")
    yield engine
    engine.dispose()


def make_outbox(engine: Any, clock: Clock, **kw: Any) -> tuple[Outbox, list[float]]:
    waits: list[float] = []
    transports = kw.pop("transports", None) or {"webhook": WebhookTransport(SECRET, clock=clock)}
    box = Outbox(engine, transports, clock=clock, sleep=waits.append, **kw)
    return box, waits


PACKET = {"item_id": "it-1", "kind": "approval", "agent": "legal", "blocker": "needs a person"}


def test_fails_twice_then_delivered_on_third_try_exactly_once(engine: Any) -> None:
    clock = Clock()
    box, waits = make_outbox(engine, clock, tries_per_pass=1, backoff_seconds=2.0)
    with Hook([503, 500]) as hook:
        row_id = box.add("webhook", hook.url, PACKET, item_id="it-1", thread_id="t-1")
        first = box.send_due()
        assert first.retrying == [row_id]
        row = box.get(row_id)
        assert (row.status, row.attempts, row.error) == ("retrying", 1, "webhook answered 503")
        assert row.next_attempt_at == START + timedelta(seconds=4)
        assert box.send_due().to_dict() == {  # not due yet: nothing is tried
            "delivered": [],
            "retrying": [],
            "failed": [],
            "skipped": [],
        }
        clock.now = row.next_attempt_at
        assert box.send_due().retrying == [row_id]
        assert box.get(row_id).attempts == 2
        clock.now += timedelta(hours=1)
        assert box.send_due().delivered == [row_id]
        clock.now += timedelta(hours=1)
        assert box.send_due().delivered == []  # a delivered row is never sent again
        assert [s for s, _, _ in hook.requests] == [503, 500, 200]
        assert len(hook.delivered) == 1
    row = box.get(row_id)
    assert (row.status, row.attempts, row.error) == ("delivered", 3, None)
    assert row.delivered_at == START + timedelta(hours=1, seconds=4)
    assert waits == []  # one try per pass: the backoff was the row's next_attempt_at


def test_retries_within_a_pass_back_off_and_sign_every_body(engine: Any) -> None:
    clock = Clock()
    box, waits = make_outbox(engine, clock, tries_per_pass=3, backoff_seconds=1.0)
    with Hook([429, 502]) as hook:
        row_id = box.add("webhook", hook.url, PACKET, item_id="it-1")
        assert box.send_due().delivered == [row_id]
    assert len(waits) == 2 and waits[1] > waits[0] > 0  # exponential backoff between tries
    assert box.get(row_id).attempts == 3
    status, headers, body = hook.requests[-1]
    assert status == 200
    assert headers[DELIVERY_HEADER] == str(row_id)
    ts, sig = headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER]
    assert verify_signature(SECRET, ts, body, sig)
    assert not verify_signature(b"other", ts, body, sig)
    assert not verify_signature(SECRET, ts, body + b" ", sig)
    sent = json.loads(body)
    assert "it-1" in sent["text"] and sent["ringmaster"] == PACKET  # Slack's `text` field


def test_a_4xx_fails_at_once_and_attempts_run_out(engine: Any) -> None:
    clock = Clock()
    box, _ = make_outbox(engine, clock, tries_per_pass=2, max_attempts=3)
    with Hook([404, 503, 503, 503, 503]) as hook:
        bad = box.add("webhook", hook.url, PACKET, item_id="a")
        assert box.send_due().failed == [bad]
        assert box.get(bad).error == "webhook answered 404"
        flaky = box.add("webhook", hook.url, PACKET, item_id="b")
        assert box.send_due().retrying == [flaky]  # two tries this pass
        clock.now += timedelta(hours=1)
        assert box.send_due().failed == [flaky]  # the third and last
        assert len(hook.requests) == 4
    assert box.get(flaky).attempts == 3
    # A failed row is tried no more: no "next try" left from its retrying pass (the outbox
    # list, GET /outbox and /ui/outbox showed one).
    assert box.get(flaky).next_attempt_at is None
    assert box.counts() == {"failed": 2}
    box.retry(flaky)
    assert box.get(flaky).status == "queued"


def test_redirect_to_another_host_is_refused(engine: Any) -> None:
    clock = Clock()
    box, _ = make_outbox(engine, clock)
    with Hook([], redirect_to="http://localhost:1/elsewhere") as hook:
        row_id = box.add("webhook", hook.url, PACKET, item_id="a")
        assert box.send_due().failed == [row_id]
        assert len(hook.requests) == 1
    assert "another host" in (box.get(row_id).error or "")


def test_only_https_or_loopback() -> None:
    assert check_webhook_url("https://hooks.slack.com/x")
    assert check_webhook_url("http://127.0.0.1:9/x")
    assert check_webhook_url("http://localhost/x")
    assert check_webhook_url("http://[::1]:8/x")
    for bad in ("http://example.com/x", "ftp://127.0.0.1/x", "http://10.0.0.1/x"):
        with pytest.raises(PermanentError):
            check_webhook_url(bad)


def test_two_senders_never_deliver_a_row_twice(engine: Any) -> None:
    clock = Clock()
    a, _ = make_outbox(engine, clock)
    b, _ = make_outbox(engine, clock)
    with Hook([]) as hook:
        ids = [a.add("webhook", hook.url, PACKET, item_id=f"i{n}") for n in range(6)]
        claimed = a._claim(ids[0], clock())
        assert claimed is not None
        assert b._claim(ids[0], clock()) is None  # leased by a
        reports: list[Any] = []
        threads = [
            threading.Thread(target=lambda s=s: reports.append(s.send_due())) for s in (a, b)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        delivered = sorted(i for r in reports for i in r.delivered)
        assert delivered == ids[1:]  # ids[0] is still leased by a's claim above
        assert len(hook.delivered) == 5
        clock.now += timedelta(minutes=5)  # the lease expired: anyone may take it
        assert b.send_due().delivered == [ids[0]]
        assert len(hook.delivered) == 6


def test_group_rows_go_to_the_default_destination_or_wait(engine: Any) -> None:
    clock = Clock()
    box, _ = make_outbox(engine, clock)
    row_id = box.add("outbox", "oncall", PACKET, item_id="a")
    assert box.send_due().skipped == [row_id]
    assert box.get(row_id).status == "queued"  # kept for when a destination is configured
    with Hook([]) as hook:
        box.default = [Destination("webhook", hook.url)]
        assert box.send_due().delivered == [row_id]
        assert len(hook.delivered) == 1


def test_a_row_with_nowhere_to_go_names_the_settings_to_set(engine: Any) -> None:
    """It said "no destination configured for channel 'outbox'", naming no setting."""
    box, _ = make_outbox(engine, Clock())
    group = box.add("outbox", "oncall", PACKET, item_id="a")
    mail = box.add("email", "ops@example.org", PACKET, item_id="b")
    assert sorted(box.send_due().skipped) == sorted([group, mail])
    assert box.get(group).error == (
        "no destination configured for group notifications: set "
        "RINGMASTER_NOTIFY_WEBHOOK_URL, or RINGMASTER_SMTP_HOST with RINGMASTER_NOTIFY_EMAIL_TO"
    )
    assert box.get(mail).error == "no email server configured: set RINGMASTER_SMTP_HOST"


class Inbox:
    """aiosmtpd handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


def smtp_controller(handler: Any) -> Any:
    """aiosmtpd's Controller listening on a port the system picks as it binds, so that no
    other process (another xdist worker's server) can take the port first. aiosmtpd has no
    `port=0` (its start-up check connects to `port`): the subclass binds port 0 in the
    server-creating hook its base class leaves to subclasses, and keeps the port it got."""
    from aiosmtpd.controller import Controller

    class FreePortController(Controller):
        def _create_server(self) -> Any:
            async def bind() -> Any:
                server = await self.loop.create_server(
                    self._factory_invoker, host=self.hostname, port=0
                )
                self.port = server.sockets[0].getsockname()[1]
                return server

            return bind()

    return FreePortController(handler, hostname="127.0.0.1", port=0)


def test_an_email_reaches_a_local_smtp_server(engine: Any) -> None:
    inbox = Inbox()
    controller = smtp_controller(inbox)
    controller.start()
    port = controller.port
    try:
        clock = Clock()
        transports: dict[str, Any] = {"email": EmailTransport("127.0.0.1", port, "rm@example.org")}
        box, _ = make_outbox(engine, clock, transports=transports)
        summary = {"subject": "ringmaster: summary", "text": "3 processed", "html": "<p>3</p>"}
        row_id = box.add("email", "ops@example.org, lead@example.org", summary, item_id="s")
        assert box.send_due().delivered == [row_id]
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    envelope = inbox.messages[0]
    assert envelope.rcpt_tos == ["ops@example.org", "lead@example.org"]
    msg = message_from_bytes(envelope.content)
    assert msg["Subject"] == "ringmaster: summary"
    assert msg["X-Ringmaster-Delivery"] == str(row_id)
    assert box.get(row_id).status == "delivered"


def test_a_dead_smtp_server_is_retried(engine: Any) -> None:
    clock = Clock()
    transports: dict[str, Any] = {"email": EmailTransport("127.0.0.1", 1, timeout=2)}
    box, _ = make_outbox(engine, clock, transports=transports, tries_per_pass=1)
    row_id = box.add("email", "ops@example.org", {"text": "hi"}, item_id="s")
    assert box.send_due().retrying == [row_id]
    bad = box.add("email", "not-an-address", {"text": "hi"}, item_id="s")
    assert box.send_due().failed == [bad]
