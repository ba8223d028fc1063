"""What each slide of the briefing pack says: key figures, growth, ranking, responsiveness, coverage, alerts."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from dashboard import analysis, charts, queries, ranking
from dashboard.filters import Period
from dashboard.headlines import headlines, kpi_values
from dashboard.i18n import Tr
from dashboard.slides import Chart, Slide


def cover_slide(
    tr: Tr,
    name: str,
    period: Period,
    before: Period | None,
    fresh: Mapping[str, Any],
    data_date: dt.date | None,
    first: dt.date | None = None,
) -> Slide:
    freshness = tr(
        "brief.freshness",
        day=tr.date(data_date),
        snapshot=tr.date(fresh.get("snapshot")),
        post=tr.date(fresh.get("post")),
        inquiry=tr.date(fresh.get("inquiry")),
    )
    told = (
        [tr("brief.period", span=tr.span(*period), before=tr.span(*before))]
        if before
        else [
            tr("brief.period_alone", span=tr.span(*period)),
            tr("kpi.no_before", span=tr.span(*period.previous()), first=tr.date(first)),
        ]
    )
    lines = [
        *told,
        freshness,
        tr("brief.generated", day=tr.date(dt.date.today())),
    ]
    return Slide(tr("brief.title", name=name), lines=lines, cover=True)


CARD_KINDS = {
    "followers": "int",
    "growth": "pp",
    "active": "pp",
    "posts_per_week": "num2",
    "er": "pp2",
    "response": "pp",
    "reply_median": "min",
    "coverage": "pp",
}


def card_value(tr: Tr, kind: str, value: float | None) -> str:
    if kind == "int":
        return tr.num(value)
    if kind == "num2":
        return tr.num(value, 2)
    if kind == "min":
        return tr.minutes(value)
    return tr.pct(value, 2 if kind == "pp2" else 1)


def card_change(tr: Tr, kind: str, now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    delta = now - before
    if kind == "int":
        return tr.signed(delta)
    if kind == "num2":
        return tr.signed(round(delta, 2), 2)
    if kind == "min":
        return tr.signed_minutes(delta)
    return tr.signed(round(delta, 2), 2 if kind == "pp2" else 1, tr("unit.pp"))


def tone(change: str, lower_is_better: bool) -> str:
    """Whether a change told as text is good or bad news ("" for none or no change)."""
    if not change or change[0] not in "+−":
        return ""
    return "good" if (change[0] == "+") != lower_is_better else "bad"


def kpi_slide(tr: Tr, now_row: Mapping[str, Any], before_row: Mapping[str, Any] | None) -> Slide:
    now, before = kpi_values(now_row), kpi_values(before_row)
    cards = []
    for key, kind in CARD_KINDS.items():
        change = card_change(tr, kind, now.get(key), before.get(key))
        value = card_value(tr, kind, now.get(key))
        # A region's or a country's median read from the histograms: "≈", as on the dashboard.
        value = tr.approx(value) if key == "reply_median" and now_row.get("approximate") else value
        cards.append((tr(f"kpi.{key}"), value, change, tone(change, key == "reply_median")))
    return Slide(tr("brief.kpis"), lines=headlines(tr, now, before), cards=cards)


def growth_slide(tr: Tr, period: Period, scope: Any) -> Slide:
    """Followers and net new followers a week by platform (territories are compared on the ranking slide)."""
    rows = queries.series("platform", *period, scope)
    rows = rows.assign(name=rows["key"].map(lambda k: tr.label("platform", k)))
    daily = rows.groupby(["day", "name"], as_index=False).agg(value=("followers", "sum"))
    if daily.empty:
        return Slide(tr("brief.growth"), lines=[tr("brief.no_data")])
    note = caption(tr, period, daily["name"].nunique(), "unit.series")
    return Slide(
        tr("brief.growth"),
        charts=[
            Chart("followers", charts.followers(daily, "absolute", tr, note, charts.platform_colours(tr))),
            Chart("net_new", charts.net_new(analysis.weekly_net(daily), tr, note, charts.platform_colours(tr))),
        ],
    )


RANKED = 15  # bars on the ranking chart: the best and the worst when there are more


def ranking_slide(tr: Tr, period: Period, level: str, table: pd.DataFrame, min_sample: int) -> Slide:
    heading = tr("brief.ranking", level=tr(f"level.{level}_plural"))
    out = []
    if len(table):
        scored = ranking.score(table, ranking.DEFAULT_WEIGHTS, min_sample)
        rated = scored.dropna(subset=["score"]).sort_values(["rank", "territory_name"])
        bars = rated.rename(columns={"territory_name": "name"})[["name", "score", "rank"]]
        if len(bars) > RANKED:
            best, worst = RANKED - RANKED // 3, RANKED // 3
            gap = pd.DataFrame({"name": ["⋯"], "score": [None], "rank": [pd.NA]})
            bars = pd.concat([bars.head(best), gap, bars.tail(worst)], ignore_index=True)
        if len(rated):
            note = caption(tr, period, int(scored["score"].notna().sum()), "unit.territories")
            out.append(Chart("ranking", charts.ranking(bars, tr, note)))
        movers = analysis.movers(table)
        if len(movers):
            note = caption(tr, period, int(table["growth_pct"].notna().sum()), "unit.territories")
            out.append(Chart("movers", charts.movers(movers, tr, note)))
    return Slide(heading, charts=out, lines=[] if out else [tr("brief.no_data")])


# Up to this many days a pack's trend is drawn by day: a week's pack by week would be one or two points.
DAILY_UP_TO = 21


def pack_grain(period: Period, sums: pd.DataFrame, min_sample: int) -> str:
    """The grain of a pack's trend charts: days for a short period when four days in five have the minimum sample,
    else weeks or months as the dashboard picks."""
    if period.days <= DAILY_UP_TO:
        per_day = sums.groupby("day")["inquiries"].sum().reindex(pd.date_range(*period), fill_value=0)
        if per_day.quantile(0.2) >= min_sample:
            return "day"
    return analysis.grain(sums["day"], min_sample, sums["inquiries"])


def responsiveness_slides(
    tr: Tr, period: Period, scope: Any, level: str, deadline: str, min_sample: int, target: float, name: str
) -> list[Slide]:
    # The Responsiveness page's cached counts (the same arguments), summed per week.
    sums, times = queries.responsiveness(*period, scope, deadline, level, None)
    if not sums["inquiries"].sum():
        return [Slide(tr("brief.responsiveness"), lines=[tr("empty.inquiries")])]
    total = tr("resp.all", name=name)
    note = caption(tr, period, int(sums["inquiries"].sum()), "unit.inquiries")
    grain = pack_grain(period, sums, min_sample)
    sums = sums.assign(week=analysis.bucket(sums["day"], grain), name=total)
    times = times.assign(week=analysis.bucket(times["day"], grain), name=total)
    weekly = analysis.summary(sums, times, ["week", "name"], min_sample)

    def lines(column: str, label: str = total) -> pd.DataFrame:
        return weekly.assign(name=label, value=weekly[column])[["week", "name", "value"]]

    stats = {"median_min": "resp.median", "p90_min": "resp.p90", "median_work": "resp.median_work"}
    reply = [weekly.assign(name=tr(lbl), value=weekly[c] / 60)[["week", "name", "value"]] for c, lbl in stats.items()]
    backlog, _ = queries.backlog(period.end, scope)
    # The backlog stands at the period's end.
    waiting = caption(tr, Period(period.end, period.end), int(backlog["count"].sum()), "unit.unanswered")
    return [
        Slide(
            tr("brief.responsiveness"),
            charts=[
                Chart(
                    "response_rate",
                    charts.weekly(
                        lines("response_rate_pct"), "response_rate_pct", tr, note, target, grain, None, period
                    ),
                ),
                Chart(
                    "backlog",
                    charts.backlog(backlog, tr, waiting),
                ),
            ],
        ),
        Slide(
            tr("brief.deadline"),
            charts=[
                Chart(
                    "within_deadline",
                    charts.weekly(lines("within_pct"), "within_pct", tr, note, None, grain, None, period),
                ),
                Chart(
                    "reply_hours",
                    charts.weekly(
                        pd.concat(reply, ignore_index=True), "reply_hours", tr, note, None, grain, None, period
                    ),
                ),
            ],
        ),
    ]


def coverage_slide(tr: Tr, period: Period, scope: Any, pages: pd.DataFrame) -> Slide:
    required = queries.in_scope(scope)
    required = required[required["required"].astype(bool)]
    if required.empty:
        return Slide(tr("brief.coverage"), lines=[tr("coverage.none_required")])
    flags = analysis.funnel(required, pages)
    counts = analysis.funnel_counts(flags)
    fig = charts.funnel(counts, tr, caption(tr, period, len(flags), "unit.required"))
    lines = [f"{tr(f'stage.{s}')}: {tr.num(n)}" for s, n in zip(counts["stage"], counts["count"], strict=True)]
    return Slide(tr("brief.coverage"), charts=[Chart("coverage", fig)], lines=lines)


ALERT_LINES = 8  # pages listed per alert; the rest are counted


def page_names(ids: pd.Series, tr: Tr, scope: Any) -> list[str]:
    """The first pages of a list (all in `scope`) as 'Owner (Platform handle)'."""
    reg = queries.registry(scope.parent, scope.column)
    out = []
    for i in ids[:ALERT_LINES]:
        if i in reg.index:
            row = reg.loc[i]
            out.append(f"{row['owner_name']} ({tr.label('platform', row['platform'])} {row['handle']})")
        else:
            out.append(str(i))
    return out


def listed(tr: Tr, pages: pd.DataFrame, details: list[str], scope: Any) -> list[str]:
    """The first pages of an alert with their details, and how many more there are."""
    names = page_names(pages["id"], tr, scope)
    items = [tr("brief.page_line", name=n, detail=d) for n, d in zip(names, details, strict=False)]
    if len(pages) > ALERT_LINES:
        items.append(tr("brief.and_more", n=tr.num(len(pages) - ALERT_LINES)))
    return items


def alerts_slide(tr: Tr, period: Period, scope: Any, pages: pd.DataFrame, conf: Any) -> Slide:
    """Silent pages, suspicious follower jumps and pages below the response target, as on the Overview."""
    silent = analysis.silent(queries.last_posts(period.end, scope), period.end, conf.active_days)
    jumps = queries.jumps(*period, scope)
    low = analysis.under_target(pages, conf.response_target_pct)
    bullets = []
    if len(silent):
        details = [
            tr("brief.silent_detail", days=tr.num(d)) if pd.notna(d) else tr("brief.silent_never")
            for d in silent["days"][:ALERT_LINES]
        ]
        head = tr("brief.silent", days=conf.active_days, n=tr.num(len(silent)))
        bullets.append((head, listed(tr, silent, details, scope)))
    if len(jumps):
        top = jumps.head(ALERT_LINES)
        details = [
            tr("brief.spike_detail", gain=tr.signed(float(after) - float(was)), day=tr.date(day))
            for after, was, day in zip(top["followers"], top["before"], top["day"], strict=True)
        ]
        bullets.append((tr("brief.spikes", n=tr.num(len(jumps))), listed(tr, jumps, details, scope)))
    if len(low):
        top = low.head(ALERT_LINES)
        details = [
            tr("brief.low_detail", rate=tr.pct(rate), n=tr.num(n))
            for rate, n in zip(top["response_rate_pct"], top["inquiries"], strict=True)
        ]
        head = tr("brief.low", target=tr.pct(conf.response_target_pct, 0), n=tr.num(len(low)))
        bullets.append((head, listed(tr, low, details, scope)))
    return Slide(tr("brief.alerts"), bullets=bullets, lines=[] if bullets else [tr("brief.no_alerts")])


def definitions_slide(tr: Tr, conf: Any) -> Slide:
    loaded = queries.as_of()
    lines = [
        tr("definition.followers"),
        tr("definition.growth"),
        tr("definition.posts_per_week"),
        tr("definition.response", n=conf.min_sample_inquiries),
        tr("definition.within", deadline=tr(f"deadline.{conf.deadline}")),
        tr("definition.reply"),
        tr("definition.ranking"),
        tr("definition.coverage"),
        tr("definition.sources", loaded=tr.date(loaded.date()) if loaded is not None else "—"),
    ]
    return Slide(tr("brief.definitions"), lines=lines)


def caption(tr: Tr, period: Period, n: int, unit: str) -> str:
    """A chart caption as on the dashboard: the date range and n."""
    return tr("note.range_n", span=tr.span(period.start, period.end), n=tr.num(n), unit=tr(unit))
