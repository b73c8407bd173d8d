# Everything installs from scratch into .venv: a fresh machine needs only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := build/demo-library
SEED ?= ../shared/seed/000_838255085520cd98.txt

.PHONY: install demo test lint typecheck bench bench-more fidelity clean

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
	$(BIN)/python bench/contract.py $(BENCH_ARGS)

bench-more: $(STAMP)
	$(BIN)/python bench/bench.py

fidelity: $(STAMP)
	$(BIN)/python bench/fidelity.py

clean:
	rm -rf $(VENV) build .mypy_cache .pytest_cache .ruff_cache

# The browser tests drive Debian's Chromium (Playwright cannot download its own browser here):
# installed when missing and apt-get can (CI runs as root); otherwise those tests skip, saying why.
CHROMIUM := /usr/bin/chromium
.PHONY: chromium screenshots
chromium:
	@test -x $(CHROMIUM) || { command -v apt-get >/dev/null && apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || echo "make: chromium could not be installed; the browser tests will skip"

test: chromium

screenshots: $(STAMP) chromium
	test -f $(DEMO)/paperlog.toml || bash scripts/demo.sh "$(SEED)" "$(DEMO)" >/dev/null
	$(BIN)/python scripts/screenshots.py "$(DEMO)" build/screenshots
