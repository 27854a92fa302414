"""`ringmaster serve` in its own process: it starts, recovers, answers health and tokens."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from ringmaster.accounts import Accounts
from ringmaster.settings import Settings
from ringmaster.tables import make_engine

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_starts_and_answers(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    accounts = Accounts(make_engine(settings.app_db_url))
    accounts.add("ops", "admin")
    token = accounts.issue_token("ops")
    port = _free_port()
    env = {**os.environ, "RINGMASTER_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("RINGMASTER_DB_URL", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ringmaster.cli_serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)  # polling a port that is not open yet: nothing to wait on
        else:
            raise AssertionError("the server never became ready")
        assert httpx.get(f"{base}/me").status_code == 401
        me = httpx.get(f"{base}/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["name"] == "ops"
        agents = httpx.get(f"{base}/agents", headers={"Authorization": f"Bearer {token}"})
        assert {a["name"] for a in agents.json()} >= {"billing", "ops"}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
