# jingzhun — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# the last file frontend/build.mjs copies: a tree built before it was added is built again
VENDOR := jingzhun/static/vendor/swagger-ui/favicon-32x32.png
# two workers: the machines have two cores (each worker has its own test database); the Spark tests
# go to one worker as a group (one JVM) while the other runs the rest; the 20 slowest are listed at the end
PYTEST_ARGS ?= -n 2 --dist loadgroup --durations=20

.PHONY: demo test install frontend browser messages clean

demo: install
	$(VENV)/bin/jingzhun demo

test: install browser
	$(PY) -m pytest $(PYTEST_ARGS)

install: $(STAMP) $(VENDOR)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# htmx and ECharts come from the npm registry (frontend/package-lock.json) and are copied into
# jingzhun/static/vendor/, which is generated and never committed.
$(VENDOR): frontend/package.json frontend/package-lock.json frontend/build.mjs
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

# Browser tests drive Debian's chromium (Playwright never downloads a browser of its own here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# The English catalog: the words of the rule files and the indicator catalog as Python (which
# makemessages reads), then the .po (translate its new entries) and the compiled .mo.
messages: install
	$(PY) scripts/data_strings.py
	cd jingzhun && ../$(PY) ../manage.py makemessages -l en --no-obsolete
	msgfmt --check-format -o jingzhun/locale/en/LC_MESSAGES/django.mo jingzhun/locale/en/LC_MESSAGES/django.po

clean:
	rm -rf $(VENV) frontend/node_modules jingzhun/static/vendor test-artifacts
