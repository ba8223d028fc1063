"""The dashboard's pages run on the demo database and on an empty one, in every language, and follow the filters."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import ui
from dashboard.i18n import translator
from tests.dashboard.support import PAGES, ROOT, demo_database, empty_database, using

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The shared demo database, in use for the module."""
    folder = demo_database(tmp_path_factory)
    with using(folder):
        yield folder


def app(page: str = "overview", **query: str) -> AppTest:
    """The whole app (router and sidebar) opened on a page with a query string, run once."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params.update(query)
    at.run()
    if page != "overview" and not at.exception:
        at.switch_page(f"app_pages/{page}.py").run()
    return at


def metric(at: AppTest, label: str) -> str:
    """The value of the KPI card with this label."""
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_demo(demo: Path, page: str, lang: str) -> None:
    """Every page runs without an exception and is titled in the language chosen, in Kazakhstan's terms (its
    official pages, not госпаблики)."""
    at = app(page, lang=lang, country="KZ", period="90d")
    assert not at.exception, at.exception
    assert at.title[0].value == translator(lang).in_country("KZ")(f"page.{page}")
    if page != "data":
        assert at.get("plotly_chart") or at.dataframe, "a page shows a chart or a table"


def test_pages_run_in_russia_at_settlement_level(demo: Path) -> None:
    """The Russian side, at settlement level, with owner-role and platform filters, runs on every page."""
    for page in PAGES:
        at = app(page, lang="ru", country="RU", region="RU-ALT", level="settlement", role="body", platform="vk")
        assert not at.exception, (page, at.exception)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_an_empty_database(tmp_path_factory: pytest.TempPathFactory, page: str) -> None:
    """On an empty database every page says so kindly; nothing raises."""
    with using(empty_database(tmp_path_factory)):
        at = app(page, lang="en")
    assert not at.exception, at.exception
    assert any("database is empty" in i.value for i in at.info)


def test_an_empty_selection_is_a_message(demo: Path) -> None:
    """A filter that selects nothing gives a friendly message on the pages."""
    for page in ("overview", "growth", "rankings", "compare", "account"):
        at = app(page, lang="en", country="KZ", platform="vk")
        assert not at.exception, (page, at.exception)
        assert at.info, page


def test_filters_change_the_numbers(demo: Path) -> None:
    """Region, platform, owner role and period each change the headline numbers."""
    label = translator("en")("kpi.followers")
    base = metric(app(lang="en", country="KZ"), label)
    for query in ({"region": "KZ-KUS"}, {"platform": "instagram"}, {"role": "head"}, {"period": "7d"}):
        changed = metric(app(lang="en", country="KZ", **query), label)
        if "period" in query:
            changed = metric(app(lang="en", country="KZ", **query), translator("en")("kpi.posts_per_week"))
            base_posts = metric(app(lang="en", country="KZ"), translator("en")("kpi.posts_per_week"))
            assert changed != base_posts
        else:
            assert changed != base, query


def test_widgets_write_the_url_and_the_url_restores_them(demo: Path) -> None:
    """Choosing a region writes it to the URL; opening that URL shows the same view."""
    at = app(lang="en", country="KZ")
    at.sidebar.selectbox(key="f_region").select("KZ-KUS").run()
    at.sidebar.selectbox(key="f_period").select("90d").run()
    assert not at.exception
    query = {k: str(at.query_params[k]) for k in at.query_params}
    assert query["region"] == "KZ-KUS" and query["period"] == "90d"
    again = app(**query)
    assert again.sidebar.selectbox(key="f_region").value == "KZ-KUS"
    label = translator("en")("kpi.followers")
    assert metric(again, label) == metric(at, label)


def test_language_switch_formats_numbers(demo: Path) -> None:
    """Switching to English turns labels and number formats: 8,79 млн → 8.79M on the card, 8 792 873 → 8,792,873
    in its tooltip, +138 732 → +138,732 in its change."""
    at = app(lang="ru", country="KZ")
    ru = next(m for m in at.metric if m.label == translator("ru")("kpi.followers"))
    at.sidebar.button_group(key="f_lang").set_value("en").run()
    en = next(m for m in at.metric if m.label == translator("en")("kpi.followers"))
    assert ru.value.endswith("\xa0млн") and en.value.endswith("M")
    assert ru.value.removesuffix("\xa0млн").replace(",", ".") == en.value.removesuffix("M")
    exact_ru, exact_en = ru.proto.help.split("Точно: ")[1], en.proto.help.split("Exactly: ")[1]
    assert "\xa0" in exact_ru and "," in exact_en and "\xa0" in ru.proto.delta and "," in en.proto.delta
    assert exact_ru.split(";")[0].replace("\xa0", "") == exact_en.split(";")[0].replace(",", "")
    assert ru.proto.delta.replace("\xa0", "") == en.proto.delta.replace(",", "")
    assert at.query_params["lang"] == "en"


def test_page_scripts_run_alone(demo: Path) -> None:
    """Each page script also runs by itself, reading the filters from the URL."""
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / "app_pages" / f"{page}.py"), default_timeout=180)
        at.query_params.update({"lang": "en", "country": "RU", "region": "RU-ALT"})
        at.run()
        assert not at.exception, (page, at.exception)


def test_growth_modes_and_grouping(demo: Path) -> None:
    """Every grouping and scale of the Growth page runs and draws its two follower charts (and the best time to
    post, which they do not change)."""
    for by in ("territory", "platform", "role", "account"):
        for mode in ("absolute", "index", "per1000"):
            at = app("growth", lang="en", country="KZ", by=by, mode=mode)
            assert not at.exception, (by, mode, at.exception)
            assert len(at.get("plotly_chart")) == 3


def test_rankings_weights_live_in_the_url(demo: Path) -> None:
    """Changing a weight of the index writes it to the URL."""
    at = app("rankings", lang="en", country="RU", region="RU-ALT", level="district", period="year")
    at.number_input(key="p_w_response").set_value(50).run()
    assert not at.exception
    assert "response:50" in at.query_params["w"]


def test_account_page_of_a_wide_scope_lists_pages_by_handle(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the ranked limit the picker lists the pages by handle; the chosen page's figures stay the same."""
    ranked = app("account", lang="en", country="KZ", period="90d")
    chosen = str(ranked.selectbox(key="p_account").value)
    cards = {m.label: m.value for m in ranked.metric}
    monkeypatch.setattr(ui, "RANKED_PAGES", 10)
    wide = app("account", lang="en", country="KZ", period="90d", account=chosen)
    assert not wide.exception, wide.exception
    handles = [str(label).split(" · ")[0] for label in wide.selectbox(key="p_account").options]
    assert len(handles) > 10 and handles == sorted(handles)
    assert str(wide.selectbox(key="p_account").value) == chosen
    assert {m.label: m.value for m in wide.metric} == cards


def test_a_scope_with_more_pages_than_a_picker_lists_is_searched(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the listed limit the picker lists the first pages by handle and says so; typing part of a handle (in any
    case) finds a page beyond them; a page opened by its link stays listed; nothing found says so."""
    from dashboard import queries
    from dashboard.filters import Scope

    monkeypatch.setattr(ui, "RANKED_PAGES", 10)
    monkeypatch.setattr(ui, "LISTED_PAGES", 10)
    at = app("account", lang="en", country="KZ", period="90d")
    assert not at.exception, at.exception
    labels = [str(label) for label in at.selectbox(key="p_account").options]
    assert len(labels) == 10 and any("The first 10 of " in c.value for c in at.caption)
    pages = queries.in_scope(Scope("KZ", "country_code")).sort_values(["handle", "platform"])
    far = pages.iloc[len(pages) // 2]
    assert not any(label.startswith(f"{far['handle']} · ") for label in labels)
    at.text_input(key="p_find").input(str(far["handle"]).upper()).run()
    assert not at.exception, at.exception
    assert any(str(label).startswith(f"{far['handle']} · ") for label in at.selectbox(key="p_account").options)
    linked = app("account", lang="en", country="KZ", period="90d", account=str(far["id"]))
    assert str(linked.selectbox(key="p_account").value) == str(far["id"])
    at.text_input(key="p_find").input("no such page anywhere").run()
    assert not at.exception and "contains “no such page anywhere”" in at.info[0].value


HOSTILE = [
    {"period": "custom", "from": "2030-01-01", "to": "2030-02-01"},  # after the data
    {"period": "custom", "from": "1999-01-01", "to": "1999-01-31"},  # before it
    {"period": "custom", "from": "2026-13-45", "to": "yesterday"},
    {"country": "XX", "region": "XX-YY", "district": "<b>x</b>"},
    {"country": "KZ", "region": "RU-ALT"},  # a region of another country
    {"w": "", "account": "99999999", "ids": "a,b,-1", "show": "nowhere", "deadline": "8 days", "level": "oblast"},
    {"platform": "myspace", "role": "emperor", "lang": "xx"},
]


@pytest.mark.parametrize("page", PAGES)
def test_hostile_links_give_a_usable_page(demo: Path, page: str) -> None:
    """Dates outside the data, unknown codes, empty weights and garbage values: a page and a message, never a
    traceback."""
    for query in HOSTILE:
        at = app(page, **{"lang": "ru", **query})
        assert not at.exception, (page, query, at.exception)


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_reply_times_of_regions_and_countries_are_marked_approximate(demo: Path, lang: str) -> None:
    """Reply times read from the histograms carry "≈" and the bound in their tooltip: the Overview's median of a
    country or a region, the Responsiveness page's regions of a country; a district's and the districts of a
    region are exact, unmarked."""
    tr = translator(lang)
    bound = tr("resp.approx_help")
    approx = tr("fmt.approx", value="")
    median = tr.in_country("KZ")("kpi.reply_median")
    for query, marked in (
        ({}, True),
        ({"region": "KZ-KUS"}, True),
        ({"region": "KZ-KUS", "district": "KZ-KUS-KRS"}, False),
    ):
        at = app(lang=lang, country="KZ", period="90d", **query)
        assert not at.exception, at.exception
        card = next(m for m in at.metric if m.label == median)
        assert card.value.startswith(approx) == marked, (query, card.value)
        assert (bound in card.proto.help) == marked, query
    for query, marked in (({}, True), ({"region": "KZ-KUS"}, False)):
        at = app("responsiveness", lang=lang, country="KZ", period="90d", **query)
        assert not at.exception, at.exception
        helps = [column.get("help") or "" for column in json.loads(at.dataframe[0].proto.columns).values()]
        assert sum(bound in h for h in helps) == (3 if marked else 0), query
        assert any(bound in c.value for c in at.caption) == marked, query
