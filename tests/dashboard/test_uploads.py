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


PICTURE = (Path(__file__).parents[2] / "docs" / "screenshots" / "coverage.png").read_bytes()
FOLLOWERS = b"date,platform,account_id,followers,handle\n"
BROKEN = {
    "photo.csv": PICTURE,
    "fields.csv": FOLLOWERS + b"2026-03-06,vk,-3001,1580,zarinsky_adm\n2026-03-07,vk,-3001,1590,zarinsky,adm\n",
    "quote.csv": FOLLOWERS + b'2026-03-06,vk,-3001,1580,"zarinsky_adm\n2026-03-07,vk,-3001,1590,zarinsky_adm\n',
    "bytes.csv": FOLLOWERS + b"2026-03-06,vk,-3001,1580,\x98\n",
    "mixed.csv": FOLLOWERS
    + "2026-03-06,vk,-3001,1580,Заринский\n".encode() * 3
    + "2026-03-07,vk,-3001,1590,Заринский\n".encode("cp1251"),
    "nul.csv": FOLLOWERS + b"2026-03-06,vk,-3001,1580,zarinsky\x00adm\n",
}
SAID = {
    "photo.csv": {
        "ru": "строка 1: не текст, а двоичные данные (PNG): нужен файл CSV (UTF-8, UTF-16 или `cp1251`) или книга "
        "Excel `.xlsx`",
        "kk": "1-жол: мәтін емес, екілік деректер (PNG): CSV файлы (UTF-8, UTF-16 немесе `cp1251`) немесе Excel "
        "`.xlsx` кітабы керек",
        "en": "line 1: not text but binary data (PNG): a CSV file (UTF-8, UTF-16 or `cp1251`) or an `.xlsx` workbook "
        "is expected",
    },
    "fields.csv": {
        "ru": "строка 3: полей 6, а в заголовке 5: лишний разделитель или значение с разделителем без кавычек",
        "kk": "3-жол: өріс саны 6, ал тақырыпта 5: бөлгіш артық немесе бөлгіші бар мән тырнақшасыз жазылған",
        "en": "line 3: 6 fields where the header has 5: a delimiter too many, or a value holding the delimiter without "
        "quotes",
    },
    "quote.csv": {
        "ru": 'строка 2: открытая здесь кавычка (") нигде не закрыта: кавычку внутри значения нужно удвоить',
        "kk": '2-жол: осы жерде ашылған тырнақша (") жабылмаған: мән ішіндегі тырнақшаны қосарлап жазу керек',
        "en": 'line 2: a quote (") opened here is never closed: a quote inside a value is doubled',
    },
    "bytes.csv": {
        "ru": "строка 2: байт 0x98 не читается как текст ни в UTF-8, ни в UTF-16, ни в `cp1251`: сохраните файл как "
        "CSV UTF-8",
        "kk": "2-жол: 0x98 байты UTF-8, UTF-16 немесе `cp1251` кодтауларының ешқайсысында мәтін ретінде оқылмайды: "
        "файлды CSV UTF-8 ретінде сақтаңыз",
        "en": "line 2: byte 0x98 is not text in UTF-8, UTF-16 or `cp1251`: save the file as CSV UTF-8",
    },
    "mixed.csv": {
        "ru": "строка 5: байт 0xC7 — не UTF-8, а остальной файл в UTF-8 (смешаны кодировки): сохраните файл как CSV "
        "UTF-8",
        "kk": "5-жол: 0xC7 байты UTF-8 емес, ал файлдың қалғаны UTF-8 (кодтаулар араласқан): файлды CSV UTF-8 ретінде "
        "сақтаңыз",
        "en": "line 5: byte 0xC7 is not UTF-8, as the rest of the file is (mixed encodings): save the file as CSV "
        "UTF-8",
    },
}


def test_a_picture_a_broken_csv_and_a_nul_are_refused_in_the_language(engine: Engine) -> None:
    """Each broken upload is refused with its reason (or its rule) in Russian, Kazakh and English, never an exception,
    never the server's folder in what the page shows, and the database as it was."""
    before = dump(engine)
    rows = uploads.load(list(BROKEN.items()), 1, lambda paths, mapping: load_paths(engine, paths, mapping=mapping))
    by_file = {row["file"]: row for row in rows}
    assert {name: row["status"] for name, row in by_file.items()} == dict.fromkeys(BROKEN, "rejected")
    for name, said in SAID.items():
        assert {lang: shown(uploads.message(by_file[name], Tr(lang))) for lang in said} == said
    [error] = by_file["nul.csv"]["errors"]
    assert (error["line"], error["column"], error["value"]) == ("2", "handle", "zarinsky\\x00adm")
    assert [uploads.rule_text(error["rule"], Tr(lang)) for lang in ("ru", "kk", "en")] == [
        "содержит нулевой символ (NUL)",
        "құрамында нөлдік таңба (NUL) бар",
        "contains a NUL character",
    ]
    assert "govpulse-upload" not in repr(rows)
    assert dump(engine) == before


def test_uploads_of_one_name_are_two_files_and_names_choose_no_folder(engine: Engine) -> None:
    """Two uploads named alike (from two folders) are both read; a name with folders in it writes only its last part."""
    first = FOLLOWERS + b"2026-03-06,vk,-3001,1580,zarinsky_adm\n"
    second = FOLLOWERS + b"2026-03-07,vk,-3001,1590,zarinsky_adm\n"
    files = [("followers.csv", first), ("../../followers.csv", second), ("..\\..\\evil\\followers.csv", b"")]
    rows = uploads.load(files, 1, lambda paths, mapping: load_paths(engine, paths, mapping=mapping))
    assert sorted((r["file"], r["status"], r["inserted"]) for r in rows) == [
        ("followers.csv", "loaded", 1),
        ("followers.csv", "loaded", 1),
        ("followers.csv", "rejected", 0),
    ]
    assert uploads.file_name("..") == uploads.file_name("") == "upload"


def test_every_broken_file_reason_reads_in_each_language(tmp_path: Path) -> None:
    """Each reason the loader gives for a file that is not a readable table has its text in Russian and Kazakh."""
    engine = make_engine(f"sqlite:///{tmp_path / 'reasons.db'}")
    Workbook().save(tmp_path / "book.xlsx")
    contents = {
        **BROKEN,
        "raw.csv": b"\x07\x00\x13" * 20,
        "renamed.csv": (tmp_path / "book.xlsx").read_bytes(),
        "utf16.csv": "date\tplatform\n".encode("utf-16")[:-1],
    }
    for name, content in contents.items():
        (tmp_path / name).write_bytes(content)
    results = load_paths(engine, [tmp_path / name for name in contents if name != "nul.csv"])
    assert len(results) == len(contents) - 1 and all(r.message for r in results)
    for r in results:
        row = uploads.result_row(r)
        en = uploads.message(row, Tr("en"))
        assert en.startswith("line "), r.message
        for lang in ("ru", "kk"):
            assert uploads.message(row, Tr(lang)) != en, (lang, r.message)
