# Infusion Desk — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Every install (run, test, bundle, CI) takes exactly the versions in the lock; the wheel
# itself keeps the ranges in pyproject.toml for library users. `make lock` refreshes it.
LOCK := requirements/lock.txt
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | cksum | cut -d' ' -f1)

.PHONY: run test lint unit slow bench bench-smoke bundle bundle-test screenshots clean lock canary

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

# Reinstall whenever pyproject.toml or the lock changes (the stamp name carries their
# checksum): the locked set first, then the project itself without resolving anything.
$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	rm -f $(VENV)/.installed-*
	touch $@

# Refresh the lock to the newest releases the ranges allow, then prove the Qt binding is
# sound (issue 19: a binding that leaks references to True/None aborts a desk left open).
# uv comes from the lock itself (a dev dependency), so refreshing needs no unlocked install.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--no-emit-package infusion-desk --upgrade --quiet -o $(LOCK)
	$(MAKE) canary

canary: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider \
		tests/ui/test_binding_canary.py tests/test_lock.py

run: $(STAMP)
	$(BIN)/desk

lint: $(STAMP)
	$(BIN)/ruff check desk tests bench scripts
	$(BIN)/mypy desk
	$(BIN)/mypy --strict desk/domain desk/services

# pytest's exit status 5 ("no tests ran") is a failure, said out loud.
test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider; \
	status=$$?; [ $$status -ne 5 ] || echo "make test: pytest ran no test" >&2; exit $$status

unit: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow"

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

# The user guide's pictures, taken of the real windows in a throw-away demo clinic.
screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/screenshots.py

bundle: $(STAMP)
	rm -rf build dist
	$(BIN)/pyinstaller --noconfirm --clean build.spec

bundle-test: bundle
	QT_QPA_PLATFORM=offscreen dist/InfusionDesk/desk --self-test

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache

# Install paths, tested: the wheel as a Python user installs it (with the lock's versions),
# used from outside the checkout (scripts/wheel-test); the bundle's size budget
# (bench/bundle.py), after make bundle.
.PHONY: wheel-test bundle-budget
wheel-test: $(STAMP)
	PYTHON=$(PYTHON) BUILDER=$(BIN)/python CONSTRAINTS=$(LOCK) scripts/wheel-test

bundle-budget: $(STAMP)
	$(BIN)/python -m bench.bundle
