"""Alerts, judged at the data's last day after each load: silent required pages, citizens waiting past the deadline,
follower jumps; each stored as an episode that is open while its rule holds and cleared when it no longer does."""

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import and_, bindparam, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from etl.metrics.jumps import jumps as follower_jumps
from etl.metrics.responsiveness.query import overdue_counts, parse_deadline
from etl.metrics.worktime import Clocks
from etl.settings import Settings, get_settings
from etl.store.changes import changed
from etl.store.models import Alert, AlertSent, table_of
from etl.store.scope import ACCOUNT, ACCOUNT_DAY, TERRITORY, Scope, read_frame, write_lock
from etl.store.subscriptions import SUBSCRIPTION

JUMP_DAYS = 7  # a jump keeps its alert open for a week of data
KINDS = ("silent", "overdue", "spike", "drop")
ALERT = table_of(Alert)
ALERT_SENT = table_of(AlertSent)
FOUND = ["kind", "account_pk", "territory_code", "figure", "day"]


def silent(last_posts: pd.DataFrame, end: dt.date, days: int) -> pd.DataFrame:
    """Pages that existed and posted nothing for `days` days or more before `end` (`id`, `last_post`, `days`)."""
    first = pd.to_datetime(last_posts["first_day"])
    existed = last_posts[first.notna() & (first <= pd.Timestamp(end - dt.timedelta(days=days)))]
    since = (pd.Timestamp(end) - pd.to_datetime(existed["last_post"])).dt.days
    out = existed.assign(days=since)
    out = out[out["days"].isna() | (out["days"] >= days)]
    return out.sort_values("days", ascending=False, na_position="first")


def last_day(conn: Connection) -> dt.date | None:
    """The data's last day (every page's rollup reaches it), or None for an empty database."""
    value = conn.execute(select(func.max(ACCOUNT_DAY.c.day))).scalar()
    return None if value is None else pd.Timestamp(value).date()


def silent_pages(conn: Connection, end: dt.date, days: int) -> pd.DataFrame:
    """Required pages silent for `days` days or more at `end`; the figure is the days since the last post (since the
    first day in the data for a page that never posted)."""
    a, d = ACCOUNT.c, ACCOUNT_DAY.alias("d").c
    posted = select(func.max(d.day)).where(d.account_pk == a.id, d.posts > 0, d.day <= end).scalar_subquery()
    first = select(func.min(d.day)).where(d.account_pk == a.id).scalar_subquery()
    stmt = select(a.id, a.territory_code, posted.label("last_post"), first.label("first_day")).where(a.required)
    pages = read_frame(conn, stmt)
    found = silent(pages, end, days)
    since = pd.to_datetime(found["last_post"]).fillna(pd.to_datetime(found["first_day"]))
    figure = (pd.Timestamp(end) - since).dt.days.astype("float64")
    return pd.DataFrame({"kind": "silent", "account_pk": found["id"], "territory_code": found["territory_code"],
                         "figure": figure, "day": end})[FOUND]  # fmt: skip


def overdue_pages(engine: Engine, end: dt.date, settings: Settings, clocks: Clocks | None, above: int) -> pd.DataFrame:
    """Pages with more than `above` citizens still waiting at the end of `end` whose answer deadline has passed."""
    if clocks is None:
        with engine.connect() as conn:
            clocks = Clocks.load(conn, settings.data_dir)
    counts = overdue_counts(engine, end, parse_deadline(None, settings), clocks, above)
    return counts.assign(kind="overdue", figure=counts["overdue"].astype("float64"), day=end)[FOUND]


def jumps(conn: Connection, end: dt.date, since: dt.date) -> pd.DataFrame:
    """Each page's largest follower spike and drop from `since` to `end` (`etl.metrics.jumps`: beyond the normal
    range of its region's pages on its platform, as on the Overview)."""
    found = follower_jumps(conn, Scope(since, end, (), None))
    if found.empty:
        return pd.DataFrame(columns=FOUND)
    rows = found.assign(figure=found["change"].astype("float64"), size=found["change"].abs())
    # The largest jump of each kind per page; the latest among equals.
    rows = rows.sort_values(["size", "day"], ascending=False)
    return rows.drop_duplicates(["kind", "account_pk"])[FOUND]


def current(engine: Engine, settings: Settings | None = None, clocks: Clocks | None = None) -> pd.DataFrame:
    """Every alert whose rule holds at the data's last day: kind, page, its territory, figure and day."""
    settings = settings or get_settings()
    with engine.connect() as conn:
        end = last_day(conn)
        if end is None:
            return pd.DataFrame(columns=FOUND)
        quiet = silent_pages(conn, end, settings.active_days)
        moves = jumps(conn, end, end - dt.timedelta(days=JUMP_DAYS - 1))
    late = overdue_pages(engine, end, settings, clocks, settings.alert_overdue)
    parts = [p for p in (quiet, late, moves) if len(p)]
    found = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FOUND)
    return found.astype({"account_pk": "int64", "figure": "float64"})


@dataclass
class Changes:
    """What an evaluation changed: the alerts opened (new or reopened), still open, and cleared; and the open alerts
    still to be told to their channels (`unsent`)."""

    day: dt.date | None
    opened: list[int] = field(default_factory=list)
    kept: int = 0
    cleared: int = 0
    pending: pd.DataFrame = field(default_factory=pd.DataFrame)


def record(conn: Connection, found: pd.DataFrame, now: dt.datetime, day: dt.date | None) -> Changes:
    """Bring the stored episodes in line with the alerts `found` now: open new ones, update those still holding,
    clear the others; a cleared alert that holds again is a new episode."""
    now = now.astimezone(dt.UTC)
    al = ALERT.c
    stored = read_frame(conn, select(al.id, al.kind, al.account_pk).where(al.state == "open"))
    stored = stored.astype({"account_pk": "int64"})
    both = found.merge(stored, on=["kind", "account_pk"], how="outer", indicator=True)
    changes = Changes(day)
    held = both[both["_merge"] == "both"]
    if len(held):
        values = [
            {"k": int(r["id"]), "t": now, "f": float(r["figure"]), "d": r["day"], "c": r["territory_code"]}
            for r in held.to_dict("records")
        ]
        stmt = update(ALERT).where(al.id == bindparam("k"))
        conn.execute(stmt.values(last_seen=bindparam("t"), figure=bindparam("f"), day=bindparam("d"),
                                 territory_code=bindparam("c")), values)  # fmt: skip
        changes.kept = len(held)
    gone = both.loc[both["_merge"] == "right_only", "id"].astype("int64").tolist()
    if gone:
        conn.execute(update(ALERT).where(al.id.in_(gone)).values(state="cleared", cleared_at=now))
        changes.cleared = len(gone)
    new = both[both["_merge"] == "left_only"]
    if len(new):
        rows = [
            dict(kind=r["kind"], account_pk=int(r["account_pk"]), territory_code=r["territory_code"], state="open",
                 first_seen=now, last_seen=now, figure=float(r["figure"]), day=r["day"])
            for r in new.to_dict("records")
        ]  # fmt: skip
        # One statement for the lot (thousands open on a country's first evaluation), ids in the rows' order.
        opened = conn.execute(ALERT.insert().returning(al.id, sort_by_parameter_order=True), rows)
        changes.opened = [int(k) for k in opened.scalars()]
    return changes


def evaluate(
    engine: Engine,
    now: dt.datetime,
    *,
    settings: Settings | None = None,
    clocks: Clocks | None = None,
    dry_run: bool = False,
) -> Changes:
    """Judge every rule at the data's last day and store the episodes (nothing is stored with `dry_run`)."""
    found = current(engine, settings, clocks)
    with engine.connect() as conn:
        transaction = conn.begin()
        write_lock(conn)
        changes = record(conn, found, now, last_day(conn))
        changes.pending = unsent(conn)
        if changes.opened or changes.cleared:
            changed(conn, "alerts")
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    return changes


def unsent(conn: Connection) -> pd.DataFrame:
    """Open alerts not yet told to a channel subscribed with alerts on to their page's territory or an ancestor of
    it, one row per alert and channel (the channel's first such subscription gives the language and territory), with
    the page's platform, handle and owner."""
    al, t, s, a, x = ALERT.c, TERRITORY.c, SUBSCRIPTION.c, ACCOUNT.c, ALERT_SENT.c
    covers = or_(*(s.territory_code == column for column in (t.code, t.country_code, t.region_code, t.district_code)))
    told = exists().where(x.alert_id == al.id, x.channel == s.channel)
    stmt = (
        select(al.id, al.kind, al.account_pk, al.territory_code, al.figure, al.day, al.first_seen, s.id.label("sub"),
               s.channel, s.language, s.territory_code.label("subscribed"), a.platform, a.handle, a.owner_name)
        .select_from(ALERT.join(TERRITORY, t.code == al.territory_code).join(ACCOUNT, a.id == al.account_pk))
        .join(SUBSCRIPTION, and_(s.alerts.is_(True), covers))
        .where(al.state == "open", ~told)
        .order_by(s.id, al.kind, al.figure.desc(), al.id)
    )  # fmt: skip
    return read_frame(conn, stmt).drop_duplicates(["id", "channel"], ignore_index=True)


def mark_sent(engine: Engine, told: list[tuple[int, str]], now: dt.datetime) -> None:
    """Record alerts told to channels: (alert id, channel) pairs; a pair recorded already (by a run at the same time)
    is kept as it was."""
    if told:
        when = now.astimezone(dt.UTC)
        with engine.begin() as conn:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            stmt = dialect.insert(ALERT_SENT).on_conflict_do_nothing(index_elements=["alert_id", "channel"])
            conn.execute(stmt, [{"alert_id": i, "channel": c, "sent_at": when} for i, c in told])


def open_alerts(engine: Engine, parent: str, column: str) -> pd.DataFrame:
    """The open alerts of the pages in a territory's subtree (`column` names its ancestor column), newest first."""
    al, t = ALERT.c, TERRITORY.c
    stmt = (
        select(al.id.label("alert_id"), al.kind, al.account_pk.label("page"), al.territory_code, al.figure, al.day)
        .add_columns(al.first_seen)
        .select_from(ALERT.join(TERRITORY, t.code == al.territory_code))
        .where(al.state == "open", t[column] == parent)
        .order_by(al.first_seen.desc(), al.kind, al.id)
    )
    with engine.connect() as conn:
        return read_frame(conn, stmt)
