"""Loading validated files into the database: one transaction per file, idempotent, with a load log."""

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Table, text
from sqlalchemy.engine import Connection, Engine

from etl import models
from etl.db import insert_frame
from etl.extract import Source, SourceError, expand, open_source, order_sources, read_chunks
from etl.models import table_of
from etl.responsiveness import reply_timing
from etl.rollups import MOVED, REGION, mark_dirty, refresh_rollups, resolve_ancestors, sum_regions
from etl.scope import utc_times
from etl.settings import get_settings
from etl.transform import ERROR_COLUMNS, Context, validate
from etl.worktime import Clocks

Progress = Callable[[str, int, int], None]

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
UNTIMED = "first_reply_at IS NOT NULL AND work_min IS NULL"
DERIVED = {"territories": {"country_code", "region_code", "district_code"}, "accounts": {"id"}}


class Rejected(Exception):
    """A file with bad rows, rejected whole."""

    def __init__(self, errors: pd.DataFrame, count: int) -> None:
        super().__init__(f"{count} error(s)")
        self.errors, self.count = errors, count


@dataclass
class FileResult:
    """What happened to one file."""

    path: Path
    kind: str = "?"
    dialect: str = ""
    status: str = "loaded"
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    seconds: float = 0.0
    message: str = ""
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))
    error_count: int = 0
    ignored: list[str] = field(default_factory=list)
    rejected_path: Path | None = None
    unknown: dict[str, set[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the file left no error behind."""
        return self.status in {"loaded", "already loaded"}


# The kinds of file that describe territories and pages rather than what happened to them.
REGISTRIES = {"territories", "accounts"}


def load_paths(
    engine: Engine,
    paths: Sequence[Path],
    *,
    skip_bad_rows: bool = False,
    chunk_rows: int | None = None,
    progress: Progress | None = None,
) -> list[FileResult]:
    """Load files and folders (territories, then accounts, then the rest) and bring the rollups up to date."""
    chunk_rows = chunk_rows or get_settings().chunk_rows
    results: list[FileResult] = []
    sources: list[Source] = []
    for path in expand(list(paths)):
        try:
            sources.append(open_source(path))
        except SourceError as exc:
            results.append(FileResult(path=path, status="rejected", message=str(exc), error_count=1))
    ctx: Context | None = None
    for src in order_sources(sources):
        # One registry look-up for the fact files of a delivery (they come after the registries, which change it).
        registry = src.kind.name in REGISTRIES
        if ctx is None and not registry:
            with engine.connect() as conn:
                ctx = _context(conn)
        res = load_source(
            engine, src, skip_bad_rows=skip_bad_rows, chunk_rows=chunk_rows, progress=progress,
            ctx=None if registry else ctx,
        )  # fmt: skip
        results.append(res)
        if registry:
            ctx = None
    with engine.begin() as conn:
        time_untimed(conn)
        if conn.execute(text("SELECT 1 FROM datatime LIMIT 1")).first() is None:
            record_data_times(conn)
        refresh_rollups(conn)
    return results


def load_source(
    engine: Engine,
    src: Source,
    *,
    skip_bad_rows: bool,
    chunk_rows: int,
    progress: Progress | None = None,
    ctx: Context | None = None,
) -> FileResult:
    """Load one detected file in one transaction (validated against `ctx`, else the registry as it is now); a file
    with bad rows is rejected whole unless told otherwise."""
    started = time.perf_counter()
    res = FileResult(path=src.path, kind=src.kind.name, dialect=src.dialect, ignored=src.ignored)
    with engine.connect() as conn:
        seen = conn.execute(
            text("SELECT loaded_at FROM loadlog WHERE sha256 = :h ORDER BY loaded_at LIMIT 1"), {"h": src.sha256}
        ).first()
    if seen is not None:
        res.status, res.message = "already loaded", f"same content loaded at {str(seen[0])[:19]}"
        return res
    rejected_path = src.path.with_name(src.path.stem + ".rejected.csv")
    try:
        with engine.begin() as conn:
            _load(conn, src, res, skip_bad_rows, chunk_rows, rejected_path, progress, started, ctx)
    except Rejected as exc:
        res.status, res.errors, res.error_count = "rejected", exc.errors, exc.count
        res.seconds = time.perf_counter() - started
        res.rejected, res.inserted, res.updated, res.unchanged = res.rows_read, 0, 0, 0
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        res.status, res.message, res.error_count = "rejected", f"{src.path}: cannot be read: {exc}", 1
    res.seconds = time.perf_counter() - started
    if res.status != "rejected" and res.rejected:
        res.status, res.rejected_path = "loaded, rows rejected", rejected_path
    return res


def _context(conn: Connection) -> Context:
    territories: dict[str, str] = dict(conn.execute(text("SELECT code, timezone FROM territory")).all())
    found = conn.execute(
        text(
            "SELECT a.platform, a.account_id, a.id AS account_pk, t.timezone, a.territory_code FROM account a "
            "JOIN territory t ON t.code = a.territory_code"
        )
    )
    # Plain tuples: building 100,000 mappings costs more than the query.
    columns = ["platform", "account_id", "account_pk", "timezone", "territory_code"]
    accounts = pd.DataFrame([tuple(r) for r in found], columns=columns)
    return Context.now(territories, accounts)


def _load(
    conn: Connection,
    src: Source,
    res: FileResult,
    skip_bad_rows: bool,
    chunk_rows: int,
    rejected_path: Path,
    progress: Progress | None,
    started: float,
    ctx: Context | None = None,
) -> None:
    kind = src.kind.name
    ctx = ctx or _context(conn)
    timing = Timing.load(conn, ctx) if kind == "inquiries" else None
    stage = _create_stage(conn, kind)
    errors: list[pd.DataFrame] = []
    error_count = 0
    limit = get_settings().max_errors_shown
    rejected_path.unlink(missing_ok=True)
    # Registries are small and refer to themselves (parent codes): read them whole.
    rows = 10**9 if kind in REGISTRIES else chunk_rows
    for chunk, done in read_chunks(src, rows):
        res.rows_read += len(chunk)
        good, bad = validate(src.kind, chunk, src.decimal, ctx)
        if len(bad):
            error_count += len(bad)
            _collect_unknown(res.unknown, bad)
            if sum(len(e) for e in errors) < limit:
                errors.append(bad)
            if skip_bad_rows:
                _write_rejected(rejected_path, chunk, bad)
                res.rejected += int(bad["line"].nunique())
        if len(good):
            insert_frame(conn, stage, timing.add(good) if timing else good)
        if progress:
            progress(str(src.path), done, src.size)
    # Indexed after the bulk insert (cheaper than maintaining it row by row) for the duplicate and merge queries.
    keys = ", ".join([*KEYS[kind], *([src.kind.version_field] if src.kind.version_field else []), "_line"])
    conn.execute(text(f"CREATE INDEX {stage}_key ON {stage} ({keys})"))
    dupes = _duplicates(conn, kind, src.kind.version_field)
    if len(dupes):
        error_count += len(dupes)
        errors.append(dupes)
        if skip_bad_rows:
            _write_rejected(rejected_path, None, dupes)
            res.rejected += len(dupes)
            _drop_duplicates(conn, kind, src.kind.version_field)
    if error_count and not skip_bad_rows:
        raise Rejected(pd.concat(errors, ignore_index=True).head(limit), error_count)
    res.inserted, res.updated, res.unchanged = _merge(conn, kind)
    conn.execute(text(f"DROP TABLE {stage}"))
    res.errors = pd.concat(errors, ignore_index=True).head(limit) if errors else res.errors
    res.error_count = error_count
    conn.execute(
        table_of(models.LoadLog).insert(),
        {
            "sha256": src.sha256,
            "source_path": str(src.path),
            "kind": kind,
            "encoding": src.encoding,
            "delimiter": src.delimiter,
            "rows_read": res.rows_read,
            "rows_inserted": res.inserted,
            "rows_updated": res.updated,
            "rows_unchanged": res.unchanged,
            "rows_rejected": res.rejected,
            "duration_s": round(time.perf_counter() - started, 3),
            "loaded_at": dt.datetime.now(dt.UTC),
        },
    )


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
    """Time the answered inquiries stored without timing (an older database, a changed clock); how many."""
    if conn.execute(text(f"SELECT 1 FROM inquiry WHERE {UNTIMED} LIMIT 1")).first() is None:
        return 0
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
    """Forget the timing of the inquiries of the accounts `accounts_sql` selects (their clock changed); any?"""
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


def _collect_unknown(found: dict[str, set[str]], bad: pd.DataFrame) -> None:
    """Remember every unknown account or territory by name (not only those among the first errors shown)."""
    unknown = bad[bad["rule"].str.startswith("unknown")]
    for column, values in unknown.groupby("column")["value"]:
        names = found.setdefault(str(column), set())
        if len(names) < 10_000:
            names.update(values.astype(str))


def _write_rejected(path: Path, chunk: pd.DataFrame | None, bad: pd.DataFrame) -> None:
    reasons = (
        bad.assign(reason=bad["column"] + ": " + bad["rule"] + " (" + bad["value"].astype(str) + ")")
        .groupby("line")["reason"]
        .agg("; ".join)
    )
    if chunk is not None:
        rows = chunk[chunk["_line"].isin(reasons.index)].set_index("_line")
        rows.index.name = "line"
        out = rows.join(reasons).reset_index()
    else:
        out = reasons.reset_index()
    out.to_csv(path, mode="a", header=not path.exists(), index=False, encoding="utf-8")


# -- staging and merging ---------------------------------------------------------------------------------------


def _stage_columns(kind: str) -> list[tuple[str, Any]]:
    table = TARGETS[kind]
    cols = [(c.name, c.type) for c in table.columns if c.name not in DERIVED.get(kind, set())]
    if kind == "followers":
        cols.append(("handle", table_of(models.Account).c.handle.type))
    return cols


def _create_stage(conn: Connection, kind: str) -> str:
    name = f"stage_{kind}"
    cols = ", ".join(f"{n} {t.compile(dialect=conn.dialect)}" for n, t in _stage_columns(kind))
    conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
    conn.execute(text(f"CREATE TEMPORARY TABLE {name} ({cols}, _line INTEGER)"))
    return name


def _duplicates(conn: Connection, kind: str, version: str | None) -> pd.DataFrame:
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


def _drop_duplicates(conn: Connection, kind: str, version: str | None) -> None:
    keys = list(KEYS[kind]) + ([version] if version else [])
    conn.execute(
        text(
            f"DELETE FROM stage_{kind} WHERE EXISTS (SELECT 1 FROM stage_{kind} o WHERE "
            f"{' AND '.join(f'o.{k} = stage_{kind}.{k}' for k in keys)} AND o._line < stage_{kind}._line)"
        )
    )


def _merge(conn: Connection, kind: str) -> tuple[int, int, int]:
    """Upsert the staged rows into the target table; counts of inserted, updated and unchanged rows."""
    target = TARGETS[kind].name
    stage = f"stage_{kind}"
    keys = KEYS[kind]
    cols = [n for n, _ in _stage_columns(kind) if n != "handle" or kind != "followers"]
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
        mark_dirty(
            conn,
            f"SELECT account_pk, min(d) AS from_day FROM (SELECT account_pk, {day} AS d FROM {stage} "
            f"UNION ALL SELECT t.account_pk, t.{day} FROM {target} t JOIN {stage} s ON {on}) u GROUP BY account_pk",
        )
    moved = False
    if kind == "accounts":
        moved = untime(
            conn, f"SELECT t.id FROM {target} t JOIN {stage} s ON {on} WHERE t.territory_code <> s.territory_code"
        )
        mark_dirty(
            conn,
            f"SELECT t.id AS account_pk, :epoch AS from_day FROM {target} t JOIN {stage} s ON {on} "
            "WHERE t.territory_code <> s.territory_code OR t.owner_role <> s.owner_role",
            epoch=MOVED,
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
    if kind == "territories":
        resolve_ancestors(conn)
        if regrouped:
            # Territories moved to other regions: their days now count under those.
            sum_regions(conn)
    if kind == "followers":
        _record_handles(conn)
    if kind == "inquiries":
        record_data_times(conn, stage)
    elif moved:
        record_data_times(conn)
    return total - existing, existing - unchanged, unchanged


def _record_handles(conn: Connection) -> None:
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
