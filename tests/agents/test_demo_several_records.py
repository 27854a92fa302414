"""A request that names several records for an action the skill takes on one record acts on
each of them, or asks; never on the first alone with the rest left unsaid: "roll back api and
web" had proposed api's rollback only, "erase the data of CUS-1001 and CUS-1002" Maria's
erasure only, and "move CUS-1001 and CUS-1002 to the pro plan" answered for Maria only."""

from __future__ import annotations

import pytest

from ringmaster.agents.demo import demo_registry
from ringmaster.agents.registry import AgentRegistry
from tests.agents.test_demo_team import run


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> AgentRegistry:
    return demo_registry(tmp_path_factory.mktemp("demo") / "demo.db")


@pytest.mark.parametrize(
    ("request_text", "env"),
    [
        ("roll back api and web", "production"),
        ("roll back web and api in staging", "staging"),
        ("roll back the api and the web deploys in staging", "staging"),
        ("roll back api in staging, and web too", "staging"),
        ("roll back api. Also roll back web", "production"),
    ],
)
def test_a_rollback_of_two_services_proposes_one_each(
    registry: AgentRegistry, request_text: str, env: str
) -> None:
    out = run(registry, "ops", request_text)
    proposed = [a.args for a in out.proposed_actions]
    assert sorted(a["service"] for a in proposed) == ["api", "web"]
    assert {a["environment"] for a in proposed} == {env}
    assert sorted(r["service"] for r in out.output["rollbacks"]) == ["api", "web"]
    assert out.output["services"] == [a["service"] for a in proposed]
    # Each rollback is said with its versions: none is left out of the answer.
    for action in proposed:
        assert (
            f"proposed rolling {action['service']} back in {env} from "
            f"{action['from_version']}" in out.output["summary"]
        )
    # "rollback" names one rollback; with two it would name one as if it were all.
    assert "rollback" not in out.output


@pytest.mark.parametrize(
    "request_text",
    [
        "roll back the api deployment in production",
        "roll back the api in production, auth is fine",
        "roll back api, web is fine",
        # A "too" is the service's it follows, not every one the request names.
        "roll back api too, web is fine",
        "roll back api as well, web looks ok",
    ],
)
def test_a_service_named_beside_the_rollback_is_not_rolled_back(
    registry: AgentRegistry, request_text: str
) -> None:
    out = run(registry, "ops", request_text)
    assert [a.args["service"] for a in out.proposed_actions] == ["api"]
    assert out.output["rollback"] == out.output["rollbacks"][0]
    assert out.output["rollback"]["service"] == "api"


@pytest.mark.parametrize(
    ("agent", "request_text", "action"),
    [
        ("legal", "erase the data of CUS-1001 and CUS-1002", "erasure"),
        ("billing", "move CUS-1001 and CUS-1002 to the business plan", "plan change"),
        ("billing", "refund INV-1004 and INV-1005", "refund"),
    ],
)
def test_an_action_on_two_customers_is_asked_not_done_for_one(
    registry: AgentRegistry, agent: str, request_text: str, action: str
) -> None:
    out = run(registry, agent, request_text)
    assert out.proposed_actions == []
    question = out.output["question"]
    assert f"more than one {action}" in question
    assert "nothing was proposed" in question
    for record in ("1001", "1002") if action != "refund" else ("INV-1004", "INV-1005"):
        assert record in question
