"""What every benchmark section shares: the configuration from the environment, timed child processes, JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
import pstats
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
    # A national deployment (docs/deploy.md), on SQLite and on PostgreSQL: its pages, queries, loads and server.
    "national_page_s": 3.0,  # every page's first render
    "national_region_p95_ms": 150.0,  # each query of a region's view (a district's, and reads of no scope, too)
    "national_country_p95_ms": 500.0,  # each query of a country's view
    "national_increment_s": 10.0,  # one new day for every page
    "national_rss_mb": 1024.0,  # the dashboard server after every page
    "national_sessions": 10,  # readers at once, each opening every page of a country
    "national_sessions_rss_mb": 1536.0,  # the dashboard server while they are all open
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
    query_runs: int = 20
    pages: str = ""  # the pages (d) opens, by name (BENCH_PAGES=overview,data); all when empty
    collect_pages: int = 1_000
    kill_rows: int = 1_000_000
    workdir: Path = Path("/tmp/govpulse-bench")
    national_db: Path | None = None
    # The PostgreSQL database the national sections run on as well (emptied by the run); a secret, never stored.
    postgres_url: str = field(default="", repr=False)
    postgres_reuse: bool = False  # the national database a run before left in it, measured as it is
    results: Path = RESULTS
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
            query_runs=_env_int("BENCH_QUERY_RUNS", 20),
            pages=os.environ.get("BENCH_PAGES", ""),
            collect_pages=_env_int("BENCH_COLLECT_PAGES", 1_000),
            kill_rows=_env_int("BENCH_KILL_ROWS", max(1_000, round(1_000_000 * rows / FULL_ROWS))),
            workdir=Path(os.environ.get("BENCH_DIR", "/tmp/govpulse-bench")),
            national_db=Path(national) if national else None,
            postgres_url=os.environ.get("BENCH_POSTGRES_URL", ""),
            postgres_reuse=os.environ.get("BENCH_POSTGRES_REUSE", "") not in {"", "0"},
            results=Path(os.environ.get("BENCH_RESULTS", RESULTS)),
            keep=os.environ.get("BENCH_KEEP", "") not in {"", "0"},
            skip=frozenset(s.strip() for s in os.environ.get("BENCH_SKIP", "").split(",") if s.strip()),
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, without the PostgreSQL URL (only whether there is one)."""
        out = asdict(self)
        del out["postgres_url"]
        out.update(
            workdir=str(self.workdir),
            national_db=str(self.national_db) if self.national_db else None,
            postgres=bool(self.postgres_url),
            results=str(self.results),
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
    database: str | None = None  # the national database's URL, once the section `national` has built or found it
    database_pg: str | None = field(default=None, repr=False)  # the PostgreSQL one, once `national_pg` has built it
    national_files: Path | None = None  # the national files `national` generated, until `national_pg` loads them
    demo: Path | None = None  # the demo's data folder, once the section `demo` has built it


@dataclass(frozen=True)
class Section:
    """One measurement of `make bench`: its BENCH_SKIP name, the function measuring it, the knobs of its scale, the
    section whose database it measures on (run first, and only when a section needs it), and whether it is on
    PostgreSQL."""

    name: str
    measure: Callable[[Run], dict[str, Any]]
    scale: tuple[str, ...] = ()
    needs: str | None = None
    postgres: bool = False  # measured only when BENCH_POSTGRES_URL names a PostgreSQL database


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
            out = f"{what} failed ({self.returncode}):\n{self.stdout[-3000:]}\n{self.stderr[-3000:]}"
            raise RuntimeError(scrub(out))
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


def govpulse_itself(*args: str) -> list[str]:
    """The `govpulse` command itself (with what it does after a load: the alerts), as this interpreter runs it."""
    return [sys.executable, "-m", "dashboard", *args]


def db_env(database: Path | str) -> dict[str, str]:
    """The environment that points govpulse at an SQLite file, or at a database URL."""
    url = database if isinstance(database, str) else sqlite_url(database)
    return {"GOVPULSE_DATABASE_URL": url, "COLUMNS": "160"}


def sqlite_url(database: Path) -> str:
    """The URL of an SQLite file."""
    return f"sqlite:///{database}"


def scrub(text: str) -> str:
    """A text with the password of BENCH_POSTGRES_URL, as written in the URL or decoded, replaced by ***."""
    url = os.environ.get("BENCH_POSTGRES_URL", "")
    password = _password(url)
    if not password:
        return text
    from urllib.parse import quote

    from etl.settings import masked_url

    for secret in dict.fromkeys([quote(password, safe=""), password]):
        text = text.replace(f":{secret}@", ":***@")
        # Bare too, unless it is a word of the URL's public part (a password equal to the user's name).
        if secret not in masked_url(url):
            text = text.replace(secret, "***")
    return text


def _password(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return str(make_url(url).password or "") if url else ""
    except (ArgumentError, ValueError):
        return ""


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
    path.write_text(scrub(json.dumps(data, indent=2, ensure_ascii=False, default=str)) + "\n", encoding="utf-8")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation, as numpy's default."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def profile_summary(out: Path) -> dict[str, Any]:
    """The loader's own functions by cumulative time, and the hottest functions by own time, from a cProfile file."""
    table: dict[Any, Any] = pstats.Stats(str(out)).stats  # type: ignore[attr-defined]
    total = max(v[3] for v in table.values())
    etl_dir = str(ROOT / "etl")
    own = sorted(
        (
            (f"{Path(f).relative_to(ROOT).as_posix()}:{name}", v[3])
            for (f, _, name), v in table.items()
            if f.startswith(etl_dir) and not name.startswith("<")
        ),
        key=lambda kv: -kv[1],
    )
    hot = sorted(table.items(), key=lambda kv: -kv[1][2])[:12]
    return {
        "profiled_s": total,
        "etl_cumulative_s": [[name, round(s, 2)] for name, s in own[:18]],
        "hot_own_time_s": [
            [f"{Path(f).name}:{line}({name})" if f != "~" else name, round(v[2], 2)] for (f, line, name), v in hot
        ],
    }


def log(message: str) -> None:
    """Progress on stderr, with the time of day."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {scrub(message)}", file=sys.stderr, flush=True)
