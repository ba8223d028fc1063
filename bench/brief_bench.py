"""Time `govpulse brief` on the demo data: python -m bench.brief_bench [--json OUT] [--runs N] [TERRITORY ...].

The demo database is the one `govpulse demo` builds in $GOVPULSE_DATA_DIR (built there first if it is empty, default
/tmp/govpulse-brief-bench); the territories default to RU-ALT and KZ. Each pack is the latest full calendar month,
timed as the whole command (start-up, imports, queries, nine charts, writing the file), best and median of three runs
per format, with the command's own CPU time (user + system, from the kernel's accounting of finished children).
"""

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import TARGETS, write_json

RUNS = 3
TARGET_S = TARGETS["brief_s"]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(territories: list[str], runs: int = RUNS) -> dict[str, Any]:
    """Every territory's pack in PPTX and PDF, `runs` times each: seconds, CPU seconds, file size."""
    env = os.environ | {"GOVPULSE_DATA_DIR": os.environ.get("GOVPULSE_DATA_DIR", "/tmp/govpulse-brief-bench")}
    env.pop("GOVPULSE_DATABASE_URL", None)
    govpulse = [sys.executable, "-m", "dashboard"]
    subprocess.run([*govpulse, "demo", "--if-empty"], env=env, check=True, capture_output=True)
    last = _last_day(env)
    end = last.replace(day=1) - dt.timedelta(days=1)
    start = end.replace(day=1)
    packs = []
    with tempfile.TemporaryDirectory() as tmp:
        for code in territories:
            for fmt in ("pptx", "pdf"):
                out = Path(tmp) / f"brief.{fmt}"
                args = ["brief", "--territory", code, "--from", str(start), "--to", str(end), "--out", str(out)]
                packs.append({"territory": code, "format": fmt, **timed(govpulse, args, env, runs, out)})
    return {"from": str(start), "to": str(end), "data_last_day": str(last), "runs": runs, "target_s": TARGET_S,
            "packs": packs}  # fmt: skip


def timed(govpulse: list[str], args: list[str], env: dict[str, str], runs: int, out: Path) -> dict[str, Any]:
    """One pack's command run `runs` times: seconds, CPU seconds, the file's size."""
    times, cpu = [], []
    for _ in range(runs):
        began, cpu_before = time.perf_counter(), _cpu()
        subprocess.run([*govpulse, *args], env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - began)
        cpu.append(_cpu() - cpu_before)
    return {
        "runs_s": times,
        "best_s": min(times),
        "median_s": statistics.median(times),
        "cpu_median_s": statistics.median(cpu),
        "file_mb": out.stat().st_size / 2**20,
        "load_average_after": os.getloadavg()[0],
    }


def _last_day(env: dict[str, str]) -> dt.date:
    """The demo database's last day with data."""
    code = "from etl.store.db import get_engine; from sqlalchemy import text; "
    code += "print(get_engine().connect().execute(text('SELECT max(day) FROM accountday')).scalar())"
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout
    return dt.date.fromisoformat(out.strip()[:10])


def main() -> None:
    """Measure, print one line per pack, write JSON with --json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("territories", nargs="*", default=["RU-ALT", "KZ"])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    out = measure(args.territories, args.runs)
    for p in out["packs"]:
        print(
            f"{p['territory']} {out['from']}…{out['to']} {p['format']}: best {p['best_s']:.1f} s, median "
            f"{p['median_s']:.1f} s, CPU {p['cpu_median_s']:.1f} s ({p['file_mb']:.1f} MB, load "
            f"{p['load_average_after']:.1f})"
        )
    if args.json:
        write_json(args.json, out)


if __name__ == "__main__":
    main()
