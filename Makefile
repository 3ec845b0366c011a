# The two set-up commands of the README: `make run` and `make test`. Both create the virtual
# environment themselves on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
DB     ?= chancery.db
PORT   ?= 8000

.PHONY: install run test test-fast bench lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,dev]'
	touch $(STAMP)

# The demo corpus into $(DB) (again: unchanged articles are skipped), then the dashboard over it.
run: install
	$(BIN)/chancery demo --db $(DB)
	$(BIN)/chancery serve --db $(DB) --port $(PORT)

test: install
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not postgres and not slow and not browser"

bench: install
	$(PY) bench/run.py
	$(PY) bench/queries.py
	$(PY) bench/scale.py

lint: install
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache $(DB) $(DB)-wal $(DB)-shm
