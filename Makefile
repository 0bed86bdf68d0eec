# The README's commands. `make run` and `make test` are all a new machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run serve test browser-tools lint format check-migrations reset bench-seed bench lock ci

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when the lock file changes; --require-hashes makes the install exactly the lock.
$(VENV)/.installed: requirements/dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/dev.txt
	touch $@

install: $(VENV)/.installed  ## Create .venv with the locked dependencies

run: install  ## Migrate, load the demo data into an empty database, serve on http://127.0.0.1:8000
	$(MANAGE) migrate --no-input
	$(MANAGE) load_demo_data
	$(MANAGE) runserver $(HOST):$(PORT)

# Production settings over plain http on 127.0.0.1: DJANGO_HTTPS=false unless told otherwise.
# .env is read first, as the settings read it (config/serve_env.py); a secret key is made
# once into .secret_key when none is set. The database URL is shown without its password.
serve: install  ## Serve the production settings under gunicorn on http://127.0.0.1:8000
	@exports="$$($(BIN)/python -m config.serve_env exports .env)" || exit 1; eval "$$exports"; \
	[ -s .secret_key ] || (umask 077; $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > .secret_key); \
	export DJANGO_SETTINGS_MODULE=config.settings.production \
	  DJANGO_HTTPS="$${DJANGO_HTTPS:-false}" \
	  DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	  DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat .secret_key)}" \
	  DATABASE_URL="$${DATABASE_URL:-sqlite:///$(CURDIR)/db.sqlite3}" \
	  EMAIL_URL="$${EMAIL_URL:-consolemail://}" \
	  GUNICORN_BIND="$${GUNICORN_BIND:-$(HOST):$(PORT)}"; \
	echo "Serving $$($(BIN)/python -m config.serve_env shown "$$DATABASE_URL") on http://$$GUNICORN_BIND with production settings"; \
	$(MANAGE) collectstatic --no-input -v0 && $(MANAGE) migrate --no-input -v0 && \
	$(MANAGE) load_demo_data && exec $(BIN)/gunicorn -c config/gunicorn.py

# The browser tests need Debian's Chromium; without it they are left out, and we say so.
CHROMIUM := $(shell command -v chromium 2>/dev/null)

test: install  ## Run the whole test suite (pytest), browser tests included when Chromium is here
ifdef CHROMIUM
	@$(MAKE) --no-print-directory browser-tools
	$(BIN)/pytest $(PYTEST_ARGS)
else
	@echo "*** Chromium not found: SKIPPING the browser tests (apt-get install chromium) ***"
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)
	@echo "*** The browser tests were SKIPPED: Chromium is not installed ***"
endif

BROWSER_TOOLS := tests/browser/node_modules/.installed
$(BROWSER_TOOLS): tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $@

browser-tools: $(BROWSER_TOOLS)  ## Install the test-only npm tools (axe-core) into tests/browser/node_modules

lint: install  ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install  ## Fix what ruff can fix and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: install  ## Fail when the models have changes without a migration
	$(MANAGE) makemigrations --check --dry-run

reset: install  ## Drop the local data, migrate, load the demo fixtures
	$(MANAGE) reset_local_data --no-input

bench-seed: install  ## Benchmark seed: 1,000,000 todos into a scratch PostgreSQL database
	$(BIN)/python bench/seed.py

# Not part of `make test`: about five minutes, a scratch PostgreSQL database and wrk (Debian).
bench: install  ## Benchmark suite: the app beside a raw-SQL floor on 1,000,000 todos (BENCH_ARGS=--reuse)
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

lock: install  ## Re-resolve requirements/*.txt from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -q --custom-compile-command "make lock" -o requirements/base.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -q --custom-compile-command "make lock" -o requirements/dev.txt

ci:  ## What CI runs
	bash .ci/run
