"""Top posts and the best time to post: the pure computations, the heatmap, and what the pages show, checked
against the database read on its own."""

import base64
import json
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

from dashboard import charts, posts
from dashboard.i18n import translator
from tests.dashboard.support import demo_database, open_app, using, year_database

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PERIOD = {"period": "custom", "from": "2026-10-24", "to": "2026-11-22"}


def frame(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    """Posts as the query gives them: (UTC time, time zone, interactions, followers), one page each."""
    return pd.DataFrame(
        {
            "id": range(len(rows)),
            "post_id": [f"p{i}" for i in range(len(rows))],
            "published_at": pd.to_datetime([r[0] for r in rows]).astype("datetime64[us]"),
            "post_type": "photo",
            "likes": [r[2] for r in rows],
            "comments": 0,
            "shares": 0,
            "views": np.nan,
            "followers": [r[3] for r in rows],
            "timezone": [r[1] for r in rows],
        }
    )


def test_each_post_is_timed_in_its_own_zone_with_the_zones_history() -> None:
    """Almaty was UTC+6 until 2024-03-01 and is UTC+5 since; Barnaul is UTC+7."""
    rows = posts.engagement(
        frame(
            [
                ("2024-02-28 03:00", "Asia/Almaty", 10, 100),
                ("2024-03-06 03:00", "Asia/Almaty", 10, 100),
                ("2024-03-06 03:00", "Asia/Barnaul", 10, 0),
            ]
        )
    )
    assert [str(t) for t in rows["local"]] == ["2024-02-28 09:00:00", "2024-03-06 08:00:00", "2024-03-06 10:00:00"]
    # A page without followers that day has no engagement rate, not an infinite one.
    assert rows["er_pct"].tolist()[:2] == [10.0, 10.0] and np.isnan(rows["er_pct"].iloc[2])


def test_top_posts_rank_by_the_measure_and_leave_out_posts_without_it() -> None:
    """By engagement, highest first, ties by interactions; by views, posts without views left out."""
    rows = posts.engagement(
        frame([("2026-11-02 05:00", "Asia/Almaty", i, f) for i, f in ((50, 100), (60, 1000), (30, 60), (5, 0))])
    ).assign(views=[np.nan, 900.0, 100.0, 50.0])
    assert posts.top(rows, "er_pct")["post_id"].tolist() == ["p0", "p2", "p1"]
    assert posts.top(rows, "views", n=2)["post_id"].tolist() == ["p1", "p2"]
    # Equal rates at the cut: the ones with more interactions are kept.
    tied = posts.engagement(frame([("2026-11-02 05:00", "Asia/Almaty", i, i * 2) for i in (10, 30, 20, 5)]))
    assert posts.top(tied, "er_pct", n=2)["post_id"].tolist() == ["p1", "p2"]


def test_an_hour_below_the_minimum_sample_stays_blank() -> None:
    """Five posts on a Monday at 09 local make a median; four on a Tuesday at 10 do not."""
    monday = [(f"2026-11-16 04:{m:02d}", "Asia/Almaty", likes, 100) for m, likes in enumerate((1, 2, 3, 4, 50))]
    tuesday = [(f"2026-11-17 05:{m:02d}", "Asia/Almaty", 9, 100) for m in range(4)]
    medians, counts = posts.best_time(posts.engagement(frame(monday + tuesday)), 5)
    assert medians.shape == counts.shape == (7, 24)
    assert medians.at[0, 9] == 3.0  # the median, not the mean (12): one viral post does not make the hour
    assert counts.at[1, 10] == 4 and np.isnan(medians.at[1, 10])
    assert posts.rated_cells(medians) == 1 and int(counts.to_numpy().sum()) == 9
    assert posts.best_time_needs(5) == 100 and posts.best_time_needs(0) == 20


def test_the_best_time_heatmap_names_weekdays_and_hours_in_the_language() -> None:
    """Weekday names from Babel (Monday first), hours 0–23, blank cells left as gaps, the title and units."""
    medians = pd.DataFrame(np.nan, index=range(7), columns=range(24)).astype("float64")
    medians.at[0, 9] = 2.5
    counts = pd.DataFrame(0, index=range(7), columns=range(24)).astype("int64")
    counts.at[0, 9] = 6
    for lang, monday in (("ru", "Пн"), ("kk", "Дс"), ("en", "Mon")):
        tr = translator(lang)
        fig = charts.best_time(medians, counts, tr, "note")
        trace = fig.data[0]
        assert trace.type == "heatmap" and tuple(trace.y) == tuple(tr.weekdays()) and trace.y[0] == monday
        assert list(trace.x) == list(range(24)) and trace.z[0][9] == 2.5 and np.isnan(trace.z[1][9])
        assert trace.customdata[0][9] == 6 and not trace.hoverongaps
        assert fig.layout.title.text == tr("chart.best_time")
        assert fig.layout.xaxis.title.text == tr("axis.hour_local")
        assert fig.layout.yaxis.autorange == "reversed"


def test_a_moment_is_told_as_it_was_in_the_language() -> None:
    """A local time is shown without being moved to another zone."""
    when = pd.Timestamp("2026-11-22 14:05")
    assert translator("ru").moment(when) == "22 нояб., 14:05"
    assert translator("en").moment(when) == "22 Nov, 14:05"
    assert translator("kk").moment(pd.NaT) == "—"


# What the pages show, against the database read directly.


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The shared demo database, in use for the module."""
    folder = demo_database(tmp_path_factory)
    with using(folder):
        yield folder


def posts_of(folder: Path, where: str, start: str, end: str) -> pd.DataFrame:
    """Every post of a territory's subtree in a period, with its page's followers that day and time zone, read
    straight from the database."""
    engine = create_engine(f"sqlite:///{folder / 'govpulse.db'}")
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT a.handle, a.platform, p.post_id, p.published_at, t.timezone, p.views, "
                "p.likes + p.comments + p.shares AS interactions, d.followers FROM post p "
                "JOIN account a ON a.id = p.account_pk JOIN territory t ON t.code = a.territory_code "
                "JOIN accountday d ON d.account_pk = p.account_pk AND d.day = p.published_on "
                f"WHERE {where} AND p.published_on BETWEEN :a AND :b"
            ),
            {"a": start, "b": end},
        ).all()
    engine.dispose()
    out = pd.DataFrame([tuple(r) for r in rows], columns=list(rows[0]._fields))
    out["er"] = out["interactions"] / out["followers"] * 100
    utc = pd.to_datetime(out["published_at"], format="ISO8601")
    out["local"] = [
        t.tz_localize("UTC").tz_convert(ZoneInfo(z)).tz_localize(None)
        for t, z in zip(utc, out["timezone"], strict=True)
    ]
    return out


def top_tables(at: AppTest, lang: str = "en") -> list[pd.DataFrame]:
    """The top posts' tables (by engagement, by views) of a page."""
    column = translator(lang)("col.published_local")
    return [d.value for d in at.dataframe if column in d.value.columns]


def heatmap(at: AppTest) -> dict[str, Any]:
    """The best-time heatmap's trace of a page, its arrays decoded."""
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if '"heatmap"' in c.proto.spec)
    trace = spec["data"][0]
    for key in ("z", "customdata"):
        value = trace[key]
        if isinstance(value, dict):  # plotly's typed arrays: base64 data, dtype and shape
            shape = [int(n) for n in str(value["shape"]).split(",")]
            trace[key] = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).reshape(shape)
        else:
            trace[key] = np.array(value, dtype="float64")
    return trace


def test_the_overview_lists_the_periods_best_posts(demo: Path) -> None:
    """By engagement and by views, ten each, the same posts as the database's own ranking, at local time; the
    demo's invented pages get no link column."""
    at = open_app(lang="en", country="KZ", **PERIOD)
    by_er, by_views = top_tables(at)
    want = posts_of(demo, "t.country_code = 'KZ'", "2026-10-24", "2026-11-22")
    best = want.sort_values(["er", "interactions"], ascending=False).head(10)
    assert by_er["Handle"].tolist() == best["handle"].tolist()
    assert by_er["ER"].round(6).tolist() == best["er"].round(6).tolist()
    assert by_er["Local time"].tolist() == best["local"].tolist()
    assert by_er["Platform"].iloc[0] == translator("en").label("platform", best["platform"].iloc[0])
    most = want.dropna(subset=["views"]).sort_values("views", ascending=False).head(10)
    assert by_views["Views"].tolist() == most["views"].tolist()
    assert "Link" not in by_er.columns
    assert [t.label for t in at.tabs][-2:] == ["By engagement", "By views"]


def test_growth_shows_the_best_time_to_post(demo: Path) -> None:
    """The heatmap's busiest hour holds the median engagement of exactly its posts, by local weekday and hour;
    hours with fewer posts than the minimum sample are blank; the caption counts the posts."""
    at = open_app("growth", lang="en", country="KZ", **PERIOD)
    trace = heatmap(at)
    want = posts_of(demo, "t.country_code = 'KZ'", "2026-10-24", "2026-11-22")
    z, counts = trace["z"], trace["customdata"]
    assert z.shape == (7, 24) and trace["y"][0] == "Mon"
    assert int(counts.sum()) == len(want)
    day, hour = np.unravel_index(int(np.argmax(counts)), counts.shape)
    cell = want[(want["local"].dt.weekday == day) & (want["local"].dt.hour == hour)]
    assert len(cell) == counts[day, hour] and z[day, hour] == pytest.approx(statistics.median(cell["er"]))
    assert np.isnan(z[counts < 5]).all() and np.isfinite(z[counts >= 5]).all()
    pages = len(want[["platform", "handle"]].drop_duplicates())
    caption = translator("en")("posts.best_time_help", n=f"{len(want):,}", pages=f"{pages:,}", min=5)
    assert caption in [c.value for c in at.caption]


def test_too_few_posts_hide_the_best_time(demo: Path) -> None:
    """A district's week has fewer posts than the map needs: a message says how many, and there is no heatmap."""
    at = open_app("growth", lang="en", country="RU", region="RU-ALT", district="RU-ALT-TLM", period="7d")
    assert not any('"heatmap"' in c.proto.spec for c in at.get("plotly_chart"))
    assert any("The best-time map needs 100 posts" in i.value for i in at.info)


# Links, on the year-long demo with a delivery collected from every platform.


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The year-long demo with the collected delivery, in use for the tests below."""
    folder = year_database(tmp_path_factory)
    with using(folder):
        yield folder


RU_LINKS = [
    "https://vk.com/wall-186543210_501",
    "https://ok.ru/group/70000001234567/topic/155384729100115",
    "https://t.me/altai_molodezh/1214",
    "https://max.ru/altai_molodezh",
    "https://vk.com/wall-186543210_502",
    "https://ok.ru/group/70000001234567/topic/155384729100116",
    "https://t.me/altai_molodezh/1215",
    "https://max.ru/altai_molodezh",
]
KZ_LINKS = [
    "https://www.instagram.com/kostanay_jastary/",
    "https://www.youtube.com/watch?v=Up9cO2mI4nG",
    "https://x.com/kst_jastary/status/2128841751505149978",
    "https://www.facebook.com/kostanay.jastary",
    "https://www.instagram.com/kostanay_jastary/",
    "https://www.youtube.com/watch?v=Xq1fR7tLk2M",
    "https://x.com/kst_jastary/status/2128841751505149979",
    "https://www.facebook.com/kostanay.jastary",
]


@pytest.mark.parametrize(("region", "links"), [("RU-ALT", RU_LINKS), ("KZ-KUS", KZ_LINKS)])
def test_top_posts_link_each_post_on_its_platform(collected: Path, region: str, links: list[str]) -> None:
    """The collected posts lead the ranking, each with its own address (the page's where the post's cannot be
    built); the demo's posts below them have none."""
    at = open_app(lang="ru", country=region[:2], region=region, **PERIOD)
    by_er, by_views = top_tables(at, "ru")
    link = translator("ru")("col.url")
    assert by_er[link].fillna("").tolist() == [*links, "", ""]
    assert by_er["ER"].head(8).round(1).tolist() == sorted(by_er["ER"].head(8).round(1).tolist(), reverse=True)
    views = by_views[translator("ru")("col.views")]
    assert views.tolist() == sorted(views.tolist(), reverse=True) and set(by_views[link].dropna()) <= set(links)


def test_page_tables_link_the_pages_with_an_address(collected: Path) -> None:
    """A table of pages gets a link column where some page has an address: the silent Facebook page opens its page;
    on the Coverage page the unverified pages open theirs, those without an address have none."""
    ru = translator("ru")
    at = open_app(lang="ru", country="KZ", region="KZ-KUS", **PERIOD)
    silent = next(d.value for d in at.dataframe if ru("col.days_silent") in d.value.columns)
    row = silent[silent[ru("col.handle")] == "kostanay.jastary"]
    assert row[ru("col.url")].tolist() == ["https://www.facebook.com/kostanay.jastary"]
    coverage = open_app("coverage", lang="ru", country="RU", region="RU-ALT", level="district")
    unverified = next(d.value for d in coverage.dataframe if ru("col.url") in d.value.columns)
    ours = unverified[unverified[ru("col.handle")].isin(["altai_molodezh", "altaimolodezh"])]
    assert sorted(ours[ru("col.url")].fillna("").tolist()) == ["", "", "https://max.ru/altai_molodezh",
                                                               "https://ok.ru/group/70000001234567"]  # fmt: skip
