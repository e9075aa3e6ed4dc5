# blockparity — two commands on a fresh machine:
#   make compare [ARGS="..."]   build what is missing, then run the comparison (python compare.py $(ARGS))
#   make test    [PYTEST_ARGS="..."]   build what is missing, then run the test suite
# Environments are rebuilt only when their pin files change (the .installed stamps record that).

PYTHON ?= python3
VENV := .venv
GLUON := .venv-gluon
ARGS ?=
PYTEST_ARGS ?=

.PHONY: compare test fast envs browser lint bench clean

compare: envs
	$(VENV)/bin/python compare.py $(ARGS)

# A missing environment fails the suite instead of skipping it (tests/conftest.py): REQUIRE= to relax.
REQUIRE ?= all
test: envs browser
	BLOCKPARITY_REQUIRE=$(REQUIRE) $(VENV)/bin/python -m pytest $(PYTEST_ARGS)

# The fast loop: the tests that catch mistakes, the command line's contract, the layout transforms (docs/tests.md)
fast: envs
	BLOCKPARITY_REQUIRE=$(REQUIRE) $(VENV)/bin/python -m pytest -m sharp $(PYTEST_ARGS)

envs: $(VENV)/.installed $(GLUON)/.installed

$(VENV)/.installed: harness/env/main.txt harness/env/main.lock
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --disable-pip-version-check -q -r harness/env/main.txt -c harness/env/main.lock
	touch $@

$(GLUON)/.installed: harness/env/gluon.txt harness/env/gluon.lock
	test -x $(GLUON)/bin/python || $(PYTHON) -m venv $(GLUON)
	$(GLUON)/bin/python -m pip install --disable-pip-version-check -q -r harness/env/gluon.txt -c harness/env/gluon.lock
	touch $@

# tests/test_page.py opens the HTML report in Debian's chromium (headless); the test itself installs nothing.
browser:
	@command -v chromium >/dev/null || { export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q --no-install-recommends chromium \
	  || { apt-get update -q && apt-get install -y -q --no-install-recommends chromium; }; }

lint: envs
	$(VENV)/bin/ruff check .

bench: envs
	$(VENV)/bin/python compare.py bench $(ARGS)

clean:
	rm -rf $(VENV) $(GLUON) .cache .pytest_cache
