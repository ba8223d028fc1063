"""Responsiveness: response rate and reply times by week and territory, the deadline, the backlog, who answers."""

import pandas as pd
import streamlit as st

from dashboard import analysis, charts, queries, ui
from etl.worktime import DEADLINE_PRESETS

page = ui.start("page.responsiveness")
tr, f = page.tr, page.f
conf = queries.settings(f.lang)
deadline = ui.choice(st, tr("resp.deadline"), list(DEADLINE_PRESETS), "deadline", "8wh", lambda d: tr(f"deadline.{d}"))
inq = queries.inquiries(*page.period, page.scope, deadline)
if inq.empty:
    ui.stop(tr, "empty.inquiries")
key = {"region": "region_code", "district": "district_code", "settlement": "territory_code"}[page.level]
own = tr("growth.own_pages", name=page.name(f.parent))
inq = inq.assign(
    week=analysis.week_of(inq["received_on"]),
    place=inq[key].fillna(""),
    name=inq[key].map(lambda c: page.name(c) if isinstance(c, str) else own),
)
note = page.note(len(inq), "unit.inquiries")
total = tr("resp.all", name=page.name(f.parent))
by_place = analysis.responsiveness(inq, ["place", "name"], conf.min_sample_inquiries)
by_place = by_place.sort_values("inquiries", ascending=False)
names = dict(zip(by_place["place"], by_place["name"], strict=True))
shown = st.multiselect(
    tr("resp.show"), list(names), format_func=lambda c: names[c], key=ui.url_multi("show", list(names)),
    max_selections=6, placeholder=tr("resp.show_none"),
)  # fmt: skip
ui.keep_in_url("show", ",".join(shown))
weekly = analysis.responsiveness(inq.assign(name=total), ["week", "name"], conf.min_sample_inquiries)
if shown:
    parts = analysis.responsiveness(inq[inq["place"].isin(shown)], ["week", "name"], conf.min_sample_inquiries)
    weekly = ui.concat([weekly, parts])


def lines(column: str) -> pd.DataFrame:
    """Weekly values of one column per series."""
    return weekly.assign(value=weekly[column])[["week", "name", "value"]]


left, right = st.columns(2)
with left:
    ui.chart(charts.weekly(lines("response_rate_pct"), "response_rate_pct", tr, note, conf.response_target_pct))
with right:
    ui.chart(charts.weekly(lines("within_pct"), "within_pct", tr, note), tr(f"deadline.{deadline}_help"))
times = weekly[weekly["name"] == total]
stats = {
    "median_min": "resp.median",
    "p90_min": "resp.p90",
    "median_work": "resp.median_work",
    "p90_work": "resp.p90_work",
}
reply = [times.assign(name=tr(label), value=times[col] / 60)[["week", "name", "value"]] for col, label in stats.items()]
ui.chart(charts.weekly(ui.concat(reply), "reply_hours", tr, note), tr("resp.reply_help", n=conf.min_sample_inquiries))

st.subheader(tr("resp.by_territory", level=tr(f"level.{page.level}_plural")))
open_by_place = inq[inq["first_reply_at"].isna()].groupby("name").size()
ui.table(
    by_place.assign(backlog=by_place["name"].map(open_by_place).fillna(0)),
    {
        "name": ("col.territory", "text"),
        "inquiries": ("col.inquiries", "int"),
        "answered": ("col.answered", "int"),
        "response_rate_pct": ("col.response_rate", "pct"),
        "within_pct": ("col.within", "pct"),
        "median_min": ("col.reply_median", "min"),
        "median_work": ("col.reply_median_work", "min"),
        "p90_work": ("col.reply_p90_work", "min"),
        "backlog": ("col.backlog", "int"),
    },
    tr,
    height=360,
)
left, right = st.columns(2)
with left:
    backlog = analysis.backlog(inq)
    ui.chart(charts.backlog(backlog, tr, page.note(int(backlog["count"].sum()), "unit.unanswered")))
    st.caption(tr("resp.backlog_help", as_of=tr.date(queries.as_of())))
with right:
    biggest = list(by_place["name"].head(12))
    who = analysis.who_answers(inq[inq["name"].isin(biggest)].assign(place=inq["name"]), "place")
    everyone = analysis.who_answers(inq.assign(place=total), "place")
    ui.chart(charts.who_answers(ui.concat([everyone, who]), tr, note))
st.subheader(tr("resp.oldest"))
oldest = inq[inq["first_reply_at"].isna()].nlargest(50, "age_wd")
ui.pages_table(
    oldest,
    {
        "received_at": ("col.received", "text"),
        "age_wd": ("col.age_wd", "num1"),
        "channel": ("col.channel", "text"),
        "topic": ("col.topic", "text"),
        "inquiry_id": ("col.inquiry_id", "text"),
    },
    tr,
)
