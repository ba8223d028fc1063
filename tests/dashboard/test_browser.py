"""In a real browser: every page opens, a filter and the language change, and a copied URL reopens the same view.

Playwright drives the system Chromium (/usr/bin/chromium) against `streamlit run` on a free port. Without Chromium
the tests are skipped with what to install; with CI=true a missing browser fails them.
"""

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dashboard.i18n import translator
from tests.dashboard.support import PAGES, demo_database, year_database

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
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    page.get_by_role("button", name=translator("en")("data.load")).click()
    page.get_by_text(translator("en")("data.rejected_whole")).first.wait_for(timeout=60_000)
    screenshots.settle(page)
    page.screenshot(path=str(tmp_path / "upload.png"), full_page=True)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="followers.csv")
    assert translator("en")("data.errors", n=2) in alert.inner_text()  # an unknown account, followers -4
    assert page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').count() >= 3  # the errors' table too
    assert page.locator('[data-testid="stExpander"]').filter(has_text="followers.csv").count() == 1


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


def test_the_cards_compare_with_a_year_earlier(year_server: str, page: Any) -> None:
    """On a demo with more than a year of data, each of the Overview's eight cards has its change against the same
    period a year earlier, with its sign."""
    open_page(page, f"{year_server}/?lang=ru&country=KZ")
    text = page.evaluate(VISIBLE)
    head = translator("ru")("kpi.yoy", delta="")
    lines = re.findall(re.escape(head) + r"([+−±][\d\s,]+)", text)
    assert len(lines) == 8, text[:2000]
