"""`ringmaster audit`: show, verify (the database or an export) and export, in new processes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from tests.ringmaster.test_cli import Cli


def test_export_and_verify_a_copy(cli_in_process: Cli, tmp_path: Path) -> None:
    cli = cli_in_process
    out = cli.json("run", "How many open tickets do we have?")
    story = cli.json("audit", out["thread_id"])  # a thread id alone still shows its story
    assert story[0]["kind"] == "request_received"
    assert cli.json("audit", "show", out["thread_id"]) == story
    assert cli.json("audit", "show", out["thread_id"][:6]) == story  # as `thread show` takes
    key = cli.home / "audit.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600  # keyed by default, key kept private

    copy = tmp_path / "trail.jsonl"
    assert cli.json("audit", "export", str(copy))["events"] == len(story)
    assert cli.json("audit", "verify", "--file", str(copy)) == {"ok": True, "problems": []}
    again = cli("audit", "export", str(copy), ok=False)
    assert again.returncode == 2 and "exists" in again.stderr

    lines = copy.read_text().splitlines()
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:-2] + lines[-1:]) + "\n")
    proc = cli("audit", "verify", "--file", str(cut), ok=False)
    assert proc.returncode == 1 and "deleted from the end" in proc.stderr
    assert json.loads(cli("audit", "verify", "--json").stdout)["ok"] is True
    missing = cli("audit", "verify", "--file", str(tmp_path / "nope.jsonl"), ok=False)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_export_into_a_missing_folder_is_one_line(cli_in_process: Cli, tmp_path: Path) -> None:
    # It printed a traceback (FileNotFoundError from os.open).
    proc = cli_in_process("audit", "export", str(tmp_path / "nowhere" / "t.jsonl"), ok=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"error: no folder {str(tmp_path / 'nowhere')!r} to write 't.jsonl' in"
    ]


def test_a_line_cut_short_says_so() -> None:
    """`audit THREAD` shows each event on one line; a cut one ends in "…", so "the invoice is
    299.00 and 2" is never read as the whole of what the agent said."""
    from datetime import UTC, datetime

    from ringmaster.audit import AuditEvent
    from ringmaster.cli_audit import _event_line

    said = (
        "proposed refunding 299.00 USD on INV-1007 to CUS-1007 (the customer cancelled); "
        "the invoice is 299.00 and 299.00 was paid."
    )
    short = "proposed nothing."

    def line(kind: str, data: dict[str, object]) -> str:
        at = datetime(2026, 12, 5, tzinfo=UTC)
        return _event_line(AuditEvent(1, "t", at, "agent:billing", kind, data, "", ""))

    cut = line("agent_output", {"subtask_id": "t1", "summary": said})
    assert cut.endswith("…") and said.startswith(cut.split("t1 ", 1)[1][:-1])
    assert line("agent_output", {"subtask_id": "t1", "summary": short}).endswith("t1 " + short)
    request = line("request_received", {"request": said})
    assert request.endswith("…") and "'proposed refunding" in request


def test_a_long_error_is_one_line(cli_in_process: Cli, tmp_path: Path) -> None:
    """Messages printed by the commands themselves (not only run_app's) are not wrapped at the
    console's width: a long path stays on the one line that says what is wrong."""
    far = tmp_path / ("a-folder-with-a-long-name-" * 6) / "trail.jsonl"
    missing = cli_in_process("audit", "verify", "--file", str(far), ok=False)
    assert missing.returncode == 2
    (line,) = missing.stderr.strip().splitlines()
    assert line == f"error: --file: no such file {str(far)!r}"


def test_a_file_that_is_no_export_is_not_called_tampered(
    cli_in_process: Cli, tmp_path: Path
) -> None:
    """An empty file or a JSON list said "tampered", as though an export had been changed."""
    empty, other = tmp_path / "empty.jsonl", tmp_path / "list.json"
    empty.write_text("")
    other.write_text('[{"seq": 1}]\n')
    for file, why in [(empty, "it is empty"), (other, "its first line is not an exported")]:
        proc = cli_in_process("audit", "verify", "--file", str(file), ok=False)
        assert proc.returncode == 2 and "tampered" not in proc.stderr
        (line,) = proc.stderr.strip().splitlines()
        assert line.startswith(f"error: {file} is not an audit export: {why}")


def test_export_and_verify_of_the_database_are_an_admins_once_users_exist(
    cli_in_process: Cli, tmp_path: Path
) -> None:
    """`audit export` wrote every thread's story (requests, proposed refunds, decisions) to a
    file for anyone, and `audit verify` checked the whole trail for anyone, while the API
    keeps `GET /audit/verify` to admins and a requester to their own threads' trail. Both take
    `--as` now and refuse any other role in one line; an exported copy is anyone's to check."""
    cli = cli_in_process
    cli("users", "add", "ann", "--scopes", "billing", "--no-token")
    cli("users", "add", "rev", "--role", "reviewer", "--no-token")
    cli("users", "add", "adm", "--role", "admin", "--no-token")
    cli.json("run", "Refund 250.00 on invoice INV-1010", "--as", "ann")
    copy = tmp_path / "trail.jsonl"
    for who, role in (("ann", "requester"), ("rev", "reviewer")):
        for args, what in ((("export", str(copy)), "export"), (("verify",), "verify")):
            proc = cli("audit", *args, "--as", who, ok=False)
            assert proc.returncode == 2, proc.stderr
            assert proc.stderr.strip().splitlines() == [
                f"error: audit {what} needs the admin role; {who} is a {role}"
            ]
    assert not copy.exists()
    proc = cli("audit", "export", str(copy), "--as", "nobody", ok=False)
    assert proc.returncode == 2 and "'nobody' is not a user" in proc.stderr
    assert cli.json("audit", "export", str(copy), "--as", "adm")["events"] > 0
    assert cli.json("audit", "verify", "--as", "adm") == {"ok": True, "problems": []}
    checked = cli.json("audit", "verify", "--file", str(copy), "--as", "ann")
    assert checked == {"ok": True, "problems": []}


def test_a_thread_with_no_request_yet_says_its_trail_is_empty(cli_in_process: Cli) -> None:
    """`audit show` of a thread made by `POST /threads` and sent nothing printed nothing."""
    from ringmaster.runner import Runner
    from ringmaster.settings import Settings

    with Runner(Settings(home=cli_in_process.home), recover_on_start=False) as runner:
        thread = runner.threads.create("e" * 16, "root").id
    said = cli_in_process("audit", "show", thread).stdout
    assert said.split() == f"no audit events for thread {thread}: it has had no request yet".split()
    assert cli_in_process.json("audit", "show", thread) == []
