"""Merging a staged file into its table: duplicates within the file, upserts, what the rollups must redo."""

from typing import Any

import pandas as pd
from sqlalchemy import Table, text
from sqlalchemy.engine import Connection

from etl.ingest.timing import record_data_times, untime
from etl.ingest.transform import ERROR_COLUMNS
from etl.store import models
from etl.store.histograms import Counted, apply_changes, mark_everything, mark_regions, note_changes
from etl.store.jumpcounts import forget
from etl.store.models import REGION, table_of
from etl.store.rollups import MOVED, mark_dirty, resolve_ancestors, sum_regions

TARGETS: dict[str, Table] = {
    "territories": table_of(models.Territory),
    "accounts": table_of(models.Account),
    "followers": table_of(models.FollowerSnapshot),
    "posts": table_of(models.Post),
    "inquiries": table_of(models.Inquiry),
}


KEYS: dict[str, tuple[str, ...]] = {
    "territories": ("code",),
    "accounts": ("platform", "account_id"),
    "followers": ("account_pk", "day"),
    "posts": ("account_pk", "post_id"),
    "inquiries": ("account_pk", "inquiry_id"),
}


# The column that dates a fact for the rollups.
DAY_COLUMN = {"followers": "day", "posts": "published_on", "inquiries": "received_on"}


# Worked out at load from the page's clock, not read from the file: never a reason to count a row as changed.
TIMING = {"work_min", "work_days"}


DERIVED = {"territories": {"country_code", "region_code", "district_code"}, "accounts": {"id"}}


def stage_columns(kind: str) -> list[tuple[str, Any]]:
    table = TARGETS[kind]
    cols = [(c.name, c.type) for c in table.columns if c.name not in DERIVED.get(kind, set())]
    if kind == "followers":
        cols.append(("handle", table_of(models.Account).c.handle.type))
    return cols


def create_stage(conn: Connection, kind: str) -> str:
    name = f"stage_{kind}"
    cols = ", ".join(f"{n} {t.compile(dialect=conn.dialect)}" for n, t in stage_columns(kind))
    conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
    conn.execute(text(f"CREATE TEMPORARY TABLE {name} ({cols}, _line INTEGER)"))
    return name


def duplicates(conn: Connection, kind: str, version: str | None) -> pd.DataFrame:
    keys = list(KEYS[kind]) + ([version] if version else [])
    shown = [f"s.{k}" for k in keys if k != "account_pk"]
    join = ""
    if "account_pk" in keys:
        shown = ["a.platform", "a.account_id", *shown]
        join = "JOIN account a ON a.id = s.account_pk "
    sql = (
        f"SELECT s._line, {', '.join(shown)} FROM stage_{kind} s {join}WHERE EXISTS (SELECT 1 FROM stage_{kind} o "
        f"WHERE {' AND '.join(f'o.{k} = s.{k}' for k in keys)} AND o._line < s._line) ORDER BY s._line"
    )
    found = conn.execute(text(sql)).all()
    names = ", ".join(c.split(".")[1] for c in shown)
    return pd.DataFrame(
        [(r[0], names, " / ".join(str(v) for v in r[1:]), "duplicate key within the file") for r in found],
        columns=ERROR_COLUMNS,
    )


def drop_duplicates(conn: Connection, kind: str, version: str | None) -> None:
    keys = list(KEYS[kind]) + ([version] if version else [])
    conn.execute(
        text(
            f"DELETE FROM stage_{kind} WHERE EXISTS (SELECT 1 FROM stage_{kind} o WHERE "
            f"{' AND '.join(f'o.{k} = stage_{kind}.{k}' for k in keys)} AND o._line < stage_{kind}._line)"
        )
    )


def merge(conn: Connection, kind: str) -> tuple[int, int, int]:
    """Upsert the staged rows into the target table; counts of inserted, updated and unchanged rows."""
    target = TARGETS[kind].name
    stage = f"stage_{kind}"
    keys = KEYS[kind]
    cols = [n for n, _ in stage_columns(kind) if n != "handle" or kind != "followers"]
    values = [c for c in cols if c not in keys]
    if kind == "posts":
        # Several collections of one post: the latest wins, within the file as across loads.
        conn.execute(
            text(
                f"DELETE FROM {stage} WHERE EXISTS (SELECT 1 FROM {stage} o WHERE o.account_pk = {stage}.account_pk "
                f"AND o.post_id = {stage}.post_id AND o.collected_at > {stage}.collected_at)"
            )
        )
    on = " AND ".join(f"t.{k} = s.{k}" for k in keys)
    # An empty optional value never erases a stored one (a later file may simply lack that column).
    optional = {v for v in values if TARGETS[kind].c[v].nullable}
    same = " AND ".join(
        f"(s.{v} IS NULL OR t.{v} = s.{v})" if v in optional else f"t.{v} IS NOT DISTINCT FROM s.{v}"
        for v in values
        if v not in TIMING
    )
    if kind == "posts":
        same = f"(({same}) OR s.collected_at < t.collected_at)"
    first_key = f"t.{keys[0]}"
    total, existing, unchanged = conn.execute(
        text(
            f"SELECT count(*), count({first_key}), coalesce(sum(CASE WHEN {first_key} IS NOT NULL AND {same} "
            f"THEN 1 ELSE 0 END), 0) FROM {stage} s LEFT JOIN {target} t ON {on}"
        )
    ).one()
    if kind in DAY_COLUMN:
        day = DAY_COLUMN[kind]
        # A stored row's old day counts too, unless the day is part of the key (followers): then it is the staged one.
        old = "" if day in keys else f" UNION ALL SELECT t.account_pk, t.{day} FROM {target} t JOIN {stage} s ON {on}"
        touched = (
            f"SELECT account_pk, min(d) AS from_day FROM (SELECT account_pk, {day} AS d FROM {stage}{old}) u "
            "GROUP BY account_pk"
        )
        mark_dirty(conn, touched)
    replies: Counted | None = None
    if kind == "inquiries":
        # The inquiries that are new or change: their replies move in the histograms once they are written (too many,
        # a first load: their days are counted again by the refresh).
        differs = f"NOT (CASE WHEN {same} THEN true ELSE false END)"
        replies = note_changes(
            conn,
            f"SELECT s.account_pk, s.inquiry_id FROM {stage} s LEFT JOIN {target} t ON {on} "
            f"WHERE t.account_pk IS NULL OR {differs}",
        )
    moved = False
    if kind == "accounts":
        moved = untime(
            conn, f"SELECT t.id FROM {target} t JOIN {stage} s ON {on} WHERE t.territory_code <> s.territory_code"
        )
        changed_pages = (
            f"FROM {target} t JOIN {stage} s ON {on} "
            "WHERE t.territory_code <> s.territory_code OR t.owner_role <> s.owner_role"
        )
        mark_dirty(conn, f"SELECT t.id AS account_pk, :epoch AS from_day {changed_pages}", epoch=MOVED)
        # Their inquiries leave the histograms and counts of the region and role they were counted in, and join the
        # new ones.
        moved_pages = f"SELECT t.id, t.territory_code AS old_code, s.territory_code AS new_code {changed_pages}"
        mark_regions(
            conn,
            " UNION ".join(
                f"SELECT {REGION} AS region_code, i.received_on AS day FROM ({moved_pages}) m "
                f"JOIN territory t ON t.code = m.{code} JOIN inquiry i ON i.account_pk = m.id"
                for code in ("old_code", "new_code")
            ),
        )
    regrouped = False
    if kind == "territories":
        regrouped = (
            conn.execute(
                text(
                    f"SELECT 1 FROM {target} t JOIN {stage} s ON {on} WHERE t.level <> s.level "
                    "OR t.parent_code IS DISTINCT FROM s.parent_code LIMIT 1"
                )
            ).first()
            is not None
        )
        changed = (
            f"SELECT t.code FROM {target} t JOIN {stage} s ON {on} "
            "WHERE t.timezone <> s.timezone OR t.parent_code IS DISTINCT FROM s.parent_code"
        )
        moved = untime(
            conn,
            "SELECT a.id FROM account a JOIN territory t ON t.code = a.territory_code "
            f"WHERE t.code IN ({changed}) OR t.district_code IN ({changed}) OR t.region_code IN ({changed}) "
            f"OR t.country_code IN ({changed})",
        )
    # Facts in key order, so that the target's key B-tree is appended to rather than split at random;
    # registries in file order, so that new accounts get ids in the order they were listed.
    order = ", ".join(keys) if kind in DAY_COLUMN else "_line"
    update = ", ".join(
        f"{v} = coalesce(excluded.{v}, {target}.{v})" if v in optional else f"{v} = excluded.{v}" for v in values
    )
    guard = f" WHERE excluded.collected_at >= {target}.collected_at" if kind == "posts" else ""
    conn.execute(
        text(
            f"INSERT INTO {target} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM {stage} WHERE true "
            f"ORDER BY {order} "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {update}{guard}"
        )
    )
    if kind == "inquiries":
        apply_changes(conn, replies)
    if kind == "territories":
        resolve_ancestors(conn)
        if regrouped:
            # Territories moved to other regions: their days now count under those.
            sum_regions(conn)
            mark_everything(conn)
            forget(conn)
    if kind == "followers":
        record_handles(conn)
    if kind == "inquiries":
        record_data_times(conn, stage)
    elif moved:
        record_data_times(conn)
    return total - existing, existing - unchanged, unchanged


def record_handles(conn: Connection) -> None:
    """Keep each handle's first and last day seen; the account's handle becomes the latest one seen."""
    least = "min" if conn.dialect.name == "sqlite" else "least"
    greatest = "max" if conn.dialect.name == "sqlite" else "greatest"
    conn.execute(
        text(
            "INSERT INTO handlehistory (account_pk, handle, first_seen, last_seen) "
            "SELECT account_pk, handle, min(day), max(day) FROM stage_followers WHERE handle IS NOT NULL "
            "GROUP BY account_pk, handle "
            f"ON CONFLICT (account_pk, handle) DO UPDATE SET first_seen = {least}(handlehistory.first_seen, "
            f"excluded.first_seen), last_seen = {greatest}(handlehistory.last_seen, excluded.last_seen)"
        )
    )
    # Only the renamed: rewriting every page's registry row each day costs more than the whole follower merge.
    conn.execute(
        text(
            "UPDATE account SET handle = latest.handle FROM (SELECT s.account_pk, (SELECT h.handle "
            "FROM handlehistory h WHERE h.account_pk = s.account_pk ORDER BY h.last_seen DESC, h.first_seen DESC "
            "LIMIT 1) AS handle "
            "FROM (SELECT DISTINCT account_pk FROM stage_followers WHERE handle IS NOT NULL) s) latest "
            "WHERE account.id = latest.account_pk AND account.handle <> latest.handle"
        )
    )
