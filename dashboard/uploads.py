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
from etl.ingest.load import FileResult


def load(
    files: list[tuple[str, bytes]], limit_mb: int, loader: Callable[[list[Path]], list[FileResult]]
) -> list[dict[str, Any]]:
    """Write uploaded files (name, content) to a temporary folder, load them with `loader` (the ETL's `load_paths`,
    same validation as the CLI) and say what happened to each; files over `limit_mb` are refused unread."""
    limit = limit_mb * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="govpulse-upload-") as folder:
        paths = []
        for name, content in files:
            if len(content) <= limit:
                path = Path(folder) / Path(name).name  # the name only: an upload chooses no folder
                path.write_bytes(content)
                paths.append(path)
        results = loader(paths) if paths else []
    rows = [result_row(r) for r in results]
    return rows + [too_big_row(name, len(content), limit_mb) for name, content in files if len(content) > limit]


def result_row(r: FileResult) -> dict[str, Any]:
    """What happened to one uploaded file, as plain values."""
    errors = r.errors[["line", "column", "value", "rule"]].astype(str).to_dict("records") if len(r.errors) else []
    return {
        "time": dt.datetime.now().strftime("%H:%M:%S"),
        "file": r.path.name,
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
            return tr(key, **parts)
    return literal(text) if text else tr("data.errors", n=tr.num(row["error_count"]))


# Why the loader refused a whole file (etl/ingest/extract.py), with the catalog key of its text.
REASONS = [
    (r"(?P<file>.+): the file is empty \(a header row is expected\)", "reason.empty"),
    (
        r"(?P<file>.+): header not recognised: columns \[(?P<columns>.*)\]; closest kind is (?P<kind>\w+), "
        r"which also needs: (?P<missing>.*)",
        "reason.header",
    ),
    (r"(?P<file>.+): line 1: column\(s\) repeated in the header: (?P<columns>.+)", "reason.repeated"),
]
DIALECT = r"(?P<encoding>[^,]+), (?P<delimiter>comma|semicolon|tab)-delimited, decimal (?P<mark>comma|point)"


def dialect_text(dialect: str, tr: Tr) -> str:
    """What the loader detected about a file (encoding, delimiter, decimal mark) in the reader's language."""
    found = re.fullmatch(DIALECT, dialect)
    if found is None:
        return dialect
    sep, mark = tr(f"dialect.{found['delimiter']}"), tr(f"dialect.{found['mark']}")
    return tr("dialect.text", encoding=found["encoding"], delimiter=sep, mark=mark)


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
    frame = pd.DataFrame(row["errors"]).assign(file=row["file"])[["file", "line", "column", "value", "rule"]]
    frame["rule"] = frame["rule"].map(lambda rule: rule_text(rule, tr))
    frame.columns = [tr(f"col.err_{c}") for c in frame.columns]
    st.dataframe(frame, hide_index=True, width="stretch")
    if row["error_count"] > len(row["errors"]):
        st.caption(tr("data.more_errors", n=tr.num(row["error_count"] - len(row["errors"]))))
