"""Reply-time histograms kept up to date by every load: each region's answered inquiries per day of receipt,
platform and owner role, counted per log bucket of their calendar and working reply minutes (ReplyHistogram), and
its inquiries counted (ReplyCount, etl/store/replycounts.py). A file's new and changed inquiries move in them as it
is written; what changes many at once (a first load, timing again, moves) is queued as days of regions (ReplyDirty)
and counted again by the rollup refresh."""

from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection

from etl.settings import get_settings
from etl.store.models import REGION
from etl.store.replycounts import FACTS, add_changes, count_inquiries, counts_stale, write_counts
from etl.store.scope import add_counts, replace_counts
from etl.store.sketch import buckets

# The histogram's units: the column of an inquiry's reply minutes each counts.
UNITS = {"reply": "reply_min", "work": "work_min"}
KEY = ["region_code", "day", "platform", "owner_role", "unit", "bucket"]
# An inquiry's `FACTS` as read from inquiry `i`.
FACTS_SQL = "i.first_reply_at IS NOT NULL AS replied, i.replied_by, i.reply_min, i.work_min, i.work_days"
# A region with up to this many days to count again reads them day by day through the pages' (account, day)
# index; with more, the range between its first and last day.
FEW_DAYS = 8
# A file bringing more new or changed inquiries than this (a first load) has their days queued for the refresh, which
# counts them region by region. Fewer are counted where they are, read and counted `CHUNK` at a time (memory holds
# their counts, not them): a night's delivery for every page of a country (about 100,000 inquiries for 200,000 pages,
# most of them replies to older ones) moves only its own inquiries, where the refresh would read every inquiry of
# their days again (at four months of history, 43 s of an 88 s load when one such delivery was queued).
MANY_CHANGES = 1_000_000
CHUNK = 50_000
BY = ["region_code", "day", "platform", "owner_role"]


def mark_regions(conn: Connection, select_sql: str, **params: Any) -> None:
    """Queue days of regions whose histograms must be counted again; `select_sql` yields (region_code, day)."""
    conn.execute(
        text(
            "INSERT INTO replydirty (region_code, day) SELECT DISTINCT region_code, day FROM "
            f"({select_sql}) q WHERE region_code IS NOT NULL AND day IS NOT NULL "
            "ON CONFLICT (region_code, day) DO NOTHING"
        ),
        params,
    )


def mark_accounts(conn: Connection, select_sql: str, **params: Any) -> None:
    """Queue the days `select_sql` yields (account_pk, day) in the region each account is in now."""
    mark_regions(
        conn,
        f"SELECT {REGION} AS region_code, q.day FROM ({select_sql}) q JOIN account a ON a.id = q.account_pk "
        "JOIN territory t ON t.code = a.territory_code",
        **params,
    )


def mark_everything(conn: Connection) -> None:
    """Queue every day of every region: those the inquiries are in now, and those the histograms and counts hold."""
    mark_regions(
        conn,
        f"SELECT {REGION} AS region_code, i.received_on AS day FROM inquiry i JOIN account a ON a.id = i.account_pk "
        "JOIN territory t ON t.code = a.territory_code "
        "UNION SELECT region_code, day FROM replyhistogram UNION SELECT region_code, day FROM replycount",
    )


class Counted(NamedTuple):
    """Inquiries counted per region, day, platform and owner role: histogram buckets (`count_buckets`) and counts
    (`count_inquiries`), in parts whose rows of one key add up."""

    buckets: pd.DataFrame
    counts: pd.DataFrame


def note_changes(conn: Connection, keys_sql: str) -> Counted | None:
    """Before a file's inquiries are written: keep the keys (account_pk, inquiry_id) of those `keys_sql` yields that
    are new or change, and return those of them stored now counted, as the histograms and counts count them; None
    when they are too many (`MANY_CHANGES`): their days as stored now are queued instead."""
    conn.execute(text("DROP TABLE IF EXISTS reply_changed"))
    conn.execute(
        text(
            "CREATE TEMPORARY TABLE reply_changed (account_pk INTEGER, inquiry_id TEXT, "
            "PRIMARY KEY (account_pk, inquiry_id))"
        )
    )
    conn.execute(text(f"INSERT INTO reply_changed (account_pk, inquiry_id) {keys_sql}"))
    if conn.execute(text("SELECT count(*) FROM reply_changed")).scalar_one() > MANY_CHANGES:
        _mark_changed(conn)
        return None
    return _changed_counts(conn)


def apply_changes(conn: Connection, before: Counted | None) -> None:
    """After the file's inquiries are written: count them in the histograms and counts, less what they counted
    `before` (`note_changes`): a delivery's new and newly answered inquiries change a few rows of a few days. Too
    many (`before` None): the days they are in now are queued as well."""
    if before is None:
        _mark_changed(conn)
        conn.execute(text("DROP TABLE reply_changed"))
        return
    now, then = _changed_counts(conn), before
    conn.execute(text("DROP TABLE reply_changed"))
    # Counts kept for another deadline are counted again whole by the refresh: no change is added to them.
    if not counts_stale(conn, get_settings().deadline):
        add_changes(conn, now.counts, then.counts)
    delta = pd.concat([now.buckets, then.buckets.assign(inquiries=-then.buckets["inquiries"])])
    delta = delta.groupby(KEY, as_index=False, sort=False).agg(inquiries=("inquiries", "sum"))
    delta = delta[delta["inquiries"] != 0]
    if len(delta):
        add_counts(conn, "replyhistogram", KEY, ["inquiries"], delta)


def _mark_changed(conn: Connection) -> None:
    """Queue the days of regions the stored inquiries of reply_changed are counted in."""
    mark_regions(
        conn,
        f"SELECT {REGION} AS region_code, i.received_on AS day FROM reply_changed c JOIN inquiry i "
        "ON i.account_pk = c.account_pk AND i.inquiry_id = c.inquiry_id JOIN account a ON a.id = i.account_pk "
        "JOIN territory t ON t.code = a.territory_code",
    )


def _changed_counts(conn: Connection) -> Counted:
    """The stored inquiries of reply_changed counted, `CHUNK` at a time."""
    found = conn.execute(
        text(
            f"SELECT {REGION} AS region_code, i.received_on, a.platform, a.owner_role, {FACTS_SQL} "
            "FROM reply_changed c JOIN inquiry i ON i.account_pk = c.account_pk AND i.inquiry_id = c.inquiry_id "
            "JOIN account a ON a.id = i.account_pk JOIN territory t ON t.code = a.territory_code"
        )
    )
    settings = get_settings()
    parts = []
    while True:
        # Objects: text converted to pandas' own string arrays costs more than the rest for a few thousand rows.
        replies = pd.DataFrame(found.cursor.fetchmany(CHUNK), columns=[*BY, *FACTS], dtype="object")
        parts.append(Counted(count_buckets(replies, BY), count_inquiries(replies, BY, settings)))
        if len(replies) < CHUNK:
            break
    found.close()
    return Counted(*(pd.concat(frames, ignore_index=True) for frames in zip(*parts, strict=True)))


def histograms_behind(conn: Connection) -> bool:
    """Whether days of a region's histograms wait to be counted again."""
    return conn.execute(text("SELECT 1 FROM replydirty LIMIT 1")).first() is not None


def refresh_histograms(conn: Connection) -> None:
    """Count the inquiries of the queued days of regions again into ReplyHistogram and ReplyCount, one region at a
    time (its rows written once, memory holding one region's inquiries)."""
    settings = get_settings()
    if counts_stale(conn, settings.deadline):
        # The deadline setting changed: every day is counted again for the new one.
        conn.execute(text("DELETE FROM replycount"))
        mark_everything(conn)
    regions = [r for (r,) in conn.execute(text("SELECT DISTINCT region_code FROM replydirty ORDER BY 1"))]
    if not regions:
        return
    # The queued regions' pages, found in one pass over the registry (a region is no column of its own).
    conn.execute(text("DROP TABLE IF EXISTS reply_todo"))
    conn.execute(
        text(
            "CREATE TEMPORARY TABLE reply_todo (region_code TEXT, account_pk INTEGER, "
            "PRIMARY KEY (region_code, account_pk))"
        )
    )
    conn.execute(
        text(
            "INSERT INTO reply_todo (region_code, account_pk) SELECT DISTINCT q.region_code, a.id FROM account a "
            f"JOIN territory t ON t.code = a.territory_code JOIN replydirty q ON q.region_code = {REGION}"
        )
    )
    queued = "SELECT day FROM replydirty WHERE region_code = :r"
    for region in regions:
        days = [d for (d,) in conn.execute(text(f"{queued} ORDER BY day"), {"r": region})]
        # CROSS JOIN keeps SQLite on the (account, day) index of the inquiries: the region's pages first, then
        # each queued day (a few), or the days from the first queued to the last (many).
        if len(days) <= FEW_DAYS:
            on_days, params = f"i.received_on IN ({queued})", {"r": region}
        else:
            on_days = f"i.received_on BETWEEN :first AND :last AND i.received_on IN ({queued})"
            params = {"r": region, "first": days[0], "last": days[-1]}
        found = conn.execute(
            text(
                f"SELECT a.platform, a.owner_role, i.received_on, {FACTS_SQL} FROM reply_todo r "
                "CROSS JOIN inquiry i JOIN account a ON a.id = r.account_pk WHERE r.region_code = :r "
                f"AND i.account_pk = r.account_pk AND {on_days}"
            ),
            params,
        )
        # Objects: text converted to pandas' own string arrays costs more than the rest for a few thousand rows.
        columns = ["platform", "owner_role", "day", *FACTS]
        inquiries = pd.DataFrame(found.cursor.fetchall(), columns=columns, dtype="object")
        found.close()
        by = ["day", "platform", "owner_role"]
        _write(conn, region, queued, count_buckets(inquiries, by).assign(region_code=region))
        write_counts(conn, region, queued, count_inquiries(inquiries, by, settings).assign(region_code=region))
    conn.execute(text("DROP TABLE reply_todo"))
    conn.execute(text("DELETE FROM replydirty"))


def count_buckets(replies: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Answered inquiries (`reply_min`, `work_min`; an untimed one's working minutes missing, an unanswered one's
    both) counted per group of `by`, unit and bucket."""
    parts = []
    for unit, column in UNITS.items():
        minutes = pd.to_numeric(replies[column]).astype("float64")
        timed = minutes.notna().to_numpy()
        parts.append(replies.loc[timed, by].assign(unit=unit, bucket=buckets(minutes.to_numpy()[timed])))
    long = pd.concat(parts, ignore_index=True)
    return long.groupby([*by, "unit", "bucket"], sort=False).size().rename("inquiries").reset_index()


def _write(conn: Connection, region: str, queued: str, counted: pd.DataFrame) -> None:
    """Make the region's rows of its queued days (`queued` selects them) those `counted`."""
    where = f"region_code = :r AND day IN ({queued})"
    replace_counts(conn, "replyhistogram", KEY, ["inquiries"], where, {"r": region}, counted)
