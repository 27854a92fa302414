"""Swappable classifiers of the local planner: the linear SVM for large teams, the TF-IDF +
sentence-embedding hybrid (with a stand-in encoder, and once with the real MiniLM when the
`embeddings` extra is installed), the fallback without the extra, and batch scoring."""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ringmaster.agents.spec import RoutingConfig
from ringmaster.evals.threshold import write_routing
from ringmaster.graph.planner import embeddings, local
from ringmaster.graph.planner.classifier import Scores, TfidfClassifier, TfidfConfig
from ringmaster.graph.planner.cut_rules import Part, whole_allows
from ringmaster.graph.planner.embeddings import HybridClassifier, HybridConfig, MiniLMEncoder
from ringmaster.graph.planner.local import LocalPlanner, LocalPlannerSettings
from ringmaster.graph.planner.scoring import TfidfScorer
from tests.graph.test_local_planner import _kitchen_team

TEXTS = [
    "feed the cat",
    "walk the dog",
    "vet visit for the puppy",
    "water the plants",
    "mow the lawn",
    "prune the roses",
    "change the car oil",
    "flat tyres on the car",
    "wash the car",
]
LABELS = ["pets"] * 3 + ["garden"] * 3 + ["car"] * 3


class HashEncoder:
    """A deterministic stand-in for a sentence encoder: bag of hashed words, unit length."""

    name = "hash"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), 16), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, int(hashlib.sha256(word.encode()).hexdigest(), 16) % 16] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


def test_svm_model_gives_probabilities_and_auto_picks_it_for_large_training_sets() -> None:
    svm = TfidfClassifier.train(TEXTS, LABELS, TfidfConfig(model="svm", folds=3))
    auto_small = TfidfClassifier.train(TEXTS, LABELS, TfidfConfig(folds=3))
    auto_large = TfidfClassifier.train(TEXTS, LABELS, TfidfConfig(folds=3, svm_above=5))
    assert type(svm._pipeline.named_steps["clf"]).__name__ == "LinearSVC"
    assert type(auto_small._pipeline.named_steps["clf"]).__name__ == "LogisticRegression"
    assert type(auto_large._pipeline.named_steps["clf"]).__name__ == "LinearSVC"
    for clf in (svm, auto_large):
        (scores,) = clf.score(["my dog needs walking"])
        assert scores.ranked()[0][0] == "pets"
        assert sum(scores.probs.values()) == pytest.approx(1.0)
        assert scores.nearest_label == "pets"
    with pytest.raises(ValueError, match="unknown TF-IDF model"):
        TfidfClassifier.train(TEXTS, LABELS, TfidfConfig(model="forest"))


def test_nearest_example_is_an_agent_example_whatever_the_feature_blocks() -> None:
    texts = [*TEXTS, "tell me a joke about the car"]
    labels = [*LABELS, "__human__"]
    for config in (TfidfConfig(folds=3), TfidfConfig(folds=3, svm_above=5)):
        (scores,) = TfidfClassifier.train(texts, labels, config).score(["a joke about the car"])
        assert scores.nearest_label == "car"  # the human example is nearer, but never counts
        assert 0.0 < scores.nearest_similarity <= 1.0


def test_hybrid_embeds_only_what_the_tfidf_model_is_unsure_of() -> None:
    encoder = HashEncoder()
    config = HybridConfig(tfidf=TfidfConfig(model="svm", folds=3), folds=3, gate=1.01)
    hybrid = HybridClassifier.train(TEXTS, LABELS, config, encoder=encoder)
    assert encoder.calls[0] == TEXTS  # training embeds every example once
    (scores,) = hybrid.score(["the dog needs a walk"])
    assert scores.ranked()[0][0] == "pets"
    assert sum(scores.probs.values()) == pytest.approx(1.0)
    assert encoder.calls[-1] == ["the dog needs a walk"] and hybrid.embedded == 1
    # gate 0: the TF-IDF model answers everything, the encoder is never called.
    closed = HybridClassifier(hybrid.tfidf, hybrid._joint, 1.0, encoder, HybridConfig(gate=0.0))
    before = len(encoder.calls)
    assert closed.score(["mow the grass"]) == hybrid.tfidf.score(["mow the grass"])
    assert len(encoder.calls) == before


def test_minilm_encoder_pickles_without_its_model() -> None:
    encoder = MiniLMEncoder(batch_size=8)
    encoder._model = object()  # stands for a loaded model
    copy = pickle.loads(pickle.dumps(encoder))
    assert copy._model is None and copy.batch_size == 8


class CountingModel:
    """Stands for a loaded SentenceTransformer: one vector per text, each call's texts kept."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str], **_: object) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([[float(len(t)), 1.0] for t in texts])


def test_minilm_encoder_encodes_each_text_once_and_forgets_the_oldest() -> None:
    encoder = MiniLMEncoder(remembered=3)
    model = CountingModel()
    encoder._model = model
    first = encoder.encode(["close it", "refund INV-1", "close it"])
    assert model.calls == [["close it", "refund INV-1"]]
    assert first.tolist() == [[8.0, 1.0], [12.0, 1.0], [8.0, 1.0]]
    again = encoder.encode(["refund INV-1", "show TCK-2"])
    assert model.calls[1:] == [["show TCK-2"]]
    assert again.tolist() == [[12.0, 1.0], [10.0, 1.0]]
    encoder.encode(["a", "b"])  # four remembered past three: "close it" goes
    encoder.encode(["close it", "b"])
    assert model.calls[3:] == [["close it"]]


def test_planner_uses_the_hybrid_when_the_team_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoder = HashEncoder()
    real_train = HybridClassifier.train.__func__  # type: ignore[attr-defined]

    def train(cls: type, texts: list[str], labels: list[str], config: HybridConfig) -> object:
        return real_train(cls, texts, labels, config, encoder=encoder)

    monkeypatch.setattr(local, "embeddings_available", lambda: True)
    monkeypatch.setattr(HybridClassifier, "train", classmethod(train))
    team = _kitchen_team(routing=RoutingConfig(classifier="hybrid"))
    planner = LocalPlanner(team, cache_dir=tmp_path)
    assert planner.kind == "hybrid" and isinstance(planner.classifier, HybridClassifier)
    assert planner.plan("mow the lawn").subtasks[0].agent == "garden"
    again = LocalPlanner(team, cache_dir=tmp_path)  # loads the cached model, no retraining
    assert not again.trained and isinstance(again.classifier, HybridClassifier)
    tfidf = LocalPlanner(team, cache_dir=tmp_path, settings=LocalPlannerSettings(kind="tfidf"))
    assert isinstance(tfidf.classifier, TfidfScorer) and tfidf.cache_path != again.cache_path


def test_planner_falls_back_to_tfidf_without_the_extra(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(local, "embeddings_available", lambda: False)
    team = _kitchen_team(routing=RoutingConfig(classifier="hybrid"))
    with caplog.at_level(logging.WARNING, logger="ringmaster.graph.planner.local"):
        planner = LocalPlanner(team)
    assert planner.kind == "tfidf" and isinstance(planner.classifier, TfidfScorer)
    assert "embeddings extra is not installed" in caplog.text
    assert planner.plan("feed the cat").subtasks[0].agent == "pets"
    with pytest.raises(ValueError, match="unknown classifier"):
        LocalPlanner(team, settings=LocalPlannerSettings(kind="bert"))


def test_prepare_changes_no_plan_and_is_replaced_by_the_next_batch() -> None:
    planner = LocalPlanner(_kitchen_team())
    requests = ["feed the cat and mow the lawn", "wash the car", "what is the meaning of life"]
    plain = [planner.plan(r) for r in requests]
    planner.prepare(requests)
    # The whole requests, and the candidate parts of the one that splits.
    assert set(planner._batch) == {*requests, "feed the cat", "mow the lawn"}
    assert [planner.plan(r) for r in requests] == plain
    planner.prepare(["wash the car"])
    assert set(planner._batch) == {"wash the car"}


def test_an_escalated_subtask_lists_the_best_agent_first() -> None:
    planner = LocalPlanner(_kitchen_team(routing=RoutingConfig(confidence_floor=0.0)))
    (subtask,) = planner.plan("what is the meaning of life").subtasks
    assert subtask.escalate and subtask.agent is None
    assert len(subtask.alternatives) == 3  # every agent, the best one first
    assert subtask.alternatives[0].score >= subtask.alternatives[1].score


def test_writing_thresholds_keeps_the_classifier(tmp_path: Path) -> None:
    team = tmp_path / "team.yaml"
    team.write_text(
        "name: t\nrouting:\n  confidence_floor: 0.5\n  min_margin: 0.1\n  classifier: hybrid\n"
        "agents:\n- name: a\n  description: does a\n  runtime: {entry: 'tests.fakes:agent'}\n",
        encoding="utf-8",
    )
    text = write_routing(team, 0.42, 0.05)
    assert "confidence_floor: 0.42" in text and "classifier: hybrid" in text


@pytest.mark.skipif(not embeddings.embeddings_available(), reason="needs ringmaster[embeddings]")
def test_minilm_encoder_loads_offline_and_embeds() -> None:
    vectors = MiniLMEncoder().encode(["reset my password", "i forgot my password", "bake bread"])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_escalation_score_ranks_out_of_scope_requests_above_in_scope_ones() -> None:
    planner = LocalPlanner(_kitchen_team())
    inside = planner.escalation_score("wash the car")
    outside = planner.escalation_score("what is the meaning of life")
    assert 0.0 <= inside < outside <= 1.0


def _scores(probs: dict[str, float]) -> Scores:
    return Scores(probs, "pets", "feed the cat", 0.5, ())


def test_a_confident_whole_request_keeps_a_weak_second_part_attached() -> None:
    policy = LocalPlanner(_kitchen_team()).settings.split
    left = Part("my car is dirty", None, False, _scores({"car": 0.99, "pets": 0.01}), True)
    weak = Part("no idea why", "weak", False, _scores({"car": 0.2, "pets": 0.8}), False)
    strong = Part("feed the cat", "weak", False, _scores({"car": 0.05, "pets": 0.95}), False)
    whole = _scores({"car": 0.999, "pets": 0.001})
    assert not whole_allows(policy, left, weak, whole)  # one car request
    assert whole_allows(policy, left, strong, whole)  # a second request of its own
    unsure = _scores({"car": 0.6, "pets": 0.4})
    assert whole_allows(policy, left, weak, unsure)  # the whole decides nothing


def test_a_weak_cut_needs_the_other_side_among_the_whole_requests_best_labels() -> None:
    policy = LocalPlanner(_kitchen_team()).settings.split
    left = Part("i'm at the garage", None, False, _scores({"car": 0.95, "pets": 0.05}), True)
    right = Part("walk the dog", "weak", False, _scores({"car": 0.02, "pets": 0.98}), False)
    pets_third = _scores({"car": 0.985, "garden": 0.01, "pets": 0.005})
    pets_second = _scores({"car": 0.985, "pets": 0.01, "garden": 0.005})
    assert not whole_allows(policy, left, right, pets_third)  # no trace of a pets request
    assert whole_allows(policy, left, right, pets_second)
    sentence = Part("walk the dog", "strong", False, right.scores, False)
    assert whole_allows(policy, left, sentence, pets_third)  # strong cuts are left alone
    unsure = _scores({"car": 0.97, "garden": 0.02, "pets": 0.01})
    assert whole_allows(policy, left, right, unsure)  # below weak_whole_confident (0.98)


def test_neighbour_votes_are_summed_similarities_over_k() -> None:
    train = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    neighbours = embeddings.Neighbours(train, np.array([0, 1, 0]), n_labels=2, k=2)
    votes = neighbours.votes(np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32))
    # [1, 0]: nearest are rows 0 (1.0) and 2 (0.6), both label 0; [0, 1]: rows 1 (1.0), 2 (0.8).
    assert votes == pytest.approx(np.array([[0.8, 0.0], [0.4, 0.5]]))
    # Within a fold only the rows given count: row 2 left out.
    among = neighbours.votes(np.array([[1.0, 0.0]], dtype=np.float32), among=np.array([0, 1]))
    assert among == pytest.approx(np.array([[0.5, 0.0]]))


class LabelEncoder:
    """A stand-in encoder that knows each training text's label (the n-grams carry none)."""

    name = "label"

    def __init__(self, label_of: dict[str, str]) -> None:
        self.label_of = label_of
        self.names = sorted(set(label_of.values()))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.names)), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i, self.names.index(self.label_of[text])] = 1.0
        return out


def test_training_picks_embedding_weight_and_neighbour_votes_by_cross_validation() -> None:
    rng = np.random.default_rng(0)
    letters = list("abcdefghijklmnopqrstuvwxyz")

    def nonsense(n: int) -> list[str]:
        return [" ".join("".join(rng.choice(letters, 6)) for _ in range(2)) for _ in range(n)]

    texts, unseen = nonsense(30), nonsense(9)
    labels = ["pets", "garden", "car"] * 10
    unseen_labels = ["pets", "garden", "car"] * 3
    encoder = LabelEncoder(dict(zip(texts + unseen, labels + unseen_labels, strict=True)))
    tfidf = TfidfConfig(model="svm", folds=3)
    # Random words route at chance; the embedding routes every example: the grid keeps it.
    grid = HybridConfig(tfidf=tfidf, grid=((0.0, 1.0), (2.0, 1.0)), knn_weights=(0.0,))
    assert HybridClassifier.train(texts, labels, grid, encoder=encoder).weight == 2.0
    # With the embedding kept out of the SVM, the neighbours' votes are what routes new texts.
    knn = HybridConfig(tfidf=tfidf, grid=((0.0, 1.0),), knn_weights=(0.0, 5.0), gate=1.01)
    hybrid = HybridClassifier.train(texts, labels, knn, encoder=encoder)
    assert hybrid.knn_weight == 5.0
    assert [s.ranked()[0][0] for s in hybrid.score(unseen)] == unseen_labels
    blind = HybridClassifier.train(texts, labels, replace(knn, knn_weights=(0.0,)), encoder=encoder)
    assert [s.ranked()[0][0] for s in blind.score(unseen)] != unseen_labels
