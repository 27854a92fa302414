"""Optional dependencies: import one, or say in one line which extra installs it.

The default install (`pip install ringmaster`) is SQLite, the local planner, the CLI and the
API. Training the local planner (scikit-learn), Postgres, report plots, LLM providers and
sentence embeddings are extras; code that needs one imports it through `require` at the moment
it is needed, never at module import.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ringmaster.errors import ConfigError

EXTRAS = {
    "train": "training the local planner and the evals",
    "postgres": "every store on Postgres",
    "reports": "plots in eval reports",
    "llm": "OpenAI-compatible models",
    "embeddings": "the sentence-embedding classifier",
}


class MissingExtra(ConfigError):
    """An optional dependency is not installed; the message names the extra that brings it."""


def missing_extra_message(extra: str, module: str) -> str:
    return (
        f"{EXTRAS[extra]} needs the {extra!r} extra ({module} is not installed): "
        f"pip install 'ringmaster[{extra}]'"
    )


def require(module: str, extra: str) -> ModuleType:
    """`module`, imported; MissingExtra naming `extra` when it (or what it needs) is missing."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = exc.name or module
        raise MissingExtra(missing_extra_message(extra, missing)) from None
