# DatenHub Ruhr — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= sqlite:///./datenhub.db
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint bench install dev-install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

dev-install: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"

demo: install
	$(BIN)/datenhub demo --db $(DB)
	$(BIN)/datenhub serve --db $(DB) --host $(HOST) --port $(PORT)

test: dev-install
	bash scripts/install-browser.sh $(VENV)
	$(BIN)/python -m pytest -n 2 -q

lint: dev-install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src tests benchmarks

bench: dev-install
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) datenhub.db datenhub.db-wal datenhub.db-shm .pytest_cache
