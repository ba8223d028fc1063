"""Growth: follower series by territory, platform, owner role or page — absolute, indexed, per 1,000 residents — and
the best time to post."""

import pandas as pd
import streamlit as st

from dashboard import analysis, charts, post_blocks, queries, ui

page = ui.start("page.growth")
tr, f = page.tr, page.f
BY = ["territory", "platform", "role", "account"]
MODES = ["absolute", "index", "per1000"]
left, right = st.columns(2)
by = ui.choice(
    left, tr("growth.by"), BY, "by", "territory", lambda v: tr(f"growth.by_{v}", level=tr(f"level.{page.level}"))
)
mode = ui.choice(right, tr("growth.mode"), MODES, "mode", "absolute", lambda v: tr(f"growth.mode_{v}"))

places = queries.territories()
if by == "account":
    top = page.pages().nlargest(analysis.TOP_SERIES, "followers_end")
    days = queries.account_days(tuple(int(i) for i in top["id"]), *page.period)
    label = {r.id: f"{r.handle} ({tr(f'platform.{r.platform}')})" for r in top.itertuples()}
    daily = days.assign(name=days["id"].map(label), value=days["followers"])[["day", "name", "value"]]
    population: pd.Series | None = top.set_index("id")["territory_code"].map(places["population"]).rename(index=label)
else:
    key = (
        {"region": "region", "district": "district", "settlement": "territory"}[page.level] if by == "territory" else by
    )
    rows = queries.series(key, *page.period, page.scope_for(page.level) if by == "territory" else page.scope)
    if by == "territory":
        own = tr("growth.own_pages", name=page.name(f.parent))
        rows = rows[rows["key"].isin(places.index[places["level"] == page.level]) | rows["key"].isna()]
        rows = rows.assign(name=page.names(rows["key"], own))
        population = places.set_index(page.names(places["code"]))["population"]
    else:
        rows = rows.assign(name=rows["key"].map(lambda k: tr(f"{'platform' if by == 'platform' else 'role'}.{k}")))
        population = None
    daily = rows.groupby(["day", "name"], as_index=False).agg(value=("followers", "sum"))
    if population is None:
        residents = places.at[f.parent, "population"] if f.parent in places.index else None
        population = pd.Series(residents, index=daily["name"].unique(), dtype="float64")
if daily.empty:
    ui.stop(tr, "empty.selection")
n = daily["name"].nunique()
shown = analysis.top_series(daily, tr("growth.other"))
names = shown["name"].unique()
others = tr("growth.other")
colours = charts.platform_colours(tr) if by == "platform" else charts.series_colours(names, others=others)
ui.chart(charts.followers(analysis.reshape(shown, mode, population), mode, tr, page.note(n, "unit.series"), colours))
st.caption(tr(f"growth.help_{mode}"))
ui.chart(charts.net_new(analysis.weekly_net(shown), tr, page.note(n, "unit.series"), colours))

post_blocks.best_time(page, page.scope)
