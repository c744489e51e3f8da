# geoaccess: the two commands are `make demo` and `make test`; each sets itself up.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
OUT    ?= out

.PHONY: demo test lint bench bench-real bench-scale bench-versus fuzz stress browser clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Run the main job on the bundled Aleppo 2016 scenario (HTML map and tables in out/).
demo: $(STAMP)
	$(PY) -m geoaccess demo --out $(OUT)

## Set up, then run the whole test suite (installs Debian Chromium when root).
test: $(STAMP) browser
	$(PY) -m ruff check geoaccess tests benchmarks scripts
	$(PY) -m ruff format --check --quiet geoaccess tests benchmarks scripts
	$(PY) -m pytest

## Headless Chromium for the browser tests (Debian package; only when running as root).
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "installing Debian chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
			|| echo "chromium could not be installed; browser tests will skip"; \
	fi

lint: $(STAMP)
	$(PY) -m ruff check geoaccess tests benchmarks scripts
	$(PY) -m mypy geoaccess

## Side-by-side benchmarks against tobler, rasterstats/exactextract and networkx.
bench: $(STAMP)
	$(PY) -m benchmarks

## Real control maps before and after (Avdiivka, the generated regional case).
bench-real: $(STAMP)
	$(PY) -m benchmarks.bench_real

bench-scale: $(STAMP)
	$(PY) -m benchmarks.scale

## Side by side against another commit: make bench-versus REV=HEAD~1
REV ?= HEAD~1
bench-versus: $(STAMP)
	$(PY) -m benchmarks.versus $(REV)

fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests -k fuzz

## The distributed timeline that once hung, fifty times on fresh clusters.
stress: $(STAMP)
	GEOACCESS_STRESS_RUNS=50 GEOACCESS_STRESS_END=2016-12-31 $(PY) -m pytest tests/test_dask.py -k again_and_again

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache build dist
