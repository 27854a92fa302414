"""The local planner: routing figures on the dev set, splitting, escalation, scope, cache."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from ringmaster.agents.spec import AgentSpec, RoutingConfig, RuntimeSpec, Team, load_team
from ringmaster.graph.planner.base import Plan
from ringmaster.graph.planner.cut_rules import says_something
from ringmaster.graph.planner.local import LocalPlanner
from ringmaster.graph.planner.splitter import content_words, refers_back, split_request
from tests.graph.planner_dev_report import DEMO_TEAM, DEV_SET, DevFigures, evaluate, load_rows

# One worker trains the module's planners once (module fixtures) under `-n`.
pytestmark = pytest.mark.xdist_group("local_planner")

DEV2_SET = DEV_SET.with_name("planner_dev2.jsonl")


def _agent(name: str, description: str, examples: list[str]) -> AgentSpec:
    return AgentSpec(
        name=name,
        description=description,
        examples=examples,
        runtime=RuntimeSpec(entry="tests.fakes:agent"),
    )


def _kitchen_team(**overrides: object) -> Team:
    """A small team with far-apart vocabularies, so its behaviour does not hinge on tuning."""
    agents = [
        _agent(
            "pets",
            "Looks after the pets: feeding, walking and vet visits for dogs and cats.",
            [
                "feed the cat",
                "walk the dog in the park",
                "book a vet visit for the puppy",
                "the dog needs a bath",
                "buy cat food and litter",
                "take the kitten to the vet for vaccines",
            ],
        ),
        _agent(
            "garden",
            "Looks after the garden: watering plants, mowing the lawn, pruning trees.",
            [
                "water the tomato plants",
                "mow the lawn on saturday",
                "prune the apple tree",
                "plant tulip bulbs in the flower bed",
                "the roses need fertiliser",
                "rake the leaves off the grass",
            ],
        ),
        _agent(
            "car",
            "Looks after the car: oil changes, tyres, washing and repairs at the garage.",
            [
                "change the oil in the car",
                "the car tyres are flat",
                "wash the car this weekend",
                "book the car in at the garage for a repair",
                "replace the car battery",
                "check the brakes on the car",
            ],
        ),
    ]
    data: dict[str, object] = {
        "name": "kitchen",
        "agents": agents,
        "human_examples": [
            "what is the meaning of life",
            "tell me a joke",
            "who won the election",
            "sing me a song",
            "what's the capital of peru",
        ],
    }
    data.update(overrides)
    return Team.model_validate(data)


@pytest.fixture(scope="module")
def demo_planner(tmp_path_factory: pytest.TempPathFactory) -> LocalPlanner:
    return LocalPlanner(load_team(DEMO_TEAM), cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def dev_figures(demo_planner: LocalPlanner) -> DevFigures:
    return evaluate(demo_planner, load_rows())


@pytest.fixture(scope="module")
def dev2_figures(demo_planner: LocalPlanner) -> DevFigures:
    return evaluate(demo_planner, load_rows(DEV2_SET))


@pytest.fixture(scope="module")
def kitchen_planner(tmp_path_factory: pytest.TempPathFactory) -> LocalPlanner:
    return LocalPlanner(_kitchen_team(), cache_dir=tmp_path_factory.mktemp("cache"))


# -- figures on the dev sets: planner_dev (64 rows) thresholds sit about two rows below what the
# planner measures, planner_dev2 (180 rows) thresholds 0.03 below ----------------------------


def test_one_part_routing_on_dev_set(dev_figures: DevFigures) -> None:
    assert dev_figures.one_part >= 0.90, dev_figures.misses  # measured 0.969 (31/32)


def test_multi_part_routing_on_dev_set(dev_figures: DevFigures) -> None:
    assert dev_figures.multi_part >= 0.88, dev_figures.misses  # measured 1.000 (18/18)


def test_out_of_scope_recall_on_dev_set(dev_figures: DevFigures) -> None:
    assert dev_figures.oos_recall >= 0.85, dev_figures.misses  # measured 1.000 (14/14)
    assert dev_figures.false_escalation <= 0.06, dev_figures.misses  # measured 0.020 (1/50)


def test_routing_on_second_dev_set(dev2_figures: DevFigures) -> None:
    f = dev2_figures
    # The cutter trained on as many one-part synthetic requests as joins (issue 14) keeps one
    # more one-part row whole and loses one three-part row's billing part (at 0.916, a cut the
    # cutter puts at 0.38): before it, 0.967 (87/90) and 0.933 (56/60).
    assert f.one_part >= 0.947, f.misses  # measured 0.978 (88/90)
    assert f.multi_part >= 0.887, f.misses  # measured 0.917 (55/60)
    assert f.oos_recall >= 0.97, f.misses  # measured 1.000 (30/30)
    assert f.false_escalation <= 0.043, f.misses  # measured 0.013 (2/150)


# -- splitting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_text", "agent"),
    [
        ("Update our terms and conditions to mention the new retention period", "legal"),
        ("Send me the invoices and payments for Acme from last quarter", "billing"),
        ("Check and fix my login, the reset link never arrives", "support"),
    ],
)
def test_and_inside_one_task_is_not_split(
    demo_planner: LocalPlanner, request_text: str, agent: str
) -> None:
    plan = demo_planner.plan(request_text)
    assert [s.agent for s in plan.subtasks] == [agent]
    assert plan.subtasks[0].description == request_text


@pytest.mark.parametrize(
    ("request_text", "agent"),
    [
        ("My password reset link expired before I could use it. Can you help?", "support"),
        ("Find ticket TCK-2001 and tell me who it is assigned to.", "support"),
        (
            "A customer cannot log in with their new password. Please check their account. "
            "It's CUS-2002.",
            "support",
        ),
        ("The checkout page has been throwing 500 errors for an hour, what's going on?", "ops"),
        ("Proofread this tagline: 'Faster invoices, and fewer clicks. Try it today.'", "content"),
    ],
)
def test_a_part_with_nothing_of_its_own_is_no_subtask(
    demo_planner: LocalPlanner, request_text: str, agent: str
) -> None:
    # A question tail, a reference back to the part before, an id on its own or a quoted text
    # is part of its neighbour's request; before, the tails went to a person as subtasks.
    plan = demo_planner.plan(request_text)
    assert [(s.agent, s.escalate) for s in plan.subtasks] == [(agent, False)]
    assert plan.subtasks[0].description == request_text


def test_conversational_tail_joins_its_neighbour_in_any_team(
    kitchen_planner: LocalPlanner,
) -> None:
    for request_text in ["Walk the dog, what's going on?", "Feed the cat. Can you help?"]:
        plan = kitchen_planner.plan(request_text)
        assert [(s.agent, s.escalate) for s in plan.subtasks] == [("pets", False)]


@pytest.mark.parametrize(
    "request_text",
    [
        "First, roll back the api deployment. Second, draft a status update about it.",
        "Is the auth service down? If so, draft a status update for customers.",
        "Check whether the auth service is healthy, and if it isn't, draft a status update for "
        "customers.",
    ],
)
def test_ordinals_and_conditions_join_the_task_they_introduce(
    demo_planner: LocalPlanner, request_text: str
) -> None:
    plan = demo_planner.plan(request_text)
    assert [(s.agent, s.escalate, s.depends_on) for s in plan.subtasks] == [
        ("ops", False, []),
        ("content", False, ["t1"]),
    ]


@pytest.mark.parametrize(
    ("request_text", "agent"),
    [
        ("Refund invoice INV-1001 and also what's the weather in Paris?", "billing"),
        ("Reset my password, then book me a table for two tonight.", "support"),
        ("How many signups did we get last week? And tell me a joke.", "analytics"),
    ],
)
def test_substantive_out_of_scope_part_still_escalates(
    demo_planner: LocalPlanner, request_text: str, agent: str
) -> None:
    plan = demo_planner.plan(request_text)
    assert [(s.agent, s.escalate) for s in plan.subtasks] == [(agent, False), (None, True)]


def test_out_of_scope_part_escalates_in_any_team(kitchen_planner: LocalPlanner) -> None:
    plan = kitchen_planner.plan("Feed the cat and tell me a joke.")
    assert [(s.agent, s.escalate) for s in plan.subtasks] == [("pets", False), (None, True)]


def test_then_about_it_depends_on_the_previous_subtask(demo_planner: LocalPlanner) -> None:
    plan = demo_planner.plan(
        "Roll back the api deployment in production, then draft a status update about it"
    )
    assert [(s.id, s.agent, s.depends_on) for s in plan.subtasks] == [
        ("t1", "ops", []),
        ("t2", "content", ["t1"]),
    ]


def test_independent_parts_have_no_dependencies(demo_planner: LocalPlanner) -> None:
    plan = demo_planner.plan("Reset my password and refund my last invoice")
    assert [(s.agent, s.depends_on) for s in plan.subtasks] == [
        ("support", []),
        ("billing", []),
    ]


def test_each_ask_is_a_subtask_of_its_own_even_for_one_agent(
    kitchen_planner: LocalPlanner,
) -> None:
    # One subtask "Feed the cat.; walk the dog in the park." left an agent that does one thing
    # per task answering the first ask only.
    plan = kitchen_planner.plan("Feed the cat. Mow the lawn. Also walk the dog in the park.")
    assert [(s.id, s.agent) for s in plan.subtasks] == [
        ("t1", "pets"),
        ("t2", "garden"),
        ("t3", "pets"),
    ]
    assert [s.description for s in plan.subtasks] == [
        "Feed the cat.",
        "Mow the lawn.",
        "walk the dog in the park.",
    ]


def test_two_asks_for_one_agent_each_naming_its_record_stay_two(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    team = _kitchen_team(entities={"car": {"pattern": r"CAR-\d+", "nouns": ["car"]}})
    planner = LocalPlanner(team, cache_dir=tmp_path_factory.mktemp("cache"))
    plan = planner.plan("change the oil in the car CAR-1 and replace the car battery of CAR-2")
    assert [(s.agent, s.description) for s in plan.subtasks] == [
        ("car", "change the oil in the car CAR-1"),
        ("car", "replace the car battery of CAR-2"),
    ]
    # One record, a later part about the earlier one, or a team that declares no records: one.
    for text in (
        "change the oil and replace the battery of CAR-1",
        "book CAR-1 in at the garage and check it",
    ):
        assert len(planner.plan(text).subtasks) == 1, text
    unnamed = "change the oil in the car and replace the car battery"
    assert len(planner.plan(unnamed).subtasks) == 1


def test_demo_planner_keeps_two_billing_asks_apart(demo_planner: LocalPlanner) -> None:
    """Found in a trial: "show invoice … and what plan is … on?" became one billing subtask,
    and the billing skill answered the invoice only."""
    plan = demo_planner.plan("pull up invoice INV-1042 and which plan is CUS-1017 on?")
    assert [s.agent for s in plan.subtasks] == ["billing", "billing"]
    assert "INV-1042" in plan.subtasks[0].description
    assert "CUS-1017" in plan.subtasks[1].description


def test_dependencies_follow_the_order_of_the_asks(kitchen_planner: LocalPlanner) -> None:
    # pets, then garden using it, then pets using that: each waits for the one before.
    plan = kitchen_planner.plan(
        "Feed the cat. Then water the tomato plants after it. Then walk the dog after that."
    )
    assert [s.agent for s in plan.subtasks] == ["pets", "garden", "pets"]
    assert [s.depends_on for s in plan.subtasks] == [[], ["t1"], ["t2"]]


def test_a_reply_is_routed_by_its_newest_ask_not_the_answered_one_it_quotes(
    demo_planner: LocalPlanner,
) -> None:
    text = (
        "> On Wed, 3 Dec, Noor wrote:\n> Please roll back the web deployment in production.\n\n"
        "Thanks, all good now. Could you write a short note for our customers about the new "
        "invoice layout?"
    )
    plan = demo_planner.plan(text)
    assert [s.agent for s in plan.subtasks] == ["content"]
    assert "roll back" not in plan.subtasks[0].description
    # Quoted lines about the same matter are context: the request is planned whole.
    same = demo_planner.plan(
        "> The api keeps timing out for us.\n\nStill happening today. Please check the api."
    )
    assert [s.agent for s in same.subtasks] == ["ops"]


def test_asks_joined_by_a_slash_or_listed_with_emoji_bullets_are_planned_apart(
    demo_planner: LocalPlanner,
) -> None:
    """Chat voices (demo-team-dev4): " / " between two asks and "👉" list items are cuts the
    splitter offers and the demo team's cutter keeps; a " / " inside one ask is glued back."""
    slashed = demo_planner.plan("check api health / count tickets tagged timeout this week")
    assert [s.agent for s in slashed.subtasks] == ["ops", "analytics"]
    listed = demo_planner.plan("👉 reopen TCK-1081\n👉 roll back DEP-1028")
    assert [s.agent for s in listed.subtasks] == ["support", "ops"]
    whole = demo_planner.plan("restart / redeploy the web service, whichever fixes the 502s")
    assert [s.agent for s in whole.subtasks] == ["ops"]


def test_splitter_cuts_lists_sentences_and_connectors() -> None:
    bullets = split_request("- feed the cat\n- mow the lawn\n* wash the car")
    assert [s.text for s in bullets] == ["feed the cat", "mow the lawn", "wash the car"]
    numbered = split_request("1) feed the cat 2) mow the lawn")
    assert [s.text for s in numbered] == ["feed the cat", "mow the lawn"]
    assert [s.text for s in split_request("Call ticket 4821. Then close it.")] == [
        "Call ticket 4821.",
        "close it.",
    ]
    cut = split_request("A; also B, and then C as well as D plus E")
    assert [(s.text, s.boundary, s.sequential) for s in cut] == [
        ("A", None, False),
        ("B", "strong", False),
        ("C", "strong", True),
        ("D", "weak", False),
        ("E", "weak", False),
    ]
    # Joining the pieces back gives the request, so a glued part reads as the user wrote it.
    assert "".join(s.joiner + s.text for s in cut) == "A; also B, and then C as well as D plus E"


def test_splitter_leaves_quotes_and_stray_punctuation_alone() -> None:
    quoted = "Polish this: 'We are live, and faster. Try it.' Then post it"
    assert [s.text for s in split_request(quoted)] == [
        "Polish this: 'We are live, and faster. Try it.'",
        "post it",
    ]
    assert [s.text for s in split_request('Say "hi, and bye" now')] == ['Say "hi, and bye" now']
    # An apostrophe opens no quote: the "and" still cuts.
    assert len(split_request("Check the customers' invoices and the partners' ones")) == 2
    # What a sequence word leaves behind is no part: "." ends the part before it.
    cut = split_request("Close ticket 7 and refund invoice 8 once that's done.")
    assert [s.text for s in cut] == ["Close ticket 7", "refund invoice 8 once that's done."]
    assert [s.text for s in split_request("signups this week + is the api up")] == [
        "signups this week",
        "is the api up",
    ]


def test_and_closing_between_is_no_cut() -> None:
    """ "between X and Y" names a range or a pair: its "and" starts no second request (issue
    14: "between tomorrow and next tuesday" made a subtask of its own)."""
    for text in [
        "about how many meetings am i attending between 12 and 3 today",
        "is there anything on my calendar between tomorrow and next tuesday",
        "what is the time difference between eastern and pacific",
        "The auth service has been flapping between healthy and degraded all afternoon",
    ]:
        assert [s.text for s in split_request(text)] == [text]
    # Only the "and" that closes it: a later one, or one after a comma, still cuts.
    assert [s.text for s in split_request("book a table between 7 and 8 pm and call mom")] == [
        "book a table between 7 and 8 pm",
        "call mom",
    ]
    assert len(split_request("show transfers between accounts, and refund INV-1")) == 2
    assert len(split_request("Something went wrong between us. And refund INV-1")) == 2


def test_content_words() -> None:
    for empty in ["Can you help?", "what's going on?", "It's CUS-1028.", "for 2026", "If it is"]:
        assert content_words(empty) == [], empty
    assert content_words("tell me a joke") == ["joke"]
    assert content_words("refund INV-1001 please") == ["refund"]


def test_stop_words_that_name_what_a_request_is_about_are_content() -> None:
    # scikit-learn's stop words include "bill", "name" and "call": parts asking about them said
    # nothing of their own, so they could never stand beside the part before them.
    assert says_something("please let me know how much them bill is")
    assert says_something("i need your name")
    assert says_something("x is who i need to call")
    assert not says_something("i wanna know why")  # "wanna" is "want": filler
    assert not says_something("Can you help?")


def test_refers_back() -> None:
    assert refers_back("draft an announcement about it")
    assert refers_back("use those numbers")
    assert refers_back("email the customer the result")
    assert not refers_back("make sure that my account is unlocked")
    assert not refers_back("count signups this month")


# -- escalation --------------------------------------------------------------------------------


def test_out_of_scope_goes_to_a_human(demo_planner: LocalPlanner) -> None:
    (subtask,) = demo_planner.plan("What's the weather going to be in Paris tomorrow?").subtasks
    assert subtask.agent is None and subtask.escalate
    assert subtask.escalation_reason and "out of scope" in subtask.escalation_reason
    assert subtask.escalation_kind == "out_of_scope"


def test_low_margin_escalates_with_a_best_guess(tmp_path: Path) -> None:
    shared = ["feed the cat", "walk the dog", "book a vet visit", "buy cat food", "bath the dog"]
    team = _kitchen_team(
        agents=[
            _agent("pets", "Pets.", shared),
            _agent("animals", "Animals.", shared),
            _agent("car", "Car.", ["change the oil", "flat tyres", "wash the car", "new battery"]),
        ],
        routing=RoutingConfig(confidence_floor=0.2, min_margin=0.1),
    )
    (subtask,) = LocalPlanner(team, cache_dir=tmp_path).plan("feed the cat").subtasks
    assert subtask.escalate and subtask.agent in {"pets", "animals"}
    assert subtask.escalation_reason and subtask.escalation_reason.startswith("ambiguous")
    assert subtask.escalation_kind == "ambiguous"
    assert {a.agent for a in subtask.alternatives} >= {"pets", "animals"} - {subtask.agent}


def test_confident_route_has_rationale_and_alternatives(kitchen_planner: LocalPlanner) -> None:
    (subtask,) = kitchen_planner.plan("please water the plants").subtasks
    assert (subtask.agent, subtask.escalate) == ("garden", False)
    assert subtask.confidence >= 0.5
    assert "water" in subtask.rationale
    assert [a.agent for a in subtask.alternatives] and "garden" not in {
        a.agent for a in subtask.alternatives
    }


@pytest.mark.parametrize("allowed", [[], ["support"], ["content", "analytics"], ["legal"]])
def test_allowed_agents_are_never_violated(demo_planner: LocalPlanner, allowed: list[str]) -> None:
    for row in load_rows():
        plan = demo_planner.plan(row.text, allowed_agents=allowed)
        for s in plan.subtasks:
            assert s.agent is None or s.agent in allowed, (row.text, s)
            assert all(a.agent in allowed for a in s.alternatives), (row.text, s)


def test_unreachable_best_agent_escalates(demo_planner: LocalPlanner) -> None:
    (subtask,) = demo_planner.plan(
        "refund invoice INV-1003, it was double charged", allowed_agents=["support"]
    ).subtasks
    assert subtask.escalate and subtask.agent is None
    assert subtask.escalation_reason and "billing" in subtask.escalation_reason
    assert subtask.escalation_kind == "unreachable"


# -- plans and the cache -----------------------------------------------------------------------


def test_plans_are_valid_and_numbered_in_order(demo_planner: LocalPlanner) -> None:
    for row in load_rows():
        plan = demo_planner.plan(row.text)
        Plan.model_validate(plan.model_dump())
        assert plan.planner == "local"
        assert [s.id for s in plan.subtasks] == [f"t{i + 1}" for i in range(len(plan.subtasks))]


def test_empty_request_is_refused(kitchen_planner: LocalPlanner) -> None:
    with pytest.raises(ValueError):
        kitchen_planner.plan("   ")


def test_second_planner_loads_from_cache(tmp_path: Path) -> None:
    first = LocalPlanner(_kitchen_team(fingerprint="abc"), cache_dir=tmp_path)
    assert first.trained and first.cache_path is not None and first.cache_path.exists()
    written = first.cache_path.read_bytes()
    second = LocalPlanner(_kitchen_team(fingerprint="abc"), cache_dir=tmp_path)
    assert not second.trained
    assert second.cache_path == first.cache_path
    assert first.cache_path.read_bytes() == written  # read, not rewritten
    assert second.plan("wash the car") == first.plan("wash the car")


def test_changed_examples_retrain_and_prune_the_old_model(tmp_path: Path) -> None:
    first = LocalPlanner(_kitchen_team(), cache_dir=tmp_path)
    team = _kitchen_team()
    team.agents[0].examples.append("brush the dog's teeth")
    other = LocalPlanner(team, cache_dir=tmp_path)
    assert other.trained and other.cache_path != first.cache_path
    # The superseded model is gone.
    assert list(tmp_path.glob("local-planner-*")) == [other.cache_path]


def test_routing_thresholds_do_not_retrain(tmp_path: Path) -> None:
    LocalPlanner(_kitchen_team(fingerprint="abc"), cache_dir=tmp_path)
    # A tuned routing block rewrites the team file (a new fingerprint), not the model's inputs.
    tuned = _kitchen_team(
        fingerprint="def", routing=RoutingConfig(confidence_floor=0.3, min_margin=0.05)
    )
    assert not LocalPlanner(tuned, cache_dir=tmp_path).trained


def test_other_teams_models_are_kept_up_to_a_bound(tmp_path: Path) -> None:
    from ringmaster.graph.planner import model_cache

    for name in ("a", "b"):
        LocalPlanner(_kitchen_team(name=name), cache_dir=tmp_path)
    assert len(list(tmp_path.glob("local-planner-*"))) == 2
    stale = [tmp_path / f"local-planner-old{i}.pkl" for i in range(model_cache.MAX_FILES)]
    for i, path in enumerate(stale):
        path.write_bytes(b"x")
        os.utime(path, (1000 + i, 1000 + i))
    LocalPlanner(_kitchen_team(name="c"), cache_dir=tmp_path)
    kept = set(tmp_path.glob("local-planner-*"))
    assert len(kept) == model_cache.MAX_FILES
    assert stale[0] not in kept and stale[-1] in kept  # least recently used go first


def test_an_unsigned_or_forged_cache_file_is_never_unpickled(tmp_path: Path) -> None:
    import pickle

    from ringmaster.graph.planner import model_cache

    first = LocalPlanner(_kitchen_team(), cache_dir=tmp_path)
    assert first.cache_path is not None
    key_file = tmp_path / model_cache.KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    # A payload with a plain sha256 (the old format, or anyone without the key) is a miss.
    payload = pickle.dumps(first.classifier)
    forged = b"ringmaster-planner-model-hmac\n" + hashlib.sha256(payload).hexdigest().encode()
    first.cache_path.write_bytes(forged + b"\n" + payload)
    assert LocalPlanner(_kitchen_team(), cache_dir=tmp_path).trained
    assert not LocalPlanner(_kitchen_team(), cache_dir=tmp_path).trained  # re-signed
    # A key others may read can be used to forge: the cache refuses it.
    key_file.chmod(0o644)
    assert LocalPlanner(_kitchen_team(), cache_dir=tmp_path).trained


def test_another_model_format_retrains(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ringmaster.graph.planner import local_model, model_cache

    first = LocalPlanner(_kitchen_team(fingerprint="abc"), cache_dir=tmp_path)
    assert first.cache_path is not None
    # A signed document of a format this code does not read is a miss, not an error.
    model_cache.save_document(first.cache_path, {"format": "ringmaster-local-planner/99"})
    assert LocalPlanner(_kitchen_team(fingerprint="abc"), cache_dir=tmp_path).trained
    assert not LocalPlanner(_kitchen_team(fingerprint="abc"), cache_dir=tmp_path).trained
    # A new format is a new key: its files are never read as the old one's.
    monkeypatch.setattr(local_model, "MODEL_FORMAT", "ringmaster-local-planner/99")
    again = LocalPlanner(_kitchen_team(fingerprint="abc"), cache_dir=tmp_path)
    assert again.trained and again.cache_path != first.cache_path


@pytest.mark.parametrize("module", ["classifier.py", "scoring.py"])
def test_changed_training_code_retrains(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    """A cached TF-IDF model is plain data, but it is only what the code that trained it (and its
    analyzers) made: new code means a new key, FEATURES_VERSION bumped or not."""
    import shutil

    from ringmaster.graph.planner import model_cache

    code = tmp_path / "code"
    shutil.copytree(model_cache.Path(model_cache.__file__).parent, code)
    monkeypatch.setattr(model_cache, "PLANNER_DIR", code, raising=False)
    cache = tmp_path / "cache"
    first = LocalPlanner(_kitchen_team(fingerprint="abc"), cache_dir=cache)
    assert first.trained
    assert not LocalPlanner(_kitchen_team(fingerprint="abc"), cache_dir=cache).trained
    with (code / module).open("a", encoding="utf-8") as f:
        f.write("\n# a change to the training\n")
    again = LocalPlanner(_kitchen_team(fingerprint="abc"), cache_dir=cache)
    assert again.trained and again.cache_path != first.cache_path


@pytest.mark.parametrize("garbage", [b"", b"not a cache file", None])
def test_corrupt_cache_is_retrained(tmp_path: Path, garbage: bytes | None) -> None:
    first = LocalPlanner(_kitchen_team(fingerprint="abc"), cache_dir=tmp_path)
    assert first.cache_path is not None
    data = first.cache_path.read_bytes()
    # None: a truncated file whose header is intact.
    first.cache_path.write_bytes(data[: len(data) // 2] if garbage is None else garbage)
    again = LocalPlanner(_kitchen_team(fingerprint="abc"), cache_dir=tmp_path)
    assert again.trained
    assert again.plan("wash the car").subtasks[0].agent == "car"
    assert not LocalPlanner(_kitchen_team(fingerprint="abc"), cache_dir=tmp_path).trained


def test_no_cache_dir_trains_in_memory(tmp_path: Path) -> None:
    planner = LocalPlanner(_kitchen_team())
    assert planner.trained and planner.cache_path is None
    assert planner.plan("feed the cat").subtasks[0].agent == "pets"


def test_human_floor_escalates_a_request_leaning_towards_a_person(tmp_path: Path) -> None:
    text = "walk the dog"
    routing = {"confidence_floor": 0.0, "min_margin": 0.0}
    base = LocalPlanner(_kitchen_team(routing=RoutingConfig(**routing)), cache_dir=tmp_path)
    plan = base.plan(text)
    assert len(plan.subtasks) == 1 and not plan.subtasks[0].escalate  # an agent still wins
    score = base.escalation_score(text)
    assert 0.0 < score < 0.5

    def with_floor(floor: float) -> Plan:
        team = _kitchen_team(routing=RoutingConfig(**routing, human_floor=floor))
        return LocalPlanner(team, cache_dir=tmp_path).plan(text)

    floored = with_floor(score).subtasks
    assert len(floored) == 1 and floored[0].escalate and floored[0].agent is None
    assert "human score" in (floored[0].escalation_reason or "")
    assert floored[0].escalation_kind == "out_of_scope"
    assert not with_floor(min(1.0, score + 0.01)).subtasks[0].escalate


def test_while_youre_at_it_inside_a_sentence_is_one_connector() -> None:
    cut = split_request("mow the lawn and while you're at it, wash the car")
    assert [(s.text, s.boundary) for s in cut] == [("mow the lawn", None), ("wash the car", "weak")]
    cut = split_request("feed the cat while ur at it walk the dog")
    assert [s.text for s in cut] == ["feed the cat", "walk the dog"]


def test_demo_planner_keeps_a_list_of_records_with_one_ask(demo_planner: LocalPlanner) -> None:
    """ "credit CUS-1001 and CUS-1002 20 dollars" was cut after the first id: the first credit
    lost its amount and the second its verb. Two records side by side are one ask's list,
    whatever follows the second; one that opens a clause of its own is a second ask."""
    for text in (
        "credit CUS-1004 and CUS-1007 with 35 dollars",
        "close TCK-1010 and TCK-1012 as duplicates",
        "set TCK-1003, TCK-1008 to high priority",
    ):
        plan = demo_planner.plan(text)
        assert [s.description for s in plan.subtasks] == [text], text
    plan = demo_planner.plan("refund INV-1003 and CUS-1009 needs a credit")
    assert [s.description for s in plan.subtasks] == ["refund INV-1003", "CUS-1009 needs a credit"]
