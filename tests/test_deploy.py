"""deploy/: the image's build steps name files that exist, the compose file's services are wired with the settings
and credentials govpulse reads, and the nightly job collects every platform it is given."""

import os
import re
import shlex
import signal
import subprocess
import sys
import time
import tomllib
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from dashboard.cli import app
from etl.collect import PLATFORMS, platform
from etl.settings import Settings

ROOT = Path(__file__).parents[1]
DEPLOY = ROOT / "deploy"


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions (continued lines joined, comments left out): (INSTRUCTION, arguments)."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "Dockerfile").read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def compose() -> dict[str, Any]:
    """deploy/compose.yaml as data."""
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return data


def parses(words: list[str]) -> None:
    """`govpulse WORDS…` is a command line govpulse accepts."""
    commands = typer.main.get_group(app).commands
    commands[words[0]].make_context(words[0], words[1:])


def test_the_image_copies_files_that_exist_and_are_not_ignored() -> None:
    """Each COPY of the Dockerfile takes files of the repository (the build context is its root) that
    .dockerignore leaves in, and the sources go in after the locked dependencies."""
    ignored = [p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines() if p.strip() and p[0] != "#"]
    copies = [shlex.split(args)[:-1] for op, args in instructions() if op == "COPY"]
    sources = [s for c in copies for s in c if not s.startswith("--")]
    assert sources[:3] == ["pyproject.toml", "uv.lock", "README.md"]  # README: the package's metadata reads it
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not any(fnmatch(source, p) or source.startswith(p.rstrip("/") + "/") for p in ignored), source
    assert {"etl", "dashboard"} <= set(sources)


def test_the_image_installs_the_locked_product_alone_with_chromium() -> None:
    """Python as pyproject asks, Debian's Chromium, uv of the Makefile's version, `uv sync --locked --no-dev`; it
    serves the dashboard on every address of the container, and its health check asks Streamlit's."""
    steps = instructions()
    image = next(args for op, args in steps if op == "FROM")
    version = re.search(r"python:(\d+)\.(\d+)", image)
    assert version and tuple(map(int, version.groups())) >= (3, 11)
    runs = " ".join(args for op, args in steps if op == "RUN")
    assert re.search(r"apt-get install .*\bchromium\b", runs)
    makefile = (ROOT / "Makefile").read_text()
    assert re.findall(r'"uv==([\d.]+)"', runs) == re.findall(r'"uv==([\d.]+)"', makefile) != []
    syncs = re.findall(r"uv sync [^&]*", runs)
    assert syncs and all("--locked" in s and "--no-dev" in s for s in syncs)
    command = json_words(next(args for op, args in steps if op == "CMD"))
    assert command[:2] == ["govpulse", "serve"] and "0.0.0.0" in command
    parses(command[1:])
    assert "/_stcore/health" in next(args for op, args in steps if op == "HEALTHCHECK")
    nightly = next(shlex.split(args) for op, args in steps if op == "COPY" and "nightly" in args)
    assert nightly == ["deploy/nightly.sh", "/usr/local/bin/govpulse-nightly"]
    assert os.access(DEPLOY / "nightly.sh", os.X_OK)


def json_words(args: str) -> list[str]:
    """The words of an instruction in exec form (["a", "b"])."""
    import json

    words: list[str] = json.loads(args)
    return words


def known_variables() -> set[str]:
    """The GOVPULSE_* variables govpulse reads: its settings, and the collectors' credentials and options named in
    docs/collect.md."""
    settings = {f"GOVPULSE_{name.upper()}" for name in Settings.model_fields}
    collect = set(re.findall(r"`(GOVPULSE_[A-Z_]+)`", (ROOT / "docs" / "collect.md").read_text(encoding="utf-8")))
    return settings | collect


def test_compose_wires_the_app_the_database_and_the_nightly_collection() -> None:
    """The app and the collection are the image built from deploy/Dockerfile, on PostgreSQL (the URL's user and
    database are the server's) once it is healthy; the dashboard is published on the host's loopback only."""
    services = compose()["services"]
    assert set(services) == {"db", "app", "collect"}
    db = services["db"]["environment"]
    for name in ("app", "collect"):
        service = services[name]
        assert (ROOT / "deploy" / service["build"]["context"] / service["build"]["dockerfile"]).resolve() == (
            DEPLOY / "Dockerfile"
        )
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        url = service["environment"]["GOVPULSE_DATABASE_URL"]
        assert url.startswith(f"postgresql+psycopg://{db['POSTGRES_USER']}:${{POSTGRES_PASSWORD")
        assert url.endswith(f"@db:5432/{db['POSTGRES_DB']}")
        assert service["init"] is True
    assert [p.split(":")[0] for p in services["app"]["ports"]] == ["127.0.0.1"]
    assert services["app"]["ports"][0].endswith(":8501")
    assert services["collect"]["command"] == ["govpulse-nightly"]


def test_compose_passes_only_variables_govpulse_reads_and_every_credential() -> None:
    """Every GOVPULSE_* variable of the compose file is a setting or a collector's variable of docs/collect.md, and
    the collection gets the credentials of every platform it may be asked to collect."""
    services = compose()["services"]
    given = {k for s in services.values() for k in s.get("environment", {}) if k.startswith("GOVPULSE_")}
    assert given - known_variables() == set()
    credentials = {c.env for name in PLATFORMS for c in platform(name).credentials}
    assert credentials - set(services["collect"]["environment"]) == set()
    default = re.search(r"COLLECT_PLATFORMS:-([^}]*)\}", (DEPLOY / "compose.yaml").read_text()).group(1)  # type: ignore[union-attr]
    assert default.split() == list(PLATFORMS)


def test_the_example_env_file_sets_what_compose_asks_for() -> None:
    """deploy/env.example names each variable the compose file reads from deploy/.env, and gives no secret."""
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    asked = set(re.findall(r"\$\{([A-Z_]+)[:?}-]", text))
    example = dict(
        line.split("=", 1)
        for line in (DEPLOY / "env.example").read_text().splitlines()
        if "=" in line and line[0] != "#"
    )
    optional = {"GOVPULSE_YOUTUBE_QUOTA", "GOVPULSE_X_RATE_WAIT"}
    assert asked - optional - set(example) == set()
    assert [k for k, v in example.items() if ("TOKEN" in k or "PASSWORD" in k or "SECRET" in k) and v] == []
    assert "deploy/.env" in (ROOT / ".gitignore").read_text() and "deploy/.env" in (ROOT / ".dockerignore").read_text()


def test_the_nightly_job_collects_each_platform_at_its_time(tmp_path: Path) -> None:
    """deploy/nightly.sh waits for COLLECT_AT, runs `govpulse collect PLATFORM --load` for each platform of
    COLLECT_PLATFORMS (a failing one does not stop the others), waits for the next night, and stops at SIGTERM."""
    calls = tmp_path / "calls"
    fake = tmp_path / "bin" / "govpulse"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n[ "$2" != ok ]\n', encoding="utf-8")
    fake.chmod(0o755)
    at = time.strftime("%H:%M:%S", time.localtime(time.time() + 2))
    env = os.environ | {"PATH": f"{fake.parent}:{os.environ['PATH']}", "COLLECT_AT": at, "COLLECT_PLATFORMS": "vk ok x"}
    job = subprocess.Popen(["sh", str(DEPLOY / "nightly.sh")], env=env, stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and len(calls.read_text().splitlines() if calls.exists() else []) < 3:
            time.sleep(0.2)
        time.sleep(0.5)
        job.send_signal(signal.SIGTERM)
        out, _ = job.communicate(timeout=5)
    finally:
        job.kill()
    assert calls.read_text().splitlines() == ["collect vk --load", "collect ok --load", "collect x --load"]
    assert "govpulse collect ok: exit status 1" in out
    assert out.count("next collection:") == 2  # tonight's, then tomorrow's
    assert job.returncode == 0
    bad = subprocess.run(["sh", str(DEPLOY / "nightly.sh")], env=env | {"COLLECT_AT": "25:99"}, capture_output=True)
    assert bad.returncode == 2 and b"COLLECT_AT=25:99 is not a time of day" in bad.stdout


@pytest.mark.skipif(sys.platform != "linux", reason="systemd units are Linux's")
def test_the_documented_units_run_commands_govpulse_accepts() -> None:
    """The ExecStart lines of docs/deploy.md run govpulse commands that parse (%i: the instance's port)."""
    doc = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    starts = re.findall(r"^ExecStart=\S*/govpulse (.+)$", doc, re.M)
    assert len(starts) >= 2
    for line in starts:
        parses([w.replace("%i", "8501") for w in shlex.split(line)])


def test_pyproject_requires_a_python_the_image_has() -> None:
    """The image's Python satisfies the project's requires-python."""
    wanted = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    image = next(args for op, args in instructions() if op == "FROM")
    minor = re.search(r"python:3\.(\d+)", image).group(1)  # type: ignore[union-attr]
    assert re.fullmatch(r">=3\.(\d+)", wanted) and int(minor) >= int(wanted.split(".")[1])


def test_the_documented_sqlite_backup_copies_a_database_in_use(tmp_path: Path) -> None:
    """The Python backup line of docs/deploy.md copies an SQLite database in WAL mode while a reader holds it open,
    every row (the write-ahead log's too), into a file that passes SQLite's integrity check."""
    import sqlite3

    from sqlalchemy import text

    from etl.ingest.load import load_paths
    from etl.store.db import make_engine
    from tests.conftest import DATA, dump

    line = next(
        line for line in (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("python3 -c") and ".backup(" in line
    )  # fmt: skip
    source, target = tmp_path / "govpulse.db", tmp_path / "backup.db"
    engine = make_engine(f"sqlite:///{source}")
    assert all(r.ok for r in load_paths(engine, [DATA]))
    with engine.connect() as reader:
        reader.execute(text("SELECT count(*) FROM account")).scalar()  # a read transaction stays open
        assert (tmp_path / "govpulse.db-wal").stat().st_size > 0
        program = shlex.split(line)[1:3]  # -c and the program; the paths are the test's
        subprocess.run([sys.executable, *program, str(source), str(target)], check=True)
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert dump(make_engine(f"sqlite:///{target}")) == dump(engine)


def test_a_postgresql_dump_restores_into_a_new_database(tmp_path: Path) -> None:
    """pg_dump's custom format of a loaded database, restored with pg_restore --no-owner into a new database as
    docs/deploy.md says, holds every row."""
    import shutil as sh

    from sqlalchemy import create_engine, text
    from sqlmodel import SQLModel

    from etl.ingest.load import load_paths
    from etl.store.db import make_engine
    from tests.conftest import DATA, dump, postgres_url

    url = postgres_url()
    tools = [sh.which(t) for t in ("pg_dump", "pg_restore")]
    assert all(tools), "pg_dump and pg_restore (apt-get install postgresql-client)"
    engine = make_engine(url)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    assert all(r.ok for r in load_paths(engine, [DATA]))
    base, name = url.rsplit("/", 1)
    restored = f"{base}/{name}_restore"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}_restore"))
        conn.execute(text(f"CREATE DATABASE {name}_restore"))
    try:
        backup = tmp_path / "govpulse.dump"
        subprocess.run([tools[0], "--format=custom", f"--dbname={url.replace('+psycopg', '')}", f"--file={backup}"],
                       check=True)  # fmt: skip
        subprocess.run([tools[1], "--no-owner", f"--dbname={restored.replace('+psycopg', '')}", str(backup)],
                       check=True)  # fmt: skip
        copy = create_engine(restored)
        assert dump(copy) == dump(engine)
        copy.dispose()
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}_restore"))
        admin.dispose()


def load_unit(key: str) -> str:
    """The `key=` line of docs/deploy.md's load service, its paths of this machine: the repository, `incoming` and
    `archive` under /tmp/… (the command's words, as systemd runs them)."""
    doc = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    unit = doc.split("`/etc/systemd/system/govpulse-load.service`", 1)[1].split("```ini\n", 1)[1].split("```", 1)[0]
    return re.search(rf"^{key}=(.+)$", unit, re.M).group(1)  # type: ignore[union-attr]


def test_the_load_units_archive_keeps_every_delivery_and_waits_for_late_ones(tmp_path: Path) -> None:
    """After a successful load the unit's archive step (deploy/archive.sh) moves the files the loader read at the top
    of the incoming folder, in any case of CSV, TSV, TXT, XLSX and XLSM, into a folder of the run; it leaves the
    rejected rows, a workbook's lock file, subfolders, and a file delivered while the load ran (even with an old
    time, as `sftp -p` keeps it); a file delivered twice a day keeps both versions; a run with nothing leaves no
    folder."""
    from etl.ingest.extract import expand

    incoming, archive = tmp_path / "incoming", tmp_path / "archive"
    (incoming / "district").mkdir(parents=True)
    archive.mkdir()
    names = ["followers.csv", "POSTS.CSV", "inquiries.tsv", "accounts.txt", "Book.XLSX", "macro.xlsm",
             "followers.rejected.csv", "~$Book.XLSX", "notes.md", "district/followers.csv"]  # fmt: skip
    for name in names:
        (incoming / name).write_text(f"{name}\n", encoding="utf-8")
    read = sorted(p.name for p in expand([incoming]) if p.parent == incoming)

    def run(key: str) -> None:
        line = load_unit(key).replace("/srv/govpulse/app", str(ROOT))
        line = line.replace("/srv/incoming", str(incoming)).replace("/srv/archive", str(archive))
        subprocess.run(shlex.split(line), check=True)

    run("ExecStartPre")
    time.sleep(0.05)
    (incoming / "late.csv").write_text("late\n", encoding="utf-8")
    (incoming / "kept-time.csv").write_text("old\n", encoding="utf-8")
    os.utime(incoming / "kept-time.csv", (time.time() - 3600, time.time() - 3600))
    run("ExecStartPost")
    (first,) = [p for p in archive.rglob("*") if p.is_dir() and p.parent != archive]
    assert first.parent.name == time.strftime("%Y-%m-%d") and re.fullmatch(r"\d{6}-\w{6}", first.name)
    assert sorted(p.name for p in first.iterdir()) == read == sorted(names[:6])
    left = sorted(str(p.relative_to(incoming)) for p in incoming.rglob("*") if p.is_file())
    assert left == sorted(["followers.rejected.csv", "~$Book.XLSX", "notes.md", "district/followers.csv", "late.csv",
                           "kept-time.csv"])  # fmt: skip

    (incoming / "followers.csv").write_text("again\n", encoding="utf-8")
    run("ExecStartPre")
    run("ExecStartPost")
    runs = sorted(p for p in archive.rglob("*") if p.is_dir() and p.parent != archive)
    (second,) = [p for p in runs if p != first]
    assert sorted(p.name for p in second.iterdir()) == ["followers.csv", "kept-time.csv", "late.csv"]
    assert {p.read_text() for p in archive.rglob("followers.csv")} == {"followers.csv\n", "again\n"}
    for name in ("followers.rejected.csv", "~$Book.XLSX", "notes.md"):
        (incoming / name).unlink()
    run("ExecStartPre")
    run("ExecStartPost")
    assert sorted(p for p in archive.rglob("*") if p.is_dir() and p.parent != archive) == runs


def test_the_upgrade_command_opens_the_database(tmp_path: Path) -> None:
    """The command docs/deploy.md runs after an upgrade, before the dashboards come back, is one govpulse runs: it
    opens the database (making what it lacks) and exits 0."""
    doc = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    upgrade = doc.split("## 7. Upgrades", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    line = next(line for line in upgrade.splitlines() if "brings it up to date" in line)
    words = shlex.split(re.search(r"\.venv/bin/govpulse ([^'\"]+)", line).group(1))  # type: ignore[union-attr]
    env = os.environ | {"GOVPULSE_DATA_DIR": str(tmp_path), "GOVPULSE_DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}"}
    done = subprocess.run([sys.executable, "-m", "dashboard", *words], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "g.db") as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'accountday'").fetchone() == (1,)
