"""A demo database shared by the dashboard's tests (built once per test session), and pointing the app at one."""

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

from etl import demo
from etl.ingest.load import load_paths
from etl.settings import get_settings
from etl.store.db import get_engine, make_engine

END = dt.date(2026, 11, 22)
MONTHS = 9  # reaches back over the 90 days before the training district's jump (183 days before the end)
YEAR_MONTHS = 13  # reaches back a year before the last 30 days (2025-10-23 on): year-over-year figures exist
# A delivery of pages collected from every platform: ids in the collectors' own forms, addresses for some pages.
COLLECTED = Path(__file__).parent / "collected"
PAGES = ["overview", "growth", "rankings", "responsiveness", "compare", "account", "coverage", "data"]
ROOT = Path(__file__).parents[2] / "dashboard"


def demo_database(factory: pytest.TempPathFactory) -> Path:
    """The folder of a loaded demo database (9 months to 2026-11-22), built by the first caller of the session."""
    folder = factory.getbasetemp() / "govpulse-demo"
    done = folder / "loaded"
    if not done.exists():
        folder.mkdir(exist_ok=True)
        demo.write_demo(folder / "csv", end=END, months=MONTHS)
        engine = make_engine(f"sqlite:///{folder / 'govpulse.db'}")
        results = load_paths(engine, [folder / "csv"])
        engine.dispose()
        assert all(r.ok for r in results), [(r.path, r.message) for r in results]
        done.touch()
    return folder


def year_database(factory: pytest.TempPathFactory) -> Path:
    """The folder of a 13-month demo database with the collected delivery of tests/dashboard/collected loaded on
    top, built by the first caller of the session."""
    folder = factory.getbasetemp() / "govpulse-year"
    done = folder / "loaded"
    if not done.exists():
        folder.mkdir(exist_ok=True)
        demo.write_demo(folder / "csv", end=END, months=YEAR_MONTHS)
        engine = make_engine(f"sqlite:///{folder / 'govpulse.db'}")
        results = load_paths(engine, [folder / "csv"]) + load_paths(engine, [COLLECTED])
        engine.dispose()
        assert all(r.ok for r in results), [(r.path, r.message) for r in results]
        done.touch()
    return folder


def run_page(folder: Path, *lines: str) -> AppTest:
    """A page of the given lines of code, written into `folder` and run once."""
    page = folder / "page.py"
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return AppTest.from_file(str(page), default_timeout=30).run()


def empty_database(factory: pytest.TempPathFactory) -> Path:
    """The folder of an empty database with its tables."""
    folder = factory.getbasetemp() / "govpulse-empty"
    folder.mkdir(exist_ok=True)
    make_engine(f"sqlite:///{folder / 'govpulse.db'}").dispose()
    return folder


@contextmanager
def using(folder: Path) -> Iterator[None]:
    """Point govpulse (settings, engine, the dashboard's caches) at the database in `folder`."""
    import streamlit as st

    saved = {k: os.environ.get(k) for k in ("GOVPULSE_DATA_DIR", "GOVPULSE_DATABASE_URL")}
    os.environ["GOVPULSE_DATA_DIR"] = str(folder)
    os.environ["GOVPULSE_DATABASE_URL"] = f"sqlite:///{folder / 'govpulse.db'}"
    for clear in (get_settings.cache_clear, get_engine.cache_clear, st.cache_data.clear, st.cache_resource.clear):
        clear()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        for clear in (get_settings.cache_clear, get_engine.cache_clear, st.cache_data.clear, st.cache_resource.clear):
            clear()


def followers_on(folder: Path, country: str, day: str) -> int:
    """The followers of a country's pages on a day, summed from the daily rows themselves."""
    engine = create_engine(f"sqlite:///{folder / 'govpulse.db'}")
    with engine.connect() as conn:
        total = conn.execute(
            text(
                "SELECT sum(d.followers) FROM accountday d JOIN account a ON a.id = d.account_pk "
                "JOIN territory t ON t.code = a.territory_code WHERE t.country_code = :c AND d.day = :d"
            ),
            {"c": country, "d": day},
        ).scalar()
    engine.dispose()
    return int(total)


def open_app(page: str = "overview", **query: str) -> AppTest:
    """The whole app (router and sidebar) opened on a page with a query string, run once, without an exception."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params.update(query)
    at.run()
    if page != "overview" and not at.exception:
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def kpi_row(**values: float) -> pd.Series:
    """A KPI-table row with the cards' columns (a thousand followers unless told)."""
    base = {
        "accounts": 10, "accounts_active": 8, "pages_verified": 3, "pages_required": 6, "followers_end": 1000,
        "growth_pct": 2.0, "posts_per_week": 3.0, "er_followers_pct": 1.5, "response_rate_pct": 75.0,
        "reply_median_min": 90.0,
    }  # fmt: skip
    return pd.Series(base | values)
