"""The demo team: the file loads, every skill answers in its schema and only proposes effects."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ringmaster.agents.demo import TEAM_FILE, demo_registry, load_demo_team
from ringmaster.agents.registry import AgentRegistry
from ringmaster.agents.runtime import AgentOutput, AgentTask, Handoff
from ringmaster.agents.spec import AgentSpec
from ringmaster.tools.demo.reads import get_ticket
from tests.fakes import dump_sqlite

ALL_SCOPES = ("support", "billing", "ops", "content", "analytics", "legal")
AGENTS = ["support", "billing", "ops", "content", "analytics", "legal"]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> AgentRegistry:
    return demo_registry(tmp_path_factory.mktemp("demo") / "demo.db")


def db_path(registry: AgentRegistry) -> Path:
    fn: Any = registry.tools.get("get_customer").fn
    path: Path = fn.args[0]  # the partial binds the database path
    return path


def run(
    registry: AgentRegistry,
    agent: str,
    description: str,
    *,
    handoffs: tuple[Handoff, ...] = (),
    feedback: str | None = None,
) -> AgentOutput:
    task = AgentTask(
        thread_id="t-1",
        subtask_id="s-1",
        description=description,
        expected="",
        scopes=ALL_SCOPES,
        handoffs=handoffs,
        feedback=feedback,
    )
    return registry.runtime(agent).run(task, registry.toolbox(agent, ALL_SCOPES))


def assert_valid(spec: AgentSpec, out: AgentOutput) -> None:
    jsonschema.Draft202012Validator(spec.output_schema).validate(out.output)
    flat = repr(out.output) + repr([a.to_dict() for a in out.proposed_actions])
    for pattern in spec.checks.forbidden_patterns:
        assert not re.search(pattern, flat), pattern
    for action in out.proposed_actions:
        assert action.tool in spec.tools


def asked_back(registry: AgentRegistry, agent: str, text: str) -> tuple[AgentOutput, str]:
    """The agent's valid output for `text`, which proposes nothing and asks a question; and
    the question."""
    out = run(registry, agent, text)
    assert_valid(registry.spec(agent), out)
    assert out.proposed_actions == [], (agent, text)
    question = out.output.get("question")
    assert question, (agent, text, out.output)
    return out, question


def test_team_loads_with_six_agents_and_many_examples() -> None:
    team = load_demo_team()
    assert team.names() == AGENTS
    for spec in team.agents:
        assert len(spec.examples) >= 25, spec.name
        assert len(set(spec.examples)) == len(spec.examples), spec.name
        assert spec.runtime.entry == f"ringmaster.agents.demo.skills:{spec.name}"
        assert "summary" in spec.output_schema["required"]
        assert len(spec.output_schema["required"]) >= 3
        assert spec.checks.forbidden_patterns
        jsonschema.Draft202012Validator.check_schema(spec.output_schema)
    assert len(team.human_examples) >= 25
    assert team.agent("legal").human_categories == ["*"]
    assert team.agent("billing").needs_human("pricing")
    assert TEAM_FILE.name == "team.yaml"


def test_examples_do_not_leak_between_agents() -> None:
    team = load_demo_team()
    seen: dict[str, str] = {}
    for spec in team.agents:
        for example in spec.examples:
            assert example not in seen, f"{example!r} is in {seen.get(example)} and {spec.name}"
            seen[example] = spec.name
    assert not set(team.human_examples) & set(seen)


@pytest.mark.parametrize("agent", AGENTS)
def test_every_example_gets_a_valid_output_and_nothing_is_executed(
    registry: AgentRegistry, agent: str
) -> None:
    spec = registry.spec(agent)
    before = dump_sqlite(db_path(registry))
    for example in spec.examples:
        out = run(registry, agent, example)
        assert_valid(spec, out)
        assert out.output["summary"].strip()
    assert dump_sqlite(db_path(registry)) == before  # skills only read and propose


# agent, description, the tool it should propose (None: nothing), args that must be in it
CASES: list[tuple[str, str, str | None, dict[str, Any]]] = [
    ("support", "close TCK-1001, the customer confirmed the reset worked", "close_ticket",
     {"ticket_id": "TCK-1001"}),
    # (TCK-1005 is urgent already: a bump to urgent of it is no change, said, not proposed.)
    ("support", "bump TCK-1002 to urgent", "update_ticket",
     {"ticket_id": "TCK-1002", "priority": "urgent"}),
    ("support", "reopen TCK-1004 please", "update_ticket", {"ticket_id": "TCK-1004",
                                                           "status": "open"}),
    ("support", "Open a ticket for james.chen@example.com: SSO fails", "open_ticket",
     {"customer_id": "CUS-1002", "subject": "SSO fails"}),
    ("support", "what's the status of ticket TCK-1003?", None, {}),
    ("support", "How do I rotate an API key?", None, {}),
    ("billing", "refund invoice INV-1003, it was double charged", "issue_refund",
     {"invoice_id": "INV-1003", "amount": "29.00", "reason": "duplicate charge"}),
    ("billing", "refund 15.50 on INV-1005", "issue_refund",
     {"invoice_id": "INV-1005", "amount": "15.50"}),
    ("billing", "Please issue a full refund of INV-1004", "issue_refund",
     {"invoice_id": "INV-1004", "amount": "999.00", "reason": ""}),  # none given, none made up
    ("billing", "give CUS-1001 a 20 dollar credit for the outage", "apply_credit",
     {"customer_id": "CUS-1001", "amount": "20.00"}),
    ("billing", "upgrade Maria Lopez from pro to business", "change_plan",
     {"customer_id": "CUS-1001", "plan": "business"}),
    ("billing", "what does Noah Schmidt owe us?", None, {}),
    ("ops", "roll back the api deployment in production", "rollback_deployment",
     {"service": "api", "environment": "production"}),
    ("ops", "roll api back to 2.13.2 in prod", "rollback_deployment",
     {"service": "api", "environment": "production", "to_version": "2.13.2"}),
    ("ops", "revert billing-service in staging", "rollback_deployment",
     {"service": "billing-service", "environment": "staging"}),
    # "back out" and "pull back", which the resolver reads as rollbacks: they were a listing.
    ("ops", "back out the auth deploy in staging", "rollback_deployment",
     {"service": "auth", "environment": "staging"}),
    ("ops", "pull DEP-1030 back", "rollback_deployment",
     {"service": "auth", "environment": "production", "from_version": "4.3.0"}),
    ("ops", "come back later and check out the web deploys", None, {}),
    # A deployment named by id is rolled back where it runs, not the unhealthy api.
    ("ops", "Rollback DEP-1028 please", "rollback_deployment",
     {"service": "web", "environment": "production", "from_version": "3.8.1"}),
    # The service the words name for the rollback, not the first in the skill's own list:
    # both rolled web back (and the second, auth, for "login").
    ("ops", "roll back the api in production, not web", "rollback_deployment",
     {"service": "api", "environment": "production"}),
    ("ops", "roll back the api in production, auth is fine", "rollback_deployment",
     {"service": "api", "environment": "production"}),
    ("ops", "roll back the web deployment in production, it broke the login page",
     "rollback_deployment", {"service": "web", "environment": "production"}),
    ("ops", "create a sev1 incident: web is down for everyone", "create_incident",
     {"service": "web", "severity": "sev1"}),
    ("ops", "is the api healthy?", None, {}),
    ("content", "send an announcement to all customers that the outage is over", "send_email",
     {"to": ["all_customers"]}),
    ("content", "draft a status update about the outage", None, {}),
    ("analytics", "how many tickets were opened last week", None, {}),
    ("legal", "Emma Dubois has asked us to delete her data under GDPR", "erase_customer_data",
     {"customer_id": "CUS-1009"}),
    ("legal", "export all personal data we hold on Maria Lopez", None, {}),
]  # fmt: skip


@pytest.mark.parametrize(("agent", "description", "tool", "args"), CASES)
def test_skills_propose_the_right_action(
    registry: AgentRegistry, agent: str, description: str, tool: str | None, args: dict[str, Any]
) -> None:
    out = run(registry, agent, description)
    assert_valid(registry.spec(agent), out)
    if tool is None:
        assert out.proposed_actions == []
        return
    assert [a.tool for a in out.proposed_actions] == [tool]
    proposed = out.proposed_actions[0].args
    assert {k: proposed.get(k) for k in args} == args
    assert registry.tools.get(tool).side_effect


def test_proposals_are_arguments_the_tools_accept(tmp_path: Path) -> None:
    # A fresh database, since the proposals here are executed as the graph would do it.
    registry = demo_registry(tmp_path / "demo.db")
    for n, (agent, description, tool, _) in enumerate(CASES):
        if tool is None:
            continue
        action = run(registry, agent, description).proposed_actions[0]
        result = registry.tools.get(action.tool).fn(idempotency_key=f"case-{n}", **action.args)
        assert isinstance(result, dict)


def test_answers_carry_the_facts(registry: AgentRegistry) -> None:
    out = run(registry, "billing", "Why was Aisha Khan charged twice in February?")
    assert out.output["invoice_ids"] == ["INV-1003"] and out.category == "payment"
    out = run(registry, "analytics", "how many tickets were opened last week")
    assert out.output["value"] == out.output["data"]["count"]
    # "last week" is the last calendar week, Monday to Sunday, as ops lists it, and said so.
    assert out.output["period"] == {
        "start": "2025-06-02T00:00:00+00:00",
        "end": "2025-06-09T00:00:00+00:00",
    }
    assert "period: last calendar week (2–8 June 2025)" in out.output["summary"]
    out = run(registry, "ops", "roll back the api deployment in production")
    assert out.output["rollback"]["from_version"] == "2.14.0"
    assert out.output["rollback"]["to_version"] == "2.13.2"
    assert out.category == "rollback"
    out = run(registry, "legal", "export all personal data we hold on Maria Lopez")
    assert out.output["export"]["customer"]["id"] == "CUS-1001"
    assert out.output["request_type"] == "export"
    out = run(registry, "billing", "upgrade Maria Lopez from pro to business")
    assert out.category == "pricing" and registry.spec("billing").needs_human(out.category)


def test_underspecified_requests_say_what_was_assumed(registry: AgentRegistry) -> None:
    out = run(registry, "support", "the customer is locked out, please open a ticket")
    assert out.proposed_actions == []
    assert "no customer could be identified" in out.output["summary"]
    out = run(registry, "ops", "revert the last web deploy")
    assert "production is assumed" in out.output["summary"]
    out = run(registry, "billing", "please refund it")
    assert out.proposed_actions == [] and "invoice id" in out.output["summary"]
    out = run(registry, "support", "Could you escalate the SSO ticket for James Chen?")
    assert out.proposed_actions[0].args["ticket_id"] == "TCK-1003"
    assert "no ticket id was given" in out.output["summary"]


def test_a_rollback_of_a_deployment_that_no_longer_runs_is_asked(registry: AgentRegistry) -> None:
    # DEP-1022 (web 3.8.0) failed; DEP-1028 runs in web production now.
    out = run(registry, "ops", "roll back DEP-1022")
    assert out.proposed_actions == []
    assert "DEP-1022 is not what runs in web production" in out.output["question"]


@pytest.mark.parametrize(
    "text", ["which deployment caused INC-1012?", "what shipped right before INC-1012"]
)
def test_the_deploy_behind_a_named_incident_is_the_one_answered(
    registry: AgentRegistry, text: str
) -> None:
    """The deployment behind an incident is its service's newest production deployment
    before it started (INC-1012 on api: DEP-1032, api 2.14.0); a list of every service's
    deployments answered nothing, and left "roll that deploy back" ten to pick from."""
    out = run(registry, "ops", text)
    assert [d["id"] for d in out.output["deployments"]] == ["DEP-1032"]
    assert "DEP-1032" in out.output["summary"]


@pytest.mark.parametrize("text", ["what's on api staging right now", "and whats on api staging"])
def test_whats_on_a_service_lists_what_is_deployed_there(
    registry: AgentRegistry, text: str
) -> None:
    """ "What's on api staging" asks what is deployed there: the deployment running there,
    not a health report that names none (after which "roll it back" found no staging
    deployment in the thread, and acted on an older turn's production one)."""
    out = run(registry, "ops", text)
    deployments = out.output["deployments"]
    assert deployments and deployments[0]["id"] == "DEP-1033"
    assert {(d["service"], d["environment"]) for d in deployments} == {("api", "staging")}


@pytest.mark.parametrize(
    "text", ["whats deployed on api in staging", "api deploys running on staging"]
)
def test_whats_on_a_place_says_what_runs_and_keeps_the_listing(
    registry: AgentRegistry, text: str
) -> None:
    """ "Whats deployed on api in staging" says what runs there now, and beside it the recent
    deployments, which stay the ones kept for follow-ups: keeping only the running one had
    "roll it back" next act where the dev splits mark the reference ambiguous."""
    out = run(registry, "ops", text)
    ids = [d["id"] for d in out.output["deployments"]]
    assert len(ids) > 1 and ids[0] == _running_now(registry, "api", "staging")
    summary = out.output["summary"]
    now = summary.index(f"running now: api 2.15.0-rc1 in staging ({ids[0]}, deployed ")
    assert summary.index("recent deployments") > now


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("whats on auth prod", ("auth", "production")),
        ("and whats on api staging", ("api", "staging")),
        ("what's currently on web in production?", ("web", "production")),
    ],
)
def test_whats_on_a_place_is_the_deployment_running_there(
    registry: AgentRegistry, text: str, place: tuple[str, str]
) -> None:
    """ "whats on auth prod" asks what is there: the running deployment alone is kept for
    follow-ups (a listing of three had "that one too" next ask which of them)."""
    out = run(registry, "ops", text)
    ids = [d["id"] for d in out.output["deployments"]]
    assert ids == [_running_now(registry, *place)]
    assert "recent deployments" not in out.output["summary"]


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("what did sam.ortiz ship in june", "sam.ortiz"),
        ("what did Kim Lee deploy in june?", "kim.lee"),
        ("kim.lee's deploys", "kim.lee"),
        ("web deploys by raj", "raj.patel"),
    ],
)
def test_deployments_by_a_deployer_named_by_handle_or_name(
    registry: AgentRegistry, text: str, who: str
) -> None:
    """A deployer named by handle ("sam.ortiz"), name or first name narrows the listing to
    theirs; the handle had made the request unreadable, and "ship" no deployment question."""
    out = run(registry, "ops", text)
    deployments = out.output["deployments"]
    assert out.category == "deployments" and deployments
    with sqlite3.connect(db_path(registry)) as conn:
        by = {r[0]: r[1] for r in conn.execute("SELECT id, deployed_by FROM deployments")}
    assert {by[d["id"]] for d in deployments} == {who}
    if "june" in text:
        assert all(d["deployed_at"].startswith("2025-06") for d in deployments)
        with sqlite3.connect(db_path(registry)) as conn:
            (count,) = conn.execute(
                "SELECT count(*) FROM deployments WHERE deployed_by = ?"
                " AND deployed_at LIKE '2025-06%'",
                (who,),
            ).fetchone()
        assert len(deployments) == count
    assert f"by {who}" in out.output["summary"]


def test_which_versions_are_on_a_service_says_what_runs_and_lists_the_rest(
    registry: AgentRegistry,
) -> None:
    """ "which versions are on api" had been answered with a health report, no deployment
    named (`_DEPLOYS` read "version", not "versions")."""
    out = run(registry, "ops", "which versions are on api")
    assert out.category == "deployments" and "health" not in out.output
    ids = [d["id"] for d in out.output["deployments"]]
    assert len(ids) > 2 and {d["service"] for d in out.output["deployments"]} == {"api"}
    summary = out.output["summary"]
    running = f"api 2.14.0 in production ({_running_now(registry, 'api', 'production')}, "
    assert summary.startswith("running now: " + running), summary
    assert summary.index("; recent deployments") > 0


# The demo's running deployments: the newest succeeded one of each service and environment
# (web production runs 3.8.1, DEP-1028; DEP-1022, 3.8.0, failed after it went out).
RUNNING = {
    ("web", "production"): "DEP-1028",
    ("web", "staging"): "DEP-1025",
    ("api", "production"): "DEP-1032",
    ("api", "staging"): "DEP-1033",
    ("auth", "production"): "DEP-1030",
    ("auth", "staging"): "DEP-1027",
    ("billing-service", "production"): "DEP-1029",
    ("billing-service", "staging"): "DEP-1026",
}


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("what's running on web today?", [("web", "production"), ("web", "staging")]),
        ("which version of api is live in production?", [("api", "production")]),
        ("what's currently on auth staging?", [("auth", "staging")]),
        ("what version is web on in prod?", [("web", "production")]),
        ("what's deployed in production right now?", [k for k in RUNNING if k[1] == "production"]),
    ],
)
def test_a_question_what_runs_now_answers_the_running_version_of_each_place_asked(
    registry: AgentRegistry, text: str, asked: list[tuple[str, str]]
) -> None:
    """ "What's running on web today?" asks what runs now: per service and environment asked,
    the version of its newest succeeded deployment. It was answered with the newest
    deployments, the failed 3.8.0 among them, or with a health report that named none."""
    out = run(registry, "ops", text)
    assert_valid(registry.spec("ops"), out)
    found = {(d["service"], d["environment"]): d["id"] for d in out.output["deployments"]}
    assert found == {place: RUNNING[place] for place in asked}
    summary = out.output["summary"]
    assert summary.startswith("running now: ") or "; running now: " in summary
    for d in out.output["deployments"]:
        assert f"{d['version']} in {d['environment']} ({d['id']}, deployed" in summary


def test_deployment_ids_asked_which_runs_are_each_said_running_or_not(
    registry: AgentRegistry,
) -> None:
    out = run(registry, "ops", "DEP-1028 and DEP-1022 - which one's live on web prod?")
    assert [d["id"] for d in out.output["deployments"]] == ["DEP-1028"]
    assert "3.8.1 in production (DEP-1028" in out.output["summary"]
    summary = out.output["summary"]
    assert "DEP-1022 (web 3.8.0 in production, failed) is not what runs there" in summary
    # Where the named deployments went, not every service the health report around it names.
    out = run(registry, "ops", "whats on DEP-1027 and DEP-1028")
    assert [d["id"] for d in out.output["deployments"]] == ["DEP-1027", "DEP-1028"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what went out on web today?", []),
        ("last 5 api deploys", ["DEP-1033", "DEP-1032", "DEP-1031", "DEP-1024", "DEP-1023"]),
        # "went live" is history: this month's, not every web production deployment.
        ("what went live on web this month", ["DEP-1028"]),
    ],
)
def test_a_question_what_happened_stays_a_listing_of_deployments(
    registry: AgentRegistry, text: str, expected: list[str]
) -> None:
    out = run(registry, "ops", text)
    assert [d["id"] for d in out.output["deployments"]] == expected
    assert "running now" not in out.output["summary"]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("were there any sev3 incidents on web in March?", ("sev3", "web", "2025-03")),
        ("any sev2 incs on auth in april", ("sev2", "auth", "2025-04")),
    ],
)
def test_a_question_about_incidents_of_a_severity_lists_them(
    registry: AgentRegistry, text: str, where: tuple[str, str, str]
) -> None:
    """A severity in a question about the incidents there were says which to list; it had
    been read as an incident to open ("an incident needs a service; none named"), so the
    next turn's "what service was that one on?" had nothing to point at."""
    out = run(registry, "ops", text)
    assert out.proposed_actions == []
    found = out.output["incidents"]
    assert found, out.output["summary"]
    assert {(i["severity"], i["service"], i["started_at"][:7]) for i in found} == {where}


def test_incidents_of_a_severity_are_said_so_and_found_among_all(tmp_path: Path) -> None:
    """The count named no severity ("0 api incident(s)" for "sev1 incidents on api", of four
    api incidents), and the severity was kept out of the newest 20 only: an older sev1 went
    unfound behind newer ones."""
    fresh = demo_registry(tmp_path / "demo.db")
    out = run(fresh, "ops", "sev1 incidents on api").output
    assert out["incidents"] == [] and out["summary"].startswith("0 sev1 api incident(s)")
    with sqlite3.connect(db_path(fresh)) as conn:
        conn.executemany(
            "INSERT INTO incidents VALUES (?, 'api', 'noise', 'sev3', 'resolved', 'x', ?, ?)",
            [(f"INC-9{n:03d}", f"2025-06-14T{n % 24:02d}:00:00+00:00", None) for n in range(25)],
        )
    out = run(fresh, "ops", "any sev1 incidents?").output
    assert [(i["service"], i["severity"]) for i in out["incidents"]] == [("web", "sev1")]
    assert out["summary"].startswith("1 sev1 incident(s): ")
    # Undated and of any severity, the listing stops at 20 (of 37): said as the newest 20.
    out = run(fresh, "ops", "list the incidents").output
    assert len(out["incidents"]) == 20
    assert out["summary"].startswith("the newest 20 incident(s): INC-9"), out["summary"]
    out = run(fresh, "ops", "list the auth incidents").output
    assert out["summary"].startswith(f"{len(out['incidents'])} auth incident(s): ")


@pytest.mark.parametrize(
    "text",
    [
        "open a sev2 incident on api for the latency",
        "sev3 on auth, resets are slow",
        "could you open one on web for the slow dashboard, sev2?",
    ],
)
def test_a_severity_with_no_question_still_opens_an_incident(
    registry: AgentRegistry, text: str
) -> None:
    out = run(registry, "ops", text)
    assert [a.tool for a in out.proposed_actions] == ["create_incident"], out.output["summary"]


@pytest.mark.parametrize(
    ("text", "tool", "service"),
    [
        # A service named by its name wins over one a word suggests ("login": auth); the first
        # opened an incident on auth, the second rolled auth back, the third asked about
        # auth's deployment instead of rolling back the web one it named.
        ("open a sev2 incident for web: login page slow", "create_incident", "web"),
        ("please raise a sev3 on the api, sign in tokens expire early", "create_incident", "api"),
        ("the login page is broken, roll back web in production", "rollback_deployment", "web"),
        ("roll back DEP-1028, the login page is broken", "rollback_deployment", "web"),
    ],
)
def test_a_service_named_by_its_name_wins_over_one_a_word_suggests(
    registry: AgentRegistry, text: str, tool: str, service: str
) -> None:
    out = run(registry, "ops", text)
    assert [(a.tool, a.args["service"]) for a in out.proposed_actions] == [(tool, service)], (
        out.output["summary"]
    )
    assert out.output["services"] == [service]


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("open a sev2 incident for web and api: checkout slow", "web or api"),
        ("open an incident on the dashboard, logins fail", "auth or web"),
    ],
)
def test_an_incident_on_two_services_asks_which(
    registry: AgentRegistry, text: str, asked: str
) -> None:
    """One incident, two services: asked which, none opened (the first was opened on web, the
    second on auth, each without a word of the other)."""
    out = run(registry, "ops", text)
    assert out.proposed_actions == []
    assert asked in out.output["question"]


def test_who_deployed_is_answered_with_a_name(registry: AgentRegistry) -> None:
    """ "who deployed auth on June 11?" listed the deployment without who made it."""
    asked = run(registry, "ops", "who deployed auth on June 11?").output["summary"]
    plain = run(registry, "ops", "auth deployments on June 11").output["summary"]
    assert "auth 4.3.0 production 2025-06-11 by " in asked
    assert " by " not in plain


def _running_now(registry: AgentRegistry, service: str, environment: str) -> str:
    import sqlite3

    from ringmaster.tools.demo.ops import current_deployment

    conn = sqlite3.connect(db_path(registry))
    conn.row_factory = sqlite3.Row
    try:
        row = current_deployment(conn, service, environment)
    finally:
        conn.close()
    assert row is not None
    return str(row["id"])


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("which version of auth is live in prod?", [("auth", "production")]),
        ("what version is billing-service on in staging", [("billing-service", "staging")]),
        ("and what version is api on, in production?", [("api", "production")]),
        ("which version of web is live in staging and production?",
         [("web", "production"), ("web", "staging")]),
    ],
)  # fmt: skip
def test_what_runs_now_is_the_deployment_running_not_the_history(
    registry: AgentRegistry, text: str, where: list[tuple[str, str]]
) -> None:
    """A question for the version deployed now is answered with the deployment each service
    runs in each environment (its newest that succeeded there), not every release it had:
    after four listed, "who deployed it?" had to ask which of them was meant."""
    out = run(registry, "ops", text)
    ids = {d["id"] for d in out.output["deployments"]}
    assert ids == {_running_now(registry, s, e) for s, e in where}


@pytest.mark.parametrize(
    "text",
    [
        "what version is on api prod since april",
        "what version of auth is on production, and the previous one?",
    ],
)
def test_deployments_asked_for_are_still_listed(registry: AgentRegistry, text: str) -> None:
    # The versions deployed (over a span, the earlier ones) are a listing, not the one
    # running now; and so is what is "on" an environment, which may be what went there lately.
    out = run(registry, "ops", text)
    assert len(out.output["deployments"]) > 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("list the api deploys from the 14th and 15th pls", ["DEP-1033", "DEP-1032"]),
        ("web deploys in june?", ["DEP-1028", "DEP-1025"]),
        ("what went out to prod on the 11th", ["DEP-1030", "DEP-1029", "DEP-1028"]),
        # Said as pushed or gone to an environment (conversations-dev22 a04:2, d07:2 had a
        # health report, so "the billing-service one" next asked among the alerts).
        ("Was anything else pushed to prod on June 11?!", ["DEP-1030", "DEP-1029", "DEP-1028"]),
        ("and did web go to prod on june 11", ["DEP-1028"]),
        ("api deploys on june 14", ["DEP-1032"]),
    ],
)
def test_deployments_listed_for_the_dates_named(
    registry: AgentRegistry, text: str, expected: list[str]
) -> None:
    """A listing asked for by date is of those dates only: the newest ten of a service left
    "the earlier deploy" to be the oldest of ten (DEP-1010, in March) and "prod" after "web
    deploys in june" to pick among every web production deployment."""
    out = run(registry, "ops", text)
    assert [d["id"] for d in out.output["deployments"]] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("list the api incidents from June.", ["INC-1012", "INC-1011"]),
        ("which incidents did auth have in march?", ["INC-1004"]),
        ("api incidents", ["INC-1012", "INC-1011", "INC-1008", "INC-1005"]),
    ],
)
def test_incidents_listed_for_the_dates_named(
    registry: AgentRegistry, text: str, expected: list[str]
) -> None:
    """Incidents asked for by date are of those dates only, as deployments are
    (conversations-dev21 n30: all four api incidents left "the resolved one" three)."""
    out = run(registry, "ops", text)
    assert [i["id"] for i in out.output["incidents"]] == expected


def _ran_before(registry: AgentRegistry, service: str, environment: str, end: str) -> str | None:
    """The id of the newest succeeded deployment there before `end` (an ISO time), by SQL."""
    import sqlite3

    conn = sqlite3.connect(db_path(registry))
    try:
        row = conn.execute(
            "SELECT id FROM deployments WHERE service = ? AND environment = ? AND status = "
            "'succeeded' AND deployed_at < ? ORDER BY deployed_at DESC, id DESC LIMIT 1",
            (service, environment, end),
        ).fetchone()
    finally:
        conn.close()
    return None if row is None else str(row[0])


@pytest.mark.parametrize(
    ("text", "where", "end", "said"),
    [
        ("which version of auth was live in production on April 30?",
         ("auth", "production"), "2025-05-01", "running on 30 April 2025: auth "),
        ("what version of api was running in staging on May 25",
         ("api", "staging"), "2025-05-26", "running on 25 May 2025: api "),
        # A month is its last day; a period its end (the company's today is 15 June 2025).
        ("what version of web was on production in may",
         ("web", "production"), "2025-06-01", "running in May, as of 31 May 2025: web "),
        ("which version of web ran in prod last month?",
         ("web", "production"), "2025-06-01", "as of 31 May 2025: web "),
    ],
)  # fmt: skip
def test_the_version_asked_of_a_past_day_is_the_one_running_then(
    registry: AgentRegistry, text: str, where: tuple[str, str], end: str, said: str
) -> None:
    """ "What version of web was running in production on June 1?" was a listing of the
    deployments made that day: none, so `done` with the summary "."; and "… last month?"
    gave the failed 3.8.0 as what ran. The answer is the newest succeeded deployment by the
    end of that day, month or period, said with its day; a failed one is never it."""
    out = run(registry, "ops", text)
    assert_valid(registry.spec("ops"), out)
    expected = _ran_before(registry, *where, f"{end}T00:00:00+00:00")
    assert [d["id"] for d in out.output["deployments"]] == [expected]
    summary = out.output["summary"]
    assert said in summary and f"({expected}, deployed " in summary
    running = summary.split("; went out in it: ")[0]
    for d in run(registry, "ops", f"{where[0]} deploys").output["deployments"]:
        if d["status"] != "succeeded":
            assert f"{d['version']} in " not in running  # a failed one never runs
            if d["deployed_at"][:7] == "2025-05" and where[0] == "web":
                assert (
                    f"{d['version']} {d['environment']} "
                    + d["deployed_at"][:10]
                    + (f" ({d['id']}, {d['status']})")
                    in summary
                )


def test_a_version_asked_of_a_day_before_any_deployment_says_none_ran(
    registry: AgentRegistry,
) -> None:
    out = run(registry, "ops", "which version of billing-service was in production on March 2?")
    assert out.output["deployments"] == [] and "question" not in out.output
    summary = out.output["summary"]
    assert "running on 2 March 2025: billing-service nothing in production yet." in summary


@pytest.mark.parametrize(
    "text",
    [
        "which version was api on in prod on the 3rd?",
        "what version of auth was live on May 2 and May 9",
    ],
)
def test_a_version_asked_of_no_one_day_asks_which(registry: AgentRegistry, text: str) -> None:
    # A day of no month, or two days: asked which, never `done` with the summary ".".
    _, question = asked_back(registry, "ops", text)
    assert "which one day" in question


def test_a_dated_listing_that_finds_nothing_says_so_never_nothing(
    registry: AgentRegistry,
) -> None:
    # It ended `done` with the summary ".".
    out = run(registry, "ops", "any api deploys on june 2?")
    assert out.output["deployments"] == []
    assert out.output["summary"] == "no api deployments on June 2."


def test_a_span_of_dates_is_not_read_as_those_dates(registry: AgentRegistry) -> None:
    # "since may" is May and after, "may I" is no month: neither narrows the listing to May.
    for text in ("api deploys since may", "may I see the api deploys"):
        assert len(run(registry, "ops", text).output["deployments"]) == 10


def test_a_rollback_of_a_deployment_id_that_does_not_exist_is_asked(
    registry: AgentRegistry,
) -> None:
    # DEP-1303 is no deployment: the skill rolled back api in production, the unhealthy one.
    out = run(registry, "ops", "Kill the rc. Roll DEP-1303 back.")
    assert out.proposed_actions == []
    assert "DEP-1303 is no deployment" in out.output["question"]


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        # auth 4.3.0 runs on staging (DEP-1027) and production (DEP-1030).
        ("roll back 4.3.0", "4.3.0 was deployed to auth production (DEP-1030), auth staging"),
        ("roll back 9.9.9", "no deployment shipped 9.9.9"),
        # api never ran auth's version: no rollback of api "back to 4.3.0".
        ("roll the api back to 4.3.0", "api never ran 4.3.0 in production"),
    ],
)
def test_a_rollback_by_version_rolls_back_what_shipped_it_or_asks(
    registry: AgentRegistry, text: str, asked: str
) -> None:
    """ "roll back 4.3.0" (conversations-dev21) names what shipped that version, not the
    unhealthy service: api production was proposed "back to 4.3.0", a version it never ran."""
    out = run(registry, "ops", text)
    assert out.proposed_actions == []
    assert asked in out.output["question"]


def test_a_rollback_of_a_version_one_deployment_shipped_is_of_that_deployment(
    registry: AgentRegistry,
) -> None:
    out = run(registry, "ops", "roll back 4.3.0 in production")
    assert [(a.args["service"], a.args["from_version"]) for a in out.proposed_actions] == [
        ("auth", "4.3.0")
    ]


def test_a_request_for_several_refunds_is_asked_back_not_half_done(
    registry: AgentRegistry,
) -> None:
    for text in (
        "Refund 40.00 on INV-1017 and refund 40.00 on INV-1018",
        "refund INV-1142 and INV-1143, both double charged",
        "Refund 95.00 on INV-1017. Separately, refund another 95.00 on INV-1017.",
    ):
        out = run(registry, "billing", text)
        assert out.proposed_actions == [], text
        assert "more than one refund" in out.output["summary"], text
    out = run(registry, "billing", "Refund 40.00 on INV-1017, the customer was unhappy")
    assert [a.args["invoice_id"] for a in out.proposed_actions] == ["INV-1017"]
    # One refund that mentions another invoice is still one refund, of the first named.
    out = run(registry, "billing", "Refund INV-1017 in full, it duplicated INV-1018")
    assert [a.args["invoice_id"] for a in out.proposed_actions] == ["INV-1017"]


def test_a_refund_over_the_limit_names_the_limit_it_is_over(registry: AgentRegistry) -> None:
    # INV-1003 (29.00) was charged twice: 58.00 was paid, but at most the invoice's 29.00
    # can be refunded.
    out = run(registry, "billing", "Refund invoice INV-1003 partially, 40 dollars")
    assert out.proposed_actions == []
    assert (
        "40.00 is more than can be refunded on INV-1003: at most 29.00" in (out.output["summary"])
    )
    assert "refundable 58.00" not in out.output["summary"]


def test_a_second_instruction_is_not_the_first_tickets_resolution(
    registry: AgentRegistry,
) -> None:
    out = run(registry, "support", "Close TCK-1001. Separately, close TCK-1002.")
    notes = {a.args["ticket_id"]: a.args.get("resolution") for a in out.proposed_actions}
    assert set(notes) == {"TCK-1001", "TCK-1002"}
    assert not any("TCK-1002" in (n or "") or "close" in (n or "").lower() for n in notes.values())
    out = run(registry, "support", "Close TCK-1001, the customer confirmed the fix")
    assert out.proposed_actions[0].args["resolution"] == "The customer confirmed the fix"
    out = run(registry, "support", "Close TCK-1001, the fix works on ios-17 now")
    assert out.proposed_actions[0].args["resolution"] == "The fix works on ios-17 now"


def test_a_close_with_no_stated_resolution_writes_no_note_of_its_own(
    registry: AgentRegistry,
) -> None:
    # The note a close writes is the requester's words or none: never a stock sentence.
    for text in ("Close TCK-1001.", "please close ticket TCK-1002", "mark TCK-1001 as resolved"):
        out = run(registry, "support", text)
        [action] = out.proposed_actions
        assert action.tool == "close_ticket", text
        assert not action.args.get("resolution"), (text, action.args)
        assert "no resolution note" in out.output["summary"], text


def _ops_handoff(ops_out: AgentOutput, effects: list[dict[str, Any]]) -> Handoff:
    return Handoff(
        subtask_id="s-0",
        agent="ops",
        description="roll back the api deployment in production",
        summary=ops_out.output["summary"],
        output={**ops_out.output, "effects": effects},
    )


def test_content_builds_on_what_the_ops_handoff_did(registry: AgentRegistry) -> None:
    ops_out = run(registry, "ops", "roll back the api deployment in production")
    (proposal,) = ops_out.proposed_actions
    done = {
        "rollback_id": "RBK-1",
        "service": "api",
        "environment": "production",
        "from_version": proposal.args["from_version"],
        "to_version": proposal.args["to_version"],
        "deployment_id": "DEP-9",
    }
    effects = [{"tool": "rollback_deployment", "args": proposal.args, "result": done}]
    ask = "draft a status update saying the api problem is resolved"
    out = run(registry, "content", ask, handoffs=(_ops_handoff(ops_out, effects),))
    assert_valid(registry.spec("content"), out)
    assert out.output["kind"] == "status_update"
    assert "We rolled api back from version 2.14.0 to 2.13.2" in out.output["body"]
    assert out.output["sources"] == ["ops (s-0)", "service_health"]  # live health read too
    # The incident is still open: the draft says so instead of "resolved, all systems normal".
    assert "INC-1012" in out.output["body"] and "(open)" in out.output["body"]
    assert not out.output["title"].startswith("Resolved")
    assert "operating normally" not in out.output["body"]


def test_content_does_not_announce_a_rollback_that_did_not_run(registry: AgentRegistry) -> None:
    ops_out = run(registry, "ops", "roll back the api deployment in production")
    out = run(
        registry,
        "content",
        "draft a status update about the rollback",
        handoffs=(_ops_handoff(ops_out, []),),  # proposed, then rejected: nothing ran
    )
    assert "rolled" not in out.output["body"] and "2.13.2" not in out.output["body"]
    assert out.output["title"].startswith("Investigating")


def test_content_takes_feedback_into_account(registry: AgentRegistry) -> None:
    ask = "compose an email to Maria Lopez apologising for the login trouble"
    first = run(registry, "content", ask)
    second = run(registry, "content", ask, feedback="too long, make it shorter")
    assert len(second.output["body"]) < len(first.output["body"])
    assert "revised after review" in second.output["summary"]


def test_card_numbers_and_secrets_never_reach_an_output(registry: AgentRegistry) -> None:
    ask = (
        "Open a ticket for maria.lopez@example.com: card 4242 4242 4242 4242 declined, "
        "api_key=sk_live_abcdef1234567890"
    )
    out = run(registry, "support", ask)
    assert_valid(registry.spec("support"), out)
    flat = repr(out.output) + repr([a.args for a in out.proposed_actions])
    assert "4242 4242" not in flat and "sk_live" not in flat
    assert out.proposed_actions[0].tool == "open_ticket"


@pytest.mark.parametrize("agent", ["support", "billing", "ops", "analytics", "legal"])
def test_a_request_the_skill_cannot_read_is_asked_back_not_answered(
    registry: AgentRegistry, agent: str
) -> None:
    """Words in another language, or none at all, routed to a skill: it asks what is meant
    (`question`, a needs_input subtask) instead of answering a look-up no one asked for, also
    when the words name a record the skill could look up."""
    for text in (
        "Pourriez-vous vérifier cela pour moi, s'il vous plaît ?",
        "Können Sie das bitte für mich prüfen?",
        "zorp quindle vasht mibber",
        "Rembourser la facture INV-1003 en totalité",
        "退款 INV-1003",
        "INV-1003 返金してください",
        "Löschen Sie bitte alle Daten von CUS-1002 und schließen Sie TCK-1001",
        "¿Está caído el servicio api en producción?",
    ):
        out, question = asked_back(registry, agent, text)
        assert question.rstrip().endswith("?"), (agent, text, out.output)
        assert out.output["summary"].rstrip(".").endswith(question.rstrip(".")), out.output


def test_calling_off_a_refund_is_not_a_refund(registry: AgentRegistry) -> None:
    for text in ("cancel that refund", "don't refund INV-1017 after all", "never mind the refund"):
        out = run(registry, "billing", text)
        assert out.proposed_actions == [], text
        assert out.output.get("question"), text
    # A reason that mentions a cancellation is still a refund to make.
    out = run(registry, "billing", "Refund 40.00 on INV-1017, the customer cancelled")
    assert [a.tool for a in out.proposed_actions] == ["issue_refund"]


def test_english_words_the_team_file_lacks_are_still_read(registry: AgentRegistry) -> None:
    """Inflected English ("credited", "stopped", "normally") is read by its stem: a request in
    English is answered, not asked to be said in English."""
    out = run(registry, "support", "Maria Lopez stopped receiving emails, nothing arrived normally")
    assert not (out.output.get("question") or "").endswith("in English?"), out.output


@pytest.mark.parametrize(
    ("ask", "title", "said", "sent"),
    [
        # The subject was "Email CUS-1001 and tell you hello": the asking words, with "them"
        # turned to "you" in "tell them" too.
        ("email CUS-1001 and tell them hello", "Hello", "Hello.", True),
        ("email CUS-1002 to tell them hello", "Hello", "Hello.", True),
        ("Email CUS-1001 to let them know we miss them", "We miss you", "We miss you.", True),
        ("write to CUS-1003 and tell her the office reopens in May", "The office reopens in May",
         "The office reopens in May.", True),
        ("email CUS-1004 and inform them that the office reopens in May",
         "The office reopens in May", "The office reopens in May.", True),
        ("email CUS-1001 to thank them for their business", "Thank you for your business",
         "Thank you for your business.", True),
        ("tell CUS-1003 hello", "Hello", "Hello.", True),
        # Only a subject (so it is asked about), but said to the reader all the same.
        ("email CUS-1001 and ask them to confirm their address", "Please confirm your address",
         "Please confirm your address.", False),
        ("email CUS-1001 to remind them to update their billing address",
         "A reminder to update your billing address", "A reminder to update your billing", False),
    ],
)  # fmt: skip
def test_an_emails_subject_is_what_it_says_to_the_reader(
    registry: AgentRegistry, ask: str, title: str, said: str, sent: bool
) -> None:
    out = run(registry, "content", ask)
    assert out.output["title"] == title, out.output
    assert said in out.output["body"] and " you hello" not in out.output["body"].lower()
    # The email proposed goes out under that subject; one with only a subject is asked about.
    sends = [(a.tool, a.args["subject"]) for a in out.proposed_actions]
    assert sends == ([("send_email", title)] if sent else []), out.output


@pytest.mark.parametrize(
    ("ask", "said"),
    [
        # Support closed TCK-1001 because the email's words said "closed", and sent nothing.
        ("email CUS-1002 saying their ticket TCK-1001 is closed",
         ["TCK-1001 is open, not closed", "TCK-1001 is CUS-1001's ticket, not CUS-1002's"]),
        ("tell CUS-1001 that TCK-1001 is resolved", ["TCK-1001 is open, not resolved"]),
        ("let them know TCK-1003 has been closed", ["TCK-1003 is pending, not closed"]),
        ("send CUS-1002 an email saying TCK-1003 is still pending", []),
    ],
)  # fmt: skip
def test_support_sends_no_email_and_acts_on_none_of_its_words(
    registry: AgentRegistry, ask: str, said: list[str]
) -> None:
    """An email asked of support is not support's to send: nothing is proposed (the words
    the email would say are no instruction), and the requester is told nothing was sent,
    with what the tickets' records say against the email's words."""
    out = run(registry, "support", ask)
    assert out.proposed_actions == []
    question = out.output["question"]
    assert question and "nothing was sent" in question and "no ticket was changed" in question
    for fact in said:
        assert fact in out.output["summary"], out.output["summary"]


@pytest.mark.parametrize(
    "ask",
    [
        "is TCK-1001 closed?",
        "has TCK-1002 been resolved yet?",
        "let me know if TCK-1003 is resolved",
        "was TCK-1001 closed by someone?",
    ],
)
def test_a_question_whether_a_ticket_is_closed_closes_nothing(
    registry: AgentRegistry, ask: str
) -> None:
    """'closed' and 'resolved' asked about were read as an instruction: 'is TCK-1001 closed?'
    closed it (close_ticket needs no approval) and answered 'closed TCK-1001'."""
    out = run(registry, "support", ask)
    assert out.proposed_actions == [], out.proposed_actions
    (tid,) = out.output["ticket_ids"]
    # It answers with the ticket's status as the records have it ('… is open with …').
    status = get_ticket(db_path(registry), tid)["status"]
    assert f"{tid} '" in out.output["summary"] and f" is {status} with " in out.output["summary"]


@pytest.mark.parametrize(
    "ask",
    [
        "close TCK-1001",
        "please resolve TCK-1001",
        "mark TCK-1001 as resolved",
        "TCK-1001 can be closed now",
        "get TCK-1001 closed please",
        "the customer confirmed the fix, you can close TCK-1001",
    ],
)
def test_asking_to_close_a_ticket_still_closes_it(registry: AgentRegistry, ask: str) -> None:
    out = run(registry, "support", ask)
    assert [a.tool for a in out.proposed_actions] == ["close_ticket"], out.output["summary"]


def test_an_email_about_a_ticket_is_held_with_what_the_ticket_record_says(
    registry: AgentRegistry,
) -> None:
    """The content agent held 'their ticket TCK-1001 is closed' only as unsupported; the
    reviewer now reads what the record says against it (open, and another customer's)."""
    out = run(registry, "content", "email CUS-1002 saying their ticket TCK-1001 is closed")
    concerns = out.output["evidence"]["concerns"]
    assert any("TCK-1001 is open, not closed as the email would say" in c for c in concerns)
    assert any("TCK-1001 is CUS-1001's ticket, not CUS-1002's" in c for c in concerns)
    [send] = out.proposed_actions  # held for a person by its concerns, never sent unread
    assert send.tool == "send_email"
    held = run(registry, "content", "email CUS-1002 saying their ticket TCK-1003 is pending")
    concerns = held.output["evidence"]["concerns"]  # still held: the record shows it true
    assert concerns and not any("email would say" in c or "ticket, not" in c for c in concerns)


@pytest.mark.parametrize("agent", ["support", "billing", "ops", "analytics", "legal"])
def test_a_repeat_the_skill_cannot_see_is_asked_back_not_answered(
    registry: AgentRegistry, agent: str
) -> None:
    """ "Do the same for CUS-1019" that reached a skill as typed (the resolver could not write out
    the request it repeats): the skill sees no earlier request, so it asks what to do instead of
    acting on its other words (billing listed CUS-1019's invoices and reported done)."""
    for text in (
        "Thank you. Please do the same for CUS-1019, who reported the same problem.",
        "same thing for TCK-1071",
        "ditto for DEP-1028",
    ):
        out, question = asked_back(registry, agent, text)
        assert "do the same as before" in question, (agent, text, out.output)


@pytest.mark.parametrize(
    ("agent", "text"),
    [
        ("billing", "is the price the same for the pro and team plans?"),
        ("support", "TCK-1001: customer says the same thing happens on mobile, please add a note"),
        ("billing", "refund INV-1002 likewise"),
    ],
)
def test_the_words_of_a_repeat_inside_a_request_are_no_repeat(
    registry: AgentRegistry, agent: str, text: str
) -> None:
    """ "the same for", "the same thing", "likewise" inside a request that says what it wants
    are its words, not a repeat of a request the skill cannot see: it is not asked back."""
    out = run(registry, agent, text)
    assert "do the same as before" not in (out.output.get("question") or ""), out.output


@pytest.mark.parametrize(
    "text",
    [
        "Please set that one to urgent, it's been waiting far too long.",
        "close it, the customer is happy now",
        "the dashbaord one too",
    ],
)
def test_support_asks_about_a_request_no_ticket_or_article_answers(
    registry: AgentRegistry, text: str
) -> None:
    """A ticket change that names no ticket, or words that share no more than a filler word
    with any help article: asked back, not answered with an unrelated article and `done`."""
    out = run(registry, "support", text)
    assert_valid(registry.spec("support"), out)
    assert out.proposed_actions == [] and out.output["kb_articles"] == []
    assert out.output.get("question", "").rstrip().endswith("?"), out.output


def test_support_still_answers_a_how_to_from_an_article_tag(registry: AgentRegistry) -> None:
    out = run(registry, "support", "how do i turn on 2fa")
    assert [a["title"] for a in out.output["kb_articles"]] == ["Set up two-factor authentication"]
    assert "question" not in out.output


@pytest.mark.parametrize("text", ["send reminder", "pls send the follow-up email"])
def test_content_asks_whom_an_email_with_no_recipient_goes_to(
    registry: AgentRegistry, text: str
) -> None:
    """An email to send that names no one and hands over nothing: asked, not a generic draft
    reported done ("This is about reminder")."""
    out = run(registry, "content", text)
    assert_valid(registry.spec("content"), out)
    assert out.proposed_actions == []
    assert "Who should it go to" in out.output.get("question", ""), out.output


def test_content_still_drafts_an_email_that_names_its_recipient(registry: AgentRegistry) -> None:
    out = run(registry, "content", "send CUS-1003 a reminder about INV-1191")
    assert "question" not in out.output
    assert [a.tool for a in out.proposed_actions] == ["send_email"]


@pytest.mark.parametrize(
    "text",
    [
        "status page update pls",
        "write incident notice for INC-1012",
        "Please draft a status page update about INC-1012.",
        # A pronoun names nothing the reader has: the title was "Investigating: It".
        "draft a status update about it",
        "then write a status page update about this",
    ],
)
def test_a_status_updates_title_names_the_incident_not_the_request(
    registry: AgentRegistry, text: str
) -> None:
    """A request that names no subject but the update itself, or only the incident's id: the
    title says what is going on (the open incident's title), not the request's words."""
    out = run(registry, "content", text)
    assert out.output["title"] == "Investigating: Elevated 5xx error rate on api after 2.14.0"


def test_a_status_updates_title_keeps_the_subject_the_request_gives(
    registry: AgentRegistry,
) -> None:
    out = run(registry, "content", "pls draft a quick status update re the 502s on api")
    assert out.output["title"] == "Investigating: The 502s on api"


@pytest.mark.parametrize(
    "text",
    [
        "send them a password reset link, CUS-1001 is locked out",
        "let CUS-1001 back into their account, they are locked out",
    ],
)
def test_support_work_that_says_send_or_let_is_no_email(registry: AgentRegistry, text: str) -> None:
    """ "send them a reset link", "let CUS-1001 back in" were read as an email to the customer,
    which support refused: 'this asks for an email to …, and support sends no email'."""
    out = run(registry, "support", text)
    assert "sends no email" not in (out.output.get("question") or ""), out.output
    assert "sends no email" not in out.output["summary"], out.output


def test_a_customers_ticket_is_asked_when_they_have_several_and_the_words_pick_none(
    registry: AgentRegistry,
) -> None:
    # Tariq Castillo (CUS-1024) has three unfinished tickets; "his ticket" names none of them.
    _, question = asked_back(registry, "support", "set Tariq Castillo's ticket to urgent")
    assert "3 unfinished tickets" in question
    assert all(t in question for t in ("TCK-1019", "TCK-1133", "TCK-1145"))
    # Words of one ticket's subject pick it.
    out = run(registry, "support", "set Tariq Castillo's app crash ticket to urgent")
    assert [(a.tool, a.args.get("ticket_id")) for a in out.proposed_actions] == [
        ("update_ticket", "TCK-1133")
    ]


def test_closing_a_customers_ticket_picks_the_one_the_words_name_or_asks(
    registry: AgentRegistry,
) -> None:
    """ "please close Tariq Castillo's ticket" listed his three tickets and answered `done`,
    with nothing closed and no word saying so."""
    _, question = asked_back(
        registry, "support", "please close Tariq Castillo's ticket, it's fixed"
    )
    assert "3 unfinished tickets" in question
    assert all(t in question for t in ("TCK-1019", "TCK-1133", "TCK-1145"))
    out = run(registry, "support", "close Tariq Castillo's dashboard ticket, it loads fast now")
    assert [(a.tool, a.args.get("ticket_id")) for a in out.proposed_actions] == [
        ("close_ticket", "TCK-1019")
    ]


@pytest.mark.parametrize(
    ("text", "done"),
    [
        ("restart the api in staging", "restarted"),
        ("deploy auth 4.4.0 to production", "deployed"),
        ("can you scale up web in production to 6 replicas", "scaled"),
        ("resolve incident INC-1012", "resolved"),
        ("close INC-1012, it is fixed", "closed"),
        ("please acknowledge the critical alert on billing-service", "acknowledged"),
        ("the api keeps throwing 502s, restart it", "restarted"),
        # Asked as a noun or a participle: each was answered with a health look-up, `done`.
        ("the worker needs a restart", "restarted"),
        ("a restart of the api please", "restarted"),
        ("please do a quick reboot of web in staging", "rebooted"),
        ("we need a redeploy of auth", "redeployed"),
        ("the api needs restarting", "restarted"),
        ("api needs to be redeployed to production", "redeployed"),
        ("get auth 4.4.0 deployed to prod", "deployed"),
        ("have someone bounce the api", "bounced"),
        # Verbs it did not know: each was a health or deployment look-up marked done.
        ("rotate the api keys", "rotated"),
        ("patch auth to 4.4.1", "patched"),
        ("roll forward api to 2.15.0", "rolled forward"),
        ("roll out auth 4.4.0", "rolled out"),
        ("turn off the feature flag for web", "turned off"),
        ("pause the deploy pipeline", "paused"),
        ("spin up another web instance", "spun up"),
    ],
)
def test_ops_work_it_has_no_tool_for_is_asked_back_not_answered_with_a_look_up(
    registry: AgentRegistry, text: str, done: str
) -> None:
    """A restart, a deploy, closing an incident …: ops can do none of these, and answered each
    with a health or deployment look-up that ended `done`, as if it had been done. It says
    nothing was done and asks instead (the subtask ends `needs_input`)."""
    _, question = asked_back(registry, "ops", text)
    assert question.startswith(f"nothing was {done}:") and question.endswith("?"), question


@pytest.mark.parametrize(
    "text",
    [
        "deploy status for api in prod?",
        "what was deployed yesterday?",
        "did you restart the api?",
        "is it safe to restart the api?",
        "when did the outage start?",
        "write up release notes for whatever shipped",
        "does the api need a restart?",
        "when was the last restart of the api?",
        "show me the deployment history for api",
        "can you tell me if web needs a redeploy",
        "I don't need a restart, just tell me if the api is healthy",
        "get the list of services deployed today",
        "has the api been restarted?",
        "when was auth patched?",
        "did the api keys get rotated?",
        # "a restart of …" that is not all the words ask: it is what happened.
        "api is slow, a deploy of 2.14.0 went out yesterday",
        "errors again. a restart of the worker fixed it last time, is it ok now?",
    ],
)
def test_ops_questions_about_that_work_are_still_answered(
    registry: AgentRegistry, text: str
) -> None:
    out = run(registry, "ops", text)
    assert_valid(registry.spec("ops"), out)
    assert "question" not in out.output, out.output


@pytest.mark.parametrize(
    "text",
    [
        "don't roll back the api",
        "do not roll back the api in production",
        "never roll back auth without asking me",
        "cancel the rollback of api",
    ],
)
def test_ops_proposes_no_rollback_the_words_refuse(registry: AgentRegistry, text: str) -> None:
    """ "don't roll back the api" proposed a production rollback of api, for a person to
    approve under a review that said only "rollback of api in production". It proposes none,
    says so and asks what to do instead (`needs_input`)."""
    _, question = asked_back(registry, "ops", text)
    assert question.startswith("nothing was rolled back and no rollback is proposed"), question


@pytest.mark.parametrize(
    "text",
    ["why did we roll back the api?", "is it safe to roll back auth?", "should we roll back web?"],
)
def test_ops_answers_a_question_about_a_rollback_without_proposing_one(
    registry: AgentRegistry, text: str
) -> None:
    """Asked about a rollback, ops proposed one (a production rollback, waiting for approval);
    it looks up instead, as for any question."""
    out = run(registry, "ops", text)
    assert_valid(registry.spec("ops"), out)
    assert out.proposed_actions == [] and "question" not in out.output, out.output


@pytest.mark.parametrize(
    "text",
    [
        "roll back the api deployment in production",
        "the api is broken. roll it back",
        "can you roll back the api in staging?",
        "roll back api in prod, don't wait",
        # The negation keeps nothing from happening: these ask for the rollback.
        "don't forget to roll back the api in production",
        "do not hesitate to roll back auth",
        "don't wait to roll back the web deployment",
        # A negation of something else in the sentence: the rollback is still asked for.
        "the deploy did not work so roll back the api in production",
        "errors will not stop so roll back web",
    ],
)
def test_ops_still_proposes_a_rollback_that_is_asked_for(
    registry: AgentRegistry, text: str
) -> None:
    out = run(registry, "ops", text)
    assert [a.tool for a in out.proposed_actions] == ["rollback_deployment"], out.output


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("Don't roll back web. Roll back the api.", "api"),
        ("never roll back auth. roll back web in staging", "web"),
        ("Roll back the api; do not roll back web.", "api"),
    ],
)
def test_ops_rolls_back_what_one_sentence_asks_and_not_what_another_refuses(
    registry: AgentRegistry, text: str, service: str
) -> None:
    """The first sentence naming a rollback decided for the whole request: "Don't roll back
    web. Roll back the api." proposed nothing and asked what to do instead. The sentence that
    asks is done, without the service the other refuses."""
    out = run(registry, "ops", text)
    assert [a.tool for a in out.proposed_actions] == ["rollback_deployment"], out.output
    assert out.proposed_actions[0].args["service"] == service, out.proposed_actions


def test_ops_never_rolls_back_a_service_the_words_exclude(registry: AgentRegistry) -> None:
    """ "roll back production, not api" named no service to roll back, so the unhealthy one was
    taken: api itself, the one excluded. It proposes none and says why."""
    out = run(registry, "ops", "roll back production, not api")
    assert out.proposed_actions == [], out.output
    assert "none other than api is unhealthy" in out.output["summary"], out.output


@pytest.mark.parametrize(
    ("agent", "text", "done"),
    [
        ("support", "delete ticket TCK-1001", "deleted"),
        ("support", "merge TCK-1001 into TCK-1002", "merged"),
        ("support", "can you assign TCK-1003 to rita", "assigned"),
        ("support", "reset the password for elif.yilmaz@example.com", "reset"),
        ("support", "please remove CUS-1002 from the account", "removed"),
        # support standing in for an unhealthy billing (the router's stand-in)
        ("support", "Refund invoice INV-1002 in full, the customer was double charged", "refunded"),
        ("support", "credit CUS-1003 50.00 for the outage", "credited"),
        ("billing", "cancel the subscription of CUS-1001", "cancelled"),
        ("billing", "void invoice INV-1010, it was sent by mistake", "voided"),
        ("billing", "please waive the late fee on INV-1003", "waived"),
        ("billing", "mark INV-1007 as paid, the cheque cleared", "marked"),
    ],
)
def test_support_and_billing_work_they_have_no_tool_for_is_asked_back(
    registry: AgentRegistry, agent: str, text: str, done: str
) -> None:
    """As ops: deleting or merging a ticket, cancelling a subscription … are none of their
    tools' work, and each was answered with a look-up (the ticket, the customer's invoices)
    that ended `done`. Each says nothing was done and asks (`needs_input`)."""
    _, question = asked_back(registry, agent, text)
    assert question.startswith(f"nothing was {done}:") and question.endswith("?"), question


@pytest.mark.parametrize(
    ("agent", "text"),
    [
        ("support", "how do I delete my account?"),
        ("support", "did you merge TCK-1001 into TCK-1002?"),
        ("support", "I forgot my password and the reset link expired"),
        ("support", "refund status for TCK-1001?"),
        ("support", "was CUS-1002 refunded for the double charge?"),
        ("billing", "did CUS-1001 cancel their subscription?"),
        ("billing", "what is the cancellation policy for CUS-1001's pro plan?"),
        ("billing", "what does the note on INV-1010 say?"),
        ("billing", "did anyone add a note to INV-1010?"),
    ],
)
def test_support_and_billing_questions_about_that_work_are_still_answered(
    registry: AgentRegistry, agent: str, text: str
) -> None:
    out = run(registry, agent, text)
    assert_valid(registry.spec(agent), out)
    assert not str(out.output.get("question", "")).startswith("nothing was"), out.output


@pytest.mark.parametrize(
    "text",
    [
        "add a note to INV-1010: customer called back",
        "could you leave a quick comment on INV-1004 saying the customer wants a refund",
        "pls add to INV-1002's notes: PO number 88-311 goes on the next one",
        "note on invoice INV-1006 that the client will pay by wire",
    ],
)
def test_billing_says_it_writes_no_note_on_an_invoice(registry: AgentRegistry, text: str) -> None:
    """Issue 16: "add a note to INV-1010: …" (a reply "add a note to the above" resolved) ended
    `done` with the invoice's summary, no note written; a note whose words asked for a refund
    proposed one. Billing's tools write no note: it says so, names what it can do, and asks."""
    _, question = asked_back(registry, "billing", text)
    assert question.startswith("nothing was written"), question
    assert "refund, credit and change a plan" in question, question


@pytest.mark.parametrize(
    ("agent", "text", "tool"),
    [
        ("support", "close TCK-1002, the customer confirmed it works now", "close_ticket"),
        ("support", "reopen TCK-1004 and remove the old workaround note", "update_ticket"),
        ("support", "unlock the account of Greta Moreau, she is locked out", "open_ticket"),
        ("billing", "refund 40.00 on invoice INV-1010", "issue_refund"),
        ("billing", "move CUS-1001 to the business plan", "change_plan"),
    ],
)
def test_support_and_billing_still_propose_the_work_they_have_tools_for(
    registry: AgentRegistry, agent: str, text: str, tool: str
) -> None:
    out = run(registry, agent, text)
    assert [a.tool for a in out.proposed_actions] == [tool], out.output


def test_a_customer_named_in_lower_case_is_found(registry: AgentRegistry) -> None:
    # Chat voices type names as they come ("tariq castillo open tix?"); the skills looked up
    # capitalised names only and asked which customer was meant.
    out = run(registry, "support", "@rm tariq castillo open tix?")
    assert "CUS-1024" in out.output["summary"] and "question" not in out.output
    out = run(registry, "billing", "greta fischer - anything owed?")
    assert "CUS-1037" in out.output["summary"] and "question" not in out.output
    # Words in a row that name no one find no one: still asked.
    out = run(registry, "billing", "anything owed on the old account?")
    assert "question" in out.output


def test_a_question_about_what_a_person_has_open_lists_it_beside_their_problem(
    registry: AgentRegistry,
) -> None:
    # A call relayed: the caller's problem ("locked out again") stands beside the question,
    # which is answered with her open tickets; no ticket is opened that nobody asked for.
    for text in (
        "caller is Maria Lopez, CUS-1001, locked out again. what has she got open?",
        "Maria Lopez can't log in, what's open for her?",
    ):
        out = run(registry, "support", text)
        assert out.proposed_actions == [], text
        assert sorted(t["id"] for t in out.output["tickets"]) == ["TCK-1001", "TCK-1058"], text
    # The problem with no question still proposes a ticket, as before.
    out = run(registry, "support", "Maria Lopez CUS-1001 is locked out again")
    assert [a.tool for a in out.proposed_actions] == ["open_ticket"]


@pytest.mark.parametrize(
    ("text", "expected", "said"),
    [
        # conversations-dev22 a08: every web deployment back to March, then "the production
        # one" asked among four; the company clock (2025-06-15) says June.
        ("Is web even healthy?? What went out on web this month?", ["DEP-1028", "DEP-1025"],
         "deployments this calendar month: web"),
        ("What went out on web last month?", ["DEP-1022", "DEP-1021"],
         "deployments last calendar month: web"),
        # "the past week" had been read as no period at all: the newest five of every web
        # deployment, back to March. It is the last 7 days, as analytics reads it, and said.
        ("what went out on web in the past week?", ["DEP-1028", "DEP-1025"],
         "deployments in the last 7 days: web"),
        ("what went out to production yesterday?", ["DEP-1032"], "deployments yesterday"),
        ("any web deploys last week?", [], "no web deployments last calendar week"),
        # A staging deployment went out today: the empty listing says what it looked at.
        ("what went out to production today?", [], "no production deployments today"),
        # No period: as before, the newest of every one.
        ("What went out on web?",
         ["DEP-1028", "DEP-1025", "DEP-1022", "DEP-1021", "DEP-1012", "DEP-1011", "DEP-1007",
          "DEP-1003"], "deployments (the newest 5 of 8): web"),
        # "since last month" had been no period: the newest five of every web deployment, back
        # to April. It is from 1 May to now, and said so.
        ("web deploys since last month", ["DEP-1028", "DEP-1025", "DEP-1022", "DEP-1021"],
         "deployments since the start of last calendar month: web"),
        # "this quarter" is the calendar quarter, April to now, not the last 90 days.
        ("what went out on web this quarter?",
         ["DEP-1028", "DEP-1025", "DEP-1022", "DEP-1021", "DEP-1012", "DEP-1011"],
         "deployments this calendar quarter (the newest 5 of 6): web"),
    ],
)  # fmt: skip
def test_deployments_listed_for_the_period_named(
    registry: AgentRegistry, text: str, expected: list[str], said: str
) -> None:
    out = run(registry, "ops", text)
    assert [d["id"] for d in out.output["deployments"]] == expected
    assert said in out.output["summary"]


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("what went out today", {"period": "today"}),
        ("deploys yesterday?", {"period": "yesterday"}),
        ("anything this week", {"period": "this_week"}),
        ("what went out last week", {"period": "last_week"}),
        ("incidents this month", {"period": "this_month"}),
        ("last month's releases", {"period": "last_month"}),
        # From a named period's start to now; a span's end, or a time of day, is left alone.
        ("since last month", {"since": "last_month"}),
        ("deploys since yesterday", {"since": "yesterday"}),
        ("tickets since the start of this year", {"since": "this_year"}),
        ("incidents since 10:05 yesterday", {}),
        ("deploys until last month", {}),
        # The last days, ending now: what ops had ignored ("the past week") and what analytics
        # had read "last week" and "last month" as (the last 7 and 30 days).
        ("deploys in the last week", {"days": 7}),
        ("deploys in the past week", {"days": 7}),
        ("tickets over the past month", {"days": 30}),
        ("the last 7 days", {"days": 7}),
        ("past two weeks", {"days": 14}),
        ("errors in the last 24 hours", {"days": 1}),
        # A quarter or a year, named, is the calendar one, as a month is; "the past year",
        # "the last 90 days" are the last days.
        ("revenue last quarter", {"period": "last_quarter"}),
        ("tickets this quarter", {"period": "this_quarter"}),
        ("revenue this year", {"period": "this_year"}),
        ("refunds last year", {"period": "last_year"}),
        ("tickets over the past year", {"days": 365}),
        ("incidents in the last year", {"days": 365}),
        ("revenue in the last 90 days", {"days": 90}),
        ("the past quarter", {"days": 90}),
        ("what happened", {}),
    ],
)
def test_every_period_a_request_names_is_one_the_tools_take(
    text: str, period: dict[str, Any]
) -> None:
    from ringmaster.agents.demo.skills import parsing
    from ringmaster.tools.demo.periods import PERIODS

    assert parsing.period_in(text) == period
    assert {name for _, name in parsing._PERIOD_WORDS} == set(PERIODS)


def test_a_listing_cut_at_its_limit_gives_no_count(registry: AgentRegistry) -> None:
    # api has 13 deployments and an undated listing stops at 10: "the newest 5 of 10" would
    # give the limit as the number there are.
    out = run(registry, "ops", "What went out on api?")
    assert len(out.output["deployments"]) == 10
    assert "deployments (the newest 5): api" in out.output["summary"]


def test_what_is_running_today_is_what_is_running(registry: AgentRegistry) -> None:
    # "today" asks what is deployed now, not which deployments were made today (none were:
    # the narrowed listing said "no deployments today").
    for text in ("what's running on web today?", "what is running on auth today"):
        now = run(registry, "ops", text.replace(" today", ""))
        out = run(registry, "ops", text)
        assert out.output["deployments"] == now.output["deployments"] != [], text
        assert "no deployments" not in out.output["summary"], text


def test_incidents_listed_for_the_period_named(registry: AgentRegistry) -> None:
    # conversations-dev22 d04: all four api incidents, back to April, for "this month".
    out = run(registry, "ops", "api had two incidents this month?? spill")
    assert [i["id"] for i in out.output["incidents"]] == ["INC-1012", "INC-1011"]
    assert "2 api incident(s) this calendar month: INC-1012" in out.output["summary"]


def test_release_notes_for_a_period_are_of_that_periods_releases(
    registry: AgentRegistry,
) -> None:
    body = run(registry, "content", "draft release notes for this month's web deploys")
    assert "web 3.8.1" in body.output["body"] and "3.7" not in body.output["body"]


def test_a_rollback_made_today_is_listed_as_todays(tmp_path: Path) -> None:
    """Issue 16: after "roll back web" was approved, "what was deployed to web today?" said
    none, the rollback carrying the machine's date (2026), not the company's (2025-06-15)."""
    fresh = demo_registry(tmp_path / "demo.db")
    done = fresh.tools.get("rollback_deployment").fn(
        idempotency_key="r", service="web", environment="production"
    )
    out = run(fresh, "ops", "what was deployed to web today?")
    assert [d["id"] for d in out.output["deployments"]] == [done["deployment_id"]]
    assert (
        f"deployments today: web {done['to_version']} production 2025-06-15"
        in (out.output["summary"])
    )


@pytest.mark.parametrize(
    ("text", "start", "end", "said"),
    [
        # "since last month" had been counted over all recorded data (before that, over the
        # last 30 days): it is from 1 May to the company's now, and said so.
        ("how many tickets were opened since last month?", "2025-05-01T00:00:00+00:00",
         "2025-06-15T12:00:00+00:00", "since the start of last calendar month (1 May 2025)"),
        ("deployments since yesterday", "2025-06-14T00:00:00+00:00",
         "2025-06-15T12:00:00+00:00", "since the start of yesterday (14 June 2025)"),
        # "this year" had been the last 365 days (its own branch never reached), "last
        # quarter" the last 90: the calendar ones now, as "last month" is.
        ("revenue this year", "2025-01-01T00:00:00+00:00", "2025-06-15T12:00:00+00:00",
         "this calendar year (1 January – 15 June 2025)"),
        ("how many tickets were opened last quarter", "2025-01-01T00:00:00+00:00",
         "2025-04-01T00:00:00+00:00", "last calendar quarter (1 January – 31 March 2025)"),
        ("tickets this quarter", "2025-04-01T00:00:00+00:00", "2025-06-15T12:00:00+00:00",
         "this calendar quarter (1 April – 15 June 2025)"),
        ("revenue last year", "2024-01-01T00:00:00+00:00", "2025-01-01T00:00:00+00:00",
         "last calendar year (1 January – 31 December 2024)"),
        # The past year stays the last 365 days.
        ("tickets opened in the past year", "2024-06-15T12:00:00+00:00",
         "2025-06-15T12:00:00+00:00", "the last 365 days (15 June 2024 – 15 June 2025)"),
    ],
)  # fmt: skip
def test_analytics_counts_over_the_span_named_and_says_it(
    registry: AgentRegistry, text: str, start: str, end: str, said: str
) -> None:
    out = run(registry, "analytics", text)
    assert out.output["period"] == {"start": start, "end": end}
    assert f"period: {said}" in out.output["summary"]


def test_since_a_period_counts_what_the_ops_listing_lists(registry: AgentRegistry) -> None:
    counted = run(registry, "analytics", "how many incidents since last month?").output
    listed = run(registry, "ops", "all incidents since last month").output
    assert counted["value"] == len(listed["incidents"]) > 0
    assert "incident(s) since the start of last calendar month" in listed["summary"]


@pytest.mark.parametrize(
    ("text", "first"),
    [("tickets per week since last month", "2025-05-01"), ("signups per month this year",
      "2025-01-01"), ("incidents per day since yesterday", "2025-06-14")],
)  # fmt: skip
def test_a_trend_over_a_named_period_reaches_back_to_its_start(
    registry: AgentRegistry, text: str, first: str
) -> None:
    """ "per week since last month" had run over the default eight weeks, from 20 April: the
    trend's buckets end at the company's now and reach back to the one holding its start."""
    series = run(registry, "analytics", text).output["data"]["series"]
    start = f"{first}T00:00:00+00:00"
    assert series[0]["start"] <= start < series[0]["end"]


def _rows_between(registry: AgentRegistry, table: str, column: str, lo: str, hi: str) -> int:
    with sqlite3.connect(db_path(registry)) as conn:
        n: int = conn.execute(
            f"SELECT COUNT(*) FROM {table} WHERE {column} >= ? AND {column} < ?", (lo, hi)
        ).fetchone()[0]
    return n


@pytest.mark.parametrize(
    ("text", "table", "column", "lo", "hi", "words"),
    [
        # "June 3" had been read as its month, past the company's now (15 June 2025).
        ("count the tickets that came in on the 3rd of June", "tickets", "created_at",
         "2025-06-03", "2025-06-04", "period: 3 June 2025"),
        # An ISO date had been ignored: every ticket ever recorded was counted.
        ("tickets created 2025-06-03, how many?", "tickets", "created_at",
         "2025-06-03", "2025-06-04", "period: 3 June 2025"),
        ("number of tickets opened from June 2 to June 4", "tickets", "created_at",
         "2025-06-02", "2025-06-05", "period: 2–4 June 2025"),
        ("how many incidents started June 9th", "incidents", "started_at",
         "2025-06-09", "2025-06-10", "period: 9 June 2025"),
    ],
)  # fmt: skip
def test_analytics_counts_the_days_named(
    registry: AgentRegistry, text: str, table: str, column: str, lo: str, hi: str, words: str
) -> None:
    out = run(registry, "analytics", text).output
    assert out["period"] == {"start": f"{lo}T00:00:00+00:00", "end": f"{hi}T00:00:00+00:00"}
    assert out["value"] == _rows_between(registry, table, column, lo, hi)
    assert words in out["summary"]


def test_a_count_of_one_is_said_in_the_singular(registry: AgentRegistry) -> None:
    """ "1 incidents; period: 9 June 2025" was said of the one incident that day."""
    out = run(registry, "analytics", "how many incidents started on June 9?").output
    assert out["value"] == 1, out["summary"]
    assert out["summary"].startswith("1 incident;"), out["summary"]
    more = run(registry, "analytics", "how many incidents started in June?").output
    assert more["value"] > 1 and f"{more['value']} incidents" in more["summary"]


def test_a_month_that_contains_now_ends_at_now(registry: AgentRegistry) -> None:
    """ "June" had run to 1 July, past the company's now (15 June 2025, noon)."""
    out = run(registry, "analytics", "tickets opened during june: how many").output
    assert out["period"] == {"start": "2025-06-01T00:00:00+00:00",
                             "end": "2025-06-15T12:00:00+00:00"}  # fmt: skip
    assert "period: 1–15 June 2025" in out["summary"]


def test_ops_reads_an_iso_date_as_the_written_one(registry: AgentRegistry) -> None:
    iso = run(registry, "ops", "list the deployments of 2025-06-11").output["deployments"]
    written = run(registry, "ops", "list the deployments of June 11").output["deployments"]
    assert iso == written
    assert iso and all(d["deployed_at"].startswith("2025-06-11") for d in iso)


def test_a_day_written_before_may_is_of_may(registry: AgentRegistry) -> None:
    """ "api deploys on 14 may" had listed June 14's DEP-1032, the 14th of the latest month:
    "may" after a day, with no word after it, was taken for the verb (analytics counted no
    day at all)."""
    from ringmaster.agents.demo.skills import parsing

    out = run(registry, "ops", "api deploys on 14 may").output
    assert out["deployments"] == [] and out["summary"] == "no api deployments on May 14."
    may_9 = run(registry, "ops", "web deploys on may 9").output["deployments"]
    assert may_9 and all(d["deployed_at"].startswith("2025-05-09") for d in may_9)
    for text in ("web deploys on 9 may", "web deploys on 9th May 2025?"):
        assert run(registry, "ops", text).output["deployments"] == may_9, text
    assert parsing.days_named("tickets on 3 may") == [(None, 5, 3)]
    assert parsing.days_named("tickets filed by 14 may be late") == []


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("what's the most recent web deployment on staging", [("web", "staging")]),
        ("when was the last auth release in prod?", [("auth", "production")]),
        ("newest api and web deploy in production", [("api", "production"), ("web", "production")]),
    ],
)
def test_the_latest_deploy_is_the_one_newest_not_a_listing(
    registry: AgentRegistry, text: str, where: list[tuple[str, str]]
) -> None:
    """ "latest api deploy in production" listed the newest five: one deploy asked of, one
    answered (of each service named)."""
    newest = [
        registry.tools.get("list_deployments").fn(service=s, environment=e, limit=1)[0]["id"]
        for s, e in where
    ]
    out = run(registry, "ops", text).output
    assert [d["id"] for d in out["deployments"]] == newest
    assert "the latest deployment" in out["summary"]
    # The newest few, asked as deploys, stay a listing.
    assert len(run(registry, "ops", "latest api deploys in production").output["deployments"]) > 1


def test_the_deploy_an_incident_began_under_is_one_rule_for_skill_and_lookup(
    tmp_path: Path,
) -> None:
    """Ops answering "which deploy caused INC-…?" and the thread's lookup (what "roll back the
    deploy that caused it" acts on) name the same deployment: the one running when the
    incident began. The skill had counted one deployed at the very minute the incident started
    (`<=`, among the newest 50), the lookup only one deployed before it."""
    from ringmaster.tools.demo.lookup import demo_lookup

    registry = demo_registry(tmp_path / "demo.db")
    incident = next(
        i for i in registry.tools.get("list_incidents").fn(limit=100) if i["service"] == "web"
    )
    with sqlite3.connect(db_path(registry)) as conn:
        conn.execute(
            "INSERT INTO deployments VALUES ('DEP-1999', 'web', '9.9.9', NULL, 'production', "
            "'succeeded', 'release', 'kim.lee', ?)",
            (incident["started_at"],),
        )
    record = demo_lookup(db_path(registry))(incident["id"])
    assert record is not None and record.behind and record.behind != ("DEP-1999",)
    out = run(registry, "ops", f"which deploy caused {incident['id']}?").output
    assert [d["id"] for d in out["deployments"]] == list(record.behind)
    assert f"was running when {incident['id']}" in out["summary"]


def test_release_notes_say_what_is_live_what_was_replaced_and_when_the_list_is_cut(
    tmp_path: Path,
) -> None:
    """Release notes had said "X is live since D" of every version, those long replaced too,
    and listed at most 5 without saying more went out."""
    registry = demo_registry(tmp_path / "demo.db")
    with sqlite3.connect(db_path(registry)) as conn:
        rows = conn.execute(
            "SELECT version, substr(deployed_at, 1, 10) FROM deployments WHERE service = 'api' "
            "AND environment = 'production' AND status = 'succeeded' ORDER BY deployed_at DESC"
        ).fetchall()
    assert len(rows) > 5
    body = run(registry, "content", "write release notes for api").output["body"]
    (live, since), (older, went), (_, day2) = rows[0], rows[1], rows[2]
    assert f"- api {live} is live since {since}." in body
    assert f"- api {older} went out on {went}; {live} replaced it on {since}." in body
    assert f"; {older} replaced it on {went}." in body and day2 in body
    assert body.count("is live since") == 1
    assert "- Earlier releases are not listed here." in body


def test_a_status_update_after_a_rollback_that_ran_is_monitoring_its_incident(
    registry: AgentRegistry,
) -> None:
    """The demo's draft after an approved rollback had been titled "Investigating: The
    rollback" and said "We rolled api back … We are investigating"."""
    ops_out = run(registry, "ops", "roll back the api deployment in production")
    (proposal,) = ops_out.proposed_actions
    done = {"rollback_id": "RBK-1", "service": "api", "environment": "production",
            "from_version": proposal.args["from_version"],
            "to_version": proposal.args["to_version"], "deployment_id": "DEP-9"}  # fmt: skip
    effects = [{"tool": "rollback_deployment", "args": proposal.args, "result": done}]
    ask = "draft a status update about the rollback"
    out = run(registry, "content", ask, handoffs=(_ops_handoff(ops_out, effects),)).output
    assert out["title"] == "Monitoring: Elevated 5xx error rate on api after 2.14.0"
    assert "We rolled api back from version 2.14.0 to 2.13.2" in out["body"]
    assert "We are monitoring api" in out["body"] and "investigating" not in out["body"]
    # Not run (rejected): nothing is monitored, and the subject is still no "The rollback".
    out = run(registry, "content", ask, handoffs=(_ops_handoff(ops_out, []),)).output
    assert out["title"] == "Investigating: Elevated 5xx error rate on api after 2.14.0"
