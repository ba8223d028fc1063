"""`govpulse import`: API answers saved as JSON become the same rows as a run's, for the registry's pages."""

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dashboard.cli import app
from etl.collect import vk
from etl.collect.base import Saved
from tests.collect.conftest import RESPONSES, FakeApi
from tests.collect.test_command import folder  # noqa: F401 (the fixture)
from tests.collect.test_vk import COMMUNITY, PAGES, PERSON, PRIVATE, WINDOW, answer, run

runner = CliRunner()
SAVED = ("groups.getById", "users.get", "wall.get-page1", "wall.get-page2", "wall.getComments",
         "wall.getComments-thread")  # fmt: skip


def saved(tmp_path: Path, names: tuple[str, ...] = SAVED) -> list[Path]:
    """VK's recorded answers saved as files, as an API console would save them, modified on 2026-12-05."""
    files = []
    for name in names:
        path = tmp_path / f"{name}.json"
        path.write_bytes((RESPONSES / "vk" / f"{name}.json").read_bytes())
        when = dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC).timestamp()
        os.utime(path, (when, when))
        files.append(path)
    return files


def test_saved_answers_give_the_rows_a_run_gives(api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same answers read from files or from the API give the same followers, posts and inquiries."""
    monkeypatch.setattr(vk, "PAGE_SIZE", 2)
    answer(api)
    live = run(api)
    documents = [(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in saved(tmp_path)]
    rows = vk.read_saved(Saved(documents, PAGES, dt.date(2026, 12, 5), WINDOW.now))
    assert rows.followers[0] == live.followers[0]  # the community, whose wall was saved too
    # Without a saved wall, the total of posts is unknown; a page whose wall is closed still has its followers.
    assert [(r["account_id"], r["followers"], r["posts_total"]) for r in rows.followers[1:]] == [
        (PRIVATE, 214, ""), (PERSON, 8513, "")
    ]  # fmt: skip
    assert sorted(rows.inquiries, key=str) == sorted(live.inquiries, key=str)
    in_window = [p for p in rows.posts if p["published_at"] >= "2026-11-05"]
    assert sorted(in_window, key=str) == sorted(live.posts, key=str)
    assert len(rows.posts) == 5  # a saved wall is taken whole: the pinned post and an older one too


def test_answers_of_pages_outside_the_registry_are_left_out(tmp_path: Path) -> None:
    """Only the registry's pages get rows; a page the answers do not mention gets none."""
    documents = [(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in saved(tmp_path)]
    rows = vk.read_saved(Saved(documents, [p for p in PAGES if p.account_id == PERSON], dt.date(2026, 12, 5),
                               WINDOW.now))  # fmt: skip
    assert [r["account_id"] for r in rows.followers] == [PERSON]
    assert rows.posts == [] and rows.inquiries == []
    assert rows.notices == [
        f"3 pages of the answers are not in the registry and were left out: {COMMUNITY}, -200000001, {PRIVATE}"
    ]


def test_import_loads_the_saved_answers_exactly(folder: Path) -> None:  # noqa: F811
    """Followers as integers on the given day, times in UTC, ids as VK writes them; the dashboard's figures match."""
    from etl.metrics.kpis import kpi_table
    from etl.store.db import get_engine

    files = saved(folder)
    args = ["import", "vk", *map(str, files), "--date", "2026-12-04", "--out", str(folder / "imported"), "--load"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Import summary: vk" in result.output and "Followers dated 2026-12-04" in result.output
    followers = (folder / "imported" / "followers.csv").read_text(encoding="utf-8").splitlines()
    assert followers[1:] == [
        f"2026-12-04,vk,{COMMUNITY},12450,235,zarinsky_adm",
        f"2026-12-04,vk,{PRIVATE},214,,novodrach_sovet",
        f"2026-12-04,vk,{PERSON},8513,,glava_zarinsk",
    ]
    inquiries = (folder / "imported" / "inquiries.csv").read_text(encoding="utf-8")
    assert f"{COMMUNITY}_1950_5001,comment,{COMMUNITY}_1950,2026-12-04T" in inquiries
    table = kpi_table(get_engine(), "account", dt.date(2026, 11, 5), dt.date(2026, 12, 4), parent="RU-ALT-ZAR")
    pages = table.set_index("account_id")
    assert pages.at[COMMUNITY, "followers_end"] == 12450 and pages.at[PERSON, "followers_end"] == 8513
    assert pages.at[COMMUNITY, "inquiries"] == 4 and pages.at[COMMUNITY, "answered"] == 3


def test_the_day_defaults_to_the_files_modification_day(folder: Path) -> None:  # noqa: F811
    """Without --date the followers are dated by the files, and the output says so."""
    result = runner.invoke(app, ["import", "vk", *map(str, saved(folder, ("groups.getById",))), "--out",
                                 str(folder / "imported")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Followers dated 2026-12-05 (the files' modification day" in result.output
    assert (folder / "imported" / "followers.csv").read_text(encoding="utf-8").splitlines()[1].startswith("2026-12-05")


def test_a_file_that_is_not_a_saved_answer_is_named(folder: Path) -> None:  # noqa: F811
    """Broken JSON names file, line and column; JSON of another kind names what is understood; nothing is written."""
    broken = folder / "wall.json"
    broken.write_text('{"response": {"count": 3,\n "items": [}', encoding="utf-8")
    result = runner.invoke(app, ["import", "vk", str(broken), "--out", str(folder / "imported")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "wall.json: not JSON at line 2, column 12" in result.output
    other = folder / "stats.json"
    other.write_text('{"response": {"visitors": 12}}', encoding="utf-8")
    result = runner.invoke(app, ["import", "vk", str(other), "--out", str(folder / "imported")])
    assert result.exit_code == 1
    assert "stats.json: not a VK answer of groups.getById, users.get, wall.get, wall.getComments" in result.output
    assert not (folder / "imported").exists()


@pytest.mark.parametrize(
    ("line", "folder_name", "names", "account", "followers"),
    [
        ("x,1318497381264687104,altai_gov,Правительство,RU-ALT,body,body,Правительство,,1,0,2020-01-15,", "x",
         ("v1-users", "v1-user-timeline", "v1-search"), "1318497381264687104", 45870),
        ("youtube,UCx4Kq8mT2vZbN7wLp3sRj9A,@karasu_akimat,Акимат,RU-ALT-ZAR,body,body,Акимат,,0,0,2019-03-14,",
         "youtube", ("channels", "videos", "commentThreads-page1", "comments-replies"), "UCx4Kq8mT2vZbN7wLp3sRj9A",
         12400),
    ],
)  # fmt: skip
def test_saved_answers_of_other_platforms_load_exactly(
    folder: Path,  # noqa: F811
    line: str,
    folder_name: str,
    names: tuple[str, ...],
    account: str,
    followers: int,
) -> None:
    """X's v1.1 objects (a 19-digit id beyond a float's digits) and YouTube's lists load through the same command;
    the stored id keeps every digit and the follower figure is an integer."""
    from sqlalchemy import text

    from etl.store.db import get_engine
    from tests.collect.test_command import register

    register(folder, line)
    files = []
    for name in names:
        path = folder / f"{name}.json"
        path.write_bytes((RESPONSES / folder_name / f"{name}.json").read_bytes())
        files.append(str(path))
    result = runner.invoke(app, ["import", folder_name, *files, "--date", "2026-12-04", "--out",
                                 str(folder / "imported"), "--load"])  # fmt: skip
    assert result.exit_code == 0, result.output
    with get_engine().connect() as conn:
        stored = conn.execute(
            text("SELECT a.account_id, f.followers, f.day FROM followersnapshot f "
                 "JOIN account a ON a.id = f.account_pk WHERE a.platform = :p"), {"p": folder_name}
        ).all()  # fmt: skip
        posts = conn.execute(text("SELECT count(*) FROM post p JOIN account a ON a.id = p.account_pk "
                                  "WHERE a.platform = :p"), {"p": folder_name}).scalar()  # fmt: skip
    assert [(a, n, str(d)[:10]) for a, n, d in stored] == [(account, followers, "2026-12-04")]
    assert posts and posts > 0
