"""CLI start-up times and the default install's size.

Start-up: each command runs `--runs` times (default 10) as a fresh process of the installed
`ringmaster` script, after one warm-up run of each command: the first creates the stores in a
temporary RINGMASTER_HOME (so `review list` and `status` read empty, already-migrated stores),
and each writes the bytecode of what it imports. Bytecode is written to a temporary
PYTHONPYCACHEPREFIX even when PYTHONDONTWRITEBYTECODE is set, as an installed wheel has it
(pip compiles it at install): without it an editable checkout recompiles ringmaster's own
modules on every run, a cost no installed user pays. The median and the spread are printed next
to the targets (`--help` under 0.5 s, `review list` and `status` under 1 s) and the machine's
load average, since other processes on the machine slow every figure down.

Install size: `pip install` of this checkout with no extras into a fresh virtual environment,
then the size of everything it put in site-packages (pip itself excluded), the number of
distributions, and the largest ones. Then the floor: the same install without numpy, SciPy and
scikit-learn among the project's own dependencies (since they moved to the `train` extra there
are none, and the two figures are the same install). It takes two minutes or more;
`--no-install-size` skips it.

    .venv/bin/python -m benchmarks.cli_startup [--runs 10] [--no-install-size] [--json]
        [--ringmaster PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement

from benchmarks.scripted import machine

REPO = Path(__file__).resolve().parent.parent
TARGETS_S = {"--help": 0.5, "review list": 1.0, "status": 1.0}
SIZE_TARGET_MB = 150.0
# Left out of the size: they come with every virtual environment, ringmaster or not.
VENV_BASELINE = {"pip", "setuptools", "wheel"}
# The local planner's classifiers (graph/planner/classifier.py and its neighbours).
ML_STACK = {"numpy", "scipy", "scikit-learn"}

# Printed by a script run inside the fresh environment: each distribution's files and bytes.
_SIZES = """
import json, os, importlib.metadata as md
out = []
for d in md.distributions():
    total = 0
    for f in d.files or []:
        p = d.locate_file(f)
        try:
            total += os.path.getsize(p)
        except OSError:
            pass
    out.append([d.metadata["Name"], total])
print(json.dumps(out))
"""


def time_command(exe: str, args: list[str], env: dict[str, str], runs: int) -> dict[str, Any]:
    """Wall times of `exe args` as fresh processes, and the CPU time (user + system) each
    used; the command must exit 0. On a busy machine the wall time waits for the CPU and the
    CPU time hardly moves, so the second says what the command costs when the first cannot."""
    times, cpu = [], []
    for _ in range(runs):
        used = _children_cpu()
        start = time.perf_counter()
        proc = subprocess.run([exe, *args], env=env, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        cpu.append(_children_cpu() - used)
        if proc.returncode != 0:
            raise SystemExit(f"`ringmaster {' '.join(args)}` failed: {proc.stderr.strip()[-500:]}")
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "cpu_median_s": statistics.median(cpu),
        "runs": runs,
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def startup_rows(exe: str, runs: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="rm-startup-") as home:
        env = {
            **os.environ,
            "RINGMASTER_HOME": home,
            "PYTHONPYCACHEPREFIX": str(Path(home) / "pycache"),
        }
        env.pop("RINGMASTER_DB_URL", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        # Warm-up: creates the stores, so every timed `review list` reads an existing database.
        subprocess.run([exe, "review", "list"], env=env, capture_output=True, check=True)
        for label in TARGETS_S:
            args = label.split()
            # Warm-up of this command: the bytecode of what it imports is written.
            subprocess.run([exe, *args], env=env, capture_output=True, check=True)
            row = {"command": label, "target_s": TARGETS_S[label]}
            row.update(time_command(exe, args, env, runs))
            rows.append(row)
    return rows


def _installed(*installs: list[str]) -> list[tuple[str, int]]:
    """Each `pip install` in turn into one fresh venv; each distribution's bytes, largest
    first (pip and setuptools left out)."""
    with tempfile.TemporaryDirectory(prefix="rm-size-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / "bin" / "python"
        pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        for requirements in installs:
            subprocess.run([*pip, *requirements], check=True, capture_output=True)
        # Run from the empty temporary directory: `python -c` puts the working directory on
        # the path, and a checkout's ringmaster.egg-info there would be counted a second time.
        sizes = json.loads(
            subprocess.run(
                [str(python), "-c", _SIZES], check=True, capture_output=True, text=True, cwd=tmp
            ).stdout
        )
    return sorted(
        ((name, size) for name, size in sizes if name.lower() not in VENV_BASELINE),
        key=lambda pair: -pair[1],
    )


def _light_requirements(project: Path) -> list[str]:
    """The project's default dependencies without the local planner's ML stack."""
    deps: list[str] = tomllib.loads((project / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    return [d for d in deps if Requirement(d).name.lower() not in ML_STACK]


def install_size(project: Path) -> dict[str, Any]:
    """Install `project` (no extras) into a fresh venv; what it brought, in bytes. Then the
    same without the ML stack (`project` with --no-deps, and its other dependencies): the
    floor of a default install whose local planner needed no numpy, SciPy or scikit-learn."""
    dists = _installed([str(project)])
    floor_sizes = dict(_installed(["--no-deps", str(project)], _light_requirements(project)))
    total = sum(size for _, size in dists)
    floor_total = sum(floor_sizes.values())
    return {
        "total_mb": total / 1e6,
        "target_mb": SIZE_TARGET_MB,
        "distributions": len(dists),
        "largest": [{"name": n, "mb": s / 1e6} for n, s in dists[:12]],
        "without_ml_stack": {
            "total_mb": floor_total / 1e6,
            "distributions": len(floor_sizes),
            "ml_stack_mb": (total - floor_total) / 1e6,
            "largest": [
                {"name": n, "mb": s / 1e6}
                for n, s in sorted(floor_sizes.items(), key=lambda p: -p[1])[:8]
            ],
        },
    }


def default_exe() -> str:
    beside = Path(sys.executable).parent / "ringmaster"
    return str(beside) if beside.exists() else (shutil.which("ringmaster") or "ringmaster")


def verdicts(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each figure against its target, in words."""
    out = []
    for row in report["startup"]:
        ok = row["median_s"] < row["target_s"]
        out.append(
            {
                "ok": ok,
                "text": f"`ringmaster {row['command']}`: median {row['median_s']:.2f} s of "
                f"{row['runs']} runs, {'under' if ok else 'OVER'} the {row['target_s']:g} s "
                "target.",
            }
        )
    size = report["install"]
    if size is not None:
        light = size["without_ml_stack"]
        for what, mb in (
            ("the default install", size["total_mb"]),
            ("the default install without the ML stack (the floor)", light["total_mb"]),
        ):
            ok = mb < size["target_mb"]
            out.append(
                {
                    "ok": ok,
                    "text": f"{what[0].upper()}{what[1:]}: {mb:.0f} MB, "
                    f"{'under' if ok else 'OVER'} the {size['target_mb']:.0f} MB target.",
                }
            )
    return out


def command(argv: list[str]) -> str:
    return " ".join([".venv/bin/python -m benchmarks.cli_startup", *argv])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--ringmaster", default=None, help="the script to time")
    parser.add_argument("--no-install-size", action="store_true")
    parser.add_argument("--project", type=Path, default=REPO, help="what to install for size")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    exe = args.ringmaster or default_exe()
    before = machine()
    startup = startup_rows(exe, args.runs)
    after = machine()  # after the timed runs: the install that follows loads the machine itself
    report: dict[str, Any] = {
        "benchmark": "cli_startup",
        "command": command(argv),
        "ringmaster": exe,
        "machine": {"before": before, "after": after},
        "startup": startup,
        "install": None if args.no_install_size else install_size(args.project),
    }
    report["verdicts"] = verdicts(report)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return report


def print_report(report: dict[str, Any]) -> None:
    machine_ = report["machine"]
    loads = [", ".join(f"{x:.2f}" for x in machine_[k]["load"]) for k in ("before", "after")]
    print(
        f"ringmaster start-up ({report['ringmaster']}; load average {loads[0]} before, "
        f"{loads[1]} after)"
    )
    print(f"{'command':<14} {'median':>8} {'min':>8} {'max':>8} {'CPU':>8} {'target':>8}  verdict")
    for row in report["startup"]:
        verdict = "ok" if row["median_s"] < row["target_s"] else "OVER"
        print(
            f"{row['command']:<14} {row['median_s']:>7.3f}s {row['min_s']:>7.3f}s "
            f"{row['max_s']:>7.3f}s {row['cpu_median_s']:>7.3f}s {row['target_s']:>7.1f}s  "
            f"{verdict} "
            f"(median of {row['runs']})"
        )
    size = report["install"]
    if size is None:
        return
    verdict = "ok" if size["total_mb"] < size["target_mb"] else "OVER"
    print(
        f"\ndefault install: {size['total_mb']:.0f} MB in {size['distributions']} distributions "
        f"(target {size['target_mb']:.0f} MB: {verdict}); the largest:"
    )
    for d in size["largest"]:
        print(f"  {d['name']:<32} {d['mb']:>7.1f} MB")
    light = size["without_ml_stack"]
    verdict = "ok" if light["total_mb"] < size["target_mb"] else "OVER"
    print(
        f"of which the ML stack ({', '.join(sorted(ML_STACK))} and what only they bring): "
        f"{light['ml_stack_mb']:.0f} MB.\nWithout it (the floor of a default install): "
        f"{light['total_mb']:.0f} MB in {light['distributions']} distributions "
        f"(target {size['target_mb']:.0f} MB: {verdict}); the largest:"
    )
    for d in light["largest"]:
        print(f"  {d['name']:<32} {d['mb']:>7.1f} MB")


if __name__ == "__main__":
    main()
