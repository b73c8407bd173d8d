# Everything installs from scratch into .venv: a fresh machine needs only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME := $(VENV)/.runtime
DEMO := build/demo-library
SEED ?= ../shared/seed/000_838255085520cd98.txt

.PHONY: install demo test lint typecheck bench bench-more torture eval fidelity clean fuzz

# Two stamps: the runtime (what `make demo` and a user need) and the dev tools on top of it
# (pytest, ruff, mypy: only for `make test`). pip stays quiet unless something fails.
PIP := $(BIN)/python -m pip --quiet --quiet --disable-pip-version-check

$(RUNTIME): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e .
	touch $(RUNTIME)

# `make test` installs the semantic extra too (about 1.5 min), so the embedding ranker is tested
# for real; torch==2.13.0 first: the machines hold its CPU wheel, while a range would download
# the multi-GB CUDA build. The plain install (no extra) is tested by hiding the extra.
TORCH ?= torch==2.13.0
$(STAMP): $(RUNTIME) pyproject.toml
	$(PIP) install '$(TORCH)'
	$(PIP) install -e '.[dev,semantic]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) lint typecheck
	$(BIN)/pytest

demo: $(RUNTIME)
	bash scripts/demo.sh "$(SEED)" "$(DEMO)"

bench: $(STAMP)
	$(BIN)/python bench/contract.py $(BENCH_ARGS)

bench-more: $(STAMP)
	$(BIN)/python bench/bench.py

# 1,000 SIGKILLs across the write commands and 300 corruptions of .paperlog/ (tests/torture.py)
torture: $(STAMP)
	$(BIN)/python tests/torture.py --kills 1000 --corruptions 300

# Recommendations against baselines on real reading lists (docs/discover.md); minutes, not seconds.
eval: $(STAMP)
	$(BIN)/python bench/eval_recommend.py --out build/eval/results.json

fidelity: $(STAMP)
	$(BIN)/python bench/fidelity.py

clean:
	rm -rf $(VENV) build .mypy_cache .pytest_cache .ruff_cache

# The browser tests drive Debian's Chromium (Playwright cannot download its own browser here):
# installed when missing and apt-get can (CI runs as root); otherwise those tests skip, saying why.
CHROMIUM := /usr/bin/chromium
.PHONY: chromium screenshots
# a small catalog from two real conference lists: Today's Recommended panel and the catalog page
SHOTS_CATALOG := build/screenshots-catalog.sqlite
SHOTS_LISTS := ../shared/corpus/catalog/papercopilot_paperlists
chromium:
	@test -x $(CHROMIUM) || { command -v apt-get >/dev/null && apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || echo "make: chromium could not be installed; the browser tests will skip"

test: chromium

screenshots: $(STAMP) chromium
	test -f $(DEMO)/paperlog.toml || bash scripts/demo.sh "$(SEED)" "$(DEMO)" >/dev/null
	test -f $(SHOTS_CATALOG) || test ! -d $(SHOTS_LISTS) || $(BIN)/paperlog catalog ingest \
	  --catalog $(SHOTS_CATALOG) $(SHOTS_LISTS)/cvpr/cvpr2019.json $(SHOTS_LISTS)/iccv/iccv2019.json
	PAPERLOG_CATALOG=$$(test -f $(SHOTS_CATALOG) && echo $(SHOTS_CATALOG)) \
	  $(BIN)/python scripts/screenshots.py "$(DEMO)" build/screenshots

# 100,000 mutated inputs over every reader (about 20 min); counts per target, findings listed
fuzz: $(STAMP)
	$(BIN)/python tests/fuzz.py --cases 100000
