"""(d_replica) The dashboard on a read replica of the national PostgreSQL database: a hot standby copied from the
server of BENCH_POSTGRES_URL (`pg_basebackup`) and streaming from it, every page of (d) served from it.

It needs that server's programs on this machine (/usr/lib/postgresql/<version>/bin, or `pg_config --bindir`) and a
role that may replicate (`pg_hba.conf`: `host replication`, as a server made by `initdb --auth=trust` allows); run as
root, the standby runs as the `postgres` user. The standby has the primary's memory settings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text

from bench.browser import screenshots

# The primary's settings the standby takes, so that both read with the same memory.
SETTINGS = ("shared_buffers", "work_mem", "effective_cache_size")


class NoStandby(Exception):
    """A standby cannot be made here (no server programs, no replication access)."""


def _programs(version: int) -> Path:
    """The folder of the server's programs of `version` (major) on this machine."""
    for folder in (Path(f"/usr/lib/postgresql/{version}/bin"), _pg_config_bindir()):
        if folder is not None and (folder / "pg_basebackup").exists() and (folder / "pg_ctl").exists():
            return folder
    raise NoStandby(f"no pg_basebackup and pg_ctl of PostgreSQL {version} on this machine")


def _pg_config_bindir() -> Path | None:
    found = shutil.which("pg_config")
    if found is None:
        return None
    return Path(subprocess.run([found, "--bindir"], capture_output=True, text=True).stdout.strip())


def _as_server(cmd: list[str]) -> list[str]:
    """`cmd` as the postgres user when run as root (the server refuses root)."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _run(cmd: list[str], password: str | None = None) -> None:
    env = os.environ | ({"PGPASSWORD": password} if password else {})
    done = subprocess.run(_as_server(cmd), capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise NoStandby(f"{Path(cmd[0]).name}: {(done.stderr or done.stdout).strip()[-500:]}")


@contextmanager
def standby(url: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """A hot standby of the server of `url`, caught up and serving: its URL for the same database, and how long
    copying and starting it took. Its files are in a folder of its own under the system's temporary folder, which
    the postgres user can reach."""
    primary = make_url(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        version = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10_000
        settings = {name: conn.execute(text(f"SHOW {name}")).scalar_one() for name in SETTINGS}
    engine.dispose()
    programs = _programs(version)
    folder = Path(tempfile.mkdtemp(prefix="govpulse-standby-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data, port = folder / "data", screenshots.free_port()
    started = time.perf_counter()
    where = ["-h", primary.host or "127.0.0.1", "-p", str(primary.port or 5432), "-U", primary.username or "postgres"]
    copy = [str(programs / "pg_basebackup"), *where, "-D", str(data), "-X", "stream", "-R", "--checkpoint=fast"]
    _run(copy, primary.password)
    copied = time.perf_counter() - started
    options = " ".join(
        [f"-p {port}", f"-k {folder}", "-c listen_addresses=127.0.0.1", "-c hot_standby_feedback=on"]
        + [f"-c {name}={value}" for name, value in settings.items()]
    )
    started = time.perf_counter()
    ctl = str(programs / "pg_ctl")
    _run([ctl, "-D", str(data), "-l", str(folder / "log"), "-w", "-o", options, "start"])
    try:
        replica = primary.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
        check = create_engine(replica)
        with check.connect() as conn:
            if not conn.execute(text("SELECT pg_is_in_recovery()")).scalar():
                raise NoStandby("the copy started as a primary, not as a standby")
        check.dispose()
        yield replica, {"copy_s": copied, "start_s": time.perf_counter() - started, "settings": settings}
    finally:
        subprocess.run(_as_server([ctl, "-D", str(data), "-m", "fast", "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
