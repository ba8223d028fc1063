"""A load stopped between its file and its rollups (a crash, kill -9): every reader sees the state before the load or
the clean load's, never the two mixed."""

import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

from etl.ingest.extract import open_source
from etl.ingest.load import load_paths, load_source
from etl.metrics.kpis import kpi_table
from etl.store import rollups
from etl.store.db import make_engine
from tests.conftest import DATA, postgres_url

FIRST, LAST = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
REGISTRY = [DATA / "territories.csv", DATA / "accounts.csv"]


def report(engine: Engine) -> pd.DataFrame:
    """What `govpulse report` tells of every region."""
    return kpi_table(engine, "region", FIRST, LAST).sort_values("territory_code", ignore_index=True)


def test_a_reader_finishes_the_rollups_a_stopped_load_left(engine: Engine, tmp_path: Path) -> None:
    """The file committed, its rollups not: the next engine opened (report, brief, serve) refreshes them first, and
    then reads what a clean load gives."""
    load_paths(engine, REGISTRY)
    load_source(engine, open_source(DATA / "followers.csv"), skip_bad_rows=False, chunk_rows=100_000)
    with engine.connect() as conn:
        assert rollups.behind(conn)
    mixed = report(engine)
    clean_engine = make_engine(f"sqlite:///{tmp_path / 'clean.db'}")
    load_paths(clean_engine, [*REGISTRY, DATA / "followers.csv"])
    clean = report(clean_engine)
    assert not mixed.equals(clean)  # read before the catch-up, new rows and old sums disagree
    reopened = make_engine(engine.url.render_as_string(hide_password=False))
    with reopened.connect() as conn:
        assert not rollups.behind(conn)
    pd.testing.assert_frame_equal(report(reopened), clean)


def test_a_read_only_role_reads_while_the_rollups_wait(tmp_path: Path) -> None:
    """A dashboard's read-only role (docs/deploy.md) opens a PostgreSQL database whose rollups a stopped load left
    behind: it reads instead of failing on the refresh it may not write, and once a writer's command has opened the
    database it reads what a clean load gives."""
    url = make_url(postgres_url())
    engine = make_engine(url.render_as_string(hide_password=False))
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    load_paths(engine, REGISTRY)
    load_source(engine, open_source(DATA / "followers.csv"), skip_bad_rows=False, chunk_rows=100_000)
    reader = "govpulse_test_reader"
    with engine.begin() as conn:
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": reader}).first():
            conn.execute(text(f"DROP OWNED BY {reader}"))
            conn.execute(text(f"DROP ROLE {reader}"))
        conn.execute(text(f"CREATE ROLE {reader} LOGIN PASSWORD 'read-only'"))
        conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader}"))
    try:
        reading = make_engine(url.set(username=reader, password="read-only").render_as_string(hide_password=False))
        with reading.connect() as conn:
            assert rollups.behind(conn) and not rollups.may_refresh(conn)
        report(reading)
        make_engine(url.render_as_string(hide_password=False)).dispose()  # a writer's command: the catch-up
        clean_engine = make_engine(f"sqlite:///{tmp_path / 'clean.db'}")
        load_paths(clean_engine, [*REGISTRY, DATA / "followers.csv"])
        pd.testing.assert_frame_equal(report(reading), report(clean_engine), check_dtype=False)
        reading.dispose()
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {reader}"))
            conn.execute(text(f"DROP ROLE {reader}"))
        engine.dispose()


def _govpulse(folder: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GOVPULSE_DATA_DIR": str(folder), "GOVPULSE_DATABASE_URL": f"sqlite:///{folder / 'g.db'}"}
    return subprocess.Popen([sys.executable, "-m", "dashboard", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip


def _report(folder: Path) -> str:
    env = {**os.environ, "GOVPULSE_DATA_DIR": str(folder), "GOVPULSE_DATABASE_URL": f"sqlite:///{folder / 'g.db'}"}
    args = [sys.executable, "-m", "dashboard", "report", "--level", "region", "--from", "2026-10-01", "--to",
            "2026-11-30", "--format", "csv"]  # fmt: skip
    return subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout


def test_kill_9_at_ten_moments(tmp_path: Path) -> None:
    """kill -9 of `govpulse load` at 10 random moments: the database passes its integrity check, `report` gives the
    before or the clean result, and loading again converges to the clean result (`make bench`'s kill section does
    20 moments of a million rows)."""
    start = tmp_path / "start"
    start.mkdir()
    # Two months of the demo's follower snapshots: 59,000 rows, about a second of loading in a four-second run.
    assert _govpulse(start, "demo", "--no-load", "--months", "2", "--end", "2026-11-30").wait() == 0
    demo = start / "demo"
    assert _govpulse(start, "load", str(demo / "territories.csv"), str(demo / "accounts.csv")).wait() == 0
    before = _report(start)
    facts = [str(demo / "followers.csv")]
    clean_dir = tmp_path / "clean"
    clean_dir.mkdir()
    (clean_dir / "g.db").write_bytes((start / "g.db").read_bytes())
    began = time.perf_counter()
    assert _govpulse(clean_dir, "load", *facts).wait() == 0
    took = time.perf_counter() - began
    clean = _report(clean_dir)
    assert clean != before
    moments = random.Random(2019).sample(range(1, 100), 10)
    seen = {"before": 0, "clean": 0}
    for i, percent in enumerate(moments):
        run = tmp_path / f"kill{i}"
        run.mkdir()
        (run / "g.db").write_bytes((start / "g.db").read_bytes())
        load = _govpulse(run, "load", *facts)
        time.sleep(took * percent / 100)
        os.killpg(load.pid, signal.SIGKILL)
        load.wait()
        with sqlite3.connect(run / "g.db") as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        told = _report(run)
        assert told in (before, clean), f"killed at {percent}% of the load"
        seen["before" if told == before else "clean"] += 1
        if i % 2 == 0:  # loading again converges (checked at every other moment: each takes two more runs)
            assert _govpulse(run, "load", *facts).wait() == 0
            assert _report(run) == clean
    assert seen["before"] and seen["clean"], seen
