"""The data contract, read from contract.json: the kinds of files, their fields and rules."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CONTRACT_PATH = Path(__file__).with_name("contract.json")


@dataclass(frozen=True)
class FieldSpec:
    """One column of a kind of file."""

    name: str
    type: str
    required: bool
    enum: tuple[str, ...] | None
    minimum: int | None
    pattern: str | None
    not_future: bool
    not_before: str | None
    description: str


@dataclass(frozen=True)
class Kind:
    """A kind of file: its fields, key and load order."""

    name: str
    title: str
    order: int
    fields: tuple[FieldSpec, ...]
    primary_key: tuple[str, ...]
    version_field: str | None

    @property
    def field_names(self) -> list[str]:
        """Column names in contract order."""
        return [f.name for f in self.fields]

    @property
    def required_names(self) -> set[str]:
        """Columns a file of this kind must have."""
        return {f.name for f in self.fields if f.required}


def _field(raw: dict[str, Any]) -> FieldSpec:
    c = raw.get("constraints", {})
    return FieldSpec(
        name=raw["name"],
        type=raw["type"],
        required=bool(c.get("required", False)),
        enum=tuple(c["enum"]) if "enum" in c else None,
        minimum=c.get("minimum"),
        pattern=c.get("pattern"),
        not_future=bool(c.get("notFuture", False)),
        not_before=c.get("notBefore"),
        description=raw.get("description", ""),
    )


@cache
def kinds() -> dict[str, Kind]:
    """All kinds of files, in load order."""
    raw = json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))["kinds"]
    out = [
        Kind(
            name=name,
            title=spec["title"],
            order=spec["order"],
            fields=tuple(_field(f) for f in spec["fields"]),
            primary_key=tuple(spec["primaryKey"]),
            version_field=spec.get("versionField"),
        )
        for name, spec in raw.items()
    ]
    return {k.name: k for k in sorted(out, key=lambda k: k.order)}


def recognise(columns: list[str]) -> Kind | None:
    """The kind whose required columns are all present and whose other columns are known, if any."""
    cols = set(columns)
    matches = [k for k in kinds().values() if k.required_names <= cols]
    # The most specific match wins: a posts file also carries every column a follower file requires.
    matches.sort(key=lambda k: len(cols & set(k.field_names)), reverse=True)
    return matches[0] if matches else None
