"""Chart functions: each figure has its title, caption, units and exactly the data it was given, in one theme."""

import datetime as dt

import pandas as pd
import pytest

from dashboard import charts
from dashboard.i18n import Tr

EN, RU = Tr("en"), Tr("ru")
NOTE = "1–22 Nov 2026 · territories: 3"


def days(values: dict[str, list[float]]) -> pd.DataFrame:
    """Daily series (`day`, `name`, `value`) from lists of values per name."""
    return pd.concat(
        pd.DataFrame({"day": pd.date_range("2026-11-01", periods=len(v)), "name": name, "value": v})
        for name, v in values.items()
    )


def test_followers_draws_one_line_per_series_with_title_units_and_caption() -> None:
    """One line per series with its values; title, subtitle (range and n) and axis titles are set."""
    fig = charts.followers(days({"A": [100, 110], "B": [50, 40]}), "absolute", EN, NOTE)
    assert [t.name for t in fig.data] == ["A", "B"]
    assert list(fig.data[0].y) == [100, 110] and list(fig.data[1].y) == [50, 40]
    assert fig.layout.title.text == "Followers" and fig.layout.title.subtitle.text == NOTE
    assert fig.layout.yaxis.title.text == "Followers" and fig.layout.xaxis.title.text == "Date"
    assert fig.layout.template.layout.colorway == tuple(charts.PALETTE)


def test_platform_series_keep_their_brand_colour_in_both_languages() -> None:
    """Series of platforms are drawn in the platform's colour (VK blue, MAX violet), lines and weekly bars alike."""
    for tr in (EN, RU):
        vk, max_ = tr.label("platform", "vk"), tr.label("platform", "max")
        series = days({vk: [100, 110, 120, 130, 140, 150, 160, 170], max_: [10, 20, 30, 40, 50, 60, 70, 80]})
        lines = charts.followers(series, "absolute", tr, NOTE, charts.platform_colours(tr))
        assert [t.line.color for t in lines.data] == ["#0077ff", "#7b3fe4"]
        weekly = series.assign(week=series["day"]).drop(columns="day")
        bars = charts.net_new(weekly, tr, NOTE, charts.platform_colours(tr))
        assert [t.marker.color for t in bars.data][:2] == ["#0077ff", "#7b3fe4"]
    assert charts.followers(days({"A": [1, 2]}), "absolute", EN, NOTE).data[0].line.color is None


def test_indexed_followers_mark_100() -> None:
    """The indexed chart says so in its title and draws the 100 line."""
    fig = charts.followers(days({"A": [100, 120]}), "index", EN, NOTE)
    assert "indexed" in fig.layout.title.text and fig.layout.shapes[0].y0 == 100


def test_language_sets_separators_and_date_axis() -> None:
    """Russian charts use a decimal comma, spaced thousands and numeric dates; English ones the English way."""
    ru = charts.followers(days({"A": [1, 2]}), "absolute", RU, NOTE)
    en = charts.followers(days({"A": [1, 2]}), "absolute", EN, NOTE)
    assert ru.layout.separators == ", " and en.layout.separators == ".,"
    assert ru.layout.xaxis.tickformat == "%d.%m.%y" and ru.layout.title.text == "Подписчики"


def test_movers_colour_growth_and_drops() -> None:
    """Growth is green, a drop red, sorted with the largest growth at the top."""
    fig = charts.movers(pd.DataFrame({"name": ["up", "down"], "value": [12.5, -3.0]}), EN, NOTE)
    bar = fig.data[0]
    assert list(bar.y) == ["down", "up"] and list(bar.x) == [-3.0, 12.5]
    assert list(bar.marker.color) == [charts.BAD, charts.GOOD]
    assert list(bar.text) == ["−3.0 %", "+12.5 %"]


def test_ranking_bars_keep_their_order_and_ranks_on_a_0_to_100_axis() -> None:
    """The first row is drawn at the top, each named with its rank; a row without a score is an empty gap."""
    ranked = pd.DataFrame({"name": ["b", "a", "⋯", "c"], "score": [90.0, 40.0, None, 10.0], "rank": [1, 2, None, 9]})
    fig = charts.ranking(ranked, EN, NOTE)
    assert list(fig.data[0].y) == ["9. c", "⋯", "2. a", "1. b"] and tuple(fig.layout.xaxis.range) == (0, 100)
    assert list(fig.data[0].x) == [10.0, None, 40.0, 90.0] and list(fig.data[0].text) == ["10.0", "", "40.0", "90.0"]


def test_weekly_rate_has_target_line_and_fixed_scale() -> None:
    """The response-rate chart shows the target and a 0–105 % scale."""
    df = pd.DataFrame({"week": pd.to_datetime(["2026-11-02", "2026-11-09"]), "name": "All", "value": [70.0, 85.0]})
    fig = charts.weekly(df, "response_rate_pct", EN, NOTE, target=80)
    assert list(fig.data[0].y) == [70.0, 85.0] and fig.layout.shapes[0].y0 == 80
    assert tuple(fig.layout.yaxis.range) == (0, 105) and fig.layout.title.text == "Response rate by week"
    monthly = charts.weekly(df, "response_rate_pct", EN, NOTE, by="month")
    assert monthly.layout.title.text == "Response rate by month" and monthly.layout.xaxis.title.text == "Month"


def test_backlog_buckets_are_labelled() -> None:
    """Backlog buckets appear with their labels and counts."""
    df = pd.DataFrame({"bucket": ["<1", "1-3", "3-7", ">7"], "count": [5, 3, 0, 12]})
    fig = charts.backlog(df, RU, NOTE)
    assert list(fig.data[0].x) == ["< 1", "1–3", "3–7", "> 7"] and list(fig.data[0].y) == [5, 3, 0, 12]
    assert fig.layout.yaxis.title.text == "Обращения"


def test_who_answers_stacks_shares_per_place() -> None:
    """One stacked trace per kind of answerer, with the shares given."""
    df = pd.DataFrame(
        {"name": ["X", "X", "X", "X"], "who": ["owner", "press_service", "other", "nobody"], "share": [10, 50, 5, 35]}
    )
    fig = charts.who_answers(df, EN, NOTE)
    assert [t.name for t in fig.data] == ["The official", "Press service", "Someone else", "Nobody"]
    assert sum(t.x[0] for t in fig.data) == 100 and fig.layout.barmode == "stack"


def test_funnel_keeps_the_stage_order() -> None:
    """The funnel lists its stages from required to answering with their counts."""
    df = pd.DataFrame({"stage": ["required", "existing", "verified", "active", "answering"], "count": [10, 9, 7, 6, 4]})
    fig = charts.funnel(df, EN, NOTE)
    assert list(fig.data[0].y) == ["Required", "Existing", "Verified", "Posted in the period", "Answering"]
    assert list(fig.data[0].x) == [10, 9, 7, 6, 4]


def test_account_followers_marks_renames() -> None:
    """A rename is drawn as a dashed line with the new handle."""
    df = pd.DataFrame({"day": pd.date_range("2026-08-01", periods=3), "followers": [10, 11, 12]})
    renames = pd.DataFrame({"day": [pd.Timestamp("2026-08-02").date()], "handle": ["new_name"]})
    fig = charts.account_followers(df, renames, EN, NOTE)
    assert len(fig.layout.shapes) == 1 and "new_name" in fig.layout.annotations[0].text


@pytest.mark.parametrize("digits, text", [(0, "1,235"), (2, "1,234.57")])
def test_compare_bars_show_their_values(digits: int, text: str) -> None:
    """Compared values are printed on their bars with the digits asked for."""
    fig = charts.compare(pd.DataFrame({"name": ["a"], "value": [1234.567]}), "Followers", "", EN, NOTE, digits)
    assert list(fig.data[0].text) == [text] and fig.layout.title.text == "Followers"


def test_posts_by_type_has_two_axes() -> None:
    """Posts per type as bars, interactions per post on a second axis."""
    df = pd.DataFrame({"post_type": ["photo", "reel"], "posts": [10, 3], "per_post": [12.0, 40.0]})
    fig = charts.posts_by_type(df, RU, NOTE)
    assert list(fig.data[0].x) == ["Фото", "Reels"] and fig.data[1].yaxis == "y2"


def test_a_territory_keeps_its_colour_on_every_chart_of_a_page() -> None:
    """The page's mapping gives each series one colour in every chart; the total is ink, "others" grey."""
    colours = charts.series_colours(["All", "Abay", "Bukhar", "Others"], total="All", others="Others")
    assert colours["All"] == charts.TOTAL and colours["Others"] == charts.NEUTRAL
    assert colours["Abay"] != colours["Bukhar"]
    lines = pd.DataFrame({"week": [dt.date(2026, 11, 2)] * 2, "name": ["Bukhar", "Abay"], "value": [70.0, 60.0]})
    weekly = charts.weekly(lines, "response_rate_pct", EN, NOTE, colours=colours)
    bars = charts.compare(lines[["name", "value"]], "Rate", "%", EN, NOTE, colours=colours)
    assert {t.name: t.line.color for t in weekly.data} == {"Bukhar": colours["Bukhar"], "Abay": colours["Abay"]}
    assert list(bars.data[0].marker.color) == [colours["Bukhar"], colours["Abay"]]


def test_weeks_only_partly_in_the_period_are_hollow() -> None:
    """The first and last weeks reaching outside the period are hollow points, and the caption says what they mean."""
    weeks = [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 30)]
    lines = pd.DataFrame({"week": weeks, "name": "All", "value": [70.0, 71.0, 40.0]})
    fig = charts.weekly(lines, "response_rate_pct", RU, NOTE, period=(dt.date(2026, 11, 4), dt.date(2026, 11, 30)))
    assert list(fig.data[0].marker.symbol) == ["circle-open", "circle", "circle-open"]
    assert RU("chart.partial") in fig.layout.title.subtitle.text
    whole = charts.weekly(lines, "response_rate_pct", RU, NOTE, period=(dt.date(2026, 11, 2), dt.date(2026, 12, 6)))
    assert whole.data[0].marker.symbol is None and RU("chart.partial") not in whole.layout.title.subtitle.text
