"""Names, handles and addresses come from delivered files: every page shows them as written, never as Markdown."""

import csv
import json
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from dashboard import ui
from etl.ingest.load import load_paths
from etl.store.db import make_engine
from tests.dashboard.support import ROOT, demo_database, using

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# What a hostile or careless delivery may name a district, a page's owner and its handle: Markdown, HTML, a
# javascript: link, a formula, a Streamlit icon.
DISTRICT = "**Тальменский** [район](javascript:alert(1)) <img src=x onerror=alert(1)> $x^2$ :material/home: _р-н_"
OWNER = "<b>Глава</b> **района** [сайт](https://evil.example) # 1. ~~old~~"
HANDLE = "_talmen_ka_ `adm` \\*x\\*"
ADDRESS = "javascript:alert(document.cookie)"
# Four months compared with the four before, which the data (from 23 Feb) cover: districts move in the Rankings.
WINDOW = {"from": "2026-07-26", "to": "2026-11-22"}
ADDRESSED = "vk.com/talmenka_(official)"
RENAMED = "talmenka_(new) **[x](https://evil.example)**"


def hostile_database(factory: pytest.TempPathFactory) -> tuple[Path, list[int]]:
    """The demo database with Altai Krai's districts and two pages of the Talmensky district renamed by a delivery
    (territories, accounts and followers files loaded through the loader), built by the first caller of the
    session: its folder and the two pages' ids."""
    folder = factory.getbasetemp() / "govpulse-names"
    done = folder / "ids.json"
    if done.exists():
        return folder, json.loads(done.read_text())
    demo = demo_database(factory)
    delivery = folder / "delivery"
    delivery.mkdir(parents=True)
    shutil.copy(demo / "govpulse.db", folder / "govpulse.db")
    with (demo / "csv" / "territories.csv").open(encoding="utf-8") as f:
        places = [r for r in csv.DictReader(f) if r["parent_code"] == "RU-ALT" and r["level"] == "district"]
    with (demo / "csv" / "accounts.csv").open(encoding="utf-8") as f:
        pages = [r for r in csv.DictReader(f) if r["territory_code"] == "RU-ALT-TLM"][:2]
    for place in places:
        named = DISTRICT if place["code"] == "RU-ALT-TLM" else f"{DISTRICT} {place['code']}"
        place |= {"name_ru": named, "name_en": named, "name_kk": named}
    pages[0] |= {"handle": HANDLE, "owner_name": OWNER, "display_name": OWNER, "url": ADDRESS}
    pages[1] |= {"url": f"https://{ADDRESSED}"}
    seen = {"date": "2026-11-22", "platform": pages[1]["platform"], "account_id": pages[1]["account_id"]}
    renamed = [seen | {"followers": "1000", "handle": RENAMED}]
    for name, rows in (("territories.csv", places), ("accounts.csv", pages), ("followers.csv", renamed)):
        with (delivery / name).open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    engine = make_engine(f"sqlite:///{folder / 'govpulse.db'}")
    results = load_paths(engine, [delivery])
    assert all(r.ok for r in results), [(r.path, r.message, r.errors) for r in results]
    with engine.connect() as conn:
        ids = [
            conn.execute(
                text("SELECT id FROM account WHERE platform = :p AND account_id = :a"),
                {"p": page["platform"], "a": page["account_id"]},
            ).scalar_one()
            for page in pages
        ]
    engine.dispose()
    done.write_text(json.dumps(ids))
    return folder, ids


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[int]]:
    """The database of hostile names in use for the module; the renamed pages' ids."""
    folder, ids = hostile_database(tmp_path_factory)
    with using(folder):
        yield ids


class Shown(HTMLParser):
    """The text an HTML fragment shows, and the tags it makes (with their attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def rendered(at: AppTest) -> list[Shown]:
    """Every Markdown text of the page (titles, captions, alerts, expander labels…) rendered as CommonMark, as
    Streamlit renders it in the browser."""
    md = MarkdownIt("commonmark", {"html": False})
    sources: list[Any] = [*at.title, *at.subheader, *at.markdown, *at.caption, *at.error, *at.info, *at.success]
    out = []
    for source in [str(e.value) for e in sources] + [str(e.label) for e in at.expander]:
        shown = Shown()
        shown.feed(md.render(source))
        out.append(shown)
    return out


def page(name: str, **query: str) -> AppTest:
    """A page of the app, opened with a query string."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params.update(query)
    at.run()
    at.switch_page(f"app_pages/{name}.py").run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """All the page's Markdown as the reader sees it, one element a line."""
    return "\n".join("".join(s.text) for s in rendered(at))


def links(at: AppTest) -> list[str]:
    """Every link target the page's Markdown makes."""
    return [str(attrs.get("href")) for s in rendered(at) for tag, attrs in s.tags if tag == "a"]


def test_account_page_shows_names_handles_and_addresses_as_written(hostile: list[int]) -> None:
    """The Account page's heading, territory line, address and renames read exactly as delivered; nothing in them
    becomes bold, a link, a picture or a formula, and an address that is not a web address is no link."""
    at = page("account", lang="ru", country="RU", region="RU-ALT", district="RU-ALT-TLM", account=str(hostile[0]))
    shown = texts(at)
    assert f"{OWNER} — {HANDLE}" in shown
    assert f"{DISTRICT}" in shown and ADDRESS in shown
    assert [tag for s in rendered(at) for tag, _ in s.tags if tag not in ("p", "strong", "br")] == []
    assert links(at) == []
    renamed = page("account", lang="en", country="RU", region="RU-ALT", district="RU-ALT-TLM", account=str(hostile[1]))
    assert links(renamed) == [f"https://{ADDRESSED}"]
    assert f"https://{ADDRESSED}" in texts(renamed)
    assert f"— {RENAMED}\n" in texts(renamed)  # the heading
    assert f" → {RENAMED}" in texts(renamed)  # the renames caption


def test_rankings_name_the_movers_as_written(hostile: list[int]) -> None:
    """The Rankings page's movers name the districts as delivered, in bold as the page makes it and nothing more."""
    at = page("rankings", lang="en", country="RU", region="RU-ALT", level="district", period="custom", **WINDOW)
    movers = [s for s in rendered(at) if DISTRICT in "".join(s.text)]
    assert movers, texts(at)
    assert {tag for s in movers for tag, _ in s.tags} <= {"p", "strong", "br"}
    assert len([line for line in "".join(movers[0].text).splitlines() if line.startswith(DISTRICT)]) == 6


def test_literal_escapes_every_markdown_mark() -> None:
    """A value with every ASCII punctuation mark renders back to itself; a web address is a link that shows
    itself, anything else no link."""
    every = "".join(chr(c) for c in range(33, 127) if not chr(c).isalnum())
    md = MarkdownIt("commonmark", {"html": False})
    for value in (every, DISTRICT, OWNER, HANDLE, "\\", "a  \nb"):
        shown = Shown()
        shown.feed(md.render(ui.literal(value)))
        assert "".join(shown.text).strip() == " ".join(value.splitlines()).strip(), value
        assert [tag for tag, _ in shown.tags] == ["p"]
    for address, target in (("https://vk.com/a_(b)", "https://vk.com/a_(b)"), (ADDRESS, None), ("vk.com/x", None)):
        shown = Shown()
        shown.feed(md.render(ui.link(address)))
        assert "".join(shown.text).strip() == address
        assert [attrs.get("href") for tag, attrs in shown.tags if tag == "a"] == ([target] if target else [])


def test_charts_name_places_as_written_and_the_pptx_reads_them_back() -> None:
    """Plotly reads tags in any text: a chart gets the names as entities, which the browser shows as written and
    the native PowerPoint chart of the pack reads back as the names."""
    from dashboard import charts
    from dashboard.i18n import Tr
    from dashboard.pptx_charts import plain

    df = pd.DataFrame({"name": [OWNER, DISTRICT], "score": [50.0, 70.0], "rank": [2, 1]})
    fig = charts.ranking(df, Tr("en"), "")
    assert list(fig.data[0].y) == [f"1. {charts.label(DISTRICT)}", f"2. {charts.label(OWNER)}"]
    assert "<b>" not in str(fig.to_plotly_json()["data"])
    assert [plain(y) for y in fig.data[0].y] == [f"1. {DISTRICT}", f"2. {OWNER}"]
