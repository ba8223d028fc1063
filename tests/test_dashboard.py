"""The dashboard's pages run on a loaded database and on an empty one."""

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).parent.parent / "dashboard"


@pytest.fixture
def use_database(monkeypatch: pytest.MonkeyPatch):
    """Point the dashboard at a given engine's database."""
    from etl.db import get_engine
    from etl.settings import get_settings

    def use(engine: Engine) -> None:
        monkeypatch.setenv("GOVPULSE_DATABASE_URL", str(engine.url))
        get_settings.cache_clear()
        get_engine.cache_clear()

    yield use
    get_settings.cache_clear()
    get_engine.cache_clear()


def run(page: str) -> AppTest:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / page), default_timeout=60)
    return at.run()


def test_overview_shows_headline_numbers(loaded: Engine, use_database) -> None:
    """The overview shows followers and response rate per country."""
    use_database(loaded)
    at = run("app_pages/overview.py")
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "Followers" in labels and "Response rate" in labels
    values = {m.label: m.value for m in at.metric}
    assert values["Followers"] in {"12,850", "1,680"}


def test_overview_on_empty_database(engine: Engine, use_database) -> None:
    """An empty database gives a friendly message, not an exception."""
    use_database(engine)
    at = run("app_pages/overview.py")
    assert not at.exception
    assert "The database is empty" in at.info[0].value
