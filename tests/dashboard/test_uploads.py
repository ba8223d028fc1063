"""The Data page's upload: workbooks and a mapping file, and every refusal of the loader in the reader's language."""

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy.engine import Engine

from dashboard import uploads
from dashboard.i18n import Tr
from etl.ingest.extract import SourceError, open_source
from etl.ingest.headers import MappingError, parse_mapping
from etl.ingest.load import FileResult, load_paths
from etl.store.db import make_engine
from tests.conftest import DATA, dump

MAPPING = '[followers]\ndate = "Отчётная дата"\naccount_id = "Код страницы"\nfollowers = "Всего на конец дня"\n'


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """A database with tests/data loaded."""
    eng = make_engine(f"sqlite:///{tmp_path / 'up.db'}")
    assert all(r.ok for r in load_paths(eng, [DATA]))
    return eng


def shown(markdown: str) -> str:
    """A message as the page shows it: Markdown's escapes of the file's own text taken off."""
    return re.sub(r"\\(.)", r"\1", markdown)


def workbook(path: Path, rows: list[list[object]]) -> bytes:
    """An office's workbook of follower counts under its own headers, as uploaded."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Данные"
    ws.append(["Отчётная дата", "Соцсеть", "Код страницы", "Всего на конец дня"])
    for row in rows:
        ws.append(row)
    book.save(path)
    return path.read_bytes()


def test_a_workbook_uploaded_with_its_mapping_loads(engine: Engine, tmp_path: Path) -> None:
    """An .xlsx file and the mapping of its headers load through the ETL; what was read is said in the language."""
    content = workbook(tmp_path / "book.xlsx", [[dt.date(2026, 3, 6), "ВКонтакте", -3001, 1580]])
    [row] = uploads.load(
        [("март.xlsx", content)],
        1,
        lambda paths, mapping: load_paths(engine, paths, mapping=mapping),
        ("office.toml", MAPPING.encode()),
    )
    assert (row["status"], row["kind"], row["inserted"], row["sheet"]) == ("loaded", "followers", 1, "Данные")
    assert uploads.dialect_text(row["dialect"], Tr("ru")) == "Excel, лист «Данные», заголовок в строке 1"


def test_without_the_mapping_the_workbook_names_what_it_lacks_in_the_language(engine: Engine, tmp_path: Path) -> None:
    """The same workbook without its mapping: the closest kind and the columns it lacks, with the headers a reader of
    the language knows them by."""
    content = workbook(tmp_path / "book.xlsx", [[dt.date(2026, 3, 6), "ВКонтакте", -3001, 1580]])
    [row] = uploads.load([("март.xlsx", content)], 1, lambda paths, mapping: load_paths(engine, paths))
    assert row["status"] == "rejected"
    ru = shown(uploads.message(row, Tr("ru")))
    assert ru.startswith("заголовок не распознан: столбцы [Отчётная дата, Соцсеть, Код страницы, Всего на конец дня]")
    assert ru.endswith("ближе всего вид «подписчики», которому не хватает: account_id («ID страницы»), "
                       "date («Дата»), followers («Подписчики»)")  # fmt: skip
    assert shown(uploads.message(row, Tr("kk"))).endswith(
        "account_id («Парақша ID»), date («Күні»), followers («Жазылушылар»)"
    )
    assert shown(uploads.message(row, Tr("en"))).endswith(
        "closest kind is followers, which also needs: account_id, date, followers"
    )


def test_a_mapping_that_cannot_be_used_stops_the_upload(engine: Engine, tmp_path: Path) -> None:
    """A mapping naming a column the kind lacks: no file is loaded, and the mapping file is named with the reason."""
    before = dump(engine)
    content = workbook(tmp_path / "book.xlsx", [[dt.date(2026, 3, 6), "vk", -3001, 1580]])
    [row] = uploads.load(
        [("март.xlsx", content)],
        1,
        lambda paths, mapping: load_paths(engine, paths, mapping=mapping),
        ("office.toml", '[followers]\nsubscribers = "Всего на конец дня"\n'.encode()),
    )
    assert (row["file"], row["kind"], row["status"]) == ("office.toml", "mapping", "rejected")
    assert shown(uploads.message(row, Tr("ru"))).startswith("[followers] subscribers — не столбец вида followers")
    assert dump(engine) == before


def rewrite_sheet(book: Path, to: Path) -> Path:
    """A copy of the workbook with its first sheet's XML cut in half, as a damaged copy has it."""
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(to, "w") as copy:
        for name in source.namelist():
            content = source.read(name)
            copy.writestr(name, content[: len(content) // 2] if name == "xl/worksheets/sheet1.xml" else content)
    return to


def refusals(tmp_path: Path) -> list[str]:
    """Every reason the loader gives for refusing a whole file or a mapping, as it writes them."""
    out = []
    files = {
        "empty.csv": "",
        "unknown.csv": "a,b\n",
        "twice.csv": "Дата;День;Соцсеть;ID страницы;Подписчики\n",
        "old.xls": "",
        "broken.xlsx": "date,platform\n",
        "mapped.csv": "Дата;Соцсеть;ID страницы;Подписчики\n",
    }
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    book = Workbook()
    book.save(tmp_path / "blank.xlsx")
    book.active.append(["Дата", "День", "Соцсеть", "ID страницы", "Подписчики"])  # type: ignore[union-attr]
    book.save(tmp_path / "twice.xlsx")
    damaged = rewrite_sheet(tmp_path / "twice.xlsx", tmp_path / "damaged.xlsx")
    mapping = parse_mapping('[followers]\nfollowers = "Всего"\n', "office.toml")
    workbooks = [("blank.xlsx", None), ("twice.xlsx", None), ("twice.xlsx", "X"), (damaged.name, None)]
    for name, sheet in [*((n, None) for n in files), *workbooks]:
        with pytest.raises(SourceError) as refused:
            open_source(tmp_path / name, mapping if name == "mapped.csv" else None, sheet)
        out.append(str(refused.value))
    bad = ["[x", '[folowers]\nd = "D"', '[followers]\nsubscribers = "S"', "[followers]\ndate = 3", 'followers = "F"',
           '[followers]\ndate = "D"\nfollowers = "d"', "# none"]  # fmt: skip
    for text in bad:
        with pytest.raises(MappingError) as refused:
            parse_mapping(text, "office.toml")
        out.append(str(refused.value))
    return out


def test_every_refusal_reads_in_each_language(tmp_path: Path) -> None:
    """Each reason the loader writes for a refused file or mapping has its text in Russian and Kazakh (it would read
    as in English if the page did not know it), and names no server folder."""
    reasons = refusals(tmp_path)
    assert len(reasons) == 17
    for reason in reasons:
        row = uploads.result_row(FileResult(path=tmp_path / reason.split(":")[0], status="rejected", message=reason))
        en = shown(uploads.message(row, Tr("en")))
        for lang in ("ru", "kk"):
            said = shown(uploads.message(row, Tr(lang)))
            assert said != en and str(tmp_path) not in said, (lang, reason)
