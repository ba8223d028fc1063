"""The only module that reads the database: bound parameters, cached results."""

import datetime as dt

import pandas as pd
import streamlit as st
from sqlalchemy import text
from sqlalchemy.engine import Engine

from etl.db import get_engine
from etl.report import kpi_table


@st.cache_resource
def engine() -> Engine:
    """The database engine of this process."""
    return get_engine()


@st.cache_data(ttl=300)
def data_range() -> tuple[dt.date, dt.date] | None:
    """First and last day with data, or None for an empty database."""
    with engine().connect() as conn:
        first, last = conn.execute(text("SELECT min(day), max(day) FROM accountday")).one()
    if first is None:
        return None
    return pd.Timestamp(first).date(), pd.Timestamp(last).date()


@st.cache_data(ttl=300)
def kpis(level: str, date_from: dt.date, date_to: dt.date, parent: str | None = None) -> pd.DataFrame:
    """The KPI table of `govpulse report` for a period."""
    return kpi_table(engine(), level, date_from, date_to, parent=parent)
