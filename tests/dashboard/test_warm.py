"""The served dashboard's warm-up (dashboard/warm.py): the server reads every page of each country itself after it
starts, behind a sign-in too, and again after another process loads data, which its readers then see."""

import datetime as dt
import os
import re
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from dashboard.i18n import translator
from etl.store.audit import Actor
from etl.store.db import make_engine
from etl.store.users import add
from tests.dashboard.proxy import signing_in
from tests.dashboard.support import PAGES, demo_database
from tests.dashboard.test_browser import (  # noqa: F401 (the browser tests' fixtures: the system Chromium)
    browser_type_launch_args,
    chromium,
    screenshots,
)
from tests.dashboard.test_serve import GOVPULSE, served

READER = "reader@example.org"
LINE = re.compile(r"warm-up of /(\w*)\?(\S*): [\d.]+ s, (\d+) elements, [\d.]+ MB")


def warmed(log: Path, rounds: int, timeout_s: float = 600) -> list[tuple[str, str, int]]:
    """The pages of the log's first `rounds` warm-ups, (page, query, elements drawn), once that many are done."""
    deadline = time.monotonic() + timeout_s
    while (text := log.read_text(errors="replace")).count("warm-up done") < rounds:
        assert time.monotonic() < deadline, f"{rounds} warm-up(s) not done in {timeout_s:.0f} s:\n{text[-3000:]}"
        time.sleep(1)
    assert "failed" not in text, text[-3000:]
    rounds_text = text.split("warm-up done")[:rounds]
    return [(m[1] or "overview", m[2], int(m[3])) for part in rounds_text for m in LINE.finditer(part)]


def test_the_server_reads_every_page_of_each_country_and_again_after_a_load(
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    browser: Any,
) -> None:
    db = tmp_path / "govpulse.db"
    with sqlite3.connect(demo_database(tmp_path_factory) / "govpulse.db") as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    engine = make_engine(f"sqlite:///{db}")
    add(engine, READER, "viewer", None, Actor("admin"))
    engine.dispose()
    env = os.environ | {
        "GOVPULSE_DATA_DIR": str(tmp_path),
        "GOVPULSE_DATABASE_URL": f"sqlite:///{db}",
        "GOVPULSE_WARM_UP": "true",
        "GOVPULSE_AUTH": "header",  # the server's own reader is nobody's: it needs no sign-in
        "GOVPULSE_AUTH_HEADER": "X-Remote-User",
    }
    log = tmp_path / "server.log"
    with served(env, tmp_path, log_to=log) as (url, _):
        first = warmed(log, 1)
        views = ["", "country=KZ", "country=RU"]
        assert sorted((page, query) for page, query, _ in first) == sorted((p, v) for v in views for p in PAGES)
        # A page refused for want of a sign-in draws a few elements; an Overview draws its cards, charts and tables.
        assert all(n > 30 for page, _, n in first if page == "overview"), first

        # Another process loads a day more of one page: the server notices, drops its reads and warms them again.
        with sqlite3.connect(db) as conn:
            platform, account, country, day = conn.execute(
                "SELECT a.platform, a.account_id, t.country_code, max(f.day) FROM followersnapshot f"
                " JOIN account a ON a.id = f.account_pk JOIN territory t ON t.code = a.territory_code"
                " GROUP BY a.id ORDER BY a.id LIMIT 1"
            ).fetchone()
        delivery = tmp_path / "late-delivery-followers.csv"
        next_day = dt.date.fromisoformat(str(day)[:10]) + dt.timedelta(days=1)
        delivery.write_text(f"date,platform,account_id,followers\n{next_day},{platform},{account},12345\n")
        loaded = subprocess.run([str(GOVPULSE), "load", str(delivery)], env=env, capture_output=True, text=True)
        assert loaded.returncode == 0, loaded.stderr
        again = warmed(log, 2)
        assert len(again) == 2 * len(first)

        with signing_in(url, "X-Remote-User", READER) as proxy:
            page = browser.new_page()
            page.goto(f"{proxy}/?lang=en&country={country}")
            screenshots.settle(page)
            # The header says the new last day has data for a part of the pages: read after the load, not before.
            assert translator("en").date(next_day) in page.inner_text("body")
            page.close()
