# The two doors in (README): `make demo` and `make test`. Everything else is a step of those.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast setup setup-dev browser fonts pdf-tools messages assets lint bench clean

demo: setup
	$(BIN)/gongxin demo up

test: setup-dev browser
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/gongxin makemigrations --check --dry-run
	$(BIN)/pytest

# The fast lane while working: no browser, no fuzz, no slow test (docs/testing.md). `make test` stays the proof.
test-fast: setup-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -m "not browser and not fuzz and not slow"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP) messages fonts assets

setup-dev: setup pdf-tools

# Compiled message catalogs (zh-hans, en) are build output, not sources.
messages: $(STAMP)
	cd src/gongxin && GONGXIN_DATA_DIR=$(CURDIR)/var ../../$(BIN)/gongxin compilemessages -v0

# Browser assets (the chart library, decision 052): `npm ci` from the committed package-lock.json into node_modules/,
# which Django's static files serve (never copied into the repository, no CDN). npm comes from Debian when missing.
assets: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; fi; }
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

# Chinese fonts for PDF reports (embedded into each PDF) and for the browser: Debian's Noto CJK.
fonts:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; fi; }

# The report PDFs are tested in the engines viewers are built on (decision 050): poppler (pdftotext, pdftoppm) and
# MuPDF (mutool) from Debian, used as programs by the tests only; pdfium comes with the dev extras (pypdfium2).
pdf-tools:
	@{ command -v pdftotext && command -v pdftoppm && command -v mutool; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils mupdf-tools >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils mupdf-tools >/dev/null; fi; }

# Browser tests drive Debian's Chromium (no browser download); installed here when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; fi; }

lint: setup-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

bench: setup-dev
	$(BIN)/python bench/demo_seed.py

clean:
	rm -rf $(VENV) var node_modules
