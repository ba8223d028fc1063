"""Upload results as plain rows kept in the session, and how they are shown (as the CLI tells them)."""

import datetime as dt
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.i18n import Tr
from dashboard.ui import literal
from etl.ingest.headers import ALIASES, Mapping, MappingError, parse_mapping
from etl.ingest.load import FileResult

Loader = Callable[[list[Path], Mapping | None], list[FileResult]]


def load(
    files: list[tuple[str, bytes]], limit_mb: int, loader: Loader, mapping: tuple[str, bytes] | None = None
) -> list[dict[str, Any]]:
    """Write uploaded files (name, content) to a temporary folder, load them with `loader` (the ETL's `load_paths`,
    same validation as the CLI) and say what happened to each; files over `limit_mb` are refused unread. A mapping
    file (name, content) gives the files' own headers; one that cannot be used stops the upload with its reason."""
    own: Mapping | None = None
    if mapping is not None:
        name = Path(mapping[0]).name
        try:
            own = parse_mapping(mapping[1].decode("utf-8-sig"), name)
        except (MappingError, UnicodeDecodeError) as exc:
            reason = str(exc) if isinstance(exc, MappingError) else f"{name}: not a TOML file: not UTF-8 text"
            refused = FileResult(path=Path(name), kind="mapping", status="rejected", message=reason, error_count=1)
            return [result_row(refused)]
    limit = limit_mb * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="govpulse-upload-") as folder:
        paths = []
        for name, content in files:
            if len(content) <= limit:
                path = Path(folder) / Path(name).name  # the name only: an upload chooses no folder
                path.write_bytes(content)
                paths.append(path)
        results = loader(paths, own) if paths else []
    rows = [result_row(r) for r in results]
    return rows + [too_big_row(name, len(content), limit_mb) for name, content in files if len(content) > limit]


def result_row(r: FileResult) -> dict[str, Any]:
    """What happened to one uploaded file, as plain values."""
    errors = r.errors[["line", "column", "value", "rule"]].astype(str).to_dict("records") if len(r.errors) else []
    return {
        "time": dt.datetime.now().strftime("%H:%M:%S"),
        "file": r.path.name,
        "sheet": r.sheet,
        "kind": r.kind,
        "dialect": r.dialect,
        "status": "rejected" if r.status == "rejected" else ("same" if r.status == "already loaded" else "loaded"),
        "rows_read": r.rows_read,
        "inserted": r.inserted,
        "updated": r.updated,
        "unchanged": r.unchanged,
        # The file's name only: the folder it was loaded from is the server's temporary one.
        "message": r.message.replace(str(r.path), r.path.name) if r.status == "rejected" else "",
        "error_count": r.error_count,
        "errors": errors,
    }


def too_big_row(name: str, size: int, limit_mb: int) -> dict[str, Any]:
    """A file refused before loading because of its size."""
    row = result_row(FileResult(path=Path(name), status="rejected", error_count=1))
    return row | {"message": f"too_big:{size / 1024 / 1024:.1f}:{limit_mb}"}


def message(row: dict[str, Any], tr: Tr) -> str:
    """The reason a file was rejected, in the language (the ETL's own message when it has one), as Markdown that
    shows the file's name and columns as written."""
    text = str(row["message"])
    if text.startswith("too_big:"):
        _, size, limit = text.split(":")
        return tr("data.too_big", size=tr.num(float(size), 1), limit=tr.num(int(limit)))
    for pattern, key in REASONS:
        if found := re.fullmatch(pattern, text):
            parts = {name: literal(part) for name, part in found.groupdict().items()}
            if "kind" in parts:
                parts["kind"] = tr.label("kind", found["kind"])
            if "missing" in parts:
                parts["missing"] = literal(", ".join(header_hint(c, tr.lang) for c in found["missing"].split(", ")))
            return tr(key, **parts)
    return literal(text) if text else tr("data.errors", n=tr.num(row["error_count"]))


def header_hint(column: str, lang: str) -> str:
    """A contract column with the header its readers know it by: `followers («Подписчики»)`; the name alone in
    English, whose headers are the names."""
    names = ALIASES.get(column, {}).get(lang)
    return f"{column} («{names[0]}»)" if names and lang != "en" else column


# Why the loader refused a whole file (etl/ingest/extract.py, headers.py, sheets.py), with the catalog key of its
# text; a mapping's own file name is kept (the server's folder is never in it).
REASONS = [
    (r"(?P<file>.+): the file is empty \(a header row is expected\)", "reason.empty"),
    (r"(?P<file>.+): sheet (?P<sheet>.+) is empty \(a header row is expected\)", "reason.empty_sheet"),
    (
        r"(?P<file>.+): header not recognised: columns \[(?P<columns>.*)\]; closest kind is (?P<kind>\w+), "
        r"which also needs: (?P<missing>.*)",
        "reason.header",
    ),
    (
        r"(?P<file>.+): (?:sheet .+, row|line) (?P<line>\d+): column\(s\) repeated in the header: (?P<columns>.+)",
        "reason.repeated",
    ),
    (
        r"(?P<file>.+): the headers (?P<mapping>.+) gives for (?P<kind>\w+) are not in the file: (?P<headers>.+)",
        "reason.mapped",
    ),
    (r"(?P<file>.+): (?P<suffix>\.\w+) files are not read: .+", "reason.unread"),
    (r"(?P<file>.+): cannot be read as an XLSX workbook \((?P<detail>.*)\)", "reason.workbook"),
    (r"(?P<file>.+): (?:cannot be read: )?sheet .+ cannot be read \((?P<detail>.*)\)", "reason.workbook"),
    (r"(?P<file>.+): no sheet named (?P<sheet>.+); its sheets: (?P<sheets>.*)", "reason.no_sheet"),
    (r"(?P<file>.+): not a TOML file: (?P<detail>.+)", "reason.mapping_toml"),
    (r"(?P<file>.+): \[(?P<table>.+)\] is not a kind of file; the kinds are: (?P<kinds>.+)", "reason.mapping_kind"),
    (r"(?P<file>.+): (?P<table>.+) must be a table: .+", "reason.mapping_table"),
    (
        r"(?P<file>.+): \[(?P<table>\w+)\] (?P<column>.+) is not a column of \w+; its columns are: (?P<columns>.+)",
        "reason.mapping_column",
    ),
    (
        r"(?P<file>.+): \[(?P<table>\w+)\] (?P<column>.+) must be a header of the file, in quotes",
        "reason.mapping_header",
    ),
    (
        r"(?P<file>.+): \[(?P<table>\w+)\] one header is given for several columns: (?P<columns>.+)",
        "reason.mapping_twice",
    ),
    (r"(?P<file>.+): maps nothing: .+", "reason.mapping_empty"),
    (
        r"(?P<file>.+): (?P<n>\d+) row\(s\) outside the territory (?P<territory>\S+): of (?P<others>.+)",
        "access.reason_outside",
    ),
]
DIALECT = r"(?P<encoding>[^,]+), (?P<delimiter>comma|semicolon|tab)-delimited, decimal (?P<mark>comma|point)"
HEADER_LINE = r"(?P<rest>.+), header on line (?P<line>\d+)"
SHEET = r"xlsx, sheet (?P<sheet>.+), header on row (?P<row>\d+)"


def dialect_text(dialect: str, tr: Tr) -> str:
    """What the loader detected about a file (encoding, delimiter, decimal mark, the header's line; a workbook's
    sheet) in the reader's language."""
    if found := re.fullmatch(SHEET, dialect):
        return tr("dialect.sheet", sheet=literal(found["sheet"]), row=found["row"])
    where = ""
    if found := re.fullmatch(HEADER_LINE, dialect):
        dialect, where = found["rest"], tr("dialect.header_line", line=found["line"])
    found = re.fullmatch(DIALECT, dialect)
    if found is None:
        return dialect + where
    sep, mark = tr(f"dialect.{found['delimiter']}"), tr(f"dialect.{found['mark']}")
    return tr("dialect.text", encoding=found["encoding"], delimiter=sep, mark=mark) + where


def show(row: dict[str, Any], tr: Tr) -> None:
    """One file's outcome: loaded (with counts), already loaded, or rejected with every error."""
    counts = tr(
        "data.counts", read=tr.num(row["rows_read"]), new=tr.num(row["inserted"]), updated=tr.num(row["updated"]),
        same=tr.num(row["unchanged"]),
    )  # fmt: skip
    head = f"**{literal(row['file'])}** · {tr.label('kind', row['kind'])}"
    head += f" · {dialect_text(row['dialect'], tr)}" if row["dialect"] else ""
    if row["status"] == "loaded":
        st.success(f"{head}: {tr('data.loaded')} — {counts}", icon=":material/check_circle:")
    elif row["status"] == "same":
        st.info(f"{head}: {tr('data.same')}", icon=":material/info:")
    else:
        st.error(f"{head}: {tr('data.rejected_whole')} — {message(row, tr)}", icon=":material/block:")
        errors(row, tr)


# The loader's rules (etl/ingest), each with the catalog key of its text in the reader's language.
RULES = [
    (r"must be one of: (?P<values>.+)", "rule.one_of"),
    (r"must be a whole number", "rule.whole"),
    (r"must be ≥ (?P<n>.+)", "rule.at_least"),
    (r"must be a date: .+", "rule.date"),
    (r"must be a time: .+", "rule.time"),
    (r"must be 0 or 1", "rule.flag"),
    (r"must be 0, 1 or the date it was granted", "rule.mark"),
    (r"must be an IANA time zone .+", "rule.timezone"),
    (r"must match the pattern (?P<pattern>.+)", "rule.pattern"),
    (r"must not be before published_at", "rule.before_published"),
    (r"must not be before (?P<day>.+)", "rule.not_before"),
    (r"must not be in the future", "rule.future"),
    (r"required below the country level", "rule.parent_required"),
    (r"required: must not be empty", "rule.required"),
    (r"a territory cannot be its own parent", "rule.own_parent"),
    (r"unknown account: .+", "rule.unknown_account"),
    (r"unknown territory: not in this file nor in the database", "rule.unknown_territory"),
    (r"unknown territory: load the territories file first", "rule.territories_first"),
    (r"duplicate key within the file", "rule.duplicate"),
    (r"outside the territory (?P<territory>\S+)", "access.rule_outside"),
    (r"a page of (?P<where>\S+), outside the territory (?P<territory>\S+)", "access.rule_page_outside"),
    (r"moves (?P<where>\S+) itself, outside the territory (?P<territory>\S+)", "access.rule_moves"),
]


def rule_text(rule: str, tr: Tr) -> str:
    """A loader's rule in the reader's language; a rule not listed stays as the loader wrote it."""
    for pattern, key in RULES:
        if found := re.fullmatch(pattern, rule):
            return tr(key, **found.groupdict())
    return rule


def errors(row: dict[str, Any], tr: Tr) -> None:
    """The errors of a rejected file: file, line, column, value, rule."""
    if not row["errors"]:
        return
    where = f"{row['file']} · {row['sheet']}" if row.get("sheet") else row["file"]
    frame = pd.DataFrame(row["errors"]).assign(file=where)[["file", "line", "column", "value", "rule"]]
    frame["rule"] = frame["rule"].map(lambda rule: rule_text(rule, tr))
    frame.columns = [tr(f"col.err_{c}") for c in frame.columns]
    st.dataframe(frame, hide_index=True, width="stretch")
    if row["error_count"] > len(row["errors"]):
        st.caption(tr("data.more_errors", n=tr.num(row["error_count"] - len(row["errors"]))))
