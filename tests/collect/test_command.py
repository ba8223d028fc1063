"""`govpulse collect`: from the registry through a platform's API into contract files, the database, the dashboard."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboard.cli import app
from etl.collect import vk
from tests.collect.conftest import FakeApi
from tests.collect.test_vk import COMMUNITY, PERSON, PRIVATE, TOKEN, answer
from tests.conftest import DATA
from tests.dashboard.support import ROOT, using

runner = CliRunner()
HEADER = "platform,account_id,handle,display_name,territory_code,owner_kind,owner_role,owner_name,sphere,required"
REGISTRY = f"""{HEADER},official_mark,created_on,url
vk,{COMMUNITY},zarinsky_adm,Администрация Заринского района,RU-ALT-ZAR,body,body,Администрация,,1,2023-03-01,2022-12-01,
vk,{PERSON},glava_zarinsk,Глава Заринского района,RU-ALT-ZAR,person,head,Глава района,,1,2023-03-01,2022-12-01,
vk,{PRIVATE},novodrach_sovet,Совет депутатов,RU-ALT-ZAR-01,body,body,Совет депутатов,,0,0,2022-12-01,
"""  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private database with the test registry and the VK pages, and the token in the environment."""
    from etl.settings import get_settings
    from etl.store.db import get_engine

    monkeypatch.setenv("GOVPULSE_DATABASE_URL", f"sqlite:///{tmp_path / 'govpulse.db'}")
    monkeypatch.setenv("GOVPULSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GOVPULSE_VK_TOKEN", TOKEN)
    monkeypatch.setattr(vk, "PAGE_SIZE", 2)
    get_settings.cache_clear()
    get_engine.cache_clear()
    (tmp_path / "registry").mkdir()
    (tmp_path / "registry" / "accounts.csv").write_text(REGISTRY, encoding="utf-8")
    loaded = runner.invoke(app, ["load", str(DATA / "territories.csv"), str(tmp_path / "registry")])
    assert loaded.exit_code == 0, loaded.output
    return tmp_path


def collect(api: FakeApi, folder: Path, *extra: str) -> tuple[int, str]:
    """Exit code and output of `govpulse collect vk` against the recorded server, loading what it wrote."""
    args = ["collect", "vk", "--api-base", api.url, "--since", "2026-11-05", "--out", str(folder / "out"), *extra]
    result = runner.invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def register(folder: Path, line: str) -> None:
    """Add one page (a line of accounts.csv) to the test registry and load it."""
    registry = folder / "registry" / "accounts.csv"
    registry.write_text(f"{REGISTRY}{line}\n", encoding="utf-8")
    assert runner.invoke(app, ["load", str(registry)]).exit_code == 0


def test_collected_files_load_and_the_dashboard_shows_them(api: FakeApi, folder: Path) -> None:
    """The run writes contract files that load cleanly; the KPI table and the Data page show the collected pages."""
    from etl.metrics.kpis import kpi_table
    from etl.store.db import get_engine

    answer(api)
    code, output = collect(api, folder, "--load")
    assert code == 1  # one page skipped, named
    assert f"skipped vk {PRIVATE}: access denied (VK error 15 in wall.get)" in output
    assert "Collection summary: vk" in output and "Load summary" in output and "│ rejected" not in output
    assert sorted(p.name for p in (folder / "out").iterdir()) == ["followers.csv", "inquiries.csv", "posts.csv"]
    # The snapshot is dated by the page's local day: Barnaul's (UTC+7), ahead of UTC's from 17:00 UTC.
    end = dt.datetime.now(ZoneInfo("Asia/Barnaul")).date()
    table = kpi_table(get_engine(), "account", end - dt.timedelta(days=40), end, parent="RU-ALT-ZAR")
    pages = table.set_index("account_id")
    assert pages.at[COMMUNITY, "followers_end"] == 12450 and pages.at[PERSON, "followers_end"] == 8513
    assert pages.at[COMMUNITY, "inquiries"] == 4 and pages.at[COMMUNITY, "answered"] == 3
    with using(folder):
        page = AppTest.from_file(str(ROOT / "app_pages" / "data.py"), default_timeout=60).run()
    assert not page.exception
    assert any("Сбор с платформ" in s.value for s in page.subheader)
    assert any("пропущено страниц — 1" in e.label for e in page.expander)


def test_collecting_twice_gives_the_same_rows(api: FakeApi, folder: Path) -> None:
    """A second run of the same day replaces the day's snapshot and the posts' metrics; nothing is doubled."""
    from sqlalchemy import text

    from etl.store.db import get_engine

    answer(api)
    collect(api, folder, "--load")
    first = (folder / "out" / "inquiries.csv").read_bytes()
    collect(api, folder, "--load")
    assert (folder / "out" / "inquiries.csv").read_bytes() == first
    with get_engine().connect() as conn:
        counts = [
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in ("followersnapshot", "post", "inquiry")
        ]
    assert counts == [2, 3, 4]


def test_the_token_appears_in_no_output_file_or_table(api: FakeApi, folder: Path) -> None:
    """Nothing the run prints, writes or stores carries the token, even when requests fail."""
    api.on("/wall.get", {}, status=503, owner_id=PERSON)
    answer(api)
    code, output = collect(api, folder, "--load", "--timeout", "2")
    assert code == 1 and TOKEN not in output
    for path in folder.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_a_missing_token_is_one_line_naming_the_variable(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without GOVPULSE_VK_TOKEN the run stops at once with where to get one."""
    monkeypatch.delenv("GOVPULSE_VK_TOKEN")
    result = runner.invoke(app, ["collect", "vk", "--api-base", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "GOVPULSE_VK_TOKEN is not set" in result.output and "Traceback" not in result.output


def test_an_unknown_platform_and_an_empty_registry_are_clear_errors(folder: Path) -> None:
    """`collect myspace` names the choices; no pages say what to load."""
    from etl.collect import PLATFORMS

    boxed = runner.invoke(app, ["collect", "myspace"]).output  # in a box that wraps at 80 columns
    assert f"must be one of {', '.join(PLATFORMS)}" in " ".join(boxed.replace("│", " ").split())
    result = runner.invoke(app, ["collect", "vk", "--territory", "KZ-KUS"])
    assert result.exit_code == 1 and "no vk pages under KZ-KUS" in result.output


def test_a_max_channel_is_collected_and_loaded(api: FakeApi, folder: Path) -> None:
    """`collect max` loads the channel's subscribers, posts with views, and comments with the channel's replies."""
    from sqlalchemy import text

    from etl.store.db import get_engine
    from tests.collect import test_max

    register(folder, f"max,{test_max.GOV},altai_gov,Правительство,RU-ALT,body,body,Правительство,,0,2025-08-20,"
             "2025-08-14,")  # fmt: skip
    test_max.answer(api)
    result = runner.invoke(app, ["collect", "max", "--api-base", api.url, "--out", str(folder / "max"), "--load"],
                           env={"GOVPULSE_MAX_TOKEN": test_max.TOKEN})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert test_max.TOKEN not in result.output
    with get_engine().connect() as conn:
        views = conn.execute(text("SELECT sum(views) FROM post p JOIN account a ON a.id = p.account_pk "
                                  "WHERE a.platform = 'max'")).scalar()  # fmt: skip
        answered = conn.execute(text("SELECT count(first_reply_at), count(*) FROM inquiry")).one()
    assert views == 15320 + 9874 + 6120 + 4410 and tuple(answered) == (2, 4)


def test_an_ok_group_is_collected_and_loaded(api: FakeApi, folder: Path) -> None:
    """`collect ok` loads the group's members, its topics with their counts, and comments with the group's replies."""
    from sqlalchemy import text

    from etl.store.db import get_engine
    from tests.collect import test_ok

    register(folder, f"ok,{test_ok.G1},akimatkarasu,Акимат,RU-ALT-ZAR,body,body,Акимат,,0,0,2022-12-01,")
    test_ok.serve(api)
    env = {test_ok.ok.APP_KEY: test_ok.KEY, test_ok.ok.APP_SECRET: test_ok.SECRET, test_ok.ok.TOKEN: test_ok.TOKEN}
    args = ["collect", "ok", "--api-base", api.url, "--since", "2024-10-01", "--out", str(folder / "ok"), "--load"]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert test_ok.TOKEN not in result.output and test_ok.SECRET not in result.output
    with get_engine().connect() as conn:
        followers = conn.execute(text("SELECT followers FROM followersnapshot")).scalar()
        posts = conn.execute(text("SELECT count(*), sum(likes) FROM post")).one()
        answered = conn.execute(text("SELECT count(first_reply_at), count(*) FROM inquiry")).one()
    harvest, _ = test_ok.run(api, [test_ok.KARASU])
    assert followers == harvest.followers[0]["followers"]
    assert tuple(posts) == (len(harvest.posts), sum(p["likes"] for p in harvest.posts))
    replied = sum(1 for i in harvest.inquiries if i["first_reply_at"])
    assert tuple(answered) == (replied, len(harvest.inquiries)) and replied > 0


def test_a_youtube_channel_is_collected_and_loaded(api: FakeApi, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`collect youtube` loads the channel's subscribers, its videos with views and likes, and comments with the
    channel's replies, exactly as the recorded answers give them; the key is in no output, file or table."""
    from sqlalchemy import text

    from etl.collect import youtube
    from etl.store.db import get_engine
    from tests.collect import test_youtube

    register(folder, f"youtube,{test_youtube.AKIMAT},@karasu_akimat,Акимат Карасуского района,KZ-KUS-KRS,body,body,"
             "Акимат Карасуского района,,0,0,2019-03-14,")  # fmt: skip
    monkeypatch.setattr(youtube, "PAGE_SIZE", 3)
    test_youtube.serve(api)
    args = ["collect", "youtube", "--api-base", api.url, "--since", "2026-11-05", "--out", str(folder / "yt"), "--load"]
    result = runner.invoke(app, args, env={youtube.KEY.env: test_youtube.KEY})
    assert result.exit_code == 0, result.output
    assert "12,400 subscribers is YouTube's rounded estimate" in result.output
    assert "YouTube Data API: 9 quota units spent" in result.output
    with get_engine().connect() as conn:
        followers = conn.execute(text("SELECT followers, posts_total FROM followersnapshot")).one()
        posts = conn.execute(text("SELECT count(*), sum(views), sum(likes), sum(comments) FROM post")).one()
        answered = conn.execute(text("SELECT count(first_reply_at), count(*) FROM inquiry")).one()
    assert tuple(followers) == (12400, 418)
    assert tuple(posts) == (4, 15234 + 4410 + 987 + 640, 321 + 58 + 0 + 12, 15 + 3 + 0 + 3)
    assert tuple(answered) == (3, 6)
    for path in [*folder.rglob("*")]:
        if path.is_file():
            assert test_youtube.KEY.encode() not in path.read_bytes(), path
    assert test_youtube.KEY not in result.output
    with get_engine().connect() as conn:
        pk = conn.execute(text("SELECT id FROM account WHERE platform = 'youtube'")).scalar()
    with using(folder):
        page = AppTest.from_file(str(ROOT / "app_pages" / "account.py"), default_timeout=60)
        page.query_params.update({"country": "KZ", "account": str(pk), "lang": "en"})
        page.run()
    assert not page.exception
    assert any("YouTube rounds subscriber counts above 1,000" in c.value for c in page.caption)


def test_an_instagram_account_is_collected_and_loaded(api: FakeApi, folder: Path) -> None:
    """`collect instagram` loads an account found by business discovery and the office's own, with its inquiries."""
    from sqlalchemy import text

    from etl.store.db import get_engine
    from tests.collect import test_instagram as ig

    district = f"instagram,{ig.DISTRICT},zarinsky_adm,Администрация,RU-ALT-ZAR,body,body,Администрация,,0,0,2022-12-01,"
    own = f"instagram,{ig.OWN},altai_gov,Правительство,RU-ALT,body,body,Правительство,,1,0,2020-01-15,"
    register(folder, f"{district}\n{own}")
    ig.answer(api)
    env = {"GOVPULSE_INSTAGRAM_TOKEN": ig.TOKEN, "GOVPULSE_INSTAGRAM_USER_ID": ig.OWN}
    out = str(folder / "ig")
    args = ["collect", "instagram", "--api-base", api.url, "--since", "2026-11-05", "--out", out, "--load"]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert ig.TOKEN not in result.output and "1 of 3 posts hide their like count" in result.output
    with get_engine().connect() as conn:
        followers = dict(conn.execute(text("SELECT a.account_id, f.followers FROM followersnapshot f "
                                           "JOIN account a ON a.id = f.account_pk")).all())  # fmt: skip
        posts = conn.execute(text("SELECT count(*), sum(likes), sum(comments) FROM post")).one()
        answered = conn.execute(text("SELECT count(first_reply_at), count(*) FROM inquiry")).one()
    assert followers == {ig.DISTRICT: 12450, ig.OWN: 48210}
    assert tuple(posts) == (5, 184 + 931 + 0 + 320 + 1500, 12 + 40 + 3 + 5 + 0)
    assert tuple(answered) == (2, 3)


def test_an_x_account_is_collected_and_loaded(api: FakeApi, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`collect x` loads the account's followers, its posts with their metrics, and the citizens' posts with the
    account's first replies; the 19-digit id reaches the database with every digit."""
    from dataclasses import replace

    from sqlalchemy import text

    from etl.collect import x
    from etl.store.db import get_engine
    from tests.collect import test_x

    register(folder, f"x,{test_x.GOV},altai_gov,Правительство,RU-ALT,body,body,Правительство,,0,2025-08-20,"
             f"2020-10-21,\nx,{test_x.HEAD},glava_zarinsk,Глава района,RU-ALT-ZAR,person,head,Глава района,,1,0,"
             "2014-11-18,")  # fmt: skip
    test_x.answer(api)
    monkeypatch.setattr(x, "PLATFORM", replace(x.PLATFORM, per_second=1000.0))
    args = ["collect", "x", "--api-base", f"{api.url}/2", "--since", "2026-11-05", "--out", str(folder / "x"), "--load"]
    result = runner.invoke(app, args, env={"GOVPULSE_X_TOKEN": test_x.TOKEN})
    assert result.exit_code == 0, result.output
    assert test_x.TOKEN not in result.output
    with get_engine().connect() as conn:
        accounts = conn.execute(text("SELECT a.account_id, f.followers FROM followersnapshot f "
                                     "JOIN account a ON a.id = f.account_pk WHERE a.platform = 'x' "
                                     "ORDER BY f.followers DESC")).all()  # fmt: skip
        posts = conn.execute(text("SELECT count(*), sum(likes), sum(shares), sum(views) FROM post")).one()
        answered = conn.execute(text("SELECT count(first_reply_at), count(*) FROM inquiry")).one()
    harvest = test_x.run(api, test_x.PAGES[:2])
    assert [tuple(a) for a in accounts] == [(test_x.GOV, 48210), (test_x.HEAD, 8513)]
    assert tuple(posts) == (8, sum(p["likes"] for p in harvest.posts), 17 + 10 + 212 + 4 + 6 + 2 + 3 + 1,
                            15320 + 9874 + 0 + 4410 + 2400 + 1333 + 1520 + 610)  # fmt: skip
    assert tuple(answered) == (4, 6)


def test_a_telegram_channel_is_collected_and_loaded(
    api: FakeApi, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`collect telegram` loads the channel's subscribers, the preview's posts with views, and the discussion group's
    comments with the channel's replies; the token, in every Bot API path, is in no output or file."""
    from sqlalchemy import text

    from etl.collect import telegram
    from etl.store.db import get_engine
    from tests.collect import test_telegram

    monkeypatch.setattr(telegram, "PREVIEW_PAUSE", 0.0)
    register(folder, f"telegram,{test_telegram.GOV},altai_gov,Правительство,RU-ALT,body,body,Правительство,,0,"
             "2025-08-20,2025-08-14,")  # fmt: skip
    test_telegram.answer(api)
    out_dir = folder / "tg"
    args = ["collect", "telegram", "--api-base", api.url, "--since", "2026-11-05", "--out", str(out_dir), "--load"]
    result = runner.invoke(app, args, env={"GOVPULSE_TELEGRAM_TOKEN": test_telegram.TOKEN})
    assert result.exit_code == 0, result.output
    assert test_telegram.TOKEN not in result.output and "│ rejected" not in result.output
    for path in out_dir.iterdir():
        assert test_telegram.TOKEN.encode() not in path.read_bytes(), path
    with get_engine().connect() as conn:
        followers = conn.execute(text("SELECT followers FROM followersnapshot")).scalar()
        posts = conn.execute(text("SELECT count(*), sum(views), sum(comments) FROM post")).one()
        answered = conn.execute(text("SELECT count(first_reply_at), count(*) FROM inquiry")).one()
    assert followers == 48210
    assert tuple(posts) == (8, 5000 + 4400 + 15300 + 12500 + 9800 + 987 + 1200 + 21700, 2 + 24 + 6)
    assert tuple(answered) == (3, 6)
