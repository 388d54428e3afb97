# nic: developer and CI entry points. `make help` lists the targets.
#
# Python lives in .venv (created on demand) and is installed from the lock files
# (requirements.lock, requirements-dev.lock: every package pinned, with hashes;
# `make lock` regenerates them); the browser's Socket.IO client is vendored from
# npm into static/vendor; browser tests drive Debian's chromium (never
# `playwright install`).

.DEFAULT_GOAL := help

PYTHON      ?= python3
VENV        := .venv
VENV_BIN    := $(VENV)/bin
PYTEST_ARGS ?=
# pytest-xdist workers for the test targets: one per core, at most 4 (every worker has its
# own database, Redis database number, ports and servers: tests/support.py; past the cores
# they only contend). TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)
XDIST = -n $(TEST_WORKERS) --dist loadgroup

# Locked dependencies, generated from pyproject.toml by `make lock` (uv pip compile:
# one lock for every platform, with hashes). requirements.lock is the app alone and
# is constrained by requirements-dev.lock, so the two pin the same versions.
LOCK      := requirements.lock
DEV_LOCK  := requirements-dev.lock
LOCK_ARGS ?=
UV_COMPILE = $(VENV_BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
             --quiet --custom-compile-command "make lock" $(LOCK_ARGS)

# Test services (shell defaults: an exported DATABASE_URL / REDIS_URL wins).
TEST_DATABASE_URL := postgresql+psycopg://postgres@127.0.0.1:5432/nic_test
TEST_REDIS_URL    := redis://127.0.0.1:6379/1
TEST_ENV = DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}"

# The demo runs on the embedded defaults (SQLite in instance/, no Redis) even
# when the shell has test DATABASE_URL / REDIS_URL exported.
DEMO_ENV = env -u DATABASE_URL -u REDIS_URL NIC_DEV_OUTBOX=1

SIO_DIST   := node_modules/socket.io-client/dist
CHART_DIST := node_modules/chart.js/dist
VENDOR_DIR := static/vendor

# `sudo` only when not root.
SUDO := $(shell [ $$(id -u) = 0 ] || echo sudo)

.PHONY: help assets chromium demo test test-fast test-dates bench lint lock lock-check clean

help: ## List the targets
	@echo "nic make targets:"
	@grep -E '^[a-zA-Z_.-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  %-10s %s\n", $$1, $$2}'
	@echo "Variables: PYTEST_ARGS='...' (extra pytest arguments), TEST_WORKERS (pytest -n; 0: one process),"
	@echo "           DATABASE_URL, REDIS_URL (test services; each worker adds _gwN / its index)"

# --- Python environment -------------------------------------------------------

# The locked versions first (pip checks every hash), then nic itself without
# resolving anything; `pip check` then fails if pyproject.toml asks for something
# the lock does not hold (run `make lock`).
define install_locked
	test -x $(VENV_BIN)/python || $(PYTHON) -m venv $(VENV)
	$(VENV_BIN)/pip install -q --require-hashes -r $(1)
	$(VENV_BIN)/pip install -q --no-deps -e .
	$(VENV_BIN)/pip check || { echo "$(1) does not satisfy pyproject.toml: run 'make lock'" >&2; exit 1; }
	touch $@
endef

$(VENV)/.installed: pyproject.toml $(LOCK)
	$(call install_locked,$(LOCK))

$(VENV)/.dev-installed: pyproject.toml $(DEV_LOCK)
	$(call install_locked,$(DEV_LOCK))

lock: $(VENV)/.dev-installed ## Regenerate the lock files from pyproject.toml (LOCK_ARGS=--upgrade to move everything)
	$(UV_COMPILE) --extra dev -o $(DEV_LOCK)
	$(UV_COMPILE) -c $(DEV_LOCK) -o $(LOCK)

# Regenerates both locks in a scratch folder (keeping their pins) and fails if they differ.
lock-check: $(VENV)/.dev-installed ## Fail if the lock files are stale against pyproject.toml
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	cp $(LOCK) $(DEV_LOCK) "$$tmp/"; \
	$(UV_COMPILE) --extra dev -o "$$tmp/$(DEV_LOCK)"; \
	$(UV_COMPILE) -c "$$tmp/$(DEV_LOCK)" -o "$$tmp/$(LOCK)"; \
	sed -i "s#$$tmp/##" "$$tmp/$(LOCK)"; \
	diff -u $(DEV_LOCK) "$$tmp/$(DEV_LOCK)" && diff -u $(LOCK) "$$tmp/$(LOCK)" \
	  || { echo "lock files are stale: run 'make lock'" >&2; exit 1; }

# --- Browser assets -------------------------------------------------------------

assets: $(VENDOR_DIR)/socket.io.min.js $(VENDOR_DIR)/chart.umd.min.js ## Vendor the browser libraries (Socket.IO client, Chart.js) into static/vendor

$(VENDOR_DIR)/socket.io.min.js: package.json $(wildcard package-lock.json)
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	mkdir -p $(VENDOR_DIR)
	cp $(SIO_DIST)/socket.io.min.js $(SIO_DIST)/socket.io.min.js.map $(VENDOR_DIR)/

# The npm install above brings Chart.js too (one package.json); this only copies it.
$(VENDOR_DIR)/chart.umd.min.js: $(VENDOR_DIR)/socket.io.min.js
	cp $(CHART_DIST)/chart.umd.min.js $(CHART_DIST)/chart.umd.min.js.map $(VENDOR_DIR)/

# --- Headless browser for the e2e tests ------------------------------------------

chromium: ## Install Debian's chromium if missing (never `playwright install`)
	@if command -v chromium >/dev/null 2>&1; then \
	  echo "chromium: $$(command -v chromium)"; \
	else \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; \
	fi

# --- Run --------------------------------------------------------------------------

demo: $(VENV)/.installed assets ## Migrate, seed demo data and serve on http://127.0.0.1:5000
	$(DEMO_ENV) $(VENV_BIN)/nic db upgrade
	$(DEMO_ENV) $(VENV_BIN)/nic demo
	$(DEMO_ENV) $(VENV_BIN)/nic serve --host 127.0.0.1 --port 5000

test: $(VENV)/.dev-installed assets chromium ## Run the test suite in parallel (needs PostgreSQL and Redis; see .ci/run)
	$(TEST_ENV) $(VENV_BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

# The inner loop: no browser, no server or worker processes, no SeaweedFS.
test-fast: $(VENV)/.dev-installed ## Run the suite without browser, live-process and S3 tests (still PostgreSQL and Redis)
	$(TEST_ENV) $(VENV_BIN)/python -m pytest $(XDIST) -m "not e2e and not live and not s3" $(PYTEST_ARGS)

# The tests marked `calendar` once per awkward date (the list lives in tests/clock.py):
# year ends, a leap day, Mondays after DST changes, a month starting on a Sunday.
test-dates: $(VENV)/.dev-installed ## Run the date-sensitive tests at each awkward date (tests/clock.py)
	@set -e; for day in $$($(VENV_BIN)/python -c 'from tests.clock import AWKWARD_DATES; print(*AWKWARD_DATES)'); do \
	  echo "--- make test-dates: today is $$day"; \
	  $(TEST_ENV) $(VENV_BIN)/python -m pytest $(XDIST) -q -m calendar --today=$$day $(PYTEST_ARGS); \
	done

bench: $(VENV)/.dev-installed ## Run the benchmarks in tests/bench
	$(TEST_ENV) $(VENV_BIN)/python -m pytest tests/bench -s -p no:cacheprovider -o addopts="" $(PYTEST_ARGS)

# --- Lint, import contracts, types (configured in pyproject.toml) -------------------

# Every step runs, then the target fails if any did: one run shows all that is wrong.
lint: $(VENV)/.dev-installed lock-check ## ruff check, ruff format --check, lint-imports, mypy
	@status=0; \
	echo "--- ruff check"; $(VENV_BIN)/ruff check --output-format concise . || status=1; \
	echo "--- ruff format --check"; $(VENV_BIN)/ruff format --check --output-format concise . || status=1; \
	echo "--- lint-imports"; $(VENV_BIN)/lint-imports || status=1; \
	echo "--- mypy"; $(VENV_BIN)/mypy || status=1; \
	exit $$status

clean: ## Remove the venv, node_modules, vendored assets, instance/ and caches
	rm -rf $(VENV) node_modules $(VENDOR_DIR) instance .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
