"""The dashboard's pure parts: filters ↔ URL, periods, the ranking index, alerts — and the demo's stories found."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import analysis, queries, ranking
from dashboard.filters import LEVELS, PERIODS, ROLES, Filters, Period, Scope
from dashboard.i18n import LANGUAGES, Tr
from etl.demo import STORIES
from tests.dashboard.support import END, demo_database, using

CODES = st.sampled_from(["", "KZ", "RU", "KZ-KUS", "RU-ALT-TLM"])


@given(
    lang=st.sampled_from(list(LANGUAGES)),
    region=CODES,
    level=st.sampled_from(LEVELS),
    platforms=st.lists(st.sampled_from(["vk", "ok", "instagram"]), unique=True).map(tuple),
    roles=st.lists(st.sampled_from(ROLES), unique=True).map(tuple),
    period=st.sampled_from(PERIODS),
    start=st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)),
)
def test_filters_survive_the_url(
    lang: str, region: str, level: str, platforms: tuple[str, ...], roles: tuple[str, ...], period: str, start: dt.date
) -> None:
    """Any filters written to the query string read back as the same filters."""
    custom = period == "custom"
    f = Filters(
        lang=lang,
        country="KZ",
        region=region,
        level=level,
        platforms=platforms,
        roles=roles,
        period=period,
        start=start if custom else None,
        end=start + dt.timedelta(days=20) if custom else None,
    )
    assert Filters.from_query(f.to_query()) == f


def test_malformed_query_falls_back_to_defaults() -> None:
    """Unknown values and broken dates give the defaults, never an error."""
    f = Filters.from_query({"lang": "xx", "level": "planet", "period": "custom", "from": "2026-13-01", "role": "king"})
    assert (f.lang, f.level, f.period, f.roles) == ("ru", "region", "30d", ())


def test_periods_end_on_the_latest_day_and_compare_with_the_one_before() -> None:
    """Presets end on the last day with data; the previous period has the same length just before."""
    last = dt.date(2026, 11, 22)
    assert Filters(period="7d").span(last) == Period(dt.date(2026, 11, 16), last)
    assert Filters(period="quarter").span(last) == Period(dt.date(2026, 10, 1), last)
    assert Filters(period="year").span(last).start == dt.date(2026, 1, 1)
    assert Filters(period="year").span(last, first_day=dt.date(2026, 5, 1)).start == dt.date(2026, 5, 1)
    p = Filters(period="30d").span(last)
    assert p.days == 30 and p.previous() == Period(dt.date(2026, 9, 24), dt.date(2026, 10, 23))


def test_levels_below_the_chosen_territory() -> None:
    """A region offers districts and settlements; a district only settlements."""
    assert Filters(country="KZ").levels() == LEVELS
    assert Filters(country="KZ", region="KZ-KUS").levels() == ("district", "settlement")
    assert Filters(country="KZ", region="KZ-KUS", district="KZ-KUS-KRS", level="region").row_level == "settlement"
    assert Filters(country="KZ", region="KZ-KUS").scope() == Scope("KZ-KUS", "region_code")


def table(rows: list[tuple[str, float, float, int]]) -> pd.DataFrame:
    """A small KPI table: code, response rate, posts per week, inquiries."""
    df = pd.DataFrame(rows, columns=["territory_code", "response_rate_pct", "posts_per_week", "inquiries"])
    return df.assign(
        territory_name=df["territory_code"],
        accounts=1,
        reply_median_min=60.0,
        er_followers_pct=1.0,
        growth_pct=1.0,
        followers_per_1000=5.0,
    )


def test_ranking_scores_ranks_and_explains_a_drop() -> None:
    """The index is a weighted percentile; a fall is explained by the components that moved it."""
    weights = {"response": 50, "posts": 50, "reply": 0, "er": 0, "growth": 0, "reach": 0}
    before = ranking.score(table([("A", 90, 3.0, 50), ("B", 60, 2.0, 50), ("C", 50, 1.0, 50)]), weights, 10)
    now = ranking.score(
        table([("A", 50, 1.5, 50), ("B", 60, 2.0, 50), ("C", 70, 3.0, 50), ("D", 0, 0, 3)]), weights, 10
    )
    assert list(now.sort_values("rank")["territory_code"][:3]) == ["C", "B", "A"]
    out = ranking.compare(now, before).set_index("territory_code")
    assert out.at["A", "change"] == -2 and out.at["C", "change"] == 2
    assert ranking.explain(out.loc["A"], weights, Tr("en")) == "−2 places: response rate −40 pp, posts −50 %"
    assert ranking.explain(out.loc["D"], weights, Tr("ru")) == "без оценки (n = 3)"
    assert pd.isna(out.at["D", "rank"])


def test_a_fall_is_never_explained_by_a_gain() -> None:
    """A page whose posting rose 50 % while its peers' rose more falls in rank: the rise does not explain it."""
    weights = {"response": 0, "posts": 100, "reply": 0, "er": 0, "growth": 0, "reach": 0}
    before = ranking.score(table([("A", 70, 2.0, 50), ("B", 70, 1.0, 50), ("C", 70, 0.5, 50)]), weights, 10)
    now = ranking.score(table([("A", 70, 3.0, 50), ("B", 70, 4.0, 50), ("C", 70, 5.0, 50)]), weights, 10)
    row = ranking.compare(now, before).set_index("territory_code").loc["A"]
    assert row["change"] == -2
    assert ranking.explain(row, weights, Tr("en")) == "−2 places: other territories improved more"


def test_weights_round_trip_through_the_url() -> None:
    """Weights are written compactly and read back; defaults leave the URL clean."""
    weights = ranking.parse_weights("response:50,posts:0,bogus:9")
    assert weights["response"] == 50 and weights["posts"] == 0 and weights["reply"] == 20
    assert ranking.parse_weights(ranking.dump_weights(weights)) == weights
    assert ranking.dump_weights(dict(ranking.DEFAULT_WEIGHTS)) == ""


def test_weekly_net_counts_each_weeks_gain() -> None:
    """Net new followers per week: the week's last day minus the previous week's (the first against day one)."""
    daily = pd.DataFrame({"day": pd.date_range("2026-11-02", periods=14), "name": "A", "value": range(100, 114)})
    out = analysis.weekly_net(daily)
    assert list(out["value"]) == [6, 7]


def test_top_series_keeps_the_largest_and_sums_the_rest() -> None:
    """Beyond n series, the smaller ones are summed into 'others'."""
    daily = pd.DataFrame({"day": pd.Timestamp("2026-11-01"), "name": list("abcde"), "value": [5, 4, 3, 2, 1]})
    out = analysis.top_series(daily, "others", n=2)
    assert list(out["name"]) == ["a", "b", "others"] and list(out["value"]) == [5, 4, 6]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The shared demo database, in use for the module."""
    with using(demo_database(tmp_path_factory)):
        yield demo_database(tmp_path_factory)


def ids(story: str) -> set[int]:
    """govpulse's account keys of a story's pages."""
    accounts = queries.registry("", "").set_index(["platform", "account_id"])["id"]
    return {int(accounts[key]) for key in STORIES[story].accounts}


YEAR = Period(dt.date(2026, 5, 1), END)


def test_alerts_find_the_dormant_pages(demo: Path) -> None:
    """Every dormant page of the demo is among the silent ones."""
    silent = analysis.silent(queries.last_posts(END, Scope("RU", "country_code")), END, 14)
    silent_kz = analysis.silent(queries.last_posts(END, Scope("KZ", "country_code")), END, 14)
    assert ids("dormant") <= set(silent["id"]) | set(silent_kz["id"])


def test_alerts_find_the_bought_followers(demo: Path) -> None:
    """The one-day jump of bought followers is flagged, and the new akim's and the campaign's growth is not."""
    jumps = queries.jumps(*YEAR, Scope("KZ", "country_code"))
    assert set(jumps["id"]) == ids("bought_followers")


def test_alerts_find_the_pages_that_never_answer(demo: Path) -> None:
    """Pages that never answer are at the top of the 'under target' list with 0 %."""
    pages = []
    for country in ("KZ", "RU"):
        pages.append(queries.kpis("account", *YEAR, Scope(country, "country_code"), "en"))
    low = analysis.under_target(pd.concat(pages), 80)
    assert ids("never_answers") <= set(low[low["response_rate_pct"] == 0]["id"])


def test_rankings_show_the_training_districts_jump(demo: Path) -> None:
    """Against the half-year before, the trained district climbs, explained by its response rate."""
    now_period = Period(END - dt.timedelta(days=89), END)
    scope = Scope("RU-ALT", "region_code")
    weights = dict(ranking.DEFAULT_WEIGHTS)
    before_period = Period(END - dt.timedelta(days=269), END - dt.timedelta(days=180))
    now = ranking.score(queries.kpis("district", *now_period, scope, "en"), weights, 10)
    before = ranking.score(queries.kpis("district", *before_period, scope, "en"), weights, 10)
    row = ranking.compare(now, before).set_index("territory_code").loc[STORIES["training"].territory_code]
    assert row["change"] >= 10
    assert "response rate +" in ranking.explain(row, weights, Tr("en"))


def test_the_rename_is_in_the_handle_history(demo: Path) -> None:
    """The renamed page has two handles, the new one last."""
    (account,) = ids("rename")
    assert len(queries.handles(account)) == 2


def test_uploads_load_through_the_etl_and_tell_each_files_fate(tmp_path: Path) -> None:
    """Good files load, a bad one is rejected with file, line, column, value and rule; a big one is refused."""
    from dashboard import uploads
    from etl.ingest.load import load_paths
    from etl.store.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'up.db'}")
    data = Path(__file__).parents[1] / "data"
    files = [(f.name, f.read_bytes()) for f in sorted(data.glob("*.csv"))]
    bad = (
        (data / "followers.csv").read_text().replace("2026-03-02,instagram,1001,10100", "2026-03-02,instagram,1001,-4")
    )
    rows = uploads.load(files, 1, lambda paths, mapping: load_paths(engine, paths, mapping=mapping))
    assert {r["file"]: r["status"] for r in rows} == {f.name: "loaded" for f in data.glob("*.csv")}
    again = uploads.load(
        [("followers.csv", bad.encode()), ("huge.csv", b"x" * (1024 * 1024 + 1))],
        1,
        lambda paths, mapping: load_paths(engine, paths, mapping=mapping),
    )
    rejected = {r["file"]: r for r in again}
    assert rejected["followers.csv"]["status"] == "rejected"
    assert rejected["followers.csv"]["errors"][0] | {"rule": ""} == {
        "line": "3",
        "column": "followers",
        "value": "-4",
        "rule": "",
    }
    assert rejected["huge.csv"]["status"] == "rejected"
    assert "1 MB" in uploads.message(rejected["huge.csv"], Tr("en"))


def test_small_samples_are_shown_by_month() -> None:
    """Weeks when most weeks hold enough events; months otherwise."""
    busy = pd.Series(pd.date_range("2026-01-05", periods=700, freq="12h"))
    sparse = pd.Series(pd.date_range("2026-01-05", periods=40, freq="7D"))
    assert analysis.grain(busy, 10) == "week" and analysis.grain(sparse, 10) == "month"
    assert list(analysis.bucket(pd.Series(pd.to_datetime(["2026-11-22"])), "month")) == [pd.Timestamp("2026-11-01")]


def test_engagement_weighs_each_post_by_its_day_followers() -> None:
    """A page's weekly rate: interactions over the followers on the days it posted (a later jump does not dilute)."""
    days = pd.DataFrame(
        {
            "day": pd.to_datetime(["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-09"]),
            "followers": [100, 200, 1000, 1000],
            "posts": [1, 1, 0, 1],
            "interactions": [10, 10, 0, 5],
        }
    )
    rates = analysis.engagement(days, "week", min_posts=2)
    assert rates["value"].tolist()[0] == pytest.approx(6.67)  # 20 / (100 + 200)
    assert pd.isna(rates["value"].tolist()[1])  # 1 post < 2


def test_upload_errors_read_in_the_language() -> None:
    """Every rule the loader writes has its text in each language; an unknown rule stays as written."""
    from dashboard.uploads import rule_text

    assert rule_text("must be ≥ 0", Tr("ru")) == "должно быть не меньше 0"
    assert rule_text("must be one of: vk, ok", Tr("kk")) == "мыналардың бірі болуы керек: vk, ok"
    assert rule_text(
        "unknown account: not in the accounts registry (load the accounts file first)", Tr("ru")
    ).startswith("неизвестная страница")
    assert rule_text("something new", Tr("ru")) == "something new"


def test_complete_day_compares_a_day_with_its_own_weekday() -> None:
    """Pages delivering on Mondays do not make every other day partial; one page of many on a new day does."""
    from dashboard.analysis import complete_day

    days = [dt.date(2026, 10, 26) + dt.timedelta(days=k) for k in range(40)]  # Monday 26 Oct to Friday 4 Dec
    weekly = pd.Series([781 if d.weekday() == 0 else 176 for d in days], index=days)
    assert complete_day(weekly) == dt.date(2026, 12, 4)
    partial = pd.concat([weekly, pd.Series([1], index=[dt.date(2026, 12, 5)])])
    assert complete_day(partial) == dt.date(2026, 12, 4)


def test_a_refused_upload_says_why_in_the_language_without_server_paths() -> None:
    """The loader's reason and what it detected read in the language; the server's temporary folder never shows."""
    from pathlib import Path

    from dashboard import uploads
    from etl.ingest.load import FileResult

    temp = Path("/tmp/govpulse-upload-abc123/report.csv")
    reason = f"{temp}: header not recognised: columns [a, b]; closest kind is followers, which also needs: date"
    row = uploads.result_row(FileResult(path=temp, status="rejected", message=reason, error_count=1))
    assert "/tmp" not in row["message"]
    ru = uploads.message(row, Tr("ru"))
    assert ru.startswith("заголовок не распознан") and "/tmp" not in ru and "date" in ru
    assert uploads.dialect_text("utf-8, semicolon-delimited, decimal comma", Tr("kk")) == (
        "utf-8, бөлгіш — нүктелі үтір, ондық белгі — үтір"
    )
