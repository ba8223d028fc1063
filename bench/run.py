"""`make bench`: every measurement of docs/performance.md in one run; JSON in bench/results/, the tables in the doc.

Sections (BENCH_SKIP=a,profile,… leaves some out; a section left out keeps its figures from
bench/results/latest.json, and the tables name the run, commit and machine they come from):
  gen      the national generator's speed (measured while (a) and `national` make their CSV files)
  a        10 M follower rows into an empty database with `govpulse load`, against the sqlite3 CLI's floor
  profile  cProfile of `govpulse load` on 1 M follower rows: where the loader's time goes
  national the national database for b–d and f: `demo --scale national` files loaded with `govpulse load`
  b        one new day for every page loaded into the national database
  c        every dashboard query and kpi_table on the national database (bench/queries.py)
  d        first render of every dashboard page in Chromium, and the server's memory (bench/browser.py)
  f        the largest country's briefing pack on the national database, PPTX and PDF (bench/brief_national.py)
  e        the working-time engine on 10 M inquiries (bench/worktime_bench.py)
  demo     the demo database for brief and collect: `govpulse demo` (bench/demo_bench.py)
  brief    `govpulse brief` on the demo, both packs, PPTX and PDF (bench/brief_bench.py)
  collect  the VK collector against a local server: its own overhead, and a night of the demo's Altai Krai
           (bench/collect_bench.py)
  kill     `govpulse load` of 1 M follower rows killed at 20 random moments, then loaded again (bench/kill.py)
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import demo_bench, report
from bench.common import (
    RESULTS,
    ROOT,
    TARGETS,
    Config,
    Measured,
    Run,
    Section,
    db_env,
    log,
    profile_summary,
    run,
    scrub,
    sqlite_url,
    write_json,
)
from bench.kill import kill_load
from bench.national import (
    child_json,
    count,
    generate,
    generation,
    increment,
    load,
    national,
    national_pg,
    reachable,
)
from bench.replica import NoStandby, standby

TARGET_RATIO = TARGETS["a_ratio"]
TARGET_LOAD_RSS_MB = TARGETS["a_peak_rss_mb"]


def _days(end: dt.date, months: int) -> int:
    from etl.demo import months_before

    return (end - months_before(end, months)).days + 1


def floor(followers: Path, database: Path) -> dict[str, Any]:
    """The physical floor: the sqlite3 CLI imports the CSV into a bare table in one transaction, then indexes it."""
    sqlite = shutil.which("sqlite3")
    if sqlite is None:
        raise RuntimeError("the sqlite3 command-line tool is missing: apt-get install -y sqlite3")
    database.unlink(missing_ok=True)
    script = (
        "CREATE TABLE followers (date TEXT, platform TEXT, account_id TEXT, followers INTEGER, "
        "posts_total INTEGER, handle TEXT);\nBEGIN;\n"
        f'.import --csv --skip 1 "{followers}" followers\nCOMMIT;\n'
    )
    imported = _sqlite(sqlite, database, script)
    index = _sqlite(sqlite, database, "CREATE UNIQUE INDEX followers_key ON followers (platform, account_id, date);\n")
    rows = count(sqlite_url(database), "SELECT count(*) FROM followers")
    version = subprocess.run([sqlite, "--version"], capture_output=True, text=True).stdout.split()[0]
    database.unlink(missing_ok=True)
    return {
        "import_s": imported.seconds,
        "index_s": index.seconds,
        "seconds": imported.seconds + index.seconds,
        "rows": rows,
        "sqlite3_cli": version,
    }


def _sqlite(sqlite: str, database: Path, script: str) -> Measured:
    path = database.with_suffix(".sql")
    path.write_text(script, encoding="utf-8")
    try:
        return run([sqlite, str(database), f".read {path}"]).check("sqlite3")
    finally:
        path.unlink()


def bench_load(cfg: Config, work: Path) -> dict[str, Any]:
    """(a) and the generator's speed on the way."""
    days = _days(cfg.end, 12)
    accounts = math.ceil(cfg.rows / days)
    folder = work / "a"
    log(f"a: generating {accounts:,} pages × {days} days")
    gen = generation(generate(folder, accounts, 12, cfg.end), folder)
    for kind in ("posts", "inquiries"):
        (folder / f"{kind}.csv").unlink()
    followers = folder / "followers.csv"
    log(f"a: floor, sqlite3 .import of {gen['rows']['followers']:,} rows")
    flo = floor(followers, work / "floor.db")
    database = work / "a.db"
    log("a: govpulse load territories, accounts, followers")
    loaded = load(sqlite_url(database), [folder / "territories.csv", folder / "accounts.csv", followers])
    loaded["accountday_rows"] = count(sqlite_url(database), "SELECT count(*) FROM accountday")
    loaded["followersnapshot_rows"] = count(sqlite_url(database), "SELECT count(*) FROM followersnapshot")
    loaded["db_mb"] = database.stat().st_size / 2**20
    for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        path.unlink(missing_ok=True)
    shutil.rmtree(folder)
    ratio = loaded["seconds"] / flo["seconds"]
    followers_ratio = loaded["files_s"].get("followers", float("nan")) / flo["seconds"]
    return {
        "accounts": accounts,
        "days": days,
        "generation": gen,
        "floor": flo,
        "load": loaded,
        "ratio": ratio,
        "followers_file_ratio": followers_ratio,
        "target_ratio": TARGET_RATIO,
        "target_peak_rss_mb": TARGET_LOAD_RSS_MB,
    }


def profile_load(cfg: Config, work: Path) -> dict[str, Any]:
    """cProfile of `govpulse load` on `profile_rows` follower rows: the loader's own functions and the hot spots."""
    days = _days(cfg.end, 12)
    accounts = math.ceil(cfg.profile_rows / days)
    folder = work / "profile"
    generate(folder, accounts, 12, cfg.end)
    database, out = work / "profile.db", work / "load.prof"
    database.unlink(missing_ok=True)
    files = [str(folder / f"{k}.csv") for k in ("territories", "accounts", "followers")]
    cmd = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "etl", "load", *files]
    m = run(cmd, env=db_env(database)).check("cProfile govpulse load")
    summary = profile_summary(out)
    shutil.rmtree(folder)
    for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm"), out):
        path.unlink(missing_ok=True)
    return {"rows": accounts * days, "wall_s": m.seconds, **summary}


def worktime(cfg: Config) -> dict[str, Any]:
    """(e) bench/worktime_bench.py as it is, run as a child; its printed figures parsed, one entry per step."""
    m = run(
        [sys.executable, str(ROOT / "bench" / "worktime_bench.py"), str(cfg.inquiries)], env={"PYTHONPATH": str(ROOT)}
    )
    steps = [
        {"step": label.strip(), "rows": int(rows.replace(",", "")), "first_s": float(first), "best_s": float(best)}
        for label, rows, first, best in re.findall(
            r"^(.+?)\s+([\d,]+) rows\s+first\s+([\d.]+) s\s+best\s+([\d.]+) s", m.stdout, re.M
        )
    ]
    # The first version printed one line: "N inquiries in 3 zones: working_minutes first call X s, best Y s".
    steps += [
        {"step": "working_minutes", "rows": cfg.inquiries, "first_s": float(first), "best_s": float(best)}
        for first, best in re.findall(r"first call ([\d.]+) s, best ([\d.]+) s", m.stdout)
    ]
    return {
        "inquiries": cfg.inquiries,
        "steps": steps,
        "returncode": m.returncode,
        "wall_s": m.seconds,
        "peak_rss_mb": m.peak_rss_mb,
        "output": (m.stdout + m.stderr)[-3000:],
        "target_per_10m_rows_s": TARGETS["e_per_10m_rows_s"],
    }


def _machine() -> dict[str, Any]:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "etl", "dashboard"], capture_output=True, text=True, cwd=ROOT
    )
    meminfo = Path("/proc/meminfo").read_text()
    total = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1)) / 2**20  # type: ignore[union-attr]
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(total, 1),
        "python": platform.python_version(),
        "sqlite_library": sqlite3.sqlite_version,
        "commit": commit.stdout.strip(),
        "uncommitted_changes_in_etl_or_dashboard": bool(dirty.stdout.strip()),
        "load_average_at_start": os.getloadavg(),
    }


def _follows(r: Run, section: str) -> bool:
    """A PostgreSQL section comes later in this run (and will load the files SQLite's section generated)."""
    return bool(r.cfg.postgres_url) and section in {s.name for s in chosen(r.cfg.skip, postgres=True)}


def _national(r: Run) -> dict[str, Any]:
    r.database, info, r.national_files = national(r.cfg, r.work, keep_files=_follows(r, "national_pg"))
    return info


def _national_pg(r: Run) -> dict[str, Any]:
    r.database_pg = r.cfg.postgres_url
    info = national_pg(r.cfg, r.work, r.database_pg, r.national_files)
    r.national_files = None
    return info


def _on_national(module: str, pg: bool = False) -> Callable[[Run], dict[str, Any]]:
    def measure(r: Run) -> dict[str, Any]:
        if pg:
            assert r.database_pg is not None
            return {"database": r.results["national_pg"]["database"], **child_json(module, r.database_pg, r.work)}
        assert r.database is not None
        return child_json(module, r.database, r.work)

    return measure


def _replica(r: Run) -> dict[str, Any]:
    assert r.database_pg is not None
    try:
        with standby(r.database_pg) as (url, info):
            return {"database": r.results["national_pg"]["database"], "standby": info,
                    **child_json("browser", url, r.work)}  # fmt: skip
    except NoStandby as why:
        return {"error": f"no standby: {why}"}


def _increment(r: Run) -> dict[str, Any]:
    assert r.database is not None
    return increment(r.cfg, r.work, r.database, r.results["national"], keep_files=_follows(r, "b_pg"))


def _increment_pg(r: Run) -> dict[str, Any]:
    assert r.database_pg is not None
    info = r.results["national_pg"]
    return {"database": info["database"], **increment(r.cfg, r.work, r.database_pg, info, keep_files=False)}


NATIONAL_SCALE = ("accounts", "months")
# Every section of a run, in order. A section left out of a run (BENCH_SKIP) keeps its figures from the latest run,
# with the time, commit, machine and scale they were measured at. A new section is one function and one line here
# (and its rows in bench/report.py).
SECTIONS: tuple[Section, ...] = (
    Section("a", lambda r: bench_load(r.cfg, r.work), ("rows",)),
    Section("profile", lambda r: profile_load(r.cfg, r.work), ("profile_rows",)),
    Section("national", _national, NATIONAL_SCALE),
    Section("national_pg", _national_pg, NATIONAL_SCALE, postgres=True),
    Section("b", _increment, NATIONAL_SCALE, needs="national"),
    Section("b_pg", _increment_pg, NATIONAL_SCALE, needs="national_pg", postgres=True),
    Section("c", _on_national("queries"), (*NATIONAL_SCALE, "query_runs"), needs="national"),
    Section("c_pg", _on_national("queries", pg=True), (*NATIONAL_SCALE, "query_runs"), "national_pg", postgres=True),
    Section("d", _on_national("browser"), NATIONAL_SCALE, needs="national"),
    Section("d_pg", _on_national("browser", pg=True), NATIONAL_SCALE, needs="national_pg", postgres=True),
    Section("d_replica", _replica, NATIONAL_SCALE, needs="national_pg", postgres=True),
    Section("f", _on_national("brief_national"), (*NATIONAL_SCALE, "brief_runs"), needs="national"),
    Section("f_pg", _on_national("brief_national", pg=True), (*NATIONAL_SCALE, "brief_runs"), "national_pg", True),
    Section("e", lambda r: worktime(r.cfg), ("inquiries",)),
    Section("demo", demo_bench.build),
    Section("brief", demo_bench.brief, ("brief_runs",), needs="demo"),
    Section("collect", demo_bench.collect, ("collect_pages",), needs="demo"),
    Section("kill", lambda r: kill_load(r.cfg, r.work), ("kill_rows",)),
)
# Not a section of its own: the generator is timed while (a) and the national section make their files.
MEASURED_WITHIN = {"gen": ("a", "national", "national_pg")}


def chosen(skip: frozenset[str], postgres: bool = False) -> list[Section]:
    """The sections a run measures: those not skipped, a database section only when a section needs it, the
    PostgreSQL ones only with a PostgreSQL database (BENCH_POSTGRES_URL)."""
    unknown = skip - {s.name for s in SECTIONS} - set(MEASURED_WITHIN)
    if unknown:
        known = ",".join([*MEASURED_WITHIN, *(s.name for s in SECTIONS)])
        raise SystemExit(f"BENCH_SKIP: no section {', '.join(sorted(unknown))} (the sections: {known})")
    skip |= {s.name for s in SECTIONS if s.postgres and not postgres}
    wanted = [s for s in SECTIONS if s.name not in skip and (s.needs is None or s.needs not in skip)]
    needed = {s.needs for s in wanted}
    return [s for s in wanted if s.name in needed or s.name not in {t.needs for t in SECTIONS}]


def _carry_over(results: dict[str, Any], latest: Path) -> None:
    """Fill the sections this run left out from `latest`, whatever their scale, naming each one's run in `carried`."""
    if not latest.exists():
        return
    before = json.loads(latest.read_text(encoding="utf-8"))
    carried: dict[str, str] = {}
    for section in (s.name for s in SECTIONS):
        old = before.get(section)
        when = before.get("carried", {}).get(section, before["started"])
        if old is not None and section not in results:
            results[section], carried[section] = old, when
            # What that run had itself carried for the section (a reused database's build) goes with it.
            carried |= {k: v for k, v in before.get("carried", {}).items() if k.startswith(f"{section} ")}
        elif section in ("national", "national_pg") and old and "reused" in results.get(section, {}) and "load" in old:
            # The reused database was built by that run: its generation and load figures.
            results[section] |= {k: old[k] for k in ("generation", "load", "files", "vacuum_analyze_s") if k in old}
            build = f"{section} build"
            carried[build] = before.get("carried", {}).get(build, when)
    results["carried"] = carried


def measure(section: Section, r: Run, machine: dict[str, Any]) -> dict[str, Any]:
    """One section's figures, stamped with when, where and at what scale they were measured."""
    at, load = dt.datetime.now().isoformat(timespec="seconds"), os.getloadavg()[0]
    started = time.perf_counter()
    out = section.measure(r)
    out["measured"] = {
        "at": at,
        "wall_s": time.perf_counter() - started,
        "load_average": [load, os.getloadavg()[0]],
        "scale": {k: getattr(r.cfg, k) for k in section.scale},
        "results_file": r.results["results_file"],
        **{k: v for k, v in machine.items() if not k.startswith("load_average")},
    }
    return out


def main() -> None:
    """Run every section that is not skipped, write the JSON and the docs table."""
    cfg = Config.from_env()
    sections = chosen(cfg.skip, postgres=bool(cfg.postgres_url))
    if any(s.postgres for s in sections):
        reachable(cfg.postgres_url)
    work = cfg.workdir / f"run-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now()
    name = f"{now:%Y-%m-%d-%H%M}.json"
    results: dict[str, Any] = {
        "started": now.isoformat(timespec="seconds"),
        "results_file": name,
        "config": cfg.as_dict(),
        "machine": _machine(),
        "targets": TARGETS,
    }
    r = Run(cfg, work, results)
    log(f"scale: {cfg.as_dict()}; sections {', '.join(s.name for s in sections)}; scratch folder {work}")
    if not cfg.postgres_url:
        log("PostgreSQL: not measured (BENCH_POSTGRES_URL=postgresql+psycopg://… names a database the run may empty)")
    try:
        for section in sections:
            log(f"{section.name}: started")
            results[section.name] = measure(section, r, results["machine"])
    finally:
        results["finished"] = dt.datetime.now().isoformat(timespec="seconds")
        results["machine"]["load_average_at_end"] = os.getloadavg()
        _carry_over(results, cfg.results / "latest.json")
        write_json(cfg.results / name, results)
        write_json(cfg.results / "latest.json", results)
        if not cfg.keep:
            shutil.rmtree(work, ignore_errors=True)
    # docs/performance.md is written from bench/results/ only; results kept elsewhere (BENCH_RESULTS) are printed.
    if cfg.results.resolve() == RESULTS.resolve():
        report.update()
    print(scrub(report.render(cfg.results)))


if __name__ == "__main__":
    main()
