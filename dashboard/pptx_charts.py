"""Plotly figures as native PowerPoint charts carrying their data (editable in PowerPoint), where a figure maps."""

import datetime as dt
import html
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go

from dashboard.headlines import number
from etl.metrics.kpis import FORMULA_START, neutralise

FONT = "Arial"  # as the slides' text (slides.PPTX_FONT)
MUTED = "#52606d"
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")

Day = Callable[[dt.date], str]


@dataclass
class Series:
    """One series of a native chart: its name, a value per category (None for none), its colour and line dash."""

    name: str
    values: list[float | None]
    colour: str | None = None
    dash: bool = False
    points: list[str | None] | None = None  # a colour per category where the bars have their own (growth, drop)


@dataclass
class Plan:
    """What a native chart holds: its kind, categories, series and the figure's texts and value axis."""

    kind: str  # "bar" (horizontal), "column" or "line"
    categories: list[str]
    series: list[Series]
    stacked: bool = False
    markers: bool = False
    top_down: bool = False  # the first category at the top (a funnel's stages)
    labels: bool = False  # values written on the bars
    title: str = ""
    subtitle: str = ""
    value_title: str = ""
    category_title: str = ""
    value_range: tuple[float | None, float | None] = (None, None)
    number_format: str = "#,##0"
    legend: bool = False
    extra: list[Series] = field(default_factory=list)


def plain(text: Any) -> str:
    """A plotly text without its HTML tags and entities."""
    return html.unescape(re.sub(r"<[^>]+>", "", str(text or ""))).strip()


def _day(value: Any) -> dt.date | None:
    """The date a category value stands for (plotly keeps dates as ISO strings or date objects), else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas' Timestamp
        return value.to_pydatetime().date()
    text = str(value)
    if ISO_DAY.match(text):
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            return None
    return None


def _colour(value: Any) -> str | None:
    """An explicit colour as #rrggbb; None for the theme's colour or a per-point list."""
    return value if isinstance(value, str) and HEX.match(value) else None


def _pairs(trace: Any, horizontal: bool) -> tuple[Sequence[Any], Sequence[Any]] | None:
    """A trace's categories and values (categories on y for horizontal bars and funnels)."""
    cats, values = (trace.y, trace.x) if horizontal else (trace.x, trace.y)
    if cats is None or values is None or len(cats) != len(values):
        return None
    return list(cats), list(values)


def _categories(
    traces: list[tuple[Sequence[Any], Sequence[Any]]], day: Day
) -> tuple[list[Any], list[str], bool] | None:
    """The union of the traces' categories (dates in date order), their labels and whether they are dates; None when
    a trace repeats one."""
    keys: list[Any] = []
    for cats, _ in traces:
        if len(set(map(str, cats))) != len(cats):
            return None
        for c in cats:
            if c not in keys:
                keys.append(c)
    days = [_day(k) for k in keys]
    if keys and all(d is not None for d in days):
        # The same day may come as a date in one trace and an ISO string in another: one category per day.
        merged = sorted({d for d in days if d is not None})
        return merged, [day(d) for d in merged], True
    return keys, [plain(k) for k in keys], False


def _values(cats: Sequence[Any], values: Sequence[Any], keys: list[Any], dates: bool) -> list[float | None]:
    """A trace's values laid on the chart's categories."""
    by_key = {(_day(c) if dates else c): number(v) for c, v in zip(cats, values, strict=True)}
    return [by_key.get(k) for k in keys]


def _axis_title(axis: Any) -> str:
    return plain(axis.title.text) if axis is not None and axis.title is not None else ""


def _hlines(fig: go.Figure, categories: int) -> list[Series]:
    """Horizontal lines across the plot (a target) as constant dashed series named by their annotation."""
    out = []
    notes = [a for a in fig.layout.annotations or () if a.yref == "y"]
    for shape in fig.layout.shapes or ():
        if shape.type != "line" or shape.y0 is None or shape.y0 != shape.y1 or shape.xref not in ("x domain", "paper"):
            continue
        y = number(shape.y0)
        if y is None:
            continue
        name = next((plain(a.text) for a in notes if number(a.y) == y and a.text), "")
        out.append(Series(name or f"{y:g}", [y] * categories, _colour(shape.line.color), dash=True))
    return out


def plan(fig: go.Figure, day: Day = dt.date.isoformat) -> Plan | None:
    """The native chart of a figure: bars, lines or a funnel as bars; None when a trace has no native counterpart."""
    traces = list(fig.data)
    kinds = {t.type for t in traces}
    layout = fig.layout
    if not traces or len(kinds) != 1 or any(getattr(t, "yaxis", None) not in (None, "y") for t in traces):
        return None
    kind = kinds.pop()
    if kind == "bar":
        orientations = {t.orientation or "v" for t in traces}
        if len(orientations) != 1:
            return None
        horizontal = orientations.pop() == "h"
    elif kind == "funnel":
        if len(traces) != 1:
            return None
        horizontal = True
    elif kind == "scatter":
        if not all("lines" in (t.mode or "lines") for t in traces):
            return None
        horizontal = False
    else:
        return None
    category_axis = layout.yaxis if horizontal else layout.xaxis
    value_axis = layout.xaxis if horizontal else layout.yaxis
    if category_axis.categoryorder not in (None, "trace"):
        return None  # a sorted or fixed category order plotly applies itself: the picture shows it as meant
    pairs = [_pairs(t, horizontal) for t in traces]
    if any(p is None for p in pairs):
        return None
    data = [p for p in pairs if p is not None]
    found = _categories(data, day)
    if found is None:
        return None
    keys, labels, dates = found
    fallback = _axis_title(value_axis) or plain(layout.title.text)
    # A trace without a colour of its own takes the theme's next one, as plotly does, not PowerPoint's blue.
    theme = [c for c in (layout.colorway or layout.template.layout.colorway or ()) if _colour(c)]
    series = []
    for i, (trace, (cats, values)) in enumerate(zip(traces, data, strict=True)):
        colour = _colour(trace.line.color) if kind == "scatter" else _colour(trace.marker.color)
        name = plain(trace.name) or fallback
        # Bars coloured one by one (green growth, red drop; the backlog's ages) keep their colours point by point.
        own = trace.marker.color if kind == "bar" and not isinstance(trace.marker.color, str) else None
        points = None
        if own is not None and len(own) == len(cats) and all(_colour(c) for c in own):
            by_key = {(_day(c) if dates else c): str(col) for c, col in zip(cats, own, strict=True)}
            points = [by_key.get(k) for k in keys]
        series.append(
            Series(
                name,
                _values(cats, values, keys, dates),
                colour or (theme[i % len(theme)] if theme else None),
                points=points,
            )
        )
    numbers = [v for s in series for v in s.values if v is not None]
    whole = all(float(v).is_integer() for v in numbers)
    low, high = [*value_axis.range, None, None][:2] if value_axis.range else (None, None)
    return Plan(
        kind="line" if kind == "scatter" else ("bar" if horizontal else "column"),
        categories=labels,
        series=series,
        # plotly's "relative" stacks positives up and negatives down, as PowerPoint's stacked bars do.
        stacked=kind == "bar" and layout.barmode in ("stack", "relative") and len(series) > 1,
        markers=kind == "scatter" and any("markers" in (t.mode or "") for t in traces),
        top_down=kind == "funnel",
        labels=kind in ("bar", "funnel") and any(t.text is not None for t in traces),
        title=plain(layout.title.text),
        subtitle=plain(layout.title.subtitle.text) if layout.title.subtitle else "",
        value_title="" if kind == "funnel" else _axis_title(value_axis),
        category_title="" if kind == "funnel" else _axis_title(category_axis),
        value_range=(number(low), number(high)),
        number_format="#,##0" if whole else "#,##0.0",
        legend=layout.showlegend is not False and len(series) > 1,
        extra=_hlines(fig, len(labels)) if kind == "scatter" else [],
    )


CHART_TYPES = {
    ("bar", False): "BAR_CLUSTERED",
    ("bar", True): "BAR_STACKED",
    ("column", False): "COLUMN_CLUSTERED",
    ("column", True): "COLUMN_STACKED",
}


def _rgb(colour: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(colour.lstrip("#").upper())


def _title(chart: Any, plan: Plan) -> None:
    """The figure's title, its caption (date range, n) below in a smaller grey line."""
    from pptx.util import Pt

    chart.has_title = True
    frame = chart.chart_title.text_frame
    frame.text = plan.title
    head = frame.paragraphs[0]
    head.font.size, head.font.bold, head.font.name = Pt(14), True, FONT
    if plan.subtitle:
        para = frame.add_paragraph()
        para.text = plan.subtitle
        para.font.size, para.font.bold, para.font.name = Pt(10), False, FONT
        para.font.color.rgb = _rgb(MUTED)


def _axis_caption(axis: Any, text: str) -> None:
    from pptx.util import Pt

    if not text:
        return
    axis.has_title = True
    axis.axis_title.text_frame.text = text
    font = axis.axis_title.text_frame.paragraphs[0].font
    font.size, font.bold, font.name = Pt(10), False, FONT


def _formula_safe(chart: Any) -> None:
    """The chart's own workbook (PowerPoint's Edit Data) with each text cell a spreadsheet would run neutralised: the
    library writes a name starting with `=` as a formula. The slide still shows the names as they are."""
    from openpyxl import load_workbook

    workbook = chart.part.chart_workbook
    book = load_workbook(io.BytesIO(workbook.xlsx_part.blob))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = neutralise(cell.value)
    out = io.BytesIO()
    book.save(out)
    workbook.update_from_xlsx_blob(out.getvalue())


def add_chart(shapes: Any, x: int, y: int, cx: int, cy: int, fig: go.Figure, day: Day = dt.date.isoformat) -> bool:
    """A figure as a native chart on a slide's shapes (EMU box); False, adding nothing, when it does not map."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.enum.dml import MSO_LINE_DASH_STYLE
    from pptx.util import Pt

    made = plan(fig, day)
    if made is None:
        return False
    data = CategoryChartData(number_format=made.number_format)
    data.categories = made.categories
    every = made.series + made.extra
    for s in every:
        data.add_series(s.name, s.values)
    if made.kind == "line":
        kind = XL_CHART_TYPE.LINE_MARKERS if made.markers else XL_CHART_TYPE.LINE
    else:
        kind = getattr(XL_CHART_TYPE, CHART_TYPES[(made.kind, made.stacked)])
    chart = shapes.add_chart(kind, x, y, cx, cy, data).chart
    if any(str(name).startswith(FORMULA_START) for name in [*made.categories, *(s.name for s in every)]):
        _formula_safe(chart)
    chart.font.name, chart.font.size = FONT, Pt(10)
    _title(chart, made)
    chart.has_legend = made.legend or bool(made.extra)
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    values, categories = chart.value_axis, chart.category_axis
    values.tick_labels.number_format = made.number_format
    values.tick_labels.number_format_is_linked = False
    values.has_major_gridlines = True
    low, high = made.value_range
    if low is not None:
        values.minimum_scale = low
    if high is not None:
        values.maximum_scale = high
    if made.kind == "line" and low is None and all(v >= 0 for s in made.series for v in s.values if v is not None):
        values.minimum_scale = 0  # as the dashboard's axes start at zero (the theme's rangemode)
    _axis_caption(values, made.value_title)
    _axis_caption(categories, made.category_title)
    if made.top_down:
        categories.reverse_order = True
    plot = chart.plots[0]
    if made.kind != "line":
        plot.gap_width = 60
        if made.stacked:
            plot.overlap = 100
    if made.labels:
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format, labels.number_format_is_linked = made.number_format, False
        labels.show_value = True
        labels.font.size = Pt(9)
    for drawn, s in zip(plot.series, every, strict=True):
        if made.kind == "line":
            drawn.smooth = False
            drawn.format.line.width = Pt(2)
            if s.colour:
                drawn.format.line.color.rgb = _rgb(s.colour)
            if s.dash:
                drawn.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
                drawn.format.line.width = Pt(1.25)
        elif s.colour:
            drawn.format.fill.solid()
            drawn.format.fill.fore_color.rgb = _rgb(s.colour)
        for i, colour in enumerate(s.points or []):
            if colour:
                point = drawn.points[i].format.fill
                point.solid()
                point.fore_color.rgb = _rgb(colour)
    return True
