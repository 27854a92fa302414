"""The local planner's fitted model: what it is trained on, the cache key that names it, and
where it comes from (the cache, the models shipped in the package, or training here).

The model. Training is scikit-learn's (the `train` extra); scoring is plain Python
(`graph/planner/scoring.py`, equal to scikit-learn's to rounding), so the default install plans
without numpy, SciPy or scikit-learn. A fitted model is a JSON document, looked for in the cache
(`model_cache`, keyed by the training examples and settings), then among the models shipped in
the package (`models/`: the demo team's), and trained only when neither has it; without the
extra that is one line naming it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from ringmaster.agents.spec import Team
from ringmaster.graph.planner import model_cache
from ringmaster.graph.planner.cutter import Cutter, PlannerModel
from ringmaster.graph.planner.scoring import HUMAN, TfidfScorer
from ringmaster.graph.planner.settings import LocalPlannerSettings

# Bump when the features or the training data layout change, so old cache files are not used.
FEATURES_VERSION = "tfidf-w12c25-lr-svm-temp-5"
# The code a TF-IDF model (plain data) is as good as: what trains it and the analyzers that turn
# text into its features at training and scoring alike; the cutter's (and the splitter's, which
# makes its training cuts) when it is learned. Part of
# the cache key, so a change to any of them retrains (and renames the shipped model: rebuild it)
# whether or not FEATURES_VERSION was bumped.
TFIDF_CODE = ("classifier.py", "scoring.py")
CUTTER_CODE = ("cutter.py", "synthesis.py", "splitter.py", "no_ask.py")
CLASSIFIERS = ("tfidf", "hybrid")
MODEL_FORMAT = "ringmaster-local-planner/1"
# Fitted TF-IDF models shipped in the package (the demo team's), named by their cache key: the
# default install, which has no scikit-learn to train with, plans with them as they are.
# tests/graph/test_shipped_models.py retrains each one and compares, so none goes stale silently.
SHIPPED_MODELS = Path(__file__).parent / "models"


def training_data(team: Team) -> tuple[list[str], list[str]]:
    """The texts the classifier learns from and their labels: each agent's examples and
    description, and the team's human examples."""
    texts: list[str] = []
    labels: list[str] = []
    for agent in team.agents:
        for text in [*agent.examples, agent.description]:
            texts.append(text)
            labels.append(agent.name)
    for text in team.human_examples:
        texts.append(text)
        labels.append(HUMAN)
    return texts, labels


def learns_split(team: Team, settings: LocalPlannerSettings) -> bool:
    """Whether the team's cuts are decided by a learned cutter (see `learned_split`)."""
    if settings.learned_split is not None:
        return settings.learned_split
    examples = [len(a.examples) for a in team.agents]
    return bool(examples) and sum(examples) >= settings.learned_split_min * len(examples)


def team_tag(team: Team, kind: str) -> str:
    """Names this team's models of this kind, so a new one replaces (prunes) the old."""
    return hashlib.sha256(f"{team.name}\n{kind}".encode()).hexdigest()[:8]


def cache_key(team: Team, settings: LocalPlannerSettings, kind: str, learned: bool) -> str:
    """The name of the model trained for `team` with `settings` (a cache file, a shipped model)."""
    # What the model depends on and nothing else: its training data, its kind and settings,
    # the code that trains it. Not the team file as a whole, so changing the routing
    # thresholds (`eval tune-threshold --write`) or an agent's runtime never retrains. A
    # TF-IDF model is plain data (`scoring.py`), not tied to a scikit-learn version; a
    # pickled hybrid model is only as good as the code and library that pickled it.
    source = json.dumps(training_data(team))
    cutter = settings.cutter if learned else None
    parts: tuple[Any, ...]
    if kind == "hybrid":
        import sklearn

        parts = (
            kind,
            settings.hybrid,
            cutter,
            FEATURES_VERSION,
            model_cache.CODE_DIGEST,
            sklearn.__version__,
        )
    else:
        code = TFIDF_CODE + (CUTTER_CODE if cutter is not None else ())
        parts = (
            kind,
            settings.classifier,
            cutter,
            FEATURES_VERSION,
            MODEL_FORMAT,
            model_cache.code_digest(code),
        )
    return hashlib.sha256(f"{source}\n{parts!r}".encode()).hexdigest()[:32]


def cache_path(
    cache_dir: Path, team: Team, settings: LocalPlannerSettings, kind: str, learned: bool
) -> Path:
    """Where the cache keeps that model."""
    suffix = ".pkl" if kind == "hybrid" else ".json"
    return (
        Path(cache_dir)
        / f"local-planner-{team_tag(team, kind)}-{cache_key(team, settings, kind, learned)}{suffix}"
    )


def load_or_train(
    team: Team,
    settings: LocalPlannerSettings,
    kind: str,
    learned: bool,
    path: Path | None,
) -> tuple[PlannerModel, bool]:
    """The team's model, and whether it was trained here (rather than loaded)."""
    if kind == "hybrid":
        return _load_or_train_hybrid(team, settings, learned, path)
    doc = model_cache.load_document(path) if path else None
    model = _model_from_document(doc) if doc is not None else None
    if model is None:
        model = _shipped_model(cache_key(team, settings, kind, learned))
        if model is not None and path is not None:
            # The team's superseded cache files (an earlier release's pickle, say) go, as
            # they do when a model is trained here.
            model_cache.prune(path, f"local-planner-{team_tag(team, kind)}-*")
    if model is not None:
        return model, False
    _require_training(team.name)
    from ringmaster.graph.planner.classifier import TfidfClassifier

    texts, labels = training_data(team)
    classifier = TfidfClassifier.train(texts, labels, settings.classifier)
    cutter = train_cutter(texts, labels, settings, learned)
    doc = model_document(classifier.to_document(), cutter)
    _store(path, team_tag(team, kind), lambda p: model_cache.save_document(p, doc))
    return PlannerModel(TfidfScorer(doc["classifier"]), cutter), True


def _load_or_train_hybrid(
    team: Team, settings: LocalPlannerSettings, learned: bool, path: Path | None
) -> tuple[PlannerModel, bool]:
    from ringmaster.graph.planner.embeddings import HybridClassifier

    if path is not None:
        cached = model_cache.load(path)
        if isinstance(cached, PlannerModel) and isinstance(cached.classifier, HybridClassifier):
            return cached, False
    texts, labels = training_data(team)
    classifier = HybridClassifier.train(texts, labels, settings.hybrid)
    model = PlannerModel(classifier, train_cutter(texts, labels, settings, learned))
    _store(path, team_tag(team, "hybrid"), lambda p: model_cache.save(p, model))
    return model, True


def train_cutter(
    texts: list[str], labels: list[str], settings: LocalPlannerSettings, learned: bool
) -> Cutter | None:
    """The learned cut model (on the TF-IDF classifier's scores), when the split is learned."""
    if not learned:
        return None
    from ringmaster.graph.planner.cutter import train_cutter as train

    return train(texts, labels, settings.cutter, tfidf=settings.classifier)


def _store(path: Path | None, tag: str, save: Callable[[Path], None]) -> None:
    """Cache a model trained here, and prune the team's superseded ones."""
    if path is None:
        return
    try:
        save(path)
    except OSError:
        pass  # a read-only cache costs a retrain next time, never a failed plan
    else:
        model_cache.prune(path, f"local-planner-{tag}-*")


def model_document(classifier: dict[str, Any], cutter: Cutter | None) -> dict[str, Any]:
    """A fitted TF-IDF planner model as one JSON document (cache files, shipped models)."""
    return {
        "format": MODEL_FORMAT,
        "classifier": classifier,
        "cutter": None if cutter is None else cutter.to_document(),
    }


def _model_from_document(doc: dict[str, Any]) -> PlannerModel | None:
    """The model in `doc`; None when it is not one this code reads (then it is retrained)."""
    if doc.get("format") != MODEL_FORMAT:
        return None
    try:
        cutter = None if doc["cutter"] is None else Cutter.from_document(doc["cutter"])
        return PlannerModel(TfidfScorer(doc["classifier"]), cutter)
    except (KeyError, TypeError, ValueError):
        return None


# The shipped models read in this process, by name. They are package data, and a model is not
# changed once built: every planner built for the team (each Runner, a relearn's fallback, each
# test's) parsed the document and indexed its examples again, a second or more each time.
_SHIPPED_READ: dict[str, PlannerModel] = {}


def _shipped_model(key: str) -> PlannerModel | None:
    """The model shipped in the package under `key`; None when none is (or it is unreadable)."""
    model = _SHIPPED_READ.get(key)
    if model is None:
        doc = _read_json(SHIPPED_MODELS / f"{key}.json")
        model = _model_from_document(doc) if doc is not None else None
        if model is not None:
            _SHIPPED_READ[key] = model
    return model


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def _require_training(team: str) -> None:
    """Training needs scikit-learn (the `train` extra): say so in one line when it is missing."""
    missing = next((m for m in ("sklearn", "scipy", "numpy") if find_spec(m) is None), None)
    if missing is not None:
        from ringmaster.extras import MissingExtra

        raise MissingExtra(
            f"team {team!r} has no fitted local-planner model here, and training one needs the "
            f"'train' extra ({missing} is not installed): pip install 'ringmaster[train]'"
        )
