"""What every benchmark section shares: the configuration from the environment, timed child processes, JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PERFORMANCE_MD = ROOT / "docs" / "performance.md"
FULL_ROWS = 10_000_000
FULL_ACCOUNTS = 100_000
# What each section aims at, stored with every run (the "targets" of bench/results/*.json); the name ends in its unit.
TARGETS: dict[str, float] = {
    "gen_s": 600.0,  # the national generator: a full year of 100,000 pages…
    "gen_follower_rows": 36_500_000,  # … that is 36.5 M follower rows
    "a_ratio": 1.5,  # the first load against the sqlite3 .import floor
    "a_peak_rss_mb": 1024.0,
    "b_s": 2.0,  # one new day for every page
    "c_p95_ms": 150.0,  # every dashboard query, cold
    "d_page_s": 3.0,  # a page's first render
    "d_rss_mb": 600.0,  # the server after every page
    "e_per_10m_rows_s": 10.0,  # working minutes of 10 M inquiries
    "brief_s": 10.0,  # a briefing pack of about eight charts, the whole command
    "collect_per_request_ms": 1000 / 3 / 10,  # a tenth of VK's pace of three requests a second
}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").replace("_", "").replace(",", "")
    return int(value) if value else default


@dataclass
class Config:
    """The scale of a run, from BENCH_* environment variables (see docs/performance.md)."""

    rows: int = FULL_ROWS
    accounts: int = FULL_ACCOUNTS
    months: int = 12
    inquiries: int = FULL_ROWS
    profile_rows: int = 1_000_000
    brief_runs: int = 3
    collect_pages: int = 1_000
    kill_rows: int = 1_000_000
    workdir: Path = Path("/tmp/govpulse-bench")
    national_db: Path | None = None
    keep: bool = False
    skip: frozenset[str] = field(default_factory=frozenset)
    end: dt.date = field(default_factory=lambda: dt.date.today() - dt.timedelta(days=8))

    @classmethod
    def from_env(cls) -> Config:
        """BENCH_ROWS scales the whole run (the national database and the inquiries follow it); each can be set."""
        rows = _env_int("BENCH_ROWS", FULL_ROWS)
        national = os.environ.get("BENCH_NATIONAL_DB", "")
        return cls(
            rows=rows,
            accounts=_env_int("BENCH_ACCOUNTS", max(1_000, round(FULL_ACCOUNTS * rows / FULL_ROWS))),
            months=_env_int("BENCH_MONTHS", 12),
            inquiries=_env_int("BENCH_INQUIRIES", rows),
            profile_rows=_env_int("BENCH_PROFILE_ROWS", min(1_000_000, rows)),
            brief_runs=_env_int("BENCH_BRIEF_RUNS", 3),
            collect_pages=_env_int("BENCH_COLLECT_PAGES", 1_000),
            kill_rows=_env_int("BENCH_KILL_ROWS", max(1_000, round(1_000_000 * rows / FULL_ROWS))),
            workdir=Path(os.environ.get("BENCH_DIR", "/tmp/govpulse-bench")),
            national_db=Path(national) if national else None,
            keep=os.environ.get("BENCH_KEEP", "") not in {"", "0"},
            skip=frozenset(s.strip() for s in os.environ.get("BENCH_SKIP", "").split(",") if s.strip()),
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        out = asdict(self)
        out.update(
            workdir=str(self.workdir),
            national_db=str(self.national_db) if self.national_db else None,
            skip=sorted(self.skip),
            end=self.end.isoformat(),
        )
        return out


@dataclass
class Run:
    """What the sections of one `make bench` share: the scale, the scratch folder, the figures so far, databases."""

    cfg: Config
    work: Path
    results: dict[str, Any]
    database: Path | None = None  # the national database, once the section `national` has built or found it
    demo: Path | None = None  # the demo's data folder, once the section `demo` has built it


@dataclass(frozen=True)
class Section:
    """One measurement of `make bench`: its BENCH_SKIP name, the function measuring it, the knobs of its scale, and
    the section whose database it measures on (run first, and only when a section needs it)."""

    name: str
    measure: Callable[[Run], dict[str, Any]]
    scale: tuple[str, ...] = ()
    needs: str | None = None


@dataclass
class Measured:
    """A finished child process: wall time, peak resident memory (its own, from wait4) and output."""

    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str

    def check(self, what: str) -> Measured:
        """Raise with the child's output when it failed."""
        if self.returncode != 0:
            raise RuntimeError(f"{what} failed ({self.returncode}):\n{self.stdout[-3000:]}\n{self.stderr[-3000:]}")
        return self


def run(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> Measured:
    """Run a command to its end; time it with perf_counter and take its peak RSS from the kernel (wait4)."""
    out_path, err_path = Path(f"/tmp/govpulse-bench-{os.getpid()}.out"), Path(f"/tmp/govpulse-bench-{os.getpid()}.err")
    with out_path.open("w") as out, err_path.open("w") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env={**os.environ, **(env or {})}, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    stdout, stderr = out_path.read_text(errors="replace"), err_path.read_text(errors="replace")
    out_path.unlink()
    err_path.unlink()
    return Measured(seconds, usage.ru_maxrss / 1024, proc.returncode, stdout, stderr)


def govpulse(*args: str) -> list[str]:
    """The govpulse command line as this interpreter runs it."""
    return [sys.executable, "-m", "etl", *args]


def db_env(database: Path) -> dict[str, str]:
    """The environment that points govpulse at an SQLite file."""
    return {"GOVPULSE_DATABASE_URL": f"sqlite:///{database}", "COLUMNS": "160"}


def rss_mb(pid: int) -> tuple[float, float]:
    """Current and peak resident memory of a live process, from /proc (MB)."""
    status = Path(f"/proc/{pid}/status").read_text()
    values = {k: int(v) / 1024 for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M)}
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def lines(path: Path) -> int:
    """Data rows of a CSV file (lines minus the header)."""
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b"")) - 1


def write_json(path: Path, data: Any) -> None:
    """Write JSON, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation, as numpy's default."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def log(message: str) -> None:
    """Progress on stderr, with the time of day."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
