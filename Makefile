# Two entry points (see README "Quick start"): `make demo` and `make test`.
# Both create ./.venv with only Python's own venv + pip, so they work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,xlsx]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/reformctl check
	$(BIN)/reformctl report --as-of 2018-06-30

test: $(STAMP)
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .hypothesis
