# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PYTEST_ARGS ?= -n auto
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: system-deps test-deps install setup run worker scheduler test test-fast lint format messages demo check ci clean

install: $(VENV)/.installed

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install -q uv

$(VENV)/.installed: requirements.lock | $(UV)
	$(UV) venv -q --allow-existing --python $(PYTHON) $(VENV)
	$(UV) pip install -q -r requirements.lock --python $(PY)
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

system-deps:
	bash scripts/install-system-deps

test-deps:
	bash scripts/install-system-deps --with-browser

messages: install
	$(MANAGE) compilemessages --ignore=.venv --ignore=.tools --ignore=node_modules -v0

setup: system-deps install messages
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) collectstatic --noinput -v0
	$(MANAGE) load_demo_content

run: setup
	@echo "Site: http://$(HOST):$(PORT)/  Admin: http://$(HOST):$(PORT)/admin/ (demo / see README)"
	@trap 'kill 0' INT TERM EXIT; \
	$(MANAGE) db_worker --queue-name '*' --interval 0.5 & \
	$(MANAGE) run_scheduler & \
	$(MANAGE) runserver $(HOST):$(PORT)

worker: install
	$(MANAGE) db_worker --queue-name '*'

scheduler: install
	$(MANAGE) run_scheduler

test: test-deps install node_modules/.installed messages
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

demo: install
	$(MANAGE) load_demo_content

clean:
	rm -rf $(VENV) .tools node_modules var db.sqlite3*
