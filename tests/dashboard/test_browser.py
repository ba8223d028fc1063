"""In a real browser: every page opens, a filter and the language change, and a copied URL reopens the same view.

Playwright drives the system Chromium (/usr/bin/chromium) against `streamlit run` on a free port. Without Chromium
the tests are skipped with what to install; with CI=true a missing browser fails them.
"""

import json
import os
import re
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dashboard.i18n import translator
from tests.dashboard.proxy import signing_in
from tests.dashboard.support import PAGES, demo_database, year_database
from tests.dashboard.test_names import ADDRESS, DISTRICT, HANDLE, OWNER, hostile_database
from tests.dashboard.test_serve import alive, family, served, stop

sys.path.insert(0, str(Path(__file__).parents[2] / "scripts"))
import screenshots

MISSING = (
    f"Browser tests need Chromium at {screenshots.CHROMIUM}: apt-get install -y chromium fonts-dejavu-core "
    "(do not run `playwright install`; set BROWSER_PATH for another location)"
)


@pytest.fixture(scope="session", autouse=True)
def chromium() -> None:
    """Skip (or, on CI, fail) when the system Chromium is missing."""
    if not os.access(screenshots.CHROMIUM, os.X_OK):
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING)
        pytest.skip(MISSING)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright launches the system Chromium, never a downloaded one."""
    return {**browser_type_launch_args, "executable_path": screenshots.CHROMIUM, "args": screenshots.ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A desktop window (the sidebar is open) in a Russian-speaking browser."""
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}, "locale": "ru-RU"}


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, chromium: None) -> Iterator[str]:
    """The dashboard served over the shared demo database."""
    with screenshots.serve(demo_database(tmp_path_factory)) as url:
        yield url


@pytest.fixture(scope="session")
def year_server(tmp_path_factory: pytest.TempPathFactory, chromium: None) -> Iterator[str]:
    """The dashboard served over the 13-month demo with a delivery collected from every platform."""
    with screenshots.serve(year_database(tmp_path_factory)) as url:
        yield url


def open_page(page: Any, url: str) -> None:
    """Go to `url` and wait for the script run to finish."""
    page.goto(url)
    screenshots.settle(page)


def heading(page: Any) -> str:
    """The page's title."""
    return str(page.locator('[data-testid="stMain"] h1').first.inner_text()).strip()


def query(page: Any) -> dict[str, str]:
    """The current URL's query parameters."""
    from urllib.parse import parse_qsl, urlparse

    return dict(parse_qsl(urlparse(page.url).query))


@pytest.mark.parametrize("name", PAGES)
def test_every_page_opens(server: str, page: Any, name: str) -> None:
    """Each page opens by its URL, titled, without an exception."""
    path = "" if name == "overview" else name
    open_page(page, f"{server}/{path}?lang=en&country=KZ")
    assert heading(page) == translator("en")(f"page.{name}")
    assert page.locator('[data-testid="stException"]').count() == 0
    if name != "data":
        assert page.locator(".js-plotly-plot, [data-testid='stDataFrame']").count() > 0


def test_kazakh_page_names_places_in_kazakh(server: str, page: Any) -> None:
    """In Kazakh the page is titled in Kazakh and a Kazakh region is named by its Kazakh name."""
    open_page(page, f"{server}/growth?lang=kk&country=KZ&region=KZ-KUS")
    assert heading(page) == translator("kk")("page.growth")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Қостанай облысы").count() > 0


def test_filter_language_and_copied_url(server: str, page: Any, context: Any) -> None:
    """Choose a region and English; the URL says so; opening it in a new tab shows the same view."""
    ru, en = translator("ru"), translator("en")
    open_page(page, f"{server}/growth?lang=ru&country=KZ")
    assert heading(page) == ru("page.growth")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stSelectbox"]').filter(has_text=ru("filter.region")).click()
    page.get_by_role("option", name="Костанайская область").click()
    page.wait_for_url(re.compile(r"region=KZ-KUS"))
    screenshots.settle(page)
    sidebar.get_by_text("English", exact=True).click()
    page.wait_for_url(re.compile(r"lang=en"))
    screenshots.settle(page)
    assert heading(page) == en("page.growth")
    found = query(page)
    assert (found["lang"], found["country"], found["region"]) == ("en", "KZ", "KZ-KUS")
    caption = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first.inner_text()
    assert "Kostanay Region" in caption

    again = context.new_page()
    open_page(again, page.url)
    assert heading(again) == en("page.growth")
    assert again.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first.inner_text() == caption
    region = again.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="Region")
    assert "Kostanay Region" in (region.first.text_content() or "") + (
        region.first.locator("input").input_value() or ""
    )


def test_screenshots_script_writes_pictures(server: str, page: Any, tmp_path: Path) -> None:
    """The README's screenshot script works against a running dashboard."""
    (shot,) = screenshots.capture(server, tmp_path, {"overview": screenshots.SHOTS["overview"]}, height=900, page=page)
    assert shot.stat().st_size > 20_000


def test_a_rejected_upload_shows_its_errors(server: str, page: Any, tmp_path: Path) -> None:
    """Uploading a bad CSV in the browser shows the file's errors (line, column, value, rule) and lists it."""
    bad = tmp_path / "followers.csv"
    bad.write_text("date,platform,account_id,followers\n2026-11-20,instagram,1,-4\n", encoding="utf-8")
    open_page(page, f"{server}/data?lang=en")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(bad))
    page.get_by_role("button", name=translator("en")("data.load")).click()
    page.get_by_text(translator("en")("data.rejected_whole")).first.wait_for(timeout=60_000)
    screenshots.settle(page)
    page.screenshot(path=str(tmp_path / "upload.png"), full_page=True)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="followers.csv")
    assert translator("en")("data.errors", n=2) in alert.inner_text()  # an unknown account, followers -4
    assert page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').count() >= 3  # the errors' table too
    assert page.locator('[data-testid="stExpander"]').filter(has_text="followers.csv").count() == 1


def test_a_picture_is_refused_by_its_type_or_by_what_it_is(server: str, page: Any, tmp_path: Path) -> None:
    """A picture keeps its .png name: the upload box refuses it (in Streamlit's own words) and nothing is loaded.
    Renamed .csv, it goes to the loader, which says in the reader's language what it is, by file and line."""
    picture = (Path(__file__).parents[2] / "docs" / "screenshots" / "growth.png").read_bytes()
    (tmp_path / "growth.png").write_bytes(picture)
    (tmp_path / "growth.csv").write_bytes(picture)
    open_page(page, f"{server}/data?lang=ru")
    box = page.locator('[data-testid="stFileUploaderDropzoneInput"]').first
    box.set_input_files(str(tmp_path / "growth.png"))
    screenshots.settle(page)
    assert page.get_by_role("button", name=translator("ru")("data.load")).count() == 0
    assert "image/png files are not allowed" in page.locator('[data-testid="stFileUploader"]').first.inner_text()
    box.set_input_files(str(tmp_path / "growth.csv"))
    screenshots.settle(page)
    page.get_by_role("button", name=translator("ru")("data.load")).click()
    page.get_by_text(translator("ru")("data.rejected_whole")).first.wait_for(timeout=60_000)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="growth.csv").inner_text()
    assert "строка 1: не текст, а двоичные данные (PNG)" in alert
    assert "/tmp" not in alert and "govpulse-upload" not in alert


HINTS = """() => [...document.querySelectorAll('[data-testid="stFileUploaderDropzoneInstructions"] span')]
  .map(e => getComputedStyle(e, '::after').content)"""


def test_a_workbook_uploads_with_its_mapping(server: str, page: Any, tmp_path: Path) -> None:
    """An .xlsx file and the mapping of its headers go up together: the mapping is read (the file's header is
    recognised) and the row's error names the sheet, row, column and value."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    sheet.append(["Report date", "Network", "Page code", "Subscribers at day end"])
    sheet.append(["20.11.2026", "vk", 999999999, 12])
    book.save(tmp_path / "office.xlsx")
    mapping = tmp_path / "office.toml"
    mapping.write_text(
        '[followers]\ndate = "Report date"\naccount_id = "Page code"\nfollowers = "Subscribers at day end"\n',
        encoding="utf-8",
    )
    open_page(page, f"{server}/data?lang=en")
    # Each box says in the reader's words what it takes: data files up to 200 MB, one mapping of up to 1 MB.
    hints = page.evaluate(HINTS)
    en = translator("en")
    assert [json.loads(h) for h in hints if h != "none"] == [
        en("data.upload_hint", mb="200", types="CSV, TSV, TXT, XLSX"),
        en("data.upload_hint", mb="1", types="TOML"),
    ]
    inputs = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    inputs.nth(0).set_input_files(str(tmp_path / "office.xlsx"))
    inputs.nth(1).set_input_files(str(mapping))
    # Both files up, and the script run each starts over, before the click: on a busy machine a click came first and
    # loaded the workbook without its mapping.
    for name in ("office.xlsx", "office.toml"):
        page.get_by_text(name, exact=True).first.wait_for(timeout=60_000)
    screenshots.settle(page)
    page.get_by_role("button", name=translator("en")("data.load")).click()
    page.get_by_text(translator("en")("data.rejected_whole")).first.wait_for(timeout=60_000)
    screenshots.settle(page)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="office.xlsx")
    assert translator("en")("dialect.sheet", sheet="Data", row=1) in alert.inner_text()
    assert translator("en")("data.errors", n=1) in alert.inner_text()


def test_stopping_the_server_closes_its_picture_browser(tmp_path_factory: pytest.TempPathFactory, page: Any) -> None:
    """A server that has rendered a chart picture runs a Chromium of its own, in a session of its own (kaleido);
    SIGTERM to `govpulse serve` ends that browser with the server."""
    folder = demo_database(tmp_path_factory)
    env = os.environ | {
        "GOVPULSE_DATA_DIR": str(folder),
        "GOVPULSE_DATABASE_URL": f"sqlite:///{folder / 'govpulse.db'}",
    }
    with served(env, folder) as (url, proc):
        open_page(page, f"{url}/growth?lang=en&country=KZ")
        with page.expect_download(timeout=90_000) as download:
            page.locator('[data-testid="stDownloadButton"] button').filter(has_text="PNG").first.click()
        assert download.value.suggested_filename.endswith(".png")
        ours = family(proc.pid)
        assert [p for p, _, group, name in alive("/proc") if p in ours and name == "chromium" and group != proc.pid]
        stop(proc, signal.SIGTERM)


def test_names_from_the_data_show_as_written(tmp_path_factory: pytest.TempPathFactory, page: Any) -> None:
    """Names, handles and addresses with Markdown, HTML and links in them read as delivered in the page's text and
    in its charts; none of them becomes a tag, a picture or a link."""
    folder, ids = hostile_database(tmp_path_factory)
    with screenshots.serve(folder) as url:
        open_page(page, f"{url}/account?lang=ru&country=RU&region=RU-ALT&district=RU-ALT-TLM&account={ids[0]}")
        main = page.locator('[data-testid="stMain"]')
        assert main.locator("h3").first.inner_text().strip() == f"{OWNER} — {HANDLE}"
        assert ADDRESS in main.inner_text() and DISTRICT in main.inner_text()
        assert main.locator('img[src="x"], b, em, [href^="javascript"], .katex').count() == 0
        # A web address inside a name stays as written; the browser links it to itself, never to something else.
        shown = [(a.get_attribute("href"), a.inner_text().strip()) for a in main.locator("a[href]").all()]
        assert [(href, text) for href, text in shown if not str(href).startswith("#") and href != text] == []
        open_page(page, f"{url}/rankings?lang=en&country=RU&region=RU-ALT&level=district&period=custom&"
                  "from=2026-07-26&to=2026-11-22")  # fmt: skip
        ticks = [t.text_content() or "" for t in main.locator(".js-plotly-plot .ytick text").all()]
        assert any(DISTRICT in t for t in ticks), ticks  # tags and all, as written
        assert main.locator('.js-plotly-plot a, img[src="x"], [href^="javascript"]').count() == 0
        assert main.locator("strong").filter(has_text=DISTRICT).count() == 6  # the biggest moves, named in bold


CYRILLIC = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]{2,}")
LATIN = re.compile(r"[A-Za-z]{2,}")
# Latin words a Russian page may show: file formats, platform and product names, units and the language switch.
LATIN_OK = {
    *("CSV", "Excel", "PNG", "SVG", "PPTX", "PDF", "TSV", "TXT", "UTF", "XLSX", "ER", "UTC", "URL", "English"),
    *("Instagram", "Facebook", "Telegram", "YouTube", "TikTok", "Threads", "MAX", "OK", "VK", "Reels", "govpulse"),
}
# Text of the page without icons (their names are ligatures) and code; Streamlit's own words of the upload box are
# hidden under the reader's (drawn by CSS, so not in innerText) and would show here if they leaked.
VISIBLE = """() => ['stMain', 'stSidebar'].map(id => document.querySelector(`[data-testid="${id}"]`))
  .filter(Boolean).map(root => { const copy = root.cloneNode(true);
    copy.querySelectorAll('[data-testid*="Icon"], code, pre').forEach(e => e.remove());
    document.body.appendChild(copy); const text = copy.innerText; copy.remove(); return text; }).join("\\n")"""
OVERFLOW = """() => [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')]
  .filter(e => e.scrollWidth > e.clientWidth + 2).length"""
VIEWS = ["country=KZ", "country=RU&region=RU-ALT", "country=RU&region=RU-ALT&district=RU-ALT-TLM"]


@pytest.fixture(scope="session")
def names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every word of the demo's names of places, pages and owners: they stay in their own alphabet."""
    from sqlalchemy import create_engine, text

    folder = demo_database(tmp_path_factory)
    engine = create_engine(f"sqlite:///{folder / 'govpulse.db'}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name_ru, name_en, name_kk FROM territory")).all()
        rows += conn.execute(text("SELECT handle, display_name, owner_name, account_id FROM account")).all()
    engine.dispose()
    return {w for row in rows for value in row if value for w in re.findall(r"[^\W\d_]+", str(value))}


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_pages_read_in_one_language_and_fit_the_screen(
    server: str, page: Any, name: str, lang: str, names: set[str]
) -> None:
    """At 1366 pixels, in the default view of a country, a region and a district: no exception, no word of the
    other alphabet (names of places and pages aside), no table wider than the page."""
    page.set_viewport_size({"width": 1366, "height": 900})
    other = CYRILLIC if lang == "en" else LATIN
    allowed = names | ({"Русский", "Қазақша"} if lang == "en" else LATIN_OK)
    path = "" if name == "overview" else name
    for view in VIEWS:
        open_page(page, f"{server}/{path}?lang={lang}&{view}")
        assert page.locator('[data-testid="stException"]').count() == 0, view
        strays = sorted({w for w in other.findall(page.evaluate(VISIBLE)) if w not in allowed})
        assert strays == [], (view, strays)
        assert page.evaluate(OVERFLOW) == 0, (view, "a table wider than the page")


# --- Signed in behind a reverse proxy (GOVPULSE_AUTH=header): the proxy's header is sent by the browser itself ---

LOADER = "press@talmensky.ru"
VIEWER = "reader@altai.ru"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory, chromium: None) -> Iterator[tuple[str, Path]]:
    """A copy of the demo database with a district's loader and a region's viewer in its users table, served with
    sign-in by the X-Remote-User header: the URL and the database file."""
    import sqlite3

    from etl.store.audit import Actor
    from etl.store.db import make_engine
    from etl.store.users import add

    folder = tmp_path_factory.mktemp("guarded")
    with (
        sqlite3.connect(demo_database(tmp_path_factory) / "govpulse.db") as src,
        sqlite3.connect(folder / "govpulse.db") as dst,
    ):
        src.backup(dst)
    engine = make_engine(f"sqlite:///{folder / 'govpulse.db'}")
    add(engine, LOADER, "loader", "RU-ALT-TLM", Actor("admin"))
    add(engine, VIEWER, "viewer", "RU-ALT", Actor("admin"))
    engine.dispose()
    env = os.environ | {
        "GOVPULSE_DATA_DIR": str(folder),
        "GOVPULSE_DATABASE_URL": f"sqlite:///{folder / 'govpulse.db'}",
        "GOVPULSE_AUTH": "header",
        "GOVPULSE_AUTH_HEADER": "X-Remote-User",
    }
    with screenshots.streamlit(env) as (url, _):
        yield url, folder / "govpulse.db"


@pytest.fixture(scope="module")
def signed(guarded: tuple[str, Path]) -> Iterator[dict[str, str]]:
    """The guarded dashboard's URL behind a reverse proxy for each person, signing every request in by the header."""
    with (
        signing_in(guarded[0], "X-Remote-User", LOADER) as loader,
        signing_in(guarded[0], "X-Remote-User", VIEWER) as viewer,
    ):
        yield {LOADER: loader, VIEWER: viewer}


def as_person(browser: Any) -> Any:
    """A browser tab of its own (a new session)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    return context.new_page()


def rows_of(db: Path) -> dict[str, int]:
    """Rows of every table but the audit's."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'") if n != "auditentry"]
        return {n: conn.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}


def test_without_the_header_nobody_gets_in(guarded: tuple[str, Path], browser: Any) -> None:
    """A request that did not come through the proxy (no header) is told so; no page, no sidebar."""
    page = as_person(browser)
    page.goto(f"{guarded[0]}/?lang=en")
    page.get_by_text("no `X-Remote-User` header", exact=False).or_(page.get_by_text("X-Remote-User")).first.wait_for()
    assert page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').count() == 0
    page.context.close()


def test_a_district_loader_sees_its_district_and_not_anothers_pages(signed: dict[str, str], browser: Any) -> None:
    """The district's loader opens on its district, sees its pages on the Account page and is told that another
    district's pages are its own team's."""
    en = translator("en")
    url = signed[LOADER]
    page = as_person(browser)
    open_page(page, f"{url}/account?lang=en")
    assert query(page)["district"] == "RU-ALT-TLM"  # a link naming no place opens on the person's territory
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').count() == 1
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert LOADER in sidebar and en("access.role_loader") in sidebar
    open_page(page, f"{url}/account?lang=en&country=RU&region=RU-ALT&district=RU-ALT-ZRN")
    assert page.get_by_text(en("access.outside", territory="Talmensky District")).count() == 1
    assert page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').count() == 0
    open_page(page, f"{url}/rankings?lang=en&country=RU&region=RU-ALT&level=district")
    assert page.locator(".js-plotly-plot").count() > 0, "the region's district ranking is open to everyone"
    page.context.close()


def test_another_districts_rows_are_refused_and_audited(
    guarded: tuple[str, Path], signed: dict[str, str], browser: Any, tmp_path: Path
) -> None:
    """The loader's upload of a file with a row of another district is refused whole, naming the line and the
    territory; the data is unchanged; the audit on the Data page lists the refusal with the loader's name."""
    import sqlite3

    from dashboard.access_ui import AUDIT_ROWS

    url, db = signed[LOADER], guarded[1]
    with sqlite3.connect(db) as conn:
        page_of = "SELECT account_id FROM account WHERE territory_code = ? AND platform = 'vk'"
        (own,), (other,) = (conn.execute(page_of, (code,)).fetchall() for code in ("RU-ALT-TLM", "RU-ALT-ZRN"))
    upload = tmp_path / "followers.csv"
    upload.write_text(
        f"date,platform,account_id,followers\n2026-11-22,vk,{own[0]},1\n2026-11-22,vk,{other[0]},1\n", encoding="utf-8"
    )
    before = rows_of(db)
    en = translator("en")
    page = as_person(browser)
    open_page(page, f"{url}/data?lang=en")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(upload))
    page.get_by_role("button", name=en("data.load")).click()
    page.get_by_text(en("data.rejected_whole")).first.wait_for(timeout=60_000)
    screenshots.settle(page)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="followers.csv").first.inner_text()
    assert en("access.reason_outside", territory="RU-ALT-TLM", n=1, others="RU-ALT-ZRN (1)") in alert
    assert rows_of(db) == before
    with sqlite3.connect(db) as conn:
        last = conn.execute(
            "SELECT actor, via, action, target, outcome, territory_code FROM auditentry ORDER BY id DESC"
        )
        assert last.fetchone() == (LOADER, "web", "load", "followers.csv", "rejected", "RU-ALT-TLM")
    open_page(page, f"{url}/data?lang=en")
    audit = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').last
    audit.scroll_into_view_if_needed()
    screenshots.settle(page)
    assert page.get_by_text(en("audit.title"), exact=True).count() == 1
    assert page.get_by_text(en("audit.help", n=f"{AUDIT_ROWS}").split(";")[0]).count() == 1
    # The table is drawn on a canvas (its rows are checked by tests/dashboard/test_access.py): it is there.
    assert audit.locator("canvas").count() > 0
    page.screenshot(path=str(tmp_path / "audit.png"), full_page=True)
    page.context.close()


def test_a_viewer_has_no_upload_box(signed: dict[str, str], browser: Any) -> None:
    """A region's viewer reads the Data page without an upload box, told who uploads."""
    page = as_person(browser)
    open_page(page, f"{signed[VIEWER]}/data?lang=en")
    assert page.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
    assert page.get_by_text(translator("en")("access.no_upload")).count() == 1
    page.context.close()


def test_the_demo_says_it_has_no_sign_in(server: str, page: Any) -> None:
    """The demo's sidebar says that nobody signs in, in the reader's language."""
    for lang in ("ru", "kk", "en"):
        open_page(page, f"{server}/?lang={lang}&country=KZ")
        assert translator(lang)("access.demo") in page.locator('[data-testid="stSidebar"]').inner_text()


PERIOD = "period=custom&from=2026-10-24&to=2026-11-22"
# The collected posts of Altai Krai that lead its engagement ranking (and, in another order, its views), each link as
# the platform's address of the post (the MAX channel's where the post's own is not known).
ALTAI_LINKS = [
    "https://vk.com/wall-186543210_501",
    "https://ok.ru/group/70000001234567/topic/155384729100115",
    "https://t.me/altai_molodezh/1214",
    "https://max.ru/altai_molodezh",
    "https://vk.com/wall-186543210_502",
    "https://ok.ru/group/70000001234567/topic/155384729100116",
    "https://t.me/altai_molodezh/1215",
    "https://max.ru/altai_molodezh",
]


def top_posts_grid(page: Any) -> Any:
    """The visible table of top posts, scrolled into view."""
    header = translator("ru")("col.published_local")
    grid = page.locator('[data-testid="stDataFrame"]:visible').filter(has=page.locator("th", has_text=header)).first
    grid.scroll_into_view_if_needed()
    screenshots.settle(page)
    return grid


def link_cells(grid: Any) -> list[str]:
    """What each row's link cell holds (the grid's accessible copy of the canvas), top to bottom."""
    last = grid.locator("thead th").count()
    cells = grid.locator(f'tbody td[aria-colindex="{last}"]')
    return [str(cells.nth(i).inner_text()) for i in range(cells.count())]


def test_top_posts_open_each_post_on_its_platform(year_server: str, page: Any) -> None:
    """The top posts of Altai Krai carry their posts' addresses, the demo's invented ones none, in both rankings.
    The grid draws on a canvas; its accessible copy holds each link cell's value, the address Streamlit opens."""
    open_page(page, f"{year_server}/?lang=ru&country=RU&region=RU-ALT&{PERIOD}")
    assert link_cells(top_posts_grid(page)) == [*ALTAI_LINKS, "", ""]
    page.get_by_role("tab", name=translator("ru")("posts.by_views")).click()
    screenshots.settle(page)
    by_views = [ALTAI_LINKS[i] for i in (3, 2, 7, 6, 1, 0, 5, 4)]
    assert link_cells(top_posts_grid(page)) == [*by_views, "", ""]


# Each plotly heatmap of the page: its rows' names, its number of columns, its drawn images and the y axis' labels.
HEATMAPS = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(el => el.data && el.data[0].type === 'heatmap')
  .map(el => ({y: el.data[0].y, x: el.data[0].x.length, images: el.querySelectorAll('.heatmaplayer image').length,
               ticks: [...el.querySelectorAll('.ytick text')].map(t => t.textContent)}))"""


def test_the_best_time_heatmap_renders(server: str, page: Any) -> None:
    """The Growth page draws the heatmap: seven weekdays named in Russian, 24 hours, its cells painted."""
    open_page(page, f"{server}/growth?lang=ru&country=KZ")
    found = page.evaluate(HEATMAPS)
    assert len(found) == 1
    (heat,) = found
    assert heat["y"] == translator("ru").weekdays() and heat["x"] == 24
    assert heat["images"] >= 1 and sorted(heat["ticks"]) == sorted(translator("ru").weekdays())
    assert translator("ru")("chart.best_time") in page.evaluate(VISIBLE)


# The texts of the KPI cards that do not fit their box: Streamlit cuts them with "…".
CUT = """() => [...document.querySelectorAll('[data-testid="stMetric"] [data-testid="stMarkdownContainer"]')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"""


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_the_cards_are_whole_in_a_laptop_window(server: str, page: Any, lang: str) -> None:
    """In a 1,280-pixel window the Overview of Kazakhstan shows every card's label, value and change whole, its
    millions of followers told short in the language."""
    page.set_viewport_size({"width": 1280, "height": 900})
    open_page(page, f"{server}/?lang={lang}&country=KZ")
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert len(values) == 8 and values[0].endswith("M" if lang == "en" else "млн"), values
    assert page.evaluate(CUT) == []


def test_the_cards_compare_with_a_year_earlier(year_server: str, page: Any) -> None:
    """On a demo with more than a year of data, each of the Overview's eight cards has its change against the same
    period a year earlier, with its sign."""
    open_page(page, f"{year_server}/?lang=ru&country=KZ")
    text = page.evaluate(VISIBLE)
    head = translator("ru")("kpi.yoy", delta="")
    lines = re.findall(re.escape(head) + r"([+−±][\d\s,]+)", text)
    assert len(lines) == 8, text[:2000]
