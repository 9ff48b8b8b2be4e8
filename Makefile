# Two commands matter: `make run` and `make test`. Both build .venv from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := $(CURDIR)/demo-data
# Three on CI's two cores: most tests wait on a pseudo-terminal, a subprocess or a disk (a
# two-worker run kept the cores 42% busy).
TEST_WORKERS ?= 3

.PHONY: run test bench lint fmt clean central messages

# Python keeps compiled modules unless told not to; some machines (CI's among them) tell it
# not to, and then every app and CLI the tests start compiles hundreds of modules again.
unexport PYTHONDONTWRITEBYTECODE

# uv installs the same wheels several times faster than pip; used when the machine has it.
UV := $(shell command -v uv 2>/dev/null)
# pip's own checks and bytecode compiling are most of a first install's time that is not
# download; Python compiles on first import instead.
PIP_FLAGS := --quiet --disable-pip-version-check --no-compile
# A venv's own pip costs ~3 s of CPU to install (ensurepip) before anything useful happens: when
# the machine's pip can install into another interpreter (--python, pip >= 22.3) the venv is made
# without one. Evaluated when a recipe runs, after the venv exists.
PIP = $(if $(wildcard $(VENV)/.host-pip),$(PYTHON) -m pip --python $(BIN)/python,$(BIN)/python -m pip) install $(PIP_FLAGS)
# The app's run dependencies, read from pyproject.toml (tomllib: Python 3.11+).
RUN_DEPS = $(shell $(BIN)/python -c "import tomllib; print(' '.join(repr(d) for d in tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))")

$(BIN)/python:
ifneq ($(UV),)
	$(UV) venv --quiet --python $(PYTHON) $(VENV)
else
	if $(PYTHON) -m pip install --help 2>/dev/null | grep -q -- '--python <python>'; then \
		$(PYTHON) -m venv --without-pip $(VENV) && touch $(VENV)/.host-pip; \
	else \
		$(PYTHON) -m venv $(VENV); \
	fi
endif

# make run needs only the app's own dependencies: test tools and central's service
# (FastAPI, uvicorn, SQLAlchemy, Alembic) wait for make test or make central. Nor is the app
# itself built and installed (an isolated build of setuptools is a third of a first run's
# install): make run runs it from this checkout with `python -m`.
$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
ifneq ($(UV),)
	$(UV) pip install --quiet --python $(BIN)/python $(RUN_DEPS)
else
	$(PIP) $(RUN_DEPS)
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
	$(BIN)/python -m duty_tui.cli demo --data-dir "$(DEMO_DIR)"

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

# The message catalogs (duty_tui/i18n.py): find every marked string, add the new ones to the
# English and Welsh .po files (a translator then fills in msgstr), compile the .mo files the app
# reads. The .mo files are committed, so make run needs no Babel.
LOCALE := duty_tui/locale
messages: $(VENV)/.installed
	$(BIN)/pybabel --quiet extract -F babel.cfg -k N_ -k ngettext:1,2 --no-location --sort-output \
		--project duty-tui --msgid-bugs-address "" -o $(LOCALE)/duty_tui.pot .
	for lang in en cy; do \
		if [ -f $(LOCALE)/$$lang/LC_MESSAGES/duty_tui.po ]; then \
			$(BIN)/pybabel --quiet update --no-fuzzy-matching --ignore-obsolete \
				-i $(LOCALE)/duty_tui.pot -d $(LOCALE) -D duty_tui -l $$lang; \
		else \
			$(BIN)/pybabel --quiet init -i $(LOCALE)/duty_tui.pot -d $(LOCALE) -D duty_tui -l $$lang; \
		fi; \
	done
	$(BIN)/pybabel compile --statistics -d $(LOCALE) -D duty_tui

central: $(VENV)/.installed
	$(BIN)/duty-central serve

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .ruff_cache
