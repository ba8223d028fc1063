"""The KPI table of `govpulse report`, checked against numbers worked out by hand on a tiny region."""

import csv
import datetime as dt
import io
import json
import math
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel
from typer.testing import CliRunner

from etl.cli import app
from etl.ingest.load import load_paths
from etl.metrics.kpis import METRICS, PAGE_STATUS, columns_for, format_table, kpi_table, page_status
from etl.settings import Settings
from etl.store.db import make_engine
from etl.store.models import Account, AccountDay, Inquiry, Post, Territory, TerritoryDay
from etl.store.rollups import sum_regions
from tests.conftest import postgres_url

# The scenario: one region (Karaganda) with two districts; district A has one rural district (a settlement).
# Data runs 2025-03-01 … 2025-03-10 (day n = D(n)); the reports below mostly cover the whole ten days.
#
#   account                          territory    platform   required  mark (since)  created
#   1 akim_karaganda (region akim)   KZ-KAR       instagram  yes       yes (02-27)   2019-04-01
#   2 abay_akimat                    KZ-KAR-A     instagram  yes       no            -
#   3 topar_akim                     KZ-KAR-A-1   telegram   no        yes (03-05)   -
#   4 bukhar_akimat                  KZ-KAR-B     instagram  yes       no            2025-03-05 (data from D4)
#   5 bukhar_vk                      KZ-KAR-B     vk         yes       no            2025-04-01 (no data yet)

LAST_DAY = 10
TZ = "Asia/Almaty"
UTC_OFFSET = dt.timedelta(hours=5)


def D(n: int) -> dt.date:
    """Day n of March 2025 (0 and below count back into February)."""
    return dt.date(2025, 3, 1) + dt.timedelta(days=n - 1)


TERRITORIES = [
    # code, name_ru, name_en, level, parent, population
    ("KZ", "Казахстан", "Kazakhstan", "country", None, None),
    ("KZ-KAR", "Карагандинская область", "Karaganda Region", "region", "KZ", 1_100_000),
    ("KZ-KAR-A", "Абайский район", "Abay District", "district", "KZ-KAR", 50_000),
    ("KZ-KAR-B", "Бухар-Жырауский район", "Bukhar-Zhyrau District", "district", "KZ-KAR", None),
    ("KZ-KAR-A-1", "Топарский сельский округ", "Topar Rural District", "settlement", "KZ-KAR-A", 4_000),
]
ACCOUNTS = [
    # pk, platform, account_id, handle, territory, required, mark, mark_on, created_on
    (1, "instagram", "17841400001", "akim_karaganda", "KZ-KAR", True, True, D(-1), dt.date(2019, 4, 1)),
    (2, "instagram", "17841400002", "abay_akimat", "KZ-KAR-A", True, False, None, None),
    (3, "telegram", "-1001002", "topar_akim", "KZ-KAR-A-1", False, True, D(5), None),
    (4, "instagram", "17841400004", "bukhar_akimat", "KZ-KAR-B", True, False, None, D(5)),
    (5, "vk", "club2005", "bukhar_vk", "KZ-KAR-B", True, False, None, dt.date(2025, 4, 1)),
]
# Owner kind and role of each account.
OWNER = {
    1: ("person", "head"),
    2: ("body", "body"),
    3: ("person", "head"),
    4: ("body", "body"),
    5: ("body", "body"),
}
# Followers as reported: account -> {day: followers}; the days between carry the last value forward.
SNAPSHOTS = {
    1: {1: 1000, 5: 1100, 10: 1200},  # daily: D1-4 1000, D5-9 1100, D10 1200 -> sum 10,700
    2: {1: 500, 10: 520},  # D1-9 500, D10 520 -> sum 5,020
    3: {1: 200, 6: 260},  # D1-5 200, D6-10 260 -> sum 2,300
    4: {4: 50, 10: 80},  # none before D4 (0), D4-9 50, D10 80 -> sum 380
}
POSTS = [
    # account, day, likes, comments, shares
    (1, 2, 10, 2, 1),  # 13 interactions
    (1, 5, 20, 5, 0),  # 25
    (1, 5, 7, 1, 2),  # 10
    (1, 9, 30, 0, 2),  # 32 -> account 1: 4 posts, 80 interactions
    (2, 3, 5, 1, 0),  # account 2: 1 post, 6
    (3, 1, 2, 0, 0),  # 2
    (3, 4, 4, 1, 1),  # 6
    (3, 8, 3, 0, 0),  # 3 -> account 3: 3 posts, 11
]
INQUIRIES = [
    # account, day received (at 10:00 local), minutes to the first reply (None: unanswered).
    # March 2025 in Kazakhstan: D1 Sat, D2 Sun, D3 Mon … D7 Fri, D8 Sat (Women's Day), D9 Sun, D10 Mon (Women's
    # Day observed). A weekday reply at 10:00 + m (before lunch at 13:00) takes m working minutes; a weekend one 0.
    (1, 2, 30),  # Sun: 0 working min
    (1, 3, 90),  # Mon 10:00 -> 11:30: 90
    (1, 6, None),  # Thu
    (1, 8, 10),  # Sat: 0 -> account 1: 4 received, 3 answered in 10, 30, 90 min (working 0, 0, 90)
    (2, 4, 120),  # Tue: 120
    (2, 7, 60),  # Fri: 60 -> account 2: 2 received, 2 answered
    (3, 2, 5),  # Sun: 0
    (3, 5, 15),  # Wed: 15
    (3, 9, 600),  # Sun 10:00 -> 20:00: 0 -> account 3: 3 received, 3 answered in 5, 15, 600 min (working 0, 15, 0)
    (4, 6, None),  # Thu -> account 4: 1 received, none answered
]
# Who gave the first reply, by position in INQUIRIES; answered ones missing here did not say.
REPLIED_BY = {
    0: "owner",
    1: "press_service",
    3: "owner",
    4: "press_service",
    5: "press_service",
    6: "owner",
    8: "other",
}
# The data describe the moment of their latest receipt or reply: Sun D9 20:00 local (3's reply), 15:00 UTC.
# The two unanswered inquiries (Thu D6 10:00) are then 180 + 240 (Thu) + 480 (Fri) = 900 working min old:
# 1.875 working days, past the 8 working hours of the default deadline.
AS_OF = dt.datetime(2025, 3, 9, 15, 0)

SUMMED = ("followers", "posts", "likes", "comments", "shares", "views", "inquiries", "answered")
# No schedule file: every territory works the default week of its country.
SETTINGS = Settings(
    language="ru", min_sample_posts=2, min_sample_inquiries=3, data_dir=Path(__file__).parent / "no-data"
)


def _ancestors(code: str) -> dict[str, str | None]:
    """The country, region and district codes of a territory (itself included) in TERRITORIES."""
    rows = {t[0]: t for t in TERRITORIES}
    found: dict[str, str | None] = {"country_code": None, "region_code": None, "district_code": None}
    node: str | None = code
    while node is not None:
        if rows[node][3] != "settlement":
            found[f"{rows[node][3]}_code"] = node
        node = rows[node][4]
    return found


def rollup_rows(accounts: list[Account], last_day: dt.date) -> tuple[list[AccountDay], list[TerritoryDay]]:
    """AccountDay and TerritoryDay rows for the scenario, by the loader's rules (see etl/rollups.py)."""
    account_days: list[AccountDay] = []
    for acc in accounts:
        assert acc.id is not None
        snaps = {D(n): f for n, f in SNAPSHOTS.get(acc.id, {}).items()}
        posts = [p for p in POSTS if p[0] == acc.id]
        inquiries = [i for i in INQUIRIES if i[0] == acc.id]
        data_days = [*snaps, *(D(p[1]) for p in posts), *(D(i[1]) for i in inquiries)]
        if not data_days:
            continue
        day, followers = min(data_days), 0
        while day <= last_day:
            followers = snaps.get(day, followers)
            today = [p for p in posts if D(p[1]) == day]
            asked = [i for i in inquiries if D(i[1]) == day]
            account_days.append(
                AccountDay(
                    account_pk=acc.id,
                    day=day,
                    followers=followers,
                    observed=day in snaps,
                    posts=len(today),
                    likes=sum(p[2] for p in today),
                    comments=sum(p[3] for p in today),
                    shares=sum(p[4] for p in today),
                    inquiries=len(asked),
                    answered=sum(i[2] is not None for i in asked),
                )
            )
            day += dt.timedelta(days=1)
    by_pk = {acc.id: acc for acc in accounts}
    sums: dict[tuple[str, str, str, dt.date], list[AccountDay]] = defaultdict(list)
    for ad in account_days:
        acc = by_pk[ad.account_pk]
        sums[(acc.territory_code, acc.platform, acc.owner_role, ad.day)].append(ad)
    territory_days = [
        TerritoryDay(
            territory_code=code,
            platform=platform,
            owner_role=role,
            day=day,
            accounts=len(rows),
            accounts_observed=sum(r.observed for r in rows),
            **{col: sum(getattr(r, col) for r in rows) for col in SUMMED},
            post_followers=sum(r.posts * r.followers for r in rows),
        )
        for (code, platform, role, day), rows in sums.items()
    ]
    return account_days, territory_days


def seed(engine: Engine) -> Engine:
    """Write the scenario into `engine`: registry, posts, inquiries and rollups consistent with them."""
    territories = [
        Territory(
            code=code,
            name_ru=ru,
            name_en=en,
            level=level,
            parent_code=parent,
            population=population,
            timezone=TZ,
            **_ancestors(code),
        )
        for code, ru, en, level, parent, population in TERRITORIES
    ]
    accounts = [
        Account(
            id=pk,
            platform=platform,
            account_id=account_id,
            handle=handle,
            display_name=handle,
            territory_code=territory,
            owner_kind=OWNER[pk][0],
            owner_role=OWNER[pk][1],
            owner_name=handle,
            required=required,
            official_mark=mark,
            official_mark_on=mark_on,
            created_on=created_on,
        )
        for pk, platform, account_id, handle, territory, required, mark, mark_on, created_on in ACCOUNTS
    ]
    posts = [
        Post(
            account_pk=pk,
            post_id=f"p{n}",
            published_at=dt.datetime.combine(D(day), dt.time(9), dt.UTC) - UTC_OFFSET,
            published_on=D(day),
            post_type="photo",
            likes=likes,
            comments=comments,
            shares=shares,
            collected_at=dt.datetime(2025, 3, 11, tzinfo=dt.UTC),
        )
        for n, (pk, day, likes, comments, shares) in enumerate(POSTS)
    ]
    inquiries = []
    for n, (pk, day, minutes) in enumerate(INQUIRIES):
        received = dt.datetime.combine(D(day), dt.time(10), dt.UTC) - UTC_OFFSET
        inquiries.append(
            Inquiry(
                account_pk=pk,
                inquiry_id=f"i{n}",
                channel="comment",
                received_at=received,
                received_on=D(day),
                first_reply_at=None if minutes is None else received + dt.timedelta(minutes=minutes),
                reply_min=None if minutes is None else float(minutes),
                replied_by=REPLIED_BY.get(n),
            )
        )
    account_days, territory_days = rollup_rows(accounts, D(LAST_DAY))
    with Session(engine) as session:
        session.add_all(territories)
        session.flush()
        session.add_all(accounts)
        session.flush()
        session.add_all([*posts, *inquiries, *account_days, *territory_days])
        session.flush()
        sum_regions(session.connection())
        session.commit()
    return engine


def write_csvs(folder: Path) -> Path:
    """Write the scenario as data-contract CSV files into `folder`, for the real loader (local times)."""
    pk_of = {pk: (platform, account_id) for pk, platform, account_id, *_ in ACCOUNTS}

    def write(name: str, header: str, rows: list[tuple[Any, ...]]) -> None:
        with (folder / name).open("w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(header.split(","))
            out.writerows([["" if v is None else v for v in row] for row in rows])

    def local(day: int, hour: int, minutes: int = 0) -> str:
        return (dt.datetime.combine(D(day), dt.time(hour)) + dt.timedelta(minutes=minutes)).isoformat()

    write(
        "territories.csv",
        "code,name_ru,name_en,level,parent_code,population,timezone",
        [(code, ru, en, level, parent, pop, TZ) for code, ru, en, level, parent, pop in TERRITORIES],
    )
    write(
        "accounts.csv",
        "platform,account_id,handle,display_name,territory_code,owner_kind,owner_role,owner_name,required,"
        "official_mark,created_on",
        [
            (
                platform,
                aid,
                handle,
                handle,
                territory,
                *OWNER[pk],
                handle,
                int(req),
                mark_on or int(mark),
                created,
            )
            for pk, platform, aid, handle, territory, req, mark, mark_on, created in ACCOUNTS
        ],
    )
    write(
        "followers.csv",
        "date,platform,account_id,followers",
        [(D(n), *pk_of[pk], f) for pk, snaps in SNAPSHOTS.items() for n, f in snaps.items()],
    )
    write(
        "posts.csv",
        "collected_at,platform,account_id,post_id,published_at,post_type,likes,comments,shares",
        [
            (local(11, 0), *pk_of[pk], f"p{n}", local(day, 9), "photo", likes, comments, shares)
            for n, (pk, day, likes, comments, shares) in enumerate(POSTS)
        ],
    )
    write(
        "inquiries.csv",
        "platform,account_id,inquiry_id,channel,received_at,first_reply_at,replied_by",
        [
            (
                *pk_of[pk],
                f"i{n}",
                "comment",
                local(day, 10),
                None if m is None else local(day, 10, m),
                REPLIED_BY.get(n),
            )
            for n, (pk, day, m) in enumerate(INQUIRIES)
        ],
    )
    return folder


def postgres() -> Engine:
    """The test PostgreSQL database, emptied; the test is skipped when none is configured (on CI it fails)."""
    engine = make_engine(postgres_url())
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    return engine


@pytest.fixture(params=["rows", "loader", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    """The scenario: rows written directly, or its CSV files loaded by the real loader (into PostgreSQL too)."""
    if request.param == "rows":
        return seed(make_engine("sqlite://"))
    engine = make_engine(f"sqlite:///{tmp_path / 'scenario.db'}") if request.param == "loader" else postgres()
    folder = tmp_path / "csv"
    folder.mkdir()
    results = load_paths(engine, [write_csvs(folder)])
    assert all(r.ok for r in results), [(r.path.name, r.message, r.errors) for r in results]
    return engine


def rows_by(df: pd.DataFrame, key: str) -> dict[Any, dict[Any, Any]]:
    """The table's rows as dicts, keyed by a column."""
    return {row[key]: row for row in df.to_dict("records")}


def same(actual: dict[Any, Any], expected: dict[str, Any]) -> bool:
    """Whether every expected column matches (None means empty; floats to 1e-9)."""
    want = {k: math.nan if v is None else v for k, v in expected.items()}
    return {k: actual[k] for k in expected} == pytest.approx(want, nan_ok=True, abs=1e-9)


EMPTY = None

# Region KZ-KAR, D1-D10, every platform: accounts 1-4 (5 was created after the period).
REGION = {
    "territory_code": "KZ-KAR",
    "territory_name": "Карагандинская область",
    "accounts": 4,
    "pages_required": 3,  # 1, 2, 4
    "pages_verified": 2,  # 1 (since 02-27) and 3 (since 03-05 <= 03-10)
    "accounts_active": 3,  # 1, 2, 3 posted; 4 did not
    "followers_start": 1700,  # D1: 1000 + 500 + 200 + 0
    "followers_end": 2060,  # D10: 1200 + 520 + 260 + 80
    "growth_abs": 360,
    "growth_pct": 21.2,  # 360 / 1700 = 21.18 %
    "followers_per_1000": 1.9,  # 2060 / 1,100,000 × 1000 = 1.87
    "posts": 8,  # 4 + 1 + 3
    "posts_per_week": 1.4,  # 8 / 4 accounts / (10 / 7 weeks)
    # 97 interactions over the audience of 8 posts: followers of their pages on their days, 4300 (page 1: 1000 +
    # 2 × 1100 + 1100) + 500 (page 2) + 660 (page 3: 200 + 200 + 260) = 5460: 1.777 %
    "er_followers_pct": 1.78,
    "inquiries": 10,  # 4 + 2 + 3 + 1
    "answered": 8,
    "inquiries_young": 3,
    # Judged: the 7 received up to Thu D6, whose 8 working hours had passed by Sun D9 20:00; the 3 of Fri D7, Sat D8
    # and Sun D9 are too young (their deadline falls on Tue D11, after the weekend and the holiday).
    "response_rate_pct": 71.4,  # 5 answered of 7 judged
    "reply_median_min": 30.0,  # judged replies 5 15 30 90 120
    "reply_p90_min": 108.0,  # rank 0.9 × 4 = 3.6 -> 90 + 0.6 × 30
    "within_deadline_pct": 71.4,  # 5 within 8 working hours; 2 unanswered past them: 5 / 7
    "reply_median_work_min": 15.0,  # 0 0 15 90 120
    "reply_p90_work_min": 108.0,  # rank 3.6 -> 90 + 0.6 × 30
    "backlog_open": 2,
}
DISTRICT_A = {  # accounts 2 and 3 (3 sits in the rural district below A)
    "territory_code": "KZ-KAR-A",
    "territory_name": "Абайский район",
    "accounts": 2,
    "pages_required": 1,
    "pages_verified": 1,
    "accounts_active": 2,
    "followers_start": 700,  # 500 + 200
    "followers_end": 780,  # 520 + 260
    "growth_abs": 80,
    "growth_pct": 11.4,  # 80 / 700 = 11.43 %
    "followers_per_1000": 15.6,  # 780 / 50,000 × 1000
    "posts": 4,
    "posts_per_week": 1.4,  # 4 / 2 / (10 / 7)
    "er_followers_pct": 1.47,  # (6 + 11) / (500 + 660) = 1.466 %
    "inquiries": 5,
    "answered": 5,
    "inquiries_young": 2,
    "response_rate_pct": 100.0,  # 3 judged (Sun D2, Tue D4, Wed D5), 3 answered; Fri D7 and Sun D9 too young
    "reply_median_min": 15.0,  # 5 15 120
    "reply_p90_min": 99.0,  # rank 0.9 × 2 = 1.8 -> 15 + 0.8 × 105
    "within_deadline_pct": 100.0,  # 3 / 3
    "reply_median_work_min": 15.0,  # 0 15 120
    "reply_p90_work_min": 99.0,  # rank 1.8 -> 15 + 0.8 × 105
    "backlog_open": 0,
}
DISTRICT_B = {  # account 4 only (5 did not exist yet)
    "territory_code": "KZ-KAR-B",
    "territory_name": "Бухар-Жырауский район",
    "accounts": 1,
    "pages_required": 1,
    "pages_verified": 0,
    "accounts_active": 0,
    "followers_start": 0,  # no data before D4
    "followers_end": 80,
    "growth_abs": 80,
    "growth_pct": EMPTY,  # nothing to grow from
    "followers_per_1000": EMPTY,  # population unknown
    "posts": 0,
    "posts_per_week": 0.0,
    "er_followers_pct": EMPTY,  # 0 posts < 2
    "inquiries": 1,
    "answered": 0,
    "inquiries_young": 0,
    "response_rate_pct": EMPTY,  # 1 inquiry < 3
    "reply_median_min": EMPTY,
    "reply_p90_min": EMPTY,
    "within_deadline_pct": EMPTY,  # 1 judged (missed) < 3
    "reply_median_work_min": EMPTY,
    "reply_p90_work_min": EMPTY,
    "backlog_open": 1,
}
SETTLEMENT = {  # account 3
    "territory_code": "KZ-KAR-A-1",
    "territory_name": "Топарский сельский округ",
    "accounts": 1,
    "pages_required": 0,
    "pages_verified": 1,
    "accounts_active": 1,
    "followers_start": 200,
    "followers_end": 260,
    "growth_abs": 60,
    "growth_pct": 30.0,
    "followers_per_1000": 65.0,  # 260 / 4000 × 1000
    "posts": 3,
    "posts_per_week": 2.1,  # 3 / 1 / (10 / 7)
    "er_followers_pct": 1.67,  # 11 / (200 + 200 + 260) = 1.667 %
    "inquiries": 3,
    "answered": 3,
    "inquiries_young": 1,
    "response_rate_pct": EMPTY,  # 2 judged < 3: Sun D9's inquiry is too young
    "reply_median_min": EMPTY,
    "reply_p90_min": EMPTY,
    "within_deadline_pct": EMPTY,
    "reply_median_work_min": EMPTY,
    "reply_p90_work_min": EMPTY,
    "backlog_open": 0,
}
ACCOUNT_ROWS = {
    "akim_karaganda": {
        "platform": "instagram",
        "account_id": "17841400001",
        "territory_code": "KZ-KAR",
        "territory_name": "Карагандинская область",
        "required": 1,
        "verified": 1,
        "active": 1,
        "followers_start": 1000,
        "followers_end": 1200,
        "growth_abs": 200,
        "growth_pct": 20.0,
        "followers_per_1000": EMPTY,  # per 1,000 residents is a territory figure
        "posts": 4,
        "posts_per_week": 2.8,  # 4 / (10 / 7)
        "er_followers_pct": 1.86,  # 80 / (1000 + 1100 + 1100 + 1100) = 1.860 %
        "inquiries": 4,
        "answered": 3,
        "response_rate_pct": 66.7,  # 2 answered of 3 judged (Sat D8's is too young)
        "reply_median_min": EMPTY,  # 2 judged replies < 3
        "reply_p90_min": EMPTY,
        "within_deadline_pct": 66.7,  # 2 met, 1 missed
        "reply_median_work_min": EMPTY,
        "reply_p90_work_min": EMPTY,
        "backlog_open": 1,
    },
    "abay_akimat": {
        "platform": "instagram",
        "account_id": "17841400002",
        "territory_code": "KZ-KAR-A",
        "required": 1,
        "verified": 0,
        "active": 1,
        "followers_start": 500,
        "followers_end": 520,
        "growth_abs": 20,
        "growth_pct": 4.0,
        "posts": 1,
        "posts_per_week": 0.7,
        "er_followers_pct": EMPTY,  # 1 post < 2
        "inquiries": 2,
        "answered": 2,
        "response_rate_pct": EMPTY,  # 2 inquiries < 3: not 100 %
        "reply_median_min": EMPTY,
        "reply_p90_min": EMPTY,
        "within_deadline_pct": EMPTY,  # 2 judged < 3
        "reply_median_work_min": EMPTY,
        "reply_p90_work_min": EMPTY,
        "backlog_open": 0,
    },
    "topar_akim": {  # the settlement's only account
        "platform": "telegram",
        "account_id": "-1001002",
        "territory_code": "KZ-KAR-A-1",
        "required": 0,
        "verified": 1,
        "active": 1,
        **{k: SETTLEMENT[k] for k in METRICS if k != "followers_per_1000"},
        "followers_per_1000": EMPTY,
    },
    "bukhar_akimat": {  # district B's only account so far
        "platform": "instagram",
        "account_id": "17841400004",
        "territory_code": "KZ-KAR-B",
        "required": 1,
        "verified": 0,
        "active": 0,
        **{k: DISTRICT_B[k] for k in METRICS},
    },
}


def report(db: Engine, level: str, first: int = 1, last: int = LAST_DAY, **kwargs: Any) -> pd.DataFrame:
    """The KPI table for days first..last of the scenario, with the test settings unless given, reply times
    computed exactly (the hand-checked figures; tests/metrics/test_sketched.py reads them from the histograms)."""
    return kpi_table(db, level, D(first), D(last), **{"settings": SETTINGS, "exact": True, **kwargs})


def test_region_row_covers_every_account_in_the_region(db: Engine) -> None:
    """It sums the whole subtree of a region, including the region's own akim, into one row."""
    table = report(db, "region")
    assert list(table.columns) == columns_for("region")
    assert table["territory_code"].tolist() == ["KZ-KAR"]
    assert same(table.iloc[0].to_dict(), REGION)


def test_district_rows_leave_out_the_region_akim(db: Engine) -> None:
    """It counts an account attached to the region itself for the region but for none of its districts."""
    rows = rows_by(report(db, "district"), "territory_code")
    assert list(rows) == ["KZ-KAR-A", "KZ-KAR-B"]
    assert same(rows["KZ-KAR-A"], DISTRICT_A)
    assert same(rows["KZ-KAR-B"], DISTRICT_B)


def test_settlement_row(db: Engine) -> None:
    """It reports a settlement with its own accounts and population."""
    rows = rows_by(report(db, "settlement"), "territory_code")
    assert list(rows) == ["KZ-KAR-A-1"]
    assert same(rows["KZ-KAR-A-1"], SETTLEMENT)


def test_parent_keeps_its_subtree_at_any_depth(db: Engine) -> None:
    """It keeps the territories under --parent, however deep, and the parent itself at its own level."""
    assert report(db, "district", parent="KZ-KAR")["territory_code"].tolist() == ["KZ-KAR-A", "KZ-KAR-B"]
    assert report(db, "settlement", parent="KZ")["territory_code"].tolist() == ["KZ-KAR-A-1"]
    assert report(db, "settlement", parent="KZ-KAR-B").empty
    only_b = report(db, "district", parent="KZ-KAR-B")
    assert only_b["territory_code"].tolist() == ["KZ-KAR-B"]
    assert same(only_b.iloc[0].to_dict(), DISTRICT_B)


def test_country_level(db: Engine) -> None:
    """It also reports whole countries: here the same accounts as the one region."""
    row = report(db, "country").iloc[0].to_dict()
    same_numbers = {k: v for k, v in REGION.items() if k not in ("territory_code", "territory_name")}
    assert same(row, {**same_numbers, "territory_code": "KZ", "followers_per_1000": EMPTY})


def test_parent_must_exist_and_sit_above_the_level(db: Engine) -> None:
    """It refuses an unknown parent or level, a parent below the level asked for and a reversed period."""
    with pytest.raises(ValueError, match="unknown parent"):
        report(db, "district", parent="KZ-NOPE")
    with pytest.raises(ValueError, match="no region under it"):
        report(db, "region", parent="KZ-KAR-A")
    with pytest.raises(ValueError, match="unknown level"):
        report(db, "oblast")
    with pytest.raises(ValueError, match="starts"):
        report(db, "region", first=5, last=4)


def test_platform_filter(db: Engine) -> None:
    """It counts only the accounts, followers, posts and inquiries of the platform asked for."""
    row = report(db, "region", platform="instagram").iloc[0].to_dict()
    # Accounts 1, 2, 4 (3 is on Telegram).
    assert same(
        row,
        {
            "accounts": 3,
            "pages_required": 3,
            "pages_verified": 1,  # only 1
            "accounts_active": 2,  # 1 and 2
            "followers_start": 1500,  # 1000 + 500 + 0
            "followers_end": 1800,  # 1200 + 520 + 80
            "growth_abs": 300,
            "growth_pct": 20.0,
            "followers_per_1000": 1.6,  # 1800 / 1,100,000 × 1000 = 1.64
            "posts": 5,
            "posts_per_week": 1.17,  # 5 / 3 / (10 / 7) = 1.167
            "er_followers_pct": 1.79,  # (80 + 6) / (4300 + 500) = 1.792 %
            "inquiries": 7,
            "answered": 5,
            "response_rate_pct": 60.0,  # 3 / 5 judged (Fri D7 and Sat D8 too young)
            "reply_median_min": 90.0,  # 30 90 120
            "reply_p90_min": 114.0,  # rank 1.8 -> 90 + 0.8 × 30
            "within_deadline_pct": 60.0,  # 3 met, 2 missed
            "reply_median_work_min": 90.0,  # 0 90 120
            "reply_p90_work_min": 114.0,  # rank 1.8 -> 90 + 0.8 × 30
            "backlog_open": 2,
        },
    )
    assert report(db, "district", platform="telegram")["accounts"].tolist() == [1, 0]
    nobody = report(db, "region", platform="ok").iloc[0].to_dict()
    assert same(nobody, {"accounts": 0, "posts": 0, "posts_per_week": EMPTY})


def test_account_level(db: Engine) -> None:
    """It gives one row per account that existed by the period's end, with 0/1 flags instead of counts."""
    table = report(db, "account")
    assert list(table.columns) == columns_for("account")
    assert list(table.columns[:3]) == ["platform", "account_id", "handle"]
    rows = rows_by(table, "handle")
    assert list(rows) == ["akim_karaganda", "abay_akimat", "topar_akim", "bukhar_akimat"]  # by territory code
    for handle, expected in ACCOUNT_ROWS.items():
        assert same(rows[handle], expected), handle


def test_account_level_with_parent_and_platform(db: Engine) -> None:
    """It keeps the accounts attached anywhere in the parent's subtree, the parent itself included."""
    assert report(db, "account", parent="KZ-KAR-A")["handle"].tolist() == ["abay_akimat", "topar_akim"]
    assert report(db, "account", parent="KZ-KAR")["handle"].tolist() == list(ACCOUNT_ROWS)
    assert report(db, "account", platform="telegram")["handle"].tolist() == ["topar_akim"]
    assert report(db, "account", parent="KZ-KAR-B", platform="telegram").empty


def test_page_status_is_the_kpi_tables_own_page_columns(db: Engine) -> None:
    """The page columns that lists of pages show are the KPI table's figures for any period, parent and platform,
    counted by the database from the stored timing, or row by row where a delivery's data time is not kept."""
    cases = [
        (1, LAST_DAY, {}),
        (3, 7, {}),
        (1, 4, {}),
        (2, 9, {"parent": "KZ-KAR-A"}),
        (1, 8, {"platform": "telegram"}),
    ]
    rated = SETTINGS.model_copy(update={"min_sample_inquiries": 1})

    def compare() -> None:
        for first, last, cut in cases:
            full = report(db, "account", first, last, settings=rated, **cut)[PAGE_STATUS]
            status = page_status(db, D(first), D(last), settings=rated, **cut)
            pd.testing.assert_frame_equal(status, full, check_dtype=False, obj=f"D{first}-D{last} {cut}")

    compare()
    assert page_status(db, D(1), D(LAST_DAY), settings=rated)["response_rate_pct"].notna().sum() >= 3
    with db.begin() as conn:
        conn.execute(text("DELETE FROM datatime"))
    compare()


def test_account_created_after_the_period_is_not_counted(db: Engine) -> None:
    """It counts an account once it was created or has data, and a verification mark from the day granted."""
    # D1-D4: account 4 is registered as created on D5 but has data from D4, so it existed; mark of 3: D5.
    assert same(report(db, "district", 1, 4).iloc[1].to_dict(), {"territory_code": "KZ-KAR-B", "accounts": 1})
    assert same(report(db, "settlement", 1, 4).iloc[0].to_dict(), {"pages_verified": 0})
    # D1-D3: no account 4 yet, so no posting norm can be rated for district B.
    row_b = report(db, "district", 1, 3).iloc[1].to_dict()
    assert same(row_b, {"accounts": 0, "followers_end": 0, "posts_per_week": EMPTY})
    assert "bukhar_akimat" not in report(db, "account", 1, 3)["handle"].tolist()
    # By 2025-04-01 account 5 exists (created), though it has no data yet.
    late = kpi_table(db, "district", D(1), dt.date(2025, 4, 1), settings=SETTINGS)
    assert same(late.iloc[1].to_dict(), {"territory_code": "KZ-KAR-B", "accounts": 2, "pages_required": 2})


def test_part_of_the_data_period(db: Engine) -> None:
    """It reads followers on the first and last day of the period, carried forward where nobody counted."""
    row = report(db, "region", 3, 7).iloc[0].to_dict()
    assert same(
        row,
        {
            "followers_start": 1700,  # D3: 1000 + 500 + 200 + 0 (4 starts on D4)
            "followers_end": 1910,  # D7: 1100 + 500 + 260 + 50
            "posts": 4,  # D3 (account 2), D4 (3), two on D5 (1)
            "accounts_active": 3,
            "inquiries": 6,  # D3, D6 (1); D4, D7 (2); D5 (3); D6 (4)
            "answered": 4,
            "response_rate_pct": 60.0,  # 3 of 5 judged: D7's inquiry is too young at the data's time
            "reply_median_min": 90.0,  # 15 90 120
            "reply_p90_min": 114.0,  # rank 1.8 -> 90 + 0.8 × 30
            # Weekdays only, no lunch crossed: working minutes are the calendar ones. The two unanswered are
            # judged at the data's time (D9 20:00), not at the period's end: missed.
            "within_deadline_pct": 60.0,  # 3 / 5
            "reply_median_work_min": 90.0,
            "reply_p90_work_min": 114.0,
            "backlog_open": 2,
        },
    )


def test_rates_are_empty_below_the_minimum_sample(db: Engine) -> None:
    """It leaves response rate, reply times and engagement empty below the minimum sample, not 0 or 100."""
    strict = SETTINGS.model_copy(update={"min_sample_posts": 9, "min_sample_inquiries": 11})
    row = report(db, "region", settings=strict).iloc[0].to_dict()
    # 8 posts < 9, 10 inquiries < 11.
    assert same(row, {"er_followers_pct": EMPTY, "response_rate_pct": EMPTY, "reply_median_min": EMPTY})
    assert same(row, {"within_deadline_pct": EMPTY, "reply_median_work_min": EMPTY, "reply_p90_work_min": EMPTY})
    assert same(row, {"posts": 8, "inquiries": 10, "answered": 8, "posts_per_week": 1.4, "backlog_open": 2})
    # 7 judged inquiries rate the response at a minimum of 7; their 5 replies do not rate reply times.
    exact = SETTINGS.model_copy(update={"min_sample_posts": 8, "min_sample_inquiries": 7})
    row = report(db, "region", settings=exact).iloc[0].to_dict()
    assert same(row, {"er_followers_pct": 1.78, "response_rate_pct": 71.4, "reply_median_min": EMPTY})
    assert same(row, {"within_deadline_pct": 71.4, "reply_median_work_min": EMPTY})
    five = report(db, "region", settings=SETTINGS.model_copy(update={"min_sample_inquiries": 5})).iloc[0].to_dict()
    assert same(five, {"response_rate_pct": 71.4, "reply_median_min": 30.0, "reply_median_work_min": 15.0})


def test_reply_times_need_enough_answered_inquiries(db: Engine) -> None:
    """It rates reply times only with the minimum sample of answered inquiries, as they are the sample."""
    # Account 1: 3 judged inquiries, 2 answered; with a minimum of 3 the rate is rated but not the reply times.
    rows = rows_by(report(db, "account", settings=SETTINGS.model_copy(update={"min_sample_inquiries": 3})), "handle")
    row = rows["akim_karaganda"]
    assert same(row, {"response_rate_pct": 66.7, "reply_median_min": EMPTY, "reply_p90_min": EMPTY})


def test_growth_is_empty_when_starting_from_zero(db: Engine) -> None:
    """It leaves the growth percentage empty when there were no followers at the start."""
    row = rows_by(report(db, "account"), "handle")["bukhar_akimat"]
    assert same(row, {"followers_start": 0, "followers_end": 80, "growth_abs": 80, "growth_pct": EMPTY})


def test_names_follow_the_language_setting(db: Engine) -> None:
    """It names territories in the language of the settings."""
    english = SETTINGS.model_copy(update={"language": "en"})
    assert report(db, "district", settings=english)["territory_name"].tolist() == [
        "Abay District",
        "Bukhar-Zhyrau District",
    ]


def test_empty_database() -> None:
    """It returns the columns with no rows when nothing matches."""
    empty = kpi_table(make_engine("sqlite://"), "region", D(1), D(10), settings=SETTINGS)
    assert empty.empty
    assert list(empty.columns) == columns_for("region")
    assert format_table(empty, "json") == "[]\n"


def test_csv_keeps_empty_values_empty(db: Engine) -> None:
    """It writes comma CSV with a header, and an empty cell (not 0) where a value is not rated."""
    text = format_table(report(db, "district"), "csv")
    lines = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == ",".join(columns_for("district"))
    b = lines[1]
    assert (b["territory_code"], b["growth_pct"], b["response_rate_pct"], b["reply_median_min"]) == (
        "KZ-KAR-B",
        "",
        "",
        "",
    )
    assert (b["followers_start"], b["posts"], b["posts_per_week"]) == ("0", "0", "0.0")
    assert lines[0]["growth_pct"] == "11.4"
    assert lines[0]["territory_name"] == "Абайский район"


def test_csv_neutralises_names_a_spreadsheet_would_run(db: Engine) -> None:
    """A handle or name starting with =, +, -, @ gets a leading quote in the CSV (as in the dashboard's exports); the
    other cells are as they were, and JSON keeps the text as it is."""
    plain = list(csv.DictReader(io.StringIO(format_table(report(db, "account"), "csv"))))
    with Session(db) as session:
        account = session.get(Account, 2)
        assert account is not None
        account.handle = '=HYPERLINK("http://x")'
        session.add(account)
        session.commit()
    table = report(db, "account")
    lines = list(csv.DictReader(io.StringIO(format_table(table, "csv"))))
    changed = [(k, v) for old, new in zip(plain, lines, strict=True) for k, v in new.items() if old[k] != v]
    assert changed == [("handle", '\'=HYPERLINK("http://x")')]
    assert '=HYPERLINK("http://x")' in [r["handle"] for r in json.loads(format_table(table, "json"))]


def test_json_keeps_empty_values_null(db: Engine) -> None:
    """It writes a JSON list of records with null where a value is not rated."""
    records = json.loads(format_table(report(db, "district"), "json"))
    assert [r["territory_code"] for r in records] == ["KZ-KAR-A", "KZ-KAR-B"]
    assert records[1]["growth_pct"] is None
    assert records[1]["response_rate_pct"] is None
    assert records[1]["followers_start"] == 0
    assert records[0]["reply_p90_min"] == 99.0
    assert records[0]["territory_name"] == "Абайский район"
    assert list(records[0]) == columns_for("district")


def test_table_is_aligned_text(db: Engine) -> None:
    """It renders an aligned plain-text table with blank cells where a value is not rated."""
    text = format_table(report(db, "district"), "table")
    lines = [line for line in text.splitlines() if line.strip()]
    header = lines[0]
    assert header.split() == columns_for("district")
    assert "nan" not in text.lower() and "<NA>" not in text
    row_b = next(line for line in lines if line.startswith("KZ-KAR-B"))
    # Right-aligned numbers: each value ends where its header does; an empty one leaves blanks.
    for col, value in (("followers_end", "80"), ("growth_pct", ""), ("posts", "0")):
        end = header.index(col) + len(col)
        assert row_b[:end].endswith(value if value else " " * len(col)), col


def test_table_prints_text_as_it_is(db: Engine) -> None:
    """It prints handles and names literally, brackets included, and refuses an unknown format."""
    with Session(db) as session:
        account = session.get(Account, 2)
        assert account is not None
        account.handle = "[bold]abay[/bold]"
        session.add(account)
        session.commit()
    assert "[bold]abay[/bold]" in format_table(report(db, "account"), "table")
    with pytest.raises(ValueError, match="unknown format"):
        format_table(report(db, "region"), "xml")  # type: ignore[arg-type]


def test_deadline_and_as_of_travel_with_the_table(db: Engine) -> None:
    """The table names the deadline it applied and the data time the unanswered inquiries were judged at."""
    table = report(db, "region", deadline="2h")
    assert table.attrs == {"deadline": "2h", "as_of": "2025-03-09T15:00:00", "approximate": False}
    # Calendar minutes 30 90 10 120 60 5 15 600: 600 is past two hours, and so are the two unanswered.
    assert same(table.iloc[0].to_dict(), {"within_deadline_pct": 70.0})
    # With one working hour, Fri D7's inquiry is old enough to judge (Sat D8's and Sun D9's are not): of 8 judged,
    # the replies after 90 and 120 working minutes and the two unanswered missed it.
    default = report(db, "region", settings=SETTINGS.model_copy(update={"deadline": "1wh"}))
    assert same(default.iloc[0].to_dict(), {"within_deadline_pct": 50.0})


# --- the command line --------------------------------------------------------------------------------------------

runner = CliRunner()
PERIOD = ["--from", "2025-03-01", "--to", "10.03.2025"]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private database and data folder holding the scenario, loaded by `govpulse load`; the test's samples."""
    from etl.settings import get_settings
    from etl.store.db import get_engine

    monkeypatch.setenv("GOVPULSE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("GOVPULSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GOVPULSE_MIN_SAMPLE_INQUIRIES", "3")
    monkeypatch.setenv("GOVPULSE_MIN_SAMPLE_POSTS", "2")
    get_settings.cache_clear()
    get_engine.cache_clear()
    folder = tmp_path / "csv"
    folder.mkdir()
    loaded = runner.invoke(app, ["load", str(write_csvs(folder))])
    assert loaded.exit_code == 0, loaded.output
    yield tmp_path
    get_settings.cache_clear()
    get_engine.cache_clear()


def cli_region(*args: str) -> tuple[dict[str, str], str]:
    """The region row of `govpulse report --format csv` with extra arguments, and what went to stderr."""
    result = runner.invoke(app, ["report", "--level", "region", *PERIOD, "--format", "csv", *args])
    assert result.exit_code == 0, result.output
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    return row, result.stderr


def test_cli_report_has_the_responsiveness_columns(cli: Path) -> None:
    """`govpulse report --exact` prints the new columns with the default deadline (8wh) and says what it judged
    by; without `--exact` a region's reply times are read from the histograms, within 1 %, and it says so."""
    row, note = cli_region("--exact")
    assert {k: row[k] for k in ("within_deadline_pct", "reply_median_work_min", "reply_p90_work_min")} == {
        "within_deadline_pct": "71.4",
        "reply_median_work_min": "15.0",
        "reply_p90_work_min": "108.0",
    }
    assert row["backlog_open"] == "2"
    assert "deadline 8wh" in note and "2025-03-09 15:00 UTC" in note
    assert "approximate" not in note
    sketched, said = cli_region()
    assert {k: v for k, v in sketched.items() if not k.startswith("reply_")} == {
        k: v for k, v in row.items() if not k.startswith("reply_")
    }
    assert sketched["reply_p90_work_min"] != "108.0"
    for column in ("reply_median_min", "reply_p90_min", "reply_median_work_min", "reply_p90_work_min"):
        # Within 1 % before both are rounded to a tenth of a minute.
        assert abs(float(sketched[column]) - float(row[column])) <= 0.01 * float(row[column]) + 0.1, column
    assert "reply_median_min, reply_p90_min, reply_median_work_min, reply_p90_work_min: approximate, within 1 %" in said


@pytest.mark.parametrize(("deadline", "pct"), [("1wh", "50.0"), ("2h", "70.0"), ("2wd", "100.0"), ("9WH", "71.4")])
def test_cli_deadline_option(cli: Path, deadline: str, pct: str) -> None:
    """`--deadline` takes the presets and custom deadlines, in any case."""
    row, note = cli_region("--deadline", deadline)
    assert row["within_deadline_pct"] == pct
    assert f"deadline {deadline.lower()}" in note


def test_cli_deadline_setting(cli: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GOVPULSE_DEADLINE sets the default deadline; `--deadline` overrides it."""
    from etl.settings import get_settings

    monkeypatch.setenv("GOVPULSE_DEADLINE", "2h")
    get_settings.cache_clear()
    assert cli_region()[0]["within_deadline_pct"] == "70.0"
    assert cli_region("--deadline", "8wh")[0]["within_deadline_pct"] == "71.4"


def test_cli_bad_deadline_is_a_clean_error(cli: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A malformed deadline, on the command line or in the environment, names the accepted forms; no traceback."""
    from etl.settings import get_settings

    result = runner.invoke(app, ["report", *PERIOD, "--deadline", "8 days"])
    assert result.exit_code == 2
    assert "--deadline" in result.output and "Nwh" in result.output
    assert "Traceback" not in result.output and result.stdout == ""
    monkeypatch.setenv("GOVPULSE_DEADLINE", "fast")
    get_settings.cache_clear()
    result = runner.invoke(app, ["report", *PERIOD])
    assert result.exit_code == 2
    assert "GOVPULSE_DEADLINE" in result.stderr and "'fast'" in result.stderr
    assert "Traceback" not in result.output


def test_cli_bad_schedule_file_is_a_clean_error(cli: Path) -> None:
    """A broken schedules.csv in the data folder names file, line, column and value, and exits 1."""
    (cli / "schedules.csv").write_text(
        "territory_code,weekday,start,end\nKZ-KAR,funday,09:00,18:00\nKZ-KAR-A,1-5,18:00,09:00\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["report", *PERIOD])
    assert result.exit_code == 1
    assert str(cli / "schedules.csv") in result.stderr
    assert "line 2, column weekday: 'funday'" in result.stderr
    assert "line 3, column end: '09:00' — must be after start 18:00" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


def test_refresh_applies_a_new_schedule_file(cli: Path) -> None:
    """The stored timing keeps the schedule it was measured on until `govpulse refresh` times it again."""
    before, _ = cli_region()
    (cli / "schedules.csv").write_text("territory_code,weekday,start,end\nKZ-KAR,1-7,00:00,24:00\n", encoding="utf-8")
    # Which inquiries are old enough to judge follows the new clock at once (around the clock, all 10 are), but the
    # 8 replies keep the working minutes stored at load: 0 0 0 0 | 15 60 90 120.
    assert (before["reply_median_work_min"], cli_region()[0]["reply_median_work_min"]) == ("15.0", "7.5")
    done = runner.invoke(app, ["refresh"])
    assert done.exit_code == 0, done.output
    assert "8 answered inquiries timed again" in done.stderr
    after, _ = cli_region()
    # Around the clock every day, working time is calendar time.
    assert after["reply_median_work_min"] == after["reply_median_min"] == "45.0"
