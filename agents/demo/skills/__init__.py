"""The demo team's skills: one deterministic function per agent, `(task, tools) -> AgentOutput`.

They read the subtask with patterns, call read-only tools, and *propose* side effects; the
graph runs a proposal only after validation and, where a rule says so, a person's approval.
"""

from ringmaster.agents.demo.skills.analytics import analytics
from ringmaster.agents.demo.skills.billing import billing
from ringmaster.agents.demo.skills.content import content
from ringmaster.agents.demo.skills.legal import legal
from ringmaster.agents.demo.skills.ops import ops
from ringmaster.agents.demo.skills.support import support

__all__ = ["analytics", "billing", "content", "legal", "ops", "support"]
