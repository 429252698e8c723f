# Plume — `make help` lists the targets. Two commands matter: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
export FLASK_APP := app

.PHONY: help run demo test bench lint fmt build i18n i18n-extract migrate clean setup

help: ## List the targets
	@grep -E '^[a-z-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  \033[1m%-14s\033[0m %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

bench/rivals/node_modules/.installed: bench/rivals/package.json bench/rivals/package-lock.json
	npm ci --prefix bench/rivals --no-audit --no-fund --loglevel=error
	@touch $@

static/dist/.built: node_modules/.installed $(shell find static/src -type f 2>/dev/null) scripts/build-frontend.mjs
	npm run --silent build
	@touch $@

translations/fr/LC_MESSAGES/messages.mo: translations/fr/LC_MESSAGES/messages.po $(BIN)/.installed
	$(BIN)/pybabel compile -d translations

setup: $(BIN)/.installed static/dist/.built translations/fr/LC_MESSAGES/messages.mo ## Install everything, build the front end, compile translations

build: node_modules/.installed ## Build the front end into static/dist/
	npm run --silent build
	@touch static/dist/.built

migrate: setup ## Upgrade the database to the latest schema
	$(BIN)/flask db upgrade

run: migrate ## Set everything up, then serve on http://$(HOST):$(PORT) (prints the addresses phones can use)
	@$(BIN)/python -m workshops.room $(HOST) $(PORT)
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) 'app:create_app()'

demo: migrate ## Create a demo workshop (prints its join code and facilitator login), then serve
	$(BIN)/flask demo
	@$(BIN)/python -m workshops.room $(HOST) $(PORT)
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) 'app:create_app()'

test: setup bench/rivals/node_modules/.installed ## Set everything up, then lint and run every test (JS unit tests, then pytest)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	npm test --silent
	$(BIN)/pytest

lint: $(BIN)/.installed ## Lint with ruff, type-check core/ and stories/cowriting/ with mypy (strict; pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: $(BIN)/.installed ## Format and fix with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup bench/rivals/node_modules/.installed ## A steady writing phase: Plume, Hocuspocus and Hocuspocus + SQLite interleaved, idle sockets, history seek, the organiser's overview (WORKERS=2: behind nginx on PostgreSQL and Redis)
	$(BIN)/python -m bench $(if $(WORKERS),--workers $(WORKERS)) $(BENCH_ARGS)
	$(BIN)/python -m bench.history
	$(BIN)/python -m bench.overview $(OVERVIEW_ARGS)

i18n-extract: $(BIN)/.installed ## Extract strings and update the catalogues
	$(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs=".venv node_modules static tests .git" -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

clean: ## Remove the venv, node_modules and built files (keeps instance/)
	rm -rf $(VENV) node_modules static/dist
