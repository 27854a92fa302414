"""`ringmaster serve` in its own process: it starts, recovers, answers health and tokens."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from benchmarks.scale_out import listening_url
from ringmaster.accounts import Accounts
from ringmaster.settings import Settings
from ringmaster.tables import make_engine
from tests.ringmaster.test_cli import Cli

ROOT = Path(__file__).resolve().parents[3]


def test_serve_starts_and_answers(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    accounts = Accounts(make_engine(settings.app_db_url))
    accounts.add("ops", "admin")
    token = accounts.issue_token("ops")
    env = {**os.environ, "RINGMASTER_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("RINGMASTER_DB_URL", None)
    env["RINGMASTER_LOG_FORMAT"] = "text"  # --json below: JSON lines all the same
    log_path = tmp_path / "serve.log"
    # Port 0: the server binds a port the system picks (nothing else can take it between
    # choosing and binding), and its start-up line at --log-level info names it.
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ringmaster.cli_serve",
                "--port",
                "0",
                "--log-level",
                "info",
                "--json",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        base = ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, log_path.read_text()
            base = base or listening_url(log_path.read_text()) or ""
            try:
                if base and httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)  # polling the log and a port not open yet: nothing to wait on
        else:
            raise AssertionError(f"the server never became ready: {log_path.read_text()}")
        assert base.startswith("http://127.0.0.1:") and not base.endswith(":0")
        assert httpx.get(f"{base}/me").status_code == 401
        me = httpx.get(f"{base}/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["name"] == "ops"
        agents = httpx.get(f"{base}/agents", headers={"Authorization": f"Bearer {token}"})
        assert {a["name"] for a in agents.json()} >= {"billing", "ops"}
        lines = [line for line in log_path.read_text().splitlines() if line.strip()]
        assert lines and all(json.loads(line) for line in lines), lines[:3]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_port_in_use_is_one_line_before_anything_starts(cli_in_process: Cli) -> None:
    """Not uvicorn's JSON log lines around '[Errno 98] … address already in use' and exit 3."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = cli_in_process("serve", "--port", str(port), ok=False)
    assert out.returncode == 2 and out.stdout == ""
    (line,) = out.stderr.strip().splitlines()
    assert line.startswith(f"error: cannot listen on 127.0.0.1:{port}: ") and "--port 0" in line
    bad = cli_in_process("serve", "--host", "no-such-host.invalid", "--port", "8000", ok=False)
    assert bad.returncode == 2 and "cannot listen on no-such-host.invalid:8000" in bad.stderr
    # --json, as every command takes it (README): the error is one JSON object on stdout.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = cli_in_process("serve", "--port", str(port), "--json", ok=False)
    assert out.returncode == 2, out.stderr
    error = json.loads(out.stdout)["error"]
    assert error.startswith(f"cannot listen on 127.0.0.1:{port}: ")


def test_a_bad_log_level_or_a_bad_host_with_port_0_is_one_line(cli_in_process: Cli) -> None:
    """`serve --log-level bogus` printed a traceback (KeyError: 'bogus' from uvicorn's
    logging set-up), where RINGMASTER_LOG_LEVEL=bogus is one line; and `--port 0` skipped the
    address check, so a host that is no address here was uvicorn's log lines instead."""
    level = cli_in_process("serve", "--log-level", "bogus", ok=False)
    assert level.returncode == 2 and "Traceback" not in level.stderr
    (line,) = level.stderr.strip().splitlines()
    assert line.startswith("error: Invalid value for '--log-level': 'bogus' is not one of"), line
    host = cli_in_process("serve", "--host", "no-such-host.invalid", "--port", "0", ok=False)
    assert host.returncode == 2 and host.stdout == ""
    (line,) = host.stderr.strip().splitlines()
    assert line.startswith("error: cannot listen on no-such-host.invalid:0: "), line
    assert "--port 0 picks" not in line  # it was given


def test_python_m_cli_serve_is_handled_as_ringmaster_serve(tmp_path: Path) -> None:
    """`python -m ringmaster.cli_serve` (what `make serve` runs) printed a traceback and exited
    1 for a bad address or setting, where `ringmaster serve` says one line and exits 2."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RINGMASTER_")}
    env.update(RINGMASTER_HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    for args, extra, said in (
        (["--host", "no-such-host.invalid"], {}, "error: cannot listen on no-such-host.invalid"),
        ([], {"RINGMASTER_API_PORT": "abc"}, "error: setting RINGMASTER_API_PORT"),
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "ringmaster.cli_serve", *args],
            cwd=ROOT,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 2 and proc.stdout == "", proc.stderr
        (line,) = proc.stderr.strip().splitlines()
        assert line.startswith(said), proc.stderr


def test_python_m_cli_eval_is_ringmaster_eval(tmp_path: Path) -> None:
    """`python -m ringmaster.cli_eval` ran the eval app without the CLI's handling (a
    traceback for a bad option) and before its last commands were defined ('No such command
    'conversations'')."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RINGMASTER_")}
    env.update(RINGMASTER_HOME=str(tmp_path), PYTHONPATH=str(ROOT))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ringmaster.cli_eval", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    assert run("conversations", "--help").returncode == 0
    bad = run("run", "--team", "x.yaml", "--dataset", "y.jsonl", "--limt", "3")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    assert bad.stderr.startswith("error: No such option '--limt'"), bad.stderr
