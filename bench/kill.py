"""(kill) `govpulse load` of a follower file killed with SIGKILL at 20 random moments: the database passes its integrity
check, the file is loaded all or nothing, and loading it again gives the clean load's report."""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from bench.common import Config, db_env, lines, log, run
from bench.common import govpulse_itself as govpulse

MOMENTS = 20
SEED = 2019


def _remove(database: Path) -> None:
    """An SQLite database and its write-ahead log."""
    for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        path.unlink(missing_ok=True)


def _fresh(source: Path, database: Path) -> None:
    """`database` as a copy of `source` (SQLite's online backup: whatever is still in its write-ahead log too)."""
    _remove(database)
    with sqlite3.connect(source) as src, sqlite3.connect(database) as dst:
        src.backup(dst)


def _report(database: Path, end: dt.date) -> str:
    """`govpulse report` of every region over the last 90 days, as CSV."""
    start = end - dt.timedelta(days=89)
    args = ["report", "--level", "region", "--from", start.isoformat(), "--to", end.isoformat(), "--format", "csv"]
    return run(govpulse(*args), env=db_env(database)).check("govpulse report").stdout


def _state(database: Path) -> dict[str, Any]:
    """What a killed load left: the integrity check, the files in the load log, the rows, the rollups' queue."""
    with sqlite3.connect(database) as conn:
        return {
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
            "logged": conn.execute("SELECT count(*) FROM loadlog WHERE kind = 'followers'").fetchone()[0],
            "rows": conn.execute("SELECT count(*) FROM followersnapshot").fetchone()[0],
            "rollups_behind": conn.execute("SELECT count(*) FROM rollupdirty").fetchone()[0] > 0,
        }


def kill_load(cfg: Config, work: Path) -> dict[str, Any]:
    """Load `kill_rows` follower rows cleanly once, then kill the same load at MOMENTS random moments of its duration
    and check each database, load again and compare the report with the clean one."""
    from etl.demo import months_before

    days = (cfg.end - months_before(cfg.end, 12)).days + 1
    accounts = math.ceil(cfg.kill_rows / days)
    folder = work / "kill"
    shutil.rmtree(folder, ignore_errors=True)
    log(f"kill: generating {accounts:,} pages × {days} days")
    cmd = govpulse("demo", "--scale", "national", "--no-load", "--out", str(folder), "--accounts", str(accounts))
    run([*cmd, "--months", "12", "--end", cfg.end.isoformat()]).check("demo --scale national")
    followers = folder / "followers.csv"
    before, clean, killed = work / "kill-before.db", work / "kill-clean.db", work / "kill.db"
    for path in (before, clean, killed):
        _remove(path)
    run(govpulse("load", str(folder / "territories.csv"), str(folder / "accounts.csv")), env=db_env(before)).check(
        "govpulse load (the registry)"
    )
    _fresh(before, clean)
    log(f"kill: the clean load of {lines(followers):,} follower rows")
    loaded = run(govpulse("load", str(followers)), env=db_env(clean)).check("govpulse load")
    reference, whole = _report(clean, cfg.end), _state(clean)
    rng = random.Random(SEED)
    kills = []
    for i in range(MOMENTS):
        at = rng.uniform(0, loaded.seconds)
        _fresh(before, killed)
        env = {**os.environ, **db_env(killed)}
        proc = subprocess.Popen(govpulse("load", str(followers)), env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        time.sleep(at)
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        ended = proc.wait()
        state = _state(killed)
        committed = state["logged"] == 1 and state["rows"] == whole["rows"]
        state["all_or_nothing"] = committed or (state["logged"] == 0 and state["rows"] == 0)
        state["committed"] = committed
        rerun = run(govpulse("load", str(followers)), env=db_env(killed))
        state |= {
            "at_s": round(at, 2),
            "at_fraction": round(at / loaded.seconds, 3),
            "finished_before_the_kill": ended == 0,
            "rerun_s": round(rerun.seconds, 2),
            "rerun_ok": rerun.returncode == 0,
            "converged": rerun.returncode == 0 and _report(killed, cfg.end) == reference,
        }
        kills.append(state)
        log(f"kill {i + 1}/{MOMENTS} at {at:.1f} s: {state}")
    shutil.rmtree(folder)
    for path in (before, clean, killed):
        _remove(path)
    reruns = [k["rerun_s"] for k in kills]
    return {
        "rows": whole["rows"],
        "accounts": accounts,
        "days": days,
        "clean_load_s": loaded.seconds,
        "clean_peak_rss_mb": loaded.peak_rss_mb,
        "moments": MOMENTS,
        "seed": SEED,
        "kill_moments_s": [k["at_s"] for k in kills],
        "integrity_ok": sum(k["integrity"] == "ok" for k in kills),
        "all_or_nothing": sum(k["all_or_nothing"] for k in kills),
        "committed_before_the_kill": sum(k["committed"] for k in kills),
        "rollups_behind": sum(k["rollups_behind"] for k in kills),
        "converged": sum(k["converged"] for k in kills),
        "rerun_s": {"median": statistics.median(reruns), "min": min(reruns), "max": max(reruns)},
        "kills": kills,
    }
