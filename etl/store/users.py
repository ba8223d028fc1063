"""The users table: each person's role (viewer, loader, admin) and the territory it covers, every change audited."""

import datetime as dt

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from etl.store.audit import Actor, record
from etl.store.models import UserRole, table_of
from etl.store.scope import read_frame

# Weakest first: each role may do what the ones before it may.
ROLES = ("viewer", "loader", "admin")
# A person's territory is a subtree the filters can show whole: a country, a region or a district.
SCOPE_LEVELS = ("country", "region", "district")


class UserError(ValueError):
    """A user, role or territory that cannot be used, said in one line."""


def person_key(person: str) -> str:
    """How a person is kept and looked up: the e-mail or user name, trimmed, in lower case."""
    key = person.strip().lower()
    if not key or any(c.isspace() for c in key):
        raise UserError(f"{person!r} is not a user: an e-mail or a user name without spaces is expected")
    return key


def check_role(role: str) -> str:
    """`role` when it is one of ROLES."""
    if role not in ROLES:
        raise UserError(f"role {role!r}: must be one of {', '.join(ROLES)}")
    return role


def check_territory(conn: Connection, code: str) -> None:
    """Refuse a territory that is not in the database or lies below the district level."""
    level = conn.execute(text("SELECT level FROM territory WHERE code = :c"), {"c": code}).scalar()
    if level is None:
        raise UserError(f"territory {code!r} is not in the database: load the territories file first")
    if level not in SCOPE_LEVELS:
        raise UserError(f"territory {code!r} is a {level}: a user's territory is a country, region or district")


def add(engine: Engine, person: str, role: str, territory: str | None, actor: Actor) -> str:
    """Give a person a role over a territory (None: the whole database); "added" or "changed"."""
    key, role = person_key(person), check_role(role)
    with engine.begin() as conn:
        if territory:
            check_territory(conn, territory)
        before = conn.execute(text("SELECT role, territory_code FROM userrole WHERE person = :p"), {"p": key}).first()
        conn.execute(text("DELETE FROM userrole WHERE person = :p"), {"p": key})
        row = {"person": key, "role": role, "territory_code": territory or None, "changed_by": actor.name,
               "changed_at": dt.datetime.now(dt.UTC)}  # fmt: skip
        conn.execute(table_of(UserRole).insert(), row)
        outcome = "added" if before is None else "changed"
        was = "" if before is None else f"{before[0]}, {before[1] or '*'} → "
        record(conn, actor, "users", key, outcome, territory="", detail=f"{was}{role}, {territory or '*'}")
    return outcome


def remove(engine: Engine, person: str, actor: Actor) -> bool:
    """Take a person's role away; whether there was one."""
    key = person_key(person)
    with engine.begin() as conn:
        before = conn.execute(text("SELECT role, territory_code FROM userrole WHERE person = :p"), {"p": key}).first()
        if before is None:
            return False
        conn.execute(text("DELETE FROM userrole WHERE person = :p"), {"p": key})
        record(conn, actor, "users", key, "removed", territory="", detail=f"{before[0]}, {before[1] or '*'}")
    return True


def listing(engine: Engine) -> pd.DataFrame:
    """Every person with a role: person, role, territory_code, changed_by, changed_at, by person."""
    with engine.connect() as conn:
        return read_frame(
            conn, text("SELECT person, role, territory_code, changed_by, changed_at FROM userrole ORDER BY person")
        )


def find(engine: Engine, person: str) -> tuple[str, str | None] | None:
    """A person's role and territory (None: the whole database) from the table, or None when not in it."""
    try:
        key = person_key(person)
    except UserError:
        return None
    with engine.connect() as conn:
        row = conn.execute(text("SELECT role, territory_code FROM userrole WHERE person = :p"), {"p": key}).first()
    return None if row is None else (str(row[0]), row[1])
