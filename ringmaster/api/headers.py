"""Headers every answer carries: the request id and the security headers.

The API's JSON answers get a policy that allows nothing to load or frame them; the web pages
set their own, looser Content-Security-Policy (web.py), which is kept where a response has one.
"""

from __future__ import annotations

import re

REQUEST_ID = "X-Request-ID"
SCOPE_KEY = "ringmaster.request_id"  # where the middleware leaves it in the ASGI scope
# A caller's request id is kept when it is short and plain, so it can be logged safely.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
}


def response_headers(request_id: str) -> dict[str, str]:
    """The request id and security headers (for an answer built outside the middleware)."""
    return {REQUEST_ID: request_id, **SECURITY}
