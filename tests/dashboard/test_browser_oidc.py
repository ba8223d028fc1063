"""Sign-in end to end in Chromium: `govpulse serve` with GOVPULSE_AUTH=oidc against a real OpenID Connect provider
started by the test (tests/dashboard/oidc_provider.py). Nothing of Streamlit's sign-in is stood in for: the browser
follows the real redirects and the provider's form, Streamlit's server exchanges the code (client secret, PKCE,
nonce, an ID token signed RS256) and signs its own cookie, and the settings are a secrets.toml beside the server.
"""

import csv
import io
import os
import re
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dashboard.cli import app
from dashboard.i18n import translator
from tests.conftest import DATA
from tests.dashboard.oidc_provider import Client, Person, Provider, serving
from tests.dashboard.support import using
from tests.dashboard.test_browser import (  # noqa: F401 (the browser tests' fixtures: the system Chromium)
    browser_type_launch_args,
    chromium,
    open_page,
    screenshots,
)
from tests.dashboard.test_serve import ROOT, served

en = translator("en")
runner = CliRunner()
# A district's press service, given its role by the provider's groups (Keycloak's full group path), and a region's
# reader, given theirs by the users table (`govpulse users add`); the provider also names groups of other systems.
LOADER = Person("press", "press@karasu.kz", ("/govpulse/loader/KZ-KUS-KRS", "/staff"), "Karasu press service")
VIEWER = Person("reader", "reader@kostanay.kz", ("/staff",))


@dataclass(frozen=True)
class Site:
    """The dashboard's URL, the provider it signs people in with, and its database file."""

    url: str
    provider: Provider
    db: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, chromium: None) -> Iterator[Site]:  # noqa: F811
    """tests/data loaded by `govpulse load` and the reader added by `govpulse users add`; the provider; the
    dashboard served from a folder of its own with the project's config.toml and an [auth] secrets.toml."""
    folder = tmp_path_factory.mktemp("oidc")
    reader = ["users", "add", VIEWER.email, "--role", "viewer", "--territory", "KZ-KUS"]
    with using(folder):
        for command in (["load", str(DATA)], reader):
            done = runner.invoke(app, command)
            assert done.exit_code == 0, done.output
    port = screenshots.free_port()
    client = Client("govpulse", secrets.token_urlsafe(24), f"http://127.0.0.1:{port}/oauth2callback")
    with serving([LOADER, VIEWER], client) as provider:
        home = folder / "app"
        (home / ".streamlit").mkdir(parents=True)
        shutil.copy(ROOT / ".streamlit" / "config.toml", home / ".streamlit" / "config.toml")
        (home / ".streamlit" / "secrets.toml").write_text(
            f'[auth]\nredirect_uri = "{client.redirect_uri}"\ncookie_secret = "{secrets.token_urlsafe(32)}"\n'
            f'client_id = "{client.client_id}"\nclient_secret = "{client.client_secret}"\n'
            f'server_metadata_url = "{provider.issuer}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        env = os.environ | {
            "GOVPULSE_DATA_DIR": str(folder),
            "GOVPULSE_DATABASE_URL": f"sqlite:///{folder / 'govpulse.db'}",
            "GOVPULSE_AUTH": "oidc",
        }
        with served(env, home, port) as (url, _):
            yield Site(url, provider, folder / "govpulse.db")


def sign_in(browser: Any, site: Site, person: Person, wanted: str) -> Any:
    """A new browser (no cookie, a Russian-speaking one) that opens the dashboard at `wanted`, is sent to the
    provider, types the person's user name into its form and comes back signed in: the tab."""
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU").new_page()
    open_page(page, f"{site.url}/{wanted}")
    assert page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').count() == 0, "no page before"
    page.get_by_role("button", name=en("access.sign_in_button")).click()
    page.wait_for_url(re.compile(re.escape(f"{site.provider.issuer}/authorize?")))
    page.get_by_label("User name").fill(person.login)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(f"{site.url}/{wanted}")))  # back where the person was going
    screenshots.settle(page)
    assert (person.email, "client_secret_basic", True) in site.provider.issued  # the code exchanged, with PKCE
    return page


def sidebar(page: Any) -> str:
    """The sidebar's text, Markdown's escapes taken off."""
    return str(page.locator('[data-testid="stSidebar"]').inner_text()).replace("\\", "")


def main(page: Any) -> str:
    """The text of the page's main part."""
    return str(page.locator('[data-testid="stMain"]').inner_text())


def test_a_district_loader_signs_in_sees_its_district_uploads_and_is_audited(
    site: Site, browser: Any, tmp_path: Path
) -> None:
    """The district's loader opens a link to its region's overview (as a digest sends), signs in through the
    provider and lands on that view in the link's language; sees the region's figures but its pages only in its
    district; uploads a file of its page; finds the load under its name in the audit of the Data page and of
    `govpulse audit`; and signs out, at the provider too."""
    page = sign_in(browser, site, LOADER, "?lang=en&country=KZ&region=KZ-KUS&period=90d")
    assert en("access.signed_in", name=LOADER.email, role=en("access.role_loader"), territory="Karasu District") in (
        sidebar(page)
    )
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == en("page.overview")
    # The region's followers count its own page (not the district's) with the district's two: 10,400 + 2,060 + 790.
    assert "13,250" in main(page)
    assert en("access.narrowed", territory="Karasu District") in main(page)

    # The region's Account page lists the district's pages only; another district's pages are its own team's.
    open_page(page, f"{site.url}/account?lang=en&country=KZ&region=KZ-KUS")
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click()
    listed = [o.inner_text() for o in page.get_by_role("option").all()]
    page.keyboard.press("Escape")
    assert sorted(name.split(" · ")[0] for name in listed) == ["karasu.akim", "karasu_akimat_official"], listed
    open_page(page, f"{site.url}/account?lang=en&country=KZ&region=KZ-KUS&district=KZ-KUS-KST")
    assert page.get_by_text(en("access.outside", territory="Karasu District")).count() == 1

    upload = tmp_path / "followers.csv"
    upload.write_text("date,platform,account_id,followers\n2026-03-06,instagram,1002,2075\n", encoding="utf-8")
    open_page(page, f"{site.url}/data?lang=en")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(upload))
    page.get_by_role("button", name=en("data.load")).click()
    done = page.locator('[data-testid="stAlert"]').filter(has_text="followers.csv").first
    done.wait_for(timeout=60_000)
    screenshots.settle(page)
    assert f": {en('data.loaded')} — " in done.inner_text()
    with sqlite3.connect(site.db) as conn:
        kept = ("SELECT followers FROM followersnapshot JOIN account ON account.id = account_pk "
                "WHERE account.account_id = '1002' AND day = '2026-03-06'")  # fmt: skip
        assert conn.execute(kept).fetchall() == [(2075,)]

    # The audit at the page's foot, drawn after the load: a grid on a canvas, whose accessible copy holds the cells.
    audit = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').last
    audit.scroll_into_view_if_needed()
    first = [str(c.inner_text()) for c in audit.locator("tbody tr").first.locator("td").all()]
    assert first[1:6] == [LOADER.email, "load (dashboard)", "followers.csv", "loaded", "Karasu District"], first
    with using(site.db.parent):
        log = list(csv.DictReader(io.StringIO(runner.invoke(app, ["audit", "--format", "csv"]).stdout)))
    assert [log[0][k] for k in ("actor", "via", "action", "target", "outcome", "territory_code")] == [
        LOADER.email, "web", "load", "followers.csv", "loaded", "KZ-KUS-KRS",
    ]  # fmt: skip

    page.locator('[data-testid="stSidebar"]').get_by_role("button", name=en("access.sign_out")).click()
    # Back on the root, in the browser's language (Russian), with a sign-in button.
    page.get_by_role("button", name=translator("ru")("access.sign_in_button")).wait_for(timeout=30_000)
    assert site.provider.ended == [LOADER.email]  # Streamlit sent the browser to the provider's end_session_endpoint
    open_page(page, f"{site.url}/data?lang=en")
    assert page.get_by_role("button", name=en("access.sign_in_button")).count() == 1
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    page.context.close()


def test_a_viewer_gets_no_upload_and_no_collect_control(site: Site, browser: Any) -> None:
    """A region's reader (role from the users table) signs in from the Data page's link and gets it without an upload
    box, a load button or a collect control; the page's URL with any of the app's queries gives none either."""
    page = sign_in(browser, site, VIEWER, "data?lang=en")
    assert en("access.signed_in", name=VIEWER.email, role=en("access.role_viewer"), territory="Kostanay Region") in (
        sidebar(page)
    )
    views = ["data?lang=en", "data?lang=en&country=KZ&region=KZ-KUS&district=KZ-KUS-KRS&level=settlement&period=year"]
    for view in views:
        if view != views[0]:
            open_page(page, f"{site.url}/{view}")
        assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == en("page.data")
        assert page.get_by_text(en("access.no_upload")).count() == 1
        assert page.locator('[data-testid="stFileUploader"], [data-testid="stFileUploaderDropzoneInput"]').count() == 0
        labels = [str(b.inner_text()).strip() for b in page.locator('[data-testid="stMain"] button').all()]
        assert en("data.load") not in labels
        assert not [b for b in labels if re.search(r"\b(load|upload|collect)", b, re.IGNORECASE)], labels
    page.context.close()
