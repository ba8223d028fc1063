"""Every cached read of dashboard.queries (and dashboard.queries_posts) gives the same frames on SQLite and PostgreSQL,
from the same files."""

import datetime as dt
import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from dashboard import posts, queries, queries_posts
from dashboard.filters import Scope
from etl.ingest.load import load_paths
from etl.metrics.responsiveness.sketched import is_sketch
from etl.metrics.worktime import BACKLOG_BUCKETS, Clocks
from etl.settings import get_settings
from etl.store.db import get_engine, make_engine
from etl.store.histograms import count_buckets
from tests.conftest import DATA

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

START, END = dt.date(2026, 3, 1), dt.date(2026, 3, 5)
SCOPES = {
    "KZ": Scope("KZ", "country_code"),
    "KZ-KUS": Scope("KZ-KUS", "region_code"),
    "KZ-KUS-KRS": Scope("KZ-KUS-KRS", "district_code"),
    "RU instagram+vk": Scope("RU", "country_code", ("instagram", "vk")),
    "KZ heads": Scope("KZ", "country_code", (), ("head",)),
}
# Columns that record when and how fast this database loaded the files, not what they hold.
LOAD_TIMES = ["loaded_at", "duration_s"]
CACHED = sorted(
    name
    for module in (queries, queries_posts)
    for name, fn in vars(module).items()
    if not name.startswith("_") and hasattr(fn, "clear") and hasattr(fn, "__wrapped__") and name != "engine"
)


@contextmanager
def pointed_at(engine: Engine, data_dir: Path) -> Iterator[None]:
    """The dashboard's queries reading `engine`'s database (caches emptied on the way in and out)."""
    import streamlit as st

    saved = {k: os.environ.get(k) for k in ("GOVPULSE_DATA_DIR", "GOVPULSE_DATABASE_URL")}
    os.environ["GOVPULSE_DATA_DIR"] = str(data_dir)
    os.environ["GOVPULSE_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    clears = (get_settings.cache_clear, get_engine.cache_clear, st.cache_data.clear, st.cache_resource.clear)
    for clear in clears:
        clear()
    try:
        yield
    finally:
        queries.engine().dispose()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        for clear in clears:
            clear()


def clocks_summary(clocks: Clocks) -> dict[str, tuple[str, Any]]:
    """Each territory's time zone and calendar, comparable across databases."""
    return {code: (clocks.zones[code], clocks.calendars[code]) for code in clocks.zones}


def read_everything() -> dict[str, Any]:
    """The result of every cached query for several scopes, keyed by the call."""
    out: dict[str, Any] = {
        "data_range": queries.data_range(),
        "territories": queries.territories(),
        "registry": queries.registry("", ""),
        "platforms": queries.platforms(),
        "clocks": clocks_summary(queries.clocks()),
        "as_of": type(queries.as_of()),
        "load_log": queries.load_log().drop(columns=LOAD_TIMES).sort_values("source_path", ignore_index=True),
        "collections": queries.collections(),
        "sources": queries.sources(dt.date(2026, 3, 4)),
        "sources late": queries.sources(dt.date(2026, 3, 6)),
        "handles": queries.handles(1),
        "account_days": queries.account_days((1, 2, 4), START, END),
        "account_posts": queries_posts.account_posts((1, 2, 3), START, END),
    }
    for name, scope in SCOPES.items():
        for by in ("total", "region", "district", "territory", "platform", "role"):
            out[f"series {by} {name}"] = queries.series(by, START, END, scope)
        out[f"registry {name}"] = queries.registry(scope.parent, scope.column)
        out[f"complete_range {name}"] = queries.complete_range(scope)
        out[f"in_scope {name}"] = queries.in_scope(scope)
        out[f"last_posts {name}"] = queries.last_posts(END, scope).sort_values("id", ignore_index=True)
        out[f"last_posts early {name}"] = queries.last_posts(dt.date(2026, 3, 2), scope).sort_values(
            "id", ignore_index=True
        )
        out[f"jumps {name}"] = queries.jumps(START, END, scope)
        out[f"jumps late {name}"] = queries.jumps(dt.date(2026, 3, 3), END, scope)
        out[f"freshness {name}"] = queries.freshness(START, END, scope)
        out[f"freshness late {name}"] = queries.freshness(dt.date(2026, 3, 5), dt.date(2026, 3, 6), scope)
        out[f"freshness early {name}"] = queries.freshness(START, dt.date(2026, 3, 2), scope)
        below = {"country_code": 0, "region_code": 1, "district_code": 2}[scope.column]
        for level in ("country", "region", "district", "settlement", "account")[below:]:
            out[f"kpis {level} {name}"] = queries.kpis(level, START, END, scope, "en")
        out[f"pages {name}"] = queries.pages(START, END, scope, "kk")
        # In no order of their own: PostgreSQL's plan, and so its order, follows the statistics of the day.
        timed = queries.inquiries(START, END, scope, "8wh").drop(columns=["age", "backlog", "bucket"], errors="ignore")
        out[f"inquiries {name}"] = timed.sort_values(["id", "inquiry_id"], ignore_index=True)
        sums, times = queries.responsiveness(START, END, scope, "8wh", BELOW[scope.column], None)
        out[f"responsiveness sums {name}"] = sums
        out[f"responsiveness times {name}"] = times.sort_values(list(times.columns), ignore_index=True)
        published = queries_posts.scope_posts(START, END, scope)
        out[f"scope_posts {name}"] = published.sort_values(["id", "post_id"], ignore_index=True)
        medians, counts, rated, pages = queries_posts.best_time(START, END, scope, 1)
        out[f"best_time {name}"] = pd.concat([medians, counts], keys=["median", "posts"]).assign(
            rated=rated, pages=pages
        )
        for by in ("er_pct", "views"):
            out[f"top_posts {by} {name}"] = queries_posts.top_posts(START, END, scope, by, 2)
        out[f"first_day {name}"] = queries_posts.first_day(scope)
        counts, oldest = queries.backlog(END, scope)
        out[f"backlog {name}"] = counts
        out[f"backlog oldest {name}"] = oldest.sort_values(["age_wd", "inquiry_id"], ignore_index=True)
    return out


# The level of the places a page of each scope compares.
BELOW = {"country_code": "region", "region_code": "district", "district_code": "settlement"}


@pytest.fixture(scope="module")
def on_sqlite(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every query's result on an SQLite database loaded with tests/data."""
    folder = tmp_path_factory.mktemp("queries-sqlite")
    engine = make_engine(f"sqlite:///{folder / 'reference.db'}")
    assert all(r.ok for r in load_paths(engine, [DATA]))
    with pointed_at(engine, folder):
        return read_everything()


def same(got: Any, want: Any, what: str) -> None:
    """Equal values of the same types (frames: same columns, dtypes and rows)."""
    if isinstance(want, pd.DataFrame):
        # inquiries' received_on keeps the driver's resolution (seconds from PostgreSQL's dates, µs from text).
        exact = not what.startswith("inquiries")
        pd.testing.assert_frame_equal(got, want, obj=what, check_dtype=exact)
    elif isinstance(want, dict):
        assert got.keys() == want.keys(), what
        for key in want:
            same(got[key], want[key], f"{what}[{key}]")
    else:
        assert type(got) is type(want) and got == want, f"{what}: {got!r} != {want!r}"


def test_every_cached_query_is_read() -> None:
    """The comparison below covers every cached function of dashboard.queries."""
    called = read_everything.__code__.co_names
    assert [name for name in CACHED if name not in called] == []


def test_every_query_reads_the_same_on_each_database(loaded: Engine, tmp_path: Path, on_sqlite: dict[str, Any]) -> None:
    """SQLite and PostgreSQL loaded from the same files give equal results of the same types."""
    with pointed_at(loaded, tmp_path):
        got = read_everything()
    assert got.keys() == on_sqlite.keys()
    for key, want in on_sqlite.items():
        same(got[key], want, key)


def test_queries_find_what_the_files_hold(loaded: Engine, tmp_path: Path) -> None:
    """Spot checks against tests/data, on the quick paths (data on the last day) and the searches behind them."""
    d = dt.date
    with pointed_at(loaded, tmp_path):
        assert queries.data_range() == (START, END)
        kz, ru = SCOPES["KZ"], Scope("RU", "country_code")
        # Snapshots on the period's last day; posts and inquiries only earlier.
        assert queries.freshness(START, END, kz) == {
            "snapshot": END,
            "post": d(2026, 3, 4),
            "inquiry": d(2026, 3, 4),
            "reporting": 3,
            "reporting_snapshot": 3,
            "reporting_post": 2,
            "reporting_inquiry": 2,
        }
        assert queries.freshness(START, END, ru) == {
            "snapshot": END,
            "post": END,
            "inquiry": d(2026, 3, 3),
            "reporting": 2,  # two pages with a snapshot in the period, one of them on its last day
            "reporting_snapshot": 1,
            "reporting_post": 1,
            "reporting_inquiry": 1,
        }
        nothing = {"snapshot": None, "post": None, "inquiry": None, "reporting": 0}
        nothing |= {"reporting_snapshot": 0, "reporting_post": 0, "reporting_inquiry": 0}
        assert queries.freshness(START, END, Scope("RU", "country_code", ("vk",), ("head",))) == nothing
        assert queries.freshness(d(2026, 3, 3), d(2026, 3, 4), Scope("KZ", "country_code", ("instagram",))) == {
            "snapshot": d(2026, 3, 4),
            "post": d(2026, 3, 4),
            "inquiry": d(2026, 3, 4),
            "reporting": 2,
            "reporting_snapshot": 2,
            "reporting_post": 2,
            "reporting_inquiry": 2,
        }
        assert queries.freshness(END, d(2026, 3, 6), SCOPES["KZ-KUS-KRS"])["reporting"] == 2
        assert queries.freshness(d(2026, 3, 2), d(2026, 3, 2), SCOPES["KZ-KUS-KRS"])["reporting"] == 1
        last = queries.last_posts(d(2026, 3, 3), kz).set_index("id")
        assert last.loc[1, "last_post"] == d(2026, 3, 3) and last.loc[[2, 3], "last_post"].isna().all()
        assert set(last["first_day"]) == {START}
        # The head's 1–1.5 % a day on pages a few days old, in regions of a few pages: the fixed rule, no jump.
        assert queries.jumps(START, END, kz).empty
        # Countries and regions are summed from RegionDay, territories from TerritoryDay: the same totals.
        for scope in (kz, ru, SCOPES["KZ-KUS"]):
            fine = queries.series("territory", START, END, scope).drop(columns="key").groupby("day").sum()
            whole = queries.series("total", START, END, scope).drop(columns="key").set_index("day")
            pd.testing.assert_frame_equal(whole, fine, check_dtype=False)
            by_region = queries.series("region", START, END, scope).drop(columns="key").groupby("day").sum()
            pd.testing.assert_frame_equal(by_region, fine, check_dtype=False)
        sources = queries.sources(END).set_index("platform")
        # Posts with their page's followers that day, each at the time zone of its territory.
        published = queries_posts.scope_posts(START, END, kz).sort_values("post_id")
        assert published["post_id"].tolist() == ["k1", "p1", "p2"]
        assert published["followers"].tolist() == [2050.0, 10000.0, 10250.0]
        assert set(published["timezone"]) == {"Asia/Qostanay"}
        assert str(published["published_at"].iloc[1]) == "2026-03-01 05:00:00"  # 10:00 in Qostanay, UTC+5
        assert queries_posts.scope_posts(START, END, Scope("RU", "country_code", ("vk",)))["post_id"].tolist() in (
            ["w1", "w2"],
            ["w2", "w1"],
        )
        # The database's top posts are `posts.top` of every post, ties and all.
        for scope in SCOPES.values():
            every = posts.engagement(queries_posts.scope_posts(START, END, scope))
            for by, n in itertools.product(("er_pct", "views"), (1, 2, 10)):
                got = posts.top(posts.engagement(queries_posts.top_posts(START, END, scope, by, n)), by, n)
                want = posts.top(every, by, n)
                if want.empty:  # no post with views (or followers): the driver's empty frame types nothing
                    assert got.empty
                    continue
                plain = {"post_type": "str", "timezone": "str"}  # categories of the rows read, not of every post
                pd.testing.assert_frame_equal(
                    got.astype(plain).reset_index(drop=True), want.astype(plain).reset_index(drop=True)
                )
        assert queries_posts.top_posts(START, END, kz, "er_pct", 10)["post_id"].tolist() == ["p2", "p1", "k1"]
        assert (
            queries_posts.first_day(kz) == START
            and queries_posts.first_day(Scope("RU", "country_code", ("ok",))) is None
        )
        assert sources["pages"].to_dict() == {"facebook": 1, "instagram": 2, "vk": 2}
        assert queries.platforms() == ["facebook", "instagram", "vk"]
        assert sources["recent"].to_dict() == {"facebook": 1, "instagram": 2, "vk": 1}
        assert set(sources["followers"]) == {END}
        assert sources.loc["instagram", ["posts", "inquiries"]].tolist() == [d(2026, 3, 4), d(2026, 3, 4)]
        assert sources.loc["vk", ["posts", "inquiries"]].tolist() == [END, d(2026, 3, 3)]
        assert sources.loc["facebook", ["posts", "inquiries"]].isna().all()


REPLY_TIMES = ["median_min", "p90_min", "median_work", "p90_work"]


def within_one_percent(got: pd.DataFrame, want: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both frames with `columns` (reply times) left out, once they are found within 1 % of each other (and a tenth
    of a minute of rounding), empty in the same places."""
    gap = (got[columns].astype(float) - want[columns].astype(float)).abs()
    assert (got[columns].isna() == want[columns].isna()).all().all()
    assert (gap.fillna(0) <= want[columns].astype(float).fillna(0) * 0.01 + 0.1).all().all(), (got, want)
    return got.drop(columns=columns), want.drop(columns=columns)


@pytest.mark.parametrize("deadline", ["8wh", "1wd", "24h"])
def test_responsiveness_counted_by_the_database_equals_the_inquiry_rows(tmp_path: Path, deadline: str) -> None:
    """The Responsiveness page's tables and charts, summed from the database's counts per place and day, equal
    those of the inquiries timed one by one: per place, week and both, who answers, the backlog and the oldest;
    the reply times of regions (a country's page) read from their histograms, within 1 % and marked so."""
    from dashboard import analysis, ui

    engine = make_engine(f"sqlite:///{tmp_path / 'resp.db'}")
    assert all(r.ok for r in load_paths(engine, [DATA]))
    listed = sketched = 0
    with pointed_at(engine, tmp_path):
        for name, scope in SCOPES.items():
            level = BELOW[scope.column]
            rows = queries.inquiries(START, END, scope, deadline)
            rows = rows.assign(place=ui.place(rows, level), week=analysis.week_of(rows["received_on"]))
            sums, times = queries.responsiveness(START, END, scope, deadline, level, None)
            sums = sums.assign(week=analysis.week_of(sums["day"]))
            times = times.assign(week=analysis.week_of(times["day"]))
            assert len(rows) == sums["inquiries"].sum() > 0, name
            # Districts' and settlements' never; regions' where some of their judged days are in the histograms.
            assert level == "region" or not is_sketch(times), name
            sketched += is_sketch(times)
            for by in (["place"], ["week"], ["place", "week"]):
                got = analysis.summary(sums, times, by, 2)
                got = got.astype({"place": "str"}) if "place" in by else got
                want = analysis.responsiveness(rows, by, 2)[got.columns]
                assert got.attrs["approximate"] == is_sketch(times)
                if is_sketch(times):
                    got, want = within_one_percent(got, want, REPLY_TIMES)
                pd.testing.assert_frame_equal(got, want, check_dtype=False, obj=f"{name} by {by}")
            pd.testing.assert_frame_equal(
                analysis.who_answers_counted(sums, "place"), analysis.who_answers(rows, "place"), obj=name
            )
            ids = tuple(sorted(set(rows["id"].tolist()))[:3])
            pages = rows[rows["id"].isin(ids)].assign(place=lambda r: r["id"].astype("str"))
            got = analysis.summary(*queries.responsiveness(START, END, scope, deadline, "account", ids), ["place"], 2)
            want = analysis.responsiveness(pages, ["place"], 2)[got.columns]
            assert len(got) == len(ids), name
            pd.testing.assert_frame_equal(got.astype({"place": "str"}), want, check_dtype=False, obj=f"{name} pages")
            for count in ("inquiries", "answered"):
                days = rows["received_on"][rows["first_reply_at"].notna() | (count == "inquiries")]
                assert analysis.grain(sums["day"], 2, sums[count]) == analysis.grain(days, 2), name
            counts, oldest = queries.backlog(END, scope)
            waiting_buckets = rows.loc[rows["first_reply_at"].isna(), "backlog"].astype(object).value_counts()
            assert counts.set_index("bucket")["count"].to_dict() == {
                b: waiting_buckets.get(b, 0) for b in BACKLOG_BUCKETS
            }, name
            waiting = rows[rows["first_reply_at"].isna()].nlargest(queries.OLDEST, "age_wd")
            assert len(waiting) < queries.OLDEST, name  # every one of them listed
            listed += len(waiting)
            pd.testing.assert_frame_equal(
                oldest[["id", "inquiry_id", "age_wd"]].sort_values("inquiry_id", ignore_index=True),
                waiting[["id", "inquiry_id", "age_wd"]]
                .astype({"inquiry_id": "object"})
                .sort_values("inquiry_id", ignore_index=True),
                check_dtype=False,
                obj=name,
            )
    assert listed > 0
    # Five days of data: a working day's deadline judges none of them early enough to be in the histograms.
    assert sketched > 0 or deadline == "1wd"
    # Two inquiries to one page at the same second, waiting longest: both listed, once each.
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO inquiry (account_pk, inquiry_id, channel, received_at, received_on) VALUES "
                "(1, 'twin-a', 'comment', :at, :on), (1, 'twin-b', 'message', :at, :on)"
            ),
            {"at": dt.datetime(2026, 2, 28, 20, 0), "on": START},
        )
    with pointed_at(engine, tmp_path):
        _, oldest = queries.backlog(END, SCOPES["KZ"])
    assert {"twin-a", "twin-b"} <= set(oldest["inquiry_id"])
    assert oldest["inquiry_id"].is_unique
    # Written past the loader, they are in none of its rollups: gone again before the rollups are compared below.
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM inquiry WHERE inquiry_id IN ('twin-a', 'twin-b')"))
    # Untimed inquiries (a database timed before the timing was stored): the same parts, from the rows (the same
    # buckets, where the stored ones were histograms).
    with pointed_at(engine, tmp_path):
        stored = queries.responsiveness(START, END, SCOPES["KZ"], deadline, "region", None)
    with engine.begin() as conn:
        conn.execute(text("UPDATE inquiry SET work_min = NULL, work_days = NULL"))
    with pointed_at(engine, tmp_path):
        timed = queries.responsiveness(START, END, SCOPES["KZ"], deadline, "region", None)
    assert not is_sketch(timed[1])
    if is_sketch(stored[1]):
        timed = (timed[0], count_buckets(timed[1].astype({"place": "str"}), ["place", "day"]))
        stored = (stored[0], stored[1].astype({"place": "str"}))
    for got, want in zip(timed, stored, strict=True):
        order = [c for c in want.columns if c in ("place", "day", "reply_min", "work_min", "unit", "bucket")]
        pd.testing.assert_frame_equal(
            got.sort_values(order, ignore_index=True), want.sort_values(order, ignore_index=True), check_dtype=False
        )


def test_a_partial_last_day_does_not_end_the_default_period(tmp_path: Path) -> None:
    """One page's follower row for a new day leaves the default period where the data are complete, and the
    cards count the pages that reported on the day each shows."""
    engine = make_engine(f"sqlite:///{tmp_path / 'partial.db'}")
    assert all(r.ok for r in load_paths(engine, [DATA]))
    late = tmp_path / "late"
    late.mkdir()
    day = END + dt.timedelta(days=1)
    (late / "followers.csv").write_text(
        f"date,platform,account_id,followers\n{day},instagram,1001,10500\n", encoding="utf-8"
    )
    assert all(r.ok for r in load_paths(engine, [late]))
    with pointed_at(engine, tmp_path):
        assert queries.data_range() == (START, day)
        complete = queries.complete_range(SCOPES["KZ"])
        assert complete is not None and complete[:2] == (END, day)
        assert complete[2] == 1 < complete[3]
        fresh = queries.freshness(START, day, SCOPES["KZ"])
        assert (fresh["snapshot"], fresh["reporting_snapshot"]) == (day, 1)
        assert fresh["reporting"] > 1  # pages with a snapshot somewhere in the period: not the day's count
