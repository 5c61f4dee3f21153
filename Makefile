# `make demo` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-sqlite test-postgres system-deps lint lock bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the project's dependencies change.
$(VENV)/.stamp-app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.stamp-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.stamp-app $@

demo: $(VENV)/.stamp-app  ## Load the demo data, print logins and links, serve on :5000 with the worker.
	PORTAL_DEMO=1 $(BIN)/portal demo
	@PORTAL_DEMO=1 $(BIN)/portal worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	PORTAL_DEMO=1 $(BIN)/portal run --host 127.0.0.1 --port 5000

# The browser, web server, load tool and database client the tests drive: Debian
# packages, installed once (needs root or sudo); Playwright never downloads a browser.
# Then PostgreSQL and Redis are started if they are installed but not running.
system-deps:
	@missing=""; \
	for p in chromium:/usr/bin/chromium nginx-light:/usr/sbin/nginx wrk:/usr/bin/wrk \
	         postgresql-client:/usr/bin/pg_dump openssl:/usr/bin/openssl; do \
	  [ -x "$${p#*:}" ] || missing="$$missing $${p%%:*}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@.ci/services

# The OpenID Connect provider the single sign-on tests run (tests/oidc, npm's oidc-provider).
tests/oidc/node_modules/.stamp: tests/oidc/package-lock.json
	npm ci --prefix tests/oidc --no-audit --no-fund && touch $@

# The two passes run side by side (one core each; each prints when it is done), which
# keeps the whole suite under half an hour on two cores.
test: $(VENV)/.stamp-test system-deps tests/oidc/node_modules/.stamp  ## The import layers, then the whole suite on SQLite and PostgreSQL.
	$(BIN)/lint-imports --no-cache
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite:
	PORTAL_TEST_DATABASE=sqlite $(BIN)/pytest

test-postgres:
	PORTAL_TEST_DATABASE=postgres $(BIN)/pytest

lint: $(VENV)/.stamp-test  ## Style, formatting, and the import layers of pyproject.toml.
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports --no-cache

# requirements.lock: what deploys install (`pip install -r requirements.lock`, then the
# package with --no-deps), with hashes: the app and its postgres and redis extras, for
# every platform on Python 3.11+. Run after changing dependencies in pyproject.toml;
# tests/test_packaging.py fails until it is.
lock: | $(BIN)/python  ## Regenerate requirements.lock from pyproject.toml.
	$(BIN)/pip install --quiet 'uv>=0.5'
	$(BIN)/uv pip compile pyproject.toml --extra postgres --extra redis --universal \
	  --python-version 3.11 --generate-hashes --quiet --output-file requirements.lock

clean:
	rm -rf $(VENV) instance .pytest_cache tests/oidc/node_modules
