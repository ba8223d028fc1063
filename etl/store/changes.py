"""The data's version: each writer that changes what the dashboard shows notes it, in its own transaction."""

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from etl.store.models import DataChange, table_of

CHANGE = table_of(DataChange)


def changed(conn: Connection, what: str) -> None:
    """Note a change of the data (load, refresh, alerts, collect), committed with the change itself."""
    conn.execute(CHANGE.insert(), {"at": dt.datetime.now(dt.UTC), "what": what})


def version(conn: Connection) -> int:
    """The data's version: the newest change's id (0 before any)."""
    return int(conn.execute(select(func.coalesce(func.max(CHANGE.c.id), 0))).scalar_one())
