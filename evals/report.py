"""Render a saved run: a Rich table for the terminal, Markdown for pull requests, and an HTML
page with the confusion-matrix heat map and the reliability curve as embedded PNG images."""

from __future__ import annotations

import base64
import html
import io
from typing import Any

from rich.console import Console
from rich.table import Table

from ringmaster.evals.metrics import SEVERAL
from ringmaster.evals.runner import run_rows

# The figures shown first, in this order; the rest follow alphabetically.
HEADLINE = [
    "accuracy",
    "routing_accuracy",
    "in_scope_accuracy",
    "agent_set_match",
    "macro_f1",
    "escalation_precision",
    "escalation_recall",
    "escalation_f1",
    "escalation_auroc",
    "ece",
    "decomposition_count_accuracy",
    "decomposition_set_f1",
    "one_part_kept_whole",
    "latency_p50_ms",
    "latency_p95_ms",
    "model_calls_per_request",
    "tokens_per_request",
]
WRONG_ROWS_SHOWN = 20


def fmt(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    if name.endswith("_ms"):
        return f"{value:.2f} ms"
    if name in ("rows", "planner_errors"):
        return f"{value:.0f}"
    if name.endswith("_per_request"):
        return f"{value:.2f}"
    return f"{value:.4f}"


def ordered_metrics(metrics: dict[str, Any]) -> list[tuple[str, float | None]]:
    rest = sorted(k for k in metrics if k not in HEADLINE)
    return [(k, metrics[k]) for k in HEADLINE + rest if k in metrics]


def wrong_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Every row the run got wrong, most confident mistakes first (those are the ones to read)."""
    out: list[dict[str, Any]] = []
    for r in run_rows(record):
        if r.correct:
            continue
        out.append(
            {
                "line": r.line,
                "text": r.text,
                "expected": ", ".join(sorted(r.expected_set)),
                "predicted": ", ".join(sorted(r.predicted_set)) or "-",
                "confidence": r.first_top_score,
                "error": r.error,
            }
        )
    out.sort(key=lambda x: -x["confidence"])
    return out


def _title(record: dict[str, Any]) -> str:
    cfg = record["config"]
    return (
        f"{cfg['planner']} on {record['dataset']['path']} "
        f"({record['dataset']['rows']} rows, team {cfg['team']['name']})"
    )


def print_terminal(record: dict[str, Any], console: Console, *, wrong: int = 10) -> None:
    table = Table(title=_title(record), show_header=True)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in ordered_metrics(record["metrics"]):
        table.add_row(name, fmt(name, value))
    console.print(table)
    labels = Table(title="per label", show_header=True)
    for col in ("label", "precision", "recall", "f1", "support"):
        labels.add_column(col, justify="left" if col == "label" else "right")
    for label, v in record["per_label"].items():
        labels.add_row(
            label,
            f"{v['precision']:.3f}",
            f"{v['recall']:.3f}",
            f"{v['f1']:.3f}",
            str(v["support"]),
        )
    console.print(labels)
    if record.get("slices"):
        slices = Table(title="accuracy by tag", show_header=True)
        for col in ("tag", "rows", "accuracy"):
            slices.add_column(col, justify="left" if col == "tag" else "right")
        for tag, v in record["slices"].items():
            slices.add_row(tag, str(int(v["rows"])), f"{v['accuracy']:.3f}")
        console.print(slices)
    mistakes = wrong_rows(record)
    if shown := mistakes[:wrong]:
        bad = Table(title=f"most confident mistakes (of {len(mistakes)})")
        for col in ("line", "text", "expected", "predicted", "conf"):
            bad.add_column(col, overflow="fold")
        for r in shown:
            bad.add_row(
                str(r["line"]), r["text"], r["expected"], r["predicted"], f"{r['confidence']:.2f}"
            )
        console.print(bad)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(record: dict[str, Any], *, wrong: int = WRONG_ROWS_SHOWN) -> str:
    """A pull-request comment: headline metrics, per-label scores, slices, worst mistakes."""
    git = record.get("git") or {}
    lines = [
        f"### Routing eval: {_md_escape(_title(record))}",
        "",
        f"Run `{record['id']}` at commit `{(git.get('commit') or '?')[:12]}`"
        f"{' (dirty)' if git.get('dirty') else ''}, dataset sha256 "
        f"`{record['dataset']['sha256'][:12]}`.",
        "",
        "| metric | value |",
        "| --- | ---: |",
    ]
    lines += [f"| {k} | {fmt(k, v)} |" for k, v in ordered_metrics(record["metrics"])]
    lines += [
        "",
        "| label | precision | recall | f1 | support |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, v in record["per_label"].items():
        lines.append(
            f"| {label} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} "
            f"| {v['support']} |"
        )
    if record.get("slices"):
        lines += ["", "| tag | rows | accuracy |", "| --- | ---: | ---: |"]
        lines += [
            f"| {t} | {int(v['rows'])} | {v['accuracy']:.3f} |" for t, v in record["slices"].items()
        ]
    mistakes = wrong_rows(record)
    if shown := mistakes[:wrong]:
        lines += [
            "",
            f"<details><summary>{len(shown)} most confident mistakes "
            f"(of {len(mistakes)})</summary>",
            "",
            "| line | text | expected | predicted | conf |",
            "| ---: | --- | --- | --- | ---: |",
        ]
        lines += [
            f"| {r['line']} | {_md_escape(r['text'])} | {r['expected']} | {r['predicted']} "
            f"| {r['confidence']:.2f} |"
            for r in shown
        ]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend: no display on CI machines and servers."""
    from ringmaster.extras import require

    matplotlib = require("matplotlib", "reports")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def confusion_png(record: dict[str, Any]) -> str | None:
    labels = record["confusion"]["labels"]
    matrix = record["confusion"]["matrix"]
    if not labels:
        return None
    import numpy as np

    plt = _pyplot()

    counts = np.asarray(matrix, dtype=float)
    rows = [lab for lab in labels if lab != SEVERAL]  # nothing is expected to be "several"
    counts = counts[: len(rows)]
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    size = max(4.0, 0.55 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("predicted")
    ax.set_ylabel("expected")
    ax.set_title("confusion (row share; counts in cells)")
    for i in range(len(rows)):
        for j in range(len(labels)):
            if counts[i, j]:
                color = "white" if share[i, j] > 0.5 else "black"
                ax.text(j, i, f"{int(counts[i, j])}", ha="center", va="center", color=color)
    out = _png(fig)
    plt.close(fig)
    return out


def reliability_png(record: dict[str, Any]) -> str | None:
    bins = [b for b in record["reliability"] if b["count"]]
    if not bins:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    width = record["reliability"][0]["hi"] - record["reliability"][0]["lo"]
    ax.bar(
        [b["lo"] for b in bins],
        [b["accuracy"] for b in bins],
        width=width,
        align="edge",
        edgecolor="black",
        alpha=0.7,
        label="accuracy in bin",
    )
    ax.plot(
        [b["confidence"] for b in bins],
        [b["accuracy"] for b in bins],
        "o",
        color="C1",
        label="mean confidence",
    )
    ax.plot([0, 1], [0, 1], "--", color="gray", label="perfect calibration")
    for b in bins:
        ax.text(b["lo"] + width / 2, 0.02, str(b["count"]), ha="center", fontsize=7)
    ece = record["metrics"].get("ece")
    ax.set_title(f"reliability (top route, in-scope rows); ECE {fmt('ece', ece)}")
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8)
    out = _png(fig)
    plt.close(fig)
    return out


def html_page(record: dict[str, Any]) -> str:
    """A self-contained page (images inline), so it can be attached to a CI run as one file."""
    e = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{e(_title(record))}</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
        "padding:3px 8px}td.n{text-align:right}img{margin:1em 1em 0 0}</style></head><body>",
        f"<h1>{e(_title(record))}</h1>",
        f"<p>run {e(record['id'])}, commit {e(str((record.get('git') or {}).get('commit')))}, "
        f"dataset sha256 {e(record['dataset']['sha256'][:16])}…</p>",
        "<table><tr><th>metric</th><th>value</th></tr>",
    ]
    parts += [
        f"<tr><td>{e(k)}</td><td class='n'>{e(fmt(k, v))}</td></tr>"
        for k, v in ordered_metrics(record["metrics"])
    ]
    parts.append("</table>")
    for name, png in (
        ("confusion matrix", confusion_png(record)),
        ("reliability curve", reliability_png(record)),
    ):
        if png:
            parts.append(f"<img alt='{name}' src='data:image/png;base64,{png}'>")
    parts.append(
        "<h2>per label</h2><table><tr><th>label</th><th>precision</th><th>recall</th>"
        "<th>f1</th><th>support</th></tr>"
    )
    for label, v in record["per_label"].items():
        parts.append(
            f"<tr><td>{e(label)}</td><td class='n'>{v['precision']:.3f}</td>"
            f"<td class='n'>{v['recall']:.3f}</td><td class='n'>{v['f1']:.3f}</td>"
            f"<td class='n'>{v['support']}</td></tr>"
        )
    parts.append("</table>")
    mistakes = wrong_rows(record)
    if shown := mistakes[:WRONG_ROWS_SHOWN]:
        parts.append(
            f"<h2>most confident mistakes (of {len(mistakes)})</h2><table>"
            "<tr><th>line</th><th>text</th><th>expected</th><th>predicted</th>"
            "<th>conf</th></tr>"
        )
        parts += [
            f"<tr><td class='n'>{r['line']}</td><td>{e(r['text'])}</td><td>{e(r['expected'])}"
            f"</td><td>{e(r['predicted'])}</td><td class='n'>{r['confidence']:.2f}</td></tr>"
            for r in shown
        ]
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)
