# The README's two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

# A developer's .env (copied from .env.example) configures every target.
-include .env
export

.PHONY: run test chaos lint format bench flower status migrate venv clean browser redis-server

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

# Local development defaults to DEBUG on; set DEBUG=false in .env to try production mode.
# The helpers that run against the same local data default to it too: with DEBUG off a
# bare machine has no SECRET_KEY, and `make status` after `make run` would stop there.
run status migrate flower: export DEBUG ?= true
run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py ensure_local_admin
	$(PY) manage.py ensure_demo_store
	@echo "Starting web (http://127.0.0.1:8000/admin/), worker, beat and the demo store; Ctrl-C stops them all."
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --procfile Procfile.dev

test: venv browser redis-server
	$(PY) -m pytest $(PYTEST_ARGS)

# The long chaos run: a few thousand transitions through faults, kills and a broker restart.
chaos: venv redis-server
	CHAOS_MODE=long $(PY) -m pytest -m chaos -p no:cacheprovider $(PYTEST_ARGS)

# The chaos suite starts a broker of its own: Debian's redis-server binary.
REDIS_SERVER := /usr/bin/redis-server
redis-server: $(REDIS_SERVER)

$(REDIS_SERVER):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; \
	else \
		echo "$(REDIS_SERVER) is missing: install Debian's redis-server (sudo apt-get install redis-server) and run make test again." >&2; \
		exit 1; \
	fi

# The inbox's browser test drives Debian's chromium (never `playwright install`'s download).
CHROMIUM := /usr/bin/chromium
browser: $(CHROMIUM)

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "$(CHROMIUM) is missing: install Debian's chromium (sudo apt-get install chromium) and run make test again." >&2; \
		exit 1; \
	fi

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

migrate: venv
	$(PY) manage.py migrate --noinput

# Benchmarks (not tests) on their own PostgreSQL database and Redis database on 127.0.0.1
# (BENCH_DATABASE_URL / BENCH_REDIS_URL; bench/setup.py); one table per benchmark.
# `make bench BENCH=fleet` runs one; the fleet and scheduling benchmarks take ~20 minutes
# (BENCH_FLEET_SECONDS / BENCH_SCHEDULING_SECONDS shorten them for a quick look).
# Results: docs/performance.md.
bench: venv
	$(PY) -m bench $(BENCH)

flower: venv
	$(BIN)/celery -A adolf flower --address=127.0.0.1 --port=5555

# The troubleshooting snapshot: stores, queues, workers, deliveries, the event outbox.
status: venv
	$(PY) manage.py shop_status

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
