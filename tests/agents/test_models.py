"""Chat models by name: a clear error at start-up for unknown providers and missing keys."""

from __future__ import annotations

import pytest

from ringmaster.agents.models import (
    ModelConfig,
    ModelConfigError,
    load_model,
    model_label,
    provider_of,
)
from ringmaster.errors import ConfigError
from ringmaster.models import make_planner
from ringmaster.settings import Settings


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("wizard:gpt-9", "unknown model provider 'wizard'"),
        ("mystery-model", "cannot tell the provider"),
        ("openai:gpt-4o-mini", "has no API key"),
    ],
)
def test_bad_models_fail_at_start_up(
    name: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ModelConfigError, match=message):
        load_model(ModelConfig(name=name))


def test_provider_and_fallbacks() -> None:
    assert provider_of("gpt-4o-mini") == "openai"
    config = ModelConfig(
        name="openai:gpt-4o-mini",
        api_key="k",
        base_url="http://127.0.0.1:9/v1",
        fallbacks=["openai:gpt-4o"],
    )
    model = load_model(config)
    assert model_label(model) == "gpt-4o-mini"
    assert [model_label(f) for f in model.fallbacks] == ["gpt-4o"]  # type: ignore[attr-defined]
    assert model.runnable.max_retries == 2 and model.runnable.request_timeout == 60.0  # type: ignore[attr-defined]


def test_settings_choose_the_planner(tmp_path: object) -> None:
    from ringmaster.agents.spec import parse_team
    from tests.fakes import TEAM_YAML, ScriptedPlanner, plan_of

    team = parse_team(TEAM_YAML)
    local = ScriptedPlanner(plan_of(("x", "alpha")))
    assert make_planner(Settings(), team, local=local) is local
    with pytest.raises(ConfigError, match="RINGMASTER_PLANNER_MODEL"):
        make_planner(Settings(planner="cascade"), team, local=local)
    llm = make_planner(
        Settings(planner_model="openai:gpt-4o-mini", model_api_key="k"), team, local=local
    )
    assert llm.name == "llm"
    cascade = make_planner(
        Settings(planner="cascade", planner_model="openai:gpt-4o-mini", model_api_key="k"),
        team,
        local=local,
    )
    assert cascade.name == "cascade"
