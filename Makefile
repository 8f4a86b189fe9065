# Two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint services migrate seed messages

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

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

test: $(VENV)/.installed-dev chromium
	@$(BIN)/python scripts/check_services.py --database-url "$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/roundtable}"
	$(BIN)/ruff check .
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0
	$(BIN)/pytest

messages: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemessages -l ru --ignore=.venv --ignore=tmp --no-obsolete
