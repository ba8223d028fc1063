"""Timing inquiries on the working clock: reply minutes, the deadline's verdict, the backlog age."""

import numpy as np
import pandas as pd

from etl.metrics.responsiveness.cutoffs import cutoffs_at
from etl.metrics.worktime import Clocks, Deadline, backlog_bucket

TIMED_COLUMNS = [
    "key",
    "account_pk",
    "inquiry_id",
    "territory_code",
    "region_code",
    "district_code",
    "platform",
    "owner_role",
    "channel",
    "post_id",
    "topic",
    "received_at",
    "received_on",
    "week",
    "first_reply_at",
    "replied_by",
    "answerer",
    "reply_min",
    "work_min",
    "as_of",
    "met",
    "mature",
    "age_wd",
    "backlog",
]


def reply_timing(
    received_utc: pd.Series, replied_utc: pd.Series, territory: pd.Series, clocks: Clocks
) -> tuple[pd.Series, pd.Series]:
    """Working minutes and whole working days from receipt to first reply (NaN when unanswered): the stored timing."""
    if received_utc.empty:
        empty = pd.Series(np.nan, index=received_utc.index)
        return empty, empty.copy()
    return (
        clocks.working_minutes(received_utc, replied_utc, territory),
        clocks.working_days_between(received_utc, replied_utc, territory),
    )


def time_rows(rows: pd.DataFrame, deadline: Deadline, clocks: Clocks) -> pd.DataFrame:
    """Inquiry rows with calendar and working reply minutes, the deadline's verdict and the backlog age."""
    received, replied, territory = rows["received_at"], rows["first_reply_at"], rows["territory_code"]
    answered = replied.notna()
    rows["week"] = rows["received_on"] - pd.to_timedelta(rows["received_on"].dt.day_of_week, unit="D")
    rows["answerer"] = rows["replied_by"].where(rows["replied_by"].notna(), "unstated").where(answered)
    elapsed = (replied - received).dt.total_seconds() / 60
    rows["reply_min"] = pd.to_numeric(rows["stored_reply_min"]).astype("float64").fillna(elapsed)
    work = pd.to_numeric(rows["stored_work_min"]).astype("float64")
    days = pd.to_numeric(rows["stored_work_days"]).astype("float64")
    # Timing is stored at load; only inquiries whose clock changed since (or loaded before that) are timed here.
    untimed = answered & (work.isna() | days.isna())
    if untimed.any():
        work[untimed], days[untimed] = reply_timing(received[untimed], replied[untimed], territory[untimed], clocks)
    rows["work_min"] = work
    within = deadline.within_timed(rows["reply_min"], work, days).to_numpy()
    met = pd.arrays.BooleanArray(within == 1.0, np.isnan(within))
    open_ = (~answered).to_numpy()
    rows["age_wd"] = np.nan
    if open_.any():
        waiting = rows[open_]
        judged = clocks.deadline_met(
            waiting["received_at"], waiting["first_reply_at"], waiting["territory_code"], deadline, waiting["as_of"]
        )
        met[open_] = judged.array
        age = clocks.backlog_age_working_days(waiting["received_at"], waiting["as_of"], waiting["territory_code"])
        rows.loc[open_, "age_wd"] = age.to_numpy()
    rows["met"] = met
    rows["mature"] = mature(rows, deadline, clocks)
    rows["backlog"] = backlog_bucket(rows["age_wd"])
    return rows[TIMED_COLUMNS]


def mature(rows: pd.DataFrame, deadline: Deadline, clocks: Clocks) -> pd.Series:
    """Whether each inquiry is old enough to judge: its deadline has passed at its as-of time, answered or not."""
    if rows.empty:
        return pd.Series(False, index=rows.index)
    timed = rows.dropna(subset=["as_of"])
    spans = timed.groupby("territory_code", sort=False).agg(as_of=("as_of", "max"), first=("received_at", "min"))
    if spans.empty:
        return pd.Series(False, index=rows.index)
    cut = cutoffs_at(spans.reset_index(), deadline, clocks)
    limit = rows["territory_code"].map(cut.groupby(level=0).max())
    return (rows["received_at"] <= limit).fillna(False).astype(bool)
