"""Fixtures: real databases loaded by the real ETL from the small hand-readable CSVs in tests/data."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from etl.ingest.load import load_paths
from etl.store.db import make_engine

DATA = Path(__file__).parent / "data"
POSTGRES_URL = os.environ.get("GOVPULSE_TEST_POSTGRES_URL", "")
# A read replica of that server (a hot standby streaming from it), for the dashboard's reads there.
REPLICA_URL = os.environ.get("GOVPULSE_TEST_POSTGRES_REPLICA_URL", "")
NO_POSTGRES = (
    "PostgreSQL tests skipped: set GOVPULSE_TEST_POSTGRES_URL=postgresql+psycopg://user@host:port/db "
    "(.ci/run starts a server and sets it)"
)
# On CI (CI=true) a test that needs PostgreSQL fails without it: a green run must have run them.
CI = os.environ.get("CI") == "true"


def pytest_report_header() -> str:
    """Say which databases the suite runs on."""
    return "databases: SQLite and PostgreSQL" if POSTGRES_URL else f"databases: SQLite only. {NO_POSTGRES}"


def postgres_url() -> str:
    """The test PostgreSQL database's URL; without one the test is skipped, or on CI fails."""
    if not POSTGRES_URL:
        if CI:
            pytest.fail(f"CI needs PostgreSQL: {NO_POSTGRES.replace('PostgreSQL tests skipped: ', '')}")
        pytest.skip(NO_POSTGRES)
    return POSTGRES_URL


def replica_url() -> str:
    """The URL of the test database on a read replica of the test server; skipped, or on CI failed, without one."""
    postgres_url()
    if not REPLICA_URL:
        why = "set GOVPULSE_TEST_POSTGRES_REPLICA_URL to the test database on a hot standby of that server"
        if CI:
            pytest.fail(f"CI needs a read replica: {why} (.ci/run starts one)")
        pytest.skip(f"read replica tests skipped: {why}")
    return REPLICA_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database: an SQLite file, and an emptied PostgreSQL database when one is configured (on CI it must
    be)."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    else:
        eng = make_engine(postgres_url())
        SQLModel.metadata.drop_all(eng)
        SQLModel.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    """A database with every file of tests/data loaded."""
    results = load_paths(engine, [DATA])
    assert all(r.ok for r in results), [(r.path, r.message, r.errors) for r in results]
    return engine


# The tables that log when things happened (the time of each load and of each change): the same data loaded twice
# differs only there.
LOGS = ("loadlog", "datachange")


def dump(engine: Engine) -> list[Any]:
    """Every row of every table, in a fixed order, for exact comparison."""
    out: list[Any] = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            out.append((table.name, sorted((tuple(r) for r in rows), key=repr)))
    return out


def copy_data(tmp_path: Path) -> Path:
    """A private copy of tests/data to change."""
    folder = tmp_path / "data"
    folder.mkdir()
    for f in DATA.glob("*.csv"):
        (folder / f.name).write_bytes(f.read_bytes())
    return folder
