"""The demo team's skills: one deterministic function per agent, `(task, tools) -> AgentOutput`.

They read the subtask with patterns, call read-only tools, and *propose* side effects; the
graph runs a proposal only after validation and, where a rule says so, a person's approval.
"""

from agents.demo.skills.analytics import analytics
from agents.demo.skills.billing import billing
from agents.demo.skills.content import content
from agents.demo.skills.legal import legal
from agents.demo.skills.ops import ops
from agents.demo.skills.support import support

__all__ = ["analytics", "billing", "content", "legal", "ops", "support"]
