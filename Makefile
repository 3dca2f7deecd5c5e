# Two commands: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV := .venv
PROXY_VENV := .venv-proxy
PIP := $(VENV)/bin/pip
PIP_FLAGS := --quiet --disable-pip-version-check -c constraints.txt

# Two workers: most tests wait on subprocesses, servers and the UI, not on the CPU.
TEST_WORKERS ?= 2

.PHONY: system-deps run test lint format bench screenshots proxy-venv clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml constraints.txt
	$(PIP) install $(PIP_FLAGS) -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(PIP) install $(PIP_FLAGS) -e '.[dev]'
	touch $@

# The LiteLLM proxy pins rich<14 while Textual needs rich>=14, so the real proxy
# used by the end-to-end tests lives in a venv of its own, like a container would.
$(PROXY_VENV)/.installed: constraints.txt
	$(PYTHON) -m venv $(PROXY_VENV)
	$(PROXY_VENV)/bin/pip install $(PIP_FLAGS) 'litellm[proxy]'
	touch $@

proxy-venv: $(PROXY_VENV)/.installed

# Real parts the suite starts itself (Debian packages): a Secret Service for the real-keyring
# test. Installed only when missing, and only where apt-get can (root); otherwise that test skips.
SYSTEM_TOOLS := gnome-keyring-daemon:gnome-keyring dbus-run-session:dbus-daemon
system-deps:
	@missing=""; for pair in $(SYSTEM_TOOLS); do command -v $${pair%%:*} >/dev/null || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing$$missing"; \
	    apt-get install -y --no-install-recommends -q$$missing >/dev/null || { apt-get update -q >/dev/null && apt-get install -y --no-install-recommends -q$$missing >/dev/null; }; \
	  else echo "missing$$missing (not root or no apt-get): the tests that need them skip"; fi; \
	fi

run: $(VENV)/.installed
	$(VENV)/bin/llmtui

test: system-deps $(VENV)/.dev-installed $(PROXY_VENV)/.installed
	$(VENV)/bin/ruff check llmtui tests migrations bench
	$(VENV)/bin/ruff format --check llmtui tests migrations bench
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS) || { rc=$$?; [ $$rc -eq 5 ] && echo "no tests collected" && exit 0; exit $$rc; }

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check llmtui tests migrations bench
	$(VENV)/bin/ruff format --check llmtui tests migrations bench

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff format llmtui tests migrations bench
	$(VENV)/bin/ruff check --fix llmtui tests migrations bench

bench: $(VENV)/.dev-installed
	$(VENV)/bin/python -m bench

# SVGs of every screen and dialog at 80x24 and 120x40 (the snapshot scenarios) for the README.
screenshots: $(VENV)/.dev-installed
	$(VENV)/bin/python -m tests.support.screenshots screenshots

clean:
	rm -rf $(VENV) $(PROXY_VENV) .pytest_cache .ruff_cache
