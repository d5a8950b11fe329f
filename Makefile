# lutml: two commands set everything up on a fresh machine.
#   make run   - create .venv, install the pinned set, run the DVC pipeline on the embedded data
#   make test  - same set-up, then the whole test suite
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Stage commands in dvc.yaml say `python`: it must be the venv's.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: venv run test test-fast bench bench-fit bench-train bench-looks bench-frames bench-photos bench-grade bench-trust lint params browser clean

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Debian's Chromium for the browser test (Playwright drives /usr/bin/chromium; no browser download).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "warning: could not install chromium; browser tests will be skipped"; fi

run: venv
	$(BIN)/dvc repro
	@$(BIN)/python -m lutml.pipeline.report

# two pytest workers (pytest-xdist; a module's tests stay on one worker: module fixtures are shared);
# `$(BIN)/python -m pytest -q` alone runs the same tests one at a time (docs/training-speed.md)
test: venv browser
	$(BIN)/python -m pytest -q -n 2 --dist loadscope --no-loadscope-reorder

test-fast: venv
	$(BIN)/python -m pytest -q -m "not slow"

bench: venv
	$(BIN)/python -m lutml.bench apply

bench-fit: venv
	$(BIN)/python -m lutml.bench fit

bench-train: venv
	$(BIN)/python -m lutml.bench train

# needs `make run` first: the trained look estimator on every built-in look vs identity, population
# statistics, the original project's method (trained per look) and the pair-fit bound
bench-looks: venv
	$(BIN)/python -m lutml.bench looks

# needs `make run` first: how many graded frames a user needs (the look estimate from 1-30 of them)
bench-frames: venv
	$(BIN)/python -m lutml.bench looks --no-original --frames-curve 1 4 8 15 30

# needs `make run` first: the look estimator retrained on 30 and 45 of the training photos (~25 min)
bench-photos: venv
	$(BIN)/python -m lutml.bench photos --counts 30 45

# needs `make run` first: a 4K still graded with the trained look model, in process and as a command
bench-grade: venv
	$(BIN)/python -m lutml.bench grade

# needs `make run` first: a look you can trust (issue 21) - typical and atypical frame sets (dark, bright,
# warm, cool, 2 and 4 frames) x 16 looks, raw vs trusted estimate, ungraded sets, one still, interval coverage,
# and the bound a perfect trust model would reach (--oracle; ~2 min in all)
bench-trust: venv
	$(BIN)/python -m lutml.bench trust --oracle

lint: venv
	$(BIN)/ruff check lutml stages pipelines tests
	$(BIN)/ruff format --check lutml stages pipelines tests

params: venv
	$(BIN)/python -m lutml.pipeline.config
	$(BIN)/python -m lutml.pipeline.config --pairs

clean:
	rm -rf $(VENV)
