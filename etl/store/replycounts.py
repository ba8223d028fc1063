"""Inquiry counts kept with the reply histograms (ReplyCount): per region, day of receipt, platform and owner role,
how many inquiries came, were answered, within the `deadline` setting, and by whom. A region's or a country's
responsiveness over its judged days is then a sum of a few thousand rows instead of a pass over its inquiries."""

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection

from etl.settings import Settings
from etl.store.scope import add_counts, replace_counts

# Who answered: the page's owner, its press service, someone else, or not stated (no `replied_by`).
ANSWERERS = ("owner", "press_service", "other", "unstated")
COUNTS = ["inquiries", "answered", "met", "decided", "untimed", *(f"answered_{who}" for who in ANSWERERS)]
KEY = ["deadline", "region_code", "day", "platform", "owner_role"]
# What each inquiry brings to the counts: whether answered, by whom, and its reply minutes on each clock.
FACTS = ["replied", "replied_by", "reply_min", "work_min", "work_days"]


def count_inquiries(rows: pd.DataFrame, by: list[str], settings: Settings) -> pd.DataFrame:
    """Inquiries (`FACTS` columns) counted per group of `by` for the settings' deadline."""
    reply, work, days = (pd.to_numeric(rows[c]).astype("float64") for c in ("reply_min", "work_min", "work_days"))
    within = settings.deadline_rule.within_timed(reply, work, days)
    answered = rows["replied"].astype(bool)
    flags = {
        "inquiries": pd.Series(True, index=rows.index),
        "answered": answered,
        "met": answered & within.eq(1),
        "decided": answered & within.notna(),
        "untimed": answered & (work.isna() | days.isna()),
        **{f"answered_{who}": answered & rows["replied_by"].eq(who) for who in ANSWERERS[:-1]},
        "answered_unstated": answered & rows["replied_by"].isna(),
    }
    counted = rows[by].assign(**{name: flag.astype("int64") for name, flag in flags.items()})
    return counted.groupby(by, as_index=False, sort=False)[COUNTS].sum().assign(deadline=settings.deadline)


def counts_stale(conn: Connection, deadline: str) -> bool:
    """Whether counts for another deadline are kept (the setting changed since they were counted)."""
    found = conn.execute(
        text("SELECT 1 FROM replycount WHERE deadline < :d OR deadline > :d LIMIT 1"), {"d": deadline}
    ).first()
    return found is not None


def add_changes(conn: Connection, now: pd.DataFrame, then: pd.DataFrame) -> None:
    """Add counted changes to ReplyCount: `count_inquiries` of the rows as they are `now`, less as they were `then`."""
    delta = pd.concat([now, then.assign(**{c: -then[c] for c in COUNTS})])
    delta = delta.groupby(KEY, as_index=False, sort=False)[COUNTS].sum()
    delta = delta[delta[COUNTS].ne(0).any(axis=1)]
    if len(delta):
        add_counts(conn, "replycount", KEY, COUNTS, delta)


def write_counts(conn: Connection, region: str, queued: str, counted: pd.DataFrame) -> None:
    """Make the region's rows of its queued days (`queued` selects them) those `counted`."""
    replace_counts(conn, "replycount", KEY, COUNTS, f"region_code = :r AND day IN ({queued})", {"r": region}, counted)
