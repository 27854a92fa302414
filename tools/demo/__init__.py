"""The demo company: a deterministic SQLite database and the tools agents use on it."""

from ringmaster.tools.demo.db import ensure_demo_db
from ringmaster.tools.demo.tools import DEFAULT_REFUND_LIMIT, build_demo_tools

__all__ = ["DEFAULT_REFUND_LIMIT", "build_demo_tools", "ensure_demo_db"]
