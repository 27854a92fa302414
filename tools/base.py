"""What a tool is, the registry that holds them, and the scoped tool box agents use.

A tool is a plain function plus metadata. Read-only tools run whenever an agent calls them.
Side-effecting tools are never run by an agent: the agent *proposes* the call, the graph
validates it, asks a human when `needs_approval` says so, and only then executes it with an
idempotency key that the tool checks in its database, so a re-run never repeats the effect.
"""

from __future__ import annotations

import difflib
import inspect
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache, partial
from typing import Any, Protocol, get_type_hints

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from ringmaster.tools.errors import (
    SideEffectNotAllowed,
    ToolArgumentError,
    ToolNotFound,
    ToolScopeError,
)
from ringmaster.tools.money import money_text

# An approval rule looks at the arguments and returns why a human must approve, or None.
ApprovalRule = Callable[[Mapping[str, Any]], str | None]


def never(_: Mapping[str, Any]) -> str | None:
    """Approval rule for tools that never need a human."""
    return None


@dataclass(frozen=True)
class CumulativeLimit:
    """A running total that needs a person once it passes `over` (policy `cumulative`).

    The sum of `field` over the calls of `tools` in the last `window`, grouped `per`
    customer, invoice, requester or agent. The tool enforces it inside the transaction of
    its effect, so requests split across calls, threads or workers cannot slip past it.
    """

    tools: frozenset[str]
    per: str  # customer | invoice | requester | agent
    window: timedelta
    over: Decimal
    field: str = "amount"

    def describe(self) -> str:
        hours = self.window.total_seconds() / 3600
        return f"more than {money_text(self.over)} in total per {self.per} in {hours:g} h"

    def passed(self, group: str, before: Decimal, amount: Decimal) -> str:
        """Why a call of `amount` on top of `before` in `group` waits for a person."""
        return (
            f"policy: {', '.join(sorted(self.tools))} would reach {money_text(before + amount)} "
            f"for {self.per} {group} within {self.window.total_seconds() / 3600:g} h "
            f"({money_text(before)} before this), over the limit of {money_text(self.over)}; "
            "a person must approve it"
        )


@dataclass(frozen=True)
class CallContext:
    """Who a side-effecting call is made for, and which person approved it, if one did."""

    requester: str
    agent: str | None = None
    approved_by: str | None = None
    limits: tuple[CumulativeLimit, ...] = ()


# The calls that run before a call in the same answer, in order: (tool name, arguments). A
# call's running totals are checked with them counted (see `limits_passed`).
Earlier = Sequence[tuple[str, Mapping[str, Any]]]

# Set by the act node around each side-effecting call; a tool that keeps running totals reads it.
CALL_CONTEXT: ContextVar[CallContext | None] = ContextVar("ringmaster_call", default=None)


class LimitLedger(Protocol):
    """Running totals for tools that keep none of their own (`Tool.keeps_totals` false).

    `reserve` checks every limit of the call and records it in one transaction, so two
    concurrent calls cannot both see the total below a limit; it raises ApprovalRequired past
    one (nothing recorded). A key already recorded passes again (a re-run of the same call).
    `release` forgets a call whose tool failed, so an effect that did not happen is not counted.
    `passed` is `reserve`'s check alone, read-only: the limits the call would pass now, with
    the `earlier` calls of its answer counted as if they had been recorded.
    """

    def reserve(self, tool: str, key: str, args: Mapping[str, Any], ctx: CallContext) -> None: ...

    def passed(
        self, tool: str, args: Mapping[str, Any], ctx: CallContext, earlier: Earlier = ()
    ) -> list[str]: ...

    def release(self, key: str) -> None: ...


@dataclass(frozen=True)
class Tool:
    """A callable an agent may use.

    `fn` takes keyword arguments; a side-effecting tool also takes `idempotency_key: str`
    and must return the stored result when called again with the same key.
    """

    name: str
    description: str
    fn: Callable[..., Any]
    side_effect: bool = False
    scopes: frozenset[str] = frozenset()  # empty: any requester may reach it
    needs_approval: ApprovalRule = never
    # Read-only tools: an LLM agent may end with this tool's structured result as its answer,
    # without a model call to restate it (LangChain's `return_direct`).
    answer_direct: bool = False
    # The arguments' schema; None derives one from `fn`'s signature (see `arguments_model`).
    args_schema: type[BaseModel] | None = None
    # Running totals that need a person past a limit (policy `cumulative`).
    limits: tuple[CumulativeLimit, ...] = ()
    # True: the tool checks `limits` itself inside its effect's transaction (it reads
    # CALL_CONTEXT, as the demo tools do). False: the act node checks them in ringmaster's
    # ledger before the call (see LimitLedger).
    keeps_totals: bool = False
    # For a tool that keeps totals: read-only, the limits a call would pass if it ran now,
    # worded as its own check refuses it (the demo's: a rolled-back run, tools/demo/limits.py),
    # with the `earlier` calls of its answer counted (those of its own it knows; see Earlier).
    # None: none are named before the call runs (it is still checked when it runs).
    would_pass: Callable[[Mapping[str, Any], CallContext, Earlier], list[str]] | None = None
    # A read-only check of a call's arguments against the records as they are now (the invoice
    # exists, the refund fits what is left): raises ToolArgumentError, writes nothing. The
    # decision service runs it on a reviewer's edited call before committing the edit, so a
    # typo is refused and the review stays pending. None: only the schema is checked.
    check: Callable[[Mapping[str, Any]], None] | None = None

    def reachable_by(self, requester_scopes: Iterable[str]) -> bool:
        return not self.scopes or bool(self.scopes & set(requester_scopes))


def limits_passed(
    tool: Tool,
    args: Mapping[str, Any],
    ctx: CallContext,
    ledger: LimitLedger | None,
    earlier: Sequence[tuple[Tool, Mapping[str, Any]]] = (),
) -> list[str]:
    """Read-only: every running-total limit the call would pass if it ran now, each with its
    total and limit, checked where the act node will check it when the call runs (the tool's
    own totals, or `ledger`) and by the same code; nothing is written.

    The validate node names them in a review it raises for the call: an approved call skips
    the check when it runs (`CallContext.approved_by`), so this is where the reviewer is told.
    A total that cannot be read is said so, not taken as within the limit.

    `earlier` are the calls that run before this one in the same answer, in order (the act
    node runs an answer's calls one after another): they count in its totals, so two calls
    held together are not each said to be within a total they pass together. Each is counted
    where it will be counted when it runs: a tool's own totals, or the ledger.
    """
    if not tool.limits:
        return []
    try:
        if tool.keeps_totals:
            own = [(t.name, a) for t, a in earlier if t.keeps_totals]
            return tool.would_pass(args, ctx, own) if tool.would_pass is not None else []
        kept = [(t.name, a) for t, a in earlier if t.limits and not t.keeps_totals]
        return ledger.passed(tool.name, args, ctx, kept) if ledger is not None else []
    except Exception as exc:  # fail loud: the reviewer is told the totals went unchecked
        return [f"its running totals could not be checked ({exc})"]


@lru_cache(maxsize=512)
def _derived_model(name: str, fn: Callable[..., Any]) -> type[BaseModel]:
    base = fn.func if isinstance(fn, partial) else fn
    try:
        hints = get_type_hints(base, include_extras=True)  # keeps validators in Annotated
    except Exception:  # unresolvable annotations: names and defaults still hold
        hints = {}
    fields: dict[str, Any] = {}
    for arg, p in inspect.signature(fn).parameters.items():
        if arg == "idempotency_key" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        fields[arg] = (hints.get(arg, Any), ... if p.default is p.empty else p.default)
    config = ConfigDict(extra="forbid", strict=True)
    model: type[BaseModel] = create_model(f"{name}_args", __config__=config, **fields)
    return model


def arguments_model(tool: Tool) -> type[BaseModel]:
    """The tool's arguments as a pydantic model: its own `args_schema`, or one read from its
    function's signature (unknown keys forbidden, types strict as JSON gives them)."""
    return tool.args_schema or _derived_model(tool.name, tool.fn)


def check_arguments(tool: Tool, args: Mapping[str, Any]) -> dict[str, Any]:
    """`args` in the tool's own form, or ToolArgumentError with one line naming the first
    problem with them.

    The arguments are checked as the JSON they travel as (strict: "40" is no integer, 40 no
    string). What comes back is what the schema's validators make of them (the demo's
    `Amount` gives a reviewer's 5000 as "5000.00"), only for the arguments given: a caller
    that runs these runs what was checked, and shows a person the form the tool records.
    """
    model = arguments_model(tool)
    try:
        checked = model.model_validate_json(json.dumps(dict(args)), strict=True)
    except ValidationError as exc:
        raise ToolArgumentError(_first_problem(exc, model)) from None
    except (TypeError, ValueError) as exc:  # not JSON at all
        raise ToolArgumentError(f"the arguments are not JSON: {exc}") from None
    return checked.model_dump(mode="json", by_alias=True, exclude_unset=True)


def _first_problem(exc: ValidationError, model: type[BaseModel]) -> str:
    # A misspelt key explains the missing one it was meant to be: name the misspelling first.
    errors = sorted(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"]) or "arguments"
    known = sorted(model.model_fields)
    if first["type"] == "extra_forbidden" and len(first["loc"]) == 1:
        close = difflib.get_close_matches(where, known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown argument {where!r} ({hint}it takes: {', '.join(known) or 'none'})"
    if first["type"] == "missing":
        return f"argument {where!r} is missing"
    if first["type"] == "value_error":  # a validator's own sentence, without pydantic's prefix
        return f"argument {where!r}: {first.get('ctx', {}).get('error', first['msg'])}"
    return f"argument {where!r}: {first['msg']}"


@dataclass
class ToolRegistry:
    """Tools by name."""

    tools: dict[str, Tool] = field(default_factory=dict)

    def register(self, tool: Tool) -> Tool:
        if tool.name in self.tools:
            raise ValueError(f"tool {tool.name!r} is registered twice")
        self.tools[tool.name] = tool
        return tool

    def get(self, name: str) -> Tool:
        try:
            return self.tools[name]
        except KeyError:
            known = ", ".join(sorted(self.tools)) or "none"
            raise ToolNotFound(f"unknown tool {name!r} (known tools: {known})") from None

    def __contains__(self, name: object) -> bool:
        return name in self.tools

    def names(self) -> list[str]:
        return sorted(self.tools)


@dataclass(frozen=True)
class ProposedAction:
    """A side-effecting tool call an agent wants made; the graph decides whether and when."""

    tool: str
    args: dict[str, Any]
    description: str = ""
    # Set when a person already approved this very call inside the agent (an LLM agent's
    # HumanInTheLoopMiddleware), so the graph does not ask again.
    approved_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"tool": self.tool, "args": dict(self.args), "description": self.description}
        if self.approved_by:
            out["approved_by"] = self.approved_by
        return out


@dataclass
class ToolBox:
    """The tools one agent may use for one subtask, limited to the requester's scopes.

    `call` runs a read-only tool now; `propose` records a side-effecting call for later.
    Scope checks are made here, in code, so no prompt or request text can widen them.
    """

    registry: ToolRegistry
    allowed: frozenset[str]
    requester_scopes: frozenset[str]
    proposals: list[ProposedAction] = field(default_factory=list)

    def _tool(self, name: str) -> Tool:
        if name not in self.allowed:
            raise ToolNotFound(f"tool {name!r} is not one of this agent's tools")
        tool = self.registry.get(name)
        if not tool.reachable_by(self.requester_scopes):
            raise ToolScopeError(
                f"tool {name!r} needs one of the scopes {sorted(tool.scopes)}; "
                f"the requester has {sorted(self.requester_scopes)}"
            )
        return tool

    def call(self, name: str, **args: Any) -> Any:
        tool = self._tool(name)
        if tool.side_effect:
            raise SideEffectNotAllowed(
                f"tool {name!r} has side effects: propose it, it runs after validation"
            )
        return tool.fn(**args)

    def propose(self, name: str, description: str = "", **args: Any) -> ProposedAction:
        tool = self._tool(name)
        if not tool.side_effect:
            raise ValueError(f"tool {name!r} has no side effect: call it instead")
        action = ProposedAction(tool=name, args=dict(args), description=description)
        self.proposals.append(action)
        return action
