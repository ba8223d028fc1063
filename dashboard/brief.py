"""The briefing pack: a territory's period as 16:9 slides (PPTX) or the same pages as PDF, with headline sentences."""

import datetime as dt
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard import analysis, charts, queries, ranking
from dashboard.exports import SCALE, Stamp, stamp, translator
from dashboard.filters import Filters, Period
from dashboard.headlines import headlines, kpi_values
from dashboard.i18n import Tr
from dashboard.render import chromium_path, render, warm_up
from dashboard.slides import Chart, Slide, chart_boxes, write_pdf, write_pptx

FORMATS = ("pptx", "pdf")


@dataclass
class Pack:
    """Everything the pack shows, before it is laid out as PPTX or PDF."""

    lang: str
    code: str
    name: str
    period: Period
    before: Period
    data_date: dt.date | None
    slides: list[Slide]

    def stamp(self) -> Stamp:
        """The stamp of the pack's charts."""
        return Stamp(self.lang, self.period.start, self.period.end, self.data_date)


class BriefError(ValueError):
    """The pack cannot be built for these arguments (unknown territory, no data); the message says why."""


def filters_for(code: str, lang: str) -> Filters:
    """The dashboard's filters that select a territory's subtree (a country, region or district)."""
    places = queries.territories()
    if code not in places.index:
        raise BriefError(translator(lang)("brief.no_territory", code=code))
    row = places.loc[code]
    level = str(row["level"])
    if level not in ("country", "region", "district"):
        raise BriefError(f"{code}: a briefing pack is made for a country, region or district, not a {level}")
    return Filters(
        lang=lang,
        country=str(row["country_code"] or code),
        region=str(row["region_code"] or "") if level != "country" else "",
        district=code if level == "district" else "",
    )


def _name(places: pd.DataFrame, code: Any, lang: str, own: str) -> str:
    """A territory's name in the language; `own` for pages attached to the parent itself (no code)."""
    if not isinstance(code, str) or code not in places.index:
        return own
    return str(places.at[code, "name_en" if lang == "en" else "name_ru"])


def _note(tr: Tr, period: Period, n: int, unit: str) -> str:
    """A chart caption as on the dashboard: the date range and n."""
    return tr("note.range_n", span=tr.span(period.start, period.end), n=tr.num(n), unit=tr(unit))


def _row(table: pd.DataFrame, code: str) -> dict[str, Any] | None:
    rows = table[table["territory_code"] == code]
    return None if rows.empty else {str(k): v for k, v in rows.iloc[0].items()}


def collect(
    code: str, start: dt.date, end: dt.date, lang: str, on_slide: Callable[[Slide, Stamp], None] | None = None
) -> Pack:
    """Read the territory's period through the dashboard's queries and lay it out as slides (charts not rendered);
    `on_slide` is told of each slide as soon as it is built, so that its charts can render meanwhile."""
    tr = translator(lang)
    f = filters_for(code, tr.lang)
    scope, conf = f.scope(), queries.settings(tr.lang)
    period = Period(min(start, end), max(start, end))
    before = period.previous()
    name = _name(queries.territories(), code, tr.lang, code)
    now_row = _row(queries.kpis(f.parent_level, *period, scope, tr.lang), code)
    if now_row is None or not now_row.get("accounts"):
        raise BriefError(tr("brief.empty", name=name, span=tr.span(*period)))
    fresh = queries.freshness(*period, scope)
    data_date = max((d for d in (fresh.get("snapshot"), fresh.get("post"), fresh.get("inquiry")) if d), default=None)
    meta = Stamp(tr.lang, period.start, period.end, data_date)
    level = f.row_level

    def pages() -> pd.DataFrame:
        return queries.kpis("account", *period, scope, tr.lang)

    builders: list[Callable[[], Slide | list[Slide]]] = [
        lambda: _cover(tr, name, period, before, fresh, data_date),
        lambda: _kpi_slide(tr, now_row, _row(queries.kpis(f.parent_level, *before, scope, tr.lang), code)),
        lambda: _growth_slide(tr, period, scope),
        lambda: _ranking_slide(
            tr, period, level, queries.kpis(level, *period, scope, tr.lang), conf.min_sample_inquiries
        ),
        lambda: _responsiveness_slides(
            tr, period, scope, level, conf.deadline, conf.min_sample_inquiries, conf.response_target_pct, name
        ),
        lambda: _coverage_slide(tr, period, scope, pages()),
        lambda: _alerts_slide(tr, period, scope, pages(), conf),
        lambda: _definitions_slide(tr, conf),
    ]
    slides: list[Slide] = []
    for build in builders:
        made = build()
        for slide in made if isinstance(made, list) else [made]:
            slides.append(slide)
            if on_slide is not None:
                on_slide(slide, meta)
    return Pack(tr.lang, code, name, period, before, data_date, slides)


def _cover(
    tr: Tr, name: str, period: Period, before: Period, fresh: Mapping[str, Any], data_date: dt.date | None
) -> Slide:
    freshness = tr(
        "brief.freshness",
        day=tr.date(data_date),
        snapshot=tr.date(fresh.get("snapshot")),
        post=tr.date(fresh.get("post")),
        inquiry=tr.date(fresh.get("inquiry")),
    )
    lines = [
        tr("brief.period", span=tr.span(*period), before=tr.span(*before)),
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


def _card_value(tr: Tr, kind: str, value: float | None) -> str:
    if kind == "int":
        return tr.num(value)
    if kind == "num2":
        return tr.num(value, 2)
    if kind == "min":
        return tr.minutes(value)
    return tr.pct(value, 2 if kind == "pp2" else 1)


def _card_change(tr: Tr, kind: str, now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    delta = now - before
    if kind == "int":
        return tr.signed(delta)
    if kind == "num2":
        return tr.signed(round(delta, 2), 2)
    if kind == "min":
        return tr.signed(round(delta), 0, tr("unit.min"))
    return tr.signed(round(delta, 2), 2 if kind == "pp2" else 1, tr("unit.pp"))


def _kpi_slide(tr: Tr, now_row: Mapping[str, Any], before_row: Mapping[str, Any] | None) -> Slide:
    now, before = kpi_values(now_row), kpi_values(before_row)
    cards = [
        (tr(f"kpi.{key}"), _card_value(tr, kind, now.get(key)), _card_change(tr, kind, now.get(key), before.get(key)))
        for key, kind in CARD_KINDS.items()
    ]
    return Slide(tr("brief.kpis"), lines=headlines(tr, now, before), cards=cards)


def _growth_slide(tr: Tr, period: Period, scope: Any) -> Slide:
    """Followers and net new followers a week by platform (territories are compared on the ranking slide)."""
    rows = queries.series("platform", *period, scope)
    rows = rows.assign(name=rows["key"].map(lambda k: tr.label("platform", k)))
    daily = rows.groupby(["day", "name"], as_index=False).agg(value=("followers", "sum"))
    if daily.empty:
        return Slide(tr("brief.growth"), lines=[tr("brief.no_data")])
    note = _note(tr, period, daily["name"].nunique(), "unit.series")
    return Slide(
        tr("brief.growth"),
        charts=[
            Chart("followers", charts.followers(daily, "absolute", tr, note)),
            Chart("net_new", charts.net_new(analysis.weekly_net(daily), tr, note)),
        ],
    )


RANKED = 15  # bars on the ranking chart: the best and the worst when there are more


def _ranking_slide(tr: Tr, period: Period, level: str, table: pd.DataFrame, min_sample: int) -> Slide:
    heading = tr("brief.ranking", level=tr(f"level.{level}_plural"))
    out = []
    if len(table):
        scored = ranking.score(table, ranking.DEFAULT_WEIGHTS, min_sample)
        rated = scored.dropna(subset=["score"]).sort_values("score", ascending=False)
        if len(rated) > RANKED:
            rated = pd.concat([rated.head(RANKED - RANKED // 3), rated.tail(RANKED // 3)])
        if len(rated):
            bars = rated.rename(columns={"territory_name": "name"})[["name", "score"]]
            note = _note(tr, period, int(scored["score"].notna().sum()), "unit.territories")
            out.append(Chart("ranking", charts.ranking(bars, tr, note)))
        movers = analysis.movers(table)
        if len(movers):
            note = _note(tr, period, int(table["growth_pct"].notna().sum()), "unit.territories")
            out.append(Chart("movers", charts.movers(movers, tr, note)))
    return Slide(heading, charts=out, lines=[] if out else [tr("brief.no_data")])


def _responsiveness_slides(
    tr: Tr, period: Period, scope: Any, level: str, deadline: str, min_sample: int, target: float, name: str
) -> list[Slide]:
    # The Responsiveness page's cached counts (the same arguments), summed per week.
    sums, times = queries.responsiveness(*period, scope, deadline, level, None)
    if not sums["inquiries"].sum():
        return [Slide(tr("brief.responsiveness"), lines=[tr("empty.inquiries")])]
    total = tr("resp.all", name=name)
    note = _note(tr, period, int(sums["inquiries"].sum()), "unit.inquiries")
    sums = sums.assign(week=analysis.week_of(sums["day"]), name=total)
    times = times.assign(week=analysis.week_of(times["day"]), name=total)
    weekly = analysis.summary(sums, times, ["week", "name"], min_sample)

    def lines(column: str, label: str = total) -> pd.DataFrame:
        return weekly.assign(name=label, value=weekly[column])[["week", "name", "value"]]

    stats = {"median_min": "resp.median", "p90_min": "resp.p90", "median_work": "resp.median_work"}
    reply = [weekly.assign(name=tr(lbl), value=weekly[c] / 60)[["week", "name", "value"]] for c, lbl in stats.items()]
    backlog, _ = queries.backlog(*period, scope)
    return [
        Slide(
            tr("brief.responsiveness"),
            charts=[
                Chart(
                    "response_rate", charts.weekly(lines("response_rate_pct"), "response_rate_pct", tr, note, target)
                ),
                Chart(
                    "backlog",
                    charts.backlog(backlog, tr, _note(tr, period, int(backlog["count"].sum()), "unit.unanswered")),
                ),
            ],
        ),
        Slide(
            tr("brief.deadline"),
            charts=[
                Chart("within_deadline", charts.weekly(lines("within_pct"), "within_pct", tr, note)),
                Chart("reply_hours", charts.weekly(pd.concat(reply, ignore_index=True), "reply_hours", tr, note)),
            ],
        ),
    ]


def _coverage_slide(tr: Tr, period: Period, scope: Any, pages: pd.DataFrame) -> Slide:
    required = queries.in_scope(scope)
    required = required[required["required"].astype(bool)]
    if required.empty:
        return Slide(tr("brief.coverage"), lines=[tr("coverage.none_required")])
    flags = analysis.funnel(required, pages)
    counts = analysis.funnel_counts(flags)
    fig = charts.funnel(counts, tr, _note(tr, period, len(flags), "unit.required"))
    lines = [f"{tr(f'stage.{s}')}: {tr.num(n)}" for s, n in zip(counts["stage"], counts["count"], strict=True)]
    return Slide(tr("brief.coverage"), charts=[Chart("coverage", fig)], lines=lines)


ALERT_LINES = 8  # pages listed per alert; the rest are counted


def _page_names(ids: pd.Series, tr: Tr, scope: Any) -> list[str]:
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


def _listed(tr: Tr, pages: pd.DataFrame, details: list[str], scope: Any) -> list[str]:
    """The first pages of an alert with their details, and how many more there are."""
    names = _page_names(pages["id"], tr, scope)
    items = [tr("brief.page_line", name=n, detail=d) for n, d in zip(names, details, strict=False)]
    if len(pages) > ALERT_LINES:
        items.append(tr("brief.and_more", n=tr.num(len(pages) - ALERT_LINES)))
    return items


def _alerts_slide(tr: Tr, period: Period, scope: Any, pages: pd.DataFrame, conf: Any) -> Slide:
    """Silent pages, suspicious follower jumps and pages below the response target, as on the Overview."""
    silent = analysis.silent(queries.last_posts(period.end, scope), period.end, conf.active_days)
    jumps = queries.jumps(*period, scope, analysis.SPIKE_MIN_GAIN, analysis.SPIKE_MIN_RATIO)
    low = analysis.under_target(pages, conf.response_target_pct)
    bullets = []
    if len(silent):
        details = [
            tr("brief.silent_detail", days=tr.num(d)) if pd.notna(d) else tr("brief.silent_never")
            for d in silent["days"][:ALERT_LINES]
        ]
        head = tr("brief.silent", days=conf.active_days, n=tr.num(len(silent)))
        bullets.append((head, _listed(tr, silent, details, scope)))
    if len(jumps):
        top = jumps.head(ALERT_LINES)
        details = [
            tr("brief.spike_detail", gain=tr.signed(float(after) - float(was)), day=tr.date(day))
            for after, was, day in zip(top["followers"], top["before"], top["day"], strict=True)
        ]
        bullets.append((tr("brief.spikes", n=tr.num(len(jumps))), _listed(tr, jumps, details, scope)))
    if len(low):
        top = low.head(ALERT_LINES)
        details = [
            tr("brief.low_detail", rate=tr.pct(rate), n=tr.num(n))
            for rate, n in zip(top["response_rate_pct"], top["inquiries"], strict=True)
        ]
        head = tr("brief.low", target=tr.pct(conf.response_target_pct, 0), n=tr.num(len(low)))
        bullets.append((head, _listed(tr, low, details, scope)))
    return Slide(tr("brief.alerts"), bullets=bullets, lines=[] if bullets else [tr("brief.no_alerts")])


def _definitions_slide(tr: Tr, conf: Any) -> Slide:
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


def slide_pictures(slide: Slide, meta: Stamp) -> list[bytes]:
    """A slide's charts as stamped PNGs (2×), each sized to its place on the slide."""
    out = []
    for chart, box in zip(slide.charts, chart_boxes(slide), strict=False):
        width, height = box.pixels()
        fig = go.Figure(chart.fig).update_layout(width=width, height=height)
        out.append(render(stamp(fig, meta), "png", width, height, scale=SCALE))
    return out


def write(pack: Pack, fmt: str, pictures: list[list[bytes]] | None = None) -> bytes:
    """The pack as PPTX or PDF bytes (the charts rendered here unless `pictures` has them, slide by slide)."""
    if fmt not in FORMATS:
        raise BriefError(f"unknown format {fmt!r}; expected pptx or pdf")
    tr = translator(pack.lang)
    span = tr.span(*pack.period)
    count = len(pack.slides)
    title = f"{pack.name} · {span}"
    if pictures is None:
        pictures = [slide_pictures(slide, pack.stamp()) for slide in pack.slides]

    def footer(page: int) -> str:
        return f"govpulse · {pack.name} · {span} · {page}/{count}"

    writer = write_pptx if fmt == "pptx" else write_pdf
    return writer(pack.slides, pictures, footer, title)


def build(code: str, start: dt.date, end: dt.date, lang: str = "ru", fmt: str = "pptx") -> bytes:
    """The briefing pack of a territory and period as PPTX or PDF bytes."""
    if fmt not in FORMATS:
        raise BriefError(f"unknown format {fmt!r}; expected pptx or pdf")
    warm_up()  # the browser starts while the data is read
    # Charts render in the browser (another process) while the next slides' data is read.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="govpulse-brief") as pool:
        jobs: list[Future[list[bytes]]] = []
        pack = collect(
            code, start, end, lang, lambda slide, meta: jobs.append(pool.submit(slide_pictures, slide, meta))
        )
        pictures = [job.result() for job in jobs]
    return write(pack, fmt, pictures)


MIME = {"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pdf": "application/pdf"}


def brief_buttons(code: str, start: dt.date, end: dt.date, lang: str) -> None:
    """The Overview's briefing-pack downloads (PPTX, PDF) of a territory and period; the pack is built on click."""
    import streamlit as st  # imported here: the pack itself is also built from the command line

    tr = translator(lang)
    if not code:
        return
    if chromium_path() is None:
        st.caption(tr("export.no_browser"))
        return
    row = st.container(horizontal=True, gap="small", vertical_alignment="center")
    row.markdown(f"**{tr('export.brief')}**", width="content")
    for fmt in FORMATS:
        row.download_button(
            tr(f"export.brief_{fmt}"),
            partial(build, code, start, end, lang, fmt),
            file_name=f"govpulse_{code}_{start.isoformat()}_{end.isoformat()}.{fmt}",
            mime=MIME[fmt],
            icon=":material/slideshow:",
            help=tr("export.brief_help"),
            on_click="ignore",
            key=f"brief_{fmt}",
        )
