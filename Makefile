# The two commands of the README:
#   make up    set everything up, start Neo4j, seed the default scenario, show the first exercise
#   make test  run the test suite against a real Neo4j (a separate `test` server on 7689)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: up test unit setup bench clean-state assets

$(BIN)/linklab: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

setup: $(BIN)/linklab
	$(BIN)/linklab server install

up: setup
	$(BIN)/linklab server start
	$(BIN)/linklab up

# Python keeps compiled modules in __pycache__ (ignored by git). Some container images turn that off
# (PYTHONDONTWRITEBYTECODE=1): then every pytest process rewrites and compiles the whole suite again, about 5 s
# each. The tests let Python keep them.
test unit: export PYTHONDONTWRITEBYTECODE :=

# The unit tier first, a test file per process on two (it needs no server), then the rest on the test server.
test: setup
	$(BIN)/pytest -q -m unit -n 2 --dist loadfile
	$(BIN)/pytest -q -m "not unit"

# The unit tier alone (no Java, no Neo4j, no browser), a test file per process on two.
unit: $(BIN)/linklab
	$(BIN)/pytest -q -m unit -n 2 --dist loadfile

bench: setup
	$(BIN)/python -m bench reset

# Rebuild the committed browser bundles (linklab/web/static) from web/package-lock.json; needs Node and npm.
assets: $(BIN)/linklab
	$(BIN)/python -m linklab.web.build
