"""Everything installs under the one `ringmaster` namespace, so nothing clashes with other packages.

`graph/`, `agents/`, `tools/`, `prompts/` and `evals/` stay top-level folders (the layout in
DESIGN.md) and are reached as `ringmaster.graph`, … through symlinks in `ringmaster/`; importing
them by their bare names would load a second copy of each module, or another package's code.
"""

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("graph", "agents", "tools", "prompts", "evals")


def _python_files() -> list[Path]:
    """Every Python file once: the layers' links inside ringmaster/ are not walked twice."""
    files = []
    for folder in [*LAYERS, "ringmaster", "tests", "benchmarks"]:
        for path in (ROOT / folder).rglob("*.py"):
            inside = path.relative_to(ROOT / folder).parts
            if folder == "ringmaster" and inside[0] in LAYERS:
                continue
            files.append(path)
    return files


def _imports(path: Path) -> Iterator[tuple[str, str]]:
    """("FILE:LINE", module) for every absolute import in `path`."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            yield f"{path.relative_to(ROOT)}:{node.lineno}", name


def test_no_module_imports_a_layer_by_its_bare_name() -> None:
    offenders = [
        f"{where} {name}"
        for path in _python_files()
        for where, name in _imports(path)
        if name.split(".")[0] in LAYERS
    ]
    assert offenders == []


def test_each_layer_is_a_symlink_inside_the_ringmaster_package() -> None:
    for layer in LAYERS:
        link = ROOT / "ringmaster" / layer
        assert link.is_symlink(), f"ringmaster/{layer} should link to ../{layer}"
        assert link.resolve() == (ROOT / layer).resolve()


def test_the_wheel_and_mypy_see_only_the_ringmaster_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["tool"]["setuptools"]["packages"]["find"]["include"] == ["ringmaster*"]
    assert config["tool"]["mypy"]["packages"] == ["ringmaster"]


def test_layers_import_as_ringmaster_subpackages() -> None:
    import ringmaster.agents.demo
    import ringmaster.graph

    assert Path(ringmaster.graph.__file__).parent.parent.name == "ringmaster"
    assert ringmaster.agents.demo.TEAM_FILE.is_file()


# Each layer imports only from itself and the layers below it (ringmaster -> graph -> agents ->
# tools; prompts are text every layer may read). The small helpers of ringmaster/ that every layer
# may use are named here, so a new upward import is a decision, not a slip.
BELOW = {
    "graph": {"graph", "agents", "tools", "prompts"},
    "agents": {"agents", "tools", "prompts"},
    "tools": {"tools"},
}
SHARED_HELPERS = {
    "ringmaster.private_files",
    "ringmaster.extras",
    "ringmaster.sqlite_wal",
    "ringmaster.stop_words",
}


def test_no_layer_imports_a_layer_above_it() -> None:
    upward = [
        f"{where} {name}"
        for layer, allowed in BELOW.items()
        for path in (ROOT / layer).rglob("*.py")
        for where, name in _imports(path)
        if name.split(".")[0] == "ringmaster"
        and name not in SHARED_HELPERS
        and (name.split(".") + [""])[1] not in allowed
    ]
    assert upward == []
