"""Sign-in, roles and territories: the rules as pure functions, and the pages of people signed in by OpenID Connect
(AppTest seeds st.user; the proxy's header is tested in a real browser, tests/dashboard/test_browser.py, and OpenID
Connect end to end against a provider of the test's, tests/dashboard/test_browser_oidc.py)."""

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from dashboard import access
from dashboard.filters import Scope
from dashboard.i18n import translator
from etl.settings import get_settings
from etl.store import users
from etl.store.audit import Actor, entries, record
from etl.store.db import make_engine
from tests.dashboard.support import ROOT, demo_database, run_page, using

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# A tiny tree: a country, two regions, districts in one of them.
PLACES = pd.DataFrame(
    [
        ("RU", "country", None, None, None),
        ("RU-ALT", "region", "RU", "RU", None),
        ("RU-ALT-TLM", "district", "RU-ALT", "RU", "RU-ALT"),
        ("RU-ALT-ZRN", "district", "RU-ALT", "RU", "RU-ALT"),
        ("RU-ALT-TLM-01", "settlement", "RU-ALT-TLM", "RU", "RU-ALT"),
        ("RU-NSK", "region", "RU", "RU", None),
    ],
    columns=["code", "level", "parent_code", "country_code", "region_code"],
).set_index("code", drop=False)
PLACES["region_code"] = PLACES["region_code"].fillna(PLACES["code"].where(PLACES["level"] == "region"))
PLACES["country_code"] = PLACES["country_code"].fillna("RU")
PLACES["district_code"] = [None, None, "RU-ALT-TLM", "RU-ALT-ZRN", "RU-ALT-TLM", None]


def test_groups_give_the_strongest_role() -> None:
    """govpulse's groups in any of their spellings give a role; the strongest wins; other groups are ignored."""
    assert access.from_groups(["staff", "govpulse:viewer:RU-ALT"]) == ("viewer", "RU-ALT")
    assert access.from_groups(["/govpulse/loader/RU-ALT-TLM", "govpulse:viewer:RU-ALT"]) == ("loader", "RU-ALT-TLM")
    assert access.from_groups(["GOVPULSE Admin"]) == ("admin", "")
    assert access.from_groups(["govpulse:loader:RU-ALT", "govpulse:loader"]) == ("loader", "")
    assert access.from_groups(["govpulse-loader", "govpulse:owner:RU"]) is None


def test_two_territories_at_one_role_are_refused() -> None:
    """Two groups of one role over different territories name both territories instead of picking one."""
    with pytest.raises(ValueError, match="RU-ALT-TLM, RU-ALT-ZRN"):
        access.from_groups(["govpulse:loader:RU-ALT-ZRN", "govpulse:loader:RU-ALT-TLM"])
    found = access.resolve("a@x.ru", ["govpulse:loader:RU-ALT-ZRN", "govpulse:loader:RU-ALT-TLM"], None, PLACES)
    assert found == access.Denied("access.groups_conflict", {"name": "a@x.ru", "territories": "RU-ALT-TLM, RU-ALT-ZRN"})


def test_the_users_table_wins_and_territories_are_checked() -> None:
    """A row of the users table outranks the groups; no role at all, or a settlement's or unknown territory, is
    refused with the reason."""
    table = ("viewer", "RU-ALT")
    found = access.resolve("a@x.ru", ["govpulse:admin"], table, PLACES)
    assert found == access.User("a@x.ru", "viewer", "RU-ALT", "table")
    assert access.resolve("a@x.ru", [], None, PLACES) == access.Denied("access.no_role", {"name": "a@x.ru"})
    for code in ("RU-ALT-TLM-01", "KZ"):
        found = access.resolve("a@x.ru", [f"govpulse:viewer:{code}"], None, PLACES)
        assert found == access.Denied("access.bad_territory", {"name": "a@x.ru", "territory": code})


def test_roles_include_the_weaker_ones() -> None:
    """An administrator may load, a loader may read, a viewer may only read."""
    admin, loader, viewer = (access.User("x", role) for role in ("admin", "loader", "viewer"))
    assert admin.may("loader") and loader.may("viewer") and not viewer.may("loader") and not loader.may("admin")


def test_pages_are_seen_only_in_ones_own_territory() -> None:
    """Inside one's territory everything shows; a wider scope shows its pages of one's territory only; another
    territory shows none; the whole database sees all."""
    region = Scope("RU-ALT", "region_code", ("vk",))
    district = Scope("RU-ALT-TLM", "district_code")
    assert access.detail(district, "RU-ALT-TLM", PLACES) == district
    assert access.detail(district, "RU-ALT", PLACES) == district
    assert access.detail(region, "RU-ALT-TLM", PLACES) == Scope("RU-ALT-TLM", "district_code", ("vk",))
    assert access.detail(Scope("RU", "country_code"), "RU-ALT", PLACES) == Scope("RU-ALT", "region_code")
    assert access.detail(Scope("RU-ALT-ZRN", "district_code"), "RU-ALT-TLM", PLACES) is None
    assert access.detail(Scope("RU-NSK", "region_code"), "RU-ALT", PLACES) is None
    assert access.detail(region, "", PLACES) == region


def test_incomplete_oidc_settings_are_named() -> None:
    """Every missing OpenID Connect setting is named by its section; a named provider's section is read."""
    assert access.oidc_missing(None) == [
        "[auth] redirect_uri", "[auth] cookie_secret", "[auth] client_id", "[auth] client_secret",
        "[auth] server_metadata_url",
    ]  # fmt: skip
    named = {"redirect_uri": "r", "cookie_secret": "c", "keycloak": {"client_id": "i", "client_secret": "s"}}
    assert access.oidc_missing(named) == ["[auth.keycloak] server_metadata_url"]
    assert access.provider(named) == "keycloak"
    assert access.provider({"client_id": "i"}) is None


def test_the_setup_message_points_at_the_sign_in_section() -> None:
    """The message of incomplete settings names the section of docs/deploy.md that sets sign-in up, in every
    language."""
    deploy = (ROOT.parent / "docs" / "deploy.md").read_text(encoding="utf-8")
    (number,) = re.findall(r"^## (\d+)\. Sign-in and roles$", deploy, re.MULTILINE)
    for lang in ("ru", "kk", "en"):
        told = translator(lang)("access.oidc_setup", missing="", path="")
        assert re.findall(r"docs/deploy\.md, \D*?(\d+)", told) == [number], lang


# --- Pages of people signed in by OpenID Connect (AppTest seeds st.user and the [auth] secrets) ---

SECRETS = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-test-secret-of-some-length",
    "client_id": "govpulse",
    "client_secret": "test",
    "server_metadata_url": "http://127.0.0.1:1/realms/test/.well-known/openid-configuration",
}


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the demo database (these tests write users and the audit), in use with OpenID Connect sign-in."""
    folder = tmp_path_factory.mktemp("access")
    with (
        sqlite3.connect(demo_database(tmp_path_factory) / "govpulse.db") as src,
        sqlite3.connect(folder / "govpulse.db") as dst,
    ):
        src.backup(dst)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GOVPULSE_AUTH", "oidc")
        with using(folder):
            yield folder


def app(page: str, person: dict[str, object] | None, secrets: bool = True, **query: str) -> AppTest:
    """The app opened on a page by a person (st.user's claims), run once."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    if secrets:
        at.secrets["auth"] = SECRETS
    at.user = {"is_logged_in": True, **person} if person else {"is_logged_in": False}
    at.query_params.update(query)
    at.run()
    if page != "overview" and not at.exception and at.title and at.title[0].value != "govpulse":
        at.switch_page(f"app_pages/{page}.py").run()
    return at


LOADER = {"email": "press@talmensky.ru", "groups": ["/govpulse/loader/RU-ALT-TLM"]}
VIEWER = {"email": "head@altai.ru", "groups": ["govpulse:viewer:RU-ALT"]}


def test_oidc_without_settings_says_what_to_configure(private: Path) -> None:
    """With GOVPULSE_AUTH=oidc and no [auth] secrets the app names each missing setting and the file, and shows an
    example; no exception, no page."""
    at = app("overview", LOADER, secrets=False, lang="en")
    assert not at.exception, at.exception
    (told,) = at.info
    assert "[auth] redirect_uri" in told.value and "[auth] server_metadata_url" in told.value
    assert ".streamlit/secrets.toml" in told.value
    assert "[auth]" in at.code[0].value
    assert [t.value for t in at.title] == ["govpulse"]


def test_signing_in_and_no_role(private: Path) -> None:
    """A visitor not signed in gets a sign-in button; one signed in without a role is told how to get one."""
    at = app("overview", None, lang="en")
    assert not at.exception and at.button[0].label == translator("en")("access.sign_in_button")
    at = app("overview", {"email": "stranger@example.org", "groups": ["staff"]}, lang="en")
    assert not at.exception
    assert "govpulse users add stranger@example.org" in at.info[0].value


def test_a_district_loader_sees_its_own_pages_only(private: Path) -> None:
    """The loader of a district opens on it, sees its pages on the Account page, the region's district ranking, and
    no page of another district."""
    en = translator("en")
    at = app("account", LOADER, lang="en", country="RU", region="RU-ALT", district="RU-ALT-TLM")
    assert not at.exception, at.exception
    assert at.selectbox(key="p_account").options, "the district's pages are listed"
    assert any("press@talmensky" in c.value for c in at.sidebar.caption)
    at = app("account", LOADER, lang="en", country="RU", region="RU-ALT", district="RU-ALT-ZRN")
    assert not at.exception, at.exception
    assert not at.get("selectbox") or all(s.key != "p_account" for s in at.selectbox)
    assert any(en("access.outside", territory="Talmensky District") == i.value for i in at.info)
    at = app("rankings", LOADER, lang="en", country="RU", region="RU-ALT", level="district")
    assert not at.exception, at.exception
    assert at.dataframe, "the region's districts are ranked for everyone"


def test_a_viewer_has_no_upload_box_and_a_loader_has(private: Path) -> None:
    """A viewer's Data page has no upload box; a loader's has one and says what it may hold."""
    at = app("data", VIEWER, lang="en")
    assert not at.exception, at.exception
    assert not at.get("file_uploader")
    assert translator("en")("access.no_upload") in [i.value for i in at.info]
    at = app("data", LOADER, lang="en")
    assert not at.exception, at.exception
    assert len(at.get("file_uploader")) == 2


def test_the_load_history_shows_a_district_its_own_files(private: Path) -> None:
    """The Data page's load history lists every file to a person of the whole database, and to a district's people
    only the files the audit records for their district."""
    en = translator("en")

    def history(person: dict[str, object]) -> list[str]:
        at = app("data", person, lang="en")
        assert not at.exception, at.exception
        tables = [d.value for d in at.dataframe if en("col.loaded_at") in d.value.columns]
        if not tables:
            assert en("data.no_history") in [c.value for c in at.caption]
        return list(tables[0][en("col.file")]) if tables else []

    everything = history({"email": "admin@altai.ru", "groups": ["govpulse:admin"]})
    assert "followers.csv" in everything
    assert history(LOADER) == []
    engine = make_engine(get_settings().url)
    with engine.begin() as conn:
        sha = conn.execute(text("SELECT sha256 FROM loadlog WHERE source_path LIKE '%posts.csv' LIMIT 1")).scalar_one()
        record(conn, Actor("press@talmensky.ru", "web", "RU-ALT-TLM"), "load", "posts.csv", "loaded", sha256=sha)
    engine.dispose()
    assert history(LOADER) == ["posts.csv"]
    assert history({"email": "press@zarinsk.ru", "groups": ["/govpulse/loader/RU-ALT-ZRN"]}) == []


def test_an_administrator_adds_a_user_and_the_audit_shows_it(private: Path) -> None:
    """An administrator's Data page adds a person through its form; the table, the users section and the audit
    record who did it."""
    admin = {"email": "admin@altai.ru", "groups": ["govpulse:admin"]}
    at = app("data", admin, lang="en")
    assert not at.exception, at.exception
    next(t for t in at.text_input if t.label == "E-mail or user name").input("New.Press@Zarinsk.ru")
    at.selectbox[0].select("loader")
    at.selectbox[1].select("RU-ALT-ZRN")
    next(b for b in at.button if b.label == translator("en")("users.add")).click().run()
    assert not at.exception, at.exception
    engine = make_engine(get_settings().url)
    assert users.find(engine, "new.press@zarinsk.ru") == ("loader", "RU-ALT-ZRN")
    last = entries(engine).iloc[0]
    assert (last["actor"], last["via"], last["action"], last["target"]) == (
        "admin@altai.ru", "web", "users", "new.press@zarinsk.ru",
    )  # fmt: skip
    at.run()
    log = next(d.value for d in at.dataframe if translator("en")("audit.col_actor") in d.value.columns)
    first = log.iloc[0]
    assert (first["Who"], first["Action"], first["File or object"], first["Details"]) == (
        "admin@altai.ru", "users (dashboard)", "new.press@zarinsk.ru", "loader, Zarinsk",
    )  # fmt: skip
    users.remove(engine, "new.press@zarinsk.ru", Actor("test"))
    engine.dispose()


def test_an_administrator_sets_the_weights_everyone_starts_from(private: Path) -> None:
    """An administrator's Rankings page saves the weights shown as everyone's start (audited); a viewer's has no
    such button and starts from them."""
    en = translator("en")
    admin = {"email": "admin@altai.ru", "groups": ["govpulse:admin"]}
    at = app("rankings", admin, lang="en", country="RU", region="RU-ALT", level="district")
    assert not at.exception, at.exception
    at.number_input(key="p_w_response").set_value(50).run()
    next(b for b in at.button if b.label == en("access.weights_save")).click().run()
    assert not at.exception, at.exception
    engine = make_engine(get_settings().url)
    last = entries(engine).iloc[0]
    assert (last["action"], last["actor"], last["detail"].split(" → ")[-1]) == (
        "weights", "admin@altai.ru", "response:50,reply:20,posts:20,er:10,growth:10,reach:10",
    )  # fmt: skip
    engine.dispose()
    at = app("rankings", VIEWER, lang="en", country="RU", region="RU-ALT", level="district")
    assert not at.exception, at.exception
    assert at.number_input(key="p_w_response").value == 50
    assert all(b.label != en("access.weights_save") for b in at.button)


def test_the_address_asked_for_is_kept_through_sign_in(private: Path, tmp_path: Path) -> None:
    """Streamlit's sign-in comes back to the root: the sign-in page keeps the address opened (page, place, period,
    language) in the browser tab, and the pages of a person signed in carry what goes on there; a demo visitor's
    do not. Chromium follows them in tests/dashboard/test_browser_oidc.py."""
    at = app("data", None, lang="en", region="KZ-KUS")
    assert not at.exception, at.exception
    assert [h.value for h in at.html] == [access.KEEP]
    assert "sessionStorage.setItem" in access.KEEP and "location.pathname + location.search" in access.KEEP
    at = app("data", VIEWER, lang="en")
    assert not at.exception, at.exception
    assert [h.value for h in at.sidebar.html if "<script" in h.value] == [access.RESUME]
    assert "location.replace(wanted)" in access.RESUME and "!wanted.startsWith('//')" in access.RESUME
    demo = run_page(tmp_path, "from dashboard import access", "access.resume(access.DEMO)")
    assert not demo.exception and not demo.get("html")
