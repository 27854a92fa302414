"""Write the figures in benchmarks/README.md from the benchmarks' `--json` output.

Each benchmark has a block in the README between two markers, and only that block is
rewritten: the command that produced the figures, when, and the machine's load beside the
tables, then the tables and the verdicts, all from the JSON.

    .venv/bin/python -m benchmarks.overhead --json > /tmp/overhead.json
    .venv/bin/python -m benchmarks.llm_calls --json > /tmp/llm_calls.json
    .venv/bin/python -m benchmarks.cli_startup --json > /tmp/cli_startup.json
    .venv/bin/python -m benchmarks.readme /tmp/overhead.json /tmp/llm_calls.json \\
        /tmp/cli_startup.json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parent / "README.md"


def begin(name: str) -> str:
    return f"<!-- generated from {name} --json by benchmarks/readme.py: do not edit -->"


def end(name: str) -> str:
    return f"<!-- end of {name} -->"


def _load(m: dict[str, Any]) -> str:
    one, five, fifteen = m["load"]
    return f"{one:g} / {five:g} / {fifteen:g}"


def provenance(doc: dict[str, Any]) -> str:
    """The command, when it ran, and the machine's load (1 / 5 / 15 min) before and after."""
    before, after = doc["machine"]["before"], doc["machine"]["after"]
    return (
        f"`{doc['command']}`, run {before['at']} on {before['cpus']} CPUs; load average "
        f"(1 / 5 / 15 min) {_load(before)} before, {_load(after)} after."
    )


Column = tuple[str, str, Callable[[Any], str]]


def markdown_table(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    head = "| " + " | ".join(c for c, _, _ in columns) + " |"
    align = "| " + " | ".join("---" if i == 0 else "---:" for i in range(len(columns))) + " |"
    body = ["| " + " | ".join(fmt(row[key]) for _, key, fmt in columns) + " |" for row in rows]
    return "\n".join([head, align, *body])


def _f(spec: str) -> Callable[[Any], str]:
    return lambda v: "-" if v is None else format(v, spec)


def _system(row: dict[str, Any]) -> str:
    name = row["system"]
    if not row.get("equal_work", True):
        return f"{name} *(not equal work: {row['note']})*" if row.get("note") else name
    return f"**{name}**" if row.get("note") == "headline" else name


def verdict_list(doc: dict[str, Any]) -> str:
    return "\n".join(f"- {v['text']}" for v in doc["verdicts"])


def render_overhead(doc: dict[str, Any]) -> str:
    systems = [{**s, "system": _system(s)} for s in doc["systems"]]
    zero = markdown_table(
        systems,
        [
            ("system", "system", str),
            ("median ms", "median_ms", _f(".1f")),
            ("p95 ms", "p95_ms", _f(".1f")),
            ("CPU ms", "cpu_median_ms", _f(".1f")),
            ("ckpt bytes/req", "checkpoint_bytes_per_request", _f(",.0f")),
            ("file bytes/req", "file_bytes_per_request", _f(",.0f")),
            ("checkpoints/req", "checkpoints_per_request", _f("g")),
            ("writes/req", "writes_per_request", _f("g")),
            ("calls/req", "model_calls_per_request", _f("g")),
            ("prompt tok/req", "prompt_tokens_per_request", _f(",.0f")),
            ("output tok/req", "output_tokens_per_request", _f(",.0f")),
        ],
    )
    parts = [
        provenance(doc),
        "",
        f"Zero latency, {doc['requests']} requests per system:",
        "",
        zero,
    ]
    if doc["latency"]:
        lat = doc["latency_model"]
        rows = [{**r, "system": _system(r)} for r in doc["latency"]]
        parts += [
            "",
            f"Latency, {doc['latency_requests']} requests per system: "
            f"{lat['per_call_ms']:g} ms a call + {lat['per_prompt_token_ms']:g} ms a prompt "
            f"token + {lat['per_output_token_ms']:g} ms an output token:",
            "",
            markdown_table(
                rows,
                [
                    ("system", "system", str),
                    ("wall ms", "wall_median_ms", _f(",.0f")),
                    ("p95 ms", "wall_p95_ms", _f(",.0f")),
                    ("floor ms", "floor_median_ms", _f(",.0f")),
                    ("above floor ms", "overhead_median_ms", _f(",.0f")),
                    ("above floor", "overhead_share", _f(".1%")),
                ],
            ),
        ]
    return "\n".join([*parts, "", verdict_list(doc)])


def render_llm_calls(doc: dict[str, Any]) -> str:
    base = doc["rows"][0]["prompt_tokens"]
    rows = [{**r, "share": r["prompt_tokens"] / base} for r in doc["rows"]]
    table = markdown_table(
        rows,
        [
            ("system", "system", str),
            ("calls/req", "model_calls", _f("g")),
            ("prompt tok/req", "prompt_tokens", _f(",.0f")),
            ("share of create_supervisor's", "share", _f(".0%")),
            ("output tok/req", "output_tokens", _f(",.0f")),
            ("median ms", "median_ms", _f(".1f")),
            ("planned locally", "planned_locally", _f(".0%")),
        ],
    )
    intro = f"{doc['requests']} requests per system:"
    return "\n".join([provenance(doc), "", intro, "", table, "", verdict_list(doc)])


def _largest(dists: Sequence[dict[str, Any]]) -> str:
    return ", ".join(f"{d['name']} {d['mb']:.0f} MB" for d in dists)


def render_cli_startup(doc: dict[str, Any]) -> str:
    rows = [{**r, "command": f"`ringmaster {r['command']}`"} for r in doc["startup"]]
    table = markdown_table(
        rows,
        [
            ("command", "command", str),
            ("median s", "median_s", _f(".2f")),
            ("min s", "min_s", _f(".2f")),
            ("max s", "max_s", _f(".2f")),
            ("CPU s (median)", "cpu_median_s", _f(".2f")),
            ("runs", "runs", str),
            ("target s", "target_s", _f("g")),
        ],
    )
    parts = [provenance(doc), "", table, ""]
    size = doc["install"]
    if size is None:
        parts.append("Install size not measured in this run (`--no-install-size`).")
    else:
        light = size["without_ml_stack"]
        parts += [
            f"Default install (`pip install .`, no extras, into a fresh virtual environment): "
            f"**{size['total_mb']:.0f} MB in {size['distributions']} distributions**; the "
            f"largest: {_largest(size['largest'])}.",
            "",
        ]
        if light["distributions"] == size["distributions"]:  # the same install: nothing to drop
            parts.append(
                "No numpy, SciPy or scikit-learn among its dependencies: the floor (the same "
                "install without them) is the install itself."
            )
        else:
            parts.append(
                f"Of which the local planner's ML stack (numpy, SciPy, scikit-learn and what only "
                f"they bring): {light['ml_stack_mb']:.0f} MB. Without it, the floor of a default "
                f"install: **{light['total_mb']:.0f} MB in {light['distributions']} "
                f"distributions**; the largest: {_largest(light['largest'])}."
            )
    return "\n".join([*parts, "", verdict_list(doc)])


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "overhead": render_overhead,
    "llm_calls": render_llm_calls,
    "cli_startup": render_cli_startup,
}


def update(text: str, doc: dict[str, Any]) -> str:
    """The README text with the benchmark's block rewritten from its JSON document."""
    name = doc.get("benchmark")
    if name not in RENDERERS:
        raise ValueError(f"not a benchmark's --json output (benchmark: {name!r})")
    pattern = re.compile(re.escape(begin(name)) + r".*?" + re.escape(end(name)), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"the README has no block for {name}: add {begin(name)!r} … {end(name)!r}")
    block = f"{begin(name)}\n{RENDERERS[name](doc)}\n{end(name)}"
    return pattern.sub(lambda _: block, text, count=1)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("json_files", nargs="+", type=Path, help="the benchmarks' --json output")
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args(argv)
    text = args.readme.read_text()
    for path in args.json_files:
        try:
            doc = json.loads(path.read_text())
            text = update(text, doc)
        except (OSError, ValueError) as exc:  # JSONDecodeError is a ValueError
            sys.exit(f"{path}: {exc}")
    args.readme.write_text(text)


if __name__ == "__main__":
    main()
