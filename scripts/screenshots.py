"""Screenshots of the dashboard's main pages for the README, taken by Playwright with the system Chromium, and the
key-figures slide of a briefing pack.

    python scripts/screenshots.py                  # builds a demo database in a temporary folder, serves it, shoots
    python scripts/screenshots.py --only rankings brief-kpis digest-email # some of the pictures
    python scripts/screenshots.py --url http://127.0.0.1:8501   # shoots a dashboard that is already running (no slide)

Writes docs/screenshots/<name>.png. Never downloads a browser: it uses /usr/bin/chromium (apt-get install chromium);
the slide is the pack's PDF page drawn by pdftoppm (apt-get install poppler-utils).
"""

import argparse
import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dashboard.cli import serve_command

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# name → path and query; the demo's stories are in view (the bought followers, the trained district, dormant pages).
SHOTS = {
    "overview": "/?lang=ru&country=KZ&period=year",
    "growth": "/growth?lang=en&country=KZ&region=KZ-MAN&level=district&period=year",
    "rankings": "/rankings?lang=ru&country=RU&region=RU-ALT&level=district&period=custom&from=2026-05-27&to=2026-11-22",
    "responsiveness": "/responsiveness?lang=en&country=RU&region=RU-ALT&district=RU-ALT-TLM&period=year",
    "compare": "/compare?lang=ru&country=KZ&region=KZ-KUS&level=district",
    "account": "/account?lang=en&country=KZ&region=KZ-PAV&district=KZ-PAV-EKB&period=year&account=520",
    "coverage": "/coverage?lang=ru&country=RU&region=RU-ALT&level=district",
    "data": "/data?lang=en",
    # The blocks below the first screen: the shot starts at the section's heading.
    "top-posts": "/?lang=ru&country=RU&region=RU-ALT&period=90d#top-posts",
    "best-time": "/growth?lang=en&country=KZ&period=90d#best-time",
}
# Shots of one block are as tall as the block, not the page.
HEIGHTS = {"top-posts": 820, "best-time": 640}
# The README's slide: the key figures (page 2) of Altai Krai's pack for October 2026, in Russian.
BRIEF = "brief-kpis"
BRIEF_ARGS = ["--territory", "RU-ALT", "--from", "2026-10-01", "--to", "2026-10-31", "--lang", "ru"]
DIGEST = "digest-email"  # the weekly digest as a mail program shows it


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def streamlit(
    env: Mapping[str, str], port: int | None = None, log_to: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The dashboard served as by `govpulse serve` on a free port with environment `env`, once healthy: its URL and
    process; its log in `log_to`. Its warm-up is off unless `env` sets GOVPULSE_WARM_UP: pages are timed and shown
    as their first reader finds them."""
    port = port or free_port()
    cmd = serve_command(port)
    env = {"GOVPULSE_WARM_UP": "false", **env}
    # The log goes to a file, not a pipe: a full pipe would stall the server.
    with open(log_to, "w+b") if log_to else tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, env=dict(env), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, proc, log)
            yield url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def serve(data_dir: Path, port: int | None = None) -> Iterator[str]:
    """The dashboard over the database in `data_dir`, served on a free port; yields its URL."""
    env = os.environ | {
        "GOVPULSE_DATA_DIR": str(data_dir),
        "GOVPULSE_DATABASE_URL": f"sqlite:///{data_dir / 'govpulse.db'}",
    }
    with streamlit(env, port) as (url, _):
        yield url


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Any, timeout_s: float = 60) -> None:
    """Wait until the server answers its health check; fail with its log if it exits or takes too long."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError as exc:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"streamlit did not start at {url}: {log.read().decode()}") from exc
            time.sleep(0.3)


def settle(page: Any, timeout_s: float = 90) -> None:
    """Wait until Streamlit has finished running the script and drawing its charts."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout_s * 1000)
    end = time.monotonic() + timeout_s
    quiet = 0
    while time.monotonic() < end and quiet < 3:
        busy = page.locator('[data-testid="stStatusWidget"], [data-testid="stSkeleton"]').count()
        quiet = quiet + 1 if busy == 0 else 0
        time.sleep(0.4)
    time.sleep(1.0)  # plotly animates its first draw


def capture(
    url: str, out_dir: Path, shots: dict[str, str], width: int = 1400, height: int = 1800, page: Any = None
) -> list[Path]:
    """One PNG per shot (`name` → path and query) of the dashboard at `url`, in `page` or a browser of its own."""
    if page is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                return capture(url, out_dir, shots, width, height, browser.new_page())
            finally:
                browser.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, path in shots.items():
        page.set_viewport_size({"width": width, "height": HEIGHTS.get(name, height)})
        page.goto(url + path)
        settle(page)
        if "#" in path:
            # Streamlit draws the page after the browser looked for the anchor: scroll to it now.
            page.evaluate("id => document.getElementById(id).scrollIntoView()", path.split("#", 1)[1])
            settle(page)
        target = out_dir / f"{name}.png"
        page.screenshot(path=str(target))
        written.append(target)
    return written


EMAIL_WIDTH = 760  # pixels of a mail program's reading pane


def email_picture(page_html: str, target: Path, width: int = EMAIL_WIDTH) -> Path:
    """A PNG (2×) of an e-mail's HTML page as Chromium draws it, its whole height."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 600}, device_scale_factor=2)
            page.set_content(page_html, wait_until="load")
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(target), full_page=True)
        finally:
            browser.close()
    return target


def digest_email(folder: Path, target: Path) -> Path:
    """The picture of the weekly digest e-mail of Altai Krai (ending 22 November 2026) over the demo in `folder`."""
    env = os.environ | {
        "GOVPULSE_DATA_DIR": str(folder),
        "GOVPULSE_DATABASE_URL": "",
        "GOVPULSE_PUBLIC_URL": os.environ.get("GOVPULSE_PUBLIC_URL", "https://govpulse.example.ru"),
    }
    code = (
        "import datetime as dt, streamlit.logger; streamlit.logger.set_log_level('error')\n"
        "from dashboard.digest import compose\n"
        "print(compose('RU-ALT', 'week', dt.date(2026, 11, 23), 'ru').message().html())"
    )  # fmt: skip
    found = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return email_picture(found.stdout, target)


def brief_slide(data_dir: Path, out_dir: Path) -> Path:
    """The key-figures slide of the briefing pack over the database in `data_dir`, as <out_dir>/brief-kpis.png
    (1280 × 720): `govpulse brief` writes the PDF, pdftoppm draws its second page."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="govpulse-brief-") as folder:
        pdf = Path(folder) / "brief.pdf"
        subprocess.run(
            [sys.executable, "-m", "dashboard", "brief", *BRIEF_ARGS, "--format", "pdf", "--out", str(pdf)],
            env=os.environ | {"GOVPULSE_DATA_DIR": str(data_dir), "GOVPULSE_DATABASE_URL": ""},
            cwd=ROOT,
            check=True,
            stderr=subprocess.DEVNULL,
        )
        subprocess.run(
            ["pdftoppm", "-png", "-r", "96", "-f", "2", "-l", "2", "-singlefile", str(pdf), str(out_dir / BRIEF)],
            check=True,
        )
    return out_dir / f"{BRIEF}.png"


def build_demo(folder: Path) -> None:
    """A demo database (12 months to 2026-11-22) in `folder`."""
    subprocess.run(
        [sys.executable, "-m", "etl", "demo", "--end", "2026-11-22", "--months", "12"],
        env=os.environ | {"GOVPULSE_DATA_DIR": str(folder), "GOVPULSE_DATABASE_URL": ""},
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def main() -> None:
    """Take the README's screenshots."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running dashboard (default: build the demo and serve it)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", nargs="+", choices=[*SHOTS, BRIEF, DIGEST], help="these pictures only (default: all)")
    args = parser.parse_args()
    started = dt.datetime.now()
    wanted = set(args.only or [*SHOTS, BRIEF, DIGEST])
    shots = {name: path for name, path in SHOTS.items() if name in wanted}
    if args.url:
        paths = capture(args.url, args.out, shots)
    else:
        with tempfile.TemporaryDirectory(prefix="govpulse-shots-") as folder:
            build_demo(Path(folder))
            paths = [brief_slide(Path(folder), args.out)] if BRIEF in wanted else []
            if DIGEST in wanted:
                paths.append(digest_email(Path(folder), args.out / f"{DIGEST}.png"))
            if shots:
                with serve(Path(folder)) as url:
                    paths += capture(url, args.out, shots)
    seconds = (dt.datetime.now() - started).total_seconds()
    print(f"{len(paths)} screenshots in {args.out} ({seconds:.0f} s)")


if __name__ == "__main__":
    main()
