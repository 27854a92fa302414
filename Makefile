# Set-up is part of every target: a fresh machine needs only `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BASE := $(VENV)/.installed-base
STAMP := $(VENV)/.installed
# The tests need the dev tools and every extra (embeddings: torch CPU first, see below).
EXTRAS := dev,train,postgres,reports,llm,embeddings

DEMO_REQUEST ?= Refund invoice INV-1004 in full, the customer cancelled, and roll back the api deployment in production, then draft a status update about the rollback.
# The demo and `make serve` keep their data next to the checkout (an installed ringmaster uses
# the platform's user data directory); the tests make their own.
demo serve: export RINGMASTER_HOME ?= $(CURDIR)/.ringmaster

.PHONY: demo test test-fast check lint types install clean bench bench-startup serve eval-report

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The demo needs only the light default install (`pip install ringmaster`: SQLite, the local
# planner, the CLI and the API).
$(BASE): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $(BASE)

# Tests and checks need the dev tools and every extra. torch's CPU build goes first (it lies in
# this machine's wheel directory), so the embeddings extra does not make pip fetch a CUDA one.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q 'torch==2.13.0'
	$(BIN)/pip install -q -e '.[$(EXTRAS)]'
	touch $(BASE) $(STAMP)

install: $(STAMP)

# The decide hint's commands find the demo's reviews only with its RINGMASTER_HOME.
demo: $(BASE)
	$(BIN)/ringmaster run "$(DEMO_REQUEST)"
	@echo "The demo keeps its data in $(RINGMASTER_HOME); before those commands: export RINGMASTER_HOME='$(RINGMASTER_HOME)'"

# On every core (pytest-xdist): most tests wait on processes, servers and Postgres. loadgroup
# keeps the tests of one xdist_group (a costly module fixture, or timing measured on the
# machine) on one worker; each worker has its own temp folder and RINGMASTER_HOME, each
# Postgres test its own database, and the servers the tests start bind port 0 (the system
# picks; no two workers can race for one port). Work goes out in the collection's order, where
# tests/conftest.py puts the minutes-long tests first.
PARALLEL := -n auto --dist loadgroup --no-loadscope-reorder

# Bytecode is written (into the ignored __pycache__ folders) even where the environment sets
# PYTHONDONTWRITEBYTECODE, as the development machine does: without it every worker rewrites
# and compiles all the test modules again (collection took 12.6 s of CPU rather than 5.8 s)
# and every process a test starts compiles ringmaster's modules again.
test test-fast: export PYTHONDONTWRITEBYTECODE :=

test: $(STAMP)
	$(BIN)/pytest -q $(PARALLEL)

# Everything but the minutes-long tests (the wheel install): for a quick local round.
test-fast: $(STAMP)
	$(BIN)/pytest -q $(PARALLEL) -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

check: lint types test

serve: $(BASE)
	$(BIN)/python -m ringmaster.cli_serve

# The README's routing table, every figure on a split not used for tuning (evals/headline.py).
eval-report: $(STAMP)
	$(BIN)/python -m ringmaster.evals.headline --classifier tfidf --limit 600 --readme README.md

bench: $(STAMP)
	$(BIN)/python -m benchmarks.overhead

bench-startup: $(STAMP)
	$(BIN)/python -m benchmarks.cli_startup

clean:
	rm -rf $(VENV) .ringmaster
