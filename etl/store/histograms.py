"""Reply-time histograms kept up to date by every load: each region's answered inquiries per day of receipt,
platform and owner role, counted per log bucket of their calendar and working reply minutes (ReplyHistogram)."""

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection

from etl.store.models import REGION
from etl.store.scope import insert_frame
from etl.store.sketch import buckets

# A region queued from this day is counted again over its whole history.
EVERY_DAY = dt.date(1900, 1, 1)
# The histogram's units: the column of an inquiry's reply minutes each counts.
UNITS = {"reply": "reply_min", "work": "work_min"}
KEY = ["region_code", "day", "platform", "owner_role", "unit", "bucket"]


def mark_regions(conn: Connection, select_sql: str, **params: Any) -> None:
    """Queue regions for their histograms to be counted again from a day on; `select_sql` yields (region_code,
    from_day)."""
    least = "min" if conn.dialect.name == "sqlite" else "least"
    conn.execute(
        text(
            "INSERT INTO replydirty (region_code, from_day) SELECT region_code, min(from_day) FROM "
            f"({select_sql}) q WHERE region_code IS NOT NULL GROUP BY region_code ON CONFLICT (region_code) "
            f"DO UPDATE SET from_day = {least}(replydirty.from_day, excluded.from_day)"
        ),
        params,
    )


def mark_accounts(conn: Connection, select_sql: str, **params: Any) -> None:
    """Queue the regions of the accounts `select_sql` yields (account_pk, from_day), each from its earliest day."""
    mark_regions(
        conn,
        f"SELECT {REGION} AS region_code, q.from_day FROM ({select_sql}) q JOIN account a ON a.id = q.account_pk "
        "JOIN territory t ON t.code = a.territory_code",
        **params,
    )


def mark_everything(conn: Connection) -> None:
    """Queue every region, those of the territories and those the histograms hold, over their whole history."""
    mark_regions(
        conn,
        f"SELECT {REGION} AS region_code, :d AS from_day FROM territory t UNION "
        "SELECT DISTINCT region_code, :d FROM replyhistogram",
        d=EVERY_DAY,
    )


def histograms_behind(conn: Connection) -> bool:
    """Whether a region's histograms wait to be counted again."""
    return conn.execute(text("SELECT 1 FROM replydirty LIMIT 1")).first() is not None


def refresh_histograms(conn: Connection) -> None:
    """Count the queued regions' answered inquiries again from their from_day into ReplyHistogram, one region at a
    time (so that its rows are written once, and memory holds one region's replies)."""
    queued = conn.execute(text("SELECT region_code, from_day FROM replydirty ORDER BY region_code")).all()
    for region, day in queued:
        conn.execute(text("DELETE FROM replyhistogram WHERE region_code = :r AND day >= :d"), {"r": region, "d": day})
        # CROSS JOIN keeps SQLite on the (account, day) index of the inquiries: the region's pages first.
        found = conn.execute(
            text(
                "SELECT a.platform, a.owner_role, i.received_on, i.reply_min, i.work_min FROM territory t "
                "JOIN account a ON a.territory_code = t.code CROSS JOIN inquiry i "
                f"WHERE {REGION} = :r AND i.account_pk = a.id AND i.received_on >= :d "
                "AND i.first_reply_at IS NOT NULL"
            ),
            {"r": region, "d": day},
        )
        replies = pd.DataFrame(found.cursor.fetchall(), columns=["platform", "owner_role", "day", *UNITS.values()])
        found.close()
        counted = count_buckets(replies, ["day", "platform", "owner_role"]).assign(region_code=region)
        if len(counted):
            insert_frame(conn, "replyhistogram", counted[[*KEY, "inquiries"]])
    conn.execute(text("DELETE FROM replydirty"))


def count_buckets(replies: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Answered inquiries (`reply_min`, `work_min`; an untimed one's working minutes missing) counted per group of
    `by`, unit and bucket."""
    parts = []
    for unit, column in UNITS.items():
        minutes = pd.to_numeric(replies[column]).astype("float64")
        timed = minutes.notna().to_numpy()
        parts.append(replies.loc[timed, by].assign(unit=unit, bucket=buckets(minutes.to_numpy()[timed])))
    long = pd.concat(parts, ignore_index=True)
    return long.groupby([*by, "unit", "bucket"], sort=False).size().rename("inquiries").reset_index()
