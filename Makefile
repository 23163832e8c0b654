# The two Quick start commands (README): `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
# No pip self-upgrade or version check, and no byte-compiling of every installed file (Python
# compiles the modules it imports, when it imports them): about a minute less on 2 cores.
PIP    := $(BIN)/python -m pip --disable-pip-version-check --no-input
# ...which needs Python allowed to keep what it compiles: where the environment forbids it
# (PYTHONDONTWRITEBYTECODE, set on some machines), every process — each test's server and
# command — would compile pandas, Plotly and Streamlit again (seconds each).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test chromium bench

demo: $(VENV)/.installed
	$(BIN)/resultsboard init --demo
	$(BIN)/resultsboard serve --port $(PORT)

# The suite runs in parallel, one worker per core (pytest-xdist); `pytest` alone runs serially.
test: $(VENV)/.installed-test chromium
	$(BIN)/python -m pytest -n auto

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --no-compile -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --no-compile -e '.[test]'
	touch $@ $(VENV)/.installed

# Browser tests and chart images use the system Chromium (Playwright cannot download one here).
# Installed with apt where we can (root on Debian/Ubuntu); otherwise those tests skip outside CI.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium not found and cannot be installed here: browser tests will be skipped."; \
	  fi; }

# the import's PostgreSQL leg runs on this server unless TEST_DATABASE_URL names another
bench: export TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
bench: $(VENV)/.installed-test
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_scoring.py
	$(BIN)/python bench/bench_pages.py
	$(BIN)/python bench/bench_pack.py
