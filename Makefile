# Plan-it Desktop. `make run` and `make test` work on a fresh clone with nothing installed.
# One .venv serves every target; each kind of install has its own stamp, so `make run` installs
# only what the program needs, and `make test` (or `make dist`) adds its tools without taking
# anything away.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
DIST_STAMP := $(VENV)/.installed-dist
BUNDLE := dist/planit-desktop

.PHONY: run test lint format bench dist dist-check wheel icons clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The program and the PostgreSQL driver (for a trust's shared server): no test tools.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[postgres]'
	touch $@

$(TEST_STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	touch $@

$(DIST_STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dist,postgres]'
	touch $@

run: $(RUN_STAMP)
	$(BIN)/planit-desktop

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(TEST_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The suite on one worker per core (TEST_WORKERS=0: in one process, as a debugger wants it);
# "worksteal" hands a worker that runs out some of the other's queue.
TEST_WORKERS ?= auto

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

bench: $(RUN_STAMP)
	@for bench in benchmarks/bench_*.py; do \
		echo "== $$bench"; \
		QT_QPA_PLATFORM=offscreen $(BIN)/python $$bench || exit 1; \
	done

# The self-contained one-folder application for this machine, in dist/planit-desktop/.
dist: $(DIST_STAMP)
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/planit-desktop.spec
	@$(BIN)/python packaging/smoke_test.py --size-only $(BUNDLE)

# The built bundle, run as an installed program: no .venv, an empty home folder.
dist-check:
	$(PYTHON) packaging/smoke_test.py $(BUNDLE)

# A wheel for `pipx install` or `uv tool install`, in dist/.
wheel: $(RUN_STAMP)
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .

# Redraw the icons from packaging/icons/planit-desktop.svg (the outputs are committed).
icons: $(RUN_STAMP)
	$(BIN)/python packaging/make_icons.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
