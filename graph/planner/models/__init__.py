"""Fitted local-planner models shipped in the package, one JSON document each (no pickle).

`<cache key>.json` is the TF-IDF model the local planner trains, with its default settings, from
a shipped team's examples (the demo team's): the default install has no scikit-learn to train
with and plans from this file. Regenerate with `python -m ringmaster.graph.planner.models.build`
(needs the `train` extra) after any change to the training code or the analyzers: the cache key
covers them (`local.TFIDF_CODE`), so the file's name changes with them.
tests/graph/test_shipped_models.py retrains and compares, so a model never goes stale silently.
"""
