"""The loader: validation, one transaction per file, idempotency, rollups."""

import datetime as dt
from pathlib import Path

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from etl.ingest.load import load_paths
from tests.conftest import DATA, LOGS, copy_data, dump


def rows(engine: Engine, sql: str) -> list[tuple]:
    """Query results with values as SQLite shows them (ISO text for days and times, 0/1 for flags)."""
    with engine.connect() as conn:
        return [tuple(plain(v) for v in r) for r in conn.execute(text(sql))]


def plain(value: object) -> object:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write(path: Path, content: str) -> Path:
    path.write_text(content, encoding="utf-8")
    return path


def test_loads_every_kind(loaded: Engine) -> None:
    """It loads territories, accounts, followers, posts and inquiries from a folder."""
    counts = {
        t: rows(loaded, f"SELECT count(*) FROM {t}")[0][0]
        for t in ("territory", "account", "followersnapshot", "post", "inquiry")
    }
    assert counts == {"territory": 8, "account": 5, "followersnapshot": 15, "post": 5, "inquiry": 7}


def test_orders_files_itself(engine: Engine, tmp_path: Path) -> None:
    """One load of files given in the wrong order loads territories first, then accounts, then the rest."""
    files = [DATA / "inquiries.csv", DATA / "followers.csv", DATA / "accounts.csv", DATA / "territories.csv"]
    results = load_paths(engine, files)
    assert [r.kind for r in results] == ["territories", "accounts", "followers", "inquiries"]
    assert all(r.ok for r in results)


def test_second_load_changes_nothing(loaded: Engine) -> None:
    """Loading the same files again changes nothing: the content hash is in the load log."""
    before = dump(loaded)
    results = load_paths(loaded, [DATA])
    assert {r.status for r in results} == {"already loaded"}
    assert dump(loaded) == before


def test_later_value_replaces_earlier(loaded: Engine, tmp_path: Path) -> None:
    """A later file with a new value for the same key replaces it and counts one update, the rest unchanged."""
    f = write(
        tmp_path / "fix.csv",
        "date,platform,account_id,followers\n2026-03-05,instagram,1001,10450\n2026-03-04,instagram,1001,10300\n",
    )
    [res] = load_paths(loaded, [f])
    assert (res.inserted, res.updated, res.unchanged) == (0, 1, 1)
    assert rows(loaded, "SELECT followers FROM followersnapshot WHERE account_pk = 1 AND day = '2026-03-05'") == [
        (10450,)
    ]
    assert rows(loaded, "SELECT followers FROM accountday WHERE account_pk = 1 AND day = '2026-03-05'") == [(10450,)]


def test_rejected_file_leaves_database_identical(loaded: Engine, tmp_path: Path) -> None:
    """A file with one bad row is rejected whole and the database stays exactly as it was."""
    before = dump(loaded)
    f = write(
        tmp_path / "more.csv",
        "date,platform,account_id,followers\n2026-03-06,instagram,1001,10500\n2026-03-06,instagram,1002,-4\n",
    )
    [res] = load_paths(loaded, [f])
    assert res.status == "rejected"
    assert res.error_count == 1
    err = res.errors.iloc[0]
    assert (err["line"], err["column"], err["value"], err["rule"]) == (3, "followers", "-4", "must be ≥ 0")
    assert dump(loaded) == before


def test_errors_name_line_column_value_and_rule(loaded: Engine, tmp_path: Path) -> None:
    """Every rule of the contract is checked and reported with its line, column and value."""
    f = write(
        tmp_path / "bad_inquiries.csv",
        "platform,account_id,inquiry_id,channel,post_id,received_at,first_reply_at,replied_by,topic\n"
        "instagram,1001,x1,letter,,2026-03-01T10:00:00,,,\n"
        "instagram,1001,x2,comment,,2026-03-01T10:00:00,2026-03-01T09:00:00,,\n"
        "instagram,9999,x3,comment,,2026-03-01T10:00:00,,,\n"
        "instagram,1001,x4,comment,,2099-03-01T10:00:00,,,\n"
        "instagram,1001,x5,comment,,yesterday,,,\n"
        "instagram,1001,x6,direct,,2026-03-01T10:00:00,,,\n"
        "instagram,1001,x6,direct,,2026-03-01T11:00:00,,,\n",
    )
    [res] = load_paths(loaded, [f])
    found = {(e.line, e.column, e.rule.split(":")[0]) for e in res.errors.itertuples()}
    assert found == {
        (2, "channel", "must be one of"),
        (3, "first_reply_at", "must not be before received_at"),
        (4, "account_id", "unknown account"),
        (5, "received_at", "must not be in the future"),
        (6, "received_at", "must be a time"),
        (8, "platform, account_id, inquiry_id", "duplicate key within the file"),
    }
    unknown = res.errors[res.errors["column"] == "account_id"]["value"].tolist()
    assert unknown == ["instagram/9999"]


def test_skip_bad_rows_writes_rejected_file(loaded: Engine, tmp_path: Path) -> None:
    """With skip_bad_rows the good rows load and the bad ones go to *.rejected.csv with reasons."""
    f = write(
        tmp_path / "day6.csv",
        "date,platform,account_id,followers\n2026-03-06,instagram,1001,10500\n2026-03-06,instagram,1002,lots\n",
    )
    [res] = load_paths(loaded, [f], skip_bad_rows=True)
    assert res.status == "loaded, rows rejected"
    assert (res.inserted, res.rejected) == (1, 1)
    rejected = pd.read_csv(tmp_path / "day6.rejected.csv", dtype=str)
    assert rejected["line"].tolist() == ["3"]
    assert rejected["followers"].tolist() == ["lots"]
    assert "must be a whole number" in rejected["reason"].iloc[0]


def test_rename_is_history_not_a_new_account(loaded: Engine) -> None:
    """A handle that changes in the snapshots is a rename: one account, two handles in its history."""
    assert rows(loaded, "SELECT count(*) FROM account WHERE account_id = '1002'") == [(1,)]
    history = rows(
        loaded, "SELECT handle, first_seen, last_seen FROM handlehistory WHERE account_pk = 2 ORDER BY first_seen"
    )
    assert history == [
        ("karasu_akimat", "2026-03-01", "2026-03-02"),
        ("karasu_akimat_official", "2026-03-04", "2026-03-05"),
    ]
    assert rows(loaded, "SELECT handle FROM account WHERE id = 2") == [("karasu_akimat_official",)]


def test_time_without_offset_is_local_to_the_territory(loaded: Engine) -> None:
    """Times without an offset are read in the territory's zone; times with one are honoured; UTC is stored."""
    assert rows(loaded, "SELECT received_at, received_on FROM inquiry WHERE inquiry_id = 'c1'") == [
        ("2026-03-01 06:00:00.000000", "2026-03-01")  # 11:00 in Asia/Qostanay (UTC+5)
    ]
    assert rows(loaded, "SELECT published_at, published_on FROM post WHERE post_id IN ('w1', 'w2') ORDER BY 1") == [
        ("2026-03-02 02:15:00.000000", "2026-03-02"),  # 09:15+07:00
        ("2026-03-04 23:30:00.000000", "2026-03-05"),  # 23:30Z is 06:30 next day in Asia/Barnaul
    ]


def test_latest_collection_of_a_post_wins(loaded: Engine, tmp_path: Path) -> None:
    """The row with the latest collected_at wins, and metrics may go down."""
    assert rows(loaded, "SELECT likes, comments FROM post WHERE post_id = 'p1'") == [(350, 18)]
    older = write(
        tmp_path / "old.csv",
        "collected_at,platform,account_id,post_id,published_at,post_type,likes,comments,shares\n"
        "2026-03-03T12:00:00,instagram,1001,p1,2026-03-01T10:00:00,photo,320,19,11\n",
    )
    [res] = load_paths(loaded, [older])
    assert (res.inserted, res.updated, res.unchanged) == (0, 0, 1)
    assert rows(loaded, "SELECT likes, comments FROM post WHERE post_id = 'p1'") == [(350, 18)]


def test_followers_carried_forward_in_rollup(loaded: Engine) -> None:
    """Missing days carry the last followers forward, flagged as not observed, up to the latest day loaded."""
    series = rows(loaded, "SELECT day, followers, observed FROM accountday WHERE account_pk = 3 ORDER BY day")
    assert series == [
        ("2026-03-01", 800, 1),
        ("2026-03-02", 800, 0),
        ("2026-03-03", 800, 0),
        ("2026-03-04", 800, 0),
        ("2026-03-05", 790, 1),
    ]
    assert rows(loaded, "SELECT max(day), min(day) FROM accountday WHERE account_pk = 5") == [
        ("2026-03-05", "2026-03-02")
    ]


def test_territory_rollup_sums_accounts(loaded: Engine) -> None:
    """TerritoryDay sums AccountDay per territory, platform and owner role."""
    assert rows(
        loaded,
        "SELECT accounts, accounts_observed, followers, posts, likes, inquiries, answered FROM territoryday "
        "WHERE territory_code = 'KZ-KUS' AND platform = 'instagram' AND day = '2026-03-01'",
    ) == [(1, 1, 10000, 1, 350, 2, 2)]


def test_new_day_extends_rollups_of_all_accounts(loaded: Engine, tmp_path: Path) -> None:
    """A new day for one account carries every other account forward to it."""
    f = write(tmp_path / "d6.csv", "date,platform,account_id,followers\n2026-03-06,vk,-3001,1570\n")
    load_paths(loaded, [f])
    assert rows(loaded, "SELECT count(*) FROM accountday WHERE day = '2026-03-06'") == [(5,)]
    assert rows(loaded, "SELECT sum(followers) FROM territoryday WHERE day = '2026-03-06'") == [
        (10400 + 2060 + 790 + 1570 + 120,)
    ]


def test_moving_an_account_rebuilds_territory_rollups(loaded: Engine, tmp_path: Path) -> None:
    """An account moved to another territory takes its whole history with it."""
    folder = copy_data(tmp_path)
    accounts = (
        (folder / "accounts.csv")
        .read_text(encoding="utf-8")
        .replace(
            "facebook,2001,karasu.akim,Аким Карасуского района,KZ-KUS-KRS", "facebook,2001,karasu.akim,Аким,KZ-KUS-KST"
        )
    )
    write(folder / "accounts.csv", accounts)
    load_paths(loaded, [folder / "accounts.csv"])
    assert rows(loaded, "SELECT count(*) FROM territoryday WHERE territory_code = 'KZ-KUS-KST'") == [(5,)]
    assert rows(
        loaded, "SELECT count(*) FROM territoryday WHERE territory_code = 'KZ-KUS-KRS' AND platform = 'facebook'"
    ) == [(0,)]


def test_small_chunks_give_the_same_database(engine: Engine, tmp_path: Path) -> None:
    """Reading in chunks of any size gives the same result, duplicates across chunks included."""
    load_paths(engine, [DATA], chunk_rows=2)
    reference = make_reference(tmp_path)
    assert content(engine) == content(reference)


def make_reference(tmp_path: Path) -> Engine:
    """The same data loaded in one go into a separate SQLite file."""
    from etl.store.db import make_engine

    eng = make_engine(f"sqlite:///{tmp_path / 'ref.db'}")
    load_paths(eng, [DATA])
    return eng


def content(engine: Engine) -> list:
    """The dump without the load log (which records timings and paths)."""
    return [t for t in dump(engine) if t[0] not in LOGS]


def test_unrecognised_header_is_a_clear_error(engine: Engine, tmp_path: Path) -> None:
    """A file whose header matches no kind is rejected with the columns it lacks."""
    f = write(tmp_path / "x.csv", "when,account,followers\n2026-03-01,1,5\n")
    [res] = load_paths(engine, [f])
    assert res.status == "rejected"
    assert "header not recognised" in res.message
    assert "closest kind is followers, which also needs: account_id, date, platform" in res.message


def test_rollups_rebuilt_in_batches_are_the_same(engine: Engine, tmp_path: Path, monkeypatch) -> None:
    """Rebuilding the rollups a few accounts at a time gives the same tables as all at once."""
    from etl.store import rollups

    monkeypatch.setattr(rollups, "BATCH_ACCOUNTS", 2)
    load_paths(engine, [DATA])
    assert content(engine) == content(make_reference(tmp_path))


def test_blank_lines_keep_line_numbers_true(loaded: Engine, tmp_path: Path) -> None:
    """Blank lines are skipped, and the lines after them are still numbered as an editor shows them."""
    f = write(
        tmp_path / "gaps.csv",
        "date,platform,account_id,followers\n\n2026-03-06,instagram,1001,10500\n\n2026-03-06,instagram,1002,x\n",
    )
    [res] = load_paths(loaded, [f])
    assert res.errors["line"].tolist() == [5]


def test_unknown_accounts_are_all_listed_by_name(loaded: Engine, tmp_path: Path) -> None:
    """Every unknown account is named, beyond the errors shown in full."""
    lines = [f"2026-03-06,vk,{n},5" for n in range(60)]
    f = write(tmp_path / "many.csv", "date,platform,account_id,followers\n" + "\n".join(lines) + "\n")
    [res] = load_paths(loaded, [f])
    assert len(res.errors) == 50
    assert res.error_count == 60
    assert res.unknown["account_id"] == {f"vk/{n}" for n in range(60)}


def test_registry_without_any_dates_loads(loaded: Engine, tmp_path: Path) -> None:
    """An accounts file whose official marks are all 0/1 and whose creation dates are all empty loads cleanly."""
    frame = pd.read_csv(DATA / "accounts.csv", dtype=str, keep_default_na=False)
    frame = frame.assign(official_mark=frame["official_mark"].where(frame["official_mark"].isin(["0", "1"]), "1"))
    frame.assign(created_on="").to_csv(tmp_path / "accounts.csv", index=False)
    [result] = load_paths(loaded, [tmp_path / "accounts.csv"])
    assert result.ok, (result.message, result.errors)
