"""Ten people read every page in one Chromium while `govpulse load` changes the figures under them: 80 page loads
without an exception, a connection or HTTP error, or a script run that never ends; on SQLite (WAL) and PostgreSQL.

Each reader goes through the router's pages in turn, each round of them with a period of its own, so that nearly every
page run reads the database rather than the cache; a child process loads three weeks of followers, changed every time,
again and again.
"""

import asyncio
import datetime as dt
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright
from sqlalchemy import text
from sqlmodel import SQLModel

from dashboard.i18n import translator
from etl import demo
from etl.ingest.load import load_paths
from etl.store.db import make_engine
from tests.conftest import postgres_url
from tests.dashboard.support import PAGES
from tests.dashboard.test_browser import chromium  # noqa: F401  (skips, or on CI fails, without the browser)

sys.path.insert(0, str(Path(__file__).parents[2] / "scripts"))
import screenshots

# Each person reads every page once, in a language, country and period of their own.
SESSIONS, VISITS = 10, len(PAGES)
# What a delivery of a day or a week changes, every few seconds: the figures move under the readers, who still get
# most of the two cores (a load of the whole two months takes one core all the time).
RECENT, PAUSE_S = 21, 5
END = dt.date(2026, 11, 22)
GOVPULSE = Path(sys.executable).with_name("govpulse")
LANGS = ("ru", "kk", "en")
# Streamlit's own signs of trouble: the exception box, the connection state shown when the websocket is lost, and
# the dialog it opens when it cannot reach the server.
EXCEPTION = '[data-testid="stException"]'
CONNECTION = '[data-testid="stConnectionStatus"], [role="dialog"]:has-text("Connection error")'
RUNNING = '[data-testid="stStatusWidget"], [data-testid="stSkeleton"]'
# The front end looks for the server under the page's path first (/growth/_stcore/health), then under the root.
PROBE = re.compile(r"/[a-z]+/_stcore/(health|host-config)$")
NEVER_S = 180
CALM = """document.addEventListener("DOMContentLoaded", () => { const calm = document.createElement("style");
  calm.textContent = "*, *::before, *::after { animation: none !important; transition: none !important; }";
  document.head.appendChild(calm); });"""  # a page whose script has not finished by then never will


@dataclass
class Database:
    """A two-month demo loaded into a database: its folder (data, the files to load) and URL."""

    folder: Path
    url: str

    def env(self) -> dict[str, str]:
        """The environment of a govpulse process on this database."""
        return os.environ | {"GOVPULSE_DATA_DIR": str(self.folder), "GOVPULSE_DATABASE_URL": self.url}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """Two months of the demo, loaded into an SQLite file or the emptied test PostgreSQL database."""
    url = f"sqlite:///{tmp_path / 'govpulse.db'}" if request.param == "sqlite" else postgres_url()
    engine = make_engine(url)
    if request.param == "postgresql":
        SQLModel.metadata.drop_all(engine)
        SQLModel.metadata.create_all(engine)
    demo.write_demo(tmp_path / "csv", end=END, months=2)
    results = load_paths(engine, [tmp_path / "csv"])
    engine.dispose()
    assert all(r.ok for r in results), [(r.path, r.message) for r in results]
    yield Database(tmp_path, url)


@dataclass
class Loads:
    """`govpulse load` of the demo's last RECENT days of followers, every count raised by the run's number, run again
    and again in a child process with a pause between runs, until stopped; each run's number, exit status, output and
    end."""

    db: Database
    runs: list[tuple[int, int, str, float]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.followers = pd.read_csv(self.db.folder / "csv" / "followers.csv", dtype=str, keep_default_na=False)
        self.recent = self.followers[self.followers["date"] > str(END - dt.timedelta(days=RECENT))]
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            changed = self.recent.assign(followers=(self.recent["followers"].astype(int) + n).astype(str))
            path = self.db.folder / f"followers-{n}.csv"
            changed.to_csv(path, index=False)
            done = subprocess.run([str(GOVPULSE), "load", str(path)], env=self.db.env(), capture_output=True,
                                  text=True, timeout=600)  # fmt: skip
            self.runs.append((n, done.returncode, (done.stdout + done.stderr)[-2000:], time.monotonic()))
            self.stop.wait(PAUSE_S)

    def __enter__(self) -> "Loads":
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()


def view(k: int) -> tuple[str, str, str, str]:
    """The page, language, country and query of the `k`-th page load: the router's pages in turn; each round of them
    in a language, a country and a period of its own, so that its page runs read the database rather than the cache."""
    turn = k // len(PAGES)
    last = END - dt.timedelta(days=turn)
    first = last - dt.timedelta(days=14 + turn % 7)
    lang, country = LANGS[turn % 3], ("KZ", "RU")[turn % 2]
    return PAGES[k % len(PAGES)], lang, country, f"lang={lang}&country={country}&period=custom&from={first}&to={last}"


def http_error(response: Any, errors: list[str]) -> None:
    """Note an answer of 400 or more, but for the front end's look for the server under a page's path."""
    if response.status >= 400 and not (response.status == 404 and PROBE.search(response.url)):
        errors.append(f"HTTP {response.status}: {response.url}")


async def finished(page: Any, title: str) -> None:
    """Wait until the page titled `title` is shown, its script run has ended and nothing is drawing; a timeout
    after NEVER_S."""
    heading = page.locator('[data-testid="stMain"] h1').filter(has_text=title)
    await heading.first.wait_for(timeout=NEVER_S * 1000)
    end = time.monotonic() + NEVER_S
    quiet = 0
    while quiet < 3:
        if time.monotonic() > end:
            raise TimeoutError
        quiet = quiet + 1 if await page.locator(RUNNING).count() == 0 else 0
        await asyncio.sleep(0.25)


async def reader(browser: Any, url: str, first: int, errors: list[str]) -> int:
    """One person, in a browser context of their own, reading VISITS pages in turn: the first of each round opened
    by its address (a new session), the others through the sidebar's links, as people do; the loads that went
    well."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    # CSS animations (the running indicator, skeletons) would keep Chromium drawing while ten pages wait.
    await context.add_init_script(CALM)
    page = await context.new_page()
    page.on("response", lambda r: http_error(r, errors))
    done = 0
    for k in range(first, first + VISITS):
        name, lang, country, query = view(k)
        where = f"{url}/{'' if name == 'overview' else name}?{query}"
        try:
            if k == first or k % len(PAGES) == 0:
                await page.goto(where, timeout=NEVER_S * 1000)
            else:
                await page.locator('[data-testid="stSidebarNav"] a').nth(PAGES.index(name)).click()
            await finished(page, translator(lang).in_country(country)(f"page.{name}"))
        except (TimeoutError, PlaywrightTimeout):
            errors.append(f"{where}: the script run never finished")
            continue
        except PlaywrightError as exc:
            errors.append(f"{where}: {exc.message.splitlines()[0]}")
            continue
        if await page.locator(EXCEPTION).count():
            errors.append(f"{where}: {(await page.locator(EXCEPTION).first.inner_text())[:600]}")
        elif await page.locator(CONNECTION).count():
            errors.append(f"{where}: connection error")
        else:
            done += 1
    await context.close()
    return done


async def readers(url: str, errors: list[str]) -> int:
    """SESSIONS people reading at once in one Chromium; the page loads that went well."""
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=screenshots.CHROMIUM, args=screenshots.ARGS)
        # A first visit builds what every session shares (the engine, the territory names): not a reader's wait.
        page = await browser.new_page()
        await page.goto(f"{url}/?lang=en&country=KZ")
        await finished(page, translator("en")("page.overview"))
        await page.close()
        counts = await asyncio.gather(*(reader(browser, url, s * VISITS, errors) for s in range(SESSIONS)))
        await browser.close()
    return sum(counts)


def test_ten_readers_while_a_load_changes_the_figures(database: Database) -> None:
    """10 browser sessions × 8 page loads while `govpulse load` runs: no exception box, connection error, HTTP error
    or unfinished script run; every load exits 0, at least one commits while people read, and the last one's figures
    are what the database holds."""
    errors: list[str] = []
    started = time.monotonic()
    with screenshots.streamlit(database.env()) as (url, _), Loads(database) as loads:
        read_from = time.monotonic()
        # In a thread of its own: the browser tests' session-wide Playwright keeps an event loop in this one.
        with ThreadPoolExecutor(1) as pool:
            done = pool.submit(asyncio.run, readers(url, errors)).result()
        read_until = time.monotonic()
    assert errors == [], "\n".join(errors)
    assert done == SESSIONS * VISITS
    failed = [(n, code, said) for n, code, said, _ in loads.runs if code != 0]
    assert failed == [], "\n".join(f"load {n} ended {code}: {said}" for n, code, said in failed)
    during = [n for n, _, _, end in loads.runs if read_from < end < read_until]
    assert during, "no load committed while the pages were read"
    last = loads.runs[-1][0]
    engine = make_engine(database.url)
    with engine.connect() as conn:
        total = conn.execute(text("SELECT sum(followers), count(*) FROM followersnapshot")).one()
        queued = conn.execute(text("SELECT count(*) FROM rollupdirty")).scalar_one()
    engine.dispose()
    base = loads.followers["followers"].astype(int)
    expected = (base.sum() + last * len(loads.recent), len(base), 0)
    assert (total[0], total[1], queued) == expected, f"held {tuple(total)}, queued {queued}"
    print(f"{done} page loads in {read_until - read_from:.0f} s ({time.monotonic() - started:.0f} s in all) while "
          f"{len(loads.runs)} loads ran, {len(during)} of them committed during the reading")  # fmt: skip
