"""Daily rollups kept up to date by every load: per account (followers carried forward) and per territory."""

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection

# Accounts rebuilt at a time: bounds memory (a batch is at most this many accounts × days of history).
BATCH_ACCOUNTS = 2_000
DAY_INDEXES = {"ix_accountday_day": ("accountday", "day"), "ix_territoryday_day": ("territoryday", "day")}
FACTS = ["posts", "likes", "comments", "shares", "views", "inquiries", "answered"]


def mark_dirty(conn: Connection, select_sql: str, **params: Any) -> None:
    """Queue accounts for a rollup rebuild from a day on; `select_sql` yields (account_pk, from_day)."""
    least = "min" if conn.dialect.name == "sqlite" else "least"
    conn.execute(
        text(
            f"INSERT INTO rollupdirty (account_pk, from_day) SELECT account_pk, from_day FROM ({select_sql}) q "
            "WHERE true ON CONFLICT (account_pk) DO UPDATE "
            f"SET from_day = {least}(rollupdirty.from_day, excluded.from_day)"
        ),
        params,
    )


def resolve_ancestors(conn: Connection) -> None:
    """Fill each territory's country, region and district codes by walking up its parents."""
    rows = conn.execute(text("SELECT code, parent_code, level FROM territory")).all()
    parent = {code: p for code, p, _ in rows}
    level = {code: lv for code, _, lv in rows}
    updates = []
    for code, _, _ in rows:
        found: dict[str, str | None] = {"country": None, "region": None, "district": None}
        node: str | None = code
        for _ in range(len(rows) + 1):
            if node is None:
                break
            if level.get(node) in found and found[level[node]] is None:
                found[level[node]] = node
            node = parent.get(node)
        else:
            raise ValueError(f"territory {code}: its parent_code chain loops back on itself")
        updates.append({"c": code, "co": found["country"], "r": found["region"], "d": found["district"]})
    if updates:
        conn.execute(
            text("UPDATE territory SET country_code = :co, region_code = :r, district_code = :d WHERE code = :c"),
            updates,
        )


def _frame(conn: Connection, sql: str, columns: list[str], **params: Any) -> pd.DataFrame:
    # Plain tuples: pandas probes each SQLAlchemy Row object, which costs more than the query.
    return pd.DataFrame([tuple(r) for r in conn.execute(text(sql), params)], columns=columns)


def _days(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.normalize()


def refresh_rollups(conn: Connection) -> None:
    """Rebuild the queued accounts' daily rows, extend every account to the latest day, and re-sum territories."""
    end_raw = conn.execute(
        text(
            "SELECT max(d) FROM (SELECT max(day) AS d FROM followersnapshot UNION ALL "
            "SELECT max(published_on) FROM post UNION ALL SELECT max(received_on) FROM inquiry) m"
        )
    ).scalar()
    if end_raw is None:
        conn.execute(text("DELETE FROM rollupdirty"))
        return
    end = pd.Timestamp(end_raw).normalize()
    dirty = _frame(conn, "SELECT account_pk, from_day FROM rollupdirty", ["account_pk", "from_day"])
    dirty["from_day"] = _days(dirty["from_day"])
    touched: list[pd.Timestamp] = []
    accounts = conn.execute(text("SELECT count(*) FROM account")).scalar_one()
    # Rewriting most of the rollups: maintaining the day indexes row by row costs more than building them again.
    bulk = len(dirty) > 1000 and len(dirty) * 2 > accounts
    if bulk:
        for name in DAY_INDEXES:
            conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
    if len(dirty):
        touched.append(dirty["from_day"].min())
        pks = np.sort(dirty["account_pk"].to_numpy())
        for i in range(0, len(pks), BATCH_ACCOUNTS):
            batch = pks[i : i + BATCH_ACCOUNTS]
            _rebuild(conn, dirty, end, int(batch[0]), int(batch[-1]))
    start = _extend(conn, end)
    if start is not None:
        touched.append(start)
    if touched:
        _sum_territories(conn, min(touched).date())
    if bulk:
        for name, (table, column) in DAY_INDEXES.items():
            conn.execute(text(f"CREATE INDEX {name} ON {table} ({column})"))
    conn.execute(text("DELETE FROM rollupdirty"))


def _rebuild(conn: Connection, dirty: pd.DataFrame, end: pd.Timestamp, lo: int, hi: int) -> None:
    """Recompute AccountDay rows of the queued accounts lo..hi from their from_day to `end`."""
    batch = {"lo": lo, "hi": hi}
    firsts = _frame(
        conn,
        "SELECT r.account_pk, (SELECT min(d) FROM (SELECT min(day) AS d FROM followersnapshot f "
        "WHERE f.account_pk = r.account_pk UNION ALL SELECT min(published_on) FROM post p "
        "WHERE p.account_pk = r.account_pk UNION ALL SELECT min(received_on) FROM inquiry i "
        "WHERE i.account_pk = r.account_pk) m) AS first_day, "
        "(SELECT f.followers FROM followersnapshot f WHERE f.account_pk = r.account_pk AND f.day < r.from_day "
        "ORDER BY f.day DESC LIMIT 1) AS carried FROM rollupdirty r WHERE r.account_pk BETWEEN :lo AND :hi",
        ["account_pk", "first_day", "carried"],
        **batch,
    )
    conn.execute(
        text(
            "DELETE FROM accountday WHERE EXISTS (SELECT 1 FROM rollupdirty r "
            "WHERE r.account_pk = accountday.account_pk AND accountday.day >= r.from_day) "
            "AND accountday.account_pk BETWEEN :lo AND :hi"
        ),
        batch,
    )
    firsts = firsts.dropna(subset=["first_day"]).merge(dirty, on="account_pk")
    if firsts.empty:
        return
    starts = np.maximum(_days(firsts["first_day"]).to_numpy(), firsts["from_day"].to_numpy())
    grid = _grid(firsts["account_pk"].to_numpy(), starts, end)
    snaps = _frame(
        conn,
        "SELECT f.account_pk, f.day, f.followers FROM followersnapshot f JOIN rollupdirty r "
        "ON r.account_pk = f.account_pk AND f.day >= r.from_day WHERE r.account_pk BETWEEN :lo AND :hi",
        ["account_pk", "day", "followers"],
        **batch,
    )
    posts = _frame(
        conn,
        "SELECT p.account_pk, p.published_on, count(*), sum(p.likes), sum(p.comments), sum(p.shares), "
        "sum(coalesce(p.views, 0)) FROM post p JOIN rollupdirty r ON r.account_pk = p.account_pk "
        "AND p.published_on >= r.from_day WHERE r.account_pk BETWEEN :lo AND :hi "
        "GROUP BY p.account_pk, p.published_on",
        ["account_pk", "day", "posts", "likes", "comments", "shares", "views"],
        **batch,
    )
    inquiries = _frame(
        conn,
        "SELECT i.account_pk, i.received_on, count(*), count(i.first_reply_at) FROM inquiry i "
        "JOIN rollupdirty r ON r.account_pk = i.account_pk AND i.received_on >= r.from_day "
        "WHERE r.account_pk BETWEEN :lo AND :hi GROUP BY i.account_pk, i.received_on",
        ["account_pk", "day", "inquiries", "answered"],
        **batch,
    )
    for frame in (snaps, posts, inquiries):
        frame["day"] = _days(frame["day"])
    rows = grid.merge(snaps, on=["account_pk", "day"], how="left")
    rows["observed"] = rows["followers"].notna()
    rows["followers"] = rows.groupby("account_pk")["followers"].ffill()
    carried = rows["account_pk"].map(firsts.set_index("account_pk")["carried"])
    rows["followers"] = rows["followers"].fillna(carried).fillna(0).astype("int64")
    rows = rows.merge(posts, on=["account_pk", "day"], how="left").merge(
        inquiries, on=["account_pk", "day"], how="left"
    )
    rows[FACTS] = rows[FACTS].fillna(0).astype("int64")
    _insert_days(conn, rows)


def _grid(accounts: np.ndarray, starts: np.ndarray, end: pd.Timestamp) -> pd.DataFrame:
    """Every (account, day) from each account's start to `end`."""
    start_days = starts.astype("datetime64[D]")
    lengths = np.maximum((np.datetime64(end.date(), "D") - start_days).astype("int64") + 1, 0)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    days = np.repeat(start_days, lengths) + offsets.astype("timedelta64[D]")
    return pd.DataFrame({"account_pk": np.repeat(accounts, lengths), "day": days.astype("datetime64[ns]")})


def _extend(conn: Connection, end: pd.Timestamp) -> pd.Timestamp | None:
    """Carry every account's last followers forward to `end`; the first day added, if any."""
    last = _frame(
        conn,
        "SELECT a.account_pk, a.day, a.followers FROM accountday a JOIN (SELECT account_pk, max(day) AS d "
        "FROM accountday GROUP BY account_pk) m ON m.account_pk = a.account_pk AND m.d = a.day WHERE a.day < :end",
        ["account_pk", "day", "followers"],
        end=end.date(),
    )
    if last.empty:
        return None
    starts = (_days(last["day"]) + pd.Timedelta(days=1)).to_numpy()
    grid = _grid(last["account_pk"].to_numpy(), starts, end)
    grid["followers"] = grid["account_pk"].map(last.set_index("account_pk")["followers"]).astype("int64")
    grid["observed"] = False
    for col in FACTS:
        grid[col] = 0
    _insert_days(conn, grid)
    return pd.Timestamp(starts.min())


def _insert_days(conn: Connection, rows: pd.DataFrame) -> None:
    from etl.load import insert_frame

    insert_frame(conn, "accountday", rows[["account_pk", "day", "followers", "observed", *FACTS]])


def _sum_territories(conn: Connection, start: dt.date) -> None:
    """Re-sum TerritoryDay from AccountDay for every day from `start`."""
    conn.execute(text("DELETE FROM territoryday WHERE day >= :d"), {"d": start})
    sums = ", ".join(f"sum(d.{c})" for c in FACTS)
    conn.execute(
        text(
            "INSERT INTO territoryday (territory_code, platform, owner_role, day, accounts, accounts_observed, "
            f"followers, {', '.join(FACTS)}) SELECT a.territory_code, a.platform, a.owner_role, d.day, count(*), "
            f"sum(CASE WHEN d.observed THEN 1 ELSE 0 END), sum(d.followers), {sums} FROM accountday d "
            "JOIN account a ON a.id = d.account_pk WHERE d.day >= :d "
            "GROUP BY a.territory_code, a.platform, a.owner_role, d.day"
        ),
        {"d": start},
    )
