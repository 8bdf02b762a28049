# Infusion Desk — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint unit slow bench bench-smoke bundle bundle-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

# Reinstall whenever pyproject.toml changes (the stamp name carries its checksum).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	$(BIN)/desk

lint: $(STAMP)
	$(BIN)/ruff check desk tests bench
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

bundle: $(STAMP)
	rm -rf build dist
	$(BIN)/pyinstaller --noconfirm --clean build.spec

bundle-test: bundle
	QT_QPA_PLATFORM=offscreen dist/InfusionDesk/desk --self-test

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache
