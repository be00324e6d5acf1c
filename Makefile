# The two commands: `make demo` and `make test`. Both set up .venv first (quick when nothing changed).
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp
YM := $(VENV)/bin/yuanmeng

.PHONY: setup demo test lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The background worker runs beside the demo server (large imports, exports, payment files) and stops with it.
demo: setup
	$(YM) migrate --noinput -v0
	$(YM) seed demo
	$(YM) worker --no-startup-delay --no-reload -v0 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(YM) runserver 127.0.0.1:8000

test: setup
	bash scripts/run-tests.sh

lint: setup
	$(VENV)/bin/ruff check src tests

clean:
	rm -rf $(VENV) var
