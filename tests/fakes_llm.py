"""A scripted chat model for tests: returns given messages and tool calls, counts its calls.

`ScriptedChatModel(answers=[...])` answers each call with the next item; an item may be an
`AIMessage`, a string, an exception to raise, or a function of the messages. Every call's
messages and bound tools are kept, and each answer carries usage metadata counted from the
prompt actually sent (messages and tool schemas), so token budgets and counts are testable.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import PrivateAttr

Answer = AIMessage | str | Exception | Callable[[list[BaseMessage]], AIMessage]

_TOKEN = re.compile(r"\w+|[^\w\s]")


def count_tokens(text: str) -> int:
    """A deterministic stand-in for a tokenizer: words and punctuation marks."""
    return len(_TOKEN.findall(text))


def prompt_tokens(messages: Sequence[BaseMessage], tools: Sequence[Any] = ()) -> int:
    """Tokens of a prompt as it is sent: every message's content and tool calls, and the tools."""
    total = 0
    for m in messages:
        content = m.content if isinstance(m.content, str) else json.dumps(m.content)
        total += 4 + count_tokens(content)  # role and separators
        for call in getattr(m, "tool_calls", None) or []:
            total += count_tokens(json.dumps(call.get("args", {}))) + 2
    for tool in tools:
        total += count_tokens(json.dumps(tool))
    return total


def tool_call(name: str, args: dict[str, Any], call_id: str | None = None) -> AIMessage:
    """An AI message that calls one tool."""
    call = {"name": name, "args": args, "id": call_id or f"call-{name}", "type": "tool_call"}
    return AIMessage("", tool_calls=[call])


class ScriptedChatModel(BaseChatModel):
    """Answers from a script, in order; thread-safe; counts calls, keeps prompts and tools."""

    answers: list[Any] = []
    repeat_last: bool = False
    _calls: int = PrivateAttr(default=0)
    _prompts: list[list[BaseMessage]] = PrivateAttr(default_factory=list)
    _tools: list[list[Any]] = PrivateAttr(default_factory=list)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def calls(self) -> int:
        return self._calls

    @property
    def prompts(self) -> list[list[BaseMessage]]:
        return self._prompts

    @property
    def tools(self) -> list[list[Any]]:
        """The tool schemas bound to each call, in order."""
        return self._tools

    def _next(self, messages: list[BaseMessage]) -> AIMessage:
        with self._lock:
            index = self._calls
            self._calls += 1
        if index >= len(self.answers):
            if not (self.repeat_last and self.answers):
                raise AssertionError(f"the scripted model has no answer for call {index + 1}")
            index = len(self.answers) - 1
        answer = self.answers[index]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer) and not isinstance(answer, BaseMessage):
            answer = answer(messages)
        if isinstance(answer, str):
            answer = AIMessage(answer)
        return answer.model_copy(deep=True)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        tools = list(kwargs.get("tools") or [])
        sent = prompt_tokens(messages, tools)
        with self._lock:
            self._prompts.append(list(messages))
            self._tools.append(tools)
        message = self._next(messages)
        out = count_tokens(str(message.content)) + sum(
            count_tokens(json.dumps(c["args"])) for c in message.tool_calls
        )
        message.usage_metadata = {
            "input_tokens": sent,
            "output_tokens": out,
            "total_tokens": sent + out,
        }
        return ChatResult(generations=[ChatGeneration(message=message)])

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        # What a provider model does: format the tools once, send them with every call.
        kwargs.pop("tool_choice", None)
        kwargs.pop("ls_structured_output_format", None)
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)


def plan_answer(*subtasks: dict[str, Any]) -> AIMessage:
    """The planner's structured answer in its compact schema, as the tool call
    `with_structured_output` asks for; `depends_on: ["t1"]` becomes `after: [1]`."""
    from ringmaster.graph.planner.llm import PLAN_TOOL

    parts = [
        {
            "task": s["description"],
            "agent": s.get("agent"),
            "conf": s.get("confidence", 0.9),
            "why": s.get("rationale", "scripted"),
            "after": [int(d.removeprefix("t")) for d in s.get("depends_on", [])],
        }
        for s in subtasks
    ]
    return tool_call(PLAN_TOOL, {"parts": parts})
