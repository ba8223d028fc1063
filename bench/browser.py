"""(d) First render of every dashboard page in Chromium, and the dashboard's memory after visiting them all.

python -m bench.browser OUT.json   (GOVPULSE_DATABASE_URL names the database)

Serves the dashboard as `govpulse serve` does, on a free port, waits for /_stcore/health, then opens each page of the
router (dashboard/app.py PAGES) in the default view, the largest region's (`?country=&region=`) and the largest
country's (`?country=`), each in a fresh browser context (a new session: nothing is shared but the server's
caches), and times from navigation start to the end of the page's script run (the app root's
data-test-script-state turns from "running" to "notRunning" and stays so). Pages whose script raised are reported.
Then, caches warm, each page of the last view is opened in SESSIONS browser contexts at once (sessions of as many
readers), and the server's memory is read while they are all open. Last, a new server with its warm-up on
(dashboard/warm.py: it reads every page of each country itself): the time from healthy to the end of its warm-up, then
every page of every view again, as the first readers after it find them.
"""

from __future__ import annotations

import ast
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, TARGETS, rss_mb, write_json

sys.path.insert(0, str(ROOT / "scripts"))
import screenshots

TARGET_PAGE_S = TARGETS["d_page_s"]
TARGET_RSS_MB = TARGETS["d_rss_mb"]
SESSIONS = int(TARGETS["national_sessions"])
# Records every change of the app root's script state with its time since navigation start.
WATCH = """
window.__runs = [];
const note = () => {
  const app = document.querySelector('[data-testid="stApp"]');
  const state = app ? app.getAttribute('data-test-script-state') : null;
  const last = window.__runs.length ? window.__runs[window.__runs.length - 1][1] : null;
  if (state && state !== last) window.__runs.push([performance.now(), state]);
};
new MutationObserver(note).observe(document, {subtree: true, childList: true, attributes: true,
  attributeFilter: ['data-test-script-state']});
"""
DONE = """
() => {
  const runs = window.__runs || [];
  const ran = runs.findIndex(r => r[1] === 'running');
  if (ran < 0) return false;
  const last = runs[runs.length - 1];
  return last[1] !== 'running' && performance.now() - last[0] > 750;
}
"""


def pages() -> list[tuple[str, str]]:
    """(name, URL path) of every page in the router's PAGES list; the default page is served at /."""
    tree = ast.parse((ROOT / "dashboard" / "app.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "PAGES" for t in node.targets):
            names = [elt.elts[0].value for elt in node.value.elts]  # type: ignore[attr-defined]
            every = [(str(n), "" if i == 0 else str(n)) for i, n in enumerate(names)]
            # BENCH_PAGES=overview,data opens only those (a quick run); by default every page.
            chosen = {n.strip() for n in os.environ.get("BENCH_PAGES", "").split(",") if n.strip()}
            return [page for page in every if not chosen or page[0] in chosen]
    raise RuntimeError("dashboard/app.py has no PAGES list")


def country_pages() -> list[tuple[str, int]]:
    """Each country's code and number of pages, by code (the first is the dashboard's default view)."""
    from sqlalchemy import text

    from etl.store.db import get_engine

    with get_engine().connect() as conn:
        rows = conn.execute(
            text(
                "SELECT t.country_code, count(*) FROM account a JOIN territory t ON t.code = a.territory_code "
                "GROUP BY t.country_code ORDER BY t.country_code"
            )
        ).all()
    return [(str(code), int(n)) for code, n in rows]


def views() -> list[tuple[str, str]]:
    """The dashboard's default view (the first country by code), the largest region's, and the largest country's
    when it is another."""
    from sqlalchemy import text

    from etl.store.db import get_engine

    counts = country_pages()
    with get_engine().connect() as conn:
        regions = conn.execute(
            text(
                "SELECT t.country_code, t.region_code, count(*) AS n FROM account a JOIN territory t "
                "ON t.code = a.territory_code WHERE t.region_code IS NOT NULL GROUP BY t.country_code, t.region_code "
                "ORDER BY n DESC LIMIT 1"
            )
        ).all()
    out = [(f"default ({counts[0][0]}, {counts[0][1]:,} pages)" if counts else "default", "")]
    for country, region, n in regions:
        out.append((f"?region={region} ({n:,} pages)", f"?country={country}&region={region}"))
    if counts:
        largest = max(counts, key=lambda row: row[1])
        if largest[0] != counts[0][0]:
            out.append((f"?country={largest[0]} ({largest[1]:,} pages)", f"?country={largest[0]}"))
    return out


def _open(browser: Any, url: str, errors: list[str]) -> tuple[Any, Any]:
    """A new context (a new session) navigated to `url`, watching its script runs."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="ru-RU")
    page = context.new_page()
    page.add_init_script(WATCH)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url, wait_until="domcontentloaded")
    return context, page


def visit(browser: Any, url: str, timeout_s: float = 300, shots: Path | None = None) -> dict[str, Any]:
    """Open a URL in a new context; seconds to the end of the first script run, and any exception shown."""
    console_errors: list[str] = []
    context, page = _open(browser, url, console_errors)
    ok = True
    try:
        page.wait_for_function(DONE, timeout=timeout_s * 1000, polling=100)
    except Exception:
        ok = False
    runs = page.evaluate("window.__runs")
    if not ok and shots is not None:
        page.screenshot(path=str(shots), full_page=True)
    finished = [t for t, state in runs if state != "running"]
    seconds = (finished[-1] / 1000) if ok and finished else float("nan")
    errors = page.locator('[data-testid="stException"]')
    shown = [errors.nth(i).inner_text()[:300] for i in range(min(errors.count(), 3))]
    elements = page.locator('[data-testid="stMain"] [data-testid="stElementContainer"]').count()
    context.close()
    return {
        "seconds": seconds,
        "finished": ok,
        "script_runs": sum(1 for _, s in runs if s == "running"),
        "states": [[round(t), s] for t, s in runs][-12:],
        "elements": elements,
        "exceptions": shown,
        "browser_errors": console_errors[:3],
    }


class Connections:
    """The most sessions others hold open on the dashboard's PostgreSQL database while a block runs (polled every
    50 ms); None on SQLite."""

    def __init__(self, url: str) -> None:
        self.url, self.most = url, None if not url.startswith("postgresql") else 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url)
        others = "datname = current_database() AND pid <> pg_backend_pid()"
        count = text(f"SELECT count(*) FROM pg_stat_activity WHERE {others}")
        with engine.connect() as conn:
            while not self._stop.wait(0.05):
                self.most = max(self.most or 0, int(conn.execute(count).scalar() or 0))
                conn.rollback()
        engine.dispose()

    def __enter__(self) -> Connections:
        if self.most is not None:
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def together(browser: Any, url: str, pid: int, n: int = SESSIONS, timeout_s: float = 300) -> dict[str, Any]:
    """Open a URL in `n` contexts at once; seconds until every one has finished its script run, the server's RSS
    while all of them are open, and the most database connections it held meanwhile (PostgreSQL)."""
    started = time.perf_counter()
    errors: list[str] = []
    with Connections(os.environ.get("GOVPULSE_DATABASE_URL", "")) as connections:
        opened = [_open(browser, url, errors) for _ in range(n)]
        finished = 0
        for _, page in opened:
            try:
                page.wait_for_function(DONE, timeout=timeout_s * 1000, polling=100)
                finished += 1
            except Exception:
                pass
    seconds = time.perf_counter() - started
    rss = rss_mb(pid)[0]
    shown = sum(page.locator('[data-testid="stException"]').count() for _, page in opened)
    for context, _ in opened:
        context.close()
    return {"sessions": n, "finished": finished, "seconds": seconds, "rss_mb": rss, "exceptions": shown,
            "db_connections": connections.most, "browser_errors": errors[:3]}  # fmt: skip


def _tour(browser: Any, url: str, pid: int, shots: Path) -> list[dict[str, Any]]:
    """Each page of each view opened once in a fresh context, with the server's memory after it."""
    results: list[dict[str, Any]] = []
    for view, query in views():
        for name, path in pages():
            entry: dict[str, Any] = {"page": name, "view": view, "url": f"/{path}{query}"}
            if not (ROOT / "dashboard" / "app_pages" / f"{name}.py").exists():
                entry.update(seconds=None, note=f"page file not written yet (dashboard/app_pages/{name}.py)")
            else:
                entry.update(visit(browser, f"{url}{entry['url']}", shots=shots.with_name(f"timeout-{name}.png")))
            entry["rss_mb_after"] = rss_mb(pid)[0]
            results.append(entry)
            print(f"page {name} [{view}]: {entry.get('seconds')}", file=sys.stderr, flush=True)
    return results


def warmed(browser: Any, shots: Path, timeout_s: float = 3600) -> dict[str, Any]:
    """A server with its warm-up on: seconds from healthy to the warm-up's end, its memory then, and the tour after."""
    log = shots.with_name("warmed-server.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with screenshots.streamlit(os.environ | {"GOVPULSE_WARM_UP": "true"}, log_to=log) as (url, proc):
        healthy = time.perf_counter()
        while "warm-up done" not in (text := log.read_text(errors="replace")):
            if time.perf_counter() - healthy > timeout_s:
                return {"error": f"no warm-up end in {timeout_s:.0f} s", "log": text[-2000:]}
            time.sleep(0.5)
        warm_s = time.perf_counter() - healthy
        failed = [line for line in text.splitlines() if "warm-up" in line and "failed" in line]
        rss_warm = rss_mb(proc.pid)[0]
        tour = _tour(browser, url, proc.pid, shots)
        return {"warm_s": warm_s, "rss_mb_warmed": rss_warm, "rss_mb_after_all_pages": rss_mb(proc.pid)[0],
                "failed": failed[:3], "pages": tour}  # fmt: skip


def main(out_path: str) -> None:
    """Serve the dashboard, visit every page cold, measure, stop the server; then warmed; write JSON."""
    from playwright.sync_api import sync_playwright

    sessions: list[dict[str, Any]] = []
    started = time.perf_counter()
    with screenshots.streamlit(os.environ) as (url, proc):
        startup = time.perf_counter() - started
        rss_idle = rss_mb(proc.pid)[0]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=screenshots.CHROMIUM, args=screenshots.ARGS)
            results = _tour(browser, url, proc.pid, Path(out_path))
            rss_now = rss_mb(proc.pid)[0]
            # Readers at once: the pages of the last view (the largest country's), caches warm from the tour.
            view, query = views()[-1]
            for name, path in pages():
                entry = {"page": name, "view": view, **together(browser, f"{url}/{path}{query}", proc.pid)}
                sessions.append(entry)
                print(f"{SESSIONS} sessions of {name} [{view}]: {entry['seconds']:.1f} s", file=sys.stderr, flush=True)
            rss_peak = rss_mb(proc.pid)[1]
            proc.terminate()  # its memory and cores are the next server's
            proc.wait(timeout=30)
            warm = warmed(browser, Path(out_path))
            browser.close()
    write_json(
        Path(out_path),
        {
            "target_page_s": TARGET_PAGE_S,
            "target_rss_mb": TARGET_RSS_MB,
            "startup_s": startup,
            "rss_mb_idle": rss_idle,
            "rss_mb_after_all_pages": rss_now,
            "rss_mb_peak": rss_peak,
            "pages": results,
            "sessions": sessions,
            "warmed": warm,
        },
    )


if __name__ == "__main__":
    main(sys.argv[1])
