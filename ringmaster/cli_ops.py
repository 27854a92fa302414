"""Operations commands: `ringmaster policy check` and `ringmaster escalate` (for cron)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ringmaster.agents.policy import check_policy, load_policy
from ringmaster.cli_options import AsOpt, me
from ringmaster.cli_output import JsonOpt, err, out, print_json
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from ringmaster.wiring import load_team_and_tools

policy_app = typer.Typer(no_args_is_help=True, help="Policy files: check one against the team.")


@policy_app.command("check")
def policy_check(
    file: Annotated[
        Path | None, typer.Argument(help="Policy YAML (default: the configured one).")
    ] = None,
    json_mode: JsonOpt = False,
) -> None:
    """Validate a policy file and check it fits the team and its tools; exit 1 if not."""
    settings = Settings()
    path = file or settings.effective_policy_file
    policy = load_policy(path) if path else None
    team, tools = load_team_and_tools(settings)
    problems = check_policy(policy, team, tools) if policy else []
    if json_mode:
        print_json({"file": str(path) if path else None, "ok": not problems, "problems": problems})
    elif problems:
        for p in problems:
            err.print(f"{path}: {p}", markup=False, soft_wrap=True)
    else:
        out.print(f"{path or 'no policy file'}: ok for team {team.name!r}", markup=False)
    if problems:
        raise typer.Exit(1)


def escalate(as_: AsOpt = None, json_mode: JsonOpt = False) -> None:
    """Escalate pending reviews past their deadline (idempotent: safe from cron). Once users
    exist, a reviewer's (`--as`): it rejects what the policy denies on timeout; each
    escalation's audit event names who ran it."""
    from ringmaster.accounts import Accounts, check_role

    with Runner(Settings(), recover_on_start=False) as runner:
        who = me(as_)
        check_role(Accounts(runner.engine), who, "reviewer", "escalate")
        report = runner.escalate(run_by=who)
    if json_mode:
        print_json(report.to_dict())
    else:
        out.print(
            f"escalated {len(report.escalated)}, denied on timeout {len(report.denied)}, "
            f"webhook failures {len(report.webhook_failures)}"
        )
