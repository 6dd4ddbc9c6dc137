PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV := DJANGO_DEBUG=1

.PHONY: install run test lock lint messages e2e vnu backup restore bench

# Reinstall only when the lock file changes.
$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

run: install
	$(DEV) $(BIN)/python manage.py migrate --no-input
	$(DEV) $(BIN)/python manage.py load_demo_data
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(DEV) $(BIN)/python -m pytest

# The Nu Html Checker for tests/test_valid_html.py, kept out of git in .cache/vnu/.
# --ignore-scripts: its postinstall would try to download a Java; the machine's Java 17 runs it.
VNU_VERSION := 26.9.27
VNU_JAR := .cache/vnu/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR):
	npm install --prefix .cache/vnu --no-audit --no-fund --ignore-scripts vnu-jar@$(VNU_VERSION)

vnu: $(VNU_JAR)

# Real-browser tests (Debian's /usr/bin/chromium) and HTML validation only; screenshots/.
e2e: install vnu
	$(DEV) $(BIN)/python -m pytest tests/e2e tests/test_valid_html.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Regenerate the lock file after editing pyproject.toml.
lock:
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra dev --output-file requirements.lock pyproject.toml

messages: install
	$(DEV) $(BIN)/python manage.py makemessages --locale ko --no-location --ignore '.venv/*' --ignore 'node_modules/*' --ignore '.cache/*'
	$(DEV) $(BIN)/python manage.py compilemessages --ignore '.venv/*'

# Back up all data and media into backups/portal-<date>-<time>/ (or DIR=...), and restore
# one into an empty database: make restore FILE=backups/portal-... Uses the environment's
# settings (DATABASE_URL, MEDIA_ROOT, DJANGO_SECRET_KEY or DJANGO_DEBUG=1).
backup: install
	$(BIN)/python manage.py backup_data $(if $(DIR),--output $(DIR))

restore: install
	$(BIN)/python manage.py restore_data $(FILE)

# Pages under load (scripts/bench_pages.py): gunicorn as deploy/gunicorn.conf.py sets it up, with
# 2 workers and production settings on 127.0.0.1:$${BENCH_PORT:-8120}, driven by wrk (Debian:
# apt-get install wrk), 34 and 10,000 partners on SQLite and PostgreSQL, with and without Redis;
# BENCH_* variables pick one.
bench: install
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk" >&2; exit 1; }
	$(BIN)/python scripts/bench_pages.py
