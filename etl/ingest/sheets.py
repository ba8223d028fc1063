"""Reading XLSX workbooks: a sheet's rows as the text a CSV file of the same table would hold."""

import datetime as dt
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUFFIXES = {".xlsx", ".xlsm"}
# Spreadsheets openpyxl cannot read: named, so that such a file is refused with what to do.
UNREAD = {".xls", ".xlsb", ".ods"}
# What a damaged workbook raises while it is read (SyntaxError: XML that does not parse).
BROKEN = (OSError, KeyError, SyntaxError, zipfile.BadZipFile)


class SheetError(Exception):
    """A workbook or sheet that cannot be read (the message names neither the file nor the folder)."""


@dataclass
class Sheet:
    """One sheet of an open workbook."""

    title: str
    rows_declared: int
    worksheet: Any

    def rows(self, first: int = 1) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """The sheet's rows from row `first` on, with their row numbers as Excel shows them."""
        try:
            yield from enumerate(self.worksheet.iter_rows(min_row=first, values_only=True), start=first)
        except BROKEN as exc:
            raise SheetError(f"sheet {self.title} cannot be read ({exc})") from None


@contextmanager
def open_sheet(path: Path, name: str | None) -> Iterator[Sheet]:
    """Sheet `name` of a workbook (its first sheet when None), read-only, with the values the cells show."""
    # Imported here: openpyxl takes half a second to load, and most deliveries are CSV.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (*BROKEN, ValueError, InvalidFileException) as exc:
        raise SheetError(f"cannot be read as an XLSX workbook ({exc})") from None
    try:
        if name is not None and name not in book.sheetnames:
            raise SheetError(f"no sheet named {name}; its sheets: {', '.join(book.sheetnames)}")
        try:
            worksheet = book[name] if name is not None else book.worksheets[0]
        except BROKEN as exc:
            raise SheetError(f"sheet {name or book.sheetnames[0]} cannot be read ({exc})") from None
        declared = worksheet.max_row or 0
        # The size a workbook declares may be wrong (some programs write A1): read every row that is there.
        worksheet.reset_dimensions()
        yield Sheet(worksheet.title, declared, worksheet)
    finally:
        book.close()


def cell_text(value: Any, decimal: str) -> str:
    """A cell as a CSV file holds it: whole numbers without a fraction, a fraction with the file's decimal mark (the
    contract's rules then refuse it where a whole number is due), days as YYYY-MM-DD, times as ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e18:
            return str(int(value))
        return repr(value).replace(".", decimal)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
