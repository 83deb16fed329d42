# linkflow — developer entry points. Every target creates .venv if it is missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck bench clean install system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml hatch_build.py linkflow/extract/_lexbor.c linkflow/extract/_outline.c linkflow/extract/_regions.c linkflow/extract/_lexbor.h
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	# Bytecode, as an installed package has it (an editable install compiles nothing, and
	# with PYTHONDONTWRITEBYTECODE set every process would compile linkflow again).
	$(BIN)/python -m compileall -q linkflow
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/linkflow demo --audit demo-audit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

system-deps:
	bash scripts/system-deps.sh

test: system-deps lint typecheck
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) demo-audit .pytest_cache .mypy_cache .ruff_cache
