"""`ringmaster status`, `summary`, `checkin` and `outbox` in subprocesses over a store that
scripted traffic filled; a stuck run's notification reaches a webhook."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path
from unittest.mock import ANY

import pytest
from rich.cells import cell_len
from rich.console import Console

from ringmaster import cli_options
from ringmaster.agent_status import AgentStatus, seconds_text
from ringmaster.cli_status import _status_view
from ringmaster.clock import utcnow
from ringmaster.graph.slots import SlotRequest
from ringmaster.run_queue import SqlRunQueue
from ringmaster.settings import Settings
from ringmaster.slots import QueueSlots
from ringmaster.tables import make_engine
from tests.ringmaster.ops_traffic import Clock, Traffic
from tests.ringmaster.test_cli import InProcessCli
from tests.ringmaster.test_outbox import SECRET
from tests.ringmaster.webhook import Hook


def test_status_summary_checkin_and_outbox(tmp_path: Path) -> None:
    # SQLite only, in this process: every CLI start costs seconds, and the stores' queries these
    # commands run are tested on both backends in test_agent_status, test_summary and test_outbox.
    cli = InProcessCli(tmp_path, None, tmp_path / "cache")
    engine = make_engine(Settings(home=tmp_path).app_db_url)
    clock = Clock(utcnow() - timedelta(hours=2))
    traffic = Traffic(engine, clock)
    for error in (None, None, "boom"):
        tid = traffic.start([("s1", "billing", [])], ["billing"])
        clock.advance(minutes=30)
        traffic.output(tid, "s1", "billing", error=error)
        traffic.finish(tid)
    stuck = traffic.start([("s1", "support", []), ("s2", "support", [])], ["support"])
    queue = SqlRunQueue(engine, clock, lease_seconds=3600)
    for sid in ("s1", "s2"):  # in the run queue: s1 holds a slot of support, s2 waits
        queue.enqueue(key=f"slot:{stuck}:1:{sid}:1", kind="slot", thread_id=stuck, agent="support")
    assert QueueSlots(queue).acquire(
        SlotRequest(stuck, 1, "s1", 1, "support", "ann", "normal", ("support",)), "w"
    )[1]
    engine.dispose()

    status = {s["name"]: s for s in cli.json("status")}
    assert (status["billing"]["outputs"], status["billing"]["errors"]) == (1, 1)  # last hour
    assert (status["support"]["running"], status["support"]["queue_depth"]) == (1, 1)
    data = json.loads(cli("summary", "--since", "3h", "--format", "json").stdout)
    billing = next(a for a in data["agents"] if a["agent"] == "billing")
    assert (billing["processed"], billing["failed"], billing["median_seconds"]) == (2, 1, 1800.0)
    bad = cli("summary", "--since", "soon", ok=False)
    assert bad.returncode == 2 and bad.stderr.strip().startswith("error: --since 'soon'")

    with Hook([503]) as hook:
        cli.env["RINGMASTER_NOTIFY_WEBHOOK_URL"] = hook.url
        cli.env["RINGMASTER_NOTIFY_WEBHOOK_SECRET"] = SECRET.decode()
        cli.env["RINGMASTER_OUTBOX_BACKOFF_SECONDS"] = "0.01"
        report = cli.json("checkin", "--stuck-minutes", "1")
        assert report["stuck"] == [stuck]
        assert report["outbox"]["delivered"] == [1]  # the 503 was retried within the pass
        assert [s for s, _, _ in hook.requests] == [503, 200]
    rows = cli.json("outbox")["rows"]
    assert [(r["status"], r["attempts"], r["payload"]["kind"]) for r in rows] == [
        ("delivered", 2, "stuck_run")
    ]
    # With a filter nothing matches, the listing says so rather than draw an empty table.
    none = cli("outbox", "--status", "failed").stdout
    assert none.strip() == "no notifications with status failed", none
    cli.env["RINGMASTER_NOTIFY_WEBHOOK_URL"] = "http://example.com/hook"
    refused = cli("outbox", "send", ok=False)
    assert refused.returncode == 2 and "must be https" in refused.stderr


def test_an_empty_outbox_says_so(tmp_path: Path) -> None:
    """Was an empty table titled 'Outbox: ' (its counts, of which there were none)."""
    cli = InProcessCli(tmp_path, None, tmp_path / "cache")
    shown = cli("outbox").stdout
    assert shown.strip() == "no notifications in the outbox", shown
    assert cli.json("outbox") == {"counts": {}, "rows": []}


def test_summary_send_is_once_per_period_however_it_is_written(tmp_path: Path) -> None:
    """`--since 24h` and `--since 1d` in one hour queued two summaries of one period (the
    dedupe key was the --since text)."""
    cli = InProcessCli(tmp_path, None, tmp_path / "cache")
    assert cli("summary", "--send", "--since", "24h").stdout.startswith("summary queued;")
    for same in ("1d", "1440m", "0d24h", " 24h"):
        said = cli("summary", "--send", "--since", same).stdout
        assert said.startswith("a summary of this period was already queued this hour"), same
    assert cli("summary", "--send", "--since", "12h").stdout.startswith("summary queued;")
    assert cli.json("outbox")["counts"] == {"queued": 2}


def test_summary_send_says_whether_it_queued_and_that_nothing_can_deliver_it(
    tmp_path: Path,
) -> None:
    """A second `summary --send` in the same period and hour printed 'summary queued' though
    nothing was queued (one row per period and hour), and with no destination configured
    'delivered 0, retrying 0, failed 0' left out why nothing was sent ('no destination 1', as
    `outbox send` says); `checkin` left it out too."""
    cli = InProcessCli(tmp_path, None, tmp_path / "cache")
    first = cli("summary", "--send").stdout.strip()
    assert first == "summary queued; outbox: delivered 0, retrying 0, failed 0, no destination 1"
    again = " ".join(cli("summary", "--send").stdout.split())
    assert again == (
        "a summary of this period was already queued this hour: not queued again; "
        "outbox: delivered 0, retrying 0, failed 0, no destination 1"
    )
    assert cli.json("outbox")["counts"] == {"queued": 1}
    said = " ".join(cli("checkin").stdout.split())  # the terminal may wrap the line
    assert said.endswith("outbox: delivered 0, retrying 0, failed 0, no destination 1"), said


def test_summary_takes_json_as_every_command_does(tmp_path: Path) -> None:
    """The README says every command takes --json; `summary --json` was 'No such option' (exit
    2), and `summary --send` printed only a line of words, which a script cannot read."""
    cli = InProcessCli(tmp_path, None, tmp_path / "cache")
    assert cli.json("summary") == json.loads(cli("summary", "--format", "json").stdout) | {
        "start": ANY, "end": ANY
    }  # fmt: skip
    assert cli.json("summary", "--send") == {
        "queued": True,
        "outbox": {"delivered": [], "retrying": [], "failed": [], "skipped": [1]},
    }
    assert cli.json("summary", "--send")["queued"] is False  # once per period and hour
    refused = cli("summary", "--json", "--format", "html", ok=False)
    assert json.loads(refused.stdout) == {"error": "--json prints JSON: leave out --format html"}


def test_the_outbox_is_a_reviewers_once_users_exist(tmp_path: Path) -> None:
    """`outbox` listed every notification (an escalation carries the review's request and
    proposed action) to anyone, while `GET /outbox` is a reviewer's. It takes `--as` and
    refuses a requester in the API's line."""
    cli = InProcessCli(tmp_path, None, tmp_path / "cache")
    cli("summary", "--send", "--since", "24h")
    cli("users", "add", "ann", "--scopes", "billing", "--no-token")
    cli("users", "add", "rev", "--role", "reviewer", "--no-token")
    said = "the outbox needs the reviewer role; ann is a requester"
    for args in (("outbox",), ("outbox", "--status", "queued")):
        proc = cli(*args, "--as", "ann", ok=False)
        assert proc.returncode == 2 and "queued" not in proc.stdout, proc.stdout
        assert proc.stderr.strip().splitlines() == [f"error: {said}"]
    proc = cli("outbox", "--json", "--as", "ann", ok=False)
    assert proc.returncode == 2 and json.loads(proc.stdout) == {"error": said}
    assert cli.json("outbox", "--as", "rev")["counts"] == {"queued": 1}


@pytest.mark.parametrize("width", [80, 120])
def test_a_sub_second_agent_reads_as_its_time_not_as_0s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    """The demo agents answer in milliseconds: p50/p95 were printed "0s" (rounded), which read
    as "not measured"; the JSON keeps the seconds as floats."""
    cli = InProcessCli(tmp_path, None, tmp_path / "cache")
    monkeypatch.setattr(cli_options.out, "width", width)
    engine = make_engine(Settings(home=tmp_path).app_db_url)
    clock = Clock(utcnow() - timedelta(minutes=5))
    traffic = Traffic(engine, clock)
    tid = traffic.start([("s1", "billing", [])], ["billing"])
    clock.advance(seconds=0.3)
    traffic.output(tid, "s1", "billing")
    traffic.finish(tid)
    engine.dispose()

    status = {s["name"]: s for s in cli.json("status")}
    assert status["billing"]["p50_seconds"] == pytest.approx(0.3)
    shown = cli("status").stdout
    if width < 100:  # a few lines an agent: its name, then its figures
        lines = shown.splitlines()
        figures = lines[lines.index("billing: ok") + 1]
        assert "p50 0.3s, p95 0.3s" in figures, shown
        assert "p50 –, p95 –" in lines[lines.index("support: ok") + 1], shown
        return
    rows = [line for line in shown.splitlines() if "│ billing" in line]
    assert len(rows) == 1, shown
    [row] = rows
    cells = [c.strip() for c in row.split("│") if c.strip()]
    assert cells[7:9] == ["0.3s", "0.3s"]  # p50, p95; support, which ran nothing, shows "–"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "–"), (0.0, "0s"), (0.02, "<0.1s"), (0.3, "0.3s"), (9.94, "9.9s"), (42.4, "42s"),
     (150, "2.5m")],
)  # fmt: skip
def test_seconds_read_as_a_person_reads_them(seconds: float | None, text: str) -> None:
    assert seconds_text(seconds) == text


def _agent(name: str, reasons: list[str] = ()) -> AgentStatus:  # type: ignore[assignment]
    return AgentStatus(
        name=name, healthy=not reasons, reasons=list(reasons), last_success=None,
        last_error=None, last_error_message=None, outputs=4, errors=3 if reasons else 0,
        refused=1, error_rate=0.75 if reasons else 0.0, health_check=None, queue_depth=2,
        running=1, capacity=4, throughput_per_hour=12.5, p50_seconds=3.2, p95_seconds=1800.0,
        eta_seconds=None,
    )  # fmt: skip


@pytest.mark.parametrize("width", [40, 60, 80, 100, 160])
def test_status_fits_the_terminal_and_breaks_no_name_or_figure(width: int) -> None:
    """At 80 columns the status table folded agent names, headers and figures a few letters a
    line ("suppo / rt", "runni / ng"): what is drawn fits the width, each name and figure
    whole, and an unhealthy agent's reason is all there."""
    reason = "3 of 4 outputs failed in the last 0:15:00 (latest: ValueError: boom)"
    rows = [_agent("support"), _agent("billing", [reason]), _agent("analytics")]
    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(_status_view(rows, width))
    drawn = console.file.getvalue()  # type: ignore[attr-defined]
    assert all(cell_len(line) <= width for line in drawn.splitlines()), drawn
    words = {w.rstrip(",:") for w in re.findall(r"[^\s│┃]+", drawn)}
    assert {"support", "billing", "analytics", "UNHEALTHY", "12.5", "3.2s", "30.0m"} <= words
    assert {"3/4", "0/4"} <= words
    if width >= 160:  # room for every column whole: still the table, the reason in its cell
        assert "┃ agent" in drawn and "│ support" in drawn
        said = [line.split("│")[2] for line in drawn.splitlines() if line.startswith("│")]
    else:
        said = drawn.splitlines()
    assert reason in " ".join(" ".join(said).split()), drawn


def test_status_on_an_80_column_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = InProcessCli(tmp_path, None, tmp_path / "cache")
    monkeypatch.setattr(cli_options.out, "width", 80)
    drawn = cli("status").stdout
    assert all(cell_len(line) <= 80 for line in drawn.splitlines()), drawn
    for name in ("support", "billing", "ops", "content", "analytics", "legal"):
        assert re.search(rf"(^|[\s│]){name}\b", drawn, re.M), (name, drawn)
