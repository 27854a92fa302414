"""The learned cutter: synthetic joins from a team's examples, and the split it learns."""

from __future__ import annotations

import random

import pytest

from ringmaster.graph.planner import synthesis
from ringmaster.graph.planner.cutter import CutterConfig, training_cuts
from ringmaster.graph.planner.local import LocalPlanner, LocalPlannerSettings
from ringmaster.graph.planner.scoring import Scores
from ringmaster.graph.planner.splitter import split_request
from ringmaster.graph.planner.synthesis import (
    Synthetic,
    chat,
    email,
    join,
    listed,
    same_subject,
    synthesise,
    ticket,
)
from tests.graph.test_local_planner import _kitchen_team


def test_joins_keep_every_piece_and_its_label() -> None:
    rng = random.Random(3)
    pieces = [("Water the tomato plants.", "garden"), ("Wash the car", "car"), ("feed it", "pets")]
    for _ in range(50):
        row = join(pieces, rng)
        assert row.labels == ("garden", "car", "pets")
        texts = [row.text[s:e] for s, e in row.spans]
        assert texts[1].lower().startswith("wash")
        assert all(t.strip() and t in row.text for t in texts)
        assert row.real_cut(0, 1) and row.real_cut(1, 2)


def test_synthesis_mixes_one_part_and_multi_part_requests() -> None:
    by_label = {"a": ["reset my password", "unlock my account"], "b": ["refund the invoice"]}
    rows = synthesise(by_label, singles=3, pairs=5, triples=2, rng=random.Random(0))
    sizes = {len(r.labels) for r in rows}
    assert sizes == {1, 2}  # two labels: no three-label joins
    assert all(len(set(r.labels)) == len(r.labels) for r in rows)


PIECES = [("Water the tomato plants.", "garden"), ("Wash the car", "car"), ("feed the cat", "pets")]


def _pieces_text(row: Synthetic) -> list[str]:
    return [row.text[s:e] for s, e in row.spans]


def test_voices_keep_every_piece_inside_its_span_and_the_envelope_with_a_piece() -> None:
    rng = random.Random(5)
    by_label = {"garden": ["prune the apple tree", "mow the lawn"]}
    for _ in range(40):
        base = join(PIECES, rng)
        for row in (
            email(base, rng),
            chat(base, rng),
            ticket(base, by_label["garden"], rng),
            listed(PIECES, rng),
        ):
            assert row.labels == base.labels
            texts = _pieces_text(row)
            # Greeting, lead-in or quoted history open the first piece; a sign-off ends the last.
            assert row.spans[0][0] == 0
            words = ("water", "wash", "feed")
            assert [t.lower().count(w) for t, w in zip(texts, words, strict=True)] == [1] * 3
            assert all(a[1] <= b[0] for a, b in zip(row.spans, row.spans[1:], strict=False))
        mail = email(base, rng)
        assert mail.spans[-1][1] == len(mail.text) and "\n\n" in mail.text
        quoted = ticket(base, by_label["garden"], rng)
        assert quoted.text.startswith("> ") and _pieces_text(quoted)[0].startswith("> ")


def test_several_sentences_about_one_subject_are_one_request() -> None:
    row = same_subject(["the car tyres are flat", "Book it in at the garage"], "car")
    assert row.labels == ("car",) and row.spans == ((0, len(row.text)),)


def test_training_cuts_face_a_sign_off_with_the_whole_request_it_ends() -> None:
    """A false cut is also learned between the rest of its piece on either side, the way the
    planner meets it once the other false cuts are glued."""
    text = (
        "Hi,\n\nThe car tyres are flat. Book it in at the garage and check the brakes."
        "\n\nThanks,\nAnna"
    )
    row = Synthetic(text, ((0, len(text)),), ("car",))

    class Flat:
        def score(self, texts: list[str]) -> list[Scores]:
            return [Scores({"car": 0.9, "pets": 0.1}, "car", "", 0.5, ()) for _ in texts]

    x, y = training_cuts([row], Flat())  # type: ignore[arg-type]
    assert y and not any(y)  # one request: no cut is real
    segments = split_request(text)
    assert len(x) > len(segments) - 1  # more than the cuts between neighbouring segments


class _Flat:
    def score(self, texts: list[str]) -> list[Scores]:
        return [Scores({"car": 0.5, "garden": 0.5}, "car", "", 0.5, ()) for _ in texts]


@pytest.mark.parametrize("joint", synthesis._JOINS, ids=repr)
def test_every_join_reaches_training_with_its_real_cut(
    joint: tuple[str, bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each connector the synthesis joins by gives the cutter a real cut to learn from. Joins
    by ". Unrelated, but" never did: the splitter leaves "but" in the later segment, which
    then started in no piece, and `cuts_by_request` left the whole request out."""
    monkeypatch.setattr(synthesis, "_JOINS", (joint,))
    pieces = [("Water the tomato plants.", "garden"), ("Wash the car", "car")]
    for seed in range(5):
        row = join(pieces, random.Random(seed))
        _, y = training_cuts([row], _Flat())  # type: ignore[arg-type]
        assert 1 in y, row.text


@pytest.mark.long  # trains a cutter
def test_learned_split_separates_requests_keeps_one_whole_and_an_email_and_splits_a_list() -> None:
    """One trained cutter for all of these (training one takes half a minute or more). On a
    fifth of the default synthetic requests: how this toy team's cutter cuts is checked, and
    the default sizes are trained on the demo team by test_every_shipped_model_is_what_training
    _gives_now."""
    quick = CutterConfig(singles=600, pairs=500, triples=160)
    settings = LocalPlannerSettings(learned_split=True, cutter=quick)
    team = _kitchen_team()
    for agent in team.agents:  # enough examples to hold some out
        agent.examples.extend(f"{e} again" for e in list(agent.examples))
        agent.examples.extend(f"please {e} today" for e in list(agent.examples)[:6])
    planner = LocalPlanner(team, settings=settings)
    assert planner.cutter is not None and planner.cutter.trained_on["real"] > 0
    two = planner.plan("wash the car and then water the tomato plants")
    assert [s.agent for s in two.subtasks] == ["car", "garden"]
    one = planner.plan("The car tyres are flat. Can you book the car in at the garage?")
    assert [s.agent for s in one.subtasks] == ["car"]
    mail = planner.plan(
        "Hello,\n\nThe car tyres are flat again. Can you book the car in at the garage?"
        "\n\nKind regards,\nMartha"
    )
    assert [s.agent for s in mail.subtasks] == ["car"]
    todo = planner.plan("Two things:\n- wash the car\n- water the tomato plants")
    assert sorted(s.agent for s in todo.subtasks) == ["car", "garden"]


NOISE = ("again", "today", "now", "please", "asap")  # words that make an example a new one


def test_the_split_is_learned_by_default_only_from_enough_examples() -> None:
    few = _kitchen_team()  # six examples an agent: too few to hold some out
    assert LocalPlanner(few).cutter is None
    many = _kitchen_team()
    for agent in many.agents:
        agent.examples.extend(f"{e} {n}" for n in NOISE[:3] for e in agent.examples[:6])
    assert all(len(a.examples) >= 20 for a in many.agents)
    # Whether a cutter is learned is the rule under test, not how well it cuts: a few synthetic
    # requests train one (the rule reads only the examples and `learned_split`).
    quick = LocalPlannerSettings(cutter=CutterConfig(singles=60, pairs=60, triples=20))
    assert LocalPlanner(many, settings=quick).cutter is not None
    assert LocalPlanner(many, settings=LocalPlannerSettings(learned_split=False)).cutter is None
    # The rule is an average: one thin agent among many well-described ones keeps the cutter.
    uneven = _kitchen_team()
    for agent in uneven.agents[1:]:
        agent.examples.extend(f"{e} {n}" for n in NOISE for e in agent.examples[:6])
    counts = [len(a.examples) for a in uneven.agents]
    assert min(counts) < 20 <= sum(counts) / len(counts)
    assert LocalPlanner(uneven, settings=quick).cutter is not None
