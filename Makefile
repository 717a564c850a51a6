# weerbaar: every target sets itself up (virtual environment, Python and Debian packages).
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_OUT := demo-uitvoer
# Debian packages: headless browser for the web-app tests, OCR for scanned pages,
# pdftoppm for checking rendered PDFs, Pango for WeasyPrint.
# PostgreSQL: `make test` runs the database tests a second time on a throwaway cluster.
DEB_PACKAGES := chromium tesseract-ocr tesseract-ocr-nld poppler-utils fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 postgresql

.PHONY: demo test test-fast bench lint format model clean-demo system-deps help

help:
	@echo "make demo   - volledige scan op de demodata; rapporten in $(DEMO_OUT)/rapporten/"
	@echo "make test   - alle tests (op SQLite en op PostgreSQL)"
	@echo "make test-fast - tests zonder de trage (slow) en de browsertests (browser)"
	@echo "make bench  - benchmarks (snelheid, geheugen, nauwkeurigheid)"
	@echo "make lint   - ruff en mypy (mypy tegen mypy-baseline.txt: alleen minder fouten)"
	@echo "make model  - standaardmodellen (zoeken, fase) opnieuw trainen"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | { grep -v 'is ignored: it is neither' || true; }
	$(PY) -m pip install --quiet -e '.[dev]' 2>&1 | { grep -v 'is ignored: it is neither' || true; }
	@touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh $(DEB_PACKAGES)

demo: system-deps $(STAMP)
	$(PY) -m weerbaar demo --uit $(DEMO_OUT)

# All tests on SQLite, then every test marked `database` on a real PostgreSQL server that
# scripts/pg-cluster.sh starts in a temporary directory and stops afterwards.
test: system-deps $(STAMP)
	$(PY) -m pytest -q
	bash scripts/pg-cluster.sh run $(PY) -m pytest -q --store postgresql -m database

# The inner loop: leaves out tests marked slow (processes, SIGKILL, OCR, PDF rendering,
# real corpora, servers) and browser (Chromium); `make test` still runs everything.
test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow and not browser"

bench: system-deps $(STAMP)
	@failed=""; for b in benchmarks/[!_]*.py; do echo "== $$b"; $(PY) $$b || failed="$$failed $$b"; done; \
	if [ -n "$$failed" ]; then echo "mislukt:$$failed"; exit 1; fi

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks scripts
	$(VENV)/bin/ruff format --check src tests benchmarks scripts
	$(PY) scripts/typecheck.py

format: $(STAMP)
	$(VENV)/bin/ruff format src tests benchmarks scripts
	$(VENV)/bin/ruff check --fix src tests benchmarks scripts

model: $(STAMP)
	$(PY) -m weerbaar.search.train
	$(PY) -m weerbaar.assess.train_stage

clean-demo:
	rm -rf $(DEMO_OUT)
