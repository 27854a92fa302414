"""The demo company's rows, generated from a fixed seed so every build is identical.

The first customers, tickets, invoices and the recent api release are written out by hand:
the team file's example requests and the tests name them. Everything else comes from one
`random.Random(SEED)`, drawn in a fixed order.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta

from ringmaster.tools.demo.db import iso
from ringmaster.tools.demo.documents import documents

SEED = 20250615
AS_OF = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
N_CUSTOMERS = 50
N_TICKETS = 150
INVOICE_MONTHS = [datetime(2025, m, 1, tzinfo=UTC) for m in (2, 3, 4, 5, 6)]

PLANS = [
    ("free", 0, 1, "Free: one user, community support."),
    ("starter", 2900, 3, "Starter: up to 3 users, email support."),
    ("pro", 9900, 10, "Pro: up to 10 users, SSO, priority support."),
    ("business", 29900, 50, "Business: up to 50 users, SAML SSO, audit log, 99.9% SLA."),
    ("enterprise", 99900, 500, "Enterprise: custom contract, DPA, 99.95% SLA, named manager."),
]
PRICE = {name: price for name, price, _, _ in PLANS}

# id, name, company, plan, status, created (the people the examples talk about)
FIXED_CUSTOMERS = [
    ("Maria Lopez", "Lopez Design Studio", "pro", "active", "2023-04-12T09:15:00"),
    ("James Chen", "Chen Analytics Ltd", "business", "active", "2023-06-02T14:40:00"),
    ("Aisha Khan", "Khan Bakery", "starter", "active", "2024-01-20T10:05:00"),
    ("Tom Becker", "Becker Logistics GmbH", "enterprise", "active", "2022-11-08T08:30:00"),
    ("Sofia Rossi", "Rossi & Figli", "pro", "active", "2024-03-15T16:20:00"),
    ("Liam Murphy", "Murphy Outdoor", "starter", "active", "2025-05-28T11:00:00"),
    ("Yuki Tanaka", "Tanaka Robotics KK", "business", "active", "2023-09-30T03:45:00"),
    ("Noah Schmidt", "Schmidt Consulting", "pro", "suspended", "2024-07-07T13:10:00"),
    ("Emma Dubois", "Atelier Dubois", "starter", "churned", "2023-02-14T15:55:00"),
    ("Omar Haddad", "Haddad Ventures", "enterprise", "active", "2022-08-19T07:25:00"),
]
FIRST = [
    "Olivia",
    "Lucas",
    "Chloe",
    "Mateo",
    "Hannah",
    "Arjun",
    "Freya",
    "Diego",
    "Ingrid",
    "Kwame",
    "Lena",
    "Marco",
    "Nadia",
    "Oscar",
    "Priya",
    "Rafael",
    "Sara",
    "Tariq",
    "Uma",
    "Victor",
    "Wendy",
    "Xavier",
    "Yara",
    "Zoe",
    "Ben",
    "Carla",
    "Daniel",
    "Elif",
    "Felix",
    "Greta",
]
# The pronouns each customer's record keeps, by first name (the CRM's "pronouns" field):
# "send him a reminder" after a man and a woman were named is the man.
PRONOUNS = {
    **dict.fromkeys(
        ["Maria", "Aisha", "Sofia", "Yuki", "Emma", "Olivia", "Chloe", "Hannah", "Freya"]
        + ["Ingrid", "Lena", "Nadia", "Priya", "Sara", "Uma", "Wendy", "Yara", "Zoe", "Carla"]
        + ["Elif", "Greta"],
        "she",
    ),
    **dict.fromkeys(
        ["James", "Tom", "Liam", "Noah", "Omar", "Lucas", "Mateo", "Arjun", "Diego", "Kwame"]
        + ["Marco", "Oscar", "Rafael", "Tariq", "Victor", "Xavier", "Ben", "Daniel", "Felix"],
        "he",
    ),
}
LAST = [
    "Andersen",
    "Barros",
    "Costa",
    "Novak",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Horvat",
    "Ito",
    "Jansen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rahman",
    "Silva",
    "Torres",
    "Ueda",
    "Varga",
    "Weber",
    "Yilmaz",
    "Zimmer",
    "Brennan",
    "Castillo",
]
COMPANY_WORDS = [
    "Labs",
    "Works",
    "Studio",
    "Partners",
    "Systems",
    "Group",
    "Co",
    "Digital",
    "Foods",
    "Health",
]
TICKET_SUBJECTS = [
    ("Cannot log in after password reset", "high"),
    ("Two-factor code not arriving", "high"),
    ("Account locked after too many attempts", "high"),
    ("SSO login fails with SAML error", "high"),
    ("Invite email never arrived", "normal"),
    ("How do I export my dashboards?", "low"),
    ("Question about my latest invoice", "normal"),
    ("Charged twice this month", "high"),
    ("API returns 502 errors", "urgent"),
    ("Webhook deliveries are delayed", "normal"),
    ("Dashboard loads slowly", "normal"),
    ("Feature request: dark mode", "low"),
    ("How do I rotate an API key?", "normal"),
    ("Need to add more seats", "normal"),
    ("Cannot upload CSV larger than 10 MB", "normal"),
    ("Report shows wrong totals", "high"),
    ("Change the billing email address", "low"),
    ("Mobile app crashes on start", "high"),
    ("Request to delete a user", "normal"),
    ("Rate limit reached unexpectedly", "high"),
]
ENGINEERS = ["dana.ops", "raj.patel", "kim.lee", "sam.ortiz"]
# Version history per service; staging gets each version a day before production.
RELEASES = {
    "api": ["2.12.0", "2.12.1", "2.13.0", "2.13.1", "2.13.2", "2.14.0"],
    "web": ["3.7.0", "3.7.1", "3.8.0", "3.8.1"],
    "billing-service": ["1.9.0", "1.9.1", "1.10.0"],
    "auth": ["4.2.0", "4.2.1", "4.3.0"],
}
HISTORY_START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
# service, title, severity, started, hours to resolve (None: still open)
INCIDENTS = [
    ("web", "Dashboard assets failing to load in eu-west", "sev3", "2025-03-11T08:20:00", 3),
    ("auth", "Password reset emails delayed", "sev3", "2025-03-24T13:05:00", 5),
    (
        "billing-service",
        "Invoice generation stuck for February run",
        "sev2",
        "2025-03-01T06:10:00",
        9,
    ),
    ("api", "Elevated latency after 2.13.0 release", "sev3", "2025-04-08T15:40:00", 2),
    ("auth", "SAML logins failing for some identity providers", "sev2", "2025-04-22T10:00:00", 6),
    ("web", "Full outage of the web app", "sev1", "2025-05-06T19:30:00", 1),
    ("api", "Webhook deliveries delayed by up to 30 minutes", "sev3", "2025-05-13T07:50:00", 4),
    (
        "billing-service",
        "Duplicate card charges on a subset of invoices",
        "sev2",
        "2025-02-03T11:30:00",
        26,
    ),
    ("web", "Failed deploy of web 3.8.0 left stale assets", "sev3", "2025-05-27T10:15:00", 2),
    ("auth", "Two-factor SMS delivery degraded in APAC", "sev3", "2025-06-03T02:40:00", 7),
    ("api", "Rate limiter rejecting valid requests", "sev2", "2025-06-09T16:00:00", 3),
    ("api", "Elevated 5xx error rate on api after 2.14.0", "sev2", "2025-06-14T10:05:00", None),
]
ALERT_NAMES = {
    "api": ["http_5xx_rate", "latency_p99", "rate_limit_rejections"],
    "web": ["asset_errors", "page_load_p95"],
    "billing-service": ["queue_depth", "job_failures"],
    "auth": ["login_failures", "sms_delivery_failures"],
}


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def populate(conn: sqlite3.Connection) -> None:
    """Insert every demo row; the caller holds the transaction."""
    rng = random.Random(SEED)
    conn.execute("INSERT INTO meta(key, value) VALUES ('as_of', ?)", (iso(AS_OF),))
    conn.execute("INSERT INTO meta(key, value) VALUES ('seed', ?)", (str(SEED),))
    conn.executemany("INSERT INTO plans VALUES (?, ?, ?, ?)", PLANS)
    customers = _customers(rng)
    conn.executemany(
        "INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
        [(*c, PRONOUNS.get(c[1].split()[0], "")) for c in customers],
    )
    conn.executemany(
        "INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _tickets(rng, customers)
    )
    invoices, payments, refunds = _billing(rng, customers)
    conn.executemany("INSERT INTO invoices VALUES (?, ?, ?, ?, ?, ?, ?, ?)", invoices)
    conn.executemany("INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", payments)
    conn.executemany("INSERT INTO refunds VALUES (?, ?, ?, ?, ?, ?)", refunds)
    conn.executemany(
        "INSERT INTO deployments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _deployments(rng)
    )
    conn.executemany("INSERT INTO incidents VALUES (?, ?, ?, ?, ?, ?, ?, ?)", _incidents())
    conn.executemany("INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?)", _alerts(rng))
    conn.executemany("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)", documents())


def _customers(rng: random.Random) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    used = {name for name, *_ in FIXED_CUSTOMERS}
    for i, (name, company, plan, status, created) in enumerate(FIXED_CUSTOMERS):
        email = name.lower().replace(" ", ".") + "@example.com"
        rows.append((f"CUS-{1001 + i}", name, email, company, plan, status, iso(_t(created))))
    plans = [
        "free",
        "starter",
        "starter",
        "pro",
        "pro",
        "pro",
        "business",
        "business",
        "enterprise",
    ]
    statuses = ["active"] * 16 + ["trial", "trial", "suspended", "churned", "churned"]
    while len(rows) < N_CUSTOMERS:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        if name in used:
            continue
        used.add(name)
        company = f"{last} {rng.choice(COMPANY_WORDS)}"
        joined = datetime(2022, 6, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(1_500_000))
        rows.append(
            (
                f"CUS-{1001 + len(rows)}",
                name,
                f"{first.lower()}.{last.lower()}@example.com",
                company,
                rng.choice(plans),
                rng.choice(statuses),
                iso(joined),
            )
        )
    return rows


def _tickets(rng: random.Random, customers: list[tuple[str, ...]]) -> list[tuple[str | None, ...]]:
    fixed = [
        (
            "CUS-1001",
            0,
            "open",
            "2025-06-13T08:12:00",
            "I reset my password but the new one is rejected.",
        ),
        (
            "CUS-1003",
            7,
            "open",
            "2025-06-11T17:45:00",
            "My card was charged twice for invoice INV-1003.",
        ),
        ("CUS-1002", 3, "pending", "2025-06-05T09:30:00", "Our IdP shows 'Invalid SAML response'."),
        (
            "CUS-1005",
            5,
            "closed",
            "2025-06-02T12:00:00",
            "Where is the export button for dashboards?",
        ),
        (
            "CUS-1007",
            8,
            "open",
            "2025-06-14T10:20:00",
            "Since this morning about 10% of calls return 502.",
        ),
    ]
    rows: list[tuple[str | None, ...]] = []
    for customer, subject_ix, state, opened, text in fixed:
        subject, priority = TICKET_SUBJECTS[subject_ix]
        closed = iso(_t(opened) + timedelta(hours=20)) if state == "closed" else None
        updated = closed or iso(_t(opened) + timedelta(hours=2))
        rows.append((customer, subject, text, state, priority, iso(_t(opened)), updated, closed))
    generated = []
    for _ in range(N_TICKETS - len(fixed)):
        customer = rng.choice(customers)[0]
        subject, priority = rng.choice(TICKET_SUBJECTS)
        if rng.random() < 0.25:
            priority = rng.choice(["low", "normal", "high", "urgent"])
        opened_at = AS_OF - timedelta(minutes=rng.randrange(90 * 24 * 60))
        age_days = (AS_OF - opened_at).days
        roll = rng.random()
        if age_days > 14:
            status = "closed" if roll < 0.8 else ("pending" if roll < 0.9 else "open")
        else:
            status = "open" if roll < 0.5 else ("pending" if roll < 0.75 else "closed")
        closed_at = None
        if status == "closed":
            closed_at = min(opened_at + timedelta(hours=rng.randrange(1, 120)), AS_OF)
        updated_at = closed_at or min(opened_at + timedelta(hours=rng.randrange(1, 48)), AS_OF)
        body = f"Customer wrote in: {subject.lower()}."
        generated.append(
            (customer, subject, body, status, priority, iso(opened_at), iso(updated_at),
             iso(closed_at) if closed_at else None)
        )  # fmt: skip
    generated.sort(key=lambda r: (r[5], r[0]))
    rows += generated
    return [(f"TCK-{1001 + i}", *row) for i, row in enumerate(rows)]


def _billing(
    rng: random.Random, customers: list[tuple[str, ...]]
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]:
    invoices: list[tuple[object, ...]] = []
    payments: list[tuple[object, ...]] = []
    refunds: list[tuple[object, ...]] = []
    brands = ["visa", "mastercard", "amex"]
    card = {c[0]: (rng.choice(brands), f"{rng.randrange(10_000):04d}") for c in customers}
    last_month = len(INVOICE_MONTHS) - 1
    for m, issued in enumerate(INVOICE_MONTHS):
        for cid, _name, _email, _company, plan, _status, _created in customers:
            if plan == "free":
                continue
            fixed = int(cid[4:]) <= 1000 + len(FIXED_CUSTOMERS)
            amount = PRICE[plan]
            if not fixed and plan in ("business", "enterprise") and rng.random() < 0.4:
                amount += rng.randrange(1, 60) * 500  # usage above the plan
            roll = rng.random()
            if cid == "CUS-1008" and m >= 2:
                status = "unpaid"  # why Noah Schmidt is suspended
            elif fixed and m == 0:
                status = "paid"
            elif m == last_month:
                status = "paid" if roll < 0.7 else "unpaid"
            else:
                status = "paid" if roll < 0.92 else ("unpaid" if roll < 0.95 else "refunded")
            inv_id = f"INV-{1001 + len(invoices)}"
            period = issued.strftime("%Y-%m")
            due = iso(issued + timedelta(days=14))
            invoices.append((inv_id, cid, amount, "USD", status, period, iso(issued), due))
            brand, last4 = card[cid]
            paid_at = issued + timedelta(days=rng.randrange(0, 10), hours=rng.randrange(24))
            if status in ("paid", "refunded"):
                times = 2 if inv_id == "INV-1003" else 1  # the double charge in the examples
                for k in range(times):
                    payments.append(
                        (cid, inv_id, amount, "card", brand, last4, "succeeded",
                         iso(paid_at + timedelta(minutes=3 * k)))
                    )  # fmt: skip
            elif rng.random() < 0.5:
                payments.append((cid, inv_id, amount, "card", brand, last4, "failed", iso(paid_at)))
            if status == "refunded":
                refunds.append(
                    (inv_id, cid, amount, "Refunded on customer request",
                     iso(paid_at + timedelta(days=rng.randrange(1, 10))))
                )  # fmt: skip
    payment_rows: list[tuple[object, ...]] = [
        (f"PAY-{1001 + i}", inv, cid, amt, method, brand, last4, st, at)
        for i, (cid, inv, amt, method, brand, last4, st, at) in enumerate(payments)
    ]
    refund_rows = [(f"RFD-{1001 + i}", *row) for i, row in enumerate(refunds)]
    return invoices, payment_rows, refund_rows


def _deployments(rng: random.Random) -> list[tuple[object, ...]]:
    rows: list[list[object]] = []
    for service, versions in RELEASES.items():
        span = (_t("2025-06-10T09:00:00") - HISTORY_START) / max(len(versions) - 1, 1)
        previous: dict[str, str | None] = {"staging": None, "production": None}
        for n, version in enumerate(versions):
            day = HISTORY_START + span * n + timedelta(minutes=rng.randrange(0, 240))
            if service == "api" and version == "2.14.0":
                day = _t("2025-06-13T09:30:00")  # the release behind the open incident
            for env, at in (("staging", day), ("production", day + timedelta(days=1))):
                failed = service == "web" and version == "3.8.0" and env == "production"
                rows.append(
                    [service, version, previous[env], env, "failed" if failed else "succeeded",
                     "release", rng.choice(ENGINEERS), iso(at)]
                )  # fmt: skip
                if not failed:
                    previous[env] = version
    rows.append(
        ["api", "2.15.0-rc1", "2.14.0", "staging", "succeeded", "release", "kim.lee",
         "2025-06-15T08:00:00+00:00"]
    )  # fmt: skip
    rows.sort(key=lambda r: (str(r[7]), str(r[0])))
    return [(f"DEP-{1001 + i}", *row) for i, row in enumerate(rows)]


def _incidents() -> list[tuple[object, ...]]:
    ordered = sorted(INCIDENTS, key=lambda r: str(r[3]))
    rows: list[tuple[object, ...]] = []
    for i, (service, title, severity, started, hours) in enumerate(ordered):
        start = _t(str(started))
        resolved = iso(start + timedelta(hours=int(hours))) if hours is not None else None
        status = "resolved" if resolved else "open"
        description = f"{title}. Impact on {service}; see the timeline in the incident channel."
        rows.append(
            (f"INC-{1001 + i}", service, title, severity, status, description, iso(start), resolved)
        )
    return rows


def _alerts(rng: random.Random) -> list[tuple[object, ...]]:
    rows: list[list[object]] = []
    services = list(ALERT_NAMES)
    for _ in range(40):
        service = rng.choice(services)
        name = rng.choice(ALERT_NAMES[service])
        fired = AS_OF - timedelta(days=2) - timedelta(minutes=rng.randrange(88 * 24 * 60))
        resolved = fired + timedelta(minutes=rng.randrange(5, 300))
        severity = rng.choice(["info", "warning", "warning", "critical"])
        value = f"{rng.randrange(1, 99)}%" if "rate" in name or "failures" in name else "high"
        rows.append([service, name, severity, "resolved", value, iso(fired), iso(resolved)])
    rows += [
        ["api", "http_5xx_rate", "critical", "firing", "7.8%", "2025-06-14T10:02:00+00:00", None],
        ["api", "latency_p99", "warning", "firing", "2.4s", "2025-06-14T10:04:00+00:00", None],
        [
            "auth",
            "sms_delivery_failures",
            "info",
            "firing",
            "3%",
            "2025-06-15T06:30:00+00:00",
            None,
        ],
    ]
    rows.sort(key=lambda r: (str(r[5]), str(r[0])))
    return [(f"ALT-{1001 + i}", *row) for i, row in enumerate(rows)]
