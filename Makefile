# govpilot: two commands for a fresh machine.
#   make run    install everything, assemble the embedded model, start the server
#   make test   install everything, then run the test suite (SQLite, plus PostgreSQL when installed)

PYTHON ?= python3
# Use the active virtual environment when there is one, else .venv in the checkout.
VENV ?= $(if $(VIRTUAL_ENV),$(VIRTUAL_ENV),.venv)
BIN := $(VENV)/bin
# llama-cpp-python ships only as source (about 7 minutes to compile on 2 cores):
# it is built once into this wheelhouse and reused by every later install.
WHEELHOUSE ?= $(HOME)/.cache/govpilot/wheels
LLAMA_CPP_VERSION := 0.3.36
LLAMA_WHEEL := $(WHEELHOUSE)/llama_cpp_python-$(LLAMA_CPP_VERSION)-py3-none-linux_x86_64.whl
PYTEST_ARGS ?=

.PHONY: run install model test lint bench clean

run: install model
	$(BIN)/govpilot serve

install: $(VENV)/.govpilot-installed

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(LLAMA_WHEEL): | $(VENV)/bin/python
	@mkdir -p $(WHEELHOUSE)
	@echo "Building llama-cpp-python $(LLAMA_CPP_VERSION) once (about 7 minutes on 2 cores)..."
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/pip wheel --no-deps \
		llama-cpp-python==$(LLAMA_CPP_VERSION) -w $(WHEELHOUSE)

$(VENV)/.govpilot-installed: pyproject.toml $(LLAMA_WHEEL) | $(VENV)/bin/python
	$(BIN)/pip install --quiet --find-links $(WHEELHOUSE) -e '.[embedded,postgres,dev]'
	@touch $@

model: install
	$(BIN)/govpilot setup

test: install model
	@set -e; \
	if url=$$(GOVPILOT_PYTHON=$(BIN)/python scripts/start-test-postgres.sh 2>/dev/null); then \
		echo "PostgreSQL test server: $$url"; export GOVPILOT_TEST_POSTGRES_URL="$$url"; \
	else echo "PostgreSQL not installed: its tests are skipped (apt-get install postgresql)"; fi; \
	GOVPILOT_REQUIRE_EMBEDDED=1 $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install model
	$(BIN)/python bench/bench_translate.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
