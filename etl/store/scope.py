"""What a report or a metric covers (the period, a territory's subtree, platforms and owner roles), and frames
read from and written to the database."""

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Executable, FromClause, Select, Table, exists, func, or_, select, text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from etl.store.models import Account, AccountDay, DataTime, Inquiry, RegionDay, Territory, TerritoryDay

TERRITORY_LEVELS = ("country", "region", "district", "settlement")
LEVELS = (*TERRITORY_LEVELS, "account")

# The ancestor column naming a territory's subtree at each level; a settlement's subtree is itself.
SUBTREE_COLUMN = {
    "country": "country_code",
    "region": "region_code",
    "district": "district_code",
    "settlement": "code",
}


def _table(model: type[SQLModel]) -> Table:
    """The Core table of a model."""
    return SQLModel.metadata.tables[str(model.__tablename__)]


TERRITORY = _table(Territory)
ACCOUNT = _table(Account)
ACCOUNT_DAY = _table(AccountDay)
TERRITORY_DAY = _table(TerritoryDay)
REGION_DAY = _table(RegionDay)
INQUIRY = _table(Inquiry)
DATA_TIME = _table(DataTime)
# The region of a territory row: models.REGION as an expression on TERRITORY.
REGION_OF_TERRITORY = func.coalesce(TERRITORY.c.region_code, TERRITORY.c.country_code, TERRITORY.c.code)


class Scope(NamedTuple):
    """The period, platforms and owner roles (empty: all) and the subtree (column, code) of a parent territory."""

    date_from: dt.date
    date_to: dt.date
    platforms: tuple[str, ...]
    subtree: tuple[str, str] | None
    roles: tuple[str, ...] = ()

    def territory_where(self) -> list[ColumnElement[bool]]:
        """Conditions keeping the parent's subtree, on the territory table."""
        return [] if self.subtree is None else [TERRITORY.c[self.subtree[0]] == self.subtree[1]]

    def where(
        self, platform_col: ColumnElement[str], role_col: ColumnElement[str] | None = None
    ) -> list[ColumnElement[bool]]:
        """Conditions keeping the subtree, the platforms (read from `platform_col`) and the roles (`role_col`)."""
        out = self.territory_where()
        if self.platforms:
            if platform_col is ACCOUNT.c.platform and self.subtree is not None:
                # `|| ''` keeps SQLite off the (platform, account_id) key's index, which would lead it through every
                # page of the platform in the database instead of the pages of the subtree.
                platform_col = platform_col + ""
            out.append(platform_col.in_(self.platforms))
        if self.roles:
            if role_col is None:
                raise ValueError("owner roles cannot be told apart here")
            out.append(role_col.in_(self.roles))
        return out

    def pages(self) -> Select[tuple[int]]:
        """The ids of the scope's accounts (subtree, platforms and roles; the period aside)."""
        return page_ids().where(*self.where(ACCOUNT.c.platform, ACCOUNT.c.owner_role))


def as_tuple(values: str | Collection[str] | None) -> tuple[str, ...]:
    """One value or several as a tuple; None or empty means all."""
    if values is None:
        return ()
    return (values,) if isinstance(values, str) else tuple(dict.fromkeys(values))


def resolve_scope(
    conn: Connection,
    level: str,
    date_from: dt.date,
    date_to: dt.date,
    parent: str | None,
    platform: str | Collection[str] | None,
    roles: Collection[str] | None = None,
) -> Scope:
    """The scope of a table, checking the period and that the parent exists and sits above a territory `level`."""
    if date_from > date_to:
        raise ValueError(f"the period starts ({date_from}) after it ends ({date_to})")
    platforms, owner_roles = as_tuple(platform), as_tuple(roles)
    if parent is None:
        return Scope(date_from, date_to, platforms, None, owner_roles)
    parent_level = conn.execute(select(TERRITORY.c.level).where(TERRITORY.c.code == parent)).scalar()
    if parent_level not in TERRITORY_LEVELS:
        raise ValueError(f"unknown parent territory {parent!r}")
    if level in TERRITORY_LEVELS and TERRITORY_LEVELS.index(level) < TERRITORY_LEVELS.index(parent_level):
        raise ValueError(f"{parent} is a {parent_level}: there is no {level} under it")
    return Scope(date_from, date_to, platforms, (SUBTREE_COLUMN[parent_level], parent), owner_roles)


def account_existed(scope: Scope) -> ColumnElement[bool]:
    """An account existed by the period's end: created by then (or undated), or with data on or before it."""
    a, ad = ACCOUNT.c, ACCOUNT_DAY.c
    has_data = exists().where(ad.account_pk == a.id, ad.day <= scope.date_to)
    return or_(a.created_on.is_(None), a.created_on <= scope.date_to, has_data)


def read_frame(
    conn: Connection,
    stmt: Executable,
    dtype: str | None = None,
    *,
    raw: bool = False,
    params: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The result of `stmt` (with bound `params`) as a DataFrame (of `dtype`, else inferred), with its columns even
    when empty; `raw` takes the driver's own values, for columns that need no conversion (numbers, text, raw times)."""
    result = conn.execute(stmt, params or {})
    names = list(result.keys())
    if raw:
        # Without SQLAlchemy's rows: about 1 µs a row instead of 8, for the million replies of a country.
        rows = result.cursor.fetchall()
        result.close()
        return pd.DataFrame(rows, columns=names, dtype=dtype)
    # Plain tuples: pandas probes each SQLAlchemy Row for `_fields`, which costs ~5 µs a row.
    return pd.DataFrame([tuple(row) for row in result], columns=names, dtype=dtype)


def _sql_values(series: pd.Series) -> list[Any]:
    """A column as Python values the database driver takes: None for missing, ISO text for dates and times."""
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series.to_numpy(dtype="datetime64[us]")
        is_day = series.name in {"day", "published_on", "received_on", "created_on", "official_mark_on"}
        strings = np.datetime_as_string(values, unit="D" if is_day else "us").astype(object)
        if not is_day:
            strings = np.char.replace(strings.astype(str), "T", " ").astype(object)
        strings[np.isnat(values)] = None
        return strings.tolist()
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        return series.astype(object).where(series.notna(), None).tolist()
    if pd.api.types.is_bool_dtype(series):
        return [bool(v) for v in series.tolist()]
    if pd.api.types.is_float_dtype(series) and series.name == "account_pk":
        return series.astype("int64").tolist()
    return series.astype(object).where(series.notna(), None).tolist()


def write_lock(conn: Connection) -> None:
    """Take SQLite's write lock now, waiting for another writer to finish: a transaction that reads and then writes
    after another's commit fails at once ("database is locked") instead of waiting. PostgreSQL needs nothing."""
    if conn.dialect.name == "sqlite":
        conn.execute(text("DELETE FROM rollupdirty WHERE 0"))


def param_mark(conn: Connection) -> str:
    """The driver's parameter mark."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def insert_frame(conn: Connection, table: str, frame: pd.DataFrame) -> None:
    """Insert a DataFrame's rows (columns by name) with one executemany."""
    cols = list(frame.columns)
    rows = list(zip(*(_sql_values(frame[c]) for c in cols), strict=True))
    mark = param_mark(conn)
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"
    conn.exec_driver_sql(sql, rows)


def plain_rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple[Any, ...]]:
    """A frame's columns as rows of plain values (text, days as the driver returned them, integers)."""
    return list(zip(*(frame[c].tolist() for c in columns), strict=True))


def add_counts(conn: Connection, table: str, key: list[str], counts: list[str], delta: pd.DataFrame) -> None:
    """Add the `counts` of `delta` to the rows of `table` with the same `key` (new keys inserted); a row whose first
    count falls to 0 is deleted."""
    columns, mark = [*key, *counts], param_mark(conn)
    sums = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counts)
    conn.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sums}",
        plain_rows(delta, columns),
    )
    gone = delta[delta[counts[0]] < 0]
    if len(gone):
        match = " AND ".join(f"{k} = {mark}" for k in key)
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE {match} AND {counts[0]} = 0", plain_rows(gone, key))


def replace_counts(
    conn: Connection,
    table: str,
    key: list[str],
    counts: list[str],
    where: str,
    params: dict[str, Any],
    counted: pd.DataFrame,
) -> None:
    """Make the rows of `table` that `where` selects those `counted`, writing only the rows that differ: a day's
    replies arriving change a few."""
    found = conn.execute(text(f"SELECT {', '.join([*key, *counts])} FROM {table} WHERE {where}"), params)
    stored = pd.DataFrame(found.cursor.fetchall(), columns=[*key, *counts], dtype="object")
    found.close()
    mark, columns = param_mark(conn), [*key, *counts]
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    if stored.empty:
        # Nothing counted there before (a first load): every row is new, none to compare.
        if len(counted):
            conn.exec_driver_sql(insert, plain_rows(counted.astype(dict.fromkeys(counts, "int64")), columns))
        return
    # Keys the counting made numbers (a bucket) are compared as numbers.
    stored = stored.astype({k: counted[k].dtype for k in key if counted[k].dtype != object})
    both = stored.merge(counted, on=key, how="outer", suffixes=("_old", ""), indicator=True)
    kept = both[both["_merge"] != "left_only"]
    old = kept[[f"{c}_old" for c in counts]].to_numpy(dtype="float64", na_value=-1)
    changed = kept[(kept[counts].to_numpy(dtype="float64") != old).any(axis=1)]
    gone = both[both["_merge"] == "left_only"]
    if len(gone):
        match = " AND ".join(f"{k} = {mark}" for k in key)
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE {match}", plain_rows(gone, key))
    if len(changed):
        update = ", ".join(f"{c} = excluded.{c}" for c in counts)
        conn.exec_driver_sql(
            f"{insert} ON CONFLICT ({', '.join(key)}) DO UPDATE SET {update}",
            plain_rows(changed.astype(dict.fromkeys(counts, "int64")), columns),
        )


def utc_times(values: pd.Series) -> pd.Series:
    """Naive UTC microsecond times of what the driver returned: ISO text, dates, naive-UTC or aware datetimes."""
    return pd.to_datetime(values, utc=True, format="ISO8601").dt.tz_localize(None).astype("datetime64[us]")


def page_ids() -> Select[tuple[int]]:
    """The ids of the accounts, joined to their territory for conditions on either."""
    return select(ACCOUNT.c.id).select_from(ACCOUNT.join(TERRITORY, TERRITORY.c.code == ACCOUNT.c.territory_code))


def with_territory(table: FromClause) -> FromClause:
    """`table` (which has account_pk) joined to its account and the account's territory."""
    return table.join(ACCOUNT, ACCOUNT.c.id == table.c.account_pk).join(
        TERRITORY, TERRITORY.c.code == ACCOUNT.c.territory_code
    )
