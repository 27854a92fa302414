"""Issue 12: every file ringmaster writes under its home is its owner's alone (0600, dirs 0700).

The stores hold requests, decisions and tokens' hashes, the caches and the key what signs
the audit trail: with a umask that leaves files world-readable (022, the usual one), a demo
run, a review and an export still leave nothing another user of the machine can read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from ringmaster.graph.state import Requester
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from tests.ringmaster.test_cli import DEMO, Cli


def modes(home: Path) -> dict[str, int]:
    out = {".": stat.S_IMODE(home.stat().st_mode)}
    for path in home.rglob("*"):
        out[str(path.relative_to(home))] = stat.S_IMODE(path.lstat().st_mode)
    return out


def not_private(home: Path) -> dict[str, str]:
    found = modes(home)
    dirs = {name for name in found if (home / name).is_dir()}
    return {
        name: oct(mode)
        for name, mode in found.items()
        if mode != (0o700 if name in dirs else 0o600)
    }


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_a_demo_run_a_review_and_an_export_leave_only_private_files(tmp_path: Path) -> None:
    import yaml

    from ringmaster.agents.demo import TEAM_FILE

    home = tmp_path / "home"
    run = Cli(home, None, None)
    # The demo team with other examples, so the planner trains and caches a model of its own
    # (the demo team's own is shipped in the package and needs no cache). Fifteen examples an
    # agent keep the training short (too few for a learned cutter); it is cached all the same.
    spec = yaml.safe_load(TEAM_FILE.read_text(encoding="utf-8"))
    for agent in spec["agents"]:
        agent["examples"] = agent["examples"][:15]
    spec["agents"][0]["examples"].append("my password reset link expired")
    team = tmp_path / "team.yaml"
    team.write_text(yaml.safe_dump(spec), encoding="utf-8")
    run.env["RINGMASTER_TEAM_FILE"] = str(team)
    run.env["RINGMASTER_POLICY_FILE"] = str(TEAM_FILE.with_name("policy.yaml"))

    def cli(*args: str) -> str:
        return run(*args, umask=0o022).stdout

    import json

    out = json.loads(cli("run", DEMO, "--json"))
    assert out["pending"]
    cli("review", "approve", out["pending"][0]["id"], "--as", "alice", "--json")
    cli("audit", "export", str(home / "trail.jsonl"))
    names = set(modes(home))
    # The stores, the planner's cache and its key, the audit key and the export are there.
    assert {"ringmaster.db", "checkpoints.db", "demo-company.db", "audit.key"} <= names
    assert {"cache", "cache/.model-key", "trail.jsonl"} <= names
    assert any(n.startswith("cache/local-planner-") for n in names)
    assert not_private(home) == {}


def test_stores_and_their_wal_files_are_private_while_open(
    tmp_path: Path, loose_umask: None
) -> None:
    """In-process use (no CLI umask): the stores make their files private themselves."""
    home = tmp_path / "home"
    with Runner(Settings(home=home, planner_cache=tmp_path / "cache")) as runner:
        runner.submit("How many open tickets do we have?", requester=Requester(id="ann"))
        names = set(modes(home))
        assert {"checkpoints.db-wal", "ringmaster.db-wal"} <= names, names
        assert not_private(home) == {}


def test_every_folder_made_above_the_stores_is_private(tmp_path: Path, loose_umask: None) -> None:
    """A home two folders down that does not exist yet: both folders made are owner-only, not
    only the last one (`mkdir(mode=0o700, parents=True)` leaves the upper ones 0755)."""
    home = tmp_path / "new" / "deeper" / "home"
    with Runner(Settings(home=home, planner_cache=tmp_path / "cache")) as runner:
        runner.submit("How many open tickets do we have?", requester=Requester(id="ann"))
    assert not_private(tmp_path / "new") == {}


def test_making_an_open_database_private_keeps_this_process_s_sqlite_locks(
    tmp_path: Path,
) -> None:
    """POSIX locks belong to the process and go when any descriptor of the file is closed.
    Making a database private while a connection of this process has it open must not open and
    close the file: another process closing its connection would then take itself for the last
    one and delete the WAL under the first ("disk I/O error")."""
    import sqlite3
    import subprocess
    import sys

    from ringmaster.private_files import private_file

    db = tmp_path / "store.db"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE t (x)")
    holder.execute("INSERT INTO t VALUES (1)")
    try:
        private_file(db)
        subprocess.run(
            [sys.executable, "-c",
             "import sqlite3, sys\n"
             "c = sqlite3.connect(sys.argv[1])\n"
             "c.execute('SELECT count(*) FROM t').fetchall()\n"
             "c.close()\n",
             str(db)],
            check=True, timeout=60,
        )  # fmt: skip
        assert Path(f"{db}-wal").exists()  # the other process knew it was not the last
        assert holder.execute("SELECT count(*) FROM t").fetchone() == (1,)
    finally:
        holder.close()
