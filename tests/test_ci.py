"""The suite on CI: what it needs cannot be missing there, and `.ci/run` provides it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.mark.parametrize(("ci", "outcome"), [("true", "1 error"), ("", "1 skipped")])
def test_missing_postgresql_fails_on_ci(ci: str, outcome: str) -> None:
    """Without GOVPULSE_TEST_POSTGRES_URL a PostgreSQL test is skipped, saying how to set it, except with CI=true,
    where it fails."""
    # PYTEST_ADDOPTS may name test files, this one too: the inner run takes the one test below and nothing else.
    left_out = ("CI", "GOVPULSE_TEST_POSTGRES_URL", "PYTEST_ADDOPTS")
    env = {k: v for k, v in os.environ.items() if k not in left_out} | {"CI": ci}
    test = "tests/ingest/test_load.py::test_unrecognised_header_is_a_clear_error[postgresql]"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert outcome in done.stdout, done.stdout
    assert "GOVPULSE_TEST_POSTGRES_URL=postgresql+psycopg://" in done.stdout


def test_ci_script_runs_strict_with_its_own_postgresql() -> None:
    """`.ci/run` says it is CI (so nothing is skipped for want of a browser or a database), starts PostgreSQL and a
    read replica of it, and points the suite at both before `make test`."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test = script.index("make test")
    assert 0 < script.index("export CI=true") < test
    assert 0 < script.index('pg_ctl" -D "$PGBASE/data"') < test
    assert 0 < script.index("export GOVPULSE_TEST_POSTGRES_URL=") < test
    assert 0 < script.index('pg_ctl" -D "$PGBASE/replica"') < test
    assert 0 < script.index("export GOVPULSE_TEST_POSTGRES_REPLICA_URL=") < test
