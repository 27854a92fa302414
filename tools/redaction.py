"""Secrets in text a request carries (passwords, API keys and tokens, private keys, card
numbers): found and replaced before anything is stored or sent.

One list for every layer above: ringmaster's runner takes them out of a request before it
stores anything (ringmaster/runner.py: accept), the plan node for callers that are not the
runner (graph/nodes/plan.py), the agent node out of every agent's proposed arguments, so a
runtime that copies one is covered all the same (graph/nodes/agent.py), and the demo skills
out of what they copy from a request (agents/demo/skills/parsing.py).
The logs hide the same list (ringmaster/logs.py: SecretFilter), so what is kept out of a stored
request is kept out of a log line too.
A secret is recognised by its shape (a known key format, a card number that passes the Luhn
check, a private key block, a URL's password, an Authorization header's credentials) or by the
words before it ("my password is …", "api key: …", `session=…`, `"token": "…"`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

REDACTED = "[redacted]"

# Words that follow "password is" / "token is" in a sentence about one, not the secret itself.
_NOT_A_VALUE = (
    r"(?:not|no|wrong|incorrect|invalid|rejected|expired|correct|right|being|still|too|the|a|"
    r"an|my|our|their|reset|working|broken|locked|required|missing|empty|blank|fine|ok|okay|"
    r"case|same|different|new|old|changed|accepted|valid|revoked|leaked|compromised|weak|"
    r"strong|short|long|set|sent|shown|stored|saved|in|on|at|for|of|and|or|but|now|again|also|"
    r"never|always|somehow|correctly|like|that|this|it|there)\b"
)
_LABEL = (
    r"(?:pass(?:word|wd|phrase|code)|pwd|api[ _-]?key|access[ _-]?key|secret(?:[ _-]?key)?|"
    r"client[ _-]?secret|(?:access |auth |api |bearer |refresh |session )?token|pin)"
)
_VALUE = r"(?:[^\s'\",;]{3,}[^\s'\",;.!?)]|[^\s'\",;.!?)]{4,})"
# "password is X", "password is: X", "api key: X": any value but the words of a sentence about
# one; written `db_password=X` or `"token": "X"`, any value; a bare "token X" only when X has a
# digit, as keys do and words do not ("secret sauce").
_LABELLED = re.compile(
    rf"(?i)(?<![a-z0-9])({_LABEL})"
    rf"(['\"]?\s*=\s*['\"]?|['\"]\s*:\s*['\"]?"  # `key=X`, `"key": "X"`: X whatever it says
    rf"|\s*(?:(?:is|was)\s*:?|:|->)\s*['\"]?(?!{_NOT_A_VALUE})|\s+(?=\S*\d))({_VALUE})"
)
# Machine-written pairs and headers, as logs and pasted requests carry them: a URL's password
# (scheme://user:X@host), an Authorization header's credentials (any; a bare "Bearer X" or
# "Basic X" only when X is long and has a digit or base64's "=", unlike "basic plan"), and
# session, cookie and CSRF values written `name=X` or `"name": "X"`.
URL_PASSWORD = re.compile(r"(://[^:/@\s]*):[^@\s]+@")
_CREDENTIALS = re.compile(
    r"(?i)(\bauthorization:\s*(?:bearer|basic|token)\s+)[A-Za-z0-9._~+/=-]+"
    r"|(\b(?:bearer|basic)\s+)(?=[A-Za-z0-9._~+/-]*[\d=])[A-Za-z0-9._~+/=-]{8,}"
)
_SESSION_PAIR = re.compile(
    r"(?i)((?:cookie|csrf|xsrf|session)[a-z0-9_-]*(?:['\"]?\s*=|['\"]\s*:)\s*['\"]?)"
    r"[^\s\"',;&}]+"
)
# A Cookie header's pairs, whatever their names ("Cookie: sid=X; theme=dark").
_COOKIE_HEADER = re.compile(
    r"(?i)(\b(?:set-)?cookie:\s*)[^\s;,=]+=[^\s;,]+(?:;\s*[^\s;,=]+=[^\s;,]+)*"
)
# Known formats: provider keys, tokens, JWTs, ringmaster's own API tokens.
_FORMATS = [
    r"\bsk-[A-Za-z0-9_-]{16,}",
    r"\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}",
    r"\bAKIA[0-9A-Z]{16}\b",
    r"\bgh[pousr]_[A-Za-z0-9]{20,}\b",
    r"\bgithub_pat_[A-Za-z0-9_]{20,}",
    r"\bglpat-[A-Za-z0-9_-]{20,}",
    r"\bxox[abprs]-[A-Za-z0-9-]{10,}",
    r"\bAIza[0-9A-Za-z_-]{35}\b",
    r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
    r"\brm_[A-Za-z0-9_-]{40,}",
]
_KEYS = re.compile("|".join(_FORMATS))
# A private key block, to its END line or, cut short, to the end of the text.
_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.DOTALL
)
_CARD_LIKE = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return REDACTED if 13 <= len(digits) <= 19 and _luhn(digits) else match.group(0)


def _kind_of_label(label: str) -> str:
    low = label.lower()
    if low.startswith(("pass", "pwd")):
        return "password"
    return "PIN" if low == "pin" else "API key/token"


def redact_secrets(text: str) -> tuple[str, list[str]]:
    """`text` with every secret replaced by [redacted], and the kinds found (password, API
    key/token, private key, card number), each once, in the order met."""
    kinds: list[str] = []

    def counted(kind: str, replace: Callable[[re.Match[str]], str]) -> Callable[..., str]:
        def sub(match: re.Match[str]) -> str:
            out = replace(match)
            if out != match.group(0) and kind not in kinds:
                kinds.append(kind)
            return out

        return sub

    text = _PRIVATE_KEY.sub(counted("private key", lambda m: REDACTED), text)
    text = _KEYS.sub(counted("API key/token", lambda m: REDACTED), text)

    def labelled(m: re.Match[str]) -> str:
        if REDACTED in m.group(0):
            return m.group(0)
        kind = _kind_of_label(m.group(1))
        if kind not in kinds:
            kinds.append(kind)
        return f"{m.group(1)}{m.group(2)}{REDACTED}"

    text = _LABELLED.sub(labelled, text)
    text = URL_PASSWORD.sub(counted("password", lambda m: f"{m.group(1)}:{REDACTED}@"), text)
    text = _CREDENTIALS.sub(
        counted("API key/token", lambda m: f"{m.group(1) or m.group(2)}{REDACTED}"), text
    )
    text = _COOKIE_HEADER.sub(counted("API key/token", lambda m: f"{m.group(1)}{REDACTED}"), text)
    text = _SESSION_PAIR.sub(counted("API key/token", lambda m: f"{m.group(1)}{REDACTED}"), text)
    text = _CARD_LIKE.sub(counted("card number", _card), text)
    return text, kinds


def redact(text: str) -> str:
    """`text` with every secret replaced by [redacted]."""
    return redact_secrets(text)[0]


def said_redacted(kinds: list[str], where: str = "the request") -> str:
    """The sentence an answer adds when secrets were taken out: of what kinds, from `where`
    ("the request", "an action's arguments"), and that no action wrote or sent them."""
    what = " and ".join([", ".join(kinds[:-1]), kinds[-1]] if len(kinds) > 1 else kinds)
    verb = "were" if len(kinds) > 1 else "was"
    return f"The {what} in {where} {verb} redacted before anything was written or sent."
