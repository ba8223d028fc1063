"""Every KPI card against the same period a year earlier: the arithmetic, and what the cards show on a demo that
reaches back a year and on one that does not."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

from dashboard import cards, queries
from dashboard.filters import Period
from dashboard.i18n import translator
from etl.metrics.kpis import kpi_table
from tests.dashboard.support import demo_database, followers_on, kpi_row, open_app, using, year_database

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

D = dt.date
PERIOD = {"period": "custom", "from": "2026-10-24", "to": "2026-11-22"}


def test_a_year_earlier_is_the_same_calendar_days() -> None:
    """The same days of the year before; 29 February is the 28th."""
    assert Period(D(2026, 10, 24), D(2026, 11, 22)).year_before() == Period(D(2025, 10, 24), D(2025, 11, 22))
    assert Period(D(2024, 2, 29), D(2024, 3, 29)).year_before() == Period(D(2023, 2, 28), D(2023, 3, 29))
    assert Period(D(2026, 1, 1), D(2026, 11, 22)).year_before() == Period(D(2025, 1, 1), D(2025, 11, 22))


def test_a_year_earlier_is_compared_only_where_the_data_reach_it() -> None:
    """Data from the year-earlier period's first day on: compared; from a day later, or none at all: not."""
    period = Period(D(2026, 10, 24), D(2026, 11, 22))
    assert cards.year_earlier(period, D(2025, 10, 24)) == Period(D(2025, 10, 24), D(2025, 11, 22))
    assert cards.year_earlier(period, D(2025, 10, 25)) is None
    assert cards.year_earlier(period, None) is None


def test_the_year_line_tells_the_change_better_green_worse_red() -> None:
    """Now minus a year earlier, in each card's unit: more followers green, a lower response rate red, a shorter reply
    time green (lower is better), no change grey, an empty figure a dash; no year, no line."""
    tr = translator("en")
    now = kpi_row(followers_end=1200, response_rate_pct=70.0, reply_median_min=60.0)
    year = kpi_row(growth_pct=float("nan"))
    shown = {c["label"]: c["year"] for c in cards.kpi_cards(now, None, {}, tr, year)}
    assert shown[tr("kpi.followers")] == "vs last year: :green[+200]"
    assert shown[tr("kpi.response")] == "vs last year: :red[−5.0\xa0pp]"
    assert shown[tr("kpi.reply_median")] == "vs last year: :green[−30\xa0min]"
    assert shown[tr("kpi.er")] == "vs last year: :gray[±0.00\xa0pp]"
    assert shown[tr("kpi.growth")] == "vs last year: —"
    assert shown[tr("kpi.active")] == "vs last year: :gray[±0.0\xa0pp]"
    assert all(c["year"] == "" for c in cards.kpi_cards(now, None, {}, tr))
    ru = {c["label"]: c["year"] for c in cards.kpi_cards(now, None, {}, translator("ru"), year)}
    assert ru[translator("ru")("kpi.followers")] == "к прошлому году: :green[+200]"


# On the demo databases.


def app(folder: Path, page: str = "overview", **query: str) -> AppTest:
    """The whole app over the database in `folder`, opened on a page with a query string, run once."""
    with using(folder):
        return open_app(page, **query)


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The 13-month demo (with the collected delivery)."""
    yield year_database(tmp_path_factory)


def year_lines(at: AppTest, lang: str = "en") -> list[str]:
    """The cards' lines against a year earlier, in order."""
    head = translator(lang)("kpi.yoy", delta="")
    return [c.value for c in at.caption if c.value.startswith(head)]


def test_every_card_of_the_overview_compares_with_a_year_earlier(year: Path) -> None:
    """Eight cards, eight lines; followers against the daily rows a year before (a gain of millions told short on
    the line, in full in the card's tooltip), the response rate against the KPI table of the year-earlier period
    judged at the same age."""
    tr = translator("en")
    at = app(year, lang="en", country="KZ", **PERIOD)
    lines = year_lines(at)
    assert len(lines) == len(at.metric) == 8
    gained = followers_on(year, "KZ", "2026-11-22") - followers_on(year, "KZ", "2025-11-22")
    assert abs(gained) >= 1_000_000
    assert lines[0] == tr("kpi.yoy", delta=f":{'green' if gained > 0 else 'red'}[{tr.short(gained, sign=True)}]")
    told = at.metric[0].proto.help
    assert told.endswith("; " + tr("kpi.exact_year", delta=tr.signed(gained)) + "."), told
    with using(year):
        now = kpi_table(queries.engine(), "country", D(2026, 10, 24), D(2026, 11, 22), parent="KZ")
        then = kpi_table(
            queries.engine(), "country", D(2025, 10, 24), D(2025, 11, 22), parent="KZ", back=dt.timedelta(days=365)
        )
    change = now["response_rate_pct"].iloc[0] - then["response_rate_pct"].iloc[0]
    shown = tr.signed(round(change, 1), 1, tr("unit.pp")).replace("−", "-").replace(" ", "\xa0")
    assert shown in lines[5].replace("−", "-")


def test_without_a_year_of_data_the_overview_says_so(year: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The last 90 days of the 13-month demo, and the 9-month demo: no card line, one plain sentence instead."""
    tr = translator("en")
    at = app(year, lang="en", country="KZ", period="90d")
    assert year_lines(at) == []
    start = Period(D(2026, 8, 25), D(2026, 11, 22)).year_before().start
    assert tr("kpi.no_year", first=tr.date(D(2025, 10, 23)), start=tr.date(start)) in [c.value for c in at.caption]
    short = app(demo_database(tmp_path_factory), lang="ru", country="KZ")
    assert year_lines(short, "ru") == []
    assert any(c.value.startswith(translator("ru")("kpi.no_year", first="", start="")[:30]) for c in short.caption)


def test_the_account_page_compares_a_page_with_its_year_before(year: Path) -> None:
    """A page with a year of history gets a line on each of its six cards; the collected page that began in
    October says it has no year."""
    tr = translator("en")
    at = app(year, "account", lang="en", country="KZ", region="KZ-KUS", **PERIOD)
    assert len(year_lines(at)) == len(at.metric) == 6
    engine = create_engine(f"sqlite:///{year / 'govpulse.db'}")
    with engine.connect() as conn:
        new = conn.execute(text("SELECT id FROM account WHERE handle = 'kostanay.jastary'")).scalar()
    engine.dispose()
    fresh = app(year, "account", lang="en", country="KZ", region="KZ-KUS", account=str(new), **PERIOD)
    assert year_lines(fresh) == []
    sentence = tr("kpi.no_year", first=tr.date(D(2026, 10, 1)), start=tr.date(D(2025, 10, 24)))
    assert sentence in [c.value for c in fresh.caption]
