"""The `ringmaster` command line: run, chat, review, thread, recover. `--json` for scripts."""

from __future__ import annotations

from typing import Annotated

import typer

from ringmaster.cli_audit import audit_app
from ringmaster.cli_chat import chat
from ringmaster.cli_eval import eval_app
from ringmaster.cli_ops import escalate, policy_app
from ringmaster.cli_output import (
    AsOpt,
    JsonOpt,
    cli_runner,
    emit,
    me,
    out,
    print_json,
    progress,
    run_app,
)
from ringmaster.cli_review import review_app
from ringmaster.cli_serve import serve
from ringmaster.cli_threads import thread_app
from ringmaster.cli_users import users_app
from ringmaster.errors import RingmasterError
from ringmaster.graph.intake import validate_request
from ringmaster.graph.state import Requester
from ringmaster.runner import Runner
from ringmaster.settings import Settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
app.add_typer(review_app, name="review")
app.add_typer(thread_app, name="thread")
app.add_typer(eval_app, name="eval")
app.add_typer(policy_app, name="policy")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.command("escalate")(escalate)
app.command("serve")(serve)
app.command("chat")(chat)


@app.command()
def run(
    request: Annotated[str, typer.Argument(help="What you want done, in plain words.")],
    thread: Annotated[str | None, typer.Option(help="Continue this thread.")] = None,
    as_: AsOpt = None,
    scopes: Annotated[
        str | None, typer.Option(help="Comma-separated scopes (default: all).")
    ] = None,
    priority: Annotated[str, typer.Option(help="low, normal, high or urgent.")] = "normal",
    json_mode: JsonOpt = False,
) -> None:
    """Plan a request, run its subtasks, and stop at reviews a human must decide."""
    # Before anything is built or stored, against the same limit the runner applies.
    validate_request(request, max_chars=Settings().max_request_chars)
    with cli_runner(progress(json_mode)) as runner:
        scope_list = scopes.split(",") if scopes is not None else runner.default_scopes()
        requester = _requester(me(as_), scope_list, priority)
        emit(runner.submit(request, thread_id=thread, requester=requester), json_mode)


def _requester(who: str, scopes: list[str], priority: str) -> Requester:
    from pydantic import ValidationError

    try:
        return Requester(id=who, scopes=[s.strip() for s in scopes if s.strip()], priority=priority)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise RingmasterError(f"bad requester: {exc.errors()[0]['msg']}") from None


@app.command()
def recover(json_mode: JsonOpt = False) -> None:
    """Resume decided-but-not-resumed reviews and runs a crash cut short."""
    with Runner(Settings(), recover_on_start=False) as runner:
        _ = runner.graph
        done = runner.recover()
    print_json({"recovered": done}) if json_mode else out.print(
        f"recovered {len(done)} thread(s): {', '.join(done) or '-'}"
    )


def main() -> None:
    """Entry point: user mistakes print one line and exit 2, never a traceback."""
    run_app(app)


if __name__ == "__main__":
    main()
