# Safe Premises — the two commands a newcomer needs are `make run` and `make test`.
# Every target installs what it needs, so both work on a fresh Debian machine with Python 3.11.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 3978
PLAYGROUND_PORT ?= 56150
PLAYGROUND_DIR := infra/playground
PACKAGE_DIR ?= build/appPackage
APP_PACKAGE_DIR := infra/appPackage

.DEFAULT_GOAL := help
.PHONY: help run playground test lint typecheck unit integration e2e test-deps browser playground-deps validator-deps freeze preview package bench bench-listings clean mutation

help:
	@echo "make run         start the bot on http://$(HOST):$(PORT) (SQLite, letters to files, example trust)"
	@echo "make playground  start the bot and Microsoft 365 Agents Playground, and print the page to open"
	@echo "make test        install what the checks need, then ruff, mypy and every test tier"
	@echo "make preview     render every model letter with example data into var/letter-preview"
	@echo "make mutation    mutation testing of rules/ and the pipeline (slow; not part of make test)"
	@echo "make bench       Safe Premises side by side with a stock Bot Framework echo bot (docs/performance.md)"
	@echo "make package     build the Teams app package into $(PACKAGE_DIR) (see docs/deploy.md)"

# --- environments -------------------------------------------------------------------------

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

# Microsoft 365 Agents Playground, pinned, from npm (no browser download: it serves a page).
$(PLAYGROUND_DIR)/node_modules/.installed: $(PLAYGROUND_DIR)/package.json
	npm install --prefix $(PLAYGROUND_DIR) --no-audit --no-fund --no-package-lock --loglevel=error
	touch $@

playground-deps: $(PLAYGROUND_DIR)/node_modules/.installed

# Microsoft 365 Agents Toolkit CLI, pinned, for its offline manifest check in the e2e tier.
# Its install scripts are skipped: they only build keytar, a credential store the offline
# check does not use (and which needs libsecret's headers).
$(APP_PACKAGE_DIR)/node_modules/.installed: $(APP_PACKAGE_DIR)/package.json
	npm install --prefix $(APP_PACKAGE_DIR) --ignore-scripts --no-audit --no-fund --no-package-lock --loglevel=error
	touch $@

validator-deps: $(APP_PACKAGE_DIR)/node_modules/.installed

# Debian's Chromium for the browser tests; never a browser download.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	@command -v chromium >/dev/null 2>&1 || { echo "Chromium could not be installed from Debian's packages"; exit 1; }

test-deps: $(VENV)/.dev playground-deps validator-deps browser

# --- the two commands ---------------------------------------------------------------------

run: $(VENV)/.runtime
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python -m bot

playground: $(VENV)/.runtime playground-deps
	HOST=$(HOST) PORT=$(PORT) PLAYGROUND_PORT=$(PLAYGROUND_PORT) $(BIN)/python -m bot.devserver

test: test-deps lint typecheck unit integration e2e

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev
	$(BIN)/mypy

unit: $(VENV)/.dev
	$(BIN)/pytest tests/unit -q

integration: $(VENV)/.dev
	$(BIN)/pytest tests/integration -q

e2e: test-deps
	$(BIN)/pytest tests/e2e -q

# Mutation testing (docs/testing.md): slow, so not part of `make test`. Configured in
# pyproject.toml [tool.mutmut]; MUTATION_JOBS workers at low priority, MUTANTS picks a subset
# (e.g. MUTANTS='rules.*'). Prints the score of each file and area at the end.
MUTATION_JOBS ?= 1
MUTANTS ?=

mutation: $(VENV)/.dev
	nice -n 19 $(BIN)/mutmut run --max-children $(MUTATION_JOBS) $(MUTANTS)
	$(BIN)/python tests/mutation_scores.py

# --- for administrators -------------------------------------------------------------------

preview: $(VENV)/.runtime
	$(BIN)/python -m templates preview --out var/letter-preview

# Benchmarks print figures and assert nothing (docs/performance.md). The defaults are the
# published run's: 10 s per run, 16 in flight, medians of 5 rounds; about 25 minutes on a
# shared machine, most of it the decision row waiting for its letters to be drafted.
BENCH_ARGS ?= --seconds 10 --concurrency 16 --rounds 5
bench: $(VENV)/.dev
	$(BIN)/python -m bench.side_by_side $(BENCH_ARGS)

bench-listings: $(VENV)/.dev
	$(BIN)/python -m bench.bench_listings

# The Teams app package: reads MicrosoftAppId, BOT_DOMAIN, TEAMS_APP_PRIVACY_URL,
# TEAMS_APP_TERMS_URL (and TEAMS_APP_ID) from the environment or .env, and the configuration.
package: $(VENV)/.runtime
	$(BIN)/python -m teamsapp package --out $(PACKAGE_DIR)

freeze: $(BIN)/python
	$(BIN)/pip freeze --exclude-editable

clean:
	rm -rf $(VENV) build var/cache .mypy_cache .ruff_cache .pytest_cache $(PLAYGROUND_DIR)/node_modules $(APP_PACKAGE_DIR)/node_modules
