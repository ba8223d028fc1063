"""Loading validated files into the database: one transaction per file, idempotent, with a load log."""

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from etl.ingest.confine import outside
from etl.ingest.extract import Source, SourceError, expand, open_source, order_sources, read_chunks
from etl.ingest.headers import Mapping
from etl.ingest.merge import KEYS, create_stage, drop_duplicates, duplicates, merge
from etl.ingest.sheets import SheetError
from etl.ingest.timing import Timing, record_data_times, time_untimed
from etl.ingest.transform import ERROR_COLUMNS, Context, validate
from etl.settings import get_settings
from etl.store import models
from etl.store.audit import Actor, file_sha256, record
from etl.store.changes import changed
from etl.store.models import table_of
from etl.store.rollups import analyze_days, may_refresh, refresh_rollups
from etl.store.scope import insert_frame, read_frame, write_lock

Progress = Callable[[str, int, int], None]


class Rejected(Exception):
    """A file with bad rows, rejected whole."""

    def __init__(self, errors: pd.DataFrame, count: int, message: str = "") -> None:
        super().__init__(f"{count} error(s)")
        self.errors, self.count, self.message = errors, count, message


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
    sheet: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the file left no error behind."""
        return self.status in {"loaded", "already loaded"}


# The kinds of file that describe territories and pages rather than what happened to them.
REGISTRIES = {"territories", "accounts"}


# Why a database refuses every file: it may only be read.
READ_ONLY = (
    "this database takes no writes here (a read replica, or a role that may only read): load files through the "
    "primary server, as a role that may write (docs/deploy.md)"
)


def load_paths(
    engine: Engine,
    paths: Sequence[Path],
    *,
    skip_bad_rows: bool = False,
    chunk_rows: int | None = None,
    progress: Progress | None = None,
    mapping: Mapping | None = None,
    sheet: str | None = None,
    actor: Actor | None = None,
) -> list[FileResult]:
    """Load files and folders (territories, then accounts, then the rest) and bring the rollups up to date; `mapping`
    gives the user's own headers, `sheet` the sheet to read of each workbook (else its first). With an `actor`, each
    file is audited, and one with any row outside the actor's territory is rejected whole."""
    chunk_rows = chunk_rows or get_settings().chunk_rows
    results: list[FileResult] = []
    sources: list[Source] = []
    with engine.connect() as conn:
        if not may_refresh(conn):
            # Nothing can be written, not even the audit of a refusal: every file is refused, unread.
            return [FileResult(path=p, status="rejected", message=f"{p}: {READ_ONLY}", error_count=1) for p in paths]
    for given in paths:
        found = expand([given])
        if given.is_dir() and not found:
            message = f"{given}: no file to load in this folder (CSV, TSV, TXT or XLSX files are loaded)"
            results.append(FileResult(path=given, status="rejected", message=message, error_count=1))
            audit(engine, actor, results[-1])
        for path in found:
            try:
                sources.append(open_source(path, mapping, sheet))
            except SourceError as exc:
                results.append(FileResult(path=path, status="rejected", message=str(exc), error_count=1))
                audit(engine, actor, results[-1])
    ctx: Context | None = None
    for src in order_sources(sources):
        # One registry look-up for the fact files of a delivery (they come after the registries, which change it).
        registry = src.kind.name in REGISTRIES
        if ctx is None and not registry:
            with engine.connect() as conn:
                ctx = _context(conn)
        res = load_source(
            engine, src, skip_bad_rows=skip_bad_rows, chunk_rows=chunk_rows, progress=progress,
            ctx=None if registry else ctx, actor=actor,
        )  # fmt: skip
        results.append(res)
        if registry:
            ctx = None
    with engine.begin() as conn:
        write_lock(conn)
        time_untimed(conn)
        if conn.execute(text("SELECT 1 FROM datatime LIMIT 1")).first() is None:
            record_data_times(conn)
        refresh_rollups(conn)
        wrote = any(r.inserted or r.updated for r in results)
        if wrote:
            changed(conn, "load")
    if wrote:
        with engine.begin() as conn:
            analyze_days(conn)
    return results


def load_source(
    engine: Engine,
    src: Source,
    *,
    skip_bad_rows: bool,
    chunk_rows: int,
    progress: Progress | None = None,
    ctx: Context | None = None,
    actor: Actor | None = None,
) -> FileResult:
    """Load one detected file in one transaction (validated against `ctx`, else the registry as it is now); a file
    with bad rows is rejected whole unless told otherwise; the `actor`'s load is audited (with the data when loaded)
    and confined to its territory."""
    started = time.perf_counter()
    res = FileResult(path=src.path, kind=src.kind.name, dialect=src.dialect, ignored=src.ignored, sheet=src.sheet)
    with engine.connect() as conn:
        seen = conn.execute(
            text("SELECT loaded_at FROM loadlog WHERE sha256 = :h ORDER BY loaded_at LIMIT 1"), {"h": src.sha256}
        ).first()
    if seen is not None:
        res.status, res.message = "already loaded", f"same content loaded at {str(seen[0])[:19]}"
        audit(engine, actor, res)
        return res
    rejected_path = src.path.with_name(src.path.stem + ".rejected.csv")
    try:
        with engine.begin() as conn:
            write_lock(conn)
            _load(conn, src, res, skip_bad_rows, chunk_rows, rejected_path, progress, started, ctx, actor)
    except Rejected as exc:
        res.status, res.errors, res.error_count, res.message = "rejected", exc.errors, exc.count, exc.message
        res.seconds = time.perf_counter() - started
        res.rejected, res.inserted, res.updated, res.unchanged = res.rows_read, 0, 0, 0
    except SourceError as exc:
        res.status, res.message, res.error_count = "rejected", str(exc), 1
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, SheetError) as exc:
        res.status, res.message, res.error_count = "rejected", f"{src.path}: cannot be read: {exc}", 1
    res.seconds = time.perf_counter() - started
    if res.status != "rejected" and res.rejected:
        res.status, res.rejected_path = "loaded, rows rejected", rejected_path
    if res.status == "rejected":
        audit(engine, actor, res)
    return res


def audit(engine: Engine, actor: Actor | None, res: FileResult, conn: Connection | None = None) -> None:
    """Record an actor's load of a file (on `conn`: in the file's own transaction)."""
    if actor is None:
        return
    if conn is None:
        with engine.begin() as own:
            return audit(engine, actor, res, own)
    # An upload's folder is the server's temporary one: its name only.
    name = res.path.name if actor.via == "web" else str(res.path)
    detail = res.message.replace(str(res.path), name)
    if res.status == "rejected" and not detail:
        detail = f"{res.error_count:,} error(s)"
    loaded = res.status not in {"rejected", "already loaded"}
    accepted = res.rows_read - res.rejected if loaded else 0
    rejected = res.rows_read if res.status == "rejected" else res.rejected
    status = "loaded" if loaded else res.status
    record(conn, actor, "load", name, status, sha256=file_sha256(res.path), accepted=accepted, rejected=rejected,
           detail=detail.splitlines()[0] if detail else "")  # fmt: skip


def _context(conn: Connection) -> Context:
    territories: dict[str, str] = dict(conn.execute(text("SELECT code, timezone FROM territory")).all())
    # The driver's own rows: SQLAlchemy's for 200,000 pages cost more than the query.
    accounts = read_frame(
        conn,
        text(
            "SELECT a.platform, a.account_id, a.id AS account_pk, t.timezone, a.territory_code FROM account a "
            "JOIN territory t ON t.code = a.territory_code"
        ),
        raw=True,
    )
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
    actor: Actor | None = None,
) -> None:
    kind = src.kind.name
    ctx = ctx or _context(conn)
    timing = Timing.load(conn, ctx) if kind == "inquiries" else None
    stage = create_stage(conn, kind)
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
    dupes = duplicates(conn, kind, src.kind.version_field)
    if len(dupes):
        error_count += len(dupes)
        errors.append(dupes)
        if skip_bad_rows:
            _write_rejected(rejected_path, None, dupes)
            res.rejected += len(dupes)
            drop_duplicates(conn, kind, src.kind.version_field)
    if actor is not None and actor.territory:
        # Never loaded in part: a file reaching outside the territory is its region's to load.
        found, where = outside(conn, kind, actor.territory)
        if len(found):
            shown = pd.concat([*errors, found], ignore_index=True).sort_values("line", kind="stable").head(limit)
            reason = f"{src.path}: {len(found)} row(s) outside the territory {actor.territory}: of {where}"
            raise Rejected(shown, error_count + len(found), reason)
    if error_count and not skip_bad_rows:
        raise Rejected(pd.concat(errors, ignore_index=True).head(limit), error_count)
    res.inserted, res.updated, res.unchanged = merge(conn, kind)
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
    audit(conn.engine, actor, res, conn)


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
