"""The team's agents and how many reviews wait on each."""

from __future__ import annotations

from fastapi import APIRouter

from ringmaster.api.deps import AnyUser, StateDep
from ringmaster.api.errors import doc
from ringmaster.api.schemas import AgentOut
from ringmaster.queries import pending_by_agent

router = APIRouter(prefix="/agents", tags=["agents"])


@router.get("", operation_id="list_agents", response_model=list[AgentOut], responses=doc(401, 403))
def list_agents(state: StateDep, caller: AnyUser) -> list[AgentOut]:
    """Every agent of the team: what it does, its tools and scopes, its pending reviews."""
    pending = pending_by_agent(state.runner.engine)
    return [
        AgentOut(
            name=a.name,
            description=a.description,
            examples=len(a.examples),
            tools=a.tools,
            scopes=a.scopes,
            capacity=a.capacity,
            fallback=a.fallback,
            human_categories=a.human_categories,
            pending_reviews=pending.get(a.name, 0),
        )
        for a in state.runner.deps.registry.team.agents
    ]
