# Ankang: `make run` serves the app with demo data; `make test` runs the whole suite.
# Needs only python3 (>= 3.11) and npm on PATH.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.DEFAULT_GOAL := help
.PHONY: help setup run serve migrate sync seed test test-fast lint format bench messages locale clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Ankang needs Python >= 3.11; set PYTHON=python3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

# --ignore-scripts: install scripts (e.g. swagger-ui-dist's analytics) never run here.
static/vendor/htmx.min.js: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor/swagger-ui
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui-standalone-preset.js \
	   node_modules/swagger-ui-dist/swagger-ui.css static/vendor/swagger-ui/

CATALOGS := $(wildcard service/locale/*/LC_MESSAGES/messages.po)
locale: $(VENV)/.installed $(CATALOGS:.po=.mo) ## compile the message catalogs
service/locale/%/LC_MESSAGES/messages.mo: service/locale/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile --statistics -d service/locale -D messages -l $* 2>&1 | grep -v '^$$' || true

setup: $(VENV)/.installed static/vendor/htmx.min.js locale ## install everything (idempotent)

migrate: setup ## apply database migrations
	$(PY) -m service migrate

sync: migrate ## store the form files in the database
	$(PY) -m service forms sync

seed: sync ## demo data (a town, enterprises, one account per role, campaigns) if empty
	$(PY) -m service seed

run: seed ## set up, migrate, load forms, seed demo data and serve on http://$(HOST):$(PORT)
	$(PY) -m service serve

serve: ## serve without the set-up steps
	$(PY) -m service serve

test: setup ## run the whole suite (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)
	$(PY) -m pytest

# The pure core (form language, scoring, aggregation, lifecycle rules, show_if on the
# phone): no database, no server, no browser.
FAST_TESTS := tests/forms/test_answers.py tests/forms/test_loader.py tests/forms/test_xlsform.py \
	tests/forms/test_spreadsheet.py tests/forms/test_spreadsheet_errors.py tests/scoring \
	tests/rankings/test_aggregate.py tests/rankings/test_policy.py tests/rankings/test_properties.py \
	tests/rankings/test_charts.py tests/hazards/test_lifecycle.py tests/hazards/test_trend.py \
	tests/hazards/test_cas.py tests/campaigns/test_rules.py tests/collection/test_filling.py \
	tests/collection/test_conditions_js.py tests/orgs/test_credit_code.py tests/orgs/test_importer.py
test-fast: setup ## the pure core only (under a minute)
	$(PY) -m pytest -q $(FAST_TESTS)

lint: setup ## ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: setup ## benchmarks under bench/
	$(PY) bench/db_write.py
	$(PY) bench/submissions.py

messages: setup ## extract messages and update the catalogs
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -o service/locale/messages.pot --no-location --sort-output .
	$(VENV)/bin/pybabel update -i service/locale/messages.pot -d service/locale -D messages --no-fuzzy-matching --ignore-obsolete

clean: ## remove what set-up made (keeps data/)
	rm -rf $(VENV) node_modules static/vendor service/locale/*/LC_MESSAGES/*.mo
