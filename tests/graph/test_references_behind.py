"""Rolling back what an incident is about (conversations-dev22): "roll that back", "roll back
the deploy that caused it" after a turn about an incident act on the deployment the records
tie the incident to, never on the incident; asked when it is tied to several."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve

from .references_kit import ACTS, KINDS, entities, facts, turn

FACTS = facts(
    RecordFacts("INC-1012", words="api Elevated 5xx error rate open", behind=("DEP-1032",)),
    RecordFacts("INC-1001", words="billing-service Duplicate card charges resolved"),
    RecordFacts("ALT-1041", words="api http 5xx rate critical firing", behind=("DEP-1032",)),
    RecordFacts("ALT-1043", words="auth sms delivery failures firing", behind=("DEP-1030",)),
    RecordFacts("DEP-1032", words="api production 2.14.0 succeeded release"),
    RecordFacts("DEP-1030", words="auth production 2.0.0 succeeded release"),
)


def test_rolling_back_an_incident_rolls_back_the_deployment_behind_it() -> None:
    history = [turn(1, "what is going on with INC-1012?", "ALT-1041 ALT-1042")]
    for typed in ("ok roll that back i guess yeah", "roll it back", "revert it"):
        out = resolve(typed, history, KINDS, FACTS.get, ACTS)
        assert out.question is None and entities(out) == ["DEP-1032"], typed
        assert "INC-1012" not in out.text, typed


def test_the_deploy_that_caused_it_is_the_deployment_behind_the_incident() -> None:
    history = [turn(1, "And what is actually going on with INC-1012??", "ALT-1041 ALT-1042")]
    for typed in ("Roll back the deploy that caused it. NOW.", "roll back the deploy behind it",
                  "who shipped the deployment that caused INC-1012?"):  # fmt: skip
        out = resolve(typed, history, KINDS, FACTS.get, ACTS)
        assert out.question is None and entities(out) == ["DEP-1032"], typed
        assert "DEP-1032" in out.text, typed


def test_an_incident_tied_to_no_deployment_or_to_several_is_asked() -> None:
    # No deployment behind it: never rolled back as the incident.
    history = [turn(1, "what happened in INC-1001?")]
    out = resolve("roll it back", history, KINDS, FACTS.get, ACTS)
    assert out.question is not None and entities(out) == []
    # Two alerts, each behind another deployment: which one is asked.
    history = [turn(1, "are ALT-1041 and ALT-1043 still firing?")]
    out = resolve("roll back the deploy that caused them", history, KINDS, FACTS.get, ACTS)
    assert entities(out) != ["DEP-1032"] and entities(out) != ["DEP-1030"]
    # "them" is the two alerts, as "it" is: asked which deployment, never read as the alerts.
    assert out.question is not None and "DEP-1030" in out.question and "DEP-1032" in out.question
    out = resolve("roll back the deploy that caused it", history, KINDS, FACTS.get, ACTS)
    assert out.question is not None and "DEP-1030" in out.question and "DEP-1032" in out.question


def test_the_rationale_says_the_deployment_was_running_when_the_incident_began() -> None:
    """A deployment read for an incident is said as what it was: the one running when the
    incident began, not a bare id the person must take on trust."""
    history = [turn(1, "anything new on INC-1012?")]
    for typed in ("revert it", "who pushed the deploy that caused it?"):
        out = resolve(typed, history, KINDS, FACTS.get, ACTS)
        [read] = out.resolutions
        assert read.entity == "DEP-1032", typed
        assert "running when INC-1012 began" in read.describe(), typed
        assert "running when INC-1012 began" in out.context(), typed
