"""Legal's personal-data requests that name no customer it can find: asked back (`question`,
a needs_input subtask), never an answer that ends `done` with nothing exported or proposed."""

from __future__ import annotations

import pytest

from ringmaster.agents.demo import demo_registry
from ringmaster.agents.registry import AgentRegistry
from tests.agents.test_demo_team import asked_back, run


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> AgentRegistry:
    return demo_registry(tmp_path_factory.mktemp("demo") / "demo.db")


@pytest.mark.parametrize(
    ("text", "request_type", "verb"),
    [
        ("delete all personal data for this customer under GDPR", "erasure", "erased"),
        ("please erase the data of CUS-9999", "erasure", "erased"),
        ("export all personal data we hold on the customer", "export", "exported"),
        ("subject access request for CUS-9999", "export", "exported"),
    ],
)
def test_a_personal_data_request_with_no_customer_found_asks_whose(
    registry: AgentRegistry, text: str, request_type: str, verb: str
) -> None:
    out, question = asked_back(registry, "legal", text)
    assert out.output["request_type"] == request_type
    assert out.output["customer_id"] is None and "export" not in out.output
    # The question names what is missing, and is the summary's last words.
    assert "id, email or full name" in question and f"should be {verb}" in question
    assert question.endswith("?")
    assert out.output["summary"].endswith(question)


def test_a_personal_data_request_for_a_customer_found_is_answered(
    registry: AgentRegistry,
) -> None:
    out = run(registry, "legal", "export all personal data we hold on Maria Lopez")
    assert "question" not in out.output
    assert out.output["export"]["customer"]["id"] == "CUS-1001"
