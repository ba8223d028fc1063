"""The dashboard on a PostgreSQL read replica: a hot standby streaming from the primary (`.ci/run` starts one), where
no session may write, not even a temporary table. Every page of every view renders from it with the primary's
figures, and a load the primary left behind is left to a writer instead of failing the replica's readers."""

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from etl import demo
from etl.ingest.load import READ_ONLY, load_paths
from etl.metrics.kpis import kpi_table
from etl.store.db import make_engine
from tests.conftest import postgres_url, replica_url
from tests.dashboard.support import END, PAGES, open_app, using

VIEWS = [{}, {"country": "RU"}, {"country": "RU", "region": "RU-ALT"}]


def caught_up(primary: Engine, replica: Engine, timeout_s: float = 60) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with primary.connect() as conn:
        written = conn.execute(text("SELECT pg_current_wal_lsn()")).scalar()
    deadline = time.monotonic() + timeout_s
    with replica.connect() as conn:
        lag = text("SELECT pg_wal_lsn_diff(CAST(:lsn AS pg_lsn), pg_last_wal_replay_lsn())")
        while conn.execute(lag, {"lsn": written}).scalar() > 0:
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.1)


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Engine, Path]]:
    """Two months of the demo loaded into the primary, replayed by the replica: (primary, replica, data folder)."""
    url = replica_url()
    folder = tmp_path_factory.mktemp("replica")
    primary = make_engine(postgres_url())
    SQLModel.metadata.drop_all(primary)
    SQLModel.metadata.create_all(primary)
    demo.write_demo(folder / "csv", end=END, months=2)
    results = load_paths(primary, [folder / "csv"])
    assert all(r.ok for r in results), [(r.path, r.message) for r in results]
    standby = make_engine(url)
    caught_up(primary, standby)
    with standby.connect() as conn:
        assert conn.execute(text("SELECT pg_is_in_recovery()")).scalar()
    yield primary, standby, folder
    standby.dispose()
    primary.dispose()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_of_every_view_renders_from_the_replica(replica: tuple[Engine, Engine, Path], page: str) -> None:
    _, standby, folder = replica
    with using(folder):  # and its database is the replica's (`using` puts the variable back)
        os.environ["GOVPULSE_DATABASE_URL"] = standby.url.render_as_string(hide_password=False)
        for view in VIEWS:
            at = open_app(page, **view)
            shown = [at.main.get(kind) for kind in ("metric", "dataframe", "plotly_chart", "markdown", "info")]
            assert any(shown), (page, view)


def test_its_tables_are_the_primarys_and_a_load_left_behind_waits_for_a_writer(
    replica: tuple[Engine, Engine, Path],
) -> None:
    primary, standby, _ = replica
    start = END.replace(day=1)
    for level in ("country", "region", "account"):
        pd.testing.assert_frame_equal(kpi_table(standby, level, start, END), kpi_table(primary, level, start, END))
    with primary.begin() as conn:
        conn.execute(text("INSERT INTO replydirty (region_code, day) VALUES ('RU-ALT', :d)"), {"d": start})
    try:
        caught_up(primary, standby)
        again = make_engine(standby.url.render_as_string(hide_password=False))
        try:
            exact = kpi_table(again, "region", start, END)
            assert not exact.attrs["approximate"]
            pd.testing.assert_frame_equal(exact, kpi_table(primary, "region", start, END))
        finally:
            again.dispose()
        with standby.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM replydirty")).scalar() == 1
    finally:
        with primary.begin() as conn:
            conn.execute(text("DELETE FROM replydirty"))


def test_a_file_loaded_through_the_replica_is_refused_saying_why(replica: tuple[Engine, Engine, Path]) -> None:
    _, standby, folder = replica
    path = next((folder / "csv").glob("accounts*.csv"))
    [result] = load_paths(standby, [path])
    assert (result.status, result.message) == ("rejected", f"{path}: {READ_ONLY}")
