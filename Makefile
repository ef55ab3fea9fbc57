# The two commands: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
APT_PACKAGES := libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
	libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0 \
	libxcb-randr0 libxcb-shape0 libxcb-cursor0 libxcb-xkb1 poppler-utils \
	gnome-keyring dbus-daemon dbus-bin postgresql nsis lintian desktop-file-utils
TEST_PG_PASSWORD := justice-test

.PHONY: run test lint types unit apt pg bench clean bundle deb installer

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

# The city server's tests run against PostgreSQL on 127.0.0.1:5432 as user postgres. `apt`
# installs it on a fresh machine; here it is started when it is not running, and given the
# tests' password when the server does not trust 127.0.0.1. The tests fail with a clear message
# when it still cannot be reached.
pg: apt
	@pg_isready -q -h 127.0.0.1 2>/dev/null || { \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		echo "starting PostgreSQL"; \
		$$SUDO service postgresql start >/dev/null 2>&1 || echo "PostgreSQL could not be started"; \
		for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 2>/dev/null && break; sleep 1; done; }
	@# A fresh Debian server asks for a password on 127.0.0.1: give the postgres role the
	@# tests' password (PGPASSWORD below; a server that trusts 127.0.0.1 ignores it).
	@PGPASSWORD=$(TEST_PG_PASSWORD) PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -U postgres -tAc "select 1" >/dev/null 2>&1 || { \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		echo "setting the postgres role's password for the tests"; \
		$$SUDO su postgres -c "psql -tAc \"ALTER ROLE postgres PASSWORD '$(TEST_PG_PASSWORD)'\"" >/dev/null \
			|| echo "PostgreSQL is not reachable as postgres on 127.0.0.1: the PostgreSQL tests will say why"; }

run: $(STAMP) apt
	$(BIN)/justice-desktop --demo

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(TEST_STAMP)
	$(BIN)/mypy

unit: $(TEST_STAMP) apt pg
	QT_QPA_PLATFORM=offscreen PGPASSWORD=$(TEST_PG_PASSWORD) $(BIN)/pytest

test: lint types unit

# The one-folder program (build_spec/justice_desktop.spec): dist/justice-desktop/justice-desktop
# with everything it needs beside it; `deb` and `installer` package that folder
# (build_spec/PACKAGING.md). The test extra includes PyInstaller: tests/build build the bundle.
bundle: $(TEST_STAMP)
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
		build_spec/justice_desktop.spec

deb: bundle
	$(BIN)/python build_spec/build_deb.py --bundle dist/justice-desktop --out dist

installer: bundle
	$(BIN)/python build_spec/build_installer.py --bundle dist/justice-desktop --out dist

bench: $(STAMP)
	$(BIN)/python -m bench.store_bench

clean:
	rm -rf $(VENV) build dist *.egg-info
