"""What the nodes need from outside the state: agents, planner and limits, passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass

from ringmaster.agents.judge import LLMJudge
from ringmaster.agents.registry import AgentRegistry
from ringmaster.graph.intake import MAX_REQUEST_CHARS
from ringmaster.graph.planner.base import Planner
from ringmaster.graph.references import Lookup, Records
from ringmaster.graph.slots import Slots
from ringmaster.graph.standins import Availability
from ringmaster.tools.base import LimitLedger


@dataclass(frozen=True)
class GraphDeps:
    """Explicit configuration for `build_graph`; nothing here reads the environment."""

    registry: AgentRegistry
    planner: Planner
    max_request_chars: int = MAX_REQUEST_CHARS
    # An LLM judge for agents whose spec names a `judge` (see agents/judge.py); None: no judge.
    judge: LLMJudge | None = None
    # Who owns a record and what describes it, for follow-ups ("its customer", "the June
    # one"); None: references resolve from the thread's history alone.
    lookup: Lookup | None = None
    # Every record of an id prefix, for a reply that describes one no turn named ("the web
    # one" to "Which deployment do you mean?"); None: only the thread's records are read.
    records: Records | None = None
    # Agents' health and load (graph/standins.py); None: the planner's choice stands.
    availability: Availability | None = None
    # Per-agent slots for capacity and rate limits (graph/slots.py); None: no limits.
    slots: Slots | None = None
    # Running totals for the policy's cumulative limits on tools that keep none of their own;
    # None: such a tool with limits is refused (fail closed), see graph/nodes/act.py.
    ledger: LimitLedger | None = None
