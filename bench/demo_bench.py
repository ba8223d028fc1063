"""Sections on the demo database: its build (`govpulse demo`), the briefing pack, the VK collector."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from typing import Any

from bench.common import Run, log, run

BRIEF_TERRITORIES = ("RU-ALT", "KZ")
COLLECT_REGION = "RU-ALT"


def build(r: Run) -> dict[str, Any]:
    """`govpulse demo` into a fresh data folder (generation, load, alerts): the database the other sections use."""
    folder = r.work / "demo"
    shutil.rmtree(folder, ignore_errors=True)
    log("demo: govpulse demo")
    m = run([sys.executable, "-m", "dashboard", "demo"], env=_env(r, folder)).check("govpulse demo")
    r.demo = folder
    database = folder / "govpulse.db"
    with sqlite3.connect(database) as conn:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("account", "post", "inquiry")}
        first, last = conn.execute("SELECT min(day), max(day) FROM accountday").fetchone()
        snapshots = conn.execute("SELECT count(*) FROM followersnapshot").fetchone()[0]
    return {
        "seconds": m.seconds,
        "peak_rss_mb": m.peak_rss_mb,
        "account_rows": counts["account"],
        "followersnapshot_rows": snapshots,
        "post_rows": counts["post"],
        "inquiry_rows": counts["inquiry"],
        "first_day": first,
        "last_day": last,
        "db_mb": database.stat().st_size / 2**20,
    }


def brief(r: Run) -> dict[str, Any]:
    """bench/brief_bench.py on the demo: both packs, PPTX and PDF, `brief_runs` times each."""
    log(f"brief: {', '.join(BRIEF_TERRITORIES)}, PPTX and PDF, {r.cfg.brief_runs} runs each")
    return _child(r, "brief_bench", "--runs", str(r.cfg.brief_runs), *BRIEF_TERRITORIES)


def collect(r: Run) -> dict[str, Any]:
    """bench/collect_bench.py: the client's overhead on made-up pages, and a night of the demo's region."""
    log(f"collect: VK collector on {r.cfg.collect_pages:,} made-up pages and the demo's {COLLECT_REGION}")
    return _child(r, "collect_bench", "--pages", str(r.cfg.collect_pages), "--region", COLLECT_REGION)


def _env(r: Run, folder: Any = None) -> dict[str, str]:
    folder = folder or r.demo
    return {"GOVPULSE_DATA_DIR": str(folder), "GOVPULSE_DATABASE_URL": f"sqlite:///{folder}/govpulse.db"}


def _child(r: Run, module: str, *args: str) -> dict[str, Any]:
    """A bench module run as a child on the demo database, its JSON read back with its wall time and peak RSS."""
    out = r.work / f"{module}.json"
    m = run([sys.executable, "-m", f"bench.{module}", "--json", str(out), *args], env=_env(r))
    if m.returncode != 0:
        return {"error": (m.stderr or m.stdout)[-3000:]}
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data | {"wall_s": m.seconds, "peak_rss_mb": m.peak_rss_mb}
