"""The demo company's documents: help-centre articles, policies, terms and customer contracts."""

from __future__ import annotations

# kind, title, customer (contracts only), tags, updated, body
_DOCS: list[tuple[str, str, str | None, str, str, str]] = [
    (
        "kb",
        "Reset your password",
        None,
        "login password reset access",
        "2025-01-10",
        "Open the sign-in page and choose 'Forgot password'. We email a reset link that is valid "
        "for 30 minutes. If the link has expired, request a new one. After a reset, every other "
        "session is signed out. If the new password is rejected, clear saved passwords in the "
        "browser and make sure caps lock is off; an account locked after five failed attempts "
        "unlocks by itself after 15 minutes or when support unlocks it.",
    ),
    (
        "kb",
        "Set up two-factor authentication",
        None,
        "2fa two-factor mfa sms authenticator",
        "2025-02-03",
        "Go to Settings > Security and choose 'Enable two-factor'. Scan the QR code with an "
        "authenticator app or choose SMS. If SMS codes do not arrive, check the phone number, wait "
        "two minutes, and try the authenticator app instead; keep your recovery codes safe.",
    ),
    (
        "kb",
        "Configure SAML single sign-on",
        None,
        "sso saml idp okta azure login",
        "2025-03-18",
        "SAML SSO is available on the Pro plan and above. Upload your identity provider's metadata "
        "under Settings > SSO, then map the email attribute. 'Invalid SAML response' usually means "
        "a clock skew above five minutes or an expired IdP certificate.",
    ),
    (
        "kb",
        "Invite teammates to your workspace",
        None,
        "invite users seats team",
        "2024-11-02",
        "Admins invite teammates from Settings > Members. Invitations expire after seven days. "
        "If an invite email never arrives, check spam and resend it; each plan has a seat limit.",
    ),
    (
        "kb",
        "Export dashboards and data",
        None,
        "export csv dashboards download",
        "2025-04-09",
        "Open a dashboard, choose the menu in the top right and pick 'Export'. CSV exports are "
        "limited to one million rows; larger exports are emailed as a link.",
    ),
    (
        "kb",
        "Understand your invoice",
        None,
        "invoice billing charges payment",
        "2025-01-28",
        "Invoices are issued on the first day of the month for the plan and any usage above it, "
        "and are due within 14 days. A duplicate charge is refunded to the original card within "
        "five to ten business days.",
    ),
    (
        "kb",
        "Change or cancel your plan",
        None,
        "plan upgrade downgrade cancel pricing",
        "2025-03-05",
        "Upgrades take effect immediately and are prorated. Downgrades and cancellations take "
        "effect at the end of the billing period. Plan changes are confirmed by our billing team.",
    ),
    (
        "kb",
        "Rotate an API key",
        None,
        "api key rotate token security",
        "2025-02-20",
        "Create a new key under Settings > API, deploy it, then revoke the old key. Never share "
        "keys in tickets or email; support will never ask for one.",
    ),
    (
        "kb",
        "API rate limits",
        None,
        "api rate limit 429 throttling",
        "2025-05-15",
        "Each workspace may make 600 requests per minute. Requests above the limit receive HTTP "
        "429 with a Retry-After header; use exponential backoff.",
    ),
    (
        "kb",
        "Webhook retries",
        None,
        "webhooks retries delivery",
        "2025-05-14",
        "Failed webhook deliveries are retried with backoff for up to 24 hours. Respond with a 2xx "
        "status within ten seconds to acknowledge a delivery.",
    ),
    (
        "kb",
        "Unlock a locked or suspended account",
        None,
        "locked suspended account access",
        "2025-04-01",
        "Accounts lock after five failed sign-ins and unlock after 15 minutes. Accounts suspended "
        "for unpaid invoices are restored as soon as the balance is paid.",
    ),
    (
        "kb",
        "Status page and incident updates",
        None,
        "status outage incident",
        "2025-05-07",
        "Our status page shows the health of the api, web app, billing and sign-in. Subscribe to "
        "get incident updates by email.",
    ),
    (
        "policy",
        "Refund policy",
        None,
        "refund money back billing policy",
        "2025-01-01",
        "Duplicate charges and charges caused by our errors are refunded in full. Other refunds "
        "are at our discretion within 30 days of the invoice date. Refunds above 100.00 USD need "
        "the approval of a billing manager.",
    ),
    (
        "policy",
        "Privacy policy",
        None,
        "privacy personal data gdpr subprocessors",
        "2025-01-01",
        "We process personal data to provide the service. We share it only with the subprocessors "
        "listed in our subprocessor list, under written agreements. Data is stored in the EU "
        "(Frankfurt) with backups in Ireland. Data subjects may request access, correction, export "
        "or erasure; we answer within 30 days.",
    ),
    (
        "policy",
        "Data retention policy",
        None,
        "retention delete invoices tickets gdpr",
        "2025-01-01",
        "Support tickets are kept for three years after closure. Invoices and payment records are "
        "kept for ten years to meet tax law, even after an erasure request, with personal details "
        "removed. Backups roll off after 35 days.",
    ),
    (
        "policy",
        "Acceptable use policy",
        None,
        "acceptable use resell abuse api",
        "2024-09-01",
        "Customers may not resell API access, send spam, or probe the service for vulnerabilities "
        "without written permission. We may suspend accounts that break this policy.",
    ),
    (
        "policy",
        "Service level agreement",
        None,
        "sla uptime availability credits",
        "2025-01-01",
        "Business plans get 99.9% monthly availability and Enterprise plans 99.95%. Missing the "
        "target earns a service credit of 10% of the monthly fee per 0.1% below it, up to 50%.",
    ),
    (
        "policy",
        "Data processing agreement (template)",
        None,
        "dpa gdpr processor article 28",
        "2025-01-01",
        "Standard DPA under GDPR Article 28: we act as processor, follow documented instructions, "
        "keep data confidential, assist with data subject requests and notify breaches within 48 "
        "hours.",
    ),
    (
        "terms",
        "Terms of service v3",
        None,
        "terms of service tos agreement current",
        "2025-01-01",
        "Version 3, effective 1 January 2025, accepted by every customer signing in after that "
        "date. Fees are billed monthly in advance. We may suspend an account whose invoice is more "
        "than 30 days overdue after notice. Either party may terminate with 30 days' notice. Our "
        "liability is capped at the fees paid in the previous twelve months.",
    ),
    (
        "terms",
        "Terms of service v2 (superseded)",
        None,
        "terms of service tos old superseded",
        "2024-01-01",
        "Version 2, effective 1 January 2024, replaced by version 3 on 1 January 2025. Liability "
        "was capped at the fees paid in the previous six months.",
    ),
    (
        "contract",
        "Master services agreement: Becker Logistics GmbH",
        "CUS-1004",
        "contract msa enterprise termination renewal indemnity",
        "2024-11-08",
        "Enterprise MSA with Becker Logistics GmbH, signed 8 November 2022 for three years and "
        "renewing automatically on 8 November 2025 for one year unless either party gives 90 days' "
        "written notice. Termination for cause after a 30-day cure period. Each party indemnifies "
        "the other against third-party IP claims. Liability capped at twelve months of fees. SLA "
        "99.95% with service credits.",
    ),
    (
        "contract",
        "Enterprise agreement: Haddad Ventures",
        "CUS-1010",
        "contract enterprise sla dpa renewal",
        "2024-08-19",
        "Enterprise agreement with Haddad Ventures, signed 19 August 2022, renewed yearly. SLA "
        "99.95% monthly availability with credits of 10% per 0.1% shortfall. A DPA under GDPR "
        "Article 28 is attached as Schedule 2 and in force.",
    ),
    (
        "contract",
        "Master services agreement: Chen Analytics Ltd",
        "CUS-1002",
        "contract msa business liability",
        "2023-06-02",
        "Business-plan MSA with Chen Analytics Ltd, signed 2 June 2023. Liability is capped at the "
        "fees paid in the previous twelve months, excluding breaches of confidentiality. Either "
        "party may terminate with 30 days' notice.",
    ),
]


def documents() -> list[tuple[str, str, str, str | None, str, str, str]]:
    """Rows for the documents table: id, kind, title, customer, body, tags, updated_at."""
    return [
        (f"DOC-{1001 + i}", kind, title, customer, body, tags, f"{updated}T00:00:00+00:00")
        for i, (kind, title, customer, tags, updated, body) in enumerate(_DOCS)
    ]
