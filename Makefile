# `make demo` and `make test` work on a fresh clone: each creates .venv when missing.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp
TORCH   := torch==2.13.0

.PHONY: demo test lint bench unchanged clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first, pinned: a newer torch would pull gigabytes of CUDA packages.
	$(PY) -m pip install -q $(TORCH)
	# constraints.txt: the versions the stored reports were made with.
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	$(PY) -c "import torch, sys; v = torch.__version__; sys.exit(0 if v.startswith('2.13.0') else f'pip replaced torch: {v}')"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/dlcheck demo

test: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/pytest -q -rs --durations=15

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks

# Every whole run held fixed by tests/fixtures/reports compared with it (about 6 minutes).
unchanged: $(STAMP)
	$(PY) -m tests.fixtures.make_reports --check

bench: $(STAMP)
	$(PY) benchmarks/bench_quick.py

clean:
	rm -rf $(VENV) dlcheck-report .pytest_cache .ruff_cache
