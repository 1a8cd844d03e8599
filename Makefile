# exitwhy — everything runs from a project virtualenv in .venv, made on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-fast test-pythons lint accuracy bench dist docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]' --config-settings editable_mode=compat
	touch $(STAMP)

install: $(STAMP)

## the README's first command: the plugin through the real kubectl, on the bundled demo cluster
demo: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python scripts/demo.py

## the README's test command: the whole suite
test: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -q

## the fast lane: no local API server, no packaging, no 10,000-document fuzz
test-fast: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -q -m "not cluster and not dist and not fuzz"

## the fast lane on every other Python the package claims (3.9, 3.10, 3.12, 3.13), from pyenv
test-pythons:
	scripts/test_pythons.sh

## the engine on real failure reports (corpus/): the rate per evidence class, and each miss
accuracy: $(STAMP)
	$(BIN)/python -m corpus.accuracy

lint: $(STAMP)
	$(BIN)/ruff check kubectl_exitwhy localapi tests scripts bench corpus
	$(BIN)/ruff format --check kubectl_exitwhy localapi tests scripts bench corpus
	$(BIN)/mypy

docs: $(STAMP)
	$(BIN)/python -m kubectl_exitwhy.docsgen > docs/causes.md

## byte-compiled first, as pip and the release archive install it (a machine may set
## PYTHONDONTWRITEBYTECODE, and every run would then compile the package again)
bench: $(STAMP)
	$(BIN)/python -m compileall -q kubectl_exitwhy
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python bench/run.py

dist: $(STAMP)
	$(BIN)/python scripts/build_dist.py

clean:
	rm -rf $(VENV) .venvs build dist .pytest_cache .hypothesis
