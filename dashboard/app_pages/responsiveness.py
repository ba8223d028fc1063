"""Responsiveness: response rate and reply times by week and territory, the deadline, the backlog, who answers."""

import pandas as pd
import streamlit as st

from dashboard import analysis, charts, queries, ui
from dashboard.filters import Period
from etl.metrics.responsiveness.sketched import is_sketch
from etl.metrics.worktime import DEADLINE_PRESETS

page = ui.start("page.responsiveness")
tr, f = page.tr, page.f
conf = queries.settings(f.lang)
presets = list(dict.fromkeys([*DEADLINE_PRESETS, conf.deadline]))  # the setting may be a custom deadline
deadline = ui.choice(st, tr("resp.deadline"), presets, "deadline", conf.deadline, lambda d: tr.label("deadline", d))
# The same call as the Compare page's, which then reads it from the cache.
sums, times = queries.responsiveness(*page.period, page.scope_for(page.level), deadline, page.level, None)
if not sums["inquiries"].sum():
    ui.stop(tr, "empty.inquiries")
# Regions' and countries' reply times are read from their histograms: within 1 %, marked "≈".
approximate = is_sketch(times)
own = tr("growth.own_pages", name=page.name(f.parent))
# Counts per place and day, reply minutes per answered inquiry: every table and chart below is summed from them.
sums = sums.assign(name=page.names(sums["place"].astype("str"), own))
times = times.assign(name=times["place"].map(dict(zip(sums["place"], sums["name"], strict=True))))
grain = analysis.grain(sums["day"], conf.min_sample_inquiries, sums["inquiries"])
sums = sums.assign(week=analysis.bucket(sums["day"], grain))
times = times.assign(week=analysis.bucket(times["day"], grain))
note = page.note(int(sums["inquiries"].sum()), "unit.inquiries")
total = tr("resp.all", name=page.name(f.parent))
by_place = analysis.summary(sums, times, ["place", "name"], conf.min_sample_inquiries)
by_place = by_place.sort_values("inquiries", ascending=False)
names = dict(zip(by_place["place"], by_place["name"], strict=True))
shown = st.multiselect(
    tr("resp.show"), list(names), format_func=lambda c: names[c], key=ui.url_multi("show", list(names)),
    max_selections=6, placeholder=tr("resp.show_none"),
)  # fmt: skip
ui.keep_in_url("show", ",".join(shown))
trend = analysis.summary(sums.assign(name=total), times.assign(name=total), ["week", "name"], conf.min_sample_inquiries)
if shown:
    parts = analysis.summary(
        sums[sums["place"].isin(shown)], times[times["place"].isin(shown)], ["week", "name"], conf.min_sample_inquiries
    )
    trend = ui.concat([trend, parts])


# One colour per territory on every chart below, the total in ink.
colours = charts.series_colours([total, *(names[c] for c in shown)], total=total)


def lines(column: str) -> pd.DataFrame:
    """Values of one column per series and week (or month)."""
    return trend.assign(value=trend[column])[["week", "name", "value"]]


left, right = st.columns(2)
with left:
    rates = charts.weekly(
        lines("response_rate_pct"), "response_rate_pct", tr, note, conf.response_target_pct, grain, colours, page.period
    )
    ui.chart(rates)
with right:
    ui.chart(
        charts.weekly(lines("within_pct"), "within_pct", tr, note, by=grain, colours=colours, period=page.period),
        tr.label("deadline", f"{deadline}_help") if deadline in DEADLINE_PRESETS else None,
    )
# Reply times need answered inquiries: months when a typical week has too few answers for a median.
slow = analysis.grain(sums["day"], conf.min_sample_inquiries, sums["answered"])
times_by = trend[trend["name"] == total]
if slow != grain:
    by_month = [part.assign(week=analysis.bucket(part["day"], slow), name=total) for part in (sums, times)]
    times_by = analysis.summary(by_month[0], by_month[1], ["week", "name"], conf.min_sample_inquiries)
stats = {
    "median_min": "resp.median",
    "p90_min": "resp.p90",
    "median_work": "resp.median_work",
    "p90_work": "resp.p90_work",
}
named = {col: tr.approx(tr(label)) if approximate else tr(label) for col, label in stats.items()}
reply = [times_by.assign(name=named[col], value=times_by[col] / 60)[["week", "name", "value"]] for col in stats]
hours = charts.weekly(ui.concat(reply), "reply_hours", tr, note, by=slow, period=page.period)
ui.chart(hours, tr("resp.reply_help", n=conf.min_sample_inquiries) + (ui.approx_help(tr) if approximate else ""))

st.subheader(tr("resp.by_territory", level=tr(f"level.{page.level}_plural")))
ui.table(
    by_place,
    {
        "name": ("col.territory", "text"),
        "inquiries": ("col.inquiries", "int"),
        "answered": ("col.answered", "int"),
        "inquiries_young": ("col.young", "int"),
        "response_rate_pct": ("col.response_rate", "pct"),
        "within_pct": ("col.within", "pct"),
        "median_min": ("col.reply_median", ui.minutes_kind(approximate)),
        "median_work": ("col.reply_median_work", ui.minutes_kind(approximate)),
        "p90_work": ("col.reply_p90_work", ui.minutes_kind(approximate)),
        "backlog_open": ("col.backlog", "int"),
    },
    tr,
    height=360,
)
left, right = st.columns(2)
with left:
    backlog, _ = queries.backlog(page.period.end, page.scope)
    at_end = Period(page.period.end, page.period.end)  # the backlog stands at the period's end
    ui.chart(charts.backlog(backlog, tr, page.note(int(backlog["count"].sum()), "unit.unanswered", at_end)))
    st.caption(tr("resp.backlog_help", as_of=tr.date(min(page.period.end, sums["as_of"].max().date()))))
with right:
    biggest = list(by_place["name"].head(12))
    floor = conf.min_sample_inquiries
    who = analysis.who_answers_counted(sums[sums["name"].isin(biggest)], "name", floor)
    everyone = analysis.who_answers_counted(sums.assign(name=total), "name", floor)
    ui.chart(charts.who_answers(ui.concat([everyone, who]), tr, note), tr("resp.who_help", n=floor))
st.subheader(tr("resp.oldest"))
mine = page.own()  # the citizens' inquiries: only of the reader's own territory
_, oldest = queries.backlog(page.period.end, mine)
oldest = oldest.assign(
    received_at=oldest["received_at"].dt.strftime("%Y-%m-%d %H:%M"),
    channel=oldest["channel"].map(lambda c: tr.label("channel", c)),
    topic=oldest["topic"].map(lambda t: tr.label("topic", t)),
)
ui.pages_table(
    oldest,
    {
        "received_at": ("col.received_utc", "text"),
        "age_wd": ("col.age_wd", "num1"),
        "channel": ("col.channel", "text"),
        "topic": ("col.topic", "text"),
        "inquiry_id": ("col.inquiry_id", "text"),
    },
    tr,
    mine,
)
