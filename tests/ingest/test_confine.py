"""A load confined to a territory, and the audit of every load: who, when, which file, what became of its rows."""

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from etl.ingest.load import load_paths
from etl.store.audit import Actor, entries, file_sha256
from tests.conftest import DATA, dump

KARASU = Actor("press@karasu.kz", "web", "KZ-KUS-KRS")


def data_tables(engine: Engine) -> list[object]:
    """Every row of every table but the audit's."""
    return [table for table in dump(engine) if table[0] != "auditentry"]  # type: ignore[index]


def write(path: Path, content: str) -> Path:
    path.write_text(content, encoding="utf-8")
    return path


def test_a_district_loads_its_own_pages(loaded: Engine, tmp_path: Path) -> None:
    """Followers of the district's own pages load, and the audit names the loader, the file and its rows."""
    good = write(
        tmp_path / "followers.csv",
        "date,platform,account_id,followers\n2026-03-06,instagram,1002,510\n2026-03-06,facebook,2001,77\n",
    )
    (result,) = load_paths(loaded, [good], actor=KARASU)
    assert result.status == "loaded", (result.message, result.errors)
    log = entries(loaded)
    assert log.iloc[0][["actor", "via", "action", "target", "outcome", "territory_code"]].tolist() == [
        "press@karasu.kz", "web", "load", "followers.csv", "loaded", "KZ-KUS-KRS",
    ]  # fmt: skip
    assert (log.iloc[0]["rows_accepted"], log.iloc[0]["rows_rejected"]) == (2, 0)
    assert log.iloc[0]["sha256"] == file_sha256(good)


def test_rows_of_another_district_refuse_the_file(loaded: Engine, tmp_path: Path) -> None:
    """A file with one row of the region's own page is refused whole; the error names the line, the page and the
    territory it belongs to; the data is exactly as it was, and the audit keeps the refusal."""
    before = data_tables(loaded)
    mixed = write(
        tmp_path / "followers.csv",
        "date,platform,account_id,followers\n2026-03-06,instagram,1002,510\n2026-03-06,instagram,1001,99999\n",
    )
    (result,) = load_paths(loaded, [mixed], actor=KARASU)
    assert result.status == "rejected"
    assert result.message.endswith("1 row(s) outside the territory KZ-KUS-KRS: of KZ-KUS (1)")
    assert result.errors[["line", "column", "value", "rule"]].values.tolist() == [
        [3, "account_id", "1001", "a page of KZ-KUS, outside the territory KZ-KUS-KRS"]
    ]
    assert data_tables(loaded) == before
    entry = entries(loaded).iloc[0]
    assert (entry["outcome"], entry["rows_accepted"], entry["rows_rejected"]) == ("rejected", 0, 2)
    assert "outside the territory KZ-KUS-KRS" in entry["detail"]


def test_a_page_cannot_be_moved_in_or_registered_elsewhere(loaded: Engine, tmp_path: Path) -> None:
    """An accounts file may neither register a page in another district nor take over another district's page."""
    header = (
        "platform,account_id,handle,display_name,territory_code,owner_kind,owner_role,owner_name,required,"
        "official_mark\n"
    )
    moved = write(
        tmp_path / "accounts.csv",
        header + "vk,-3001,zar,Zar,KZ-KUS-KRS,body,body,Body,1,0\nvk,77,new,New,KZ-KUS-KST,body,body,Body,1,0\n",
    )
    before = data_tables(loaded)
    (result,) = load_paths(loaded, [moved], actor=KARASU)
    assert result.status == "rejected"
    assert result.errors[["line", "column", "value"]].values.tolist() == [
        [2, "account_id", "-3001"],
        [3, "territory_code", "KZ-KUS-KST"],
    ]
    assert data_tables(loaded) == before


def test_territories_stay_inside(loaded: Engine, tmp_path: Path) -> None:
    """A district may add its own settlements, but not one under another district, nor move itself."""
    header = "code,name_ru,name_en,level,parent_code,timezone\n"
    ok = write(tmp_path / "ok.csv", header + "KZ-KUS-KRS-01,Аул,Aul,settlement,KZ-KUS-KRS,Asia/Qostanay\n")
    (result,) = load_paths(loaded, [ok], actor=KARASU)
    assert result.status == "loaded", (result.message, result.errors)
    bad = write(
        tmp_path / "bad.csv",
        header + "KZ-KUS-KST-01,Село,Village,settlement,KZ-KUS-KST,Asia/Qostanay\n"
        "KZ-KUS-KRS,Карасуский район,Karasu District,district,RU-ALT,Asia/Qostanay\n",
    )
    before = data_tables(loaded)
    (result,) = load_paths(loaded, [bad], actor=KARASU)
    assert result.status == "rejected"
    assert result.errors[["line", "column", "value"]].values.tolist() == [
        [2, "parent_code", "KZ-KUS-KST"],
        [3, "parent_code", "RU-ALT"],
    ]
    assert data_tables(loaded) == before


def test_a_command_line_load_is_audited_unconfined(engine: Engine) -> None:
    """A load by the command line's actor covers the whole database and is audited file by file."""
    results = load_paths(engine, [DATA], actor=Actor("operator"))
    assert all(r.ok for r in results)
    log = entries(engine)
    assert len(log) == len(results)
    assert set(log["actor"]) == {"operator"} and set(log["via"]) == {"cli"}
    assert log["territory_code"].isna().all()
    assert log.iloc[-1]["target"] == str(DATA / "territories.csv")  # the first loaded is the oldest
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM loadlog")).scalar() == len(results)


def test_the_audit_of_a_territory_and_since_a_day(loaded: Engine, tmp_path: Path) -> None:
    """The audit can be read for one territory's subtree and from a day on."""
    good = write(tmp_path / "followers.csv", "date,platform,account_id,followers\n2026-03-06,instagram,1002,510\n")
    load_paths(loaded, [good], actor=KARASU)
    load_paths(loaded, [good], actor=Actor("operator"))  # already loaded: audited too
    assert entries(loaded, within="KZ-KUS")["actor"].tolist() == ["press@karasu.kz"]
    assert entries(loaded, within="RU-ALT").empty
    assert entries(loaded)["outcome"].tolist() == ["already loaded", "loaded"]
    import datetime as dt

    assert entries(loaded, since=dt.date.today() + dt.timedelta(days=1)).empty
