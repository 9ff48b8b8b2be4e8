# Two commands matter: `make run` and `make test`. Both build .venv from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := $(CURDIR)/demo-data
# Two, as on CI's two cores; most tests wait on a pseudo-terminal, a subprocess or a disk.
TEST_WORKERS ?= 2

.PHONY: run test bench lint fmt clean central

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/duty-tui demo --data-dir "$(DEMO_DIR)"

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

bench: $(VENV)/.installed
	$(BIN)/python -m bench

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports

fmt: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

central: $(VENV)/.installed
	$(BIN)/duty-central serve

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .ruff_cache
