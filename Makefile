# Two commands do all the set-up: `make run` serves the registry with demo data,
# `make test` runs the whole suite (SQLite, and PostgreSQL when the local server answers).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/registry db upgrade
	$(BIN)/registry demo load --if-empty
	$(BIN)/registry serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

bench: $(VENV)/.installed
	$(BIN)/python bench/audit_write.py
	$(BIN)/python bench/checklist_sweep.py
	$(BIN)/python bench/api_throughput.py
	$(BIN)/python bench/audit_pdf.py
	$(BIN)/python bench/import_roster.py
	$(BIN)/python bench/trace.py
	$(BIN)/python bench/recall_matching.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
