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

demo: setup
	$(YM) migrate --noinput -v0
	$(YM) seed demo
	$(YM) runserver 127.0.0.1:8000

test: setup
	bash scripts/run-tests.sh

lint: setup
	$(VENV)/bin/ruff check src tests

clean:
	rm -rf $(VENV) var
