# Two commands matter: `make run` and `make test`. Both build .venv from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := $(CURDIR)/demo-data
# Two, as on CI's two cores; most tests wait on a pseudo-terminal, a subprocess or a disk.
TEST_WORKERS ?= 2

.PHONY: run test bench lint fmt clean central

# uv installs the same wheels several times faster than pip; used when the machine has it.
UV := $(shell command -v uv 2>/dev/null)
# pip's own checks and bytecode compiling are most of a first install's time that is not
# download; Python compiles on first import instead.
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile

$(BIN)/python:
ifneq ($(UV),)
	$(UV) venv --quiet --python $(PYTHON) $(VENV)
else
	$(PYTHON) -m venv $(VENV)
endif

# make run needs only the app's own dependencies: test tools and central's service
# (FastAPI, uvicorn, SQLAlchemy, Alembic) wait for make test or make central.
$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
ifneq ($(UV),)
	$(UV) pip install --quiet --python $(BIN)/python -e .
else
	$(PIP) -e .
endif
	touch $@

$(VENV)/.installed: pyproject.toml | $(BIN)/python
ifneq ($(UV),)
	$(UV) pip install --quiet --python $(BIN)/python -e '.[central,test,postgres]'
else
	$(PIP) -e '.[central,test,postgres]'
endif
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
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
