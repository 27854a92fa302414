"""The registry: a team, its runtimes and the tools they may use, ready for the graph."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ringmaster.agents.runtime import AgentRuntime, build_runtime
from ringmaster.agents.spec import AgentSpec, Team
from ringmaster.tools.base import ToolBox, ToolRegistry


@dataclass
class AgentRegistry:
    """Everything the graph needs to know about agents, by name."""

    team: Team
    tools: ToolRegistry
    runtimes: dict[str, AgentRuntime] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        team: Team,
        tools: ToolRegistry,
        overrides: dict[str, AgentRuntime] | None = None,
        llm_runtime: Callable[[AgentSpec], AgentRuntime] | None = None,
    ) -> AgentRegistry:
        """Build every runtime now, so a bad entry fails at start-up, not mid-run.

        `llm_runtime` builds the agents of runtime kind `llm` (`ringmaster.agents.llm_runtime`).
        """
        overrides = overrides or {}

        def runtime(spec: AgentSpec) -> AgentRuntime:
            if spec.name in overrides:
                return overrides[spec.name]
            if spec.runtime.kind == "llm" and llm_runtime is not None:
                return llm_runtime(spec)
            return build_runtime(spec)

        runtimes = {a.name: runtime(a) for a in team.agents}
        return cls(team=team, tools=tools, runtimes=runtimes)

    def spec(self, name: str) -> AgentSpec:
        return self.team.agent(name)

    def runtime(self, name: str) -> AgentRuntime:
        return self.runtimes[name]

    def toolbox(self, name: str, requester_scopes: tuple[str, ...] | frozenset[str]) -> ToolBox:
        return ToolBox(
            registry=self.tools,
            allowed=frozenset(self.spec(name).tools),
            requester_scopes=frozenset(requester_scopes),
        )
