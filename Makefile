# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
# Every machine here runs PostgreSQL on 127.0.0.1:5432; the storage tests run on it and on SQLite.
export CAREVOICE_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test lint typecheck unit install browser clean web-css

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes, so a pulled dependency is never missing.
# `make run` needs only what running needs; `make test` adds the development tools.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP) $(RUN_STAMP)

install: $(DEV_STAMP)

run: $(RUN_STAMP)
	$(BIN)/carevoice serve

# The browser tests need Debian's Chromium and axe-core (npm, pinned by package-lock.json).
# Say what is missing, and how to install it, rather than skip them.
browser:
	@test -x /usr/bin/chromium || { echo "make test needs Chromium for the browser tests: install it with 'sudo apt-get install chromium', then run make test again" >&2; exit 1; }
	@test -d node_modules/axe-core || command -v npm >/dev/null || { echo "make test needs npm for axe-core: install it with 'sudo apt-get install npm', then run make test again" >&2; exit 1; }
	@test -d node_modules/axe-core || npm ci --no-audit --no-fund --silent

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

unit: $(DEV_STAMP) browser
	$(BIN)/python -m pytest

test: lint typecheck unit

# The web form's unbranded govuk-frontend CSS, after `npm ci` (the result is committed).
web-css: $(STAMP)
	$(BIN)/python -m bot.channels.web.assets

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
