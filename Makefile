# The README's commands. `make run` and `make test` are all a new machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run test lint format check-migrations reset bench-seed lock ci

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

test: install  ## Run the whole test suite (pytest)
	$(BIN)/pytest $(PYTEST_ARGS)

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

lock: install  ## Re-resolve requirements/*.txt from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -q --custom-compile-command "make lock" -o requirements/base.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -q --custom-compile-command "make lock" -o requirements/dev.txt

ci:  ## What CI runs
	bash .ci/run
