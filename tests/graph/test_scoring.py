"""The plain-Python scorer reproduces scikit-learn's fitted models: the TF-IDF classifier (every
score the planner reads) and the cutter's boosted trees, on two of the demo team's tuning splits
(one-part and multi-part requests, and the parts the splitter cuts them into); never on the
held-out eval sets, which measure generalisation.

These need the `train` extra (scikit-learn), as CI has it: scikit-learn is the reference."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as SKLEARN_STOP_WORDS
from sklearn.feature_extraction.text import TfidfVectorizer

from ringmaster.agents.demo import load_demo_team
from ringmaster.agents.spec import Team
from ringmaster.graph.planner.classifier import TfidfClassifier, TfidfConfig
from ringmaster.graph.planner.cutter import (
    Cutter,
    CutterConfig,
    export_trees,
    fit_boosting,
    training_cuts,
)
from ringmaster.graph.planner.local import LocalPlanner, LocalPlannerSettings
from ringmaster.graph.planner.local_model import training_data
from ringmaster.graph.planner.scoring import (
    HUMAN,
    Scores,
    TfidfScorer,
    char_wb_ngrams,
    normalise,
    word_ngrams,
)
from ringmaster.graph.planner.splitter import split_request
from ringmaster.graph.planner.synthesis import synthesise
from ringmaster.stop_words import ENGLISH_STOP_WORDS

# The fixtures fit scikit-learn models once (session scope: a module fixture was fitted again
# when a worker ran another module's test between two of these); under `-n` the tests that use
# them are one group (one worker); the others go to any worker. Started first.
pytestmark = pytest.mark.long

ROOT = Path(__file__).resolve().parents[2]
TUNING_SETS = ("demo-team-dev.jsonl", "demo-team-dev2.jsonl")  # one-part and multi-part rows
TOLERANCE = 1e-9
# Texts no tuning row is: empty, blank, nothing in the vocabulary, case-mapping and width-folding
# characters, one word many times.
ODD = ["", "   \t\n", "zzzz qqqq", "İSTANBUL refund", "１２３ refund ½", "refund " * 300, "a"]


def _requests(name: str) -> list[str]:
    path = ROOT / "evals" / "datasets" / name
    return [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]


def _texts_and_parts(requests: Sequence[str]) -> list[str]:
    out: list[str] = []
    for r in requests:
        out.append(r)
        out.extend(s.text for s in split_request(r))
    return list(dict.fromkeys(out))


def _training(team: Team) -> tuple[list[str], list[str]]:
    return training_data(team)


@pytest.fixture(scope="session")
def demo() -> tuple[TfidfClassifier, TfidfScorer]:
    texts, labels = _training(load_demo_team())
    fitted = TfidfClassifier.train(texts, labels)
    # Through JSON, as the cache and the shipped models hold it.
    return fitted, TfidfScorer(json.loads(json.dumps(fitted.to_document())))


def _assert_same(expected: list[Scores], got: list[Scores]) -> None:
    assert len(expected) == len(got)
    for e, g in zip(expected, got, strict=True):
        assert list(e.probs) == list(g.probs)
        for label, p in e.probs.items():
            assert abs(p - g.probs[label]) <= TOLERANCE
        assert abs(e.nearest_similarity - g.nearest_similarity) <= TOLERANCE
        assert (e.nearest_label, e.nearest_example) == (g.nearest_label, g.nearest_example)
        assert e.top_terms == g.top_terms


def test_the_stop_words_are_scikit_learns() -> None:
    assert ENGLISH_STOP_WORDS == SKLEARN_STOP_WORDS


@pytest.mark.parametrize("name", TUNING_SETS)
def test_the_analyzers_are_scikit_learns(name: str) -> None:
    odd = ["", "  a  b\t\tc\n\nd ", "x", "ÉCOLE naïve café 42€ ß", "a-b_c d'e", "INV-1004, 3.5%"]
    texts = _texts_and_parts(_requests(name)) + odd
    words = TfidfVectorizer(preprocessor=normalise, ngram_range=(1, 2)).build_analyzer()
    chars = TfidfVectorizer(
        preprocessor=normalise, analyzer="char_wb", ngram_range=(2, 5)
    ).build_analyzer()
    for text in texts:
        assert word_ngrams(text, (1, 2)) == words(text)
        assert char_wb_ngrams(text, (2, 5)) == chars(text)


@pytest.mark.xdist_group("scoring")
@pytest.mark.parametrize("name", TUNING_SETS)
def test_scores_match_scikit_learn_on_the_demo_tuning_splits(
    demo: tuple[TfidfClassifier, TfidfScorer], name: str
) -> None:
    fitted, scorer = demo
    texts = _texts_and_parts(_requests(name)) + ODD
    _assert_same(fitted.score(texts), scorer.score(texts))


def test_scores_match_for_svm_binary_and_one_label_models() -> None:
    texts, labels = _training(load_demo_team())
    probes = _texts_and_parts(_requests("demo-team-dev2.jsonl")) + ODD

    def only(keep: tuple[str, ...]) -> tuple[list[str], list[str]]:
        pairs = [(t, lab) for t, lab in zip(texts, labels, strict=True) if lab in keep]
        return [t for t, _ in pairs], [lab for _, lab in pairs]

    cases = [
        # The SVM with word-only similarity: what a team past `svm_above` examples gets.
        (texts, labels, TfidfConfig(model="svm", svm_above=100)),
        # Binary: one weight row, whose sign decides either label's top terms.
        (*only(("billing", "ops")), TfidfConfig()),
        (*only(("support", HUMAN)), TfidfConfig()),
        (*only(("ops",)), TfidfConfig()),  # one label: nothing to decide
    ]
    for case_texts, case_labels, config in cases:
        fitted = TfidfClassifier.train(case_texts, case_labels, config)
        scorer = TfidfScorer(json.loads(json.dumps(fitted.to_document())))
        _assert_same(fitted.score(probes), scorer.score(probes))


class _SklearnCutter(Cutter):
    """The cutter as it was: scikit-learn's own predict_proba."""

    def __init__(self, model: Any, threshold: float) -> None:
        super().__init__(None, threshold, {})
        self.sklearn = model

    def probabilities(self, rows: Sequence[list[float]]) -> list[float]:
        if not rows:
            return []
        return [float(p) for p in self.sklearn.predict_proba(np.asarray(rows, float))[:, 1]]


@pytest.fixture(scope="session")
def cutter_models(demo: tuple[TfidfClassifier, TfidfScorer]) -> tuple[Any, Cutter]:
    fitted, _ = demo
    texts, labels = _training(load_demo_team())
    by_label: dict[str, list[str]] = {}
    for t, lab in zip(texts, labels, strict=True):
        by_label.setdefault(lab, []).append(t)
    # Fewer synthetic requests than the planner trains on (400, 400, 150): the export is checked
    # tree by tree, and these still fit the same 120 trees of depth 3.
    rows = synthesise(by_label, singles=150, pairs=150, triples=50, rng=random.Random(0))
    x, y = training_cuts(rows, fitted)
    model = fit_boosting(x, y)
    exported = Cutter.from_document(
        json.loads(json.dumps(Cutter(export_trees(model), 0.5, {}).to_document()))
    )
    return model, exported


@pytest.mark.xdist_group("scoring")
def test_the_cutter_trees_match_scikit_learn(
    demo: tuple[TfidfClassifier, TfidfScorer], cutter_models: tuple[Any, Cutter]
) -> None:
    fitted, _ = demo  # the classifier the trees were fitted on, trained once
    model, exported = cutter_models
    assert [e.tree_.max_depth for (e,) in model.estimators_] == [3] * 120  # full-size trees
    texts, labels = _training(load_demo_team())
    by_label: dict[str, list[str]] = {}
    for t, lab in zip(texts, labels, strict=True):
        by_label.setdefault(lab, []).append(t)
    fresh = synthesise(by_label, singles=80, pairs=80, triples=40, rng=random.Random(1))
    x, _ = training_cuts(fresh, fitted)
    expected = model.predict_proba(np.asarray(x, dtype=float))[:, 1]
    got = exported.probabilities(x)
    assert len(got) == len(expected) > 100
    assert max(abs(float(e) - g) for e, g in zip(expected, got, strict=True)) <= TOLERANCE
    assert 0 < sum(g >= 0.5 for g in got) < len(got)  # both kinds of cut are seen


@pytest.mark.xdist_group("scoring")
@pytest.mark.parametrize("learned_split", [False, True])
@pytest.mark.parametrize("name", TUNING_SETS)
def test_plans_are_the_same_as_with_scikit_learn(
    demo: tuple[TfidfClassifier, TfidfScorer],
    cutter_models: tuple[Any, Cutter],
    name: str,
    learned_split: bool,
) -> None:
    """The whole planner, pure Python against scikit-learn scoring: the same plans, rationale
    strings and escalations included, on every row."""
    fitted, scorer = demo
    model, exported = cutter_models
    settings = LocalPlannerSettings(learned_split=learned_split, cutter=CutterConfig())
    team = load_demo_team()
    planners = []
    for classifier, cutter in ((fitted, _SklearnCutter(model, 0.5)), (scorer, exported)):
        planner = LocalPlanner(team, settings=LocalPlannerSettings())  # the shipped model
        planner.classifier = classifier
        planner.settings = settings
        planner.cutter = cutter if learned_split else None
        planners.append(planner)
    for request in _requests(name):
        assert planners[0].plan(request) == planners[1].plan(request), request


def test_the_trees_see_features_as_float32_like_scikit_learn() -> None:
    """0.5 + 1e-12 is 0.5 in float32: scikit-learn goes left at a 0.5 threshold, and so must we."""
    model = fit_boosting([[0.0], [0.0], [1.0], [1.0]] * 5, [0, 0, 1, 1] * 5)
    trees = export_trees(model)
    for x in (0.5 + 1e-12, 0.5 - 1e-12, 0.5, 0.25, 0.75):
        expected = float(model.predict_proba(np.asarray([[x]]))[0, 1])
        assert abs(trees.probability([x]) - expected) <= TOLERANCE, x
    assert trees.probability([0.5 + 1e-12]) < 0.5 < trees.probability([0.75])
