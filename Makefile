# govpulse: `make run` serves the dashboard on demo data, `make test` runs the whole suite.
# Only python3 is needed: uv is installed into .tools/, the project into .venv/ from uv.lock.

PYTHON ?= python3
UV := .tools/bin/uv
RUN := $(UV) run --locked
export UV_PYTHON_DOWNLOADS := never
export UV_COMPILE_BYTECODE := 1

.PHONY: run test lint format demo bench clean

$(UV):
	@$(PYTHON) -m venv .tools || { echo "python3 cannot create a virtual environment: apt-get install python3-venv"; exit 1; }
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --quiet
	@touch $@

run: .venv/.synced
	$(RUN) govpulse demo --if-empty
	$(RUN) govpulse serve

test: .venv/.synced
	$(RUN) pytest

lint: .venv/.synced
	$(RUN) ruff check etl dashboard tests
	$(RUN) ruff format --check etl dashboard tests
	$(RUN) mypy

format: .venv/.synced
	$(RUN) ruff format etl dashboard tests
	$(RUN) ruff check --fix etl dashboard tests

demo: .venv/.synced
	$(RUN) govpulse demo

# National-scale benchmarks, about an hour on 2 cores (needs the sqlite3 tool and /usr/bin/chromium, see
# docs/performance.md); `make bench BENCH_ROWS=1000000` is a quick run. Figures in bench/results/ and docs/performance.md.
bench: .venv/.synced
	$(RUN) python -m bench

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache
