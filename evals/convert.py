"""Turn any labelled JSONL into eval rows and into a team roster, so a team bootstraps from data.

A labelled row is a JSON object with a text field and a label field (`--label`). The label
`oos` (configurable) means "belongs to a human": such rows become escalations, and in a roster
the team's `human_examples`. Every other label value becomes one agent, described by its label,
its most distinctive terms and (with `sublabel`, e.g. CLINC150's intents) the sub-labels it
covers, with example requests drawn from the file by a seeded sample.
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer

from ringmaster.agents.errors import TeamFileError
from ringmaster.agents.spec import parse_team
from ringmaster.evals.dataset import read_jsonl
from ringmaster.evals.errors import DatasetError

ECHO_ENTRY = "ringmaster.evals.echo_agent:echo"


@dataclass(frozen=True)
class LabelledRow:
    text: str
    label: str  # the first of `labels`
    sublabel: str | None = None
    line: int = 0
    labels: tuple[str, ...] = ()  # every label of a multi-part row; () means just `label`

    @property
    def all_labels(self) -> tuple[str, ...]:
        return self.labels or (self.label,)


@dataclass
class Labelled:
    """The rows read, and how many were skipped for having no label."""

    rows: list[LabelledRow]
    skipped: int = 0


def _labels(value: object) -> tuple[str, ...] | None:
    """A label field's values: a string, or a list of strings (a multi-part row); None when
    there is no usable label."""
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else None
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(dict.fromkeys(v.strip() for v in value))
    return None


def read_labelled_rows(
    path: str | Path,
    label: str,
    *,
    text_field: str = "text",
    sublabel: str | None = None,
    skip_unlabelled: bool = False,
) -> Labelled:
    """Read `text_field` and `label` (and `sublabel`) from every row; errors name line and field.

    A label (or sub-label) field holds a string or a list of strings (every part of a multi-part
    row). With `skip_unlabelled`, a row whose label is missing or empty is skipped and counted.
    """
    p = Path(path)
    out: list[LabelledRow] = []
    skipped = 0
    _, lines = read_jsonl(p)
    for n, obj in lines:
        if not isinstance(obj, dict):
            raise DatasetError(f"{p}:{n}: expected a JSON object")
        text = obj.get(text_field)
        if not isinstance(text, str) or not text.strip():
            raise DatasetError(f"{p}:{n}: field {text_field!r} must be a non-empty string")
        labels = _labels(obj.get(label))
        if labels is None:
            if skip_unlabelled and obj.get(label) in (None, "", []):
                skipped += 1
                continue
            hint = "" if skip_unlabelled else " (--skip-unlabelled skips rows without one)"
            raise DatasetError(
                f"{p}:{n}: field {label!r} must be a non-empty string or list of strings{hint}"
            )
        sub: str | None = None
        if sublabel:
            subs = _labels(obj.get(sublabel))
            if subs is None:
                raise DatasetError(
                    f"{p}:{n}: field {sublabel!r} must be a non-empty string or list of strings"
                )
            sub = ",".join(subs)
        extra = labels if len(labels) > 1 else ()
        out.append(LabelledRow(text.strip(), labels[0], sub, n, extra))
    if not out:
        raise DatasetError(f"{p}: no row has a {label!r} label ({skipped} skipped without one)")
    return Labelled(out, skipped)


def read_labelled(
    path: str | Path, label: str, *, text_field: str = "text", sublabel: str | None = None
) -> list[LabelledRow]:
    """Every row's text and label(s); a row without a label is an error naming its line."""
    return read_labelled_rows(path, label, text_field=text_field, sublabel=sublabel).rows


def agent_name(label: str) -> str:
    """A label as a valid agent name: lower case, `_` for anything else, a letter first."""
    name = re.sub(r"[^a-z0-9_-]+", "_", label.lower()).strip("_")
    return name if name[:1].isalpha() else f"a_{name}"


def to_eval_rows(rows: Sequence[LabelledRow], *, oos_label: str = "oos") -> list[dict[str, Any]]:
    """One eval row per labelled row; `oos_label` rows are escalations. A multi-label row
    expects each distinct agent (one subtask each, as the planner merges an agent's parts);
    its `oos_label` parts, if any, are left out, as a row cannot expect both."""
    out: list[dict[str, Any]] = []
    for r in rows:
        agents = list(dict.fromkeys(agent_name(x) for x in r.all_labels if x != oos_label))
        if not agents:
            out.append(
                {
                    "text": r.text,
                    "agents": [],
                    "escalate": True,
                    "subtasks": 0,
                    "tags": ["out-of-scope"],
                }
            )
            continue
        tags = ["multi-part" if len(agents) > 1 else "one-part"]
        if len(r.all_labels) > 1:
            tags.append(f"parts:{len(r.all_labels)}")
        if r.sublabel:
            tags.append(f"sublabel:{r.sublabel}")
        out.append(
            {
                "text": r.text,
                "agents": agents,
                "escalate": False,
                "subtasks": len(agents),
                "tags": tags,
            }
        )
    return out


def top_terms(rows: Sequence[LabelledRow], k: int = 8) -> dict[str, list[str]]:
    """Per label, the words that most set it apart: mean TF-IDF inside minus outside the label."""
    labels = sorted({r.label for r in rows})
    texts = [r.text for r in rows]
    vectorizer: TfidfVectorizer | None = None
    for min_df in (2, 1):  # tiny files have few repeated words
        try:
            vectorizer = TfidfVectorizer(
                stop_words="english",
                sublinear_tf=True,
                min_df=min_df,
                token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",
            )
            matrix = vectorizer.fit_transform(texts)
            break
        except ValueError:  # empty vocabulary
            vectorizer = None
    if vectorizer is None:
        return {label: [] for label in labels}
    vocab = np.asarray(vectorizer.get_feature_names_out())
    y = np.asarray([r.label for r in rows])
    out: dict[str, list[str]] = {}
    for label in labels:
        inside = np.asarray(matrix[y == label].mean(axis=0)).ravel()
        outside = matrix[y != label]
        rest = np.asarray(outside.mean(axis=0)).ravel() if outside.shape[0] else 0.0
        gain = inside - rest
        best = [i for i in np.argsort(-gain, kind="stable")[:k] if gain[i] > 0]
        out[label] = [str(vocab[i]) for i in best]
    return out


def _pretty(label: str) -> str:
    words = re.sub(r"[_\-]+", " ", label).strip()
    return words[:1].upper() + words[1:]


def _sample(rows: list[LabelledRow], k: int | None, rng: random.Random) -> list[str]:
    """Up to k distinct texts; with sub-labels, round-robin over them so each is represented."""
    unique: dict[str, LabelledRow] = {}
    for r in rows:
        unique.setdefault(" ".join(r.text.split()), r)
    pool = list(unique.values())
    if k is None or k >= len(pool):
        return [r.text for r in pool]
    groups: dict[str | None, list[LabelledRow]] = defaultdict(list)
    for r in pool:
        groups[r.sublabel].append(r)
    order = sorted(groups, key=lambda g: g or "")
    for g in order:
        rng.shuffle(groups[g])
    picked: list[LabelledRow] = []
    while len(picked) < k:
        for g in order:
            if groups[g] and len(picked) < k:
                picked.append(groups[g].pop())
    picked.sort(key=lambda r: r.line)  # file order reads better in the roster
    return [r.text for r in picked]


@dataclass
class RosterOptions:
    name: str = "team"
    examples_per_agent: int | None = None  # None: every distinct example in the file
    seed: int = 0
    oos_label: str = "oos"
    terms: int = 8
    runtime_entry: str = ECHO_ENTRY
    routing: dict[str, float] = field(default_factory=dict)


def build_team(rows: Sequence[LabelledRow], options: RosterOptions) -> dict[str, Any]:
    """A team file's data: one agent per label value, `oos_label` rows as human examples.
    Multi-label rows are no one agent's examples and are left out."""
    rows = [r for r in rows if len(r.all_labels) == 1]
    by_label: dict[str, list[LabelledRow]] = defaultdict(list)
    for r in rows:
        by_label[r.label].append(r)
    in_scope = [r for r in rows if r.label != options.oos_label]
    if not in_scope:
        raise DatasetError(f"every row is labelled {options.oos_label!r}: no agents to build")
    terms = top_terms(in_scope, options.terms)
    k = options.examples_per_agent
    agents: list[dict[str, Any]] = []
    for label in sorted(by_label):
        if label == options.oos_label:
            continue
        sublabels = sorted({r.sublabel for r in by_label[label] if r.sublabel})
        description = f"{_pretty(label)}: requests about {', '.join(terms[label]) or label}."
        if sublabels:
            description += " Covers: " + ", ".join(_pretty(s).lower() for s in sublabels) + "."
        rng = random.Random(f"{options.seed}:{label}")  # str seeds are stable across runs
        agents.append(
            {
                "name": agent_name(label),
                "description": description,
                "examples": _sample(by_label[label], k, rng),
                "runtime": {"kind": "python", "entry": options.runtime_entry},
            }
        )
    names = [a["name"] for a in agents]
    if len(set(names)) != len(names):
        raise DatasetError(f"labels collide as agent names: {sorted(names)}")
    team: dict[str, Any] = {"name": options.name}
    if options.routing:
        team["routing"] = dict(options.routing)
    team["agents"] = agents
    oos = by_label.get(options.oos_label, [])
    if oos:
        rng = random.Random(f"{options.seed}:{options.oos_label}")
        team["human_examples"] = _sample(oos, k, rng)
    return team


def team_yaml(team: dict[str, Any], header: str = "") -> str:
    """The team as YAML, checked by the same parser every team file goes through."""
    comment = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    text = comment + yaml.safe_dump(team, sort_keys=False, allow_unicode=True, width=100)
    try:
        parse_team(text, source="<generated team>")
    except TeamFileError as exc:
        raise DatasetError(f"the generated team does not validate: {exc}") from None
    return text


def to_jsonl(rows: Sequence[dict[str, Any]]) -> str:
    """Rows as JSONL text, one object a line, non-ASCII kept as it is."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def write_jsonl(rows: Sequence[dict[str, Any]], path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(to_jsonl(rows), encoding="utf-8")
