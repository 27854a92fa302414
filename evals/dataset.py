"""Eval rows: load a JSONL routing dataset, check every row, and fingerprint the file.

A row is `{"text", "agents", "escalate", "subtasks"?, "tags"?}` (evals/datasets/README.md).
Errors name the file, the line and the field, because datasets are edited by hand.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ringmaster.evals.errors import DatasetError

HUMAN = "human"  # the label an escalation counts as, next to the agents' names


@dataclass(frozen=True)
class EvalRow:
    """One labelled request: the agents it should reach, or a human."""

    text: str
    agents: tuple[str, ...]
    escalate: bool
    subtasks: int
    tags: tuple[str, ...] = ()
    line: int = 0  # 1-based line in the source file, for messages and for matching runs

    @property
    def expected_set(self) -> frozenset[str]:
        """The label set a correct plan produces: the agents, or `{human}` for an escalation."""
        return frozenset({HUMAN}) if self.escalate else frozenset(self.agents)

    @property
    def in_scope(self) -> bool:
        return not self.escalate

    @property
    def multi_part(self) -> bool:
        return self.subtasks >= 2

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "agents": list(self.agents),
            "escalate": self.escalate,
            "subtasks": self.subtasks,
            "tags": list(self.tags),
        }


@dataclass
class Dataset:
    """The rows of one file and the sha256 of its bytes (a run records which data it saw)."""

    path: Path
    rows: list[EvalRow] = field(default_factory=list)
    sha256: str = ""

    @property
    def name(self) -> str:
        return self.path.name


def dataset_hash(path: str | Path) -> str:
    """sha256 of the file's bytes: two runs on the same hash saw exactly the same rows."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def parse_row(obj: Any, *, line: int, source: str = "<rows>") -> EvalRow:
    """Check one decoded JSON value as an eval row; raise DatasetError naming line and field."""
    where = f"{source}:{line}"
    if not isinstance(obj, dict):
        raise DatasetError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    unknown = sorted(set(obj) - {"text", "agents", "escalate", "subtasks", "tags"})
    if unknown:
        raise DatasetError(f"{where}: unknown field(s) {', '.join(unknown)}")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DatasetError(f"{where}: field 'text' must be a non-empty string")
    if "agents" not in obj:
        raise DatasetError(f"{where}: field 'agents' is missing (use [] for an escalation)")
    agents = obj["agents"]
    if not isinstance(agents, list) or not all(isinstance(a, str) and a for a in agents):
        raise DatasetError(f"{where}: field 'agents' must be a list of agent names")
    if len(set(agents)) != len(agents):
        raise DatasetError(f"{where}: field 'agents' repeats an agent: {agents}")
    if HUMAN in agents:
        raise DatasetError(f"{where}: field 'agents' must not name {HUMAN!r}; set escalate")
    if "escalate" not in obj:  # "must be true or false" read as if a value had been given
        raise DatasetError(
            f"{where}: field 'escalate' is missing (true for a row a person should get, "
            "false for one routed to its 'agents')"
        )
    escalate = obj["escalate"]
    if not isinstance(escalate, bool):
        raise DatasetError(f"{where}: field 'escalate' must be true or false")
    if escalate == bool(agents):
        raise DatasetError(
            f"{where}: field 'escalate' is {str(escalate).lower()} but 'agents' is "
            f"{agents}; an escalation has no agents and a routed row has at least one"
        )
    subtasks = obj.get("subtasks", len(agents))
    # bool is an int subclass; `true` as a count is a typo, not 1.
    if not isinstance(subtasks, int) or isinstance(subtasks, bool) or subtasks < 0:
        raise DatasetError(f"{where}: field 'subtasks' must be a non-negative integer")
    tags = obj.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        raise DatasetError(f"{where}: field 'tags' must be a list of non-empty strings")
    return EvalRow(
        text=text,
        agents=tuple(agents),
        escalate=escalate,
        subtasks=subtasks,
        tags=tuple(tags),
        line=line,
    )


def read_jsonl(path: str | Path) -> tuple[bytes, Iterator[tuple[int, Any]]]:
    """A JSONL file's bytes, and its non-blank lines decoded one by one with their 1-based line
    numbers. DatasetError names the file when it is missing, unreadable or not UTF-8 (at once),
    the line when one is not JSON, and the file again when it has no rows (as the lines are read).
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"dataset not found: {p}") from None
    except OSError as exc:
        raise DatasetError(f"cannot read dataset {p}: {exc}") from None
    try:
        # A byte-order mark (Notepad, Excel's "CSV UTF-8") opens the first line: not JSON.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{p}: not UTF-8 text ({exc})") from None

    def lines() -> Iterator[tuple[int, Any]]:
        seen = False
        for n, raw in enumerate(text.splitlines(), 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                msg = f"{p}:{n}: not valid JSON: {exc.msg} (column {exc.colno})"
                raise DatasetError(msg) from None
            seen = True
            yield n, obj
        if not seen:
            raise DatasetError(f"{p}: the dataset has no rows")

    return data, lines()


def load_dataset(path: str | Path) -> Dataset:
    """Read and check every row of a JSONL eval file (blank lines are skipped)."""
    p = Path(path)
    data, lines = read_jsonl(p)
    rows = [parse_row(obj, line=n, source=str(p)) for n, obj in lines]
    return Dataset(path=p, rows=rows, sha256=hashlib.sha256(data).hexdigest())


def check_agents(dataset: Dataset, team_agents: list[str]) -> None:
    """Fail early when rows expect agents the team does not have: every such row would be wrong."""
    known = set(team_agents)
    for row in dataset.rows:
        missing = [a for a in row.agents if a not in known]
        if missing:
            raise DatasetError(
                f"{dataset.path}:{row.line}: field 'agents' names {missing}, not in the team "
                f"({', '.join(sorted(known))})"
            )
