"""Pure computations behind the pages: series shapes, movers, alerts, responsiveness by week, coverage funnel."""

import datetime as dt

import numpy as np
import pandas as pd

# The suspicious jumps and silent pages are the alerts' own rules (etl/metrics/alerts.py), shown here as they stand.
from etl.metrics.alerts import silent as silent
from etl.metrics.responsiveness.sums import summarise, summarise_parts
from etl.settings import get_settings

TOP_SERIES = 10
STAGES = ("required", "existing", "verified", "active", "answering")
WHO = ("owner", "press_service", "other", "nobody")


def top_series(df: pd.DataFrame, other: str, n: int = TOP_SERIES) -> pd.DataFrame:
    """Keep the `n` series (`name`) largest on the last day; sum the rest into one series named `other`."""
    last = df[df["day"] == df["day"].max()].groupby("name")["value"].sum().sort_values(ascending=False)
    if len(last) <= n + 1:
        return df
    keep = list(last.index[:n])
    rest = df[~df["name"].isin(keep)].groupby("day", as_index=False)["value"].sum().assign(name=other)
    out = pd.concat([df[df["name"].isin(keep)], rest], ignore_index=True)
    order = {name: i for i, name in enumerate([*keep, other])}
    return out.sort_values(["name", "day"], key=lambda s: s.map(order) if s.name == "name" else s)


def reshape(df: pd.DataFrame, mode: str, population: pd.Series | None = None) -> pd.DataFrame:
    """Followers per series (`day`, `name`, `value`) as absolute, indexed to 100 on the first day, or per 1,000."""
    if mode == "index":
        first = df.sort_values("day").groupby("name")["value"].transform("first")
        return df.assign(value=(df["value"] / first.where(first > 0) * 100).round(1))
    if mode == "per1000":
        pop = df["name"].map(population) if population is not None else np.nan
        return df.assign(value=(df["value"] / pd.Series(pop, index=df.index).where(lambda p: p > 0) * 1000).round(2))
    return df


def weekly_net(df: pd.DataFrame) -> pd.DataFrame:
    """Net new followers per week (weeks starting Monday) per series from daily counts (`day`, `name`, `value`)."""
    if df.empty:
        return pd.DataFrame(columns=["week", "name", "value"])
    wide = df.pivot_table(index="day", columns="name", values="value", aggfunc="sum", sort=False)
    weekly = wide.resample("W-MON", label="left", closed="left").last()
    net = weekly.diff()
    net.iloc[0] = weekly.iloc[0] - wide.iloc[0]
    out = net.reset_index(names="week").melt(id_vars="week", var_name="name", value_name="value")
    return out.dropna(subset=["value"])


def movers(table: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The `n` largest growths and `n` largest drops of followers in % (`name`, `value`), without duplicates."""
    rated = table.dropna(subset=["growth_pct"]).sort_values("growth_pct", ascending=False)
    picked = pd.concat([rated.head(n), rated.tail(n)]).drop_duplicates("territory_code")
    return pd.DataFrame({"name": picked["territory_name"], "value": picked["growth_pct"], "abs": picked["growth_abs"]})


def under_target(pages: pd.DataFrame, target: float) -> pd.DataFrame:
    """Pages whose (rated) response rate is below the target, worst first."""
    low = pages[pages["response_rate_pct"].notna() & (pages["response_rate_pct"] < target)]
    return low.sort_values(["response_rate_pct", "inquiries"], ascending=[True, False])


def week_of(days: pd.Series) -> pd.Series:
    """The Monday starting each day's week."""
    days = pd.to_datetime(days).dt.normalize()
    return pd.Series(days - pd.to_timedelta(days.dt.day_of_week, unit="D"), index=days.index)


def month_of(days: pd.Series) -> pd.Series:
    """The first day of each day's month."""
    return pd.Series(pd.to_datetime(days).dt.to_period("M").dt.to_timestamp(), index=days.index)


def grain(days: pd.Series, min_sample: int, counts: pd.Series | None = None) -> str:
    """The week when four weeks in five have at least `min_sample` events (one per day given, or `counts` of each),
    else the month (small pages and places: weekly rates below the minimum sample would be empty)."""
    if counts is not None:
        days = days[counts.to_numpy() > 0]
        counts = counts[counts.to_numpy() > 0]
    if days.empty:
        return "week"
    weeks = week_of(pd.Series(pd.to_datetime(days).to_numpy()))
    every = pd.date_range(weeks.min(), weeks.max(), freq="7D")
    weights = pd.Series(1 if counts is None else counts.to_numpy(), index=weeks.index)
    per_week = weights.groupby(weeks.to_numpy()).sum().reindex(every, fill_value=0)
    return "week" if per_week.quantile(0.2) >= min_sample else "month"


def bucket(days: pd.Series, grain: str) -> pd.Series:
    """The day, week (Monday) or month (first day) of each day."""
    if grain == "day":
        return pd.Series(pd.to_datetime(days).dt.normalize().to_numpy(), index=days.index, name=days.name)
    return week_of(days) if grain == "week" else month_of(days)


def engagement(days: pd.DataFrame, grain: str, min_posts: int) -> pd.DataFrame:
    """Interactions per post as % of the followers on the day of each post, per week or month, from daily rows;
    empty where there were fewer than `min_posts` posts."""
    frame = days.assign(week=bucket(days["day"], grain), audience=days["posts"] * days["followers"])
    sums = frame.groupby("week", as_index=False).agg(
        posts=("posts", "sum"), interactions=("interactions", "sum"), audience=("audience", "sum")
    )
    rate = sums["interactions"] / sums["audience"].where(sums["audience"] > 0)
    return sums.assign(value=(rate * 100).where(sums["posts"] >= min_posts).round(2))[["week", "value"]]


def responsiveness(inq: pd.DataFrame, by: list[str], min_sample: int) -> pd.DataFrame:
    """Inquiries, answered, response rate, reply median and p90 (calendar and working) and the share answered
    within the deadline per group `by`, by the responsiveness engine's rules (empty below the minimum sample)."""
    conf = get_settings().model_copy(update={"min_sample_inquiries": min_sample})
    if inq.empty:
        return pd.DataFrame(columns=[*by, *_RENAMED.values(), "inquiries", "answered", "backlog_open"])
    return summarise(inq, by, conf).rename(columns=_RENAMED)


def summary(sums: pd.DataFrame, times: pd.DataFrame, by: list[str], min_sample: int) -> pd.DataFrame:
    """`responsiveness` per group `by` from the counts and reply times of `queries.responsiveness`."""
    conf = get_settings().model_copy(update={"min_sample_inquiries": min_sample})
    return summarise_parts(sums, times, by, conf).rename(columns=_RENAMED)


_RENAMED = {
    "reply_median_min": "median_min",
    "reply_p90_min": "p90_min",
    "reply_median_work_min": "median_work",
    "reply_p90_work_min": "p90_work",
    "within_deadline_pct": "within_pct",
}


def who_answers(inq: pd.DataFrame, by: str, min_sample: int = 1) -> pd.DataFrame:
    """Share in % of the judged inquiries answered by the official, the press service, someone else, or nobody, per
    `by`; groups with fewer than `min_sample` judged inquiries are left out."""
    inq = inq[inq["mature"].astype(bool)]
    who = inq["replied_by"].astype("str").where(inq["first_reply_at"].notna(), "nobody").fillna("other")
    who = who.where(who.isin(WHO), "other")
    return _shares(pd.crosstab(inq[by], who).reindex(columns=list(WHO), fill_value=0), min_sample)


def who_answers_counted(sums: pd.DataFrame, by: str, min_sample: int = 1) -> pd.DataFrame:
    """`who_answers` per `by` from the counts of `queries.responsiveness` (an unstated answerer is someone else)."""
    c = sums.groupby(by, observed=True)[
        ["judged", "judged_answered", "answered_owner", "answered_press_service", "answered_other", "answered_unstated"]
    ].sum()
    counts = pd.DataFrame(
        {
            "owner": c["answered_owner"],
            "press_service": c["answered_press_service"],
            "other": c["answered_other"] + c["answered_unstated"],
            "nobody": c["judged"] - c["judged_answered"],
        }
    )
    return _shares(counts.rename_axis(None), min_sample)


def _shares(counts: pd.DataFrame, min_sample: int = 1) -> pd.DataFrame:
    """Each row's counts per answerer as % shares, long: name, who, share; rows below `min_sample` left out."""
    counts = counts[counts.sum(axis=1) >= max(min_sample, 1)]
    shares = counts.div(counts.sum(axis=1), axis=0) * 100
    return shares.round(1).reset_index(names="name").melt(id_vars="name", var_name="who", value_name="share")


def funnel(required: pd.DataFrame, pages: pd.DataFrame) -> pd.DataFrame:
    """Each required page's stage flags: it exists (is in the period's page rows), is verified, active, answering.

    `required`: registry rows of the required pages (`id`); `pages`: the KPI table's page rows with `id`."""
    flags = required[["id"]].merge(pages[["id", "verified", "active", "answered"]], on="id", how="left")
    out = required.assign(existing=flags["id"].isin(pages["id"]).to_numpy())
    out["verified"] = out["existing"] & (flags["verified"].fillna(0).to_numpy() == 1)
    out["active"] = out["verified"] & (flags["active"].fillna(0).to_numpy() == 1)
    out["answering"] = out["active"] & (flags["answered"].fillna(0).to_numpy() > 0)
    return out.assign(required=True)


def funnel_counts(flags: pd.DataFrame) -> pd.DataFrame:
    """Pages at each stage of the funnel."""
    return pd.DataFrame({"stage": list(STAGES), "count": [int(flags[s].sum()) for s in STAGES]})


# A day is complete when at least this share of the scope's pages reported on it, of the most that reported on the
# same weekday in the WEEKS before (weekly deliveries compare with their own weekday), or, when those have nothing,
# on any of the 7 days before it (docs/metrics.md, "Complete days").
COMPLETE_SHARE = 0.5
WEEKS = 4


def complete_day(daily: pd.Series) -> dt.date:
    """The last complete day of pages reporting per day (`daily`, every day up to the last, WEEKS + 1 weeks or
    more); the last day when none is."""
    week = dt.timedelta(days=7)
    for day in reversed(daily.index[7 * WEEKS :]):
        usual = max(int(daily[day - k * week]) for k in range(1, WEEKS + 1))
        usual = usual or int(daily[day - week : day - dt.timedelta(days=1)].max())
        if daily[day] > 0 and daily[day] >= COMPLETE_SHARE * usual:
            return day
    return daily.index[-1]
