"""Coverage: the official-pages funnel required → existing → verified → active → answering, and the gaps."""

import streamlit as st

from dashboard import analysis, charts, queries, ui

page = ui.start("page.coverage")
tr, f = page.tr, page.f
required = queries.in_scope(page.scope)
# Only the columns the funnel and its lists use: each reader's copy of a country's registry would be hundreds of MB.
wanted = ["id", "country_code", "region_code", "district_code", "territory_code", "created_on"]
required = required.loc[required["required"].astype(bool), wanted]
if required.empty:
    ui.stop(tr, "coverage.none_required")
# Counted over every page of the scope; listed (and counted per settlement) only in the reader's own territory.
flags = analysis.funnel(required, page.pages(page.scope))
seen = page.detail
own = flags[flags[seen.column] == seen.parent] if seen is not None else flags.iloc[0:0]
st.caption(tr("coverage.help", day=tr.date(page.period.end)))
ui.chart(charts.funnel(analysis.funnel_counts(flags), tr, page.note(len(flags), "unit.required")))

st.subheader(tr("coverage.by_territory", level=tr(f"level.{page.level}_plural")))
key = {"region": "region_code", "district": "district_code", "settlement": "territory_code"}[page.level]
places = queries.territories()
in_level = own if page.level == "settlement" else flags
in_level = in_level[in_level[key].isin(places.index[places["level"] == page.level])]
per_place = in_level.groupby(key)[list(analysis.STAGES)].sum().reset_index()
per_place = per_place.assign(
    name=page.names(per_place[key]),
    verified_pct=(per_place["verified"] / per_place["required"] * 100).round(1),
    answering_pct=(per_place["answering"] / per_place["required"] * 100).round(1),
).sort_values("verified_pct")
stage_cols = {s: (f"stage.{s}", "int") for s in analysis.STAGES}
ui.table(
    per_place,
    {"name": ("col.territory", "text")} | stage_cols | {
        "verified_pct": ("col.verified_pct", "pct"), "answering_pct": ("col.answering_pct", "pct"),
    },
    tr,
    height=360,
)  # fmt: skip

st.subheader(tr("coverage.drill"))
mine = page.own()
# The places of the reader's own pages, each once: a country's 190,000 codes would be compared one by one.
options = ["", *per_place[key][per_place[key].isin(own[key].unique())]]
place = st.selectbox(
    tr("coverage.place"), options, format_func=lambda c: page.name(c) if c else tr("coverage.everywhere"),
    key=ui.url_param("place", options, ""),
)  # fmt: skip
ui.keep_in_url("place", place)
chosen = own[own[key] == place] if place else own
missing, unverified = chosen[~chosen["existing"]], chosen[chosen["existing"] & ~chosen["verified"]]
left, right = st.columns(2)
HALF = ui.TABLE_PX // 2 - 65  # each list has half the page, less the gap and the grid's borders
with left:
    st.markdown(tr("coverage.missing", n=tr.num(len(missing))))
    ui.pages_table(missing, {"created_on": ("col.created", "date")}, tr, mine, height=320, room=HALF, most=ui.LIST_ROWS)
with right:
    st.markdown(tr("coverage.unverified", n=tr.num(len(unverified))))
    ui.pages_table(unverified, {}, tr, mine, height=320, room=HALF, most=ui.LIST_ROWS)
