# repograph: `make run` starts the whole service on the local stack, `make test` runs every check.
# Both install what they need first (virtualenv, Python packages, redis-server, Neo4j jars).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install install-redis run up stop status test lint typecheck pytest bench clean

install: $(STAMP) .local/neo4j/lib/.complete
	@command -v redis-server >/dev/null || $(MAKE) --no-print-directory install-redis

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

.local/neo4j/lib/.complete: stack/neo4j/pom.xml | $(STAMP)
	$(PY) -m stack install-neo4j

install-redis:
	@echo "installing redis-server from Debian's packages"
	@SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server >/dev/null

## run: install, start Redis/Temporal/Neo4j, the web process and a worker; Ctrl-C stops them.
run: install
	exec $(PY) -m stack run

## up / stop / status: the local stack alone (stop also stops a running `make run`).
up: install
	$(PY) -m stack up

stop:
	@test -x $(PY) && $(PY) -m stack down || true

status:
	@$(PY) -m stack status

## test: lint, type check and the whole test suite against real services it starts itself.
test: install lint typecheck pytest

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check app workflows activities stack

typecheck:
	$(VENV)/bin/mypy

pytest:
	$(VENV)/bin/pytest

## bench: every benchmark under bench/, report in docs/benchmarks.md (installs universal-ctags).
bench: install
	@command -v ctags >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq universal-ctags >/dev/null; }
	$(PY) -m bench

clean: stop
	rm -rf .local $(VENV) .pytest_cache .mypy_cache .ruff_cache
