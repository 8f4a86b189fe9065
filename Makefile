# Two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint services migrate seed messages chromium wrk bench soak

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

services: $(VENV)/.installed
	@$(BIN)/python scripts/check_services.py

migrate: services
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	@./scripts/run.sh

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi
	@if ! command -v msgfmt >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	fi

wrk:
	@if ! command -v wrk >/dev/null; then \
		echo "Installing Debian wrk for the load benchmark..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	fi

# Never part of `make test`: about 7 minutes on the large data (plus 4 to load it, once), then
# docs/benchmarks.md's "Load over HTTP" section is rewritten. Options: make bench BENCH_ARGS="--duration 5".
bench: $(VENV)/.installed wrk
	BENCH_COMMAND="make bench$(if $(BENCH_ARGS), BENCH_ARGS=\"$(BENCH_ARGS)\")" $(BIN)/python bench/load.py $(BENCH_ARGS)

# Never part of `make test`: 10 minutes of mixed traffic against gunicorn, a Celery worker and beat on loopback
# (plus about 2 to set up and check), then docs/benchmarks.md's "Soak" section is rewritten; exits 1 if a check
# fails. Options: make soak SOAK_ARGS="--duration 60 --no-doc".
soak: $(VENV)/.installed
	SOAK_COMMAND="make soak$(if $(SOAK_ARGS), SOAK_ARGS=\"$(SOAK_ARGS)\")" $(BIN)/python bench/soak.py $(SOAK_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

test: $(VENV)/.installed-dev chromium
	@$(BIN)/python scripts/check_services.py --database-url "$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/roundtable}"
	$(BIN)/ruff check .
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0
	$(BIN)/pytest

messages: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemessages -l ru --ignore=.venv --ignore=tmp --no-obsolete
