"""The database engine, built from settings; SQLite gets WAL and foreign keys."""

from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, make_url, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, create_engine

from etl.settings import get_settings
from etl.store import models  # registers the tables
from etl.store.histograms import mark_everything
from etl.store.rollups import audience, catch_up, sum_regions


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA cache_size=-131072")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for `url` with the tables created."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # Times are stored in UTC; PostgreSQL sessions are told so, so that naive UTC text lands as UTC (after the
    # URL's own options: `?options=-c default_transaction_read_only=on` and the like).
    own = make_url(url).query.get("options", "")
    options = " ".join([*([own] if isinstance(own, str) else own), "-c timezone=UTC"]).strip()
    connect_args: dict[str, Any] = {"options": options} if url.startswith("postgresql") else {}
    if url.startswith("sqlite"):
        # A writer waits for another's transaction (a load's refresh can take tens of seconds) rather than failing.
        connect_args["timeout"] = 120
    engine = create_engine(url, connect_args=connect_args)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    SQLModel.metadata.create_all(engine)
    _reply_queue_by_day(engine)
    _add_new_columns(engine)
    _fill_new_rollups(engine)
    catch_up(engine)
    return engine


def without_jit(engine: Engine) -> Engine:
    """`engine`, its new PostgreSQL sessions compiling no statement to machine code (JIT): for the dashboard's reads."""
    if engine.dialect.name == "postgresql" and not event.contains(engine, "do_connect", _no_jit):
        # Its reads are short and many: compiling took 0.4 s of a 0.6 s read of a country's follower jumps, and a
        # country's long reads ran no faster with it. Loads keep the server's setting.
        event.listen(engine, "do_connect", _no_jit)
        engine.dispose()  # the sessions opened so far (creating the tables) started with it
    return engine


def _no_jit(_dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
    params["options"] = f"{params.get('options', '')} -c jit=off".strip()


def _reply_queue_by_day(engine: Engine) -> None:
    """Queue the reply histograms by region and day where an earlier govpulse queued them by region from a day on
    (what it had queued is counted again whole)."""
    if "day" in {c["name"] for c in inspect(engine).get_columns("replydirty")}:
        return
    with engine.begin() as conn:
        queued = conn.execute(text("SELECT 1 FROM replydirty LIMIT 1")).first() is not None
        conn.execute(text("DROP TABLE replydirty"))
        models.table_of(models.ReplyDirty).create(conn)
        if queued:
            mark_everything(conn)


def _add_new_columns(engine: Engine) -> None:
    """Add the optional columns and the indexes a database made by an older govpulse lacks."""
    found = inspect(engine)
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            have = {c["name"] for c in found.get_columns(table.name)}
            added = [c for c in table.columns if c.name not in have and c.nullable]
            for col in added:
                kind = col.type.compile(dialect=engine.dialect)
                conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {col.name} {kind}"))
            indexes = {i["name"] for i in found.get_indexes(table.name)}
            for index in table.indexes:
                if index.name not in indexes:
                    index.create(conn)


def _fill_new_rollups(engine: Engine) -> None:
    """Fill the rollup sums a database made by an older govpulse lacks: post audiences, then RegionDay; queue its
    reply histograms and counts (counted by the catch-up that follows)."""
    with engine.begin() as conn:
        # One row tells: the upgrade fills every row in one transaction, and loads fill every row they write.
        if conn.execute(text("SELECT post_followers IS NULL FROM territoryday LIMIT 1")).scalar():
            conn.execute(text("UPDATE territoryday SET post_followers = 0 WHERE posts = 0"))
            conn.execute(
                text(
                    f"UPDATE territoryday SET post_followers = (SELECT sum({audience('d.')}) FROM account a "
                    "JOIN accountday d ON d.account_pk = a.id AND d.day = territoryday.day "
                    "WHERE a.territory_code = territoryday.territory_code AND a.platform = territoryday.platform "
                    "AND a.owner_role = territoryday.owner_role) WHERE post_followers IS NULL"
                )
            )
            conn.execute(text("DELETE FROM regionday"))
        empty = conn.execute(text("SELECT 1 FROM regionday LIMIT 1")).first() is None
        if empty and conn.execute(text("SELECT 1 FROM territoryday LIMIT 1")).first() is not None:
            sum_regions(conn)
        counted = conn.execute(text("SELECT 1 FROM replyhistogram LIMIT 1")).first() is not None
        replied = "SELECT 1 FROM inquiry WHERE first_reply_at IS NOT NULL LIMIT 1"
        if not counted and conn.execute(text(replied)).first() is not None:
            mark_everything(conn)
        counted = conn.execute(text("SELECT 1 FROM replycount LIMIT 1")).first() is not None
        if not counted and conn.execute(text("SELECT 1 FROM inquiry LIMIT 1")).first() is not None:
            mark_everything(conn)


def has_accounts(engine: Engine) -> bool:
    """Whether any account has been loaded."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1 FROM account LIMIT 1")).first() is not None


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for `url` (default: the settings' database)."""
    return make_engine(url or get_settings().url)
