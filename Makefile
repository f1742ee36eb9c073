# The README's two commands: `make run` starts the product, `make test` tests it.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml 2>/dev/null | sha1sum | cut -c1-12)
PORT ?= 8000

.PHONY: run test check install lint format messages bench clean-var

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Web server, Celery worker and Celery beat together (honcho); Ctrl-C stops all.
# Without DATABASE_URL: the embedded PostgreSQL server under var/postgres (started
# first, stopped last: collab/devdb.py); without REDIS_URL: Celery's filesystem
# transport under var/. collab/devrun.py does the sequence.
run: $(STAMP)
	@PORT=$(PORT) DJANGO_SETTINGS_MODULE=collab.settings.local $(PY) -m collab.devrun

# Lint and formatting, the import contracts (docs/ARCHITECTURE.md: imports run one
# way), the types (mypy: strict on requests_sla/sla/ and every services module), then
# the whole suite against PostgreSQL and Redis on localhost (override with
# DATABASE_URL / REDIS_URL): every test but the browser and worker ones on two xdist
# workers (each its own test database), then those one at a time (they start
# Chromium, live servers and worker processes; one restarts Redis). Exit 5 is
# pytest's "no test selected" (PYTEST_ARGS naming only one kind), not a failure.
test: $(STAMP)
	@$(PY) tools/test_roles.py
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -n 2 -m "not browser and not integration" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(VENV)/bin/pytest -m "browser or integration" $(PYTEST_ARGS) || [ $$? -eq 5 ]

# The fast loop: lint, import contracts and types, then every test that is
# not marked browser, integration or slow (tests/marks.py makes sure those
# carry their mark), in parallel on every core (pytest-xdist). Each xdist
# worker gets its own test database (test_<name>_gw0, _gw1, ...).
check: lint
	$(VENV)/bin/pytest -m "not browser and not integration and not slow" -n auto $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports && $(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix . ; $(VENV)/bin/ruff format .

# Regenerate and compile the English catalogues (needs GNU gettext). Chinese
# is the source language, so message ids are Chinese; each app keeps its own
# catalogue in <app>/locale, the project's templates/ and collab/ in locale/.
APPS := departments requests_sla pipeline finance pricing enablement roadmap incentives
messages: $(STAMP)
	@mkdir -p locale $(addsuffix /locale,$(APPS))
	DJANGO_SETTINGS_MODULE=collab.settings.local $(PY) manage.py makemessages -l en --no-location \
	  -i ".venv/*" -i "var/*" -i "bench/*" -i "tests/*" $(foreach a,$(APPS),-i '$(a)/*')
	@for app in $(APPS); do (cd $$app && DJANGO_SETTINGS_MODULE=collab.settings.local PYTHONPATH=.. \
	  ../$(VENV)/bin/django-admin makemessages -l en --no-location -i "tests/*") || exit 1; done
	DJANGO_SETTINGS_MODULE=collab.settings.local $(PY) manage.py compilemessages -l en -i ".venv" -i "var"

bench: $(STAMP)
	@for f in filing queue dashboard sweep funnel finance quotes roadmap library sprint; do echo "== bench/$$f.py"; $(PY) bench/$$f.py || exit 1; done
