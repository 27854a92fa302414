"""A deployment picked by its environment or service among those an answer listed
(conversations-dev22, dev23): "did DEP-1025 go to prod after?" answered with every production
deployment, then "roll back the prod one" is DEP-1025's production counterpart; asked when
the record the turn was about tells none of them apart."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve

from .references_kit import ACTS, KINDS, catalogue, entities, turn


def deployment(id_: str, title: str, month: str) -> RecordFacts:
    """A deployment as the demo lookup has it: its title, and the words that describe it."""
    return RecordFacts(id_, None, f"{title} succeeded release {month}", title=title)


DEPLOYMENTS = {
    f.id: f
    for f in (
        deployment("DEP-1025", "web staging 3.8.1", "June 2025"),
        deployment("DEP-1028", "web production 3.8.1", "June 2025"),
        deployment("DEP-1029", "billing-service production 1.10.0", "May 2025"),
        deployment("DEP-1030", "auth production 2.0.0", "June 2025"),
        deployment("DEP-1032", "api production 2.14.0", "June 2025"),
        deployment("DEP-1031", "auth staging 2.0.0", "June 2025"),
        deployment("DEP-1033", "api staging 2.15.0-rc1", "June 2025"),
    )
}
PROD = "DEP-1032 DEP-1030 DEP-1029 DEP-1028"


def test_the_prod_one_after_a_turn_about_a_staging_deployment_is_its_counterpart() -> None:
    history = [turn(1, "and did DEP-1025 go to prod after", PROD)]
    for typed in ("ok ngl roll back the prod one, dashboards are giving slow",
                  "who shipped the production one?"):  # fmt: skip
        out = resolve(typed, history, KINDS, DEPLOYMENTS.get, ACTS)
        assert out.question is None and entities(out) == ["DEP-1028"], typed
    # The other way round: the staging one after a turn about a production deployment.
    history = [turn(1, "Who deployed DEP-1028?", "DEP-1033 DEP-1031 DEP-1025 DEP-1032")]
    out = resolve("Same question for the staging one.", history, KINDS, DEPLOYMENTS.get, ACTS)
    assert out.question is None and entities(out) == ["DEP-1025"]


def test_the_prod_one_with_no_counterpart_among_those_listed_is_asked() -> None:
    # DEP-1033 (api rc on staging) never went to production: no listed one is its counterpart
    # (the one listed from June, as it is, is not one).
    history = [turn(1, "and did DEP-1033 go to prod after", "DEP-1030 DEP-1029")]
    out = resolve("roll back the prod one", history, KINDS, DEPLOYMENTS.get, ACTS)
    assert out.question is not None and entities(out) == []


def test_the_staging_one_after_an_answer_about_one_deployment_is_looked_up() -> None:
    """An answer that named the one deployment asked about (and alerts besides) listed no
    counterpart: "the staging one" is the record that differs from it in its place alone,
    from the catalog, not a question among the alerts."""
    lookup, records = catalogue(DEPLOYMENTS)
    history = [turn(1, "Who deployed DEP-1028?", "ALT-1041 ALT-1042")]
    for typed in ("Same question for the staging one.", "and the staging deployment?"):
        out = resolve(typed, history, KINDS, lookup, ACTS, records)
        assert out.question is None and entities(out) == ["DEP-1025"], typed
    history = [turn(1, "is DEP-1031 healthy?", "ALT-1043")]
    out = resolve("roll back the production one", history, KINDS, lookup, ACTS, records)
    assert out.question is None and entities(out) == ["DEP-1030"]


def test_a_record_sharing_its_service_alone_is_no_counterpart() -> None:
    # DEP-1033 (api 2.15.0-rc1 on staging) never went to production: api's production
    # deployment differs from it in its version too, so "the prod one" is not picked.
    lookup, records = catalogue(DEPLOYMENTS)
    history = [turn(1, "who deployed DEP-1033?", "ALT-1041 ALT-1042")]
    out = resolve("roll back the prod one", history, KINDS, lookup, ACTS, records)
    assert out.question is not None and entities(out) == [], out.text


def test_a_staging_one_an_earlier_turn_listed_comes_before_a_twin_from_the_catalog() -> None:
    # "what's on api staging and prod?" listed the rc on staging; the production one was then
    # named. "the staging one" is the rc talked about, not the production one's older twin.
    twin = deployment("DEP-1034", "api staging 2.14.0", "June 2025")
    lookup, records = catalogue({**DEPLOYMENTS, twin.id: twin})
    history = [
        turn(1, "what's on api staging and prod right now?", "DEP-1033 DEP-1032"),
        turn(2, "roll back DEP-1032"),
    ]
    out = resolve("who shipped the staging one?", history, KINDS, lookup, ACTS, records)
    assert out.question is None and entities(out) == ["DEP-1033"]
    # With nothing of staging listed, the twin is the one meant.
    out = resolve("who shipped the staging one?", history[1:], KINDS, lookup, ACTS, records)
    assert out.question is None and entities(out) == ["DEP-1034"]
