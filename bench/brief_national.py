"""The country's briefing pack on the national database: python -m bench.brief_national OUT.json

GOVPULSE_DATABASE_URL names the database. The largest country's pack of a month: the 30 days to the data's last day
(until 2026-12-07, the month so far, which the days (b) adds first could shrink to one), in PPTX and PDF, each timed
as the whole command as bench/brief_bench.py times the demo's packs (BENCH_BRIEF_RUNS runs, default 3), with the
largest resident memory of its runs.
"""

import datetime as dt
import os
import resource
import sys
import tempfile
from pathlib import Path

from sqlalchemy import text

from bench.brief_bench import TARGET_S, timed
from bench.browser import country_pages
from bench.common import write_json
from etl.store.db import get_engine


def main(out_path: str) -> None:
    """Time the largest country's pack in both formats; write JSON."""
    runs = int(os.environ.get("BENCH_BRIEF_RUNS") or 3)
    country, pages = max(country_pages(), key=lambda row: row[1])
    with get_engine().connect() as conn:
        day = dt.date.fromisoformat(str(conn.execute(text("SELECT max(day) FROM accountday")).scalar())[:10])
    start, last = str(day - dt.timedelta(days=29)), str(day)
    govpulse = [sys.executable, "-m", "dashboard"]
    packs = []
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("pptx", "pdf"):
            out = Path(tmp) / f"brief.{fmt}"
            args = ["brief", "--territory", country, "--from", start, "--to", last, "--out", str(out), "--lang", "ru"]
            packs.append({"territory": country, "format": fmt, **timed(govpulse, args, dict(os.environ), runs, out)})
            print(f"brief {country} {fmt}: median {packs[-1]['median_s']:.1f} s", file=sys.stderr, flush=True)
    # The kernel keeps the largest resident set of any finished child: the largest pack run's.
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    write_json(Path(out_path), {"territory": country, "pages": pages, "from": start, "to": last, "runs": runs,
                                "target_s": TARGET_S, "peak_rss_mb": peak_mb, "packs": packs})  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1])
