# Jiceng developer tasks (GNU make).
#   make setup   .venv + Python packages + npm assets (only what is missing or stale)
#   make run     set up the demo database and serve on http://127.0.0.1:8000
#   make test    full suite on SQLite (with browser tests), then on PostgreSQL
#   make bench   subtree member-list benchmark
#   make clean   remove var/, .venv and node_modules
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := setup

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test bench clean

setup: $(STAMP) node_modules
	@$(PY) -c "from jiceng.core.i18n import compile_catalogs; compile_catalogs()"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Re-install only when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@

# npm ci re-creates node_modules, so its mtime is that of the last install.
node_modules: package-lock.json package.json
	npm ci --no-audit --no-fund || { rm -rf node_modules; exit 1; }
	@touch $@

# Debug is off unless asked for (make run JICENG_DEBUG=1); WhiteNoise serves the static files either way.
run: setup
	$(VENV)/bin/jiceng setup
	$(VENV)/bin/jiceng serve

bench: setup
	$(VENV)/bin/jiceng bench tree

# Playwright drives Debian's chromium (never `playwright install`).
test: export JICENG_CHROMIUM ?= /usr/bin/chromium
# Both runs always happen, side by side (one per core), each with its own data folder (jobs, uploads,
# secret); the PostgreSQL run's output follows the SQLite run's. The target fails if either failed.
# The throwaway PostgreSQL server is stopped on the way out, whatever happened.
test: setup
	$(VENV)/bin/ruff check jiceng tests
	$(VENV)/bin/lint-imports
	scripts/system-deps.sh
	@trap 'scripts/postgres.sh stop' EXIT; trap 'exit 130' INT TERM; \
	scripts/postgres.sh start; \
	sqlite=0; pg=0; mkdir -p var/test-sqlite var/test-pg; \
	echo "=== [2/2] PostgreSQL: all tests but browser ones (running beside the SQLite run; output below)"; \
	JICENG_DATA_DIR=$(CURDIR)/var/test-pg JICENG_DATABASE_URL="$$(scripts/postgres.sh url)" \
	  $(PY) -m pytest -m "not browser" > var/test-pg/pytest.log 2>&1 & pg_pid=$$!; \
	echo "=== [1/2] SQLite: all tests that open the database, browser tests included (the others run in [2/2])"; \
	JICENG_DATA_DIR=$(CURDIR)/var/test-sqlite JICENG_PURE_TESTS_ELSEWHERE=1 $(PY) -m pytest || sqlite=$$?; \
	wait $$pg_pid || pg=$$?; \
	echo "=== [2/2] PostgreSQL run:"; cat var/test-pg/pytest.log; \
	verdict() { case $$1 in 0) echo passed;; 5) echo "FAILED (exit 5: no tests collected)";; *) echo "FAILED (exit $$1)";; esac; }; \
	echo "=== SQLite run: $$(verdict $$sqlite); PostgreSQL run: $$(verdict $$pg)"; \
	[ $$sqlite -eq 0 ] && [ $$pg -eq 0 ]

clean:
	-@[ ! -x scripts/postgres.sh ] || scripts/postgres.sh destroy
	rm -rf var .venv node_modules
