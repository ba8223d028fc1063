"""The engine: the dashboard's reads on PostgreSQL compile no statement, and keep the session's time zone."""

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from etl.store.db import _no_jit, make_engine, without_jit


def test_the_dashboards_sessions_compile_no_statement_and_the_loads_keep_the_servers_setting(engine: Engine) -> None:
    reads = without_jit(engine)
    assert without_jit(reads) is reads is engine
    if engine.dialect.name == "sqlite":
        assert not event.contains(engine, "do_connect", _no_jit)
        return
    setting = text("SELECT setting, source FROM pg_settings WHERE name = :name")
    with reads.connect() as conn:
        assert tuple(conn.execute(setting, {"name": "jit"}).one()) == ("off", "client")
        assert tuple(conn.execute(setting, {"name": "TimeZone"}).one()) == ("UTC", "client")
    loads = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with loads.connect() as conn:
            assert conn.execute(setting, {"name": "jit"}).one().source != "client"
    finally:
        loads.dispose()
