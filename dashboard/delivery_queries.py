"""The database reads and writes of digests and alerts for the pages: subscriptions and the open alerts, cached."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.filters import Scope
from dashboard.queries import TTL, engine
from etl.metrics import alerts
from etl.store import subscriptions as stored


@st.cache_data(ttl=TTL)
def open_alerts(scope: Scope) -> pd.DataFrame:
    """The open alerts of the pages in the scope's territory subtree (`id` the page), newest first."""
    frame = alerts.open_alerts(engine(), scope.parent, scope.column)
    return frame.assign(first_seen=pd.to_datetime(frame["first_seen"], utc=True).dt.date).rename(columns={"page": "id"})


@st.cache_data(ttl=TTL)
def subscriptions() -> pd.DataFrame:
    """Every subscription, by id."""
    return stored.listing(engine())


def subscribe(channel: str, territory: str, period: str, language: str, alerts_on: bool) -> int:
    """Store a subscription (SubscriptionError for a bad value) and show it."""
    found = stored.add(engine(), channel, territory, period, language, alerts_on, dt.datetime.now(dt.UTC))
    subscriptions.clear()
    return found


def unsubscribe(subscription: int) -> bool:
    """Remove a subscription and stop showing it."""
    removed = stored.remove(engine(), subscription)
    subscriptions.clear()
    return removed
