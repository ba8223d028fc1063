"""Charts: pure functions from a DataFrame to a plotly Figure, in one theme, with titles and units in the language."""

import datetime as dt
import html
from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.i18n import Tr

# Each platform in its own brand colour wherever series are platforms, so that VK is the same blue on every chart.
PLATFORM_COLOURS = {
    "vk": "#0077ff", "ok": "#ee8208", "max": "#7b3fe4", "telegram": "#27a6e5", "instagram": "#d62976",
    "facebook": "#1877f2", "x": "#14171a", "youtube": "#ff0000", "tiktok": "#25b8b8", "threads": "#6c757d",
}  # fmt: skip
PALETTE = ["#1f6f8b", "#e07a1f", "#3a9d5d", "#c8435a", "#7b5ea7", "#99a83b", "#d4a017", "#5b8bd9", "#8c564b", "#6c757d"]
GOOD, BAD, NEUTRAL = "#3a9d5d", "#c8435a", "#9aa5b1"
TOTAL = "#1f2933"  # a scope's total beside its parts
GRAINS = {"day": "daily", "week": "weekly", "month": "monthly"}
pio.templates["govpulse"] = go.layout.Template(
    layout=go.Layout(
        font={"family": "DejaVu Sans, Arial, sans-serif", "size": 13, "color": "#1f2933"},
        colorway=PALETTE,
        plot_bgcolor="white",
        paper_bgcolor="white",
        hovermode="x unified",
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        legend={"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0, "traceorder": "normal"},
        xaxis={"gridcolor": "#eef1f4", "linecolor": "#cbd2d9", "zeroline": False},
        yaxis={"gridcolor": "#eef1f4", "linecolor": "#cbd2d9", "zerolinecolor": "#cbd2d9", "rangemode": "tozero"},
    )
)


def _figure(tr: Tr, title: str, note: str, x_title: str = "", y_title: str = "", height: int = 420) -> go.Figure:
    """An empty figure in the theme with a title, the caption (date range, n) as subtitle, and axis titles."""
    fig = go.Figure()
    fig.update_layout(
        template="govpulse",
        title={"text": title, "subtitle": {"text": note}, "x": 0, "xanchor": "left"},
        separators=tr.separators,
        height=height,
        xaxis_title=x_title,
        yaxis_title=y_title,
    )
    if tr.lang != "en":
        # Plotly abbreviates large ticks with Latin SI letters (800k, 1.2M): Russian and Kazakh readers get digits.
        fig.update_xaxes(exponentformat="none")
        fig.update_yaxes(exponentformat="none")
    return fig


def label(name: object) -> str:
    """A name from the data (a territory, a page, a handle) as chart text that shows it as written: plotly reads
    tags (<b>, <a href=…>, <br>) and entities in every text, so <, > and & become entities."""
    return html.escape(str(name), quote=False)


def series_colours(names: Iterable[str], total: str = "", others: str = "") -> dict[str, str]:
    """One colour per series for every chart of a page: the page's order of names, the total in ink, "others" in
    grey; a page passes the same mapping to each of its charts, so a territory keeps its colour."""
    out: dict[str, str] = {}
    for name in dict.fromkeys(names):
        if name == total:
            out[name] = TOTAL
        elif name == others:
            out[name] = NEUTRAL
        else:
            out[name] = PALETTE[sum(1 for n in out if n not in (total, others)) % len(PALETTE)]
    return out


def platform_colours(tr: Tr) -> dict[str, str]:
    """The colour of each platform's series, by its label in the language."""
    return {tr.label("platform", p): colour for p, colour in PLATFORM_COLOURS.items()}


def _lines(
    fig: go.Figure, df: pd.DataFrame, x: str, tr: Tr, hover: str, colours: Mapping[str, str] | None = None
) -> go.Figure:
    """One line per `name`, in order of first appearance (in its colour from `colours`, else the theme's)."""
    for name, part in df.groupby("name", sort=False):
        line = {"color": colours[str(name)]} if colours and str(name) in colours else None
        fig.add_scatter(x=part[x], y=part["value"], name=label(name), mode="lines", hovertemplate=hover, line=line)
    fig.update_xaxes(tickformat=tr.date_axis)
    return fig


def followers(df: pd.DataFrame, mode: str, tr: Tr, note: str, colours: Mapping[str, str] | None = None) -> go.Figure:
    """Followers by day per series (`day`, `name`, `value`): absolute, indexed to 100, or per 1,000 residents."""
    title = tr(f"chart.followers.{mode}")
    fig = _figure(tr, title, note, tr("axis.date"), tr(f"axis.followers_{mode}"))
    fig = _lines(fig, df, "day", tr, "%{y:,.1f}" if mode != "absolute" else "%{y:,.0f}", colours)
    if mode == "index":
        fig.add_hline(y=100, line={"color": NEUTRAL, "dash": "dot"})
        fig.update_yaxes(rangemode="normal")
    return fig


def net_new(df: pd.DataFrame, tr: Tr, note: str, colours: Mapping[str, str] | None = None) -> go.Figure:
    """Net new followers per week per series (`week`, `name`, `value`), as grouped bars."""
    fig = _figure(tr, tr("chart.net_new"), note, tr("axis.week"), tr("axis.followers_net"))
    for name, part in df.groupby("name", sort=False):
        colour = colours.get(str(name)) if colours else None
        fig.add_bar(x=part["week"], y=part["value"], name=label(name), hovertemplate="%{y:+,.0f}", marker_color=colour)
    fig.update_layout(barmode="relative")
    fig.update_xaxes(tickformat=tr.date_axis)
    fig.update_yaxes(rangemode="normal")
    return fig


def movers(df: pd.DataFrame, tr: Tr, note: str) -> go.Figure:
    """Largest follower growth and drops (`name`, `value` in %), as horizontal bars coloured by sign."""
    df = df.sort_values("value")
    fig = _figure(tr, tr("chart.movers"), note, tr("axis.growth_pct"), "", height=max(300, 40 + 28 * len(df)))
    fig.add_bar(
        x=df["value"],
        y=df["name"].map(label),
        orientation="h",
        marker_color=[GOOD if v >= 0 else BAD for v in df["value"]],
        text=[tr.signed(v, 1, "%") for v in df["value"]],
        textposition="outside",
        textfont={"size": 12},
        cliponaxis=False,
        hovertemplate="%{y}: %{x:+.1f} %<extra></extra>",
    )
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_xaxes(rangemode="normal", zeroline=True)
    return fig


def ranking(df: pd.DataFrame, tr: Tr, note: str) -> go.Figure:
    """Composite index per territory (`name`, `score` 0–100, optional `rank`), in the given order from the top, each
    named with its rank; a row without a score (the middle of a long ranking left out) is an empty gap."""
    df = df.iloc[::-1]
    ranks = df["rank"] if "rank" in df else pd.Series(pd.NA, index=df.index)
    names = [f"{int(r)}. {label(n)}" if pd.notna(r) else label(n) for n, r in zip(df["name"], ranks, strict=True)]
    scores = [None if pd.isna(v) else float(v) for v in df["score"]]
    fig = _figure(tr, tr("chart.ranking"), note, tr("axis.score"), "", height=max(320, 40 + 24 * len(df)))
    fig.add_bar(
        x=scores,
        y=names,
        orientation="h",
        marker_color=PALETTE[0],
        text=["" if v is None else tr.num(v, 1) for v in scores],
        textposition="auto",
        hovertemplate="%{y}: %{x:.1f}<extra></extra>",
    )
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_xaxes(range=[0, 100])
    return fig


def weekly(
    df: pd.DataFrame,
    metric: str,
    tr: Tr,
    note: str,
    target: float | None = None,
    by: str = "week",
    colours: Mapping[str, str] | None = None,
    period: tuple[dt.date, dt.date] | None = None,
) -> go.Figure:
    """A metric per week (or month, `by`) per series (`week`, `name`, `value`): response rate, within deadline,
    reply hours, engagement; weeks or months only partly inside `period` are drawn as hollow points."""
    partial = _partial(df["week"], by, period) if period is not None and len(df) else pd.Series(False, index=df.index)
    if partial.any():
        note = f"{note} · {tr('chart.partial')}"
    fig = _figure(tr, tr(f"chart.{GRAINS.get(by, 'weekly')}.{metric}"), note, tr(f"axis.{by}"),
                  tr(f"axis.{metric}"))  # fmt: skip
    fig = _lines(fig, df.rename(columns={"week": "day"}), "day", tr, "%{y:,.1f}", colours)
    if partial.any():
        for trace, (_, part) in zip(fig.data, df.groupby("name", sort=False), strict=True):
            hollow = partial[part.index].tolist()
            trace.update(
                mode="lines+markers",
                marker={
                    "symbol": ["circle-open" if h else "circle" for h in hollow],
                    "size": [9 if h else 5 for h in hollow],
                },
            )
    if target is not None:
        fig.add_hline(
            y=target,
            line={"color": BAD, "dash": "dash"},
            annotation_text=tr("chart.target", value=tr.pct(target, 0)),
            annotation_position="bottom right",
        )
    if metric in ("response_rate_pct", "within_pct"):
        fig.update_yaxes(range=[0, 105])
    if by == "month":
        fig.update_traces(mode="lines+markers")
        fig.update_xaxes(tickformat=tr.month_axis, dtick="M1")
    return fig


def _partial(starts: pd.Series, by: str, period: tuple[dt.date, dt.date]) -> pd.Series:
    """Whether each week (Monday) or month (first day) reaches outside the period."""
    first = pd.to_datetime(starts)
    last = first + {"day": pd.Timedelta(0), "week": pd.Timedelta(days=6)}.get(by, pd.offsets.MonthEnd(0))
    return pd.Series((first < pd.Timestamp(period[0])) | (last > pd.Timestamp(period[1])), index=starts.index)


def backlog(df: pd.DataFrame, tr: Tr, note: str) -> go.Figure:
    """Unanswered inquiries by age bucket (`bucket`, `count`)."""
    fig = _figure(tr, tr("chart.backlog"), note, tr("axis.age_wd"), tr("axis.inquiries"), height=360)
    labels = [tr(f"bucket.{b}") for b in df["bucket"]]
    colors = [PALETTE[2], PALETTE[6], PALETTE[1], BAD][: len(df)]
    fig.add_bar(x=labels, y=df["count"], marker_color=colors, text=[tr.num(v) for v in df["count"]])
    fig.update_layout(hovermode="closest", showlegend=False)
    return fig


def who_answers(df: pd.DataFrame, tr: Tr, note: str) -> go.Figure:
    """Share of inquiries by who answered (`name`, `who`, `share` in %), as stacked horizontal bars."""
    df = df if "name" in df.columns else pd.DataFrame(columns=["name", "who", "share"])
    names = [label(n) for n in dict.fromkeys(df["name"])]
    fig = _figure(tr, tr("chart.who_answers"), note, tr("axis.share_pct"), "", height=max(320, 90 + 26 * len(names)))
    colors = {"owner": PALETTE[0], "press_service": PALETTE[4], "other": PALETTE[6], "nobody": BAD}
    for who, part in df.groupby("who", sort=False):
        fig.add_bar(
            x=part["share"],
            y=part["name"].map(label),
            name=tr(f"who.{who}"),
            orientation="h",
            marker_color=colors.get(str(who), NEUTRAL),
            hovertemplate="%{y}: %{x:.1f} %",
        )
    fig.update_layout(barmode="stack", hovermode="closest")
    fig.update_yaxes(categoryorder="array", categoryarray=names[::-1])
    fig.update_xaxes(range=[0, 100])
    return fig


def funnel(df: pd.DataFrame, tr: Tr, note: str) -> go.Figure:
    """Official pages from required to answering (`stage`, `count`)."""
    fig = _figure(tr, tr("chart.funnel"), note, "", "", height=380)
    fig.add_funnel(
        y=[tr(f"stage.{s}") for s in df["stage"]],
        x=df["count"],
        textinfo="value+percent initial",
        marker={"color": PALETTE[: len(df)]},
    )
    fig.update_layout(hovermode="closest", showlegend=False)
    return fig


def posts_by_type(df: pd.DataFrame, tr: Tr, note: str) -> go.Figure:
    """Posts per type (`post_type`, `posts`) with interactions per post (`per_post`) on a second axis."""
    fig = _figure(tr, tr("chart.posts_by_type"), note, tr("axis.post_type"), tr("axis.posts"), height=360)
    types = [tr(f"post_type.{t}") for t in df["post_type"]]
    fig.add_bar(x=types, y=df["posts"], name=tr("axis.posts"), marker_color=PALETTE[0])
    fig.add_scatter(
        x=types, y=df["per_post"], name=tr("axis.per_post"), yaxis="y2", mode="markers", marker={"size": 12}
    )
    fig.update_layout(
        yaxis2={"title": tr("axis.per_post"), "overlaying": "y", "side": "right", "rangemode": "tozero"},
        hovermode="x",
    )
    return fig


def account_followers(df: pd.DataFrame, renames: pd.DataFrame, tr: Tr, note: str) -> go.Figure:
    """One page's followers by day (`day`, `followers`), each rename (`day`, `handle`) marked."""
    fig = _figure(tr, tr("chart.account_followers"), note, tr("axis.date"), tr("axis.followers_absolute"))
    fig.add_scatter(x=df["day"], y=df["followers"], mode="lines", name=tr("axis.followers_absolute"))
    for row in renames.itertuples(index=False):
        day = pd.Timestamp(str(row.day))
        fig.add_vline(x=day.value / 1e6, line={"color": PALETTE[1], "dash": "dash"})
        fig.add_annotation(
            x=day, y=1, yref="paper", text=tr("chart.renamed", handle=label(row.handle)), showarrow=False
        )
    fig.update_xaxes(tickformat=tr.date_axis)
    fig.update_layout(showlegend=False)
    return fig


def compare(
    df: pd.DataFrame,
    title: str,
    unit: str,
    tr: Tr,
    note: str,
    digits: int = 1,
    colours: Mapping[str, str] | None = None,
) -> go.Figure:
    """One KPI for several territories or pages side by side (`name`, `value`), each in its colour of the page."""
    fig = _figure(tr, title, note, "", unit, height=320)
    colours = colours or series_colours(df["name"])
    fig.add_bar(
        x=df["name"].map(label),
        y=df["value"],
        marker_color=[colours.get(str(n), NEUTRAL) for n in df["name"]],
        text=[tr.num(v, digits) for v in df["value"]],
        hovertemplate="%{x}: %{y:,.2f}<extra></extra>",
    )
    fig.update_layout(hovermode="closest", showlegend=False)
    return fig


def best_time(medians: pd.DataFrame, counts: pd.DataFrame, tr: Tr, note: str) -> go.Figure:
    """Median engagement per post (%) by local weekday (rows, Monday first) and hour (columns, 0–23), as a heatmap
    with the posts of each hour in its hover; hours without a median are left blank."""
    fig = _figure(tr, tr("chart.best_time"), note, tr("axis.hour_local"), "", height=380)
    fig.add_heatmap(
        z=medians.to_numpy(dtype="float64"),
        x=list(medians.columns),
        y=tr.weekdays(),
        customdata=counts.to_numpy(),
        colorscale=[[0.0, "#eef4f7"], [1.0, PALETTE[0]]],
        xgap=1,
        ygap=1,
        hoverongaps=False,
        texttemplate="%{z:.1f}",
        textfont={"size": 10},
        colorbar={"title": {"text": tr("axis.er_median"), "side": "right"}, "thickness": 12},
        hovertemplate=tr("chart.best_time_hover") + "<extra></extra>",
    )
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(tickmode="array", tickvals=list(range(0, 24, 2)), showgrid=False)
    fig.update_yaxes(autorange="reversed", showgrid=False, rangemode="normal")
    return fig
