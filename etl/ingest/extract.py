"""Reading delivered files: CSV (encoding, delimiter and decimal mark detected) or an XLSX sheet; the header row and
its columns recognised, the rows read in chunks."""

import codecs
import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from etl.ingest.contract import Kind
from etl.ingest.headers import HEAD_ROWS, Header, Mapping, best_header
from etl.ingest.sheets import SUFFIXES, UNREAD, SheetError, cell_text, open_sheet

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
BLOCK = 1 << 20
SAMPLE_ROWS = 200


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
    header_line: int = 1
    sheet: str | None = None
    rows_declared: int = 0

    @property
    def dialect(self) -> str:
        """What was detected, in words."""
        if self.sheet is not None:
            return f"xlsx, sheet {self.sheet}, header on row {self.header_line}"
        mark = "comma" if self.decimal == "," else "point"
        where = f", header on line {self.header_line}" if self.header_line > 1 else ""
        return f"{self.encoding}, {DELIMITERS[self.delimiter]}-delimited, decimal {mark}{where}"


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


def _decimal_mark(sample: pd.DataFrame, kind: Kind, fallback: str) -> str:
    """',' or '.': whichever the numbers in the sample use as a fraction mark; `fallback` when none shows."""
    numeric = [f.name for f in kind.fields if f.type == "integer" and f.name in sample.columns]
    for name in numeric:
        values = sample[name].astype(str)
        if values.str.contains(r"\d,(?!\d{3}(?:\D|$))\d", regex=True).any():
            return ","
        if values.str.contains(r"\d\.(?!\d{3}(?:\D|$))\d", regex=True).any():
            return "."
    return fallback


def _find_header(rows: list[tuple[int, list[str]]], mapping: Mapping | None) -> tuple[int, Header] | None:
    """Which of the (line, cells) rows is a kind's complete header (the first), else the closest to one (for the
    error); None when every row is blank."""
    closest: tuple[tuple[int, int, int], int, Header] | None = None
    for index, (line, cells) in enumerate(rows):
        if not any(cells):
            continue
        header = best_header(cells, mapping)
        if header.complete:
            return index, header
        rank = (len(header.found), -line, len(cells))
        if closest is None or rank > closest[0]:
            closest = (rank, index, header)
    return (closest[1], closest[2]) if closest else None


def _columns(path: Path, header: Header, where: str) -> tuple[list[str], list[str]]:
    """The names the rows are read under (the contract's columns; others as written) and the ignored headers."""
    named = [f for f in header.fields if f]
    repeated = sorted({f for f in named if named.count(f) > 1})
    if repeated:
        shown = [f"{f} ({', '.join(c for c, g in zip(header.cells, header.fields, strict=True) if g == f)})"
                 for f in repeated]  # fmt: skip
        raise SourceError(f"{path}: {where}: column(s) repeated in the header: {'; '.join(shown)}")
    columns, ignored = [], []
    for number, (cell, column) in enumerate(zip(header.cells, header.fields, strict=True), start=1):
        if column:
            columns.append(column)
            continue
        name = _normalise(cell)
        # Columns outside the contract are read under a name of their own: two alike, or one empty, clash with none.
        columns.append(name if name and name not in columns and name not in header.kind.field_names else f"_{number}")
        if cell:
            ignored.append(cell)
    return columns, ignored


def _refuse(path: Path, header: Header, mapping: Mapping | None) -> SourceError:
    """Why the header row is no kind's: the mapping's headers it lacks, else the closest kind and what it misses."""
    if header.absent and mapping is not None:
        lacking = ", ".join(header.absent)
        return SourceError(
            f"{path}: the headers {mapping.name} gives for {header.kind.name} are not in the file: {lacking}"
        )
    shown = ", ".join(header.cells[:12]) or "(none)"
    return SourceError(
        f"{path}: header not recognised: columns [{shown}]; closest kind is {header.kind.name}, "
        f"which also needs: {', '.join(header.missing)}"
    )


def _digest(sha256: str, *parts: str) -> str:
    """The content hash, with what else decides how the content is read (a sheet, a mapping)."""
    return hashlib.sha256("\n".join((sha256, *parts)).encode()).hexdigest() if parts else sha256


def open_source(path: Path, mapping: Mapping | None = None, sheet: str | None = None) -> Source:
    """Detect a file's format and kind from its header row (the first of its first rows that is one); `sheet` names
    the sheet of a workbook (else its first), `mapping` the user's own headers."""
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    if path.suffix.lower() in UNREAD:
        raise SourceError(f"{path}: {path.suffix} files are not read: save the sheet as .xlsx or CSV")
    if path.suffix.lower() in SUFFIXES:
        return _open_workbook(path, mapping, sheet)
    sha256, encoding = _scan(path)
    with path.open(encoding=encoding, newline="") as f:
        head = [f.readline() for _ in range(HEAD_ROWS + SAMPLE_ROWS)]
    if not any(line.strip() for line in head[:HEAD_ROWS]):
        raise SourceError(f"{path}: the file is empty (a header row is expected)")
    candidates = [(n, d) for n in range(HEAD_ROWS) if head[n].strip() for d in DELIMITERS]
    rows = [
        (n, [c.strip().strip("\ufeff").strip() for c in next(csv.reader([head[n]], delimiter=d))])
        for n, d in candidates
    ]
    found = _find_header(rows, mapping)
    if found is None:
        raise SourceError(f"{path}: the file is empty (a header row is expected)")
    line, delimiter = candidates[found[0]]
    header = found[1]
    if not header.complete:
        raise _refuse(path, header, mapping)
    columns, ignored = _columns(path, header, f"line {line + 1}")
    sample = pd.read_csv(
        io.StringIO("".join(head[line : line + 1 + SAMPLE_ROWS])), sep=delimiter, dtype=str, keep_default_na=False
    )
    sample.columns = pd.Index(columns)
    return Source(
        path=path,
        kind=header.kind,
        encoding=encoding,
        delimiter=delimiter,
        decimal=_decimal_mark(sample, header.kind, "." if delimiter == "," else ","),
        sha256=_digest(sha256, *_mapped(header)),
        size=path.stat().st_size,
        columns=columns,
        ignored=ignored,
        header_line=line + 1,
    )


def _mapped(header: Header) -> list[str]:
    return [json.dumps(header.mapped, ensure_ascii=False, sort_keys=True)] if header.mapped else []


def _open_workbook(path: Path, mapping: Mapping | None, name: str | None) -> Source:
    sha256, _ = _scan(path)
    try:
        with open_sheet(path, name) as sheet:
            rows: list[tuple[Any, ...]] = []
            for number, values in sheet.rows():
                rows.append(values)
                if number == HEAD_ROWS + SAMPLE_ROWS:
                    break
            title, declared = sheet.title, sheet.rows_declared
    except SheetError as exc:
        raise SourceError(f"{path}: {exc}") from None
    head = [(n, [cell_text(v, ",").strip() for v in values]) for n, values in enumerate(rows[:HEAD_ROWS], start=1)]
    found = _find_header(head, mapping)
    if found is None:
        raise SourceError(f"{path}: sheet {title} is empty (a header row is expected)")
    index, header = found
    if not header.complete:
        raise _refuse(path, header, mapping)
    columns, ignored = _columns(path, header, f"sheet {title}, row {index + 1}")
    width, pad = len(columns), ("",) * len(columns)
    # The decimal mark of numbers written as text; numbers stored as numbers need none.
    body = [[v if isinstance(v, str) else "" for v in (*values, *pad)[:width]] for values in rows[index + 1 :]]
    return Source(
        path=path,
        kind=header.kind,
        encoding="xlsx",
        delimiter="",
        decimal=_decimal_mark(pd.DataFrame(body, columns=columns, dtype=str), header.kind, ","),
        sha256=_digest(sha256, f"sheet {title}", *_mapped(header)),
        size=path.stat().st_size,
        columns=columns,
        ignored=ignored,
        header_line=index + 1,
        sheet=title,
        rows_declared=declared,
    )


def read_chunks(src: Source, chunk_rows: int) -> Iterator[tuple[pd.DataFrame, int]]:
    """The file's rows as string DataFrames with a `_line` column (1-based file line), and bytes read so far."""
    if src.sheet is not None:
        yield from _sheet_chunks(src, chunk_rows)
        return
    first_line = src.header_line + 1
    with src.path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=src.encoding, newline="")
        reader = pd.read_csv(
            text,
            sep=src.delimiter,
            dtype=str,
            keep_default_na=False,
            chunksize=chunk_rows,
            skiprows=src.header_line - 1,
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


def _sheet_chunks(src: Source, chunk_rows: int) -> Iterator[tuple[pd.DataFrame, int]]:
    """A sheet's rows below the header as text, blank rows skipped, `_line` the row number Excel shows."""
    width = len(src.columns)
    pad = [None] * width

    def frame(rows: list[list[str]], lines: list[int]) -> pd.DataFrame:
        return pd.DataFrame(rows, columns=src.columns, dtype=str).assign(_line=lines)

    with open_sheet(src.path, src.sheet) as sheet:
        rows: list[list[str]] = []
        lines: list[int] = []
        number = src.header_line
        for number, values in sheet.rows(src.header_line + 1):
            cells = [cell_text(v, src.decimal) for v in (*values, *pad)[:width]]
            if any(cells):
                rows.append(cells)
                lines.append(number)
            if len(rows) >= chunk_rows:
                yield frame(rows, lines), _done(src, number)
                rows, lines = [], []
        yield frame(rows, lines), src.size


def _done(src: Source, row: int) -> int:
    """Bytes read, estimated from the rows read of those the sheet declares."""
    return min(src.size, src.size * row // src.rows_declared) if src.rows_declared else 0


def order_sources(sources: list[Source]) -> list[Source]:
    """Territories first, then accounts, then the rest; files of a kind in the order given."""
    return sorted(sources, key=lambda s: s.kind.order)


def expand(paths: list[Path]) -> list[Path]:
    """Files named, and the CSV/TSV/TXT/XLSX files in folders named (sorted), skipping *.rejected.csv and the lock
    files a spreadsheet program keeps beside an open workbook (~$NAME.xlsx)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and f.suffix.lower() in {".csv", ".tsv", ".txt", *SUFFIXES}
                    and not f.name.endswith(".rejected.csv")
                    and not f.name.startswith("~$")
                )
            )
        else:
            out.append(p)
    return out
