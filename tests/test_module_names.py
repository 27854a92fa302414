"""No module binds one top-level name twice.

Two helpers' branches can each add a module-level pattern of the same name to one file; the
merge is clean and the later binding silently replaces the earlier one for every function that
used it (session 25: a second `_LEAD_IN` in `graph/planner/segmenting.py` broke the lead-in rule
of `test_mail_voice`). Ruff's F811 covers imports and functions only, so this test reads every
module's top-level assignments too.
"""

import ast
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("graph", "agents", "tools", "evals", "ringmaster", "benchmarks")
LINKED = {"graph", "agents", "tools", "evals", "prompts"}


def _bound_twice(source: str) -> list[str]:
    """The names `source` binds more than once at its top level (assignments, functions,
    classes)."""
    names: Counter[str] = Counter()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] += 1
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] += 1
    return sorted(n for n, count in names.items() if count > 1 and n != "__all__")


def test_bound_twice_finds_a_pattern_rebound() -> None:
    source = 'import re\n_LEAD = re.compile("a")\ndef f(): pass\n_LEAD = re.compile("b")\n'
    assert _bound_twice(source) == ["_LEAD"]
    assert _bound_twice("_A = 1\n_B: int = 2\nclass C: pass\n") == []


def test_no_module_binds_a_top_level_name_twice() -> None:
    found = {}
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            inside = path.relative_to(ROOT / folder).parts
            if folder == "ringmaster" and inside[0] in LINKED:
                continue  # the layers' links, walked as their own folders
            twice = _bound_twice(path.read_text(encoding="utf-8"))
            if twice:
                found[str(path.relative_to(ROOT))] = twice
    assert found == {}
