"""A split decision learned per team: which of the splitter's candidate cuts start a second request.

`split_request` over-segments on purpose; the cutter says, for each candidate cut, how likely it
separates two requests rather than two pieces of one. It is trained from the team file alone, the
way multi-intent benchmarks are built (`graph/planner/synthesis.py`): the team's examples joined
two or three at a time across agents, with varied connectors and references back ("it", "that
one", "after that"), give the cuts that are real; the cuts the splitter finds inside single
examples (several sentences about one thing, "between tomorrow and next tuesday") give the ones
that are not.

Its features are what the routing classifier makes of each side and of the whole request (top
probabilities, whether the sides route to different labels, how much each side's label the other
side and the whole carry), the kind of cut and connector, how much each side says of its own, and
whether the right side refers back. The classifier that scores the synthetic requests is trained
without the examples they were built from (a held-out share per agent), so the cutter learns on
probabilities like the ones unseen requests get, not on the training examples' own. Nothing here
needs a model at run time: a gradient-boosted tree ensemble over ~30 numbers, trained with
scikit-learn (the `train` extra) and walked in plain Python (`scoring.BoostedTrees`).
"""

from __future__ import annotations

import math
import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ringmaster.graph.planner.no_ask import asks_something
from ringmaster.graph.planner.scoring import (
    HUMAN,
    TREES_FORMAT,
    BoostedTrees,
    Scores,
    TextClassifier,
    TfidfConfig,
)
from ringmaster.graph.planner.splitter import (
    NEW_MATTER_WORDS,
    BoundaryKind,
    Segment,
    content_words,
    refers_back,
    split_request,
)
from ringmaster.graph.planner.synthesis import Synthetic, synthesise

_JOINER_KINDS = (
    "sentence",
    "question",
    "semicolon",
    "then",
    "and",
    "also",
    "comma",
    "newline",
    "item",
    "lead-in",
    "new-matter",
    "please",
)
_NEW_MATTER = re.compile(rf"^\W*(?:{NEW_MATTER_WORDS})\W*$", re.IGNORECASE)
# What a list item opens with after the line break: "- ", "👉 ", "2) ", "(b) ", "- [ ] ".
_MARKER = re.compile(r"\s*(?:[^\w\s]+|\d{1,2}[.)]|\(?[a-zA-Z]\))\s*(?:\[[ xX]?\]\s*)?")
# A side that states something rather than asks it: it opens with a subject ("The api had an
# outage at noon.", "Our biggest account is unhappy.") and has no question mark or request word.
# A manager's context before the ask reads so; the synthesis puts such sentences before asks
# (`synthesis.with_context`) for the cutter to learn that they are context, not a request.
_SUBJECT = re.compile(
    r"^\W*(?:the|a|an|our|their|his|her|my|its|we|they|he|she|it|i|there|this|that|these|"
    r"those|last|yesterday|since|everyone|nobody|some|several)\b(?!\s*[,:])",
    re.IGNORECASE,
)
# The left side announces that more than one thing follows ("First, …", "Two things: …").
_FIRST = re.compile(r"\b(?:first(?:ly)?|two\s+things|three\s+things|a\s+few\s+things)\b", re.I)


@dataclass(frozen=True)
class CutterConfig:
    """How the cutter is trained; part of the model cache key."""

    holdout: float = 0.3  # share of each agent's examples kept out of the scoring classifier
    max_holdout: int = 40  # per agent
    # Examples per label the scoring classifier trains on at most: it only has to score like
    # the real one, and capping it keeps a 150-agent team's extra training to seconds.
    max_train: int = 300
    singles: int = 3000
    pairs: int = 2500
    triples: int = 800
    threshold: float = 0.5  # a cut stands at or above this probability, unless tuned
    # Choose the threshold on a share of the synthetic requests kept out of the fit (the
    # share of them whose every cut is decided right), instead of using `threshold`.
    tune_threshold: bool = True
    check_share: float = 0.2
    seed: int = 0


def joiner_kind(joiner: str) -> str:
    j = joiner.lower()
    if _NEW_MATTER.match(j):
        return "new-matter"
    if ":\n" in j:
        return "lead-in"
    if "\n" in j:  # a list item's marker after the line break ("\n- ", "\n2) "), or a new line
        return "item" if _MARKER.fullmatch(j.split("\n")[-1]) else "newline"
    if "?" in j:
        return "question"
    if "." in j or "!" in j:
        return "sentence"
    if ";" in j or "/" in j:  # "refund INV-1; close TCK-2", "check api / count tickets"
        return "semicolon"
    # Order words, either way round: "then", "after that", "-> …", "but first", "before that".
    if re.search(r"then|after|once|next|finally|first|before|->|→|=>|⇒", j):
        return "then"
    if re.search(r"also|plus|well as|btw|by the way|\boh\b", j):  # "btw", "oh and": asides
        return "also"
    if "and" in j or "&" in j or "+" in j or re.search(r"\bn\b", j):  # chat's "n" too
        return "and"
    if re.search(r"\b(?:pls|plz|please)\b", j):  # "… for the outage pls tell them …"
        return "please"
    return "comma"


def states(text: str) -> bool:
    """Whether `text` reads as a statement: a subject first, and nothing asked."""
    return _SUBJECT.match(text) is not None and not asks_something(text)


def _label(s: Scores) -> tuple[str, float]:
    return s.ranked()[0]


def cut_features(
    left: str,
    right: str,
    left_scores: Scores,
    right_scores: Scores,
    whole: Scores,
    boundary: BoundaryKind | None,
    joiner: str,
    left_first: bool,
    right_last: bool = False,
) -> list[float]:
    """The numbers the cutter decides a cut on (see the module docstring)."""
    ll, lt = _label(left_scores)
    rl, rt = _label(right_scores)
    wl, wt = _label(whole)
    whole_rank = [lab for lab, _ in whole.ranked()]
    lc, rc = len(content_words(left)), len(content_words(right))
    kind = joiner_kind(joiner)
    return [
        lt,
        rt,
        min(lt, rt),
        float(ll != rl),
        right_scores.probs.get(ll, 0.0),
        left_scores.probs.get(rl, 0.0),
        wt,
        whole.probs.get(ll, 0.0),
        whole.probs.get(rl, 0.0),
        float(wl in (ll, rl)),
        float(whole_rank.index(ll) if ll in whole_rank else len(whole_rank)),
        float(whole_rank.index(rl) if rl in whole_rank else len(whole_rank)),
        float(ll == HUMAN),
        float(rl == HUMAN),
        left_scores.probs.get(HUMAN, 0.0),
        right_scores.probs.get(HUMAN, 0.0),
        left_scores.nearest_similarity,
        right_scores.nearest_similarity,
        math.log1p(lc),
        math.log1p(rc),
        math.log1p(len(left.split())),
        math.log1p(len(right.split())),
        float(refers_back(right)),
        float(left_first),
        float(right_last),
        lc / max(1, len(left.split())),
        rc / max(1, len(right.split())),
        float(left.lstrip().startswith(">")),
        float(right.lstrip().startswith(">")),
        float(boundary == "strong"),
        float(_FIRST.search(left) is not None),
        float(states(left)),
        float(states(right)),
        *(float(kind == k) for k in _JOINER_KINDS),
    ]


@dataclass
class Cutter:
    """The trained cut model; `probability` of a real cut between two adjacent parts."""

    model: BoostedTrees | None
    threshold: float
    trained_on: dict[str, float] = field(default_factory=dict)

    def probabilities(self, rows: Sequence[list[float]]) -> list[float]:
        if not rows:
            return []
        if self.model is None:  # only one kind of cut was ever seen
            return [self.trained_on.get("constant", 0.0)] * len(rows)
        return [self.model.probability(row) for row in rows]

    def to_document(self) -> dict[str, Any]:
        return {
            "model": None if self.model is None else self.model.to_document(),
            "threshold": self.threshold,
            "trained_on": self.trained_on,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Cutter:
        model = None if doc["model"] is None else BoostedTrees(doc["model"])
        return cls(model, float(doc["threshold"]), dict(doc["trained_on"]))


def export_trees(model: Any) -> BoostedTrees:
    """A fitted binary `GradientBoostingClassifier` as plain data (`scoring.BoostedTrees`)."""
    import numpy as np

    n_features = int(model.n_features_in_)
    init = float(model._raw_predict_init(np.zeros((1, n_features), dtype=np.float32))[0, 0])
    trees = []
    for (est,) in model.estimators_:
        t = est.tree_
        trees.append(
            {
                "left": [int(v) for v in t.children_left],
                "right": [int(v) for v in t.children_right],
                "feature": [int(v) for v in t.feature],
                "threshold": [float(v) for v in t.threshold],
                "value": [float(v) for v in t.value[:, 0, 0]],
            }
        )
    return BoostedTrees(
        {
            "format": TREES_FORMAT,
            "init": init,
            "learning_rate": float(model.learning_rate),
            "trees": trees,
        }
    )


@dataclass
class PlannerModel:
    """What the local planner caches: its routing classifier and its learned cutter."""

    classifier: TextClassifier
    cutter: Cutter | None


def _holdout(
    by_label: dict[str, list[str]], config: CutterConfig, rng: random.Random
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    train: dict[str, list[str]] = {}
    held: dict[str, list[str]] = {}
    for label, texts in sorted(by_label.items()):
        pool = list(dict.fromkeys(texts))
        rng.shuffle(pool)
        k = min(config.max_holdout, int(len(pool) * config.holdout))
        if len(pool) - k < 1:  # a label needs at least one training example
            k = len(pool) - 1
        held[label], train[label] = pool[:k], pool[k : k + config.max_train]
    return train, held


def _locate(text: str, segments: list[Segment]) -> list[tuple[int, int]] | None:
    """Where each segment lies in `text`; None when one cannot be found."""
    out: list[tuple[int, int]] = []
    pos = 0
    for seg in segments:
        # The splitter joins a block's lines with one space: any run of white space matches it.
        found = re.compile(r"\s+".join(map(re.escape, seg.text.split()))).search(text, pos)
        if found is None:
            return None
        out.append((found.start(), found.end()))
        pos = found.end()
    return out


def _owner(spans: Sequence[tuple[int, int]], start: int, end: int) -> int:
    """The piece a segment found at `start`:`end` belongs to: the one it starts in or, when it
    starts on connector words the splitter left in it (". Unrelated, but …": the segment is
    "but …", the piece starts after "but "), the piece it runs into; -1 for neither. Before,
    such a segment had no piece and its whole synthetic request was left out of training."""
    inside = next((k for k, (s, e) in enumerate(spans) if s <= start < e), None)
    if inside is not None:
        return inside
    return next((k for k, (s, _) in enumerate(spans) if start < s < end), -1)


def training_cuts(
    rows: Sequence[Synthetic], scorer: TextClassifier
) -> tuple[list[list[float]], list[int]]:
    """Features and labels (1: a real cut) of every candidate cut in the synthetic requests
    (`cuts_by_request`, all requests' together)."""
    x: list[list[float]] = []
    y: list[int] = []
    for features, labels in cuts_by_request(rows, scorer):
        x += features
        y += labels
    return x, y


def cuts_by_request(
    rows: Sequence[Synthetic], scorer: TextClassifier
) -> list[tuple[list[list[float]], list[int]]]:
    """Per synthetic request (those the splitter cuts), the features and labels (1: a real
    cut) of every candidate cut in it:
    between the splitter's segments; between whole pieces once the false cuts are glued; and,
    for each false cut, between the rest of its piece on either side (the planner glues the
    least likely cut first, so by the last decision a sign-off or a sentence of context faces
    the whole request it belongs to, not the segment next to it)."""
    Cut = tuple[str, str, BoundaryKind | None, str, bool, bool, int]
    plans: list[tuple[str, list[Cut]]] = []
    for row in rows:
        segments = split_request(row.text)
        located = _locate(row.text, segments) if len(segments) > 1 else None
        if located is None:
            continue
        owners = [_owner(row.spans, at, end) for at, end in located]
        if -1 in owners:
            continue
        last = len(segments) - 1
        cuts: list[Cut] = []
        for i in range(last):
            left, right = segments[i], segments[i + 1]
            real = int(owners[i] != owners[i + 1] and row.real_cut(owners[i], owners[i + 1]))
            cuts.append(
                (left.text, right.text, right.boundary, right.joiner, i == 0, i + 1 == last, real)
            )
            if owners[i] == owners[i + 1]:  # the rest of the piece on either side
                lo = i
                while lo > 0 and owners[lo - 1] == owners[i]:
                    lo -= 1
                hi = i + 1
                while hi < last and owners[hi + 1] == owners[i]:
                    hi += 1
                if (lo, hi) != (i, i + 1):
                    left_text = row.text[located[lo][0] : located[i][1]]
                    right_text = row.text[located[i + 1][0] : located[hi][1]]
                    cuts.append(
                        (
                            left_text,
                            right_text,
                            right.boundary,
                            right.joiner,
                            lo == 0,
                            hi == last,
                            0,
                        )
                    )
        # The same request with the false cuts glued: each real cut between whole pieces.
        for k in range(len(row.spans) - 1):
            (ls, le), (rs, re_) = row.spans[k], row.spans[k + 1]
            first_right = next((segments[j] for j, o in enumerate(owners) if o == k + 1), None)
            if first_right is None or first_right.boundary is None:
                continue
            cuts.append(
                (
                    row.text[ls:le],
                    row.text[rs:re_],
                    first_right.boundary,
                    first_right.joiner,
                    k == 0,
                    k + 1 == len(row.spans) - 1,
                    int(row.real_cut(k, k + 1)),
                )
            )
        plans.append((row.text, cuts))
    texts = sorted(
        {t for whole, cuts in plans for c in cuts for t in (c[0], c[1])}
        | {whole for whole, _ in plans}
    )
    scores = dict(zip(texts, scorer.score(texts), strict=True))
    out: list[tuple[list[list[float]], list[int]]] = []
    for whole, cuts in plans:
        x: list[list[float]] = []
        y: list[int] = []
        for left_text, right_text, boundary, joiner, first, at_end, real in cuts:
            x.append(
                cut_features(
                    left_text,
                    right_text,
                    scores[left_text],
                    scores[right_text],
                    scores[whole],
                    boundary,
                    joiner,
                    first,
                    at_end,
                )
            )
            y.append(real)
        out.append((x, y))
    return out


def same_family(config: TfidfConfig, n_texts: int) -> TfidfConfig:
    """`config` with its "auto" model fixed to the kind `n_texts` training texts would get."""
    if config.model != "auto":
        return config
    return replace(config, model="svm" if n_texts > config.svm_above else "logreg")


def train_cutter(
    texts: Sequence[str],
    labels: Sequence[str],
    config: CutterConfig | None = None,
    scorer_factory: Any = None,
    tfidf: TfidfConfig | None = None,
) -> Cutter | None:
    """A cutter for the team whose training examples are `texts` / `labels` (HUMAN included);
    None when the team has fewer than two labels (there is nothing to split between)."""
    config = config or CutterConfig()
    rng = random.Random(config.seed)
    by_label: dict[str, list[str]] = defaultdict(list)
    for t, lab in zip(texts, labels, strict=True):
        by_label[lab].append(t)
    if len(by_label) < 2:
        return None
    train, held = _holdout(by_label, config, rng)
    fit_texts = [t for lab in sorted(train) for t in train[lab]]
    fit_labels = [lab for lab in sorted(train) for _ in train[lab]]
    from ringmaster.graph.planner.classifier import TfidfClassifier

    # The scorer stands in for the team's classifier, so it is of the same kind (logistic
    # regression or linear SVM) as the one trained on all the examples, not the kind its own
    # smaller share would pick: at 150 agents that share fell under `svm_above` and logistic
    # regression took 100 s where the SVM takes seconds.
    family = same_family(tfidf or TfidfConfig(), len(texts))

    def default_scorer(t: Sequence[str], lab: Sequence[str]) -> TfidfClassifier:
        return TfidfClassifier.train(t, lab, family)

    make = scorer_factory or default_scorer
    scorer = make(fit_texts, fit_labels)
    synthetic = synthesise(
        held, singles=config.singles, pairs=config.pairs, triples=config.triples, rng=rng
    )
    requests = cuts_by_request(synthetic, scorer)
    # A share of the synthetic requests is kept out of the fit to choose the threshold on.
    n_check = int(len(requests) * config.check_share) if config.tune_threshold else 0
    order = list(range(len(requests)))
    rng.shuffle(order)
    check = [requests[k] for k in order[:n_check]]
    x = [f for k in order[n_check:] for f in requests[k][0]]
    y = [lab for k in order[n_check:] for lab in requests[k][1]]
    positives = sum(y)
    info: dict[str, float] = {"cuts": len(y), "real": positives, "rows": len(synthetic)}
    if not y or positives in (0, len(y)):
        return Cutter(None, config.threshold, {**info, "constant": float(bool(positives))})
    model = export_trees(fit_boosting(x, y))
    threshold = config.threshold
    if check:
        threshold, right = choose_threshold(
            [([model.probability(f) for f in fs], labels) for fs, labels in check],
            default=config.threshold,
        )
        info.update({"checked_rows": len(check), "checked_right": right})
    return Cutter(model, threshold, info)


THRESHOLDS = tuple(round(0.2 + 0.05 * k, 2) for k in range(13))  # 0.2 … 0.8


def choose_threshold(
    requests: Sequence[tuple[Sequence[float], Sequence[int]]], default: float = 0.5
) -> tuple[float, float]:
    """The cut threshold under which the most requests have every cut decided right (a cut
    stands at or above it), and that share; ties go to the one nearest `default`. A request
    counts whole because one wrong cut is a wrong plan, however many cuts it has."""

    def right(t: float) -> float:
        ok = [
            all((p >= t) == bool(lab) for p, lab in zip(probs, labels, strict=True))
            for probs, labels in requests
        ]
        return sum(ok) / len(ok) if ok else 0.0

    scored = [(right(t), -abs(t - default), t) for t in THRESHOLDS]
    share, _, best = max(scored)
    return best, share


def fit_boosting(x: list[list[float]], y: list[int]) -> Any:
    """The cutter's scikit-learn model, fitted on cut features and labels."""
    import numpy as np
    from sklearn.ensemble import GradientBoostingClassifier

    # Plain gradient boosting, not the histogram kind: that one predicts through OpenMP threads,
    # which cost seconds a request on a busy machine; this one is a few trees, walked in Python.
    model = GradientBoostingClassifier(
        n_estimators=120, max_depth=3, learning_rate=0.1, subsample=0.8, random_state=0
    )
    model.fit(np.asarray(x, dtype=float), np.asarray(y))
    return model
