# Chiiki: the two commands a municipality needs are `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CHIIKI := $(BIN)/chiiki
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint bench install install-dev serve worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# The spark extra too: CI runs linkage on Spark local[2] (tests marked `spark`; they skip without Java).
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## make demo: install, create the SQLite database, load the demo municipality, serve on http://127.0.0.1:8000
## Debug is off, as in production: visitors never see Django's debug page; WhiteNoise serves the collected
## static files; the log shows one readable line per request and per event.
demo: install
	$(CHIIKI) migrate --no-input
	$(CHIIKI) municipalities load
	$(CHIIKI) demo load
	$(CHIIKI) collectstatic --no-input --verbosity 0
	$(CHIIKI) serve --with-worker --bind $(HOST):$(PORT)

## make test: install the development dependencies and run the whole suite
## Two workers or more (pytest-xdist, one per core), a test file to a worker so its module fixtures are made once.
test: install-dev
	$(BIN)/python -m pytest -n auto --dist loadfile --durations=25

lint: install-dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy src
	$(BIN)/lint-imports
	$(BIN)/python scripts/lint_model_writes.py
	$(CHIIKI) makemigrations --check --dry-run

## make bench: run every benchmark in bench/, each printing a ratio against a baseline run beside it
bench: install-dev
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var/*.sqlite3
