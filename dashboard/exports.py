"""Exports: charts as PNG/SVG stamped with title, period, data date and source; tables as CSV and XLSX."""

import copy
import datetime as dt
import io
import math
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n import LOCALES, Tr, catalog
from dashboard.render import chromium_path, render
from etl.metrics.kpis import neutralise

WIDTH, SCALE = 1200, 2
FOOTER_PX = 26


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested TOML tables as dotted keys."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


@cache
def _briefing_catalog(lang: str) -> dict[str, Any]:
    """The messages of exports and the briefing pack (dashboard/locales/briefing)."""
    return _flatten(tomllib.loads((LOCALES / "briefing" / f"{lang}.toml").read_text(encoding="utf-8")))


def translator(lang: str) -> Tr:
    """A translator with the dashboard's messages and those of exports and the briefing pack."""
    tr = Tr(lang)
    tr.messages = catalog(tr.lang) | _briefing_catalog(tr.lang)
    return tr


@dataclass(frozen=True)
class Stamp:
    """What an exported chart carries besides itself: language, period, data date and (if the figure has none) title."""

    lang: str
    start: dt.date
    end: dt.date
    data_date: dt.date | None = None
    title: str = ""
    place: str = ""  # the territory shown, named in the file

    def file_name(self, name: str, ext: str) -> str:
        """A file name a person can file: what, where and when, in Latin letters
        (`prirost-podpischikov_altaiskii-krai_2026-10.png`)."""
        month_end = (self.start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        whole_month = self.start.day == 1 and self.end == month_end
        when = self.start.strftime("%Y-%m") if whole_month else f"{self.start.isoformat()}_{self.end.isoformat()}"
        parts = [slug(name) or "govpulse", slug(self.place), when]
        return "_".join(p for p in parts if p) + f".{ext}"


# Russian and Kazakh letters in Latin, after the Russian passport rules (ICAO Doc 9303), Kazakh letters by sound.
_LATIN = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "_",
            "y",
            "_",
            "e",
            "iu",
            "ia",
            "a",
            "g",
            "q",
            "n",
            "o",
            "u",
            "u",
            "h",
            "i",
        ],
        strict=True,
    )
)


def slug(text: str) -> str:
    """Words of `text` in lower-case Latin joined by hyphens: 'Алтайский край' → 'altaiskii-krai'."""
    latin = "".join(_LATIN.get(c, c) for c in text.lower()).replace("_", "")
    return "-".join(re.findall(r"[a-z0-9]+", latin))[:60].strip("-")


def stamp(fig: go.Figure, meta: Stamp) -> go.Figure:
    """A copy of `fig` with title, the period in the subtitle and a footer "Data as of … · Source: govpulse"."""
    tr = translator(meta.lang)
    out = go.Figure(fig)
    layout = out.layout
    title = layout.title.text or meta.title
    span = tr.span(meta.start, meta.end)
    subtitle = layout.title.subtitle.text or ""
    if span not in subtitle:
        subtitle = f"{span} · {subtitle}" if subtitle else span
    footer = tr("export.source")
    if meta.data_date is not None:
        footer = f"{tr('export.data_as_of', day=tr.date(meta.data_date))} · {footer}"
    legend = out.layout.showlegend is not False and sum(t.showlegend is not False for t in out.data) > 1
    # Bottom margin wide enough for tick labels, axis title, legend and footer, so that plotly never grows it and
    # the footer (placed in pixels below the plot) cannot collide with them.
    axis = 70 if any(a.title.text for a in (out.layout.xaxis,)) else 40
    bottom = axis + FOOTER_PX + (24 * _legend_rows(out) + 8 if legend else 0)
    out.update_layout(
        title={"text": title, "subtitle": {"text": subtitle}, "x": 0, "xref": "paper", "xanchor": "left"},
        margin={"b": bottom, "l": max(layout.margin.l or 0, 10), "r": max(layout.margin.r or 0, 20)},
    )
    if any(t.type == "bar" and t.text is not None for t in out.data):
        # Value labels outside the bars would be cut at the plot's edge.
        out.update_traces(cliponaxis=False, selector={"type": "bar"})
        out.update_layout(margin={"r": max(out.layout.margin.r or 0, 60)})
    out.update_yaxes(automargin=True)
    _every_category(out)
    if legend:
        height = out.layout.height or 450
        out.update_layout(legend={"yref": "container", "y": (FOOTER_PX + 2) / height, "yanchor": "bottom"})
    out.add_annotation(
        text=footer,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="bottom",
        yshift=-bottom + 4,
        showarrow=False,
        font={"size": 11, "color": "#52606d"},
    )
    return out


ROW_PX = 18  # the least height a category's label needs on a horizontal bar chart


def _every_category(fig: go.Figure) -> None:
    """Label every category of a bar chart's category axis (plotly would skip some to save room), growing a horizontal
    chart's height to fit them."""
    bars = [t for t in fig.data if t.type == "bar"]
    for axis, key in (("y", "h"), ("x", "v")):
        values = [n for t in bars if (t.orientation or "v") == key for n in (t[axis] if t[axis] is not None else [])]
        names = {str(n) for n in values}
        if fig.layout[f"{axis}axis"].type not in (None, "-", "category") or not names or not _categories(values):
            continue
        fig.update_layout({f"{axis}axis": {"dtick": 1, "tick0": 0}})
        if axis == "y":
            margins = (fig.layout.margin.t or 100) + (fig.layout.margin.b or 80)
            fig.update_layout(height=max(int(fig.layout.height or 450), margins + ROW_PX * len(names)))


def _categories(values: list[Any]) -> bool:
    """Whether plotly reads these values as categories: text that is neither numbers nor dates."""
    if not all(isinstance(v, str) for v in values):
        return False
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").notna().mean()
    dates = pd.to_datetime(pd.Series(values), errors="coerce", format="ISO8601").notna().mean()
    return bool(numbers < 0.5 and dates < 0.5)


def _legend_rows(fig: go.Figure) -> int:
    """About how many rows a horizontal legend of `fig` takes at its width."""
    names = [str(t.name or "") for t in fig.data if t.showlegend is not False]
    width = (fig.layout.width or WIDTH) - 40
    rows, used = 1, 0.0
    for name in names:
        item = 48 + 7.5 * len(name)
        if used and used + item > width:
            rows, used = rows + 1, 0
        used += item
    return rows


def to_png(fig: go.Figure, meta: Stamp, width: int = WIDTH, scale: float = SCALE) -> bytes:
    """The stamped chart as a PNG at `scale` × its size (2× by default, sharp on slides and print)."""
    out = stamp(fig, meta)
    return render(out, "png", width, int(out.layout.height or 450), scale)


def to_svg(fig: go.Figure, meta: Stamp, width: int = WIDTH) -> bytes:
    """The stamped chart as an SVG."""
    out = stamp(fig, meta)
    return render(out, "svg", width, int(out.layout.height or 450))


def _safe(df: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell and header neutralised (numbers, dates and empties untouched)."""
    out = df.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out


def to_csv(df: pd.DataFrame, lang: str = "en") -> bytes:
    """The table as CSV in UTF-8 with a BOM (so that Excel opens Cyrillic correctly), formula-safe; in Russian and
    Kazakh with `;` between cells and a decimal comma, as Excel of those locales opens a CSV in columns."""
    comma = lang != "en"
    text = _safe(df).to_csv(
        index=False, lineterminator="\r\n", sep=";" if comma else ",", decimal="," if comma else "."
    )
    return text.encode("utf-8-sig")


def _cell(value: Any) -> Any:
    """A value as openpyxl writes it: numbers as numbers, dates as dates, empties as empty cells."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return _cell(value.item())
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str | int | float | dt.date | bool):
        return value
    return str(value)


def to_xlsx(df: pd.DataFrame, sheet: str = "govpulse") -> bytes:
    """The table as an XLSX workbook: numbers stay numbers, the header is bold and frozen, widths fit the contents."""
    # Imported here: workbooks are made only when a download is clicked, and openpyxl takes half a second to load.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "".join(c for c in sheet if c not in "[]:*?/\\")[:31] or "govpulse"
    safe = _safe(df)
    ws.append([str(c) for c in safe.columns])
    for row in safe.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for i, col in enumerate(safe.columns, start=1):
        letter = get_column_letter(i)
        width = max([len(str(col)), *(len(_shown(c.value)) for c in ws[letter][1:200])])
        ws.column_dimensions[letter].width = min(max(width + 2, 8), 60)
        if pd.api.types.is_datetime64_any_dtype(df[df.columns[i - 1]]):
            for c in ws[letter][1:]:
                c.number_format = "yyyy-mm-dd"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, dt.datetime | dt.date):
        return "2026-01-01"
    return str(value)


def export_buttons(
    fig: go.Figure | None, df: pd.DataFrame | None, meta: Stamp, name: str, key: str | None = None
) -> None:
    """Download buttons in one row under a chart (PNG, SVG) and / or a table (CSV, Excel); `name` names the files,
    `key` (else `name`) keys the buttons (unique on a page). Files are made only when a button is clicked."""
    import streamlit as st  # imported here: the rest of this module is used outside Streamlit (CLI, tests)

    tr = translator(meta.lang)
    buttons: list[tuple[str, Any, str, str]] = []
    if fig is not None:
        if chromium_path() is None:
            st.caption(tr("export.no_browser"))
        else:
            frozen = copy.deepcopy(fig)
            buttons += [
                ("png", lambda: to_png(frozen, meta), "image/png", "export.png"),
                ("svg", lambda: to_svg(frozen, meta), "image/svg+xml", "export.svg"),
            ]
    if df is not None:
        buttons += [
            ("csv", lambda: to_csv(df, meta.lang), "text/csv", "export.csv"),
            (
                "xlsx",
                lambda: to_xlsx(df, name),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "export.xlsx",
            ),
        ]
    row = st.container(horizontal=True, gap="small")
    for ext, data, mime, label in buttons:
        row.download_button(
            tr(label),
            data,
            file_name=meta.file_name(name, ext),
            mime=mime,
            icon=":material/download:",
            help=tr(f"{label}_help"),
            on_click="ignore",
            type="tertiary",
            key=f"export_{key or name}_{ext}",
        )
