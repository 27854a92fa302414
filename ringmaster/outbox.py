"""The outbox sender: delivers every notification row (escalations, stuck runs, summaries).

A row is written `queued` in the same transaction as what it reports (review_queue.notify).
`Outbox.send_due()` leases due rows one at a time with a conditional update, so two senders
(the scheduler in `ringmaster serve` and `ringmaster outbox send` from cron) never deliver a
row twice; a lease that outlives a crashed sender expires and the row is taken again, which
makes delivery at-least-once across crashes: every webhook carries the row id in
`X-Ringmaster-Delivery` so that a receiver can drop the duplicate.

Within one pass a transient failure (a network error, 429, 5xx, an SMTP 4xx) is retried by
tenacity with exponential backoff; after the pass's tries the row is `retrying` with a
`next_attempt_at`, and past `max_attempts` in all it is `failed`. A permanent failure (a
4xx answer, a refused redirect, a bad address) fails the row at once.

Channels: `webhook` (recipient: the URL), `email` (recipient: addresses) and `outbox` (the
recipient is a group; it goes to the configured default destination).
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import ipaddress
import json
import smtplib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import httpx
from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import Engine
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from ringmaster.clock import Clock, as_utc, utcnow
from ringmaster.errors import ConfigError
from ringmaster.tables import notifications, writer

SIGNATURE_HEADER = "X-Ringmaster-Signature"
TIMESTAMP_HEADER = "X-Ringmaster-Timestamp"
DELIVERY_HEADER = "X-Ringmaster-Delivery"
PENDING = ("queued", "retrying")
STATES = ("queued", "retrying", "delivered", "failed", "sent")


class DeliveryError(Exception):
    """A delivery did not happen; `transient` says whether trying again may help."""

    transient = True


class PermanentError(DeliveryError):
    """Trying again will not help (a 4xx, a refused redirect, a bad address)."""

    transient = False


class Transport(Protocol):
    """One channel: delivers `payload` to `recipient` or raises DeliveryError."""

    def send(self, recipient: str, payload: dict[str, Any], delivery_id: str) -> None: ...


def text_of(payload: dict[str, Any]) -> str:
    """A one-glance line for chat and a subject for mail."""
    if payload.get("text"):
        return str(payload["text"])
    if "item_id" in payload:  # an escalation packet (ringmaster/escalation.py)
        who = payload.get("agent") or "a person"
        return (
            f"Escalated review {payload['item_id']} ({payload.get('kind')}, {who}): "
            f"{payload.get('blocker') or 'needs a decision'}; {payload.get('link', '')}"
        ).strip("; ")
    return json.dumps(payload, default=str)[:300]


def check_webhook_url(url: str) -> str:
    """The URL if it may be posted to: https, or http to this machine only."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url
    if parts.scheme == "http" and _is_loopback(host):
        return url
    raise PermanentError(f"webhook {url!r} must be https (http only to localhost)")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header's value: `v1=` HMAC-SHA-256 over `v1:{timestamp}:{body}`."""
    mac = hmac.new(secret, b"v1:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify_signature(secret: bytes, timestamp: str, body: bytes, signature: str) -> bool:
    """For receivers: whether `signature` is this body's, signed with `secret`."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookTransport:
    """Slack-compatible JSON (`text` plus the full `ringmaster` payload), signed when a secret
    is set; redirects are followed only within the same host."""

    def __init__(
        self,
        secret: bytes | None = None,
        *,
        client: httpx.Client | None = None,
        timeout: float = 10.0,
        clock: Clock = utcnow,
        max_redirects: int = 3,
    ) -> None:
        self.secret = secret
        self.client = client or httpx.Client(timeout=timeout, follow_redirects=False)
        self.clock = clock
        self.max_redirects = max_redirects

    def send(self, recipient: str, payload: dict[str, Any], delivery_id: str) -> None:
        url = check_webhook_url(recipient)
        body = json.dumps({"text": text_of(payload), "ringmaster": payload}, default=str).encode()
        headers = {"Content-Type": "application/json", DELIVERY_HEADER: delivery_id}
        if self.secret:
            ts = str(int(self.clock().timestamp()))
            headers[TIMESTAMP_HEADER] = ts
            headers[SIGNATURE_HEADER] = sign(self.secret, ts, body)
        host = urlsplit(url).hostname
        for _ in range(self.max_redirects + 1):
            try:
                response = self.client.post(url, content=body, headers=headers)
            except httpx.TransportError as exc:
                raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
            if response.is_redirect:
                target = urljoin(url, response.headers.get("location", ""))
                if urlsplit(target).hostname != host:
                    raise PermanentError(f"redirect to another host refused: {target}")
                url = check_webhook_url(target)
                continue
            if response.is_success:
                return
            error = f"webhook answered {response.status_code}"
            if response.status_code == 429 or response.status_code >= 500:
                raise DeliveryError(error)
            raise PermanentError(error)
        raise PermanentError(f"more than {self.max_redirects} redirects")


class EmailTransport:
    """Plain-text mail over SMTP (smtplib), STARTTLS and login when configured."""

    def __init__(
        self,
        host: str,
        port: int = 25,
        sender: str = "ringmaster@localhost",
        *,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.username, self.password = starttls, username, password
        self.timeout = timeout

    def send(self, recipient: str, payload: dict[str, Any], delivery_id: str) -> None:
        to = [a.strip() for a in recipient.split(",") if a.strip()]
        if not to or any("@" not in a for a in to):
            raise PermanentError(f"not an email address: {recipient!r}")
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(to)
        msg["Subject"] = str(payload.get("subject") or text_of(payload))[:150]
        msg["X-Ringmaster-Delivery"] = delivery_id
        msg.set_content(
            str(payload.get("body") or text_of(payload))
            + "\n\n"
            + json.dumps(payload, indent=2, default=str)
        )
        if payload.get("html"):
            msg.add_alternative(str(payload["html"]), subtype="html")
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"recipients refused: {list(exc.recipients)}") from exc
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise PermanentError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
            raise DeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


@dataclass(frozen=True)
class OutboxRow:
    id: int
    created_at: datetime
    item_id: str
    thread_id: str
    channel: str
    recipient: str
    payload: dict[str, Any]
    status: str
    attempts: int
    error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        for k in ("created_at", "next_attempt_at", "delivered_at"):
            d[k] = d[k].isoformat() if d[k] else None
        return d


def _row(r: Any) -> OutboxRow:
    m = r._mapping
    return OutboxRow(
        id=m["id"],
        created_at=as_utc(m["created_at"]),  # type: ignore[arg-type]
        item_id=m["item_id"],
        thread_id=m["thread_id"],
        channel=m["channel"],
        recipient=m["recipient"],
        payload=m["payload"],
        status=m["status"],
        attempts=m["attempts"] or 0,
        error=m["error"],
        next_attempt_at=as_utc(m["next_attempt_at"]),
        delivered_at=as_utc(m["delivered_at"]),
    )


@dataclass
class SendReport:
    delivered: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # no destination for the channel

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def line(self) -> str:
        """The pass in words, as every command that sends says it."""
        return (
            f"delivered {len(self.delivered)}, retrying {len(self.retrying)}, "
            f"failed {len(self.failed)}, no destination {len(self.skipped)}"
        )


@dataclass(frozen=True)
class Destination:
    """Where `outbox` rows (addressed to a group) go: a channel and its recipient."""

    channel: str
    recipient: str


class Outbox:
    """Lists, adds and delivers notification rows; any SQLAlchemy engine (SQLite, Postgres)."""

    def __init__(
        self,
        engine: Engine,
        transports: dict[str, Transport],
        *,
        clock: Clock = utcnow,
        default: list[Destination] | None = None,
        max_attempts: int = 6,
        tries_per_pass: int = 3,
        backoff_seconds: float = 2.0,
        lease_seconds: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        owner: str | None = None,
    ) -> None:
        self.engine = engine
        self.writer = writer(engine)
        self.transports = transports
        self.clock = clock
        self.default = default or []
        self.max_attempts = max_attempts
        self.tries_per_pass = tries_per_pass
        self.backoff = backoff_seconds
        self.lease = timedelta(seconds=lease_seconds)
        self.sleep = sleep
        self.owner = owner or uuid.uuid4().hex[:16]

    # -- rows ------------------------------------------------------------------------------
    def add(
        self,
        channel: str,
        recipient: str,
        payload: dict[str, Any],
        *,
        item_id: str,
        thread_id: str = "",
    ) -> int:
        """Queue one notification; returns its row id."""
        with self.writer.begin() as conn:
            result = conn.execute(
                notifications.insert().values(
                    created_at=self.clock(),
                    item_id=item_id,
                    thread_id=thread_id,
                    channel=channel,
                    recipient=recipient,
                    payload=payload,
                    status="queued",
                    attempts=0,
                )
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def get(self, row_id: int) -> OutboxRow:
        with self.engine.connect() as conn:
            r = conn.execute(select(notifications).where(notifications.c.id == row_id)).first()
        if r is None:
            from ringmaster.errors import NotFound

            raise NotFound(f"no outbox row {row_id}")
        return _row(r)

    def list(self, status: str | None = None, limit: int = 50) -> builtins.list[OutboxRow]:
        """Newest first; `status` filters (queued, retrying, delivered, failed)."""
        q = select(notifications).order_by(notifications.c.id.desc()).limit(limit)
        if status:
            if status not in STATES:
                raise ConfigError(f"unknown outbox status {status!r}; one of {', '.join(STATES)}")
            q = q.where(notifications.c.status == status)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(q)]

    def counts(self) -> dict[str, int]:
        q = select(notifications.c.status, func.count()).group_by(notifications.c.status)
        with self.engine.connect() as conn:
            return {s: int(n) for s, n in conn.execute(q)}

    def retry(self, row_id: int) -> None:
        """Put a failed row back in the queue (a person fixed the destination)."""
        with self.writer.begin() as conn:
            conn.execute(
                update(notifications)
                .where(notifications.c.id == row_id, notifications.c.status == "failed")
                .values(status="queued", attempts=0, next_attempt_at=None, error=None)
            )

    # -- delivery --------------------------------------------------------------------------
    def _due_ids(self, now: datetime, limit: int) -> builtins.list[int]:
        c = notifications.c
        q = (
            select(c.id)
            .where(
                c.status.in_(PENDING),
                or_(c.next_attempt_at.is_(None), c.next_attempt_at <= now),
                or_(c.lease_until.is_(None), c.lease_until < now),
            )
            .order_by(c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(q)]

    def _claim(self, row_id: int, now: datetime) -> OutboxRow | None:
        c = notifications.c
        with self.writer.begin() as conn:
            won = conn.execute(
                update(notifications)
                .where(
                    c.id == row_id,
                    c.status.in_(PENDING),
                    or_(c.lease_until.is_(None), c.lease_until < now),
                )
                .values(lease_owner=self.owner, lease_until=now + self.lease)
            ).rowcount
            if not won:
                return None
            return _row(conn.execute(select(notifications).where(c.id == row_id)).one())

    def _finish(self, row_id: int, **values: Any) -> None:
        c = notifications.c
        with self.writer.begin() as conn:
            conn.execute(
                update(notifications)
                .where(c.id == row_id, c.lease_owner == self.owner)
                .values(lease_owner=None, lease_until=None, **values)
            )

    def _destinations(self, row: OutboxRow) -> builtins.list[Destination]:
        if row.channel == "outbox":
            return self.default
        return [Destination(row.channel, row.recipient)]

    def send_due(self, limit: int = 100) -> SendReport:
        """Deliver every due row this sender can lease; each ends delivered, retrying or failed."""
        report = SendReport()
        for row_id in self._due_ids(self.clock(), limit):
            row = self._claim(row_id, self.clock())
            if row is not None:
                self._deliver(row, report)
        return report

    def _deliver(self, row: OutboxRow, report: SendReport) -> None:
        destinations = [d for d in self._destinations(row) if d.channel in self.transports]
        if not destinations:
            report.skipped.append(row.id)
            self._finish(row.id, error=_nowhere(row.channel))
            return
        tries = 0
        done: set[Destination] = set()  # within a pass, a destination that took it is not re-sent

        def attempt() -> None:
            nonlocal tries
            tries += 1
            for d in destinations:
                if d not in done:
                    self.transports[d.channel].send(d.recipient, row.payload, str(row.id))
                    done.add(d)

        budget = max(1, min(self.tries_per_pass, self.max_attempts - row.attempts))
        try:
            for try_ in Retrying(
                stop=stop_after_attempt(budget),
                wait=wait_exponential(multiplier=self.backoff, max=60),
                retry=retry_if_exception(lambda e: isinstance(e, DeliveryError) and e.transient),
                sleep=self.sleep,
                reraise=True,
            ):
                with try_:
                    attempt()
        except DeliveryError as exc:
            attempts = row.attempts + tries
            if exc.transient and attempts < self.max_attempts:
                wait = timedelta(seconds=self.backoff * 2**attempts)
                self._finish(
                    row.id,
                    status="retrying",
                    attempts=attempts,
                    error=str(exc),
                    next_attempt_at=self.clock() + wait,
                )
                report.retrying.append(row.id)
            else:
                self._finish(
                    row.id,
                    status="failed",
                    attempts=attempts,
                    error=str(exc),
                    next_attempt_at=None,  # no try is due: `outbox retry` queues it again
                )
                report.failed.append(row.id)
            return
        self._finish(
            row.id,
            status="delivered",
            attempts=row.attempts + tries,
            error=None,
            delivered_at=self.clock(),
            next_attempt_at=None,
        )
        report.delivered.append(row.id)


def _nowhere(channel: str) -> str:
    """Why a row has no destination, naming the settings `outbox_from_settings` reads."""
    if channel == "outbox":
        return (
            "no destination configured for group notifications: set "
            "RINGMASTER_NOTIFY_WEBHOOK_URL, or RINGMASTER_SMTP_HOST with RINGMASTER_NOTIFY_EMAIL_TO"
        )
    if channel == "email":
        return "no email server configured: set RINGMASTER_SMTP_HOST"
    return f"no destination configured for channel {channel!r}"


def outbox_from_settings(engine: Engine, settings: Any, clock: Clock = utcnow) -> Outbox:
    """The sender configured by RINGMASTER_NOTIFY_* and RINGMASTER_SMTP_* settings."""
    transports: dict[str, Transport] = {}
    default: list[Destination] = []
    secret = settings.notify_webhook_secret
    transports["webhook"] = WebhookTransport(
        secret.get_secret_value().encode() if secret else None, clock=clock
    )
    if settings.notify_webhook_url:
        try:
            check_webhook_url(settings.notify_webhook_url)
        except PermanentError as exc:
            raise ConfigError(f"RINGMASTER_NOTIFY_WEBHOOK_URL: {exc}") from None
        default.append(Destination("webhook", settings.notify_webhook_url))
    if settings.smtp_host:
        password = settings.smtp_password
        transports["email"] = EmailTransport(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=password.get_secret_value() if password else None,
        )
        if settings.notify_email_to:
            default.append(Destination("email", settings.notify_email_to))
    return Outbox(
        engine,
        transports,
        clock=clock,
        default=default,
        max_attempts=settings.outbox_max_attempts,
        backoff_seconds=settings.outbox_backoff_seconds,
    )
