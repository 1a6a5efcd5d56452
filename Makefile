# Two commands on a fresh machine (only Python 3.11 + pip needed):
#   make audit   set up .venv and run the main job on articles/  -> claims/, reports/
#   make test    set up .venv (+ browser where possible) and run every test, notebooks included
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: audit test setup bench notebooks clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

audit: $(STAMP)
	$(BIN)/claimaudit audit articles/

test: $(STAMP)
	bash scripts/setup-test-machine.sh
	$(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_extract.py --sizes 1000,10000

notebooks: $(STAMP)
	$(BIN)/python scripts/refresh_notebooks.py

clean:
	rm -rf $(VENV) reports/*.html reports/*.xlsx
