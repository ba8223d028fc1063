"""The data contract's rules, asserted on generated files as text frames."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

CONTRACT = json.loads((Path(__file__).parents[2] / "etl" / "ingest" / "contract.json").read_text(encoding="utf-8"))
KINDS = sorted(CONTRACT["kinds"], key=lambda k: CONTRACT["kinds"][k]["order"])


def fields(kind: str, type_: str | None = None) -> list[str]:
    """Field names of a kind in the contract, optionally only those of one type."""
    return [f["name"] for f in CONTRACT["kinds"][kind]["fields"] if type_ in (None, f["type"])]


def keep_to_the_contract(data: dict[str, pd.DataFrame]) -> None:
    """Assert the contract's constraints on every kind present in `data`."""
    for kind in [k for k in KINDS if k in data]:
        frame = data[kind]
        for field in CONTRACT["kinds"][kind]["fields"]:
            column, rules = frame[field["name"]], field.get("constraints", {})
            if rules.get("required"):
                assert (column != "").all(), (kind, field["name"])
            filled = column[column != ""]
            if "enum" in rules:
                assert filled.isin(rules["enum"]).all(), (kind, field["name"])
            if field["type"] == "integer":
                assert (filled.astype(int) >= 0).all(), (kind, field["name"])
            if field["type"] == "flag":
                assert filled.isin(["0", "1"]).all(), (kind, field["name"])
            if field["type"] == "flag_or_date":
                assert filled.str.fullmatch(r"[01]|\d{4}-\d\d-\d\d").all(), (kind, field["name"])


def keys_resolve(data: dict[str, pd.DataFrame]) -> None:
    """Assert unique primary keys and resolving references."""
    for kind in KINDS:
        assert not data[kind].duplicated(CONTRACT["kinds"][kind]["primaryKey"]).any(), kind
    territories, accounts = data["territories"], data["accounts"]
    parents = territories.parent_code[territories.parent_code != ""]
    assert parents.isin(territories.code).all()
    assert accounts.territory_code.isin(territories.code).all()
    keys = set(zip(accounts.platform, accounts.account_id, strict=True))
    for kind in ("followers", "posts", "inquiries"):
        frame = data[kind]
        assert set(zip(frame.platform, frame.account_id, strict=True)) <= keys, kind
