"""The briefing pack: a territory's period as 16:9 slides (PPTX) or the same pages as PDF, with headline sentences."""

import datetime as dt
import io
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard import cards, queries, queries_posts
from dashboard.brief_slides import (
    alerts_slide,
    cover_slide,
    coverage_slide,
    definitions_slide,
    growth_slide,
    kpi_slide,
    ranking_slide,
    responsiveness_slides,
)
from dashboard.exports import SCALE, Stamp, stamp, translator
from dashboard.filters import Filters, Period
from dashboard.i18n import territory_names
from dashboard.pptx_charts import plan
from dashboard.render import chromium_path, render, warm_up
from dashboard.slides import Info, Slide, chart_boxes, write_pdf, write_pptx
from etl.settings import get_settings

FORMATS = ("pptx", "pdf")


@dataclass
class Pack:
    """Everything the pack shows, before it is laid out as PPTX or PDF."""

    lang: str
    code: str
    name: str
    period: Period
    before: Period | None  # None when the data begin inside the previous period: nothing is compared
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
    return str(territory_names(places.loc[[code]], lang).iloc[0])


def territory_row(table: pd.DataFrame, code: str) -> dict[str, Any] | None:
    """A territory's row of a KPI table, with whether its reply times are `approximate` (read from histograms)."""
    rows = table[table["territory_code"] == code]
    if rows.empty:
        return None
    return {str(k): v for k, v in rows.iloc[0].items()} | {"approximate": bool(table.attrs.get("approximate"))}


def collect(
    code: str, start: dt.date, end: dt.date, lang: str, on_slide: Callable[[Slide, Stamp], None] | None = None
) -> Pack:
    """Read the territory's period through the dashboard's queries and lay it out as slides (charts not rendered);
    `on_slide` is told of each slide as soon as it is built, so that its charts can render meanwhile."""
    tr = translator(lang).in_country(code.split("-")[0])
    f = filters_for(code, tr.lang)
    scope, conf = f.scope(), queries.settings(tr.lang)
    period = Period(min(start, end), max(start, end))
    # A previous period the data begin inside would compare a whole period with a part of one.
    first = queries_posts.first_day(scope)
    before = cards.covered(period.previous(), first)
    name = _name(queries.territories(), code, tr.lang, code)
    now_row = territory_row(queries.kpis(f.parent_level, *period, scope, tr.lang), code)
    if now_row is None or not now_row.get("accounts"):
        raise BriefError(tr("brief.empty", name=name, span=tr.span(*period)))
    fresh = queries.freshness(*period, scope)
    data_date = max((d for d in (fresh.get("snapshot"), fresh.get("post"), fresh.get("inquiry")) if d), default=None)
    meta = Stamp(tr.lang, period.start, period.end, data_date)
    level, level_up, back = f.row_level, f.parent_level, period.days

    def pages() -> pd.DataFrame:
        return queries.pages(*period, scope, tr.lang)

    builders: list[Callable[[], Slide | list[Slide]]] = [
        lambda: cover_slide(tr, name, period, before, fresh, data_date, first),
        lambda: kpi_slide(
            tr, now_row, before and territory_row(queries.kpis(level_up, *before, scope, tr.lang, back), code)
        ),
        lambda: growth_slide(tr, period, scope),
        lambda: ranking_slide(
            tr, period, level, queries.kpis(level, *period, scope, tr.lang), conf.min_sample_inquiries
        ),
        lambda: responsiveness_slides(
            tr, period, scope, level, conf.deadline, conf.min_sample_inquiries, conf.response_target_pct, name
        ),
        lambda: coverage_slide(tr, period, scope, pages()),
        lambda: alerts_slide(tr, period, scope, pages(), conf),
        lambda: definitions_slide(tr, conf),
    ]
    slides: list[Slide] = []
    for build in builders:
        made = build()
        for slide in made if isinstance(made, list) else [made]:
            slides.append(slide)
            if on_slide is not None:
                on_slide(slide, meta)
    return Pack(tr.lang, code, name, period, before, data_date, slides)


def slide_pictures(slide: Slide, meta: Stamp, fmt: str = "pdf") -> list[bytes]:
    """A slide's charts as stamped PNGs (2×), each sized to its place on the slide; for the PPTX only those that
    have no native PowerPoint chart (empty bytes for the others)."""
    out = []
    for chart, box in zip(slide.charts, chart_boxes(slide), strict=False):
        if fmt == "pptx" and plan(chart.fig) is not None:
            out.append(b"")
            continue
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
    settings = get_settings()
    logo = _logo(settings.brief_logo) if settings.brief_logo else None
    info = Info(f"{pack.name} · {span}", tr("brief.title", name=pack.name), pack.lang, tr.date,
                accent=settings.brief_colour, logo=logo)  # fmt: skip
    if pictures is None:
        pictures = [slide_pictures(slide, pack.stamp(), fmt) for slide in pack.slides]

    # Every page says how fresh its figures are: native PPTX charts carry no stamp of their own.
    fresh = f" · {tr('export.data_as_of', day=tr.date(pack.data_date))}" if pack.data_date else ""

    def footer(page: int) -> str:
        return f"govpulse · {pack.name} · {span}{fresh} · {page}/{count}"

    writer = write_pptx if fmt == "pptx" else write_pdf
    return writer(pack.slides, pictures, footer, info)


def _logo(path: Path) -> bytes:
    """The logo file's bytes; BriefError when it is not a PNG or JPEG picture."""
    from PIL import Image, UnidentifiedImageError

    data = path.read_bytes()
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
    except UnidentifiedImageError:
        kind = None
    if kind not in ("PNG", "JPEG"):
        raise BriefError(f"GOVPULSE_BRIEF_LOGO: {path} is not a PNG or JPEG picture")
    return data


def build(code: str, start: dt.date, end: dt.date, lang: str = "ru", fmt: str = "pptx") -> bytes:
    """The briefing pack of a territory and period as PPTX or PDF bytes."""
    if fmt not in FORMATS:
        raise BriefError(f"unknown format {fmt!r}; expected pptx or pdf")
    if fmt == "pdf":
        warm_up()  # the browser starts while the data is read (the PPTX's native charts need none)
    # Charts render in the browser (another process) while the next slides' data is read.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="govpulse-brief") as pool:
        jobs: list[Future[list[bytes]]] = []
        pack = collect(
            code, start, end, lang, lambda slide, meta: jobs.append(pool.submit(slide_pictures, slide, meta, fmt))
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
