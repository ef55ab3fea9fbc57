# The two commands: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
APT_PACKAGES := libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
	libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0 \
	libxcb-randr0 libxcb-shape0 libxcb-cursor0 libxcb-xkb1 poppler-utils \
	gnome-keyring dbus-daemon dbus-bin

.PHONY: run test lint types unit apt pg bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install -q -e '.[test]'
	touch $@

apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# The city server's tests run against PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth
# for 127.0.0.1). Start it when it is installed but not running; the tests fail with a clear
# message when it still cannot be reached.
pg:
	@pg_isready -q -h 127.0.0.1 2>/dev/null || { \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		echo "starting PostgreSQL"; \
		$$SUDO service postgresql start >/dev/null 2>&1 || echo "PostgreSQL could not be started: install it (apt-get install postgresql) and allow trust auth for 127.0.0.1"; \
		for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 2>/dev/null && break; sleep 1; done; }

run: $(STAMP) apt
	$(BIN)/justice-desktop --demo

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(TEST_STAMP)
	$(BIN)/mypy

unit: $(TEST_STAMP) apt pg
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest

test: lint types unit

bench: $(STAMP)
	$(BIN)/python -m bench.store_bench

clean:
	rm -rf $(VENV) build dist *.egg-info
