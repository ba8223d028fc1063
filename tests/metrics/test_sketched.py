"""Reply times of regions and countries read from the histograms: the judged days from ReplyHistogram, the last
few from the inquiries, together exactly the buckets of the judged replies; medians and p90 within 1 %."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InternalError

from etl.metrics.kpis import kpi_table
from etl.metrics.responsiveness.query import responsiveness_parts
from etl.metrics.responsiveness.sketched import is_sketch
from etl.store.db import make_engine
from etl.store.histograms import count_buckets
from tests.metrics.test_kpis import SETTINGS
from tests.store.test_reply_histograms import ACCOUNTS, TERRITORIES, Replies
from tests.store.test_rollups import DAY0

PAGES = [*ACCOUNTS, ("vk", "6", "KZ-A-2", "body"), ("instagram", "7", "KZ-B-1", "head")]
DAYS = 40
FIRST, LAST = DAY0 + dt.timedelta(days=5), DAY0 + dt.timedelta(days=DAYS - 1)
REPLY_TIMES = ["reply_median_min", "reply_p90_min", "reply_median_work_min", "reply_p90_work_min"]
SCOPES = {"all": {}, "KZ-A": {"parent": "KZ-A"}, "vk": {"platform": "vk"}, "heads": {"roles": ["head"]}}


@pytest.fixture
def db(engine: Engine, tmp_path: Path) -> Engine:
    """Seven pages in two regions and the country, forty days of inquiries answered after 0 minutes to weeks (the
    last ones still waiting or too young to judge), loaded by the loader in two deliveries."""
    load = Replies(engine, tmp_path, seed=11)
    load.territories()
    load.accounts(PAGES)
    load.days(PAGES, range(0, 30), "a")
    load.load()
    load.days(PAGES, range(30, DAYS), "b")
    load.load()
    return engine


def within(sketched: pd.DataFrame, exact: pd.DataFrame) -> None:
    """The same table but for the reply times, which are within 1 % (and a tenth of a minute of rounding)."""
    pd.testing.assert_frame_equal(sketched.drop(columns=REPLY_TIMES), exact.drop(columns=REPLY_TIMES))
    both = sketched[REPLY_TIMES].notna() & exact[REPLY_TIMES].notna()
    assert both.to_numpy().sum() > 0
    assert (sketched[REPLY_TIMES].isna() == exact[REPLY_TIMES].isna()).all().all()
    gap = (sketched[REPLY_TIMES] - exact[REPLY_TIMES]).abs()
    assert (gap[both] <= exact[REPLY_TIMES][both] * 0.01 + 0.1).all().all(), (sketched, exact)


def test_region_and_country_rows_are_read_from_the_histograms(db: Engine) -> None:
    """Region and country rows: every count as counted exactly, reply times within 1 %, marked approximate;
    district rows and `exact` tables computed from every inquiry."""
    sketched_any = False
    for level in ("country", "region"):
        for name, scope in SCOPES.items():
            if level == "country" and name == "KZ-A":
                continue
            sketched = kpi_table(db, level, FIRST, LAST, settings=SETTINGS, **scope)  # type: ignore[arg-type]
            exact = kpi_table(db, level, FIRST, LAST, settings=SETTINGS, exact=True, **scope)  # type: ignore[arg-type]
            assert sketched.attrs["approximate"] and not exact.attrs["approximate"], (level, name)
            within(sketched, exact)
            sketched_any |= not sketched[REPLY_TIMES].equals(exact[REPLY_TIMES])
    assert sketched_any, "some figure is read from the histograms"
    district = kpi_table(db, "district", FIRST, LAST, settings=SETTINGS)
    assert not district.attrs["approximate"]
    pd.testing.assert_frame_equal(district, kpi_table(db, "district", FIRST, LAST, settings=SETTINGS, exact=True))


@pytest.mark.parametrize("deadline", ["8wh", "1wd", "24h"])
def test_histograms_and_the_last_days_make_the_judged_replies(db: Engine, deadline: str) -> None:
    """Per region and day, the histogram rows equal the buckets of the judged replies read one by one: no day
    counted twice or left out where the histograms end and the inquiries take over, whatever the deadline."""
    with db.connect() as conn:
        judged_to = conn.execute(text("SELECT max(day) FROM replyhistogram")).scalar()
    assert judged_to is not None
    for name, scope in SCOPES.items():
        for level in ("region", "country")[: 1 if name == "KZ-A" else 2]:
            sums, hist = responsiveness_parts(db, FIRST, LAST, level=level, deadline=deadline, settings=SETTINGS,
                                              **scope)  # type: ignore[arg-type]  # fmt: skip
            exact_sums, times = responsiveness_parts(db, FIRST, LAST, level=level, deadline=deadline,
                                                     settings=SETTINGS, exact=True, **scope)  # type: ignore[arg-type]  # fmt: skip
            assert is_sketch(hist) and not is_sketch(times), name
            pd.testing.assert_frame_equal(sums, exact_sums)
            key = ["place", "day", "unit", "bucket"]
            want = count_buckets(times, ["place", "day"]).sort_values(key, ignore_index=True)
            got = hist.sort_values(key, ignore_index=True)
            pd.testing.assert_frame_equal(got, want, check_dtype=False, obj=f"{name} {level} {deadline}")
            # Both sides of the seam: days read from the histograms and days read from the inquiries.
            assert hist["day"].min() < pd.Timestamp(LAST) - pd.Timedelta(days=7) < hist["day"].max(), name


def test_earlier_data_a_chosen_set_and_a_load_left_behind_are_counted_exactly(db: Engine) -> None:
    """A previous period judged as the data stood (`back`), pages chosen one by one and a database whose rollups
    wait for a refresh are read from the inquiries: exact, and not marked approximate."""
    back = dt.timedelta(days=3)
    earlier = kpi_table(db, "region", FIRST, LAST, settings=SETTINGS, back=back)
    assert not earlier.attrs["approximate"]
    pd.testing.assert_frame_equal(earlier, kpi_table(db, "region", FIRST, LAST, settings=SETTINGS, back=back,
                                                     exact=True))  # fmt: skip
    _, times = responsiveness_parts(db, FIRST, LAST, level="region", accounts=[1, 2], settings=SETTINGS)
    assert not is_sketch(times)
    with db.begin() as conn:
        conn.execute(text("INSERT INTO replydirty (region_code, day) VALUES ('KZ-A', :d)"), {"d": DAY0})
    behind = kpi_table(db, "region", FIRST, LAST, settings=SETTINGS)
    assert not behind.attrs["approximate"]
    pd.testing.assert_frame_equal(behind, kpi_table(db, "region", FIRST, LAST, settings=SETTINGS, exact=True))


def test_a_region_without_its_histograms_is_read_from_its_inquiries(db: Engine) -> None:
    """Histograms that do not count RegionDay's replies (a database filled by other means than the loads) are not
    trusted: that region's replies are read one by one; without any histogram row the figures are exact."""
    with db.begin() as conn:
        conn.execute(text("DELETE FROM replyhistogram WHERE region_code = 'KZ-A' AND day = :d"), {"d": FIRST})
    _, hist = responsiveness_parts(db, FIRST, LAST, level="region", settings=SETTINGS)
    _, times = responsiveness_parts(db, FIRST, LAST, level="region", settings=SETTINGS, exact=True)
    assert is_sketch(hist)
    want = count_buckets(times, ["place", "day"]).sort_values(["place", "day", "unit", "bucket"], ignore_index=True)
    pd.testing.assert_frame_equal(hist.sort_values(list(want.columns[:4]), ignore_index=True), want,
                                  check_dtype=False)  # fmt: skip
    with db.begin() as conn:
        conn.execute(text("DELETE FROM replyhistogram"))
    table = kpi_table(db, "region", FIRST, LAST, settings=SETTINGS)
    assert not table.attrs["approximate"]
    pd.testing.assert_frame_equal(table, kpi_table(db, "region", FIRST, LAST, settings=SETTINGS, exact=True))


def test_judged_days_are_counted_from_the_kept_counts(db: Engine) -> None:
    """Region and country counts of the judged days are ReplyCount's sums (a count changed there shows in the
    table); counts that do not add up to RegionDay's inquiries, or were kept for another deadline, are not trusted:
    those regions are counted from their inquiries."""
    exact = kpi_table(db, "region", FIRST, LAST, settings=SETTINGS, exact=True).set_index("territory_code")
    with db.begin() as conn:
        assert conn.execute(text("SELECT count(DISTINCT deadline) FROM replycount")).scalar() == 1
        day = conn.execute(
            text("SELECT min(day) FROM replycount WHERE region_code = 'KZ-A' AND day >= :d AND answered > met"),
            {"d": FIRST},
        ).scalar()
        conn.execute(text("UPDATE replycount SET met = met + 1 WHERE region_code = 'KZ-A' AND day = :d"), {"d": day})
    read = kpi_table(db, "region", FIRST, LAST, settings=SETTINGS).set_index("territory_code")
    assert read.loc["KZ-A", "within_deadline_pct"] > exact.loc["KZ-A", "within_deadline_pct"]
    assert read.loc["KZ-B", "within_deadline_pct"] == exact.loc["KZ-B", "within_deadline_pct"]
    with db.begin() as conn:
        conn.execute(text("UPDATE replycount SET inquiries = inquiries + 1 WHERE region_code = 'KZ-A' AND day = :d"),
                     {"d": day})  # fmt: skip
    pd.testing.assert_frame_equal(kpi_table(db, "region", FIRST, LAST, settings=SETTINGS).set_index("territory_code"),
                                  read.assign(within_deadline_pct=exact["within_deadline_pct"]))  # fmt: skip
    with db.begin() as conn:
        conn.execute(text("UPDATE replycount SET deadline = '9wh'"))
    within(kpi_table(db, "region", FIRST, LAST, settings=SETTINGS), exact.reset_index())


def test_a_region_without_a_data_time_is_counted_over_its_whole_period(engine: Engine, tmp_path: Path) -> None:
    """A region whose delivery has no data time kept (a database filled by other means) has no cutoff: its
    inquiries of the period's early days, before every other region's counted days end, are read too (so that the
    table is read inquiry by inquiry, as exactly as for any region)."""
    load = Replies(engine, tmp_path, seed=12)
    load.territories([*TERRITORIES, ("KZ-C", "region", "KZ")])
    pages = [*PAGES, ("vk", "8", "KZ-C", "head")]
    load.accounts(pages)
    load.days(PAGES, range(0, DAYS), "a")
    load.days(pages[-1:], range(5, 9), "c")
    load.load()
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM datatime WHERE delivery = 'KZ-C'"))
    exact = kpi_table(engine, "region", FIRST, LAST, settings=SETTINGS, exact=True)
    assert exact.set_index("territory_code").loc["KZ-C", "inquiries"] > 0
    pd.testing.assert_frame_equal(kpi_table(engine, "region", FIRST, LAST, settings=SETTINGS), exact)


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)  # read replicas are PostgreSQL's
def test_a_read_replica_reads_every_table_as_the_primary_does(db: Engine) -> None:
    """A PostgreSQL read replica (its sessions may only read: no table, not even a temporary one, can be created)
    reads every level's table, sketched and exact, and a previous period, as the primary does; a load left behind
    is left to a writer instead of failing the replica's start."""
    replica_url = f"{db.url.render_as_string(hide_password=False)}?options=-c%20default_transaction_read_only%3Don"

    def tables(engine: Engine) -> list[pd.DataFrame]:
        back = dt.timedelta(days=3)
        return [
            *(kpi_table(engine, level, FIRST, LAST, settings=SETTINGS) for level in ("country", "region", "account")),
            kpi_table(engine, "region", FIRST, LAST, settings=SETTINGS, back=back),
            *responsiveness_parts(engine, FIRST, LAST, level="region", settings=SETTINGS),
        ]

    for behind in (False, True):
        if behind:
            with db.begin() as conn:
                conn.execute(text("INSERT INTO replydirty (region_code, day) VALUES ('KZ-A', :d)"), {"d": DAY0})
        replica = make_engine(replica_url)
        try:
            with replica.connect() as conn, pytest.raises(InternalError, match="read-only transaction"):
                conn.execute(text("CREATE TEMPORARY TABLE t (x int)"))
            for got, want in zip(tables(replica), tables(db), strict=True):
                pd.testing.assert_frame_equal(got, want)
        finally:
            replica.dispose()
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM replydirty")).scalar() == 1
