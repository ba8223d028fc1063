"""Inquiry counts kept with the reply histograms (ReplyCount): per region, day of receipt, platform and owner role,
how many inquiries came, were answered, within the `deadline` setting, and by whom. A region's or a country's
responsiveness over its judged days is then a sum of a few thousand rows instead of a pass over its inquiries."""

import re
from typing import Any

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection

from etl.settings import get_settings

ANSWERERS = ("owner", "press_service", "other")
COUNTS = [
    "inquiries",
    "answered",
    "met",
    "decided",
    "untimed",
    *(f"answered_{who}" for who in ANSWERERS),
    "answered_unstated",
]
KEY = ["deadline", "region_code", "day", "platform", "owner_role"]
# What each inquiry brings to the counts: whether answered, by whom, and its reply minutes on each clock.
FACTS = ["replied", "replied_by", "reply_min", "work_min", "work_days"]


def current_deadline() -> str:
    """The deadline the counts are kept for: the `deadline` setting as written ("8wh")."""
    return get_settings().deadline


def count_inquiries(rows: pd.DataFrame, by: list[str], deadline: str) -> pd.DataFrame:
    """Inquiries (`FACTS` columns) counted per group of `by` for `deadline` ("8wh", "24h", "1wd")."""
    found = re.fullmatch(r"([\d.]+)(wh|h|wd)", deadline)
    if found is None:
        raise ValueError(f"deadline {deadline!r} is not written as the settings write it")
    amount, unit = float(found[1]), found[2]
    numbers = {c: pd.to_numeric(rows[c]).astype("float64") for c in ("reply_min", "work_min", "work_days")}
    measure = numbers[{"wh": "work_min", "h": "reply_min", "wd": "work_days"}[unit]]
    within = measure < amount if unit == "wd" else measure <= amount * 60
    answered = rows["replied"].astype(bool)
    flags = {
        "inquiries": pd.Series(True, index=rows.index),
        "answered": answered,
        "met": answered & within,
        "decided": answered & measure.notna(),
        "untimed": answered & (numbers["work_min"].isna() | numbers["work_days"].isna()),
        **{f"answered_{who}": answered & rows["replied_by"].eq(who) for who in ANSWERERS},
        "answered_unstated": answered & rows["replied_by"].isna(),
    }
    counted = rows[by].assign(**{name: flag.astype("int64") for name, flag in flags.items()})
    return counted.groupby(by, as_index=False, sort=False)[COUNTS].sum().assign(deadline=deadline)


def counts_stale(conn: Connection, deadline: str) -> bool:
    """Whether counts for another deadline are kept (the setting changed since they were counted)."""
    found = conn.execute(
        text("SELECT 1 FROM replycount WHERE deadline < :d OR deadline > :d LIMIT 1"), {"d": deadline}
    ).first()
    return found is not None


def add_counts(conn: Connection, delta: pd.DataFrame) -> None:
    """Add counted changes (`count_inquiries` of the new rows, less that of the old) to ReplyCount."""
    delta = delta.groupby(KEY, as_index=False, sort=False)[COUNTS].sum()
    delta = delta[delta[COUNTS].ne(0).any(axis=1)]
    if delta.empty:
        return
    columns, mark = [*KEY, *COUNTS], param_mark(conn)
    sums = ", ".join(f"{c} = replycount.{c} + excluded.{c}" for c in COUNTS)
    conn.exec_driver_sql(
        f"INSERT INTO replycount ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))}) "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {sums}",
        plain_rows(delta, columns),
    )
    gone = delta[delta["inquiries"] < 0]
    if len(gone):
        match = " AND ".join(f"{k} = {mark}" for k in KEY)
        conn.exec_driver_sql(f"DELETE FROM replycount WHERE {match} AND inquiries = 0", plain_rows(gone, KEY))


def write_counts(conn: Connection, region: str, queued: str, counted: pd.DataFrame) -> None:
    """Make the region's rows of its queued days (`queued` selects them) those `counted`, writing only the rows
    that differ: a day's replies arriving change a few."""
    found = conn.execute(
        text(
            f"SELECT {', '.join(KEY)}, {', '.join(COUNTS)} FROM replycount WHERE region_code = :r AND day IN ({queued})"
        ),
        {"r": region},
    )
    stored = pd.DataFrame(found.cursor.fetchall(), columns=[*KEY, *COUNTS], dtype="object")
    found.close()
    both = stored.merge(counted, on=KEY, how="outer", suffixes=("_old", ""), indicator=True)
    gone = both[both["_merge"] == "left_only"]
    new = both[both["_merge"] != "left_only"]
    changed = new[_differs(new)]
    mark = param_mark(conn)
    if len(gone):
        match = " AND ".join(f"{k} = {mark}" for k in KEY)
        conn.exec_driver_sql(f"DELETE FROM replycount WHERE {match}", plain_rows(gone, KEY))
    if len(changed):
        columns = [*KEY, *COUNTS]
        update = ", ".join(f"{c} = excluded.{c}" for c in COUNTS)
        conn.exec_driver_sql(
            f"INSERT INTO replycount ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))}) "
            f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {update}",
            plain_rows(changed.astype(dict.fromkeys(COUNTS, "int64")), columns),
        )


def _differs(rows: pd.DataFrame) -> Any:
    """Per merged row, whether any count differs from the stored one (a new row differs from nothing)."""
    old = rows[[f"{c}_old" for c in COUNTS]].to_numpy(dtype="float64", na_value=-1)
    return (rows[COUNTS].to_numpy(dtype="float64") != old).any(axis=1)


def param_mark(conn: Connection) -> str:
    """The driver's parameter mark."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def plain_rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple[Any, ...]]:
    """A frame's columns as rows of plain values (text, days as the driver returned them, integers)."""
    return list(zip(*(frame[c].tolist() for c in columns), strict=True))
