"""Compare: two to six territories or pages side by side on every KPI and chart."""

import pandas as pd
import streamlit as st

from dashboard import analysis, charts, queries, ui

page = ui.start("page.compare")
tr, f = page.tr, page.f
conf = queries.settings(f.lang)
WHAT = ["territory", "account"]
what = ui.choice(
    st, tr("compare.what"), WHAT, "what", "territory",
    lambda v: tr(f"compare.what_{v}", level=tr(f"level.{page.level}_plural")).capitalize(),
)  # fmt: skip
table = page.kpis(page.level if what == "territory" else "account")
if not ui.has_pages(table):
    ui.stop(tr, "empty.selection")
if what == "territory":
    table = table.assign(key=table["territory_code"], name=table["territory_name"])
else:
    table = table.assign(
        key=table["id"].astype(str),
        name=table["handle"] + " · " + table["platform"].map(lambda p: tr.label("platform", p)),
    )
table = table.sort_values("followers_end", ascending=False)
names = dict(zip(table["key"], table["name"], strict=True))
if "p_ids" not in st.session_state and "ids" not in st.query_params:
    st.session_state.p_ids = list(names)[:3]
picked = st.multiselect(
    tr("compare.pick"),
    list(names),
    format_func=lambda k: names[k],
    key=ui.url_multi("ids", list(names)),
    max_selections=6,
)
ui.keep_in_url("ids", ",".join(picked))
if len(picked) < 2:
    ui.stop(tr, "compare.need_two")
rows = table.set_index("key").loc[picked]
note = page.note(len(rows), "unit.compared")

METRICS = {
    "followers_end": ("col.followers", "int", ""),
    "growth_pct": ("col.growth", "pct", "%"),
    "followers_per_1000": ("col.per_1000", "num1", ""),
    "posts_per_week": ("col.posts_per_week", "num2", ""),
    "er_followers_pct": ("col.er", "pct2", "%"),
    "response_rate_pct": ("col.response_rate", "pct", "%"),
    "reply_median_min": ("col.reply_median", ui.minutes_kind(table.attrs.get("approximate", False)), "hours"),
    "reply_p90_min": ("col.reply_p90", ui.minutes_kind(table.attrs.get("approximate", False)), "hours"),
    "inquiries": ("col.inquiries", "int", ""),
}
if what == "account":
    METRICS.pop("followers_per_1000")
matrix = {tr(label): [ui.formatter(tr, kind)(v) for v in rows[col]] for col, (label, kind, _) in METRICS.items()}
st.dataframe(
    pd.DataFrame(matrix, index=list(rows["name"])).T.reset_index(names=tr("col.kpi")),
    hide_index=True,
    width="stretch",
)
colours = charts.series_colours(rows["name"])  # each territory or page in one colour on every chart
grid = st.columns(3)
for i, (col, (label, kind, unit)) in enumerate(METRICS.items()):
    digits = {"int": 0, "num2": 2, "pct2": 2}.get(kind, 1)
    # Reply times in hours, the unit a person reads them in; other units as they are.
    values = rows[col] / 60 if unit == "hours" else rows[col]
    shown = tr(f"unit.{unit}") if unit == "hours" else unit
    with grid[i % 3]:
        bars = rows.assign(value=values)[["name", "value"]]
        ui.chart(charts.compare(bars, tr(label), shown, tr, note, digits, colours))

if what == "territory":
    key = {"region": "region", "district": "district", "settlement": "territory"}[page.level]
    daily = queries.series(key, *page.period, page.scope_for(page.level))
    daily = daily[daily["key"].isin(picked)].assign(name=lambda d: d["key"].map(names), value=lambda d: d["followers"])
else:
    daily = queries.account_days(tuple(int(k) for k in picked), *page.period)
    daily = daily.assign(name=daily["id"].astype(str).map(names), value=daily["followers"])
left, right = st.columns(2)
with left:
    shaped = analysis.reshape(daily[["day", "name", "value"]], "index")
    ui.chart(charts.followers(shaped, "index", tr, note, colours))
ids = None if what == "territory" else tuple(int(k) for k in picked)
level = page.level if what == "territory" else "account"
sums, times = queries.responsiveness(*page.period, page.scope_for(level), conf.deadline, level, ids)
sums, times = sums[sums["place"].isin(picked)], times[times["place"].isin(picked)]
grains = {
    analysis.grain(days["day"], conf.min_sample_inquiries, days["inquiries"]) for _, days in sums.groupby("place")
}
grain = "month" if "month" in grains else "week"
with right:
    sums = sums.assign(week=analysis.bucket(sums["day"], grain), name=sums["place"].map(names))
    times = times.assign(week=analysis.bucket(times["day"], grain), name=times["place"].astype("str").map(names))
    trend = analysis.summary(sums, times, ["week", "name"], conf.min_sample_inquiries)
    lines = trend.assign(value=trend["response_rate_pct"])[["week", "name", "value"]]
    ui.chart(
        charts.weekly(
            lines,
            "response_rate_pct",
            tr,
            page.note(int(sums["inquiries"].sum()), "unit.inquiries"),
            by=grain,
            colours=colours,
            period=page.period,
        )
    )
