"""The KPI cards whole and true: counts from a million told short with the exact figures in the tooltip, and no
change against a previous period that the data do not cover whole."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from dashboard import cards, queries_posts
from dashboard.filters import Period, Scope
from dashboard.i18n import LANGUAGES, translator
from tests.dashboard.support import demo_database, followers_on, kpi_row, open_app, using, year_database

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

D = dt.date
DAY = dt.timedelta(days=1)
FOLLOWERS = 10_079_712  # Kazakhstan's followers on the demo: too long for a card in full


def followers_card(shown: list[dict[str, object]], lang: str) -> dict[str, object]:
    """The followers card of `kpi_cards`' answer."""
    return next(c for c in shown if c["label"] == translator(lang)("kpi.followers"))


@pytest.mark.parametrize(
    "lang, value, delta, exact",
    [
        ("ru", "10,1\xa0млн", "+138\xa0712", "Точно: 10\xa0079\xa0712; +138\xa0712 к предыдущему периоду."),
        ("kk", "10,1\xa0млн", "+138\xa0712", "Дәл мәні: 10\xa0079\xa0712; алдыңғы кезеңге қарағанда +138\xa0712."),
        ("en", "10.1M", "+138,712", "Exactly: 10,079,712; +138,712 against the previous period."),
    ],
)
def test_a_count_from_a_million_is_short_and_whole_in_the_tooltip(
    lang: str, value: str, delta: str, exact: str
) -> None:
    """10,079,712 followers are '10,1 млн' / '10.1M' on the card, the change under a million stays exact, and the
    tooltip ends with the count and its change in full."""
    shown = cards.kpi_cards(kpi_row(followers_end=FOLLOWERS), kpi_row(followers_end=9_941_000), {}, translator(lang))
    card = followers_card(shown, lang)
    assert (card["value"], card["delta"]) == (value, delta)
    assert str(card["help"]).endswith("\n\n" + exact)
    assert all("\n\n" not in str(c["help"]) for c in shown if c is not card), "only a count shown short is told again"


def test_a_change_from_a_million_is_short_too_and_whole_in_the_tooltip() -> None:
    """A change of a million or more, against the previous period or a year earlier, is short like the value; the
    tooltip gives both changes in full. A count and changes under a million are exact and not told twice."""
    tr = translator("en")
    now, before, year = (
        kpi_row(followers_end=FOLLOWERS),
        kpi_row(followers_end=8_500_000),
        kpi_row(followers_end=10_000_000),
    )
    card = followers_card(cards.kpi_cards(now, before, {}, tr, year), "en")
    assert (card["value"], card["delta"], card["year"]) == ("10.1M", "+1.58M", "vs last year: :green[+79,712]")
    assert str(card["help"]).endswith(
        "Exactly: 10,079,712; +1,579,712 against the previous period; +79,712 against a year earlier."
    )
    small = followers_card(
        cards.kpi_cards(
            kpi_row(followers_end=999_999), kpi_row(followers_end=FOLLOWERS), {}, tr, kpi_row(followers_end=FOLLOWERS)
        ),
        "en",
    )
    assert (small["value"], small["delta"], small["year"]) == ("999,999", "−9.08M", "vs last year: :red[−9.08M]")
    assert str(small["help"]).endswith(
        "Exactly: 999,999; −9,079,713 against the previous period; −9,079,713 against a year earlier."
    )
    exact = followers_card(cards.kpi_cards(kpi_row(followers_end=8513), kpi_row(followers_end=8000), {}, tr), "en")
    assert (exact["value"], exact["delta"], exact["help"]) == ("8,513", "+513", tr("kpi.followers_help"))


def test_a_period_is_covered_from_the_first_day_with_data_on() -> None:
    """Covered when the data begin on its first day or before; not from a day later, nor without data."""
    before = Period(D(2026, 9, 24), D(2026, 10, 23))
    assert cards.covered(before, D(2026, 9, 24)) == before and cards.covered(before, D(2025, 1, 1)) == before
    assert cards.covered(before, D(2026, 9, 25)) is None and cards.covered(before, None) is None


def test_the_sentences_under_the_cards_name_what_is_not_compared() -> None:
    """Data from inside the previous period: two sentences (the previous period, a year earlier) with the first
    day; from before the year-earlier period: none; in between: the year's alone."""
    tr = translator("ru")
    period = Period(D(2026, 10, 24), D(2026, 11, 22))
    assert cards.uncovered(tr, period, D(2026, 10, 1)) == [
        "Изменение к предыдущему периоду (24 сент. – 23 окт. 2026\u202fг.) не показано: данные этой выборки "
        "начинаются 1 окт. 2026 и покрывают его не полностью.",
        tr("kpi.no_year", first="1 окт. 2026", start="24 окт. 2025"),
    ]
    assert cards.uncovered(tr, period, D(2025, 10, 24)) == []
    assert cards.uncovered(tr, period, D(2026, 9, 24)) == [
        tr("kpi.no_year", first="24 сент. 2026", start="24 окт. 2025")
    ]


# On the demo databases.


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The shared demo database (9 months to 22 Nov 2026), in use for the module."""
    folder = demo_database(tmp_path_factory)
    with using(folder):
        yield folder


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_overview_tells_kazakhstans_followers_short_and_whole(demo: Path, lang: str) -> None:
    """Kazakhstan's followers on the last 30 days' cards: millions in the reader's short form, the exact count and
    change (summed from the daily rows themselves) in the tooltip; every card has its change."""
    tr = translator(lang)
    at = open_app(lang=lang, country="KZ")
    now, then = followers_on(demo, "KZ", "2026-11-22"), followers_on(demo, "KZ", "2026-10-23")
    card = next(m for m in at.metric if m.label == tr("kpi.followers"))
    assert now >= 1_000_000 and card.value == tr.short(now) and card.value != tr.num(now)
    exact = tr("kpi.exact", figures=f"{tr.num(now)}; " + tr("kpi.exact_before", delta=tr.signed(now - then)))
    assert card.proto.help.endswith("\n\n" + exact)
    assert len(at.metric) == 8 and all(m.proto.delta for m in at.metric)
    assert not [c.value for c in at.caption if c.value.startswith(tr("kpi.no_before", span="", first="")[:20])]


def test_the_previous_period_is_compared_only_where_the_data_cover_it(demo: Path) -> None:
    """Data that begin inside the previous period: no card has a change, one sentence says from which day the data
    begin; the previous period starting on the data's first day: every card has its change, no sentence."""
    with using(demo):
        first = queries_posts.first_day(Scope("KZ", "country_code"))
    assert first is not None
    for lang in LANGUAGES:
        tr = translator(lang)
        start = first + 10 * DAY
        period = Period(start, start + 29 * DAY)
        at = open_app(lang=lang, country="KZ", period="custom", **{"from": str(period.start), "to": str(period.end)})
        assert len(at.metric) == 8 and not any(m.proto.delta for m in at.metric), lang
        sentence = tr("kpi.no_before", span=tr.span(*period.previous()), first=tr.date(first))
        assert sentence in [c.value for c in at.caption], lang
        # Nor does the page's heading name a period it is compared with.
        heading = at.caption[0].value
        assert heading.endswith(tr.span(*period)) and tr.span(*period.previous()) not in heading, heading
    tr = translator("en")
    start = first + 30 * DAY
    covered = open_app(lang="en", country="KZ", period="custom", **{"from": str(start), "to": str(start + 29 * DAY)})
    assert len(covered.metric) == 8 and all(m.proto.delta for m in covered.metric)
    assert not [c.value for c in covered.caption if c.value.startswith(tr("kpi.no_before", span="", first="")[:20])]
    before = Period(start, start + 29 * DAY).previous()
    assert covered.caption[0].value.endswith(f"(compared with {tr.span(*before)})"), covered.caption[0].value


def test_a_page_that_began_inside_the_previous_period_has_no_change(tmp_path_factory: pytest.TempPathFactory) -> None:
    """On the 13-month demo, a page with a year of history keeps the change on each of its six cards; the collected
    page whose data begin on 1 October has none against 24 Sep – 23 Oct, and the sentence says so."""
    folder = year_database(tmp_path_factory)
    period = {"period": "custom", "from": "2026-10-24", "to": "2026-11-22"}
    engine = create_engine(f"sqlite:///{folder / 'govpulse.db'}")
    with engine.connect() as conn:
        new = conn.execute(text("SELECT id FROM account WHERE handle = 'kostanay.jastary'")).scalar()
    engine.dispose()
    tr = translator("en")
    with using(folder):
        old = open_app("account", lang="en", country="KZ", region="KZ-KUS", **period)
        fresh = open_app("account", lang="en", country="KZ", region="KZ-KUS", account=str(new), **period)
    assert len(old.metric) == 6 and all(m.proto.delta for m in old.metric)
    assert len(fresh.metric) == 6 and not any(m.proto.delta for m in fresh.metric)
    sentence = tr("kpi.no_before", span=tr.span(D(2026, 9, 24), D(2026, 10, 23)), first=tr.date(D(2026, 10, 1)))
    assert sentence in [c.value for c in fresh.caption]


def test_rankings_change_only_against_a_covered_previous_period(demo: Path) -> None:
    """The Rankings' change column is empty, and says why, when the data begin inside the previous period; against
    a covered one some territory has moved."""
    with using(demo):
        first = queries_posts.first_day(Scope("KZ", "country_code"))
    assert first is not None
    tr = translator("en")
    for start, covered in ((first + 10 * DAY, False), (first + 30 * DAY, True)):
        period = Period(start, start + 29 * DAY)
        custom = {"period": "custom", "from": str(period.start), "to": str(period.end)}
        at = open_app("rankings", lang="en", country="KZ", **custom)
        changes = at.dataframe[0].value[tr("col.change")]
        sentence = tr("kpi.no_before", span=tr.span(*period.previous()), first=tr.date(first))
        assert (sentence in [c.value for c in at.caption]) is not covered
        assert changes.notna().any() if covered else changes.isna().all(), changes.tolist()
