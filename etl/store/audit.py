"""The audit: who loaded, collected or changed what, and when; the command line's actor; settings kept in the
database."""

import datetime as dt
import getpass
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from etl.settings import get_settings
from etl.store.models import AuditEntry, StoredSetting, table_of
from etl.store.scope import SUBTREE_COLUMN, read_frame, utc_times

ACTIONS = ("load", "collect", "settings", "weights", "users")


@dataclass(frozen=True)
class Actor:
    """Who acts and through what (`web` or `cli`), confined to a territory's subtree ("" for the whole database)."""

    name: str
    via: str = "cli"
    territory: str = ""


def cli_actor() -> Actor:
    """The command line's actor: GOVPULSE_ACTOR, else the operating-system user; the whole database."""
    name = get_settings().actor.strip()
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):  # a container's user without a name
            name = f"uid {os.getuid()}"
    return Actor(name, "cli")


def file_sha256(path: Path) -> str | None:
    """The sha256 of a file's bytes (what `sha256sum` prints), or None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def record(
    conn: Connection,
    actor: Actor,
    action: str,
    target: str,
    outcome: str,
    *,
    territory: str | None = None,
    sha256: str | None = None,
    accepted: int | None = None,
    rejected: int | None = None,
    detail: str = "",
) -> None:
    """Add one entry to the audit (`territory`: what the action was confined to, by default the actor's scope)."""
    if action not in ACTIONS:
        raise ValueError(f"not an audited action: {action}")
    conn.execute(
        table_of(AuditEntry).insert(),
        {
            "at": dt.datetime.now(dt.UTC),
            "actor": actor.name,
            "via": actor.via,
            "action": action,
            "target": target,
            "outcome": outcome,
            "territory_code": territory or actor.territory or None,
            "sha256": sha256,
            "rows_accepted": accepted,
            "rows_rejected": rejected,
            "detail": detail[:2000],
        },
    )


def entries(engine: Engine, since: dt.date | None = None, within: str = "", limit: int | None = None) -> pd.DataFrame:
    """The audit newest first, from the day `since` on (UTC); `within` keeps the entries confined to that territory's
    subtree (those of the whole database are left out)."""
    clauses: list[str] = ["1 = 1"]
    params: dict[str, Any] = {}
    join = ""
    with engine.connect() as conn:
        if within:
            level = conn.execute(text("SELECT level FROM territory WHERE code = :c"), {"c": within}).scalar()
            column = SUBTREE_COLUMN.get(str(level), "code")
            join = "JOIN territory t ON t.code = e.territory_code "
            clauses.append(f"t.{column} = :within")
            params["within"] = within
        if since is not None:
            clauses.append("e.at >= :since")
            params["since"] = dt.datetime.combine(since, dt.time())
        top = f" LIMIT {int(limit)}" if limit else ""
        frame = read_frame(
            conn,
            text(
                "SELECT e.at, e.actor, e.via, e.action, e.target, e.outcome, e.territory_code, e.sha256, "
                f"e.rows_accepted, e.rows_rejected, e.detail FROM auditentry e {join}WHERE {' AND '.join(clauses)} "
                f"ORDER BY e.at DESC, e.id DESC{top}"
            ),
            params=params,
        )
    return frame.assign(at=utc_times(frame["at"]))


def stored(engine: Engine, name: str) -> str | None:
    """The value of a setting kept in the database, or None when none was saved."""
    with engine.connect() as conn:
        value = conn.execute(text("SELECT value FROM storedsetting WHERE name = :n"), {"n": name}).scalar()
    return None if value is None else str(value)


def store(engine: Engine, actor: Actor, name: str, value: str, action: str = "settings") -> bool:
    """Keep a setting's new value and audit the change (before → after); whether it changed."""
    with engine.begin() as conn:
        before = conn.execute(text("SELECT value FROM storedsetting WHERE name = :n"), {"n": name}).scalar()
        if before == value:
            return False
        row = {"name": name, "value": value, "changed_by": actor.name, "changed_at": dt.datetime.now(dt.UTC)}
        conn.execute(text("DELETE FROM storedsetting WHERE name = :n"), {"n": name})
        conn.execute(table_of(StoredSetting).insert(), row)
        record(conn, actor, action, name, "changed", territory="", detail=f"{before or '—'} → {value or '—'}")
    return True
