# One entry point for setup, the demo night, tests and checks. Every target
# creates the virtual environment on first use, so a fresh clone needs only `make <target>`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test check lint typecheck schemas screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/exitmatch demo --out demo-out

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

# The review app's screenshots in the README, taken by its browser tests.
screenshots: $(STAMP)
	EXITMATCH_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/review/test_browser.py

schemas: $(STAMP)
	$(BIN)/exitmatch schemas --out schemas

clean:
	rm -rf $(VENV) demo-out build .pytest_cache .mypy_cache .ruff_cache
