"""Reading what spreadsheets in Russian and Kazakh offices produce: encodings, delimiters, number and date styles."""

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from etl.ingest.extract import SourceError, open_source
from etl.ingest.load import load_paths
from etl.store.db import make_engine
from tests.conftest import DATA, LOGS, dump


def office_style(text: str, delimiter: str) -> str:
    """The same CSV as an office spreadsheet writes it: another delimiter, DD.MM.YYYY dates, spaced thousands."""
    lines = text.splitlines()
    header = lines[0].split(",")
    out = [delimiter.join(header)]
    for line in lines[1:]:
        cells = [_office_cell(c, name in COUNTS) for c, name in zip(line.split(","), header, strict=True)]
        out.append(delimiter.join(cells))
    return "\r\n".join(out) + "\r\n"


COUNTS = {"followers", "posts_total", "population"}


def _office_cell(cell: str, count: bool) -> str:
    if len(cell) == 10 and cell[4] == "-" and cell[7] == "-":
        return f"{cell[8:10]}.{cell[5:7]}.{cell[0:4]}"
    if count and cell.isdigit() and len(cell) > 3:
        return f"{cell[:-3]}\u00a0{cell[-3:]}"
    return cell


def same_content(engine: Engine) -> list:
    return [t for t in dump(engine) if t[0] not in LOGS]


@pytest.fixture
def reference(tmp_path: Path) -> list:
    eng = make_engine(f"sqlite:///{tmp_path / 'ref.db'}")
    load_paths(eng, [DATA / "territories.csv", DATA / "accounts.csv", DATA / "followers.csv"])
    return same_content(eng)


@pytest.mark.parametrize(
    ("encoding", "delimiter", "detected"),
    [
        ("cp1251", ";", "cp1251, semicolon-delimited, decimal comma"),
        ("utf-8-sig", ";", "utf-8-sig, semicolon-delimited, decimal comma"),
        ("utf-8-sig", "\t", "utf-8-sig, tab-delimited, decimal comma"),
        ("utf-8", ",", "utf-8, comma-delimited, decimal point"),
        ("utf-16", "\t", "utf-16, tab-delimited, decimal comma"),
    ],
)
def test_office_dialects_load_the_same(
    tmp_path: Path, reference: list, encoding: str, delimiter: str, detected: str
) -> None:
    """Each dialect is detected, said, and loads exactly what the plain UTF-8 comma files load."""
    folder = tmp_path / "office"
    folder.mkdir()
    for name in ("territories.csv", "accounts.csv", "followers.csv"):
        text = (DATA / name).read_text(encoding="utf-8")
        styled = office_style(text, delimiter)
        try:
            styled.encode(encoding)
        except UnicodeEncodeError:
            # cp1251 has no Kazakh letters: such an office saves that file as UTF-8, and each file is detected alone.
            encoding_used = "utf-8-sig"
        else:
            encoding_used = encoding
        (folder / name).write_text(styled, encoding=encoding_used, newline="")
    engine = make_engine(f"sqlite:///{tmp_path / 'office.db'}")
    results = load_paths(engine, [folder])
    assert all(r.ok for r in results), [(r.message, r.errors) for r in results]
    assert {r.dialect for r in results if r.kind != "territories"} == {detected}
    assert same_content(engine) == reference


def test_decimal_comma_with_zero_fraction(tmp_path: Path, loaded: Engine) -> None:
    """Counts written with a zero fraction (8513,00) or a dotted thousands group (8.513) are whole numbers."""
    f = tmp_path / "f.csv"
    f.write_text(
        "date;platform;account_id;followers\n06.03.2026;instagram;1001;8513,00\n06.03.2026;instagram;1002;2.513\n",
        encoding="utf-8",
    )
    [res] = load_paths(loaded, [f])
    assert res.ok, res.errors
    with loaded.connect() as conn:
        from sqlalchemy import text

        got = conn.execute(text("SELECT account_pk, followers FROM followersnapshot WHERE day = '2026-03-06'")).all()
    assert sorted(tuple(r) for r in got) == [(1, 8513), (2, 2513)]


def test_fractional_count_is_an_error(tmp_path: Path, loaded: Engine) -> None:
    """A follower count with a real fraction is not a whole number."""
    f = tmp_path / "f.csv"
    f.write_text("date;platform;account_id;followers\n06.03.2026;instagram;1001;85,5\n", encoding="utf-8")
    [res] = load_paths(loaded, [f])
    assert res.status == "rejected"
    assert res.errors.iloc[0]["rule"] == "must be a whole number"


def test_header_recognised_whatever_the_case_and_extra_columns(tmp_path: Path) -> None:
    """Headers match case-insensitively; columns outside the contract are named as written and never stored."""
    f = tmp_path / "x.csv"
    f.write_text(
        "Platform,Account_ID,Inquiry_ID,Channel,Post_ID,Received_At,First_Reply_At,Replied_By,Topic,Text\n",
        encoding="utf-8",
    )
    src = open_source(f)
    assert src.kind.name == "inquiries"
    assert src.ignored == ["Text"]


def test_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    """An empty file is refused with its name."""
    f = tmp_path / "empty.csv"
    f.write_text("", encoding="utf-8")
    with pytest.raises(SourceError, match=r"empty\.csv: the file is empty"):
        open_source(f)
