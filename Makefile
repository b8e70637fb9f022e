# NIM Portal: `make demo` serves the portal with demo data, `make test` runs the whole suite.
# Needs only python3, pip and npm. Installs are file targets, so they rerun only when a lock changes.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := demo

PYTHON ?= python3
UV_VERSION := 0.13.8
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=

PY_INSTALLED := $(VENV)/.make-installed
NODE_INSTALLED := node_modules/.make-installed
ASSETS_BUILT := static/build/.make-built
ASSET_SOURCES := $(shell find static/src -type f 2>/dev/null)

.PHONY: demo test lint install assets browser

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(PY_INSTALLED): pyproject.toml uv.lock | $(BIN)/uv
	$(BIN)/uv sync --frozen
	touch $@

$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(ASSETS_BUILT): $(NODE_INSTALLED) $(ASSET_SOURCES)
	npm run build
	touch $@

install: $(PY_INSTALLED)

assets: $(ASSETS_BUILT)

demo: install assets
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_demo_products
	$(BIN)/python manage.py seed_demo_partners
	$(BIN)/python manage.py seed_demo_tasking
	@echo
	@echo "NIM Portal (demo) at http://127.0.0.1:$(PORT)/ : sign in with a login printed above."
	@echo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports --no-logo

# Browser tests drive Debian's chromium; install it when we may, otherwise say what is missing.
browser:
	@if [ -x /usr/bin/chromium ]; then \
		true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; }; \
	else \
		echo "WARNING: /usr/bin/chromium is missing and cannot be installed here: browser tests will fail."; \
	fi

# Tasks run in-process in the suite even when REDIS_URL is set; the services tests start a real
# worker themselves. They need both DATABASE_URL and REDIS_URL, so without them they are deselected.
test: lint assets browser
	@if [ -n "$${DATABASE_URL:-}" ] && [ -n "$${REDIS_URL:-}" ]; then \
		echo "Running the whole suite, services tests included (DATABASE_URL and REDIS_URL are set)."; \
		CELERY_TASK_ALWAYS_EAGER=true $(BIN)/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) \
			--dist loadgroup $(PYTEST_ARGS); \
	else \
		echo "DATABASE_URL and REDIS_URL are not both set: services tests deselected (-m 'not services')."; \
		CELERY_TASK_ALWAYS_EAGER=true $(BIN)/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) \
			--dist loadgroup -m "not services" $(PYTEST_ARGS); \
	fi
