# Personalify: `make run` serves the site, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench chaos venv clean product-shot

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(PY) -m personalify.devrun

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint
	$(PY) -m pytest

# The fault suite alone (it also runs in make test), with its table of what each fault did.
chaos: $(STAMP)
	$(PY) -m pytest -m chaos -q

# Retake the home page's picture of the product from the demo dashboard (Chromium).
product-shot: $(STAMP)
	PRODUCT_SHOT=1 $(PY) -m pytest -q analytics/tests/test_browser_product_shot.py

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) var/static build
