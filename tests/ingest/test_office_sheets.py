"""Offices' own spreadsheets: Russian headers, cp1251 and semicolons, XLSX workbooks, title rows, a mapping file."""

import datetime as dt
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from dashboard.cli import app
from etl.ingest.extract import SourceError, open_source
from etl.ingest.headers import parse_mapping
from etl.ingest.load import load_paths
from etl.ingest.sheets import cell_text
from etl.ingest.transform import parse_int
from etl.store.db import make_engine
from tests.conftest import DATA, LOGS, dump

REFERENCE = pd.read_csv(DATA / "followers.csv", dtype=str, keep_default_na=False)
HEADERS = ["Дата", "Соцсеть", "ID страницы", "Подписчики (чел.)", "Публикаций всего", "Ник"]
RUSSIAN = {"instagram": "Инстаграм", "facebook": "Фейсбук", "vk": "ВКонтакте"}
# (platform, account_id, day, followers, posts_total) of every row of tests/data/followers.csv.
FIGURES = sorted(
    (r.platform, r.account_id, r.date, int(r.followers), int(r.posts_total) if r.posts_total else None)
    for r in REFERENCE.itertuples()
)


def figures(engine: Engine) -> list[tuple[Any, ...]]:
    """The follower snapshots in the database, as FIGURES."""
    sql = (
        "SELECT a.platform, a.account_id, f.day, f.followers, f.posts_total FROM followersnapshot f "
        "JOIN account a ON a.id = f.account_pk"
    )
    with engine.connect() as conn:
        return sorted((p, a, str(d)[:10], n, t) for p, a, d, n, t in conn.execute(text(sql)))


def registry(tmp_path: Path, name: str) -> Engine:
    """A database with the territories and accounts of tests/data."""
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    assert all(r.ok for r in load_paths(engine, [DATA / "territories.csv", DATA / "accounts.csv"]))
    return engine


def office_csv(path: Path) -> Path:
    """tests/data/followers.csv as an office saves it: Russian headers and platforms, cp1251, semicolons, DD.MM.YYYY,
    spaced thousands with a decimal comma."""
    lines = [";".join(HEADERS)]
    for r in REFERENCE.itertuples():
        followers = f"{int(r.followers):,}".replace(",", "\u00a0") + ",00"
        day = f"{r.date[8:10]}.{r.date[5:7]}.{r.date[:4]}"
        lines.append(";".join([day, RUSSIAN[r.platform], r.account_id, followers, r.posts_total, r.handle]))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1251"))
    return path


def office_xlsx(path: Path, rows: list[list[Any]] | None = None, sheet: str = "Подписчики") -> Path:
    """The same figures as an office's workbook: a title row and an empty one above the header, days stored as Excel
    dates, ids and counts as numbers."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    ws.append(["Подписчики официальных страниц, март 2026 года"])
    ws.append([])
    ws.append(HEADERS)
    for r in REFERENCE.itertuples() if rows is None else []:
        posts = int(r.posts_total) if r.posts_total else None
        ws.append([dt.date.fromisoformat(r.date), RUSSIAN[r.platform], int(r.account_id), int(r.followers), posts,
                   r.handle or None])  # fmt: skip
    for row in rows or []:
        ws.append(row)
    book.save(path)
    return path


def rewrite_sheet(book: Path, change: Callable[[bytes], bytes]) -> Path:
    """The workbook with its first sheet's XML changed, as another program (or a damaged copy) would have it."""
    with zipfile.ZipFile(book) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = change(sheet)
    assert parts["xl/worksheets/sheet1.xml"] != sheet
    with zipfile.ZipFile(book, "w") as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return book


def test_a_russian_cp1251_semicolon_file_loads_without_a_mapping(tmp_path: Path) -> None:
    """Russian headers, cp1251, semicolons and decimal commas: recognised alone, the figures loaded exactly."""
    engine = registry(tmp_path, "office.db")
    [result] = load_paths(engine, [office_csv(tmp_path / "подписчики.csv")])
    assert result.ok, (result.message, result.errors)
    assert (result.kind, result.dialect) == ("followers", "cp1251, semicolon-delimited, decimal comma")
    assert figures(engine) == FIGURES


def test_the_same_figures_as_an_xlsx_workbook_load_the_same(tmp_path: Path) -> None:
    """The workbook (title row above the header, Excel dates) loads exactly what the plain CSV loads."""
    engine = registry(tmp_path, "office.db")
    [result] = load_paths(engine, [office_xlsx(tmp_path / "подписчики.xlsx")])
    assert result.ok, (result.message, result.errors)
    assert (result.kind, result.dialect) == ("followers", "xlsx, sheet Подписчики, header on row 3")
    assert figures(engine) == FIGURES
    reference = registry(tmp_path, "reference.db")
    load_paths(reference, [DATA / "followers.csv"])
    assert [t for t in dump(engine) if t[0] not in LOGS] == [t for t in dump(reference) if t[0] not in LOGS]


def test_a_workbook_takes_dates_as_text_and_whole_numbers_stored_as_fractions(loaded: Engine, tmp_path: Path) -> None:
    """A day written as text and a count stored as 10500.0 (as some programs write whole numbers) are the day and
    10500."""
    rows = [
        [dt.datetime(2026, 3, 6), "Инстаграм", 1001, 10500, 504, "akim_kostanay_obl"],
        ["07.03.2026", "ВКонтакте", "-3001", 1570, None, None],
    ]
    book = rewrite_sheet(
        office_xlsx(tmp_path / "march.xlsx", rows), lambda xml: xml.replace(b"<v>10500<", b"<v>10500.0<")
    )
    [result] = load_paths(loaded, [book])
    assert result.ok, (result.message, result.errors)
    with loaded.connect() as conn:
        got = conn.execute(text("SELECT day, followers, posts_total FROM followersnapshot WHERE day >= '2026-03-06'"))
        assert sorted((str(d)[:10], n, p) for d, n, p in got) == [
            ("2026-03-06", 10500, 504),
            ("2026-03-07", 1570, None),
        ]


def test_cells_read_as_a_csv_file_holds_them() -> None:
    """Whole numbers lose a zero fraction; a fraction keeps the file's decimal mark, so that no mark makes it whole
    (2.513 is not 2513 in a decimal-comma file); days and times are ISO 8601."""
    assert [cell_text(v, ",") for v in (None, "  x ", True, -3001, 10500.0, 1.5, 2.513)] == [
        *("", "  x ", "1", "-3001", "10500", "1,5", "2,513"),
    ]
    assert cell_text(2.513, ".") == "2.513"
    assert parse_int(pd.Series(["2,513", "1,5", "10500"]), ",").isna().tolist() == [True, True, False]
    assert cell_text(dt.datetime(2026, 3, 1), ",") == "2026-03-01"
    assert cell_text(dt.datetime(2026, 3, 1, 10, 30), ",") == "2026-03-01T10:30:00"
    assert cell_text(dt.date(2026, 3, 1), ",") == "2026-03-01"


def test_a_fraction_in_a_workbook_is_refused_by_sheet_row_and_column(loaded: Engine, tmp_path: Path) -> None:
    """A follower count of 1.5 is not a whole number: the file is rejected whole, naming sheet, row, column and value,
    and the database is exactly as it was."""
    before = dump(loaded)
    rows = [[dt.date(2026, 3, 6), "instagram", 1001, 10500, None, None], [dt.date(2026, 3, 6), "vk", -3001, 1.5]]
    [result] = load_paths(loaded, [office_xlsx(tmp_path / "march.xlsx", rows, sheet="Март")])
    assert (result.status, result.sheet, result.error_count) == ("rejected", "Март", 1)
    error = result.errors.iloc[0]
    assert (error["line"], error["column"], error["value"], error["rule"]) == (
        5,
        "followers",
        "1,5",
        "must be a whole number",
    )
    assert dump(loaded) == before


def test_a_workbook_loaded_again_is_known_but_not_read_through_another_mapping(tmp_path: Path) -> None:
    """The same workbook again changes nothing; read through a mapping it is another reading, and is loaded."""
    engine = registry(tmp_path, "office.db")
    book = office_xlsx(tmp_path / "подписчики.xlsx")
    assert [r.status for r in load_paths(engine, [book])] == ["loaded"]
    assert [r.status for r in load_paths(engine, [book])] == ["already loaded"]
    mapping = parse_mapping('[followers]\nhandle = "Ник"\n', "office.toml")
    [again] = load_paths(engine, [book], mapping=mapping)
    assert (again.status, again.inserted, again.updated, again.unchanged) == ("loaded", 0, 0, len(FIGURES))


def test_a_header_below_a_title_in_a_csv_file_keeps_line_numbers_true(loaded: Engine, tmp_path: Path) -> None:
    """A title and an empty line above the header are skipped; errors are numbered as an editor shows the lines."""
    f = tmp_path / "march.csv"
    f.write_text(
        "Отчёт за март\n\nДата,Платформа,Page ID,Followers\n06.03.2026,ВК,-3001,1570\n06.03.2026,vk,-3002,x\n",
        encoding="utf-8",
    )
    [result] = load_paths(loaded, [f])
    assert result.dialect.endswith(", header on line 3")
    assert result.errors[["line", "column", "value"]].values.tolist() == [[5, "followers", "x"]]


def test_one_column_named_twice_is_refused_with_both_headers(tmp_path: Path) -> None:
    """«Дата» and «День» both name the date: the file is refused, naming the column and both headers."""
    f = tmp_path / "twice.csv"
    f.write_text("Дата;День;Соцсеть;ID страницы;Подписчики\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"line 1: column\(s\) repeated in the header: date \(Дата, День\)$"):
        open_source(f)


def test_a_followers_file_by_page_link_names_the_columns_it_lacks(tmp_path: Path) -> None:
    """A page link is no page id: the file is refused as the closest kind, with the columns it lacks."""
    f = tmp_path / "links.csv"
    f.write_text("Дата;Подписчики;Ссылка на страницу\n06.03.2026;1570;https://vk.com/club3001\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"closest kind is followers, which also needs: account_id, platform$"):
        open_source(f)


def test_old_spreadsheets_and_unknown_sheets_are_refused_with_what_to_do(tmp_path: Path) -> None:
    """An .xls file is asked to be saved as .xlsx or CSV; a sheet the workbook lacks is named with those it has; a file
    that is no workbook, or a damaged sheet, is said to be unreadable."""
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(SourceError, match=r"old\.xls: \.xls files are not read: save the sheet as \.xlsx or CSV"):
        open_source(old)
    book = office_xlsx(tmp_path / "book.xlsx")
    with pytest.raises(SourceError, match=r"book\.xlsx: no sheet named Апрель; its sheets: Подписчики$"):
        open_source(book, sheet="Апрель")
    broken = tmp_path / "broken.xlsx"
    broken.write_text("date,platform\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"broken\.xlsx: cannot be read as an XLSX workbook"):
        open_source(broken)
    damaged = rewrite_sheet(office_xlsx(tmp_path / "damaged.xlsx"), lambda xml: xml[: len(xml) // 2])
    with pytest.raises(SourceError, match=r"damaged\.xlsx: sheet Подписчики cannot be read \("):
        open_source(damaged)


def test_a_mapping_header_absent_from_the_file_rejects_it_and_changes_nothing(loaded: Engine, tmp_path: Path) -> None:
    """A file of a kind the mapping gives, without one of the mapping's headers, is rejected naming that header."""
    before = dump(loaded)
    mapping = parse_mapping('[followers]\nfollowers = "Всего на конец дня"\n', "office.toml")
    f = tmp_path / "march.csv"
    f.write_text("Дата;Платформа;ID страницы;Подписчики\n06.03.2026;vk;-3001;1570\n", encoding="utf-8")
    [result] = load_paths(loaded, [f], mapping=mapping)
    assert result.status == "rejected"
    assert result.message == (
        f"{f}: the headers office.toml gives for followers are not in the file: followers «Всего на конец дня»"
    )
    assert dump(loaded) == before


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The command line on a database of its own with tests/data loaded."""
    from etl.settings import get_settings
    from etl.store.db import get_engine

    monkeypatch.setenv("GOVPULSE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("GOVPULSE_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    get_engine.cache_clear()
    runner = CliRunner()
    assert runner.invoke(app, ["load", str(DATA)]).exit_code == 0
    return runner


def test_load_reads_a_named_sheet_through_a_mapping(cli: CliRunner, tmp_path: Path) -> None:
    """`govpulse load --map FILE --sheet NAME` reads that sheet by the mapping's headers and loads its figures."""
    from etl.store.db import get_engine

    book = Workbook()
    book.active.title = "Сводка"  # type: ignore[union-attr]
    ws = book.create_sheet("Данные")
    ws.append(["Отчётная дата", "Сеть", "Код страницы", "Всего подписчиков на конец дня"])
    ws.append([dt.date(2026, 3, 6), "Телеграм", 1001, 10600])
    ws.append([dt.date(2026, 3, 6), "ВКонтакте", -3001, 1580])
    book.save(tmp_path / "office.xlsx")
    (tmp_path / "office.toml").write_text(
        '[followers]\ndate = "Отчетная дата"\naccount_id = "Код страницы"\n'
        'followers = "Всего подписчиков на конец дня"\n',
        encoding="utf-8",
    )
    args = ["load", "--map", str(tmp_path / "office.toml"), "--sheet", "Данные", str(tmp_path / "office.xlsx")]
    result = cli.invoke(app, args)
    # The Telegram row names an account the registry does not have: the sheet's row and column are named.
    assert result.exit_code == 1
    assert (
        "office.xlsx, sheet Данные, row 2, column account_id, value 'telegram/1001': unknown account" in result.output
    )
    ws["B2"] = "Инстаграм"
    book.save(tmp_path / "office.xlsx")
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "detected xlsx, sheet Данные, header on row 1" in result.output
    with get_engine().connect() as conn:
        got = conn.execute(text("SELECT followers FROM followersnapshot WHERE day = '2026-03-06' ORDER BY followers"))
        assert [n for (n,) in got] == [1580, 10600]


def test_load_refuses_a_mapping_it_cannot_use_before_reading_any_file(cli: CliRunner, tmp_path: Path) -> None:
    """A mapping naming a column the kind does not have stops the command with the reason (exit 2)."""
    (tmp_path / "bad.toml").write_text('[followers]\nsubscribers = "Подписчики"\n', encoding="utf-8")
    result = cli.invoke(app, ["load", "--map", str(tmp_path / "bad.toml"), str(DATA / "followers.csv")])
    assert result.exit_code == 2
    assert "subscribers is not a column of followers" in result.output
