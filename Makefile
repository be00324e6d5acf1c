# The two commands: `make demo` and `make test`. Both set up .venv first (quick when nothing changed).
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp
YM := $(VENV)/bin/yuanmeng

.PHONY: setup demo demo-reset test lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	bash scripts/ensure-debian.sh
	touch $(STAMP)

# Where the demo listens: `make demo HOST=0.0.0.0 PORT=8080` lets a phone on the same network try it (any host
# name is then allowed). The demo shows the application's own 404/403/500 pages, not Django's technical ones.
HOST ?= 127.0.0.1
PORT ?= 8000
demo: export YUANMENG_TECHNICAL_ERRORS = 0
demo: export YUANMENG_ALLOWED_HOSTS ?= 127.0.0.1,localhost,$(if $(filter 0.0.0.0,$(HOST)),*,$(HOST))

# The background worker runs beside the demo server (large imports, exports, payment files) and stops with it.
demo: setup
	$(YM) migrate --noinput -v0
	$(YM) seed demo
	$(YM) worker --no-startup-delay --no-reload -v0 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(YM) runserver $(HOST):$(PORT)

# Start the demo afresh: forget its SQLite database, uploads and generated keys (var/); .venv/ stays.
demo-reset:
	rm -rf var

test: setup
	bash scripts/run-tests.sh

# Every benchmark on PostgreSQL (127.0.0.1:5432), each in its own fresh database, written into docs/performance.md
# and docs/performance.json: `make bench` at national size (1,000,000 applications, 3,000,000 workers; hours),
# `make bench SIZE=small` in a few minutes, `make bench SIZE=100000` at any size. YUANMENG_BENCH_DB names the
# database the benchmarks drop and create (yuanmeng_bench).
SIZE ?= 1000000
bench: setup
	$(VENV)/bin/python bench/run_all.py --size $(SIZE)

lint: setup
	$(VENV)/bin/ruff check src tests

clean:
	rm -rf $(VENV) var
