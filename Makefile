# Set-up is part of every target: a fresh machine needs only `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BASE := $(VENV)/.installed-base
STAMP := $(VENV)/.installed

DEMO_REQUEST ?= Refund invoice INV-1004 in full, the customer cancelled, and roll back the api deployment in production, then draft a status update about the rollback.

.PHONY: demo test check lint types install clean bench serve eval-report

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The demo needs only the light default install.
$(BASE): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $(BASE)

# Tests and checks need the dev tools and the embeddings extra. torch's CPU build goes first (it
# lies in this machine's wheel directory), so the extra does not make pip fetch a CUDA one.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q 'torch==2.13.0'
	$(BIN)/pip install -q -e '.[dev,embeddings]'
	touch $(BASE) $(STAMP)

install: $(STAMP)

demo: $(BASE)
	$(BIN)/ringmaster run "$(DEMO_REQUEST)"

test: $(STAMP)
	$(BIN)/pytest -q

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
	$(BIN)/python -m ringmaster.evals.headline --readme README.md

bench: $(STAMP)
	$(BIN)/python -m benchmarks.overhead

clean:
	rm -rf $(VENV) .ringmaster
