"""A requester's priority: its own module so that the stores that rank by it (the review queue,
accounts) do not import LangGraph with the graph's state."""

from __future__ import annotations

from typing import Literal

Priority = Literal["low", "normal", "high", "urgent"]
