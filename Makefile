# Everything installs from scratch into .venv: a fresh machine needs only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := build/demo-library
SEED ?= ../shared/seed/000_838255085520cd98.txt

.PHONY: install demo test lint typecheck bench eval clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) lint typecheck
	$(BIN)/pytest

demo: $(STAMP)
	bash scripts/demo.sh "$(SEED)" "$(DEMO)"

bench: $(STAMP)
	$(BIN)/python bench/bench.py

# Recommendations against baselines on real reading lists (docs/discover.md); minutes, not seconds.
eval: $(STAMP)
	$(BIN)/python bench/eval_recommend.py --out build/eval/results.json

clean:
	rm -rf $(VENV) build .mypy_cache .pytest_cache .ruff_cache
