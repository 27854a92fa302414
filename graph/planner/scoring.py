"""Scoring with a fitted local-planner model in plain Python: no numpy, SciPy or scikit-learn.

The default install (`pip install ringmaster`) plans with the local planner but does not carry
scikit-learn (~270 MB with numpy and SciPy). Training stays on scikit-learn (the `train` extra,
`graph/planner/classifier.py` and `graph/planner/cutter.py`); what it fits is exported to a JSON
document (`TfidfScorer.to_document`, `BoostedTrees.to_document`) and scored here, reproducing
scikit-learn's outputs to rounding (tests/graph/test_scoring.py compares them on the eval sets):

- `TfidfVectorizer`'s analyzers: the `normalise` preprocessor, words by the token pattern
  `(?u)\\b\\w\\w+\\b` joined into n-grams, and `char_wb` n-grams (each whitespace-separated word
  padded with one space either side); in-vocabulary counts, sublinear tf (1 + log count), times
  idf, each block scaled to unit length, the word block's columns first;
- the linear model's decision function (a dot product per class plus the intercept), softmax
  with the fitted temperature, the nearest agent example by cosine similarity and the words that
  pushed the top label, as `TfidfClassifier.score` computes them;
- `GradientBoostingClassifier.predict_proba` for the cutter: the initial log-odds plus the
  learning rate times each regression tree's leaf, features rounded to float32 as scikit-learn
  does before comparing them with the split thresholds.

Floats that are many (idf, coefficients) travel as base64 little-endian float64 arrays, so the
document round-trips them exactly and loads in milliseconds.
"""

from __future__ import annotations

import base64
import math
import re
import struct
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter, mul
from typing import Any, Protocol

# The label of requests no agent should take; never an agent name (agent names have no "_" lead).
HUMAN = "__human__"
FORMAT = "ringmaster-tfidf/1"
_TIE = 1e-12  # similarities this close are equal: they differ by the order of a sum
TREES_FORMAT = "ringmaster-boosted-trees/1"


@dataclass(frozen=True)
class Scores:
    """What the classifier makes of one text."""

    probs: dict[str, float]  # calibrated, over every label (agents, and HUMAN when trained)
    nearest_label: str  # label of the most similar agent example
    nearest_example: str
    nearest_similarity: float  # cosine similarity to that example, 0..1
    top_terms: tuple[str, ...]  # words that pushed towards the top label, strongest first

    def ranked(self) -> list[tuple[str, float]]:
        return sorted(self.probs.items(), key=lambda kv: kv[1], reverse=True)


class TextClassifier(Protocol):
    """Anything that scores texts against a fixed set of labels."""

    labels: tuple[str, ...]

    def score(self, texts: Sequence[str]) -> list[Scores]: ...


@dataclass(frozen=True)
class TfidfConfig:
    """Feature and model settings; part of the cache key, so a change retrains."""

    c: float = 10.0
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    folds: int = 5
    # "logreg" (multinomial logistic regression, saga), "svm" (linear SVM, one-vs-rest, C=svm_c)
    # or "auto": logreg up to `svm_above` training texts, svm beyond. saga takes 0.5 s on the
    # demo team (615 texts) but did not finish in 25 minutes on CLINC150's 15,100; lbfgs took
    # ~71 s there and 4.7 s on the demo team; the SVM takes ~2 s on CLINC150 (same features,
    # routing accuracy 0.973 on its val split).
    model: str = "auto"
    svm_c: float = 1.0
    svm_above: int = 3000


_DIGITS = re.compile(r"\d+")
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # TfidfVectorizer's default token_pattern
_WHITE_SPACES = re.compile(r"\s\s+")


def normalise(text: str) -> str:
    """The TF-IDF preprocessor. Ids and amounts differ in every request; their shape ("inv-0")
    is what carries meaning."""
    return _DIGITS.sub("0", text.lower())


def word_ngrams(text: str, n_range: tuple[int, int]) -> list[str]:
    """scikit-learn's word analyzer (`_word_ngrams`) over the normalised text."""
    tokens = _TOKEN.findall(normalise(text))
    lo, hi = n_range
    out: list[str] = list(tokens) if lo == 1 else []
    for n in range(max(lo, 2), min(hi, len(tokens)) + 1):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


def char_wb_ngrams(text: str, n_range: tuple[int, int]) -> list[str]:
    """scikit-learn's `char_wb` analyzer (`_char_wb_ngrams`) over the normalised text."""
    lo, hi = n_range
    out: list[str] = []
    for word in _WHITE_SPACES.sub(" ", normalise(text)).split():
        w = " " + word + " "
        size = len(w)
        for n in range(lo, hi + 1):
            offset = 0
            out.append(w[offset : offset + n])
            while offset + n < size:
                offset += 1
                out.append(w[offset : offset + n])
            if offset == 0:  # a word shorter than n: counted once
                break
    return out


def pack(values: Sequence[float]) -> str:
    """Float64 values as base64 of their little-endian bytes: exact, compact, fast to load."""
    arr = array("d", values)
    if sys.byteorder != "little":
        arr.byteswap()
    return base64.b64encode(arr.tobytes()).decode("ascii")


def unpack(data: str) -> array[float]:
    arr = array("d")
    arr.frombytes(base64.b64decode(data))
    if sys.byteorder != "little":
        arr.byteswap()
    return arr


Vector = dict[int, float]


def _unit(v: Vector) -> Vector:
    norm = math.sqrt(sum(x * x for x in v.values()))
    return {k: x / norm for k, x in v.items()} if norm > 0 else v


class _Block:
    """One fitted TF-IDF vectorizer: its vocabulary (column order) and idf weights."""

    def __init__(self, analyzer: str, n_range: tuple[int, int], terms: list[str], idf: Any):
        self.analyzer = analyzer
        self.n_range = n_range
        self.terms = terms
        self.index = {t: i for i, t in enumerate(terms)}
        self.idf = idf

    def vector(self, text: str, offset: int) -> Vector:
        grams = (char_wb_ngrams if self.analyzer == "char_wb" else word_ngrams)(text, self.n_range)
        counts: dict[int, int] = {}
        for g in grams:
            j = self.index.get(g)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        v = {j + offset: (math.log(c) + 1.0) * self.idf[j] for j, c in counts.items()}
        return _unit(v)

    def to_document(self) -> dict[str, Any]:
        return {
            "analyzer": self.analyzer,
            "ngram_range": list(self.n_range),
            "terms": self.terms,
            "idf": pack(self.idf),
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> _Block:
        lo, hi = doc["ngram_range"]
        return cls(doc["analyzer"], (lo, hi), list(doc["terms"]), unpack(doc["idf"]))


def _softmax(z: list[float]) -> list[float]:
    top = max(z)
    e = [math.exp(v - top) for v in z]
    total = sum(e)
    return [v / total for v in e]


class TfidfScorer:
    """A fitted `TfidfClassifier`, scored in plain Python; built from its JSON document."""

    def __init__(self, doc: dict[str, Any]) -> None:
        if doc.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} document: {doc.get('format')!r}")
        self.document = doc
        self.words = _Block.from_document(doc["word"])
        self.chars = _Block.from_document(doc["char"])
        self.n_words = len(self.words.terms)
        self.labels: tuple[str, ...] = tuple(doc["labels"])
        self.temperature = float(doc["temperature"])
        self._classes: list[str] = list(doc["classes"])
        self._coef = [unpack(row) for row in doc["coef"]]
        self._intercept = [float(b) for b in doc["intercept"]]
        self._texts: list[str] = list(doc["texts"])
        self._example_labels: list[str] = list(doc["example_labels"])
        self._sim_words_only = bool(doc["similarity_words_only"])
        # The agent examples' unit vectors as an inverted index: column -> (example, value).
        self._agent_index = [i for i, lab in enumerate(self._example_labels) if lab != HUMAN]
        self._postings: dict[int, list[tuple[int, float]]] = {}
        for k, i in enumerate(self._agent_index):
            text = self._texts[i]
            x = self.words.vector(text, 0) if self._sim_words_only else self._features(text)
            for col, value in self._similarity_vector(x).items():
                self._postings.setdefault(col, []).append((k, value))

    def to_document(self) -> dict[str, Any]:
        return self.document

    def _features(self, text: str) -> Vector:
        """The FeatureUnion's row: the word block, then the character block, each unit length."""
        v = self.words.vector(text, 0)
        v.update(self.chars.vector(text, self.n_words))
        return v

    def _similarity_vector(self, x: Vector) -> Vector:
        if self._sim_words_only:
            x = {c: v for c, v in x.items() if c < self.n_words}
        return _unit(x)

    def score(self, texts: Sequence[str]) -> list[Scores]:
        return [self._score_one(t) for t in texts]

    def _score_one(self, text: str) -> Scores:
        x = self._features(text)
        probs = self._probabilities(x)
        by_label = dict(zip(self.labels, probs, strict=True))
        top = max(by_label, key=by_label.__getitem__)
        nearest, similarity = 0, 0.0
        if self._agent_index:
            sims = [0.0] * len(self._agent_index)
            for col, value in self._similarity_vector(x).items():
                for k, w in self._postings.get(col, ()):
                    sims[k] += value * w
            # The first of equals, as scikit-learn's argmax: examples whose similarity is the
            # same but for rounding (the same words in common) count as equal.
            floor = max(sims) - _TIE
            best = list(map(floor.__le__, sims)).index(True)
            nearest, similarity = self._agent_index[best], max(sims[best], 0.0)
        return Scores(
            probs=by_label,
            nearest_label=self._example_labels[nearest],
            nearest_example=self._texts[nearest],
            nearest_similarity=similarity,
            top_terms=self._top_terms(x, top),
        )

    def _decision(self, x: Vector) -> list[float]:
        if not x:
            return list(self._intercept)
        cols, values = list(x), list(x.values())
        if len(cols) == 1:  # itemgetter of one index gives the item, not a tuple
            cols.append(cols[0])
            values.append(0.0)
        pick = itemgetter(*cols)
        return [
            sum(map(mul, values, pick(coef))) + b
            for coef, b in zip(self._coef, self._intercept, strict=True)
        ]

    def _probabilities(self, x: Vector) -> list[float]:
        if len(self.labels) == 1:
            return [1.0]
        logits = self._decision(x)
        if len(logits) == 1:  # binary: one score, softmax([0, d]) is its sigmoid
            logits = [0.0, logits[0]]
        return _softmax([z / self.temperature for z in logits])

    def _top_terms(self, x: Vector, label: str, k: int = 3) -> tuple[str, ...]:
        if len(self.labels) == 1:
            return ()
        if len(self._coef) == 1:  # binary: one weight row, positive towards classes[1]
            sign = 1.0 if label == self._classes[1] else -1.0
            weights, flip = self._coef[0], sign
        else:
            weights, flip = self._coef[self._classes.index(label)], 1.0
        contrib = [(v * (flip * weights[c]), c) for c, v in x.items() if c < self.n_words]
        best = sorted((t for t in contrib if t[0] > 0), reverse=True)[:k]
        return tuple(self.words.terms[c] for _, c in best)


def _float32(x: float) -> float:
    """`x` rounded to float32, as scikit-learn's trees see their input."""
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


class BoostedTrees:
    """A fitted binary `GradientBoostingClassifier`; `probability` is `predict_proba[:, 1]`."""

    def __init__(self, doc: dict[str, Any]) -> None:
        if doc.get("format") != TREES_FORMAT:
            raise ValueError(f"not a {TREES_FORMAT} document: {doc.get('format')!r}")
        self.document = doc
        self.init = float(doc["init"])
        self.learning_rate = float(doc["learning_rate"])
        self.trees = [
            (t["left"], t["right"], t["feature"], t["threshold"], t["value"]) for t in doc["trees"]
        ]

    def to_document(self) -> dict[str, Any]:
        return self.document

    def probability(self, row: Sequence[float]) -> float:
        x = [_float32(float(v)) for v in row]
        raw = self.init
        for left, right, feature, threshold, value in self.trees:
            node = 0
            while left[node] != -1:
                node = left[node] if x[feature[node]] <= threshold[node] else right[node]
            raw += self.learning_rate * value[node]
        try:  # scipy's expit: 1 / (1 + exp(-raw))
            return 1.0 / (1.0 + math.exp(-raw))
        except OverflowError:
            return 0.0
