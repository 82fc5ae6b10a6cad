# Two entry points (see README "Quick start"): `make demo` and `make test`.
# Both create ./.venv with only Python's own venv + pip, so they work on a fresh machine.
# CI (.ci/run) also runs `make lint` and `make test-lowest`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
TOOL   := $(VENV)/.tool
STAMP  := $(VENV)/.installed
LOWEST := .venv-lowest

.PHONY: demo test install lint test-lowest clean

# demo installs what the tool needs (and Word and Excel output), test adds the test extras.
$(TOOL): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[office]'
	touch $(TOOL)

$(STAMP): $(TOOL)
	$(BIN)/python -m pip install --quiet -e '.[test,xlsx]'
	touch $(STAMP)

install: $(STAMP)

demo: $(TOOL)
	$(BIN)/reformctl check
	$(BIN)/reformctl report --as-of 2018-06-30

# The message catalog: extract, merge into the .po, compile the .mo (tools/catalog.py, Babel)
catalog: $(STAMP)
	$(BIN)/python tools/catalog.py

# Each run has a temporary directory of its own: pytest's shared /tmp/pytest-of-USER is cleaned
# by every run, and a run beside another one failed in that cleanup after every test had passed.
test: $(STAMP)
	d=$$(mktemp -d /tmp/reformctl-test.XXXXXX); \
	$(BIN)/python -m pytest -q --basetemp="$$d"; rc=$$?; rm -rf "$$d"; exit $$rc

# ruff and mypy --strict, with the versions and configuration in pyproject.toml
$(VENV)/.lint: $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,xlsx,lint]'
	touch $(VENV)/.lint

lint: $(VENV)/.lint
	$(BIN)/ruff check src tests
	$(BIN)/mypy src

# The suite on the lowest versions pyproject.toml declares for its direct dependencies (uv's
# lowest-direct resolution), so a floor that no longer works fails here, not on a user's machine.
# The README reference is left out: it is --help as the newest typer lays it out.
test-lowest:
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install --quiet uv
	$(LOWEST)/bin/python -m uv pip install --quiet --python $(LOWEST)/bin/python \
		--resolution lowest-direct -e '.[test,xlsx]'
	$(LOWEST)/bin/python -m uv pip list --python $(LOWEST)/bin/python 2>/dev/null \
		| grep -iE '^(typer|rich|pydantic|pyyaml|tabulate|wcwidth|click|babel) '
	d=$$(mktemp -d /tmp/reformctl-test.XXXXXX); \
	$(LOWEST)/bin/python -m pytest -q -p no:cacheprovider --basetemp="$$d" \
		--deselect tests/test_docs.py::test_readme_reference_matches_help; \
	rc=$$?; rm -rf "$$d"; exit $$rc

clean:
	rm -rf $(VENV) $(LOWEST) build src/*.egg-info .pytest_cache .hypothesis
