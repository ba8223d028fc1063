"""Reply timing stored at load: equal to timing on the fly, kept true when a clock changes, summed by the database."""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from etl.ingest.load import load_paths
from etl.ingest.timing import retime, time_untimed
from etl.metrics.responsiveness import cutoffs
from etl.metrics.responsiveness.reads import read_timed, summarise_stored
from etl.metrics.responsiveness.sums import summarise
from etl.metrics.responsiveness.timing import reply_timing
from etl.metrics.schedules import Week
from etl.metrics.worktime import Clocks, Deadline
from etl.store.db import make_engine
from etl.store.scope import LEVELS, SUBTREE_COLUMN, resolve_scope
from tests.metrics.test_kpis import SETTINGS, D, postgres, write_csvs


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    """The hand-checked scenario of tests/metrics/test_kpis.py loaded by the real loader."""
    engine = make_engine(f"sqlite:///{tmp_path / 'timing.db'}") if request.param == "sqlite" else postgres()
    folder = tmp_path / "csv"
    folder.mkdir()
    assert all(r.ok for r in load_paths(engine, [write_csvs(folder)]))
    return engine


def stored(engine: Engine) -> pd.DataFrame:
    """Every inquiry's stored timing with what is needed to time it again."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT i.inquiry_id, a.territory_code, i.received_at, i.first_reply_at, i.work_min, i.work_days "
                "FROM inquiry i JOIN account a ON a.id = i.account_pk ORDER BY i.inquiry_id"
            )
        ).all()
    frame = pd.DataFrame(rows, columns=["id", "territory", "received", "replied", "work_min", "work_days"])
    for col in ("received", "replied"):
        frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601").dt.tz_localize(None)
    return frame.astype({"work_min": "float64", "work_days": "float64"})


def test_loaded_inquiries_are_timed(db: Engine) -> None:
    """Each answered inquiry carries the working minutes and days the clock gives; an unanswered one none."""
    rows = stored(db)
    with db.connect() as conn:
        clocks = Clocks.load(conn, SETTINGS.data_dir)
    work, days = reply_timing(rows["received"], rows["replied"], rows["territory"], clocks)
    answered = rows["replied"].notna()
    assert answered.sum() == 8 and (~answered).sum() == 2
    pd.testing.assert_series_equal(rows["work_min"], work, check_names=False)
    pd.testing.assert_series_equal(rows["work_days"], days, check_names=False)
    assert rows.loc[~answered, ["work_min", "work_days"]].isna().all().all()


@pytest.mark.parametrize("deadline", ["8wh", "9wh", "24h", "1wd", "2wd", "0.5h"])
def test_database_sums_agree_with_the_engine(db: Engine, deadline: str) -> None:
    """Counts, rates and reply-time quantiles summed by the database equal the engine's row by row figures."""
    rule = Deadline.parse(deadline)
    for level in LEVELS:
        with db.connect() as conn:
            scope = resolve_scope(conn, level, D(1), D(10), None, None, None)
            key = _key(level)
            fast = summarise_stored(conn, scope, key, rule, SETTINGS)
            slow = summarise(read_timed(conn, scope, key, rule, SETTINGS), "key", SETTINGS)
        assert fast is not None
        slow = slow[fast.columns].sort_values("key", ignore_index=True)
        fast = fast.sort_values("key", ignore_index=True)
        pd.testing.assert_frame_equal(fast, slow, check_dtype=False)


def _key(level: str):  # type: ignore[no-untyped-def]
    """The grouping column of `level`."""
    from etl.metrics.responsiveness.reads import key_column

    return key_column(level) if level in SUBTREE_COLUMN or level == "account" else key_column("all")


def test_untimed_inquiries_are_timed_by_the_next_load(db: Engine) -> None:
    """A database from before timing was stored (or whose clocks changed) is timed again, with the same result."""
    before = stored(db)
    with db.begin() as conn:
        conn.execute(text("UPDATE inquiry SET work_min = NULL, work_days = NULL"))
    with db.connect() as conn:
        scope = resolve_scope(conn, "region", D(1), D(10), None, None, None)
        assert summarise_stored(conn, scope, _key("region"), Deadline.parse("8wh"), SETTINGS) is None
    load_paths(db, [])
    pd.testing.assert_frame_equal(stored(db), before)
    with db.begin() as conn:
        assert time_untimed(conn) == 0


def test_without_kept_data_times_the_engine_sums_row_by_row(db: Engine) -> None:
    """A database whose data times are not kept yet (not loaded since they were) is summed by the engine, with
    the same figures, until the next load keeps them again."""
    with db.connect() as conn:
        scope = resolve_scope(conn, "region", D(1), D(10), None, None, None)
        before = summarise_stored(conn, scope, _key("region"), Deadline.parse("8wh"), SETTINGS)
    with db.begin() as conn:
        conn.execute(text("DELETE FROM datatime"))
    with db.connect() as conn:
        assert summarise_stored(conn, scope, _key("region"), Deadline.parse("8wh"), SETTINGS) is None
        slow = summarise(read_timed(conn, scope, _key("region"), Deadline.parse("8wh"), SETTINGS), "key", SETTINGS)
    assert before is not None and before["missed"].sum() > 0
    pd.testing.assert_frame_equal(slow[before.columns], before, check_dtype=False)
    load_paths(db, [])
    with db.connect() as conn:
        again = summarise_stored(conn, scope, _key("region"), Deadline.parse("8wh"), SETTINGS)
    assert again is not None
    pd.testing.assert_frame_equal(again, before)


def test_a_territory_in_another_time_zone_is_timed_again(db: Engine, tmp_path: Path) -> None:
    """A territories file moving the region to another time zone has its pages' inquiries timed on the new clock."""
    before = stored(db)
    folder = tmp_path / "moved"
    folder.mkdir()
    territories = pd.read_csv(tmp_path / "csv" / "territories.csv", dtype=str, keep_default_na=False)
    territories.assign(timezone="Asia/Kamchatka").to_csv(folder / "territories.csv", index=False)
    assert all(r.ok for r in load_paths(db, [folder / "territories.csv"]))
    after = stored(db)
    assert after["work_min"].notna().sum() == before["work_min"].notna().sum() == 8
    assert not after["work_min"].equals(before["work_min"])
    with db.connect() as conn:
        clocks = Clocks.load(conn, SETTINGS.data_dir)
    work, _ = reply_timing(after["received"], after["replied"], after["territory"], clocks)
    pd.testing.assert_series_equal(after["work_min"], work, check_names=False)


def test_retime_follows_a_new_schedule(db: Engine) -> None:
    """`retime` (run by `govpulse refresh` after schedules.csv changes) times every inquiry on the clocks given."""
    before = stored(db)
    with db.connect() as conn:
        registry = pd.DataFrame(
            conn.execute(text("SELECT code, parent_code, timezone, country_code FROM territory")).all(),
            columns=["code", "parent_code", "timezone", "country_code"],
        )
    every_day = Week.office("08:00", "20:00", None, range(1, 8))
    clocks = Clocks.from_frame(registry, {code: every_day for code in registry["country_code"].dropna().unique()})
    with db.begin() as conn:
        assert retime(conn, clocks) == 8
    after = stored(db)
    assert not after["work_min"].equals(before["work_min"])
    work, days = reply_timing(after["received"], after["replied"], after["territory"], clocks)
    pd.testing.assert_series_equal(after["work_min"], work, check_names=False)
    pd.testing.assert_series_equal(after["work_days"], days, check_names=False)


@pytest.mark.parametrize("deadline", ["8wh", "24h", "1wd", "3wd", "30wh", "1.5h"])
def test_unanswered_past_the_deadline_are_counted_exactly(db: Engine, deadline: str) -> None:
    """Hundreds of unanswered inquiries at random seconds of nine days: the database's count of those past the
    deadline at the as-of time equals the engine's verdict on each."""
    rng = np.random.default_rng(7)
    start = dt.datetime(2025, 2, 28, 19, 0)
    rows = []
    for n in range(400):
        at = start + dt.timedelta(seconds=int(rng.integers(0, 9 * 86_400)))
        on = (at + dt.timedelta(hours=5)).date()
        rows.append({"a": int(rng.integers(1, 6)), "i": f"r{n}", "at": at, "on": on})
    with db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO inquiry (account_pk, inquiry_id, channel, received_at, received_on) "
                "VALUES (:a, :i, 'comment', :at, :on)"
            ),
            rows,
        )
    cutoffs._FOUND.clear()  # searched afresh, then remembered
    test_database_sums_agree_with_the_engine(db, deadline)
    with db.connect() as conn:
        scope = resolve_scope(conn, "region", D(1), D(10), None, None, None)
        row = summarise_stored(conn, scope, _key("region"), Deadline.parse(deadline), SETTINGS)
    assert row is not None and row["missed"].iloc[0] > 100 and row["pending"].iloc[0] > 0
    assert any(key[3] == Deadline.parse(deadline) for key in cutoffs._FOUND)
    test_database_sums_agree_with_the_engine(db, deadline)  # with the cutoffs remembered


def test_data_times_are_kept_by_the_loads(db: Engine, tmp_path: Path) -> None:
    """Each delivery's latest receipt or reply, kept by the loads, equals the one worked out from the inquiries,
    also after a territories file moves a district to another region."""
    from etl.metrics.responsiveness.asof import data_times, scan_data_times

    def both() -> tuple[dict[str, pd.Timestamp], dict[str, pd.Timestamp]]:
        with db.connect() as conn:
            deliveries = [d for (d,) in conn.execute(text("SELECT delivery FROM datatime")).all()]
            return data_times(conn, deliveries, D(-400)), scan_data_times(conn, deliveries, D(-400))

    kept, scanned = both()
    assert kept == scanned and len(kept) >= 1
    folder = tmp_path / "moved"
    folder.mkdir()
    territories = pd.read_csv(tmp_path / "csv" / "territories.csv", dtype=str, keep_default_na=False)
    district = territories["level"] == "district"
    assert district.any()
    new_region = territories.iloc[[0]].assign(code="KZ-NEW", name_ru="Новая", name_en="New", level="region")
    new_region["parent_code"] = territories.loc[territories["level"] == "country", "code"].iloc[0]
    territories.loc[district.idxmax(), "parent_code"] = "KZ-NEW"
    pd.concat([territories, new_region]).to_csv(folder / "territories.csv", index=False)
    assert all(r.ok for r in load_paths(db, [folder / "territories.csv"]))
    kept, scanned = both()
    assert kept == scanned and "KZ-NEW" in kept
