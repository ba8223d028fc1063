"""Rankings: a composite index within a peer group, its weights shown and adjustable, the rank change explained."""

import streamlit as st

from dashboard import access_ui, cards, charts, queries, queries_posts, ranking, ui

page = ui.start("page.rankings")
tr, f = page.tr, page.f
conf = queries.settings(f.lang)
saved = ranking.parse_weights(st.query_params.get("w") or access_ui.official_weights())
with st.expander(tr("rankings.weights"), expanded=False):
    columns = st.columns(len(ranking.COMPONENTS))
    weights = {}
    for column, name in zip(columns, ranking.COMPONENTS, strict=True):
        state = f"p_w_{name}"
        if state not in st.session_state:
            st.session_state[state] = saved[name]
        weights[name] = column.number_input(tr(f"component.{name}"), 0, 100, step=5, key=state)
    access_ui.save_weights(tr, page.user, weights)
ui.keep_in_url("w", ranking.dump_weights(weights))
total = sum(weights.values()) or 1
parts = [f"{tr.pct(100 * w / total, 0)} · {tr(f'component.{n}')}" for n, w in weights.items() if w]
st.caption(tr("rankings.formula", parts=" + ".join(parts), level=tr(f"level.{page.level}_plural")))

figures = page.kpis(page.level)
now = ranking.score(figures, weights, conf.min_sample_inquiries)
if not ui.has_pages(now):
    ui.stop(tr, "empty.selection")
first = queries_posts.first_day(page.scope)
# Ranks of a previous period the data begin inside are ranks of part of a period: no change then.
if cards.covered(page.before, first):
    before = ranking.score(page.kpis(page.level, page.before), weights, conf.min_sample_inquiries)
else:
    before = now.iloc[:0]
    st.caption(tr("kpi.no_before", span=tr.span(*page.before), first=tr.date(first)))
table = ranking.compare(now, before)
table["why"] = [ranking.explain(row, weights, tr) for _, row in table.iterrows()]
rated = table[table["rated"]]
if rated.empty:
    ui.stop(tr, "rankings.nobody_rated", n=conf.min_sample_inquiries)
top = rated.head(25).rename(columns={"territory_name": "name"})
ui.chart(charts.ranking(top, tr, page.note(len(rated), "unit.territories")))
if len(rated) > len(top):
    st.caption(tr("rankings.top_only", shown=len(top), n=len(rated)))
moved = rated.dropna(subset=["change"])
moves = [*moved.nlargest(3, "change").itertuples(), *moved.nsmallest(3, "change").itertuples()]
moves = [m for m in moves if m.change]
if moves:
    st.markdown(
        tr("rankings.moves") + "  \n" + "  \n".join(f"**{ui.literal(m.territory_name)}** — {m.why}" for m in moves)
    )
unrated = len(table) - len(rated)
if unrated:
    st.caption(tr("rankings.unrated", n=tr.num(unrated), min=conf.min_sample_inquiries))
ui.table(
    table,
    {
        "rank": ("col.rank", "int"),
        "change": ("col.change", "signed"),
        "territory_name": ("col.territory", "text"),
        "score": ("col.score", "num1"),
        "why": ("col.why", "text"),
        "response_rate_pct": ("col.response_rate", "pct"),
        "reply_median_min": ("col.reply_median", ui.minutes_kind(figures.attrs.get("approximate", False))),
        "posts_per_week": ("col.posts_per_week", "num2"),
        "er_followers_pct": ("col.er", "pct2"),
        "growth_pct": ("col.growth", "pct"),
        "followers_per_1000": ("col.per_1000", "num1"),
        "inquiries": ("col.inquiries", "int"),
    },
    tr,
)
