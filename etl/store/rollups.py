"""Daily rollups kept up to date by every load: per account (followers carried forward) and per territory."""

import datetime as dt
from typing import Any

from sqlalchemy import Date, bindparam, text
from sqlalchemy.engine import Connection, Engine

from etl.store import models
from etl.store.changes import changed
from etl.store.histograms import histograms_behind, refresh_histograms
from etl.store.jumpcounts import forget, keep_counts
from etl.store.models import REGION, table_of
from etl.store.scope import write_lock

DAY_INDEXES = {"ix_accountday_day": ("accountday", "day"), "ix_territoryday_day": ("territoryday", "day")}
FACTS = ["posts", "likes", "comments", "shares", "views", "inquiries", "answered"]
VALUES = ["followers", "observed", *FACTS]
ACCOUNT_DAY = ["account_pk", "day", *VALUES]
TERRITORY_KEY = ["territory_code", "platform", "owner_role", "day"]
TERRITORY_DAY = [*TERRITORY_KEY, "accounts", "accounts_observed", "followers", *FACTS, "post_followers"]
SUMS = TERRITORY_DAY[4:]
# The RegionDay key of a TerritoryDay row `d` of territory `t`.
REGION_OF = {"region_code": REGION, **{k: f"d.{k}" for k in TERRITORY_KEY[1:]}}
# Accounts and rows (accounts × days) handled by one statement: bounds the temporary tables of a first load;
# sorting a batch's sums stays in memory.
BATCH_ACCOUNTS = 50_000
ROLLUP_LOCK = 4_779_001  # PostgreSQL advisory lock of the rollup refresh
# What the refresh writes.
ROLLUP_TABLES = (
    "accountday",
    "territoryday",
    "regionday",
    "rollupdirty",
    "replyhistogram",
    "replycount",
    "replydirty",
    "followerchange",
    "changeday",
)
BATCH_ROWS = 1_000_000
# Writing more rows than this, and most of the table: the day indexes are built again rather than maintained
# row by row, and TerritoryDay is summed again rather than updated by deltas.
BULK_ROWS = 200_000
# Few accounts needing their whole history: their facts are read through the (account, day) indexes rather than by
# scanning the fact tables.
FEW_ACCOUNTS = 2_000
# Loads queue an account from this day when its territory or owner role changed: its old rows were summed under
# a territory no longer known, so TerritoryDay is summed again.
MOVED = dt.date(1900, 1, 1)
TEMP_TABLES = [
    "rollup_todo",
    "rollup_posts",
    "rollup_inquiries",
    "rollup_days",
    "rollup_new",
    "rollup_gone",
    "rollup_delta",
    "rollup_groups",
]


def audience(prefix: str = "") -> str:
    """SQL for the posts × followers of an account-day (columns named with `prefix`), in 64 bits."""
    return f"CAST({prefix}posts AS BIGINT) * {prefix}followers"


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


def behind(conn: Connection) -> bool:
    """Whether loaded rows wait for their rollups or reply histograms (a load stopped between its files and its
    refresh)."""
    return conn.execute(text("SELECT 1 FROM rollupdirty LIMIT 1")).first() is not None or histograms_behind(conn)


def may_refresh(conn: Connection) -> bool:
    """Whether this connection may write the rollups: not a role that may only read (a dashboard's: docs/deploy.md),
    nor a read replica's session or another read-only one."""
    if conn.dialect.name != "postgresql":
        return True
    return bool(
        conn.execute(
            text(
                "SELECT bool_and(has_table_privilege(t, p)) AND NOT pg_is_in_recovery() "
                "AND current_setting('transaction_read_only') = 'off' FROM unnest(CAST(:tables AS text[])) t, "
                "unnest(ARRAY['INSERT', 'UPDATE', 'DELETE']) p"
            ),
            {"tables": list(ROLLUP_TABLES)},
        ).scalar()
    )


def catch_up(engine: Engine) -> bool:
    """Refresh the rollups a stopped load left behind, so that no reader mixes new rows with old sums; whether
    there was anything to do. A role that may only read leaves them to the next command of one that may write (a
    load, `govpulse refresh`)."""
    with engine.connect() as conn:
        if not behind(conn) or not may_refresh(conn):
            return False
    with engine.begin() as conn:
        write_lock(conn)
        refresh_rollups(conn)
        changed(conn, "refresh")
    return True


def refresh_rollups(conn: Connection) -> None:
    """Bring AccountDay, TerritoryDay and RegionDay up to date with the queued accounts and the latest day loaded,
    the reply histograms with the queued regions, and the counts of follower changes with both (on SQLite, within a
    transaction that took the write lock first: `write_lock`)."""
    if conn.dialect.name == "postgresql":
        # One refresh at a time (a load's and a reader's catch-up): the second finds the queue empty.
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ROLLUP_LOCK})
    # Two statements: SQLite reads min() or max() off an index only when it is the query's one aggregate.
    first = _day(conn, "SELECT min(day) AS d FROM accountday")
    last = _day(conn, "SELECT max(day) AS d FROM accountday")
    _create_temp_tables(conn)
    conn.execute(
        text(
            "INSERT INTO rollup_todo (account_pk, from_day, last_day) SELECT r.account_pk, r.from_day, "
            "(SELECT max(d.day) FROM accountday d WHERE d.account_pk = r.account_pk) FROM rollupdirty r"
        )
    )
    histories = conn.execute(
        text("SELECT count(*) FROM rollup_todo WHERE last_day IS NULL OR from_day <= :first"), {"first": first}
    ).scalar_one()
    _collect_facts(conn, scan=histories > FEW_ACCOUNTS)
    newest = _day(
        conn,
        "SELECT max(m) AS d FROM (SELECT max(day) AS m FROM rollup_posts UNION ALL SELECT max(day) FROM "
        "rollup_inquiries UNION ALL SELECT (SELECT max(f.day) "
        "FROM followersnapshot f WHERE f.account_pk = t.account_pk) FROM rollup_todo t) x",
    )
    ends = [d for d in (last, newest) if d is not None]
    # What the refresh changed of the follower counts, which the counts of their changes follow.
    changes: dict[str, dt.date] | None = _refresh(conn, first, last, max(ends)) if ends else {}
    forget(conn, changes)
    for name in TEMP_TABLES:
        conn.execute(text(f"DROP TABLE {name}"))
    conn.execute(text("DELETE FROM rollupdirty"))
    refresh_histograms(conn)
    keep_counts(conn)


# The tables every delivery extends by a day. PostgreSQL's autovacuum analyses a table once a tenth of it changed:
# at a national size, a day is a few per cent of them, so for days after each load the planner took the newest
# day for one row and read the whole country's day through the index on the day, where a region's pages were to be
# read by key (a region's follower jumps: 1.1 s instead of 0.4 s), and matched a country's inquiries of the newest
# day with each of 19,000 territories' deadlines one by one (its KPIs of that day: minutes instead of 3 s).
DAY_TABLES = ("followersnapshot", "accountday", "territoryday", "regionday", "inquiry", "post")


def analyze_days(conn: Connection) -> None:
    """On PostgreSQL, bring the planner's statistics of the day-keyed tables up to the newest day loaded."""
    if conn.dialect.name == "postgresql":
        for table in DAY_TABLES:
            conn.execute(text(f"ANALYZE {table}"))


def _day(conn: Connection, sql: str, **params: Any) -> dt.date | None:
    """The one day a query returns (None for NULL), whatever type the database returns days as."""
    return conn.execute(text(sql).columns(d=Date), params).scalar()


def _create_temp_tables(conn: Connection) -> None:
    """Create the refresh's working tables (temporary: private to this connection, gone with it)."""

    def columns(model: type[Any], prefix: str = "", skip: int = 0) -> str:
        cols = list(table_of(model).columns)[skip:]
        return ", ".join(f"{prefix}{c.name} {c.type.compile(dialect=conn.dialect)}" for c in cols)

    rows = columns(models.AccountDay)
    olds = columns(models.AccountDay, "old_", skip=2)
    posts, inquiries = (", ".join(f"{c} INTEGER" for c in cs) for cs in (FACTS[:5], FACTS[5:]))
    for name, cols in {
        "rollup_todo": "account_pk INTEGER PRIMARY KEY, from_day DATE, last_day DATE, start DATE",
        "rollup_posts": f"account_pk INTEGER, day DATE, {posts}, PRIMARY KEY (account_pk, day)",
        "rollup_inquiries": f"account_pk INTEGER, day DATE, {inquiries}, PRIMARY KEY (account_pk, day)",
        "rollup_days": "day DATE PRIMARY KEY",
        "rollup_new": f"{rows}, {olds}, PRIMARY KEY (account_pk, day)",
        "rollup_gone": rows,
        "rollup_delta": columns(models.TerritoryDay),
        "rollup_groups": "account_pk INTEGER PRIMARY KEY, batch INTEGER",
    }.items():
        conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
        conn.execute(text(f"CREATE TEMPORARY TABLE {name} ({cols})"))


def _collect_facts(conn: Connection, scan: bool) -> None:
    """Sum the queued accounts' posts and inquiries per day from their from_day into rollup_posts and _inquiries."""
    # CROSS JOIN fixes SQLite's join order: one scan of a fact table when many accounts need their whole history,
    # a look-up per account of its latest facts (on the (account, day) indexes) otherwise.
    posts = "post p CROSS JOIN rollup_todo t" if scan else "rollup_todo t CROSS JOIN post p"
    inquiries = "inquiry i CROSS JOIN rollup_todo t" if scan else "rollup_todo t CROSS JOIN inquiry i"
    conn.execute(
        text(
            f"INSERT INTO rollup_posts (account_pk, day, {', '.join(FACTS[:5])}) SELECT p.account_pk, p.published_on, "
            f"count(*), sum(p.likes), sum(p.comments), sum(p.shares), sum(coalesce(p.views, 0)) FROM {posts} "
            "WHERE p.account_pk = t.account_pk AND p.published_on >= t.from_day GROUP BY p.account_pk, p.published_on"
        )
    )
    conn.execute(
        text(
            "INSERT INTO rollup_inquiries (account_pk, day, inquiries, answered) SELECT i.account_pk, i.received_on, "
            f"count(*), count(i.first_reply_at) FROM {inquiries} WHERE i.account_pk = t.account_pk "
            "AND i.received_on >= t.from_day GROUP BY i.account_pk, i.received_on"
        )
    )


def _refresh(conn: Connection, first: dt.date | None, last: dt.date | None, end: dt.date) -> dict[str, dt.date] | None:
    """Regenerate the queued accounts' rows from their from_day and extend every account to `end`; the first day
    each region's follower counts changed from (None: a page moved, every region's may have)."""
    if last is not None and end > last:
        # Every account with rows ends on the same day: a later day extends all of them.
        conn.execute(
            text(
                "INSERT INTO rollup_todo (account_pk, last_day) SELECT account_pk, last_day FROM (SELECT a.id AS "
                "account_pk, (SELECT max(d.day) FROM accountday d WHERE d.account_pk = a.id) AS last_day "
                "FROM account a WHERE NOT EXISTS (SELECT 1 FROM rollup_todo t WHERE t.account_pk = a.id)) x "
                "WHERE last_day IS NOT NULL"
            )
        )
    _set_starts(conn)
    # Rows change from the from_day of accounts with rows from then on, else from their start.
    changed = conn.execute(
        text(
            "SELECT CASE WHEN from_day <= last_day THEN from_day ELSE start END AS s, count(*) AS n, "
            "sum(CASE WHEN start IS NULL THEN 0 ELSE 1 END) AS g FROM rollup_todo "
            "WHERE start IS NOT NULL OR from_day <= last_day GROUP BY 1"
        ).columns(s=Date)
    ).all()
    if not changed:
        return {}
    touched = min(max(s, first) if first else s for s, _, _ in changed)
    rows = sum(g * ((end - s).days + 1) for s, _, g in changed if g)
    accounts = conn.execute(text("SELECT count(*) FROM account")).scalar_one()
    held = accounts * ((last - first).days + 1) if first and last else 0
    bulk = rows > BULK_ROWS and rows * 2 > held
    moved = conn.execute(text("SELECT 1 FROM rollup_todo WHERE from_day <= :m LIMIT 1"), {"m": MOVED}).first()
    resum = bulk or moved is not None
    if bulk:
        for name in DAY_INDEXES:
            conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
    _remove_gone(conn)
    since: dict[str, dt.date] = {}
    _note_changes(conn, "rollup_gone", since)
    start = _day(conn, "SELECT min(start) AS d FROM rollup_todo")
    if start is not None:
        days = [{"d": start + dt.timedelta(days=k)} for k in range((end - start).days + 1)]
        conn.execute(text("INSERT INTO rollup_days (day) VALUES (:d)").bindparams(bindparam("d", type_=Date)), days)
        pks = [
            r[0] for r in conn.execute(text("SELECT account_pk FROM rollup_todo WHERE start IS NOT NULL ORDER BY 1"))
        ]
        size = _batch_size(rows / max(len(pks), 1))
        for i in range(0, len(pks), size):
            batch = {"lo": pks[i], "hi": pks[min(i + size, len(pks)) - 1]}
            _generate(conn, batch, by_key=not bulk)
            _note_changes(conn, "rollup_new", since)
            if not resum:
                _add_deltas(conn, "rollup_new")
            conn.execute(text("DELETE FROM rollup_new"))
    if resum:
        _sum_territories(conn, touched, end)
        sum_regions(conn, touched)
    else:
        _add_deltas(conn, "rollup_gone")
        _apply_deltas(conn)
    if bulk:
        for name, (table, column) in DAY_INDEXES.items():
            conn.execute(text(f"CREATE INDEX {name} ON {table} ({column})"))
    return None if moved else since


def _note_changes(conn: Connection, table: str, since: dict[str, dt.date]) -> None:
    """Note in `since` each region's first day among the rows of `table` (rollup_new: rows whose followers or
    snapshot changed; rollup_gone: every row)."""
    changed = "n.old_followers IS NULL OR n.followers <> n.old_followers OR n.observed <> n.old_observed"
    rows = conn.execute(
        text(
            f"SELECT {REGION} AS region, min(n.day) AS day FROM {table} n JOIN account a ON a.id = n.account_pk "
            f"JOIN territory t ON t.code = a.territory_code WHERE {changed if table == 'rollup_new' else 'true'} "
            f"GROUP BY {REGION}"
        ).columns(day=Date)
    )
    for region, day in rows:
        since[region] = min(day, since.get(region, day))


def _batch_size(days: float) -> int:
    """Accounts per batch when each has about `days` rows."""
    return max(1, min(BATCH_ACCOUNTS, int(BATCH_ROWS / max(days, 1))))


def _set_starts(conn: Connection) -> None:
    """Each account's first day to generate: the day after its last row, its from_day, or its first fact's day."""
    next_day = "date(last_day, '+1 day')" if conn.dialect.name == "sqlite" else "last_day + 1"
    conn.execute(text(f"UPDATE rollup_todo SET start = {next_day} WHERE from_day IS NULL OR from_day > last_day"))
    conn.execute(
        text(
            "UPDATE rollup_todo SET start = from_day WHERE from_day <= last_day AND EXISTS (SELECT 1 FROM accountday d "
            "WHERE d.account_pk = rollup_todo.account_pk AND d.day < rollup_todo.from_day)"
        )
    )
    # No row before from_day (a new account, or a history that starts again): the rows begin with the first fact.
    conn.execute(
        text(
            "UPDATE rollup_todo SET start = (SELECT min(m) FROM (SELECT min(f.day) AS m FROM followersnapshot f "
            "WHERE f.account_pk = rollup_todo.account_pk AND f.day >= rollup_todo.from_day UNION ALL "
            "SELECT min(p.day) FROM rollup_posts p WHERE p.account_pk = rollup_todo.account_pk UNION ALL "
            "SELECT min(i.day) FROM rollup_inquiries i WHERE i.account_pk = rollup_todo.account_pk) m) "
            "WHERE start IS NULL"
        )
    )


def _remove_gone(conn: Connection) -> None:
    """Delete the rows before each queued account's new start (its first fact moved later), keeping them for deltas."""
    gone = (
        "FROM rollup_todo t CROSS JOIN accountday d WHERE d.account_pk = t.account_pk AND t.from_day <= t.last_day "
        "AND d.day >= t.from_day AND (t.start IS NULL OR d.day < t.start)"
    )
    if conn.execute(text(f"SELECT 1 {gone} LIMIT 1")).first() is None:
        return
    conn.execute(text(f"INSERT INTO rollup_gone ({', '.join(ACCOUNT_DAY)}) SELECT {_cols('d', ACCOUNT_DAY)} {gone}"))
    conn.execute(text("DELETE FROM accountday WHERE (account_pk, day) IN (SELECT account_pk, day FROM rollup_gone)"))


def _cols(alias: str, names: list[str]) -> str:
    return ", ".join(f"{alias}.{n}" for n in names)


def _generate(conn: Connection, batch: dict[str, int], by_key: bool) -> None:
    """Write the batch's rows from each account's start to the last day into AccountDay where they changed; `by_key`:
    they are few beside the tables' (not a bulk refresh), read by key."""
    # PostgreSQL knows nothing of the temporary tables: for a new day of every page it took each batch for millions
    # of rows and hashed the whole of followersnapshot and accountday, 5 s a batch at 200,000 pages.
    planned = by_key and conn.dialect.name == "postgresql"
    if planned:
        conn.execute(text("SET enable_hashjoin = off"))
        conn.execute(text("SET enable_mergejoin = off"))
    sums = ", ".join(f"coalesce({'p' if c in FACTS[:5] else 'i'}.{c}, 0) AS {c}" for c in FACTS)
    olds = ", ".join(f"d.{c} AS old_{c}" for c in VALUES)
    differs = " OR ".join(f"{c} <> old_{c}" for c in VALUES)
    conn.execute(
        text(
            f"INSERT INTO rollup_new ({', '.join(ACCOUNT_DAY)}, {', '.join(f'old_{c}' for c in VALUES)}) "
            f"SELECT * FROM (SELECT t.account_pk, c.day, coalesce(s.followers, (SELECT f.followers "
            "FROM followersnapshot f WHERE f.account_pk = t.account_pk AND f.day < c.day ORDER BY f.day DESC LIMIT 1), "
            f"0) AS followers, s.account_pk IS NOT NULL AS observed, {sums}, {olds} "
            "FROM rollup_todo t CROSS JOIN rollup_days c "
            "LEFT JOIN followersnapshot s ON s.account_pk = t.account_pk AND s.day = c.day "
            "LEFT JOIN rollup_posts p ON p.account_pk = t.account_pk AND p.day = c.day "
            "LEFT JOIN rollup_inquiries i ON i.account_pk = t.account_pk AND i.day = c.day "
            "LEFT JOIN accountday d ON d.account_pk = t.account_pk AND d.day = c.day "
            "WHERE c.day >= t.start AND t.account_pk BETWEEN :lo AND :hi) n "
            f"WHERE old_followers IS NULL OR {differs}"
        ),
        batch,
    )
    if planned:
        # A statement that fails rolls back these settings with the transaction.
        conn.execute(text("RESET enable_hashjoin"))
        conn.execute(text("RESET enable_mergejoin"))
    update = ", ".join(f"{c} = excluded.{c}" for c in VALUES)
    conn.execute(
        text(
            f"INSERT INTO accountday ({', '.join(ACCOUNT_DAY)}) SELECT {', '.join(ACCOUNT_DAY)} FROM rollup_new "
            f"WHERE true ORDER BY account_pk, day ON CONFLICT (account_pk, day) DO UPDATE SET {update}"
        )
    )


def _add_deltas(conn: Connection, table: str) -> None:
    """Add the TerritoryDay changes of new rows (minus the old values they replace) or of rows gone to rollup_delta."""
    flag = "CASE WHEN {} THEN 1 ELSE 0 END"
    if table == "rollup_new":
        n = "CASE WHEN old_followers IS NULL THEN 1 ELSE 0 END"
        values = [flag.format("observed") + " - " + flag.format("old_observed")]
        values += [f"{c} - coalesce(old_{c}, 0)" for c in ["followers", *FACTS]]
        values += [f"{audience()} - coalesce({audience('old_')}, 0)"]
    else:
        n = "-1"
        values = ["-" + flag.format("observed"), *(f"-{c}" for c in ["followers", *FACTS]), f"-{audience()}"]
    conn.execute(
        text(
            f"INSERT INTO rollup_delta ({', '.join(TERRITORY_DAY)}) SELECT {_cols('a', TERRITORY_KEY[:3])}, u.day, "
            f"{', '.join(f'sum(u.v{k})' for k in range(len(values) + 1))} FROM (SELECT account_pk, day, {n} AS v0, "
            f"{', '.join(f'{v} AS v{k}' for k, v in enumerate(values, 1))} FROM {table}) u "
            "JOIN account a ON a.id = u.account_pk GROUP BY a.territory_code, a.platform, a.owner_role, u.day"
        )
    )


def _apply_deltas(conn: Connection) -> None:
    """Add rollup_delta to TerritoryDay and RegionDay; delete the rows left without accounts."""
    _add_up(conn, "territoryday", {k: f"d.{k}" for k in TERRITORY_KEY}, "rollup_delta d")
    _add_up(conn, "regionday", REGION_OF, "rollup_delta d JOIN territory t ON t.code = d.territory_code")


def _add_up(conn: Connection, table: str, key: dict[str, str], deltas: str) -> None:
    """Add the sums of `deltas` (rows `d`) per `key` (column: expression) to `table`; drop rows left at 0 accounts."""
    names, exprs = ", ".join(key), ", ".join(key.values())
    sums = ", ".join(f"sum(d.{c})" for c in SUMS)
    nonzero = " OR ".join(f"sum(d.{c}) <> 0" for c in SUMS)
    added = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in SUMS)
    conn.execute(
        text(
            f"INSERT INTO {table} ({names}, {', '.join(SUMS)}) SELECT {exprs}, {sums} FROM {deltas} "
            f"WHERE true GROUP BY {exprs} HAVING {nonzero} ORDER BY {exprs} ON CONFLICT ({names}) DO UPDATE SET {added}"
        )
    )
    conn.execute(
        text(
            f"DELETE FROM {table} WHERE accounts = 0 AND ({names}) IN "
            f"(SELECT {exprs} FROM {deltas} WHERE d.accounts < 0)"
        )
    )


def _sum_territories(conn: Connection, start: dt.date, end: dt.date) -> None:
    """Re-sum TerritoryDay from AccountDay for every day from `start`, a batch of whole territories at a time."""
    conn.execute(text("DELETE FROM territoryday WHERE day >= :d"), {"d": start})
    # The running count includes every account of the same territory, platform and role: none is split over batches.
    conn.execute(
        text(
            "INSERT INTO rollup_groups (account_pk, batch) SELECT id, (count(*) OVER (ORDER BY territory_code, "
            "platform, owner_role) - 1) / :size FROM account"
        ),
        {"size": _batch_size((end - start).days + 1)},
    )
    conn.execute(text("CREATE INDEX rollup_groups_batch ON rollup_groups (batch, account_pk)"))
    batches = conn.execute(text("SELECT max(batch) FROM rollup_groups")).scalar() or 0
    sums = ", ".join([*(f"sum(d.{c})" for c in FACTS), f"sum({audience('d.')})"])
    for batch in range(batches + 1):
        conn.execute(
            text(
                f"INSERT INTO territoryday ({', '.join(TERRITORY_DAY)}) SELECT a.territory_code, a.platform, "
                "a.owner_role, d.day, count(*), sum(CASE WHEN d.observed THEN 1 ELSE 0 END), sum(d.followers), "
                f"{sums} FROM rollup_groups g CROSS JOIN accountday d JOIN account a ON a.id = g.account_pk "
                "WHERE g.batch = :b AND d.account_pk = g.account_pk AND d.day >= :d "
                "GROUP BY a.territory_code, a.platform, a.owner_role, d.day"
            ),
            {"b": batch, "d": start},
        )


def sum_regions(conn: Connection, start: dt.date | None = None) -> None:
    """Re-sum RegionDay from TerritoryDay for every day from `start` (all days: None)."""
    since = "" if start is None else "WHERE day >= :d"
    conn.execute(text(f"DELETE FROM regionday {since}"), {"d": start})
    names, exprs = ", ".join(REGION_OF), ", ".join(REGION_OF.values())
    sums = ", ".join(f"sum(d.{c})" for c in SUMS)
    conn.execute(
        text(
            f"INSERT INTO regionday ({names}, {', '.join(SUMS)}) SELECT {exprs}, {sums} FROM (SELECT * FROM "
            f"territoryday {since}) d JOIN territory t ON t.code = d.territory_code GROUP BY {exprs} ORDER BY {exprs}"
        ),
        {"d": start},
    )
