"""The national database of sections b–d, on SQLite and on PostgreSQL: built from the same generated files, read
through its URL (the load log, row counts, size), one new day loaded into it, the query and page benches run on it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, make_url

from bench.common import (
    TARGETS,
    Config,
    Measured,
    db_env,
    govpulse,
    govpulse_itself,
    lines,
    log,
    profile_summary,
    run,
    scrub,
    sqlite_url,
)

TARGET_GENERATION_S = TARGETS["gen_s"]
FULL_YEAR_FOLLOWER_ROWS = TARGETS["gen_follower_rows"]
TARGET_INCREMENT_S = TARGETS["b_s"]
TABLES = ("account", "followersnapshot", "post", "inquiry", "accountday", "territoryday")
# The server settings a PostgreSQL run records (docs/deploy.md, section 2, says how to size them).
PG_SETTINGS = ("shared_buffers", "work_mem", "maintenance_work_mem", "effective_cache_size", "fsync",
               "synchronous_commit")  # fmt: skip


def generate(folder: Path, accounts: int, months: int, end: dt.date, *extra: str) -> Measured:
    """`govpulse demo --scale national --no-load` into a fresh folder, timed."""
    shutil.rmtree(folder, ignore_errors=True)
    cmd = govpulse("demo", "--scale", "national", "--no-load", "--out", str(folder), "--accounts", str(accounts))
    return run([*cmd, "--months", str(months), "--end", end.isoformat(), *extra]).check("demo --scale national")


def generation(m: Measured, folder: Path) -> dict[str, Any]:
    """The generator's figures: its time, memory, rows and speed."""
    rows = {p.stem: lines(p) for p in sorted(folder.glob("*.csv"))}
    total = sum(rows[k] for k in ("followers", "posts", "inquiries") if k in rows)
    return {
        "seconds": m.seconds,
        "peak_rss_mb": m.peak_rss_mb,
        "rows": rows,
        "rows_per_s": total / m.seconds,
        "csv_mb": sum(p.stat().st_size for p in folder.glob("*.csv")) / 2**20,
        "target_s": TARGET_GENERATION_S,
        "target_follower_rows": FULL_YEAR_FOLLOWER_ROWS,
    }


@contextmanager
def connected(url: str, **options: Any) -> Iterator[Connection]:
    """A connection to the database of `url`, its engine disposed of afterwards (the bench's commands open their
    own)."""
    engine = create_engine(url, **options)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def count(url: str, sql: str) -> Any:
    """The first value of one statement's answer."""
    with connected(url) as conn:
        return conn.execute(text(sql)).scalar()


def _loadlog(url: str) -> dict[str, float]:
    with connected(url) as conn:
        if not inspect(conn).has_table("loadlog"):
            return {}
        rows = conn.execute(text("SELECT kind, sum(duration_s) FROM loadlog GROUP BY kind")).all()
    return {kind: float(seconds) for kind, seconds in rows}


def _exists(url: str) -> bool:
    database = make_url(url).database
    return not url.startswith("sqlite") or bool(database and Path(database).exists())


def load(url: str, files: list[Path], alerts: bool = False) -> dict[str, Any]:
    """`govpulse load` as a child process (with `alerts`, the command itself, which then judges the alerts: else the
    load alone): wall time, peak RSS, seconds per kind from the load log, the rest."""
    before = _loadlog(url) if _exists(url) else {}
    m = run(_command(alerts, "load", *map(str, files)), env=db_env(url)).check("govpulse load")
    per_kind = {k: v - before.get(k, 0.0) for k, v in _loadlog(url).items()}
    per_kind = {k: round(v, 2) for k, v in per_kind.items() if v > 0}
    return {
        "seconds": m.seconds,
        "peak_rss_mb": m.peak_rss_mb,
        "files_s": per_kind,
        # Interpreter start, imports, the rollup refresh and the commit: everything outside the per-file log.
        "rest_s": m.seconds - sum(per_kind.values()),
        "summary": m.stdout[-2500:],
    }


def _command(alerts: bool, *args: str) -> list[str]:
    """`govpulse` itself (what it does after a load included: the alerts) or the load alone (`python -m etl`)."""
    return govpulse_itself(*args) if alerts else govpulse(*args)


def contents(url: str) -> dict[str, Any]:
    """Rows of the national tables, the first and last day, and the size on disk (MB)."""
    with connected(url) as conn:
        out: dict[str, Any] = {
            f"{table}_rows": conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() for table in TABLES
        }
        first, last = conn.execute(text("SELECT min(day), max(day) FROM followersnapshot")).one()
        if conn.dialect.name == "postgresql":
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar() or 0
        else:
            size = Path(str(make_url(url).database)).stat().st_size
    # The day as SQLite stores it (text), whatever the database returns.
    return out | {"first_day": str(first), "last_day": str(last), "db_mb": size / 2**20}


def national(cfg: Config, work: Path, keep_files: bool) -> tuple[str, dict[str, Any], Path | None]:
    """The SQLite national database: reused from BENCH_NATIONAL_DB, or generated and loaded (both timed); its URL,
    figures, and the generated files when `keep_files` (for PostgreSQL)."""
    files = None
    if cfg.national_db and cfg.national_db.exists():
        url = sqlite_url(cfg.national_db)
        info: dict[str, Any] = {"reused": str(cfg.national_db)}
    else:
        url = sqlite_url(cfg.national_db or work / "national.db")
        folder = work / "national"
        log(f"national: generating {cfg.accounts:,} pages × {cfg.months} months")
        info = {"generation": generation(generate(folder, cfg.accounts, cfg.months, cfg.end), folder)}
        log("national: govpulse load")
        info["load"] = load(url, [folder])
        files = folder
        if not keep_files:
            shutil.rmtree(folder)
            files = None
    return url, info | contents(url), files


def postgres_server(url: str) -> dict[str, Any]:
    """The PostgreSQL server's version and the settings that size it."""
    with connected(url) as conn:
        version = str(conn.execute(text("SHOW server_version")).scalar())
        settings = {name: conn.execute(text(f"SHOW {name}")).scalar() for name in PG_SETTINGS}
    return {"version": version, "settings": settings}


def reachable(url: str) -> None:
    """Refuse, in one line and before anything is measured, a BENCH_POSTGRES_URL that is not a PostgreSQL database
    the bench can reach (the URL shown with its password masked)."""
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from etl.settings import masked_url

    try:
        if make_url(url).get_backend_name() != "postgresql":
            raise SystemExit(f"BENCH_POSTGRES_URL: {masked_url(url)} is not a PostgreSQL URL "
                             "(postgresql+psycopg://user@host:port/db)")  # fmt: skip
        postgres_server(url)
    except (ArgumentError, ValueError, SQLAlchemyError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise SystemExit(scrub(f"BENCH_POSTGRES_URL: cannot connect to {masked_url(url)}: {reason}")) from None


def empty(url: str) -> list[str]:
    """Drop every table of the database's search path (the bench owns the database); the tables dropped."""
    with connected(url) as conn:
        names = inspect(conn).get_table_names()
        if names:
            conn.execute(text("DROP TABLE " + ", ".join(f'"{n}"' for n in names) + " CASCADE"))
            conn.commit()
    return names


def vacuum_analyze(url: str) -> float:
    """Seconds of `VACUUM ANALYZE` of the whole database (outside a transaction, as it must be)."""
    with connected(url, isolation_level="AUTOCOMMIT") as conn:
        started = time.perf_counter()
        conn.execute(text("VACUUM ANALYZE"))
        return time.perf_counter() - started


def national_pg(cfg: Config, work: Path, url: str, files: Path | None) -> dict[str, Any]:
    """The PostgreSQL national database, emptied and loaded from the files `national` generated (or generated
    here when it made none), then `VACUUM ANALYZE` as docs/deploy.md tells operators; each step timed."""
    server = postgres_server(url)
    version = server["version"].split()[0]
    info: dict[str, Any] = {"database": f"postgresql {version}", "server": server}
    if cfg.postgres_reuse:
        found = contents(url)
        if not found["account_rows"]:
            raise SystemExit("BENCH_POSTGRES_REUSE: the database of BENCH_POSTGRES_URL holds no pages to reuse")
        log(f"national_pg: PostgreSQL {version}, the national database as a run before left it")
        return info | {"reused": "the database of BENCH_POSTGRES_URL"} | found
    log(f"national_pg: PostgreSQL {version}, emptying the database ({len(empty(url))} tables dropped)")
    if files is None:
        files = work / "national"
        log(f"national_pg: generating {cfg.accounts:,} pages × {cfg.months} months")
        info["generation"] = generation(generate(files, cfg.accounts, cfg.months, cfg.end), files)
    else:
        info["files"] = "generated by the section national"
    log("national_pg: govpulse load")
    info["load"] = load(url, [files])
    shutil.rmtree(files)
    log("national_pg: VACUUM ANALYZE")
    info["vacuum_analyze_s"] = vacuum_analyze(url)
    return info | contents(url)


def _day_files(cfg: Config, work: Path, accounts: int, day: dt.date) -> Path:
    """One day of every page's followers, posts and inquiries, generated once per run (SQLite and PostgreSQL load
    the same files)."""
    folder = work / f"day-{day}-{accounts}"
    if not (folder / "followers.csv").exists():
        _ = generate(folder, accounts, cfg.months, day, "--only-day", day.isoformat())
    return folder


def increment(cfg: Config, work: Path, url: str, info: dict[str, Any], keep_files: bool) -> dict[str, Any]:
    """(b) The next day's followers, posts and inquiries of every page, loaded into the national database by the
    command people run (`govpulse load`, which judges the alerts after the load).

    When it misses its target, the day after is loaded under cProfile to show where the time goes, and the start-up
    of the command alone (`govpulse load --help`: interpreter and imports) is timed.
    """
    day = dt.date.fromisoformat(str(info["last_day"])[:10]) + dt.timedelta(days=1)
    if day > dt.date.today():
        return {"skipped": f"the database already reaches {info['last_day']}; a new day would be in the future"}
    accounts = int(info["account_rows"])
    folder = _day_files(cfg, work, accounts, day)
    rows = {p.stem: lines(p) for p in folder.glob("*.csv")}
    log(f"loading {day} ({rows})")
    loaded = load(url, sorted(folder.glob("*.csv")), alerts=True)
    out: dict[str, Any] = {"day": day.isoformat(), "rows": rows, **loaded, "alerts": True}
    out["target_s"] = TARGET_INCREMENT_S
    starts = [run(govpulse("load", "--help")).seconds for _ in range(3)]
    out["startup_s"] = min(starts)
    nxt = day + dt.timedelta(days=1)
    done = [folder]
    if loaded["seconds"] > TARGET_INCREMENT_S and nxt <= dt.date.today():
        log(f"profiling the next day's load ({nxt})")
        done.append(_day_files(cfg, work, accounts, nxt))
        prof = work / "increment.prof"
        cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), *_command(True, "load")[1:]]
        m = run([*cmd, *map(str, sorted(done[-1].glob("*.csv")))], env=db_env(url)).check("cProfile load")
        out["profile"] = {"day": nxt.isoformat(), "wall_s": m.seconds, **profile_summary(prof)}
        prof.unlink()
    if not keep_files:
        for path in done:
            shutil.rmtree(path)
    return out


def child_json(module: str, url: str, work: Path) -> dict[str, Any]:
    """Run a bench module that writes JSON, against the national database of `url`."""
    out = work / f"{module}-{make_url(url).get_backend_name()}.json"
    m = run([sys.executable, "-m", f"bench.{module}", str(out)], env=db_env(url))
    if m.returncode != 0:
        return {"error": (m.stderr or m.stdout)[-3000:]}
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    data["wall_s"] = m.seconds
    data["peak_rss_mb"] = m.peak_rss_mb
    return data
