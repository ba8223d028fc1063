"""What every page does the same way: the header and period, friendly empty states, charts, tables and KPI cards."""

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NoReturn

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import access, links, queries, queries_posts, sidebar
from dashboard.cache import shared
from dashboard.cards import covered
from dashboard.exports import Stamp, export_buttons
from dashboard.filters import Filters, Period, Scope
from dashboard.i18n import Tr, territory_names, translator
from etl.store import rollups


@dataclass(frozen=True)
class Page:
    """A page's context: filters, language, the period and the one before it, the data's days, the scope, the
    person reading it."""

    f: Filters
    tr: Tr
    period: Period
    before: Period
    first: dt.date
    last: dt.date
    user: access.User = access.DEMO

    @property
    def scope(self) -> Scope:
        """The data scope of the filters: their territories' figures, which everyone signed in sees."""
        return self.f.scope()

    @property
    def detail(self) -> Scope | None:
        """The part of the scope whose pages, settlements and inquiries the person sees (None: none of it)."""
        return access.detail(self.scope, self.user.territory, queries.territories())

    def own(self) -> Scope:
        """`detail`; when the scope is another territory's, a message saying so ends the page here."""
        found = self.detail
        if found is None:
            stop(self.tr, "access.outside", territory=self.name(self.user.territory))
        return found

    def scope_for(self, level: str) -> Scope:
        """The scope of rows of `level`: pages and settlements only of the person's territory, territories of the
        district level and above everywhere."""
        return self.own() if level in access.DETAIL_LEVELS else self.scope

    @property
    def level(self) -> str:
        """The territory level of the rows (region, district or settlement)."""
        return self.f.row_level

    def name(self, code: str) -> str:
        """A territory's name in the page's language, with its parent's when another territory has the same."""
        return labels(self.tr.lang).get(code, code)

    def names(self, codes: pd.Series, own: str = "") -> pd.Series:
        """The names of a column of territory codes (one lookup, not one per row); empty codes are `own`."""
        found = codes.map(labels(self.tr.lang)).fillna(codes)
        return found.where(codes.notna() & (codes != ""), own)

    def kpis(self, level: str, period: Period | None = None, scope: Scope | None = None) -> pd.DataFrame:
        """The KPI table of the page's scope (or `scope`) at `level`, names told apart; page rows also carry the
        page's `id`. An earlier period, read to compare with, is judged at the age the page's period has now."""
        p = period or self.period
        back = max((self.period.end - p.end).days, 0)
        table = queries.kpis(level, *p, scope or self.scope_for(level), self.f.lang, back)
        if level == "account":
            return table
        return table.assign(territory_name=self.names(table["territory_code"]))

    def pages(self, scope: Scope | None = None) -> pd.DataFrame:
        """The pages of the reader's own territory (or of `scope`) with what lists of pages show of their KPI rows
        (`queries.pages`): who they are, whether they posted, their followers at the end, their response rate."""
        return queries.pages(*self.period, scope or self.own(), self.f.lang)

    def note(self, n: int, unit: str, period: Period | None = None) -> str:
        """A chart caption: the data's date range and n."""
        p = period or self.period
        return self.tr("note.range_n", span=self.tr.span(p.start, p.end), n=self.tr.num(n), unit=self.tr(unit))


# One shared dictionary instead of a copy of 20,000 names for every name looked up; dropped with the reads.
@shared(queries.TTL)
def labels(lang: str) -> Mapping[str, str]:
    """Each territory's name in `lang`; a name shared by several territories gets its parent's name added."""
    places = queries.territories()
    names = territory_names(places, lang)
    shared = names.groupby([places["level"], names]).transform("size") > 1
    parents = places["parent_code"].map(names)
    return MappingProxyType(
        {str(k): str(v) for k, v in names.where(~shared, names + " (" + parents.fillna("") + ")").items()}
    )


# Every ASCII punctuation mark may be escaped with a backslash in Markdown; escaped, none of them starts emphasis, a
# link, an HTML tag, a heading, a list, a formula ($), a coloured text or an icon (:material/…:) in Streamlit.
_MARKDOWN = re.compile(r"([!-/:-@\[-`{-~])")


def literal(value: object) -> str:
    """A value from the data (a name, a handle, a file name, a loader's message quoting a file) as Markdown that
    Streamlit shows exactly as written, on one line."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(value).splitlines()))


def link(url: object) -> str:
    """A page's address from the data as Markdown: a link when it is a web address (http, https), which it shows
    as written; else the text alone, never a link."""
    text = str(url).strip()
    if not re.match(r"https?://[^\s<>\\]+$", text, re.IGNORECASE):
        return literal(text)
    return f"[{literal(text)}](<{text}>)"


def start(title: str) -> Page:
    """The page header; stops with a friendly message when the database is empty."""
    f = sidebar.current()
    tr = translator(f.lang).in_country((f.parent or "").split("-")[0])
    person = access.user(tr)
    st.title(tr(title))
    span = queries.data_range()
    if span is None:
        stop(tr, "empty.database")
    first, last = span
    with queries.engine().connect() as conn:
        if rollups.behind(conn):
            st.warning(tr("header.behind"))
    complete = queries.complete_range(f.scope())
    end = complete[0] if complete else last
    period = f.span(end, first)
    page = Page(f, tr, period, period.previous(), first, last, person)
    # Every chart and table below gets export buttons stamped with this page's language, period and data date.
    where = page.name(f.parent) if f.parent else tr("filter.all")
    stamp = Stamp(tr.lang, period.start, period.end, min(period.end, last), place=where)
    st.session_state["_export"] = {"stamp": stamp, "n": 0, "page": tr(title)}
    # No comparison is named with a previous period the scope's data begin inside: the cards draw no arrows then.
    compared = covered(page.before, queries_posts.first_day(page.scope))
    st.caption(
        tr(
            "header.scope" if compared else "header.scope_alone",
            where=literal(where),
            level=tr(f"level.{page.level}_plural"),
            span=tr.span(period.start, period.end),
            before=tr.span(page.before.start, page.before.end),
        )
    )
    if complete and end < last and f.period != "custom":
        st.caption(
            tr("header.partial", last=tr.date(last), n=tr.num(complete[2]), end=tr.date(end), m=tr.num(complete[3]))
        )
    if person.territory and page.detail != page.scope:
        mine = page.name(person.territory)
        st.caption(tr("access.narrowed" if page.detail else "access.figures_only", territory=mine))
    return page


def stop(tr: Tr, key: str, **values: Any) -> NoReturn:
    """Show a friendly message and end the page here."""
    st.info(tr(key, **values), icon=":material/info:")
    st.stop()
    raise RuntimeError("unreachable")  # st.stop() raises; this satisfies the type checker


def chart(fig: go.Figure, caption: str | None = None, key: str | None = None) -> None:
    """A chart across the page, with an optional caption below and PNG/SVG download buttons."""
    st.plotly_chart(fig, width="stretch", config={"displaylogo": False}, key=key)
    if caption:
        st.caption(caption)
    _export(fig, None, str(fig.layout.title.text or "chart"))


def _export(fig: go.Figure | None, df: pd.DataFrame | None, title: str) -> None:
    """Export buttons under a chart or table, named after its title and numbered so keys stay unique."""
    state = st.session_state.get("_export")
    if state is None:
        return
    state["n"] += 1
    # A table is named after its page ("Ответы гражданам"), a chart after its title.
    name = title.split("<")[0].strip() if title != "table" else state.get("page", title)
    key = re.sub(r"\W+", "_", name.lower())[:40]
    export_buttons(fig, df, state["stamp"], name, key=f"{key}_{state['n']}")


def formatter(tr: Tr, kind: str) -> Any:
    """A cell formatter for a column kind: int, signed, num1, num2, pct, pct2, min, amin (minutes read from the
    reply-time histograms: "≈ 45 min"), date, moment, text."""
    if kind == "int":
        return lambda v: tr.num(v)
    if kind in ("num1", "num2"):
        return lambda v: tr.num(v, int(kind[-1]))
    if kind in ("pct", "pct2"):
        return lambda v: tr.pct(v, 2 if kind == "pct2" else 1)
    if kind == "signed":
        return lambda v: tr.signed(v)
    if kind == "min":
        return tr.minutes
    if kind == "amin":
        return lambda v: tr.approx(tr.minutes(v))
    if kind == "date":
        return lambda v: tr.date(v) if isinstance(v, dt.date) else "—"
    if kind == "moment":
        return tr.moment
    return lambda v: "—" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)


# The width a table has on a 1366-pixel screen with the sidebar open, and a number column's share of it (a link's,
# a date and time's).
TABLE_PX, NUMBER_PX = 890, 76
FIXED_PX = {"link": 64, "moment": 116}
# Rows a table shows: a country has tens of thousands of pages, more than a reader scrolls or the browser draws fast.
MAX_ROWS = 2_000
# Rows of a list of pages in a short scrolling box (the Overview's alerts, Coverage's gaps): each row shown is formatted
# cell by cell, and a country's lists hold tens of thousands of pages.
LIST_ROWS = 500
# Pages in scope up to which a page picker ranks them by followers (every page's KPIs: seconds for a country).
RANKED_PAGES = 5_000
# The most pages a picker lists: each reader's browser is sent every option, and a country has 190,000 pages.
LISTED_PAGES = 5_000


def table(
    df: pd.DataFrame,
    columns: dict[str, tuple[str, str]],
    tr: Tr,
    height: int | str = "auto",
    room: int = 0,
    most: int | None = None,
) -> None:
    """A sortable table: `columns` maps a column to (label key, kind); numbers sort as numbers, show localized; a
    `link` column holds web addresses and shows a button opening each (none where it is empty). Beyond `most` rows
    (MAX_ROWS) it shows the first ones and says so; the download has them all."""
    most = most or MAX_ROWS
    shown = df[list(columns)].rename(columns={c: tr(label) for c, (label, _) in columns.items()})
    first = shown.head(most)
    formats = {tr(label): formatter(tr, kind) for label, kind in columns.values() if kind != "link"}
    styled = first.style.format(formats, na_rep="—")
    if isinstance(height, int):
        height = min(height, 35 * (len(first) + 1) + 3)
    # Numbers in narrow columns and texts as wide as their longest value, shrunk alike when together they are too
    # wide, so that a table fits the 900 pixels of a 1366-pixel screen without scrolling sideways; a heading or a
    # text cut short shows in full on hover.
    texts = {c: _text_px(first[tr(label)]) for c, (label, kind) in columns.items() if kind == "text"}
    fixed = {c: FIXED_PX.get(kind, NUMBER_PX) for c, (_, kind) in columns.items() if c not in texts}
    shrink = min(1.0, ((room or TABLE_PX) - sum(fixed.values())) / max(sum(texts.values()), 1))
    widths = {c: int(max(texts[c] * shrink, 60)) if c in texts else fixed[c] for c in columns}
    narrow = {
        tr(label): st.column_config.LinkColumn(width=widths[c], help=tr(label), display_text=":material/open_in_new:")
        if kind == "link"
        else st.column_config.Column(width=widths[c], help=tr(label) + (approx_help(tr) if kind == "amin" else ""))
        for c, (label, kind) in columns.items()
    }
    st.dataframe(  # type: ignore[call-overload]
        styled, hide_index=True, width="stretch", height=height, placeholder="—", column_config=narrow
    )
    if len(shown) > most:
        st.caption(tr("note.first_rows", shown=tr.num(most), total=tr.num(len(shown))))
    _export(None, shown, "table")


def minutes_kind(approximate: bool) -> str:
    """The column kind of reply times: `amin` when they were read from the histograms, else `min`."""
    return "amin" if approximate else "min"


def approx_help(tr: Tr) -> str:
    """What "≈" means, for a tooltip or a caption: the histograms' bound."""
    return "\n\n" + tr("resp.approx_help")


def _text_px(values: pd.Series) -> float:
    """The pixels a text column needs for its longest value (of the first rows), within 60–320."""
    longest = max((len(str(v)) for v in values.head(200) if not pd.isna(v)), default=0)
    return min(max(7.2 * longest + 20, 60.0), 320.0)


# Streamlit cuts a card's label to one line ("Медианное время о…"): the reader's longer words wrap instead, and
# every label has room for two lines, so that the values of a row stay on one line.
CARD_CSS = """
[data-testid="stMetricLabel"] { min-height: 2.6rem; align-items: flex-start; }
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"], [data-testid="stMetricLabel"] p {
  white-space: normal; overflow: visible; text-overflow: clip; }
"""


def cards(kpis: list[dict[str, Any]], per_row: int) -> None:
    """KPI cards (`card`'s arguments), `per_row` to a row, their labels whole."""
    st.html(f"<style>{CARD_CSS}</style>")
    for first in range(0, len(kpis), per_row):
        for column, kpi in zip(st.columns(per_row), kpis[first : first + per_row], strict=False):
            card(column, **kpi)


def card(
    where: Any,
    label: str,
    value: str,
    delta: str | None = None,
    *,
    inverse: bool = False,
    year: str = "",
    foot: str = "",
    help: str = "",
) -> None:
    """A KPI card with its change against the previous period, a line with the change against a year earlier (when
    given) and a foot line (freshness, coverage)."""
    box = where.container(border=True)
    # Streamlit colours a delta by a leading ASCII minus; the typographic minus stays in the text elsewhere.
    shown = delta.replace("−", "-", 1) if delta and delta.startswith("−") else delta
    still = bool(shown and shown.startswith("±"))
    color = "off" if still else "inverse" if inverse else "normal"
    box.metric(
        label, value, shown if shown not in (None, "—") else None, delta_color=color,
        delta_arrow="off" if still else "auto", help=help or None,
    )  # fmt: skip
    if year:
        box.caption(year)
    if foot:
        box.caption(foot)


def pages_table(
    df: pd.DataFrame,
    columns: dict[str, tuple[str, str]],
    tr: Tr,
    scope: Scope,
    height: int | str = "auto",
    room: int = 0,
    most: int | None = None,
) -> None:
    """A table of pages (`id`, all in `scope`) with their territory, owner, platform and handle, a link opening the
    page where the registry gives its address, then `columns`; the first `most` rows shown."""
    if df.empty:
        st.success(tr("empty.no_pages"), icon=":material/check_circle:")
        return
    names = territory_names(queries.territories(), tr.lang)
    registry = queries.registry(scope.parent, scope.column)
    accounts = registry[["platform", "handle", "owner_name", "territory_code", "url"]]
    rows = df.drop(columns=[c for c in accounts.columns if c in df.columns]).join(accounts, on="id")
    rows = rows.assign(
        territory=rows["territory_code"].map(names),
        platform=rows["platform"].map({p: tr(f"platform.{p}") for p in rows["platform"].unique()}),
        page_link=rows["url"].map(links.page_url),
    )
    head = {
        "territory": ("col.territory", "text"),
        "owner_name": ("col.owner", "text"),
        "platform": ("col.platform", "text"),
        "handle": ("col.handle", "text"),
    }
    # Only where some page has an address: a registry without any (the synthetic demo's) keeps its tables as they are.
    if rows["page_link"].notna().any():
        head["page_link"] = ("col.url", "link")
    table(rows, head | columns, tr, height, room, most)


def url_param(key: str, options: list[str], default: str) -> str:
    """Start a page widget (session key `p_<key>`) from the URL parameter `key` once; return the state key."""
    state = f"p_{key}"
    if state not in st.session_state or st.session_state[state] not in options:
        wanted = st.query_params.get(key, default)
        st.session_state[state] = wanted if wanted in options else default
    return state


def keep_in_url(key: str, value: str, default: str = "") -> None:
    """Write a page's own parameter to the URL (removed when it is the default)."""
    if value and value != default:
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    elif key in st.query_params:
        del st.query_params[key]


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames one under the other (empty ones skipped)."""
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def url_multi(key: str, options: list[str]) -> str:
    """Start a multiselect (session key `p_<key>`) from the comma-separated URL parameter `key` once."""
    state = f"p_{key}"
    if state not in st.session_state:
        wanted = st.query_params.get(key, "").split(",")
        st.session_state[state] = [v for v in wanted if v and v in options]
    else:
        st.session_state[state] = [v for v in st.session_state[state] if v in options]
    return state


def choice(where: Any, label: str, options: list[str], key: str, default: str, fmt: Callable[[str], str]) -> str:
    """A segmented choice started from (and kept in) the URL parameter `key`."""
    picked = where.segmented_control(
        label, options, format_func=fmt, key=url_param(key, options, default), required=True
    )
    value = str(picked or default)
    keep_in_url(key, value, default)
    return value


def has_pages(table: pd.DataFrame) -> bool:
    """Whether a KPI table covers any page (territory rows are listed even when they have none)."""
    return bool(len(table)) and ("accounts" not in table or int(table["accounts"].sum()) > 0)


def place(rows: pd.DataFrame, level: str) -> pd.Series:
    """The territory of `level` each row (with territory_code, region_code, district_code) belongs to; "" for
    pages attached above that level (the chosen territory's own pages)."""
    if level == "settlement":
        levels = queries.territories()["level"]
        codes = rows["territory_code"].astype("str")
        return codes.where(codes.map(levels) == "settlement", "").fillna("")
    return rows[f"{level}_code"].astype("str").fillna("")


# Streamlit offers no option for its upload box's own words: CSS draws the reader's over its English.
UPLOADER_CSS = """
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p,
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; visibility: hidden; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: BUTTON; font-size: 1rem; visibility: visible; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: HINT; font-size: 0.875rem; visibility: visible; }
"""


def uploader_words(tr: Tr, mb: int, types: list[str], key: str | None = None) -> None:
    """Streamlit's upload box in the reader's language: its button and the size and types it takes; every box of the
    page, or the one made with `key` (its own types and size)."""
    hint = tr("data.upload_hint", mb=tr.num(mb), types=", ".join(t.upper() for t in types))
    css = UPLOADER_CSS.replace("BUTTON", json.dumps(tr("data.upload_button"), ensure_ascii=False))
    css = css.replace("HINT", json.dumps(hint, ensure_ascii=False))
    if key is not None:  # Streamlit marks a widget made with a key by the class st-key-KEY
        css = re.sub(r"(?m)^\[data-testid", f".st-key-{key} [data-testid", css)
    st.html(f"<style>{css}</style>")
