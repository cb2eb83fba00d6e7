# exchange-eval: the Makefile is the pipeline's table of contents. `make help` lists targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2

.DEFAULT_GOAL := help
.PHONY: help install demo test test-fast validate-stats lab bench lint format clean clean-reports

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the package with its dev extras

demo: $(STAMP) ## Generate the synthetic rounds and build every report
	$(BIN)/exchange-eval demo --jobs $(JOBS)

test: $(STAMP) ## Run the test suite (unit + end-to-end)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup

test-fast: $(STAMP) ## Run the tests that do not execute notebooks
	$(BIN)/python -m pytest -m "not slow"

validate-stats: $(STAMP) ## Simulate the coverage and false-positive rates of the printed statistics into docs/statistics.md
	$(BIN)/python scripts/simulate_stats.py

lab: $(STAMP) ## Open JupyterLab on notebooks/
	$(BIN)/jupyter lab --allow-root --no-browser --notebook-dir=notebooks

bench: $(STAMP) ## Benchmark build against the papermill + nbconvert command-line loop
	$(BIN)/python scripts/bench.py

lint: $(STAMP) ## ruff check, and the import layers (lint-imports, contracts in pyproject.toml)
	$(BIN)/ruff check src tests scripts notebooks
	$(BIN)/lint-imports

format: $(STAMP) ## ruff format + import sort
	$(BIN)/ruff check --fix src tests scripts
	$(BIN)/ruff format src tests scripts

clean-reports: ## Remove generated reports
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +

clean: clean-reports ## Remove generated data, reports and the virtualenv
	find data/processed -mindepth 1 ! -name README.md -exec rm -rf {} +
	find data/raw -mindepth 1 ! -name README.md -exec rm -rf {} +
	rm -rf data/interim
	rm -f data/demo_truth.json
	rm -rf $(VENV) .pytest_cache .ruff_cache
