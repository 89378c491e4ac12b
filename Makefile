# Two commands on a fresh machine:  `make demo` (the main job, offline) and `make test`.
# Both create ./.venv on first use: CPU torch first (so nothing pulls a CUDA build), then shopbench.
PYTHON ?= python3
VENV ?= .venv
# Extra pip arguments for torch, e.g. TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
TORCH_PIP_ARGS ?=
TORCH_VERSION ?= 2.13.0
BIN := $(VENV)/bin
STAMP := $(VENV)/.shopbench-installed

.PHONY: install demo test bench clean-venv

install: $(STAMP)

$(STAMP): pyproject.toml benchmark/train/pins.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH_PIP_ARGS) "torch==$(TORCH_VERSION)"
	$(BIN)/python -m pip install --quiet -e ".[dev,offline-models,train]" -c benchmark/train/pins.txt
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/bench demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The performance suite (perf/): JSON + markdown report under perf/reports/. Pyserini (with a
# Java 21 runtime) is installed for the side-by-side BM25 section. BENCH_ARGS="--quick" for a smoke run.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[pyserini]"
	$(BIN)/python -m perf $(BENCH_ARGS)

clean-venv:
	rm -rf $(VENV)
