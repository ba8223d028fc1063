"""Time `govpulse brief` on the demo data: bench/brief_bench.py [TERRITORY ...] (default RU-ALT and KZ).

The demo database is the one `govpulse demo` builds in $GOVPULSE_DATA_DIR (built there first if it is empty, default
/tmp/govpulse-brief-bench). Each pack is the latest full calendar month, timed as the whole command (start-up,
imports, browser start, queries, nine charts, writing the file), best and median of three runs per format.
"""

import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 3


def main(territories: list[str]) -> None:
    env = os.environ | {"GOVPULSE_DATA_DIR": os.environ.get("GOVPULSE_DATA_DIR", "/tmp/govpulse-brief-bench")}
    env.pop("GOVPULSE_DATABASE_URL", None)
    govpulse = [sys.executable, "-m", "dashboard"]
    subprocess.run([*govpulse, "demo", "--if-empty"], env=env, check=True)
    last = _last_day(env)
    end = last.replace(day=1) - dt.timedelta(days=1)
    start = end.replace(day=1)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        for code in territories:
            for fmt in ("pptx", "pdf"):
                out = Path(tmp) / f"brief.{fmt}"
                args = ["brief", "--territory", code, "--from", str(start), "--to", str(end), "--out", str(out)]
                times = []
                for _ in range(RUNS):
                    began = time.perf_counter()
                    subprocess.run([*govpulse, *args], env=env, check=True, capture_output=True)
                    times.append(time.perf_counter() - began)
                size = out.stat().st_size / 1e6
                print(
                    f"{code} {start}…{end} {fmt}: best {min(times):.1f} s, median {statistics.median(times):.1f} s "
                    f"({size:.1f} MB, load {os.getloadavg()[0]:.1f})"
                )


def _last_day(env: dict[str, str]) -> dt.date:
    """The demo database's last day with data."""
    code = "from etl.store.db import get_engine; from sqlalchemy import text; "
    code += "print(get_engine().connect().execute(text('SELECT max(day) FROM accountday')).scalar())"
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout
    return dt.date.fromisoformat(out.strip()[:10])


if __name__ == "__main__":
    main(sys.argv[1:] or ["RU-ALT", "KZ"])
