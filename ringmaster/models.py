"""Models from settings: the planner (local, llm or cascade), LLM agents and the judge.

Every model is built here, at start-up, so a missing key or an unknown provider is a
`ConfigError` before any request runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ringmaster.agents.models import ModelConfig, ModelConfigError, build_chat_model, load_model
from ringmaster.agents.runtime import AgentRuntime
from ringmaster.agents.spec import AgentSpec, Team
from ringmaster.errors import ConfigError
from ringmaster.graph.planner.base import Planner
from ringmaster.graph.usage import Budget
from ringmaster.settings import Settings


def model_config(settings: Settings, name: str, **overrides: Any) -> ModelConfig:
    """A model's configuration: the name, and the settings' connection defaults."""
    values: dict[str, Any] = {
        "name": name,
        "base_url": settings.model_base_url,
        "api_key": settings.model_api_key,
        "timeout": settings.model_timeout,
        "max_retries": settings.model_max_retries,
        "fallbacks": list(settings.model_fallbacks),
    }
    values.update({k: v for k, v in overrides.items() if v not in (None, [])})
    return ModelConfig(**values)


def _load(config: ModelConfig) -> Any:
    try:
        return load_model(config)
    except ModelConfigError as exc:
        raise ConfigError(str(exc)) from None


def _chat(config: ModelConfig) -> Any:
    try:
        return build_chat_model(config)
    except ModelConfigError as exc:
        raise ConfigError(str(exc)) from None


def planner_kind(settings: Settings) -> str:
    if settings.planner is not None:
        return settings.planner
    return "llm" if settings.planner_model else "local"


def make_planner(settings: Settings, team: Team, local: Planner | None = None) -> Planner:
    """The planner the settings name; `local` is the local planner (built here if not given)."""
    kind = planner_kind(settings)
    if local is None:
        from ringmaster.graph.planner.local import LocalPlanner

        local = LocalPlanner(team, cache_dir=settings.cache_dir)
    if kind == "local":
        return local
    if not settings.planner_model:
        raise ConfigError(f"the {kind} planner needs a model: set RINGMASTER_PLANNER_MODEL")
    from ringmaster.graph.planner.cascade import CascadePlanner
    from ringmaster.graph.planner.llm import LLMPlanner

    config = model_config(settings, settings.planner_model)
    llm = LLMPlanner(
        team,
        _load(config),
        fallback=local,
        model_name=config.name,
        structured_method=settings.planner_structured_output,
    )
    if kind == "llm":
        return llm
    return CascadePlanner(
        local,
        llm,
        min_confidence=settings.cascade_min_confidence,
        min_margin=settings.cascade_min_margin,
    )


def llm_runtime_factory(settings: Settings) -> Any:
    """Builds `runtime: {kind: llm}` agents with their own model or the agents' default."""
    from ringmaster.agents.llm_runtime import LLMRuntime

    def build(spec: AgentSpec) -> AgentRuntime:
        chosen = spec.model
        if chosen is None and not settings.agent_model:
            raise ConfigError(
                f"agent {spec.name!r} runs on a chat model: set RINGMASTER_AGENT_MODEL "
                "or give the agent a model in the team file"
            )
        config = model_config(
            settings,
            chosen.name if chosen else str(settings.agent_model),
            base_url=chosen.base_url if chosen else None,
            fallbacks=chosen.fallbacks if chosen else None,
            temperature=chosen.temperature if chosen else None,
        )
        return LLMRuntime(
            spec,
            _chat(config.with_name(config.name)),
            fallbacks=[_chat(config.with_name(n)) for n in config.fallbacks],
        )

    return build


def make_judge(settings: Settings, team: Team) -> Any:
    """The LLM judge when an agent asks for one; ConfigError when no judge model is set."""
    if not any(a.judge for a in team.agents):
        return None
    if not settings.judge_model:
        judged = ", ".join(a.name for a in team.agents if a.judge)
        raise ConfigError(f"agents {judged} ask for an LLM judge: set RINGMASTER_JUDGE_MODEL")
    from ringmaster.agents.judge import LLMJudge

    return LLMJudge(_load(model_config(settings, settings.judge_model)))


def budget(settings: Settings) -> Budget | None:
    if settings.max_model_calls is None and settings.max_tokens is None:
        return None
    return Budget(max_calls=settings.max_model_calls, max_tokens=settings.max_tokens)


def uses_models(settings: Settings, team: Team) -> bool:
    return planner_kind(settings) != "local" or any(a.runtime.kind == "llm" for a in team.agents)


def eval_planner_factory(settings: Settings) -> Any:
    """The eval runner's planner factory: llm and cascade from the settings' model."""
    from ringmaster.evals.planners import make_planner as eval_planner

    def factory(name: str, team: Team, cache_dir: Path) -> Planner:
        if name not in ("llm", "cascade"):
            return eval_planner(name, team, cache_dir=cache_dir)
        from ringmaster.evals.errors import PlannerUnavailable

        local = eval_planner("local", team, cache_dir=cache_dir)
        try:
            return make_planner(settings.model_copy(update={"planner": name}), team, local=local)
        except ConfigError as exc:
            raise PlannerUnavailable(str(exc)) from None

    return factory
