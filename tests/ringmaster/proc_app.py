"""A runner in another process, for crash and restart tests (`python -m tests.ringmaster.proc_app`).

proc_app HOME DB_URL submit [--slow]   run a two-part request (t1 small payment, t2 slow)
proc_app HOME DB_URL approve ITEM      decide an item and resume
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ringmaster.decisions import Decision, DecisionService
from ringmaster.runner import Runner
from ringmaster.settings import Settings
from tests.fakes import ScriptedAgent, ScriptedPlanner, make_deps, ok, plan_of, proposing


def build(home: Path, db_url: str, slow: bool) -> Runner:
    planner = ScriptedPlanner(plan_of(("pay", "beta"), ("work", "gamma"), ("big", "alpha")))
    agents = {
        "beta": ScriptedAgent(proposing(5)),
        "gamma": ScriptedAgent(ok(), delay=60.0 if slow else 0.0),
        "alpha": ScriptedAgent(proposing(50)),
    }
    deps, _ = make_deps(home, planner, agents)
    settings = Settings(home=home, db_url=db_url or None)
    return Runner(settings, deps=deps)


def main() -> None:
    home, db_url, command = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    with build(home, db_url, "--slow" in sys.argv) as runner:
        if command == "submit":
            out = runner.submit("pay, work and pay big")
        else:
            out = DecisionService(runner).decide(sys.argv[4], Decision("approve"), "proc")
        sys.stdout.write(json.dumps(out.to_dict(), default=str) + "\n")


if __name__ == "__main__":
    main()
