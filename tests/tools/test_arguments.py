"""A tool's argument schema: read from its function's signature unless it brings its own, and
checked strictly as JSON, with one line naming the first problem."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import AfterValidator, BaseModel, ConfigDict

from ringmaster.tools.base import Tool, arguments_model, check_arguments
from ringmaster.tools.errors import ToolArgumentError


def _even(value: int) -> int:
    if value % 2:
        raise ValueError(f"{value} is odd")
    return value


def transfer(
    db: Path,
    idempotency_key: str,
    account_id: str,
    count: Annotated[int, AfterValidator(_even)],
    memo: str | None = None,
    tags: list[str] | None = None,
) -> dict[str, Any]:
    return {}


TOOL = Tool("transfer", "move things", partial(transfer, Path("x.db")), side_effect=True)


def test_the_schema_comes_from_the_signature() -> None:
    schema = arguments_model(TOOL).model_json_schema()
    assert sorted(schema["properties"]) == ["account_id", "count", "memo", "tags"]
    assert schema["required"] == ["account_id", "count"]
    assert schema["additionalProperties"] is False
    check_arguments(TOOL, {"account_id": "A-1", "count": 2, "tags": ["x"]})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            {"acount_id": "A-1", "count": 2},
            "unknown argument 'acount_id' (did you mean 'account_id'?",
        ),
        ({"account_id": "A-1"}, "argument 'count' is missing"),
        ({"account_id": 1, "count": 2}, "argument 'account_id': Input should be a valid string"),
        ({"account_id": "A-1", "count": "2"}, "argument 'count': Input should be a valid integer"),
        ({"account_id": "A-1", "count": True}, "argument 'count': Input should be a valid integer"),
        ({"account_id": "A-1", "count": 3}, "argument 'count': 3 is odd"),
        ({"account_id": "A-1", "count": 2, "tags": [1]}, "argument 'tags.0': Input should be"),
        ({"account_id": "A-1", "count": 2, "idempotency_key": "k"}, "unknown argument"),
    ],
)
def test_bad_arguments_are_named_in_one_line(args: dict[str, Any], message: str) -> None:
    with pytest.raises(ToolArgumentError) as err:
        check_arguments(TOOL, args)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_tool_may_bring_its_own_schema() -> None:
    class Args(BaseModel):
        model_config = ConfigDict(extra="forbid")
        account_id: str

    tool = Tool("own", "own schema", partial(transfer, Path("x.db")), args_schema=Args)
    assert arguments_model(tool) is Args
    check_arguments(tool, {"account_id": "A-1"})  # `count` is not in its own schema
    with pytest.raises(ToolArgumentError, match="unknown argument 'count'"):
        check_arguments(tool, {"account_id": "A-1", "count": 2})
