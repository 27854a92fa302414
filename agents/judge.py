"""The LLM judge: a model's verdict (pass or fail) and reason on one agent output."""

from __future__ import annotations

import json
from typing import Any, Literal

from langchain_core.messages import HumanMessage
from pydantic import BaseModel

from ringmaster.prompts.loader import render


class Verdict(BaseModel):
    """The judge's answer."""

    verdict: Literal["pass", "fail"]
    reason: str


class LLMJudge:
    """Checks an output against the agent's `judge` criteria with one structured model call."""

    def __init__(self, model: Any) -> None:
        self._structured = model.with_structured_output(Verdict)

    def review(self, agent: str, criteria: str, task: str, output: Any) -> dict[str, str]:
        prompt = render(
            "judge",
            agent=agent,
            task=task,
            criteria=criteria,
            output=json.dumps(output, default=str, indent=1)[:4000],
        )
        result = self._structured.invoke([HumanMessage(prompt)])
        if isinstance(result, dict):
            result = Verdict.model_validate(result)
        if not isinstance(result, Verdict):  # unparseable: fail closed
            return {"verdict": "fail", "reason": "the judge's answer could not be read"}
        return {"verdict": result.verdict, "reason": result.reason}
