# govpulse: `make run` serves the dashboard on demo data, `make test` runs the whole suite.
# Only python3 is needed: uv is installed into .tools/, the project into .venv/ from uv.lock.

PYTHON ?= python3
UV := .tools/bin/uv
RUN := $(UV) run --locked
# The product alone, without the test and bench tools (the dependency group `dev`): what `make run` installs and uses.
RUN_LEAN := $(UV) run --locked --no-dev
HOST = 127.0.0.1
PORT = 8501
export UV_PYTHON_DOWNLOADS := never
export UV_COMPILE_BYTECODE := 1

# A port that is taken is told in one line before anything is installed; -q then ends make with status 1 and no
# words of its own (`run` is never up to date, and -q runs no recipe).
ifneq ($(filter run,$(MAKECMDGOALS)),)
BUSY := $(shell $(PYTHON) -m dashboard.listen $(HOST) $(PORT))
ifneq ($(BUSY),)
$(info $(BUSY))
MAKEFLAGS += -q
endif
endif

.PHONY: run test lint format demo bench clean

$(UV):
	@$(PYTHON) -m venv .tools || { echo "python3 cannot create a virtual environment: apt-get install python3-venv"; exit 1; }
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"

# The full environment (tests, lint, bench): the product and the dependency group `dev`.
.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --quiet
	@touch $@

# The product alone; --inexact keeps the test tools of a full environment made before (nothing to reinstall).
.venv/.runtime: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --quiet --no-dev --inexact
	@touch $@

run: .venv/.runtime
	$(RUN_LEAN) govpulse demo --if-empty
	$(RUN_LEAN) govpulse serve --host $(HOST) --port $(PORT)

test: .venv/.synced
	$(RUN) pytest

lint: .venv/.synced
	$(RUN) ruff check etl dashboard tests
	$(RUN) ruff format --check etl dashboard tests
	$(RUN) mypy

format: .venv/.synced
	$(RUN) ruff format etl dashboard tests
	$(RUN) ruff check --fix etl dashboard tests

demo: .venv/.runtime
	$(RUN_LEAN) govpulse demo

# National-scale benchmarks and the demo's briefing pack and collector, about an hour on 2 cores (needs the sqlite3 tool
# and /usr/bin/chromium, see docs/performance.md); `make bench BENCH_ROWS=1000000` is a quick run, BENCH_SKIP=… leaves
# sections out. Figures in bench/results/ (one file per run) and the tables of docs/performance.md, written from them.
# BENCH_POSTGRES_URL=postgresql+psycopg://user@host:port/db (a database the run empties) runs the national sections
# (national, b, c, d) on PostgreSQL too, from the same files, side by side with SQLite.
bench: .venv/.synced
	$(RUN) python -m bench

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache
