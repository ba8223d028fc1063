"""Fixtures: real databases loaded by the real ETL from the small hand-readable CSVs in tests/data."""

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from etl.db import make_engine
from etl.load import load_paths

DATA = Path(__file__).parent / "data"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """An empty SQLite database file."""
    eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    yield eng
    eng.dispose()


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    """A database with every file of tests/data loaded."""
    results = load_paths(engine, [DATA])
    assert all(r.ok for r in results), [(r.path, r.message, r.errors) for r in results]
    return engine


def dump(engine: Engine) -> list[str]:
    """Every statement that recreates the database's content, for exact comparison."""
    path = engine.url.database
    assert path
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def copy_data(tmp_path: Path) -> Path:
    """A private copy of tests/data to change."""
    folder = tmp_path / "data"
    folder.mkdir()
    for f in DATA.glob("*.csv"):
        (folder / f.name).write_bytes(f.read_bytes())
    return folder
