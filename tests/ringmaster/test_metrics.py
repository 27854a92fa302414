"""/metrics across processes: with PROMETHEUS_MULTIPROC_DIR set, two workers' request counts
add up in a scrape made by a third process, and the exposition parses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]

WORKER = """
from ringmaster.metrics import REQUESTS
for _ in range({n}):
    REQUESTS.labels("GET", "/agents/status", "200").inc()
"""
SCRAPE = """
import sys
from ringmaster.metrics import render
sys.stdout.write(render(None).decode())
"""


def python(code: str, env: dict[str, str]) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_request_counts_add_up_across_worker_processes(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    python(WORKER.format(n=3), env)
    python(WORKER.format(n=4), env)
    text = python(SCRAPE, env)
    values = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    key = (("method", "GET"), ("route", "/agents/status"), ("status", "200"))
    assert values[("ringmaster_http_requests_total", key)] == 7
