"""The moment each delivery's data describe: the as-of time unanswered inquiries are judged at."""

import datetime as dt
from collections.abc import Collection
from typing import Any

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    String,
    func,
    select,
    type_coerce,
)
from sqlalchemy.engine import Connection

from etl.store.scope import (
    DATA_TIME,
    INQUIRY,
    REGION_OF_TERRITORY,
    page_ids,
    read_frame,
    utc_times,
    with_territory,
)


def raw_column(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A date or time column as the driver returns it (ISO text in SQLite), parsed in bulk by pandas instead."""
    return type_coerce(column, String).label(column.key)


def delivery_column() -> ColumnElement[str]:
    """The unit of delivery of an inquiry's data: its account's region (the country for a national page)."""
    return REGION_OF_TERRITORY.label("delivery")


def data_times(conn: Connection, deliveries: Collection[str], since: dt.date) -> dict[str, pd.Timestamp]:
    """The latest receipt or reply in the data of each delivery unit: the moment its data describe."""
    known = kept_data_times(conn, deliveries)
    missing = [d for d in deliveries if d not in known]
    return known | (scan_data_times(conn, missing, since) if missing else {})


def kept_data_times(conn: Connection, deliveries: Collection[str]) -> dict[str, pd.Timestamp]:
    """`data_times` as kept up to date by every load (a delivery without inquiries has none)."""
    if not len(deliveries):
        return {}
    kept = read_frame(
        conn, select(DATA_TIME.c.delivery, DATA_TIME.c.latest).where(DATA_TIME.c.delivery.in_(list(deliveries)))
    )
    return dict(zip(kept["delivery"], utc_times(kept["latest"]), strict=True))


def scan_data_times(conn: Connection, deliveries: Collection[str], since: dt.date) -> dict[str, pd.Timestamp]:
    """`data_times` worked out from the inquiries."""
    i, delivery = INQUIRY.c, delivery_column()
    # Receipts from a month before the period on: every later receipt counts, and the (account, day) index
    # keeps the scan short; only a reply stamped after all of them to an older inquiry would be missed.
    stmt = (
        select(delivery, func.max(raw_column(i.received_at)).label("received"), func.max(raw_column(i.first_reply_at)))
        .select_from(with_territory(INQUIRY))
        .where(
            i.account_pk.in_(page_ids().where(delivery.in_(list(deliveries))).correlate(None)),
            i.received_on >= since - dt.timedelta(days=31),
        )
        .group_by(delivery)
    )
    found = read_frame(conn, stmt).set_axis(["delivery", "received", "replied"], axis=1)
    latest = utc_times(found["received"]).combine(utc_times(found["replied"]), _later)
    return dict(zip(found["delivery"], latest, strict=True))


def _later(a: pd.Timestamp, b: pd.Timestamp) -> pd.Timestamp:
    """The later of two times, ignoring a missing one."""
    return a if pd.isna(b) or (not pd.isna(a) and a >= b) else b
