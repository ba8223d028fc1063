"""Broken files are the sender's mistakes: each is refused in one line naming the file, the line and what is wrong, and
the database stays exactly as it was, on SQLite and PostgreSQL alike."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy.engine import Engine

from etl.ingest.load import FileResult, load_paths
from tests.conftest import DATA, dump

ROOT = Path(__file__).parents[2]
FOLLOWERS = (DATA / "followers.csv").read_bytes()
HEADER = b"date,platform,account_id,followers,posts_total,handle\n"
ROW = b"2026-03-06,instagram,1001,10500,504,akim_kostanay_obl\n"


def refused(engine: Engine, path: Path, content: bytes) -> FileResult:
    """Load `content` written to `path`: the one result, after checking that it is a rejection that changed nothing."""
    before = dump(engine)
    path.write_bytes(content)
    [res] = load_paths(engine, [path])
    assert res.status == "rejected", (res.status, res.message)
    assert dump(engine) == before
    return res


def test_an_image_saved_as_csv_is_not_text(loaded: Engine, tmp_path: Path) -> None:
    """A PNG picture (one of the README's screenshots) under a .csv name: named as what it is."""
    f = tmp_path / "followers.csv"
    res = refused(loaded, f, (ROOT / "docs" / "screenshots" / "overview.png").read_bytes())
    assert res.message == (
        f"{f}, line 1: not text but binary data (PNG): a CSV file (UTF-8, UTF-16 or cp1251) or an .xlsx workbook is "
        "expected"
    )


def test_a_workbook_renamed_to_csv_and_unknown_binary_are_not_text(loaded: Engine, tmp_path: Path) -> None:
    """An .xlsx workbook renamed .csv is said to be one; bytes with NUL in their first line are binary data."""
    Workbook().save(tmp_path / "book.xlsx")
    renamed = refused(loaded, tmp_path / "book.csv", (tmp_path / "book.xlsx").read_bytes())
    assert ", line 1: not text but binary data (XLSX): " in renamed.message
    raw = refused(loaded, tmp_path / "raw.csv", b"\x07\x00\x13\x00\xfe\x01" * 50 + b"\n" + HEADER)
    assert re.fullmatch(rf"{re.escape(str(tmp_path / 'raw.csv'))}, line 1: not text but binary data: .+", raw.message)


def test_bytes_no_encoding_reads_are_named_by_line(loaded: Engine, tmp_path: Path) -> None:
    """Byte 0x98 is neither UTF-8 here nor a cp1251 character: the line it stands on is named."""
    f = tmp_path / "f.csv"
    res = refused(loaded, f, HEADER + ROW + b"2026-03-07,instagram,1001,10600,505,\xff\x98\n")
    assert res.message == (f"{f}, line 3: byte 0x98 is not text in UTF-8, UTF-16 or cp1251: save the file as CSV UTF-8")


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["utf-8", "utf-8 with BOM"])
def test_a_cp1251_line_in_a_utf8_file_is_mixed_encodings(loaded: Engine, tmp_path: Path, bom: bytes) -> None:
    """One line written in cp1251 into a UTF-8 file is refused, not read as mojibake of the whole file."""
    f = tmp_path / "accounts.csv"
    lines = (DATA / "accounts.csv").read_bytes().splitlines(keepends=True)
    lines[3] = lines[3].decode("utf-8").encode("cp1251")
    res = refused(loaded, f, bom + b"".join(lines))
    assert res.message == (
        f"{f}, line 4: byte 0xC0 is not UTF-8, as the rest of the file is (mixed encodings): save the file as CSV UTF-8"
    )


def test_utf16_that_breaks_off_is_refused(loaded: Engine, tmp_path: Path) -> None:
    """A UTF-16 file (Excel's Unicode text) whose last character is cut in half."""
    f = tmp_path / "f.csv"
    text = FOLLOWERS.decode("utf-8").replace(",", "\t").encode("utf-16")
    res = refused(loaded, f, text[:-1])
    assert res.message.startswith(f"{f}, line 16: byte 0x0A is not UTF-16, as the rest of the file is")


@pytest.mark.parametrize(
    ("content", "line", "fields"),
    [
        (HEADER + ROW + b"2026-03-07,instagram,1001,10600,505,akim,extra\n", 3, 7),
        (HEADER + b"x,2026-03-06,instagram,1001,10500,504,akim_kostanay_obl\n", 2, 7),
        (HEADER + b"2026-03-06,instagram,1001,10500,504,akim_kostanay_obl,,\n" + ROW, 2, 8),
        (HEADER + b"x" * 200_000 + b",2026-03-06,instagram,1001,10500,504,akim_kostanay_obl\n", 2, 7),
    ],
    ids=["a later row", "the first row", "trailing delimiters", "a first row too long to split"],
)
def test_a_row_with_more_fields_than_the_header(
    loaded: Engine, tmp_path: Path, content: bytes, line: int, fields: int
) -> None:
    """A row with more fields than the header is refused by its line, never read with its values shifted."""
    f = tmp_path / "f.csv"
    res = refused(loaded, f, content)
    assert res.message == (
        f"{f}, line {line}: {fields} fields where the header has 6: a delimiter too many, or a value holding the "
        "delimiter without quotes"
    )


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (HEADER + ROW + b'2026-03-07,instagram,1001,10600,505,"akim\n2026-03-08,instagram,1001,10700,506,akim\n', 3),
        (HEADER + b'"2026-03-07,instagram,1001,10600,505,akim\n' + ROW, 2),
        (b"Report\n\n" + HEADER + ROW * 300 + b'2026-03-07,instagram,1001,10600,505,"akim\n', 304),
    ],
    ids=["in a row", "at the start of a row", "below the first rows, under a title"],
)
def test_a_quote_never_closed(loaded: Engine, tmp_path: Path, content: bytes, line: int) -> None:
    """An opening quote without its closing one swallows the rest of the file: refused by the line it opens on."""
    f = tmp_path / "f.csv"
    res = refused(loaded, f, content)
    assert (
        res.message == f'{f}, line {line}: a quote (") opened here is never closed: a quote inside a value is doubled'
    )


@pytest.mark.parametrize(
    ("name", "content", "line", "column"),
    [
        ("followers.csv", HEADER + ROW + b"2026-03-07,instagram,1001,10600,505,akim\x00kostanay\n", 3, "handle"),
        (
            "accounts.csv",
            (DATA / "accounts.csv").read_bytes().replace("Акимат Карасуского района,K".encode(), b"Akimat\x00,K"),
            3,
            "display_name",
        ),
    ],
    ids=["a handle", "a name"],
)
def test_a_nul_character_in_a_text_field(
    loaded: Engine, tmp_path: Path, name: str, content: bytes, line: int, column: str
) -> None:
    """PostgreSQL cannot store NUL and SQLite would keep it silently: on both it is refused by line and column."""
    res = refused(loaded, tmp_path / name, content)
    assert [tuple(e) for e in res.errors[["line", "column", "rule"]].itertuples(index=False)] == [
        (line, column, "contains a NUL character")
    ]
    assert "\x00" in res.errors["value"].iloc[0]


def test_other_control_characters_are_refused(loaded: Engine, tmp_path: Path) -> None:
    """A bell or an escape character in a name would break the XLSX and PPTX exports: refused at the door."""
    res = refused(loaded, tmp_path / "f.csv", HEADER + b"2026-03-07,instagram,1001,10600,505,akim\x1b[2J\n")
    assert [tuple(e) for e in res.errors[["line", "column", "rule"]].itertuples(index=False)] == [
        (2, "handle", "contains a control character")
    ]


def test_a_count_too_large_for_the_database(loaded: Engine, tmp_path: Path) -> None:
    """A count over 2,147,483,647 fits no PostgreSQL integer column: refused on every database by the same rule."""
    res = refused(loaded, tmp_path / "f.csv", HEADER + b"2026-03-07,instagram,1001,3000000000,505,akim\n")
    assert [tuple(e) for e in res.errors[["line", "column", "value", "rule"]].itertuples(index=False)] == [
        (2, "followers", "3000000000", "must be ≤ 2147483647")
    ]


def test_a_short_row_reads_as_empty_cells(loaded: Engine, tmp_path: Path) -> None:
    """A row with fewer fields than the header has its last cells empty: the required ones are named."""
    res = refused(loaded, tmp_path / "f.csv", HEADER + b"2026-03-07,instagram\n")
    assert [tuple(e) for e in res.errors[["line", "column", "rule"]].itertuples(index=False)] == [
        (2, "account_id", "required: must not be empty"),
        (2, "followers", "required: must not be empty"),
    ]


def test_a_folder_with_nothing_to_load_says_so(loaded: Engine, tmp_path: Path) -> None:
    """A folder without a CSV, TSV, TXT or XLSX file is refused by name, beside the files that load."""
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.md").write_text("notes\n", encoding="utf-8")
    (empty / "followers.rejected.csv").write_text("line,reason\n", encoding="utf-8")
    before = dump(loaded)
    [res] = load_paths(loaded, [empty])
    assert (res.status, res.message) == (
        "rejected",
        f"{empty}: no file to load in this folder (CSV, TSV, TXT or XLSX files are loaded)",
    )
    assert dump(loaded) == before


def damaged_workbook(folder: Path, damage: str) -> bytes:
    """A workbook of follower counts with one part damaged: the sheet's compressed bytes overwritten, or the list of
    its sheets emptied."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in FOLLOWERS.decode("utf-8").splitlines():
        sheet.append(line.split(","))
    book.save(folder / "good.xlsx")
    data = bytearray((folder / "good.xlsx").read_bytes())
    with zipfile.ZipFile(folder / "good.xlsx") as archive:
        if damage == "inflate":
            part = archive.getinfo("xl/worksheets/sheet1.xml")
            start = part.header_offset + 30 + len(part.filename.encode()) + len(part.extra)
            data[start : start + part.compress_size] = b"\xff" * part.compress_size
            return bytes(data)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
            for name in archive.namelist():
                content = archive.read(name)
                if name == "xl/workbook.xml":
                    content = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", content, flags=re.S)
                copy.writestr(name, content)
        return out.getvalue()


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        ("inflate", "cannot be read as an XLSX workbook (Error -3 while decompressing data: invalid block type)"),
        ("sheets", "cannot be read as an XLSX workbook (it has no worksheet)"),
    ],
    ids=["a part that does not inflate", "no worksheet"],
)
def test_a_damaged_workbook(loaded: Engine, tmp_path: Path, damage: str, said: str) -> None:
    """A workbook damaged in transit is refused with what could not be read, never zlib's or openpyxl's exception."""
    f = tmp_path / "march.xlsx"
    res = refused(loaded, f, damaged_workbook(tmp_path, damage))
    assert res.message.endswith(said), res.message
    assert res.message.startswith(str(f))


def test_a_territories_file_without_its_parent_column(loaded: Engine, tmp_path: Path) -> None:
    """parent_code is optional: a file without the column has its regions named by the rule they break."""
    content = b"code,name_ru,name_en,level,timezone\nKZ-AKM,\xd0\x90,Akmola Region,region,Asia/Almaty\n"
    res = refused(loaded, tmp_path / "territories.csv", content)
    assert [tuple(e) for e in res.errors.itertuples(index=False)] == [
        (2, "parent_code", "", "required below the country level")
    ]
