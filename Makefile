# Saferplan: two commands for a machine that has never seen the project.
#   make demo   install everything, load the Melton demo partnership, serve on http://127.0.0.1:8000 (with the job worker)
#   make test   install everything (PostgreSQL and Chromium included), then run every test
#   make serve  the production stack on this machine: PostgreSQL, gunicorn on http://127.0.0.1:8080, the job worker
# Re-running either is quick: each step only runs when its inputs changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := var/.stamps
DEMO_ENV := SAFERPLAN_ENV=demo
TEST_ENV := SAFERPLAN_ENV=test

.PHONY: demo test install system-deps serve bench clean

demo: install
	$(DEMO_ENV) $(BIN)/saferplan demo
	@echo "Serving on http://127.0.0.1:8000 with the job worker (Ctrl+C to stop)"
	@$(DEMO_ENV) $(BIN)/saferplan worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install system-deps
	@. scripts/postgres.sh && $(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(STAMP)/python $(STAMP)/frontend

$(STAMP)/python: pyproject.toml scripts/system-deps.sh
	bash scripts/system-deps.sh runtime
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/node: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/frontend: $(STAMP)/node frontend/build.mjs $(wildcard frontend/*.scss)
	npm run --silent build
	@mkdir -p $(STAMP) && touch $@

system-deps:
	bash scripts/system-deps.sh test

# Production settings, several web processes; see README "Running in production" and scripts/serve.sh.
serve: install
	bash scripts/system-deps.sh serve
	BIN=$(BIN) bash scripts/serve.sh

# Every speed figure of the service, each a ratio against a baseline run in the same process
# (DuckDB's raw read, a raw GROUP BY, a bare Django view); about 12 minutes. Run on a quiet machine.
bench: install system-deps
	@. scripts/postgres.sh && set -e && \
	$(BIN)/python bench/national.py && \
	$(BIN)/python bench/documents.py --postgres "$$DATABASE_URL" && \
	$(BIN)/python bench/consultation_analysis.py && \
	$(BIN)/python bench/consultation_analysis.py --postgres "$$DATABASE_URL" && \
	$(BIN)/python bench/public_form.py --postgres "$$DATABASE_URL" && \
	$(BIN)/python bench/consultation_load.py --postgres "$$DATABASE_URL" --ceilings

clean:
	rm -rf $(VENV) node_modules saferplan/static/build var/.stamps
