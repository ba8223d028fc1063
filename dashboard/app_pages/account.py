"""Account: one page — its owner and territory, followers with renames, posts by type, engagement, responsiveness."""

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import analysis, cards, charts, queries, queries_posts, ui
from dashboard.filters import Scope

page = ui.start("page.account")
tr, f = page.tr, page.f
conf = queries.settings(f.lang)
listed = queries.in_scope(page.own())  # a page is seen in full only by its own territory's people
ranked = page.kpis("account") if len(listed) <= ui.RANKED_PAGES else None
if ranked is not None:
    ids = ranked.sort_values("followers_end", ascending=False)["id"]
else:
    ids = listed.sort_values(["handle", "platform"])["id"]
if ids.empty:
    ui.stop(tr, "empty.selection")
if len(ids) > ui.LISTED_PAGES:
    # More pages than a picker lists: the reader finds a page by part of its handle or owner's name.
    typed = st.text_input(tr("account.find", n=tr.num(len(ids))), key="p_find").strip()
    if typed:
        names = listed.loc[ids, "handle"].fillna("") + " " + listed.loc[ids, "owner_name"].fillna("")
        ids = ids[names.str.casefold().str.contains(typed.casefold(), regex=False).to_numpy()]
        if ids.empty:
            ui.stop(tr, "account.none_found", text=ui.literal(typed))
    wanted = st.session_state.get("p_account", st.query_params.get("account", ""))
    linked = ids[ids.astype(str) == wanted]  # a page opened by its link stays listed
    if len(ids) > ui.LISTED_PAGES:
        st.caption(tr("account.listed", shown=tr.num(ui.LISTED_PAGES), n=tr.num(len(ids))))
    ids = pd.concat([linked, ids.head(ui.LISTED_PAGES)]).drop_duplicates()
shown = listed.loc[ids]
platforms = shown["platform"].map(lambda p: tr.label("platform", p))
label = dict(zip(ids.astype(str), shown["handle"] + " · " + platforms + " · " + shown["owner_name"], strict=True))
chosen = str(
    st.selectbox(
        tr("account.pick"),
        list(label),
        format_func=lambda k: label[k],
        key=ui.url_param("account", list(label), next(iter(label))),
    )
)
ui.keep_in_url("account", chosen)
info: dict[str, Any] = {str(k): v for k, v in listed.loc[int(chosen)].items()}
# The chosen page's district (else region, else country), platform and owner role: its figures are read there, the
# fewest pages around it, unless the ranked list has them already.
near = next(level for level in ("district", "region", "country") if isinstance(info[f"{level}_code"], str))
own = Scope(info[f"{near}_code"], f"{near}_code", (info["platform"],), (info["owner_role"],))
pages = ranked if ranked is not None else page.kpis("account", scope=own)
pages = pages[pages["id"] == int(chosen)]
if pages.empty:
    ui.stop(tr, "empty.selection")
row = pages.iloc[0]

places = [info[c] for c in ("country_code", "region_code", "district_code") if isinstance(info[c], str)]
where = " → ".join(ui.literal(page.name(c)) for c in dict.fromkeys([*places, info["territory_code"]]))
st.subheader(f"{ui.literal(info['owner_name'])} — {ui.literal(info['handle'])}")
mark = (
    tr("account.verified_since", day=tr.date(info["official_mark_on"]))
    if info["official_mark"]
    else tr("account.unverified")
)
facts = [
    tr.label("platform", info["platform"]),
    tr.label("role", info["owner_role"]),
    tr("account.required") if info["required"] else tr("account.optional"),
    mark,
    tr("account.created", day=tr.date(info["created_on"])),
]
st.markdown(f"**{where}**  \n" + " · ".join(facts) + (f"  \n{ui.link(info['url'])}" if info["url"] else ""))

fresh = queries.freshness(*page.period, own)
began = queries.account_days((int(chosen),), page.first, page.period.end)["day"].min()
first = None if pd.isna(began) else began.date()
# The page's own first day: a page that began inside the previous period has no arrows (docs/metrics.md).
before = page.kpis("account", page.before, own) if cards.covered(page.before, first) else pages.iloc[:0]
before = before[before["id"].astype(str) == chosen]
year = cards.year_earlier(page.period, first)
ago = page.kpis("account", year, own) if year else before.iloc[:0]
ago = ago[ago["id"].astype(str) == chosen]
kpis = cards.kpi_cards(
    row,
    before.iloc[0] if len(before) else None,
    fresh | {f"reporting_{s}": 1 for s in ("snapshot", "post", "inquiry")},
    tr,
    ago.iloc[0] if len(ago) else None,
)
kpis = [k for k in kpis if k["label"] not in (tr("kpi.coverage"), tr("kpi.active"))]
ui.cards(kpis, 3)
for sentence in cards.uncovered(tr, page.period, first):
    st.caption(sentence)

# What the platform itself does to the figures, told where they are read (YouTube rounds subscriber counts).
if info["platform"] == "youtube" and (row.get("followers_end") or 0) >= 1000:
    st.caption(tr("account.note_youtube"))

days = queries.account_days((int(chosen),), *page.period)
renames = queries.handles(int(chosen)).iloc[1:]
renames = renames.assign(day=renames["first_seen"])
note = page.note(int(days["observed"].sum()), "unit.snapshots")
ui.chart(charts.account_followers(days, renames[renames["day"] >= page.period.start], tr, note))
if len(renames):
    st.caption(tr("account.renames", handles=" → ".join(map(ui.literal, queries.handles(int(chosen))["handle"]))))

left, right = st.columns(2)
posts = queries_posts.account_posts((int(chosen),), *page.period)
with left:
    if posts.empty:
        st.info(tr("account.no_posts"))
    else:
        by_type = posts.groupby("post_type", as_index=False).agg(posts=("id", "size"), sum=("interactions", "sum"))
        by_type = by_type.assign(per_post=(by_type["sum"] / by_type["posts"]).round(1)).sort_values("posts")[::-1]
        ui.chart(charts.posts_by_type(by_type, tr, page.note(len(posts), "unit.posts")))
with right:
    grain = analysis.grain(posts["published_on"], conf.min_sample_posts)
    er = analysis.engagement(days, grain, conf.min_sample_posts).assign(name=info["handle"])
    ui.chart(charts.weekly(er, "er_pct", tr, page.note(len(posts), "unit.posts"), by=grain, period=page.period))

st.subheader(tr("account.citizens"))
inq = queries.inquiries(*page.period, own, "8wh")
inq = inq[inq["id"] == int(chosen)]
if inq.empty:
    ui.stop(tr, "empty.inquiries")
grain = analysis.grain(inq["received_on"], conf.min_sample_inquiries)
trend = inq.assign(week=analysis.bucket(inq["received_on"], grain), name=info["handle"])
trend = analysis.responsiveness(trend, ["week", "name"], conf.min_sample_inquiries)
note = page.note(len(inq), "unit.inquiries")
left, right = st.columns(2)
with left:
    lines = trend.assign(value=trend["response_rate_pct"])[["week", "name", "value"]]
    ui.chart(charts.weekly(lines, "response_rate_pct", tr, note, conf.response_target_pct, grain, period=page.period))
with right:
    shares = analysis.who_answers(inq.assign(place=info["handle"]), "place", conf.min_sample_inquiries)
    ui.chart(charts.who_answers(shares, tr, note), tr("resp.who_help", n=conf.min_sample_inquiries))
unanswered = inq[inq["first_reply_at"].isna()].sort_values("received_at")
st.markdown(tr("account.unanswered", n=tr.num(len(unanswered))))
shown = unanswered.assign(
    received=unanswered["received_at"].dt.strftime("%Y-%m-%d %H:%M"),
    channel=unanswered["channel"].map(lambda c: tr.label("channel", c)),
    topic=unanswered["topic"].map(lambda t: tr.label("topic", t)),
)
ui.table(pd.DataFrame(shown), {
    "received": ("col.received_utc", "text"), "age_wd": ("col.age_wd", "num1"), "channel": ("col.channel", "text"),
    "topic": ("col.topic", "text"), "inquiry_id": ("col.inquiry_id", "text"), "post_id": ("col.post_id", "text"),
}, tr, height=320)  # fmt: skip
