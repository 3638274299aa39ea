# `make run` and `make test` work on a fresh machine with only Python 3.11: the first use
# creates .venv and installs the project into it; later uses reinstall only when
# pyproject.toml changes.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench lint typecheck kb-check eval clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,dev]' >&2
	@touch $(STAMP)

run: $(STAMP)
	@$(PY) run_bot.py

# One pytest worker more than there are cores: the suite waits on subprocesses and sockets
# about as much as it computes (on two cores: 47 s with three workers, 61 s with two).
WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

test: $(STAMP)
	$(PY) -m pytest -q -n $(WORKERS)

bench: $(STAMP)
	$(PY) -m benchmarks

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# mypy on bot/core (the files and settings are in pyproject.toml's [tool.mypy]).
typecheck: $(STAMP)
	$(VENV)/bin/mypy

kb-check: $(STAMP)
	$(PY) run_bot.py kb check

eval: $(STAMP)
	$(PY) run_bot.py eval knowledge/eval/queries.jsonl

clean:
	rm -rf $(VENV) .pytest_cache
