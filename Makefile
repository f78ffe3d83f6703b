# Set-up and the two top-level jobs of the README. Every target installs what a fresh machine lacks.
PYTHON ?= python3
VENV := .venv
PYWB_VENV := .venv-pywb
PIP_FLAGS := --quiet --disable-pip-version-check
APT_PACKAGES := chromium redis-server
PORT ?= 8080

.PHONY: setup system-packages demo test lint bench clean

setup: system-packages $(VENV)/.installed $(PYWB_VENV)/.installed

# Debian packages (root on the target machines; sudo elsewhere).
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install $(PIP_FLAGS) --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	$(VENV)/bin/pip install $(PIP_FLAGS) -e '.[test]' 2>&1 | grep -v "^WARNING: Location" || true
	$(VENV)/bin/python -c "import scrapy_playwright, warcio, yaml, pytest_playwright" 
	touch $@

# pywb pins old redis/brotlipy that break Scrapy in a shared venv: it gets its own.
$(PYWB_VENV)/.installed:
	test -x $(PYWB_VENV)/bin/python || $(PYTHON) -m venv $(PYWB_VENV)
	$(PYWB_VENV)/bin/pip install $(PIP_FLAGS) 'pywb==2.10.*' 'setuptools<81' 2>&1 | grep -v "^WARNING: Location" || true
	$(PYWB_VENV)/bin/python -c "import pywb"
	touch $@

demo: setup
	$(VENV)/bin/sma demo --port $(PORT)

# Two workers (CI has 2 cores); tests sharing a skin's crawl or a module's fixtures run in one worker
# (tests/conftest.py gives each test its xdist group). The slowest 15 tests are listed at the end.
TEST_WORKERS ?= 2
test: setup
	$(VENV)/bin/python -m pytest -q -n $(TEST_WORKERS) --dist loadgroup --durations=15

lint: setup
	$(VENV)/bin/ruff check .

bench: setup
	$(VENV)/bin/python bench/capture_cost.py

clean:
	rm -rf $(VENV) $(PYWB_VENV) demo-archive
