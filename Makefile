# Set-up is part of every target: a fresh machine needs only `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

DEMO_REQUEST ?= Refund invoice INV-1004 in full, the customer cancelled, and roll back the api deployment in production, then draft a status update about the rollback.

.PHONY: demo test check lint types install clean bench serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch's CPU build first (it lies in this machine's wheel directory), so the embeddings extra
# (the local planner's sentence embeddings) does not make pip fetch a CUDA one.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q 'torch==2.13.0'
	$(BIN)/pip install -q -e '.[dev,embeddings]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ringmaster run "$(DEMO_REQUEST)"

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

check: lint types test

serve: $(STAMP)
	$(BIN)/python -m ringmaster.cli_serve

bench: $(STAMP)
	$(BIN)/python benchmarks/overhead.py

clean:
	rm -rf $(VENV) .ringmaster
