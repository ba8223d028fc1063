"""A load confined to a territory: the staged rows of a file that would touch anything outside its subtree."""

from collections import Counter

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection

from etl.ingest.transform import ERROR_COLUMNS
from etl.store.scope import SUBTREE_COLUMN

FACTS = ("followers", "posts", "inquiries")


def subtree_column(conn: Connection, territory: str) -> str:
    """The ancestor column naming `territory`'s subtree ("code" for a settlement or an unknown code: itself)."""
    level = conn.execute(text("SELECT level FROM territory WHERE code = :c"), {"c": territory}).scalar()
    return SUBTREE_COLUMN.get(str(level), "code")


def outside(conn: Connection, kind: str, territory: str) -> tuple[pd.DataFrame, str]:
    """The staged rows (stage_<kind>) that lie outside `territory`'s subtree, before or after the load, as errors
    (line, column, value, rule), and the territories they belong to with their counts ("RU-ALT-ZAR (3), …")."""
    col = subtree_column(conn, territory)
    rule = f"outside the territory {territory}"
    found: list[tuple[int, str, str, str, str]] = []  # line, column, value, rule, the territory it is in
    if kind in FACTS:
        rows = conn.execute(
            text(
                f"SELECT s._line, a.account_id, a.territory_code FROM stage_{kind} s JOIN account a "
                f"ON a.id = s.account_pk JOIN territory t ON t.code = a.territory_code "
                f"WHERE t.{col} IS NULL OR t.{col} <> :t ORDER BY s._line"
            ),
            {"t": territory},
        ).all()
        found = [(line, "account_id", str(page), f"a page of {where}, {rule}", where) for line, page, where in rows]
    elif kind == "accounts":
        moved = conn.execute(
            text(
                "SELECT s._line, s.account_id, a.territory_code FROM stage_accounts s JOIN account a ON a.platform = "
                "s.platform AND a.account_id = s.account_id JOIN territory t ON t.code = a.territory_code "
                f"WHERE t.{col} IS NULL OR t.{col} <> :t"
            ),
            {"t": territory},
        ).all()
        found = [(line, "account_id", str(page), f"a page of {where}, {rule}", where) for line, page, where in moved]
        placed = conn.execute(
            text(
                "SELECT s._line, s.territory_code FROM stage_accounts s LEFT JOIN territory t "
                f"ON t.code = s.territory_code WHERE t.{col} IS NULL OR t.{col} <> :t"
            ),
            {"t": territory},
        ).all()
        found += [(line, "territory_code", str(code), rule, str(code)) for line, code in placed]
    elif kind == "territories":
        found = _territories(conn, territory, col, rule)
    found.sort(key=lambda row: row[0])
    errors = pd.DataFrame([row[:4] for row in found], columns=ERROR_COLUMNS)
    counts = Counter(row[4] for row in found)
    return errors, ", ".join(f"{code} ({n})" for code, n in sorted(counts.items()))


def _territories(conn: Connection, territory: str, col: str, rule: str) -> list[tuple[int, str, str, str, str]]:
    """Rows of a territories file that change a territory outside the subtree, move one out of it or into it from
    elsewhere, or move the territory itself (its parent and level are its region's to change)."""
    staged = conn.execute(text("SELECT _line, code, parent_code, level FROM stage_territories ORDER BY _line")).all()
    known = {code: (parent, level, within) for code, parent, level, within in conn.execute(
        text(f"SELECT code, parent_code, level, {col} FROM territory")
    ).all()}  # fmt: skip
    inside = {code for code, (_, _, within) in known.items() if within == territory}
    found = []
    for line, code, parent, level in staged:
        if code in known and code not in inside:
            found.append((line, "code", str(code), rule, str(code)))
        elif code == territory and known[code][:2] != (parent, level):
            found.append((line, "parent_code", str(parent or ""), f"moves {territory} itself, {rule}", str(code)))
    # After the load: the subtree's own rows and the file's rows whose parent is (or becomes) inside it.
    pending = {code: parent for _, code, parent, _ in staged if code != territory}
    after = inside - set(pending)
    while True:
        joined = {code for code, parent in pending.items() if parent in after and code not in after}
        if not joined:
            break
        after |= joined
    wrong = {line for line, *_ in found}
    for line, code, parent, _ in staged:
        if code != territory and code not in after and line not in wrong:
            found.append((line, "parent_code", str(parent or ""), rule, str(parent or code)))
    return found
