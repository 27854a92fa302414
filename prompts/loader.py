"""Prompt templates as files in this folder, and the one function that fills them.

Templates use `string.Template` placeholders (`$name`), so JSON and braces in a prompt need no
escaping. A template's version is a digest of its text: a changed prompt changes the version,
which is what eval caches and run records key on.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from string import Template

PROMPTS_DIR = Path(__file__).parent


class PromptError(Exception):
    """A template is missing or a placeholder has no value."""


@lru_cache(maxsize=32)
def _text(name: str) -> str:
    path = PROMPTS_DIR / f"{name}.md"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"no prompt template {name!r} in {PROMPTS_DIR}") from None


def render(name: str, /, **values: object) -> str:
    """The template `name` (`prompts/<name>.md`) with every placeholder filled."""
    try:
        return Template(_text(name)).substitute({k: str(v) for k, v in values.items()}).strip()
    except KeyError as exc:
        raise PromptError(f"prompt {name!r} needs a value for {exc.args[0]!r}") from None


def version(*names: str) -> str:
    """A short digest of the named templates' text."""
    digest = hashlib.sha256("\x00".join(_text(n) for n in names).encode()).hexdigest()
    return digest[:12]
