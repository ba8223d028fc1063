"""All govpulse tables: the registry, raw history as loaded, the load log, users and the audit, the daily rollups."""

import datetime as dt

from sqlalchemy import BigInteger, Index, Table, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class Territory(SQLModel, table=True):
    """A country, region, district or settlement, with its ancestors resolved for fast roll-ups."""

    code: str = Field(primary_key=True)
    name_ru: str
    name_en: str
    name_kk: str | None = None
    level: str = Field(index=True)
    parent_code: str | None = Field(default=None, index=True)
    population: int | None = None
    timezone: str
    country_code: str | None = Field(default=None, index=True)
    region_code: str | None = Field(default=None, index=True)
    district_code: str | None = Field(default=None, index=True)


class Account(SQLModel, table=True):
    """An official page; `id` is govpulse's own key, (platform, account_id) the platform's."""

    __table_args__ = (UniqueConstraint("platform", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    account_id: str
    handle: str
    display_name: str
    territory_code: str = Field(foreign_key="territory.code", index=True)
    owner_kind: str
    owner_role: str
    owner_name: str
    sphere: str | None = None
    required: bool = False
    official_mark: bool = False
    official_mark_on: dt.date | None = None
    created_on: dt.date | None = None
    url: str | None = None


class HandleHistory(SQLModel, table=True):
    """Each handle an account has been seen with, and when: more than one row is a rename."""

    account_pk: int = Field(foreign_key="account.id", primary_key=True)
    handle: str = Field(primary_key=True)
    first_seen: dt.date
    last_seen: dt.date


# Day-keyed history is clustered on its key in SQLite (no separate rowid tree): a load writes one B-tree.
CLUSTERED = {"sqlite_with_rowid": False}


# The region of a territory `t` (SQL): its country when it has none, itself when it has neither. The unit of
# delivery (DataTime) and the key of RegionDay and ReplyHistogram.
REGION = "coalesce(t.region_code, t.country_code, t.code)"


class FollowerSnapshot(SQLModel, table=True):
    """Followers of an account on a day, as reported."""

    __table_args__ = (CLUSTERED,)

    account_pk: int = Field(foreign_key="account.id", primary_key=True)
    day: dt.date = Field(primary_key=True)
    followers: int
    posts_total: int | None = None


class Post(SQLModel, table=True):
    """A post with the metrics of its latest collection."""

    # A page's posts from a day on (the rollups' daily refresh), without reading its older ones.
    __table_args__ = (Index("ix_post_account_published", "account_pk", "published_on"),)

    account_pk: int = Field(foreign_key="account.id", primary_key=True)
    post_id: str = Field(primary_key=True)
    published_at: dt.datetime
    published_on: dt.date
    post_type: str
    likes: int
    comments: int
    shares: int
    views: int | None = None
    collected_at: dt.datetime


class Inquiry(SQLModel, table=True):
    """A citizen's comment, message or mention, its first official reply and working time (UTC; no text or author)."""

    __table_args__ = (
        Index("ix_inquiry_account_received", "account_pk", "received_on"),
        # Answered inquiries still to be timed (loaded before timing was stored, or their clock changed).
        Index(
            "ix_inquiry_untimed",
            "account_pk",
            sqlite_where=text("first_reply_at IS NOT NULL AND work_min IS NULL"),
            postgresql_where=text("first_reply_at IS NOT NULL AND work_min IS NULL"),
        ),
    )

    account_pk: int = Field(foreign_key="account.id", primary_key=True)
    inquiry_id: str = Field(primary_key=True)
    channel: str
    post_id: str | None = None
    received_at: dt.datetime
    received_on: dt.date
    first_reply_at: dt.datetime | None = None
    reply_min: float | None = None
    replied_by: str | None = None
    topic: str | None = None
    work_min: float | None = None
    work_days: int | None = None


class DataTime(SQLModel, table=True):
    """The latest receipt or reply in the inquiries of each unit of delivery: a region (a country's own pages: it)."""

    delivery: str = Field(primary_key=True)
    latest: dt.datetime


class LoadLog(SQLModel, table=True):
    """One loaded file: its content hash, what was detected and what changed."""

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(index=True)
    source_path: str
    kind: str
    encoding: str
    delimiter: str
    rows_read: int
    rows_inserted: int
    rows_updated: int
    rows_unchanged: int
    rows_rejected: int
    duration_s: float
    loaded_at: dt.datetime


class DataChange(SQLModel, table=True):
    """A committed change of what the dashboard shows (a load, a refresh, alerts, a collector's run): the dashboard
    keeps its reads until the newest id changes."""

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime
    what: str  # load, refresh, alerts, collect


class CollectionRun(SQLModel, table=True):
    """One run of a platform's collector: when, how many pages it collected or skipped and why, what it cost."""

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(index=True)
    started_at: dt.datetime
    finished_at: dt.datetime
    since: dt.datetime
    territory_code: str | None = None
    pages: int
    collected: int
    skipped: int
    skipped_detail: str = ""  # one "account_id: reason" per line
    notices: str = ""  # one per line
    requests: int
    errors: int
    posts: int
    inquiries: int
    out_dir: str


class UserRole(SQLModel, table=True):
    """A person's role in the dashboard and the territory it covers, set by an administrator."""

    person: str = Field(primary_key=True)  # an e-mail or the proxy's user name, in lower case
    role: str  # viewer, loader or admin
    territory_code: str | None = None  # None: the whole database
    changed_by: str
    changed_at: dt.datetime


class AuditEntry(SQLModel, table=True):
    """Who did what and when: a load, a collection, a change of settings, ranking weights or users."""

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(index=True)
    actor: str  # an e-mail, the proxy's user name, or the operating-system user of a command
    via: str  # web or cli
    action: str  # load, collect, settings, weights, users
    target: str  # the file, platform, setting or user acted on
    outcome: str  # loaded, rejected, already loaded, collected, changed, added, removed…
    territory_code: str | None = None  # what the action was confined to; None: the whole database
    sha256: str | None = None
    rows_accepted: int | None = None
    rows_rejected: int | None = None
    detail: str = ""  # the reason of a refusal, the values before and after a change


class StoredSetting(SQLModel, table=True):
    """A setting an administrator changes in the dashboard (the ranking's weights), kept as text."""

    name: str = Field(primary_key=True)
    value: str
    changed_by: str
    changed_at: dt.datetime


class AccountDay(SQLModel, table=True):
    """Daily rollup per account: followers carried forward over missing days, posts and inquiries of the day."""

    __table_args__ = (Index("ix_accountday_day", "day"), CLUSTERED)

    account_pk: int = Field(foreign_key="account.id", primary_key=True)
    day: dt.date = Field(primary_key=True)
    followers: int
    observed: bool
    posts: int = 0
    likes: int = 0
    comments: int = 0
    shares: int = 0
    views: int = 0
    inquiries: int = 0
    answered: int = 0


class TerritoryDay(SQLModel, table=True):
    """Daily rollup per territory × platform × owner role, summed from AccountDay."""

    __table_args__ = (Index("ix_territoryday_day", "day"), CLUSTERED)

    territory_code: str = Field(primary_key=True)
    platform: str = Field(primary_key=True)
    owner_role: str = Field(primary_key=True)
    day: dt.date = Field(primary_key=True)
    accounts: int
    accounts_observed: int
    followers: int
    posts: int
    likes: int
    comments: int
    shares: int
    views: int
    inquiries: int
    answered: int
    # Σ posts × followers of each page-day: the audience of the day's posts, the denominator of pooled ER.
    post_followers: int | None = Field(default=None, sa_type=BigInteger)


class RegionDay(SQLModel, table=True):
    """Daily rollup per region × platform × owner role, summed from TerritoryDay: country-wide reads stay small."""

    __table_args__ = (CLUSTERED,)

    # The territory's region; its country for a country's own pages and for districts directly under it.
    region_code: str = Field(primary_key=True)
    platform: str = Field(primary_key=True)
    owner_role: str = Field(primary_key=True)
    day: dt.date = Field(primary_key=True)
    accounts: int
    accounts_observed: int
    followers: int
    posts: int
    likes: int
    comments: int
    shares: int
    views: int
    inquiries: int
    answered: int
    post_followers: int | None = Field(default=None, sa_type=BigInteger)


class FollowerChange(SQLModel, table=True):
    """One-day follower changes of a region's pages on a platform, counted per basis point of the count the day before
    (etl/store/jumpcounts.py): the normal range of follower jumps is read from these instead of two snapshots of each
    page."""

    __table_args__ = (CLUSTERED,)

    # The day first: a new day appends, and the days of a range are read as ranges of the key.
    day: dt.date = Field(primary_key=True)
    region_code: str = Field(primary_key=True)  # RegionDay's region
    platform: str = Field(primary_key=True)
    bp: int = Field(primary_key=True)
    n: int


class ChangeDay(SQLModel, table=True):
    """The days and regions whose follower changes FollowerChange holds (a day without a change among them)."""

    __table_args__ = (CLUSTERED,)

    day: dt.date = Field(primary_key=True)
    region_code: str = Field(primary_key=True)


class ReplyHistogram(SQLModel, table=True):
    """Answered inquiries per region × day of receipt × platform × owner role, counted per log bucket
    (etl/store/sketch.py) of their calendar (`reply`) or working (`work`) reply minutes: any scope's is a sum."""

    __table_args__ = (CLUSTERED,)

    # RegionDay's region; first, so that a region's days, or several regions', are read as ranges of the key.
    region_code: str = Field(primary_key=True)
    day: dt.date = Field(primary_key=True)
    platform: str = Field(primary_key=True)
    owner_role: str = Field(primary_key=True)
    unit: str = Field(primary_key=True)  # reply (calendar minutes) or work (working minutes)
    bucket: int = Field(primary_key=True)
    inquiries: int


class ReplyCount(SQLModel, table=True):
    """Inquiries per region × day of receipt × platform × owner role, counted for one answer deadline (the
    `deadline` setting when they were counted): how many were answered, within the deadline, timed on the deadline's
    clock, still untimed, and by whom. Kept with ReplyHistogram, so that a region's or a country's counts are sums."""

    __table_args__ = (CLUSTERED,)

    # First, so that a row counted for another deadline is found through the key.
    deadline: str = Field(primary_key=True)
    region_code: str = Field(primary_key=True)
    day: dt.date = Field(primary_key=True)
    platform: str = Field(primary_key=True)
    owner_role: str = Field(primary_key=True)
    inquiries: int
    answered: int
    met: int
    decided: int
    untimed: int
    answered_owner: int
    answered_press_service: int
    answered_other: int
    answered_unstated: int


class ReplyDirty(SQLModel, table=True):
    """Days of regions whose reply histograms and counts must be counted again (filled by loads and timing, emptied
    by the refresh)."""

    region_code: str = Field(primary_key=True)
    day: dt.date = Field(primary_key=True)


class RollupDirty(SQLModel, table=True):
    """Accounts whose rollups must be rebuilt from a day on (filled by loads, emptied by the refresh)."""

    account_pk: int = Field(primary_key=True)
    from_day: dt.date


class Subscription(SQLModel, table=True):
    """A recipient of digests: a channel, the territory, week or month, the language, and whether alerts go there."""

    __table_args__ = (UniqueConstraint("channel", "territory_code", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str  # telegram:CHAT, max:CHAT or email:ADDRESS
    territory_code: str = Field(foreign_key="territory.code", index=True)
    period: str  # week or month
    language: str
    alerts: bool = True
    created_at: dt.datetime
    last_sent_end: dt.date | None = None  # the last day of the latest period whose digest was sent


class Alert(SQLModel, table=True):
    """One episode of a page's alert: open while its rule holds after each load, cleared when it no longer does."""

    __table_args__ = (Index("ix_alert_state", "state", "kind", "account_pk"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # silent, overdue, spike or drop
    account_pk: int = Field(foreign_key="account.id", index=True)
    territory_code: str
    state: str  # open or cleared
    first_seen: dt.datetime
    last_seen: dt.datetime
    cleared_at: dt.datetime | None = None
    figure: float  # days silent, citizens waiting past the deadline, followers gained or lost in a day
    day: dt.date  # the data's day the figure stands for


class AlertSent(SQLModel, table=True):
    """An alert told to a channel: each episode reaches each channel once."""

    alert_id: int = Field(foreign_key="alert.id", primary_key=True)
    channel: str = Field(primary_key=True)
    sent_at: dt.datetime


def table_of(model: type[SQLModel]) -> Table:
    """The SQLAlchemy table behind a model."""
    return model.__table__  # type: ignore[attr-defined]
