"""Reading delivered CSV files: detect encoding, delimiter and decimal mark, recognise the kind, read in chunks."""

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from etl.ingest.contract import Kind, kinds, recognise

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
BLOCK = 1 << 20


class SourceError(Exception):
    """A file that cannot be read as any kind of the contract."""


@dataclass
class Source:
    """A delivered file, with what was detected about it."""

    path: Path
    kind: Kind
    encoding: str
    delimiter: str
    decimal: str
    sha256: str
    size: int
    columns: list[str]
    ignored: list[str] = field(default_factory=list)

    @property
    def dialect(self) -> str:
        """What was detected, in words."""
        mark = "comma" if self.decimal == "," else "point"
        return f"{self.encoding}, {DELIMITERS[self.delimiter]}-delimited, decimal {mark}"


def _normalise(name: str) -> str:
    return name.strip().strip("\ufeff").strip().lower().replace(" ", "_")


def _scan(path: Path) -> tuple[str, str]:
    """The file's sha256 and encoding (UTF-8 with or without BOM, UTF-16 with BOM, else cp1251)."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with path.open("rb") as f:
        head = f.read(4)
        f.seek(0)
        while block := f.read(BLOCK):
            digest.update(block)
            if utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8" if utf8 else "cp1251"
    return digest.hexdigest(), encoding


def _decimal_mark(sample: pd.DataFrame, kind: Kind, delimiter: str) -> str:
    """',' or '.': whichever the numbers in the sample use as a fraction mark; by delimiter when none shows."""
    numeric = [f.name for f in kind.fields if f.type == "integer" and f.name in sample.columns]
    for name in numeric:
        values = sample[name].astype(str)
        if values.str.contains(r"\d,(?!\d{3}(?:\D|$))\d", regex=True).any():
            return ","
        if values.str.contains(r"\d\.(?!\d{3}(?:\D|$))\d", regex=True).any():
            return "."
    return "." if delimiter == "," else ","


def open_source(path: Path) -> Source:
    """Detect a file's encoding, delimiter, decimal mark and kind from its header."""
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    sha256, encoding = _scan(path)
    with path.open(encoding=encoding, newline="") as f:
        header_line = f.readline()
        sample_text = header_line + "".join(f.readline() for _ in range(200))
    if not header_line.strip():
        raise SourceError(f"{path}: the file is empty (a header row is expected)")
    best: tuple[str, list[str], Kind | None] | None = None
    for delimiter in DELIMITERS:
        columns = [_normalise(c) for c in next(csv.reader([header_line], delimiter=delimiter))]
        kind = recognise(columns)
        if kind is not None:
            best = (delimiter, columns, kind)
            break
        if best is None or len(columns) > len(best[1]):
            best = (delimiter, columns, None)
    assert best is not None
    delimiter, columns, found = best
    if found is None:
        raise SourceError(f"{path}: header not recognised: {_closest(columns)}")
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise SourceError(f"{path}: line 1: column(s) repeated in the header: {', '.join(dupes)}")
    sample = pd.read_csv(io.StringIO(sample_text), sep=delimiter, dtype=str, keep_default_na=False)
    sample.columns = pd.Index(columns)
    return Source(
        path=path,
        kind=found,
        encoding=encoding,
        delimiter=delimiter,
        decimal=_decimal_mark(sample, found, delimiter),
        sha256=sha256,
        size=path.stat().st_size,
        columns=columns,
        ignored=[c for c in columns if c not in found.field_names],
    )


def _closest(columns: list[str]) -> str:
    """Which kind the columns come closest to, and what they miss."""
    shown = ", ".join(columns[:12]) or "(none)"
    cols = set(columns)
    kind = max(kinds().values(), key=lambda k: len(cols & set(k.field_names)))
    missing = sorted(kind.required_names - cols)
    return f"columns [{shown}]; closest kind is {kind.name}, which also needs: {', '.join(missing)}"


def read_chunks(src: Source, chunk_rows: int) -> Iterator[tuple[pd.DataFrame, int]]:
    """The file's rows as string DataFrames with a `_line` column (1-based file line), and bytes read so far."""
    first_line = 2
    with src.path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=src.encoding, newline="")
        reader = pd.read_csv(
            text,
            sep=src.delimiter,
            dtype=str,
            keep_default_na=False,
            chunksize=chunk_rows,
            header=0,
            names=src.columns,
            skip_blank_lines=False,
            on_bad_lines="error",
            engine="c",
        )
        for chunk in reader:
            chunk = chunk.reset_index(drop=True)
            chunk["_line"] = range(first_line, first_line + len(chunk))
            first_line += len(chunk)
            # Blank lines are read as empty rows so that line numbers stay true, then dropped.
            blank = (chunk[src.columns] == "").all(axis=1)
            yield chunk[~blank], raw.tell()


def order_sources(sources: list[Source]) -> list[Source]:
    """Territories first, then accounts, then the rest; files of a kind in the order given."""
    return sorted(sources, key=lambda s: s.kind.order)


def expand(paths: list[Path]) -> list[Path]:
    """Files named, and the CSV/TSV/TXT files in folders named (sorted), skipping *.rejected.csv."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and f.suffix.lower() in {".csv", ".tsv", ".txt"}
                    and not f.name.endswith(".rejected.csv")
                )
            )
        else:
            out.append(p)
    return out
