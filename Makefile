# Fieldbench: `make run` serves the demo study on 127.0.0.1:8000, `make test` runs the suite
# on SQLite and again on PostgreSQL.
VENV ?= .venv
PY := $(VENV)/bin/python
FB := $(VENV)/bin/fieldbench
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
STAMP := $(VENV)/.installed
# The suite runs in TEST_WORKERS processes (pytest-xdist), each with its own database;
# a test file stays in one process, so its module fixtures are built once.
TEST_WORKERS ?= 2
PYTEST := $(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile

.PHONY: run test test-sqlite test-postgres install bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

run: install
	$(FB) db upgrade
	$(FB) demo
	$(FB) serve --host 127.0.0.1 --port 8000

test: test-sqlite test-postgres

test-sqlite: install
	$(PYTEST)

# PostgreSQL: required in CI (CI=true); skipped with a reason on a machine without it.
test-postgres: install
	@if $(PY) -c "import psycopg; psycopg.connect('$(subst +psycopg,,$(PG_TEST_URL))', connect_timeout=3).close()" 2>/dev/null; then \
		FIELDBENCH_TEST_DATABASE_URL=$(PG_TEST_URL) $(PYTEST); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable at $(PG_TEST_URL): CI must run the suite on it" >&2; exit 1; \
	else \
		echo "SKIPPED the PostgreSQL run: nothing answers at $(PG_TEST_URL)"; \
	fi

bench: install
	$(PY) bench/ingest.py

clean:
	rm -rf $(VENV) data .pytest_cache
