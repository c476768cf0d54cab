# The README's two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

# A developer's .env (copied from .env.example) configures every target.
-include .env
export

.PHONY: run test lint format bench flower migrate venv clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

# Local development defaults to DEBUG on; set DEBUG=false in .env to try production mode.
run: export DEBUG ?= true
run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py ensure_local_admin
	@echo "Starting web (http://127.0.0.1:8000/admin/), worker and beat; Ctrl-C stops them all."
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --procfile Procfile.dev

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

migrate: venv
	$(PY) manage.py migrate --noinput

flower: venv
	$(BIN)/celery -A adolf flower --address=127.0.0.1 --port=5555

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
