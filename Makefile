# The team's habits as targets. `make test` is the one command README and CI run.
# Every target prints what it runs; nothing here swallows a failure.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# Keep `make test` output in order even under `make -j`.
.NOTPARALLEL:

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Touched after a successful install; pip re-runs only when the lock or pyproject.toml is newer.
VENV_STAMP := $(VENV)/.chinwag-installed
# Every package .venv gets, pinned with its hashes (Python 3.11 on Linux); `make lock` writes it.
LOCK := requirements/dev.lock
LOCK_ARGS ?=
NODE_STAMP := node_modules/.chinwag-installed
PG_BINDIR := /usr/lib/postgresql/15/bin
CODE_DIRS := src codegen tests contract_tests benchmarks
PYTEST_ARGS ?=

.PHONY: help venv lock services node-deps serve lint format typecheck generate check-generated \
	unit-test contract-test test bench bench-quick bench-metrics bench-deps soak docs web screenshots

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

venv: $(VENV_STAMP) ## Create .venv from requirements/dev.lock (re-runs when it or pyproject.toml changes)

# Exactly the locked versions (pip refuses anything whose hash is not in the lock), then chinwag
# without resolving again; its build backend is the locked setuptools. `pip check` fails when
# pyproject.toml asks for something the lock does not hold.
$(VENV_STAMP): $(LOCK) pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --require-hashes -r $(LOCK)
	$(PY) -m pip install --no-deps --no-build-isolation -e .
	$(PY) -m pip check || { echo "pyproject.toml and $(LOCK) disagree: run 'make lock'" >&2; exit 1; }
	touch $@

# Not `venv` as a prerequisite: after a dependency change the old lock no longer installs.
lock: ## Refresh requirements/dev.lock from pyproject.toml (LOCK_ARGS=--upgrade: newest releases)
	test -x $(VENV)/bin/pip-compile || { echo "no $(VENV)/bin/pip-compile: run 'make venv' first" >&2; exit 1; }
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes \
		--allow-unsafe --strip-extras --extra dev --build-deps-for editable \
		--no-emit-index-url --no-emit-find-links $(LOCK_ARGS) -o $(LOCK) pyproject.toml

services: ## Check redis-server and PostgreSQL 15 are installed (installs redis-server as root)
	@if ! command -v redis-server >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "redis-server missing: installing it with apt-get"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; \
		else \
			echo "redis-server is not on PATH: install it (Debian: sudo apt-get install redis-server)" >&2; \
			exit 1; \
		fi; \
	fi
	@redis-server --version
	@if [ -x $(PG_BINDIR)/initdb ]; then \
		$(PG_BINDIR)/initdb --version; \
	elif command -v pg_config >/dev/null && [ -x "$$(pg_config --bindir)/initdb" ]; then \
		"$$(pg_config --bindir)/initdb" --version; \
	else \
		echo "PostgreSQL server binaries not found ($(PG_BINDIR)/initdb, pg_config --bindir):" \
			"install them (Debian: sudo apt-get install postgresql-15)" >&2; \
		exit 1; \
	fi

node-deps: ## Install Node test dependencies with npm ci (when package.json exists)
	@if [ -f package.json ]; then $(MAKE) --no-print-directory $(NODE_STAMP); \
	else echo "no package.json: no Node dependencies to install"; fi

$(NODE_STAMP): package.json $(wildcard package-lock.json)
	npm ci
	touch $@

serve: venv ## Run the server with demo data on SQLite
	$(VENV)/bin/chinwag serve --demo

lint: venv ## ruff check, ruff format --check, the import contracts (pyproject.toml), the contract's lint rules
	$(VENV)/bin/ruff check $(CODE_DIRS)
	$(VENV)/bin/ruff format --check $(CODE_DIRS)
	$(VENV)/bin/lint-imports --no-logo
	$(PY) -m codegen lint

format: venv ## Apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff check --fix $(CODE_DIRS)
	$(VENV)/bin/ruff format $(CODE_DIRS)

typecheck: venv ## mypy --strict on src/ and codegen/
	$(VENV)/bin/mypy --strict src/ codegen/

generate: venv ## Regenerate code and docs from the contract
	$(PY) -m codegen

check-generated: venv ## Fail when generated files are stale or orphaned, or the contract breaks clients
	$(PY) -m codegen --check
	$(PY) -m codegen diff @released .

unit-test: venv ## pytest (CHINWAG_TEST_DATABASES=sqlite to skip PostgreSQL locally; PYTEST_ARGS=...)
	$(PY) -m pytest tests $(PYTEST_ARGS)

contract-test: venv ## Replay the contract against real servers (SQLite, then PostgreSQL)
	$(PY) -m contract_tests --database sqlite
	$(PY) -m contract_tests --database postgresql --report contract_tests/report-postgresql.json

test: venv services node-deps lint typecheck check-generated unit-test contract-test ## Everything CI checks

BENCH_NODE_STAMP := benchmarks/node_modules/.chinwag-installed

$(BENCH_NODE_STAMP): benchmarks/package.json benchmarks/package-lock.json
	npm ci --prefix benchmarks
	touch $@

bench-deps: $(BENCH_NODE_STAMP) ## Install the benchmark load generator (Node socket.io-client)

bench: venv services bench-deps ## Full benchmark run
	$(PY) -m benchmarks

bench-quick: venv services bench-deps ## Short benchmark run (smoke check of the numbers)
	$(PY) -m benchmarks --quick

bench-metrics: venv services bench-deps ## What metrics cost the send path: row (a) with CHINWAG_METRICS on vs off
	$(PY) -m benchmarks.metrics_cost --quick

soak: venv ## Long-running stability run
	$(PY) -m benchmarks.soak $(SOAK_ARGS)

docs: generate ## Build the docs (generated from the contract)

ESBUILD := node_modules/.bin/esbuild --bundle --format=esm --target=es2020 --minify --legal-comments=eof --log-level=warning

web: node-deps ## Type-check and bundle the /demo and docs-console pages (committed under src/chinwag/static)
	node_modules/.bin/tsc -p clients/web/tsconfig.json
	$(ESBUILD) clients/web/demo/main.ts --outfile=src/chinwag/static/demo/demo.js
	$(ESBUILD) clients/web/console/main.ts --outfile=src/chinwag/static/console/console.js

screenshots: venv node-deps ## Retake docs/screenshots/*.png with the browser tests
	CHINWAG_SCREENSHOTS=docs/screenshots CHINWAG_TEST_DATABASES=sqlite $(PY) -m pytest tests/browser -q
