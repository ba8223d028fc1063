"""Timing loaded inquiries on their page's working clock, and keeping each delivery's data time."""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection

from etl.ingest.transform import Context
from etl.metrics.responsiveness.timing import reply_timing
from etl.metrics.worktime import Clocks
from etl.settings import get_settings
from etl.store.histograms import mark_accounts, mark_regions
from etl.store.models import REGION
from etl.store.scope import utc_times

UNTIMED = "first_reply_at IS NOT NULL AND work_min IS NULL"


@dataclass(frozen=True)
class Timing:
    """Times answered inquiries on their page's working clock as they are loaded."""

    clocks: Clocks
    territory_of: pd.Series

    @classmethod
    def load(cls, conn: Connection, ctx: Context) -> "Timing":
        """The clocks in the database and each page's territory in the validation context."""
        territory_of = ctx.accounts.set_index("account_pk")["territory_code"]
        return cls(Clocks.load(conn, get_settings().data_dir), territory_of)

    def add(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Validated inquiry rows with their working minutes and working days to the first reply."""
        answered = rows["first_reply_at"].notna()
        work, days = pd.Series(np.nan, index=rows.index), pd.Series(np.nan, index=rows.index)
        if answered.any():
            part = rows[answered]
            territory = part["account_pk"].map(self.territory_of)
            work[answered], days[answered] = reply_timing(
                part["received_at"], part["first_reply_at"], territory, self.clocks
            )
        return rows.assign(work_min=work, work_days=days.astype("Int64"))


def time_untimed(conn: Connection, clocks: Clocks | None = None, batch: int = 200_000) -> int:
    """Time the answered inquiries stored without timing (an older database, a changed clock); how many. Their
    regions' reply histograms are counted again by the next rollup refresh."""
    if conn.execute(text(f"SELECT 1 FROM inquiry WHERE {UNTIMED} LIMIT 1")).first() is None:
        return 0
    mark_regions(
        conn,
        f"SELECT {REGION} AS region_code, i.received_on AS day FROM inquiry i "
        "JOIN account a ON a.id = i.account_pk JOIN territory t ON t.code = a.territory_code "
        f"WHERE {UNTIMED.replace('first', 'i.first')}",
    )
    clocks = clocks or Clocks.load(conn, get_settings().data_dir)
    done, after = 0, (-1, "")
    columns = ["account_pk", "inquiry_id", "territory_code", "received_at", "first_reply_at"]
    while True:
        found = conn.execute(
            text(
                "SELECT i.account_pk, i.inquiry_id, a.territory_code, i.received_at, i.first_reply_at "
                f"FROM inquiry i JOIN account a ON a.id = i.account_pk WHERE {UNTIMED.replace('first', 'i.first')} "
                "AND (i.account_pk > :a OR (i.account_pk = :a AND i.inquiry_id > :i)) "
                "ORDER BY i.account_pk, i.inquiry_id LIMIT :n"
            ),
            {"a": after[0], "i": after[1], "n": batch},
        )
        rows = pd.DataFrame([tuple(r) for r in found], columns=columns)
        if rows.empty:
            return done
        after = (int(rows["account_pk"].iloc[-1]), str(rows["inquiry_id"].iloc[-1]))
        received, replied = utc_times(rows["received_at"]), utc_times(rows["first_reply_at"])
        work, days = reply_timing(received, replied, rows["territory_code"], clocks)
        values = zip(
            work.astype(object).where(work.notna(), None).tolist(),
            days.astype("Int64").astype(object).where(days.notna(), None).tolist(),
            rows["account_pk"].tolist(),
            rows["inquiry_id"].tolist(),
            strict=True,
        )
        conn.execute(
            text("UPDATE inquiry SET work_min = :w, work_days = :d WHERE account_pk = :a AND inquiry_id = :i"),
            [{"w": w, "d": d, "a": a, "i": i} for w, d, a, i in values],
        )
        done += len(rows)


def retime(conn: Connection, clocks: Clocks | None = None) -> int:
    """Time every answered inquiry again (after schedules.csv changed); how many."""
    conn.execute(text("UPDATE inquiry SET work_min = NULL, work_days = NULL WHERE work_min IS NOT NULL"))
    return time_untimed(conn, clocks)


def untime(conn: Connection, accounts_sql: str) -> bool:
    """Forget the timing of the inquiries of the accounts `accounts_sql` selects (their clock changed); any? Their
    days are counted again in the histograms once they are timed again."""
    mark_accounts(
        conn,
        f"SELECT account_pk, received_on AS day FROM inquiry WHERE account_pk IN ({accounts_sql}) "
        "AND first_reply_at IS NOT NULL",
    )
    found = conn.execute(
        text(f"UPDATE inquiry SET work_min = NULL, work_days = NULL WHERE account_pk IN ({accounts_sql})")
    )
    return bool(found.rowcount)


def record_data_times(conn: Connection, stage: str | None = None) -> None:
    """Raise each delivery's latest time to the staged inquiries' (without `stage`: work them all out again)."""
    source = stage or "inquiry"
    latest = "CASE WHEN s.first_reply_at > s.received_at THEN s.first_reply_at ELSE s.received_at END"
    delivery = REGION
    greatest = "max" if conn.dialect.name == "sqlite" else "greatest"
    if stage is None:
        conn.execute(text("DELETE FROM datatime"))
    conn.execute(
        text(
            f"INSERT INTO datatime (delivery, latest) SELECT {delivery}, max({latest}) FROM {source} s "
            f"JOIN account a ON a.id = s.account_pk JOIN territory t ON t.code = a.territory_code "
            f"WHERE true GROUP BY {delivery} "
            f"ON CONFLICT (delivery) DO UPDATE SET latest = {greatest}(datatime.latest, excluded.latest)"
        )
    )
