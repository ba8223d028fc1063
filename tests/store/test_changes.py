"""The data's version (etl/store/changes.py): every writer that changes what the dashboard shows moves it, in the
change's own transaction, and nothing else does."""

from pathlib import Path

from sqlalchemy.engine import Engine

from etl.ingest.load import load_paths
from etl.store.changes import version
from etl.store.rollups import catch_up
from tests.conftest import DATA, copy_data


def now(engine: Engine) -> int:
    with engine.connect() as conn:
        return version(conn)


def test_a_load_moves_the_version_and_what_changes_nothing_does_not(engine: Engine, tmp_path: Path) -> None:
    assert now(engine) == 0
    assert all(r.ok for r in load_paths(engine, [DATA]))
    loaded = now(engine)
    assert loaded > 0
    assert all(r.ok for r in load_paths(engine, [DATA]))  # already loaded: nothing new
    assert now(engine) == loaded
    bad = copy_data(tmp_path) / "followers.csv"
    bad.write_text(bad.read_text().replace("\n2", "\nnot a day 2", 1))
    assert not load_paths(engine, [bad])[0].ok  # rejected whole: nothing written
    assert now(engine) == loaded
    assert not catch_up(engine)  # no rollup behind: nothing refreshed
    assert now(engine) == loaded
    # Alerts move it too: tests/metrics/test_alerts.py.
