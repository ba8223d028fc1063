"""Overview for leadership: KPI cards against the previous period and a year earlier, the movers, the alerts, and
the top posts."""

import pandas as pd
import streamlit as st

from dashboard import analysis, brief, cards, charts, delivery_ui, post_blocks, queries, queries_posts, ui
from etl.metrics import jumps as rules

page = ui.start("page.overview")
tr, f = page.tr, page.f
conf = queries.settings(f.lang)
now = page.kpis(f.parent_level)
if not ui.has_pages(now):
    ui.stop(tr, "empty.selection")
fresh = queries.freshness(*page.period, page.scope)
first = queries_posts.first_day(page.scope)
# A previous period the data begin inside would compare a whole period with a part of one: no arrows then.
before = page.kpis(f.parent_level, page.before) if cards.covered(page.before, first) else now.iloc[:0]
year = cards.year_earlier(page.period, first)
ago = page.kpis(f.parent_level, year) if year else before.iloc[:0]
kpis = cards.kpi_cards(
    now.iloc[0], before.iloc[0] if len(before) else None, fresh, tr, ago.iloc[0] if len(ago) else None,
    bool(now.attrs.get("approximate")),
)  # fmt: skip
ui.cards(kpis, 4)
for sentence in cards.uncovered(tr, page.period, first):
    st.caption(sentence)
if f.parent and page.detail == page.scope:  # the pack lists pages: only of the reader's own territory
    brief.brief_buttons(f.parent, *page.period, tr.lang)

st.subheader(tr("overview.movers", level=tr(f"level.{page.level}_plural")))
table = page.kpis(page.level)
movers = analysis.movers(table)
if movers.empty:
    st.info(tr("empty.movers"))
else:
    ui.chart(charts.movers(movers, tr, page.note(int(table["growth_pct"].notna().sum()), "unit.territories")))

st.subheader(tr("overview.alerts"))
delivery_ui.open_alerts(tr, page.scope)
pages = page.pages()
mine = page.own()
silent = analysis.silent(queries.last_posts(page.period.end, mine), page.period.end, conf.active_days)
jumps = queries.jumps(*page.period, mine)
low = analysis.under_target(pages, conf.response_target_pct)
tabs = st.tabs(
    [
        tr("alert.silent", days=conf.active_days, n=tr.num(len(silent))),
        tr("alert.spikes", n=tr.num(len(jumps))),
        tr("alert.low", target=tr.pct(conf.response_target_pct, 0), n=tr.num(len(low))),
    ]
)
with tabs[0]:
    st.caption(tr("alert.silent_help", days=conf.active_days, day=tr.date(page.period.end)))
    silent_cols = {"last_post": ("col.last_post", "date"), "days": ("col.days_silent", "int")}
    ui.pages_table(silent, silent_cols, tr, mine, most=ui.LIST_ROWS)
with tabs[1]:
    rule = {
        "least": tr.num(rules.MIN_FOLLOWERS),
        "gap": rules.MAX_GAP,
        "weeks": rules.WEEKS,
        "age": rules.MIN_AGE,
        "floor": tr.pct(rules.FLOOR * 100, 0),
        "changes": tr.num(rules.MIN_CHANGES),
        "gain": tr.num(rules.FIXED_GAIN),
        "ratio": tr.pct(rules.FIXED_RATIO * 100, 0),
    }
    st.caption(tr("alert.spikes_help", **rule))
    normal = [
        tr("alert.normal", low=tr.signed(low * 100, 1, "%"), high=tr.signed(high * 100, 1, "%"))
        if pd.notna(low) else tr("alert.fixed_rule")
        for low, high in zip(jumps["low"], jumps["high"], strict=True)
    ]  # fmt: skip
    jumps = jumps.assign(normal=normal)
    spike_cols = {"day": ("col.day", "date"), "before": ("col.before", "int"), "followers": ("col.after", "int")}
    spike_cols |= {"change": ("col.gain", "int"), "normal": ("col.normal", "text")}
    ui.pages_table(jumps, spike_cols, tr, mine, most=ui.LIST_ROWS)
with tabs[2]:
    st.caption(tr("alert.low_help", target=tr.pct(conf.response_target_pct, 0), n=conf.min_sample_inquiries))
    low_cols = {"inquiries": ("col.inquiries", "int"), "answered": ("col.answered", "int")}
    low_cols |= {"response_rate_pct": ("col.response_rate", "pct")}
    ui.pages_table(low, low_cols, tr, mine, most=ui.LIST_ROWS)

post_blocks.top_posts(page, mine)
