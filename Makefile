# Two commands matter: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run demo test lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed  ## open the app (demo mode against the built-in sandbox when nothing is configured)
	$(BIN)/lote

demo: $(VENV)/.installed
	$(BIN)/lote demo

test: $(VENV)/.installed-test  ## the whole suite, headless
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider
	$(BIN)/ruff check desktop_app tests
	$(BIN)/mypy desktop_app/domain desktop_app/sync

lint: $(VENV)/.installed-test
	$(BIN)/ruff check desktop_app tests
	$(BIN)/mypy desktop_app/domain desktop_app/sync

format: $(VENV)/.installed-test
	$(BIN)/ruff format desktop_app tests
	$(BIN)/ruff check --fix desktop_app tests

.PHONY: package
package:  ## Linux bundle dist/lote (self-tested, budget 150 MB) and dist/lote_VERSION_amd64.deb
	PYTHON=$(PYTHON) packaging/build_linux.sh

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache

.PHONY: screenshots
screenshots: $(VENV)/.installed  ## a PNG of every screen with demo data, in docs/screenshots/ (Xvfb)
	xvfb-run -a -s "-screen 0 1920x1200x24" $(BIN)/python -m tests.gui.screenshot docs/screenshots
	xvfb-run -a -s "-screen 0 1920x1200x24" $(BIN)/python -m tests.gui.screenshot --lang en --only main,invoice,detail --suffix=-en docs/screenshots
	xvfb-run -a -s "-screen 0 1920x1080x24" env QT_SCALE_FACTOR=2 $(BIN)/python -m tests.gui.screenshot --only main,invoice --suffix=-200 docs/screenshots
