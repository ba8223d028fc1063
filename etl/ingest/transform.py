"""Validating and typing rows against the contract (pure: DataFrames in, DataFrames and errors out)."""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import available_timezones

import pandas as pd

from etl.ingest.contract import FieldSpec, Kind
from etl.ingest.headers import platform_value

ERROR_COLUMNS = ["line", "column", "value", "rule"]
# Plain text, not a compiled pattern: Arrow strings run it in C++ instead of calling Python for every value.
_SPACES = "[\\s\u00a0\u202f']"
_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"
_TIMEZONES = frozenset(available_timezones())


@dataclass
class Context:
    """What validation needs to know beyond the rows: the clock and the registry already loaded."""

    latest_day: dt.date
    latest_time: pd.Timestamp
    territories: dict[str, str] = field(default_factory=dict)
    accounts: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["platform", "account_id", "account_pk", "timezone"])
    )

    @classmethod
    def now(cls, territories: dict[str, str], accounts: pd.DataFrame) -> "Context":
        """A context for the present moment; the date limit allows for the easternmost time zone."""
        now = pd.Timestamp.now(tz="UTC").tz_localize(None)
        latest = (now + pd.Timedelta(hours=14)).date()
        return cls(latest, now + pd.Timedelta(minutes=5), territories, accounts)


class Checker:
    """Collects rule violations of one chunk as (line, column, value, rule) rows."""

    def __init__(self, chunk: pd.DataFrame) -> None:
        self.chunk = chunk
        self.lines = chunk["_line"]
        self.bad = pd.Series(False, index=chunk.index)
        self.errors: list[pd.DataFrame] = []

    def flag(self, mask: pd.Series, column: str, rule: str, values: pd.Series | None = None) -> None:
        """Record `rule` as broken by the rows in `mask`."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        shown = (values if values is not None else self.chunk[column])[mask].astype(str)
        self.errors.append(pd.DataFrame({"line": self.lines[mask], "column": column, "value": shown, "rule": rule}))
        self.bad |= mask

    def error_frame(self) -> pd.DataFrame:
        """All violations, in line order."""
        if not self.errors:
            return pd.DataFrame(columns=ERROR_COLUMNS)
        return pd.concat(self.errors, ignore_index=True).sort_values("line", kind="stable")


def parse_int(values: pd.Series, decimal: str) -> pd.Series:
    """Whole numbers written with thousands separators or a zero fraction; NaN where not a whole number."""
    plain = values.str.fullmatch(r"-?\d{1,18}")
    if plain.all():
        return values.astype("int64")
    s = values.str.replace(_SPACES, "", regex=True)
    thousands = "." if decimal == "," else ","
    s = s.str.replace(rf"\{thousands}(?=\d{{3}}(?:\D|$))", "", regex=True)
    s = s.str.replace(rf"\{decimal}0+$", "", regex=True)
    ok = s.str.fullmatch(r"-?\d{1,18}")
    return pd.to_numeric(s.where(ok), errors="coerce")


def parse_date(values: pd.Series) -> pd.Series:
    """Dates written YYYY-MM-DD or DD.MM.YYYY; NaT where not a date."""
    iso = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    rest = iso.isna() & values.ne("")
    if rest.any():
        iso[rest] = pd.to_datetime(values[rest], format="%d.%m.%Y", errors="coerce")
    return iso


def parse_datetime(values: pd.Series, zones: pd.Series) -> pd.Series:
    """ISO 8601 or DD.MM.YYYY HH:MM[:SS] times as naive UTC; a time without offset is local to `zones`."""
    s = values.str.strip().str.replace(r"^(\d{2})\.(\d{2})\.(\d{4})", r"\3-\2-\1", regex=True)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    has_offset = s.str.contains(_OFFSET, regex=True)
    if has_offset.any():
        parsed = pd.to_datetime(s[has_offset], format="ISO8601", utc=True, errors="coerce")
        out[has_offset] = parsed.dt.tz_localize(None).astype("datetime64[ns]")
    local = ~has_offset
    if local.any():
        naive = pd.to_datetime(s[local], format="ISO8601", errors="coerce").astype("datetime64[ns]")
        for zone, idx in zones[local].groupby(zones[local]).groups.items():
            utc = naive[idx].dt.tz_localize(str(zone), ambiguous="NaT", nonexistent="shift_forward")
            out[idx] = utc.dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def local_date(utc: pd.Series, zones: pd.Series) -> pd.Series:
    """The calendar date of each UTC time in its own time zone."""
    out = pd.Series(pd.NaT, index=utc.index, dtype="datetime64[ns]")
    for zone, idx in zones.groupby(zones).groups.items():
        out[idx] = utc[idx].dt.tz_localize("UTC").dt.tz_convert(str(zone)).dt.tz_localize(None).dt.normalize()
    return out


def _typed(chk: Checker, f: FieldSpec, decimal: str, ctx: Context) -> pd.Series:
    """One column typed, with its field's rules checked."""
    raw = chk.chunk[f.name].str.strip() if f.name in chk.chunk else pd.Series("", index=chk.chunk.index)
    empty = raw == ""
    if f.required:
        chk.flag(empty, f.name, "required: must not be empty", raw)
    present = ~empty
    if f.enum is not None:
        raw = raw.str.lower()
        if f.name == "platform":
            raw = _platform_names(raw, f.enum)
        chk.flag(present & ~raw.isin(f.enum), f.name, "must be one of: " + ", ".join(f.enum), raw)
    if f.pattern is not None:
        chk.flag(present & ~raw.str.fullmatch(f.pattern), f.name, f"must match the pattern {f.pattern}", raw)
    if f.type == "integer":
        num = parse_int(raw, decimal)
        chk.flag(present & num.isna(), f.name, "must be a whole number", raw)
        if f.minimum is not None:
            chk.flag(num < f.minimum, f.name, f"must be ≥ {f.minimum}", raw)
        return num.astype("Int64")
    if f.type == "date":
        day = parse_date(raw)
        chk.flag(present & day.isna(), f.name, "must be a date: YYYY-MM-DD or DD.MM.YYYY", raw)
        if f.not_future:
            chk.flag(day > pd.Timestamp(ctx.latest_day), f.name, "must not be in the future", raw)
        return day
    if f.type == "flag":
        flag = raw.str.lower().map({"0": False, "1": True, "false": False, "true": True})
        chk.flag(present & flag.isna(), f.name, "must be 0 or 1", raw)
        return flag
    if f.type == "flag_or_date":
        return raw
    if f.type == "timezone":
        chk.flag(present & ~raw.isin(_TIMEZONES), f.name, "must be an IANA time zone such as Asia/Almaty", raw)
    return raw.where(present, None)


def _platform_names(values: pd.Series, known: tuple[str, ...]) -> pd.Series:
    """Platforms as offices write them ("ВКонтакте", "Телеграм") by the contract's names; each other name looked
    up once, and none when every value is already the contract's."""
    odd = values.ne("") & ~values.isin(known)
    if not odd.any():
        return values
    names = {v: platform_value(v) for v in values[odd].unique()}
    return values.mask(odd, values[odd].map(names))


def _check_datetime(chk: Checker, f: FieldSpec, zones: pd.Series, ctx: Context) -> pd.Series:
    raw = chk.chunk[f.name].str.strip() if f.name in chk.chunk else pd.Series("", index=chk.chunk.index)
    present = raw != ""
    if f.required:
        chk.flag(~present, f.name, "required: must not be empty", raw)
    when = parse_datetime(raw.where(present, ""), zones.fillna("UTC"))
    when = when.where(present)
    chk.flag(
        present & when.isna(),
        f.name,
        "must be a time: ISO 8601 (YYYY-MM-DDTHH:MM[:SS][±HH:MM]) or DD.MM.YYYY HH:MM",
        raw,
    )
    if f.not_future:
        chk.flag(when > ctx.latest_time, f.name, "must not be in the future", raw)
    return when


def _resolve_accounts(chk: Checker, cols: dict[str, pd.Series], ctx: Context) -> pd.DataFrame:
    """Attach account_pk and time zone; unknown accounts are errors."""
    keys = pd.DataFrame({"platform": cols["platform"], "account_id": cols["account_id"]}, index=chk.chunk.index)
    known = ctx.accounts[["platform", "account_id", "account_pk", "timezone"]]
    merged = keys.merge(known, on=["platform", "account_id"], how="left")
    merged.index = chk.chunk.index
    unknown = merged["account_pk"].isna() & keys["platform"].notna() & keys["account_id"].notna()
    chk.flag(
        unknown,
        "account_id",
        "unknown account: not in the accounts registry (load the accounts file first)",
        keys["platform"] + "/" + keys["account_id"],
    )
    return merged


def validate(kind: Kind, chunk: pd.DataFrame, decimal: str, ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Typed rows of `chunk` that keep every rule, and the (line, column, value, rule) violations."""
    chk = Checker(chunk)
    plain = [f for f in kind.fields if f.type != "datetime"]
    cols = {f.name: _typed(chk, f, decimal, ctx) for f in plain}
    cols["_line"] = chunk["_line"]
    if kind.name == "territories":
        out = _territories(chk, cols, ctx)
    elif kind.name == "accounts":
        out = _accounts(chk, cols, ctx)
    else:
        acc = _resolve_accounts(chk, cols, ctx)
        cols["account_pk"] = acc["account_pk"]
        zones = acc["timezone"]
        for f in kind.fields:
            if f.type == "datetime":
                cols[f.name] = _check_datetime(chk, f, zones, ctx)
        for f in kind.fields:
            if f.not_before:
                chk.flag(cols[f.name] < cols[f.not_before], f.name, f"must not be before {f.not_before}")
        out = {"followers": _followers, "posts": _posts, "inquiries": _inquiries}[kind.name](chk, cols, zones)
    return out[~chk.bad.to_numpy()], chk.error_frame()


def _territories(chk: Checker, cols: dict[str, pd.Series], ctx: Context) -> pd.DataFrame:
    parent = cols["parent_code"]
    known = set(ctx.territories) | set(cols["code"].dropna())
    chk.flag(
        parent.notna() & ~parent.isin(known),
        "parent_code",
        "unknown territory: not in this file nor in the database",
        parent,
    )
    chk.flag((cols["level"] != "country") & parent.isna(), "parent_code", "required below the country level")
    chk.flag(parent.notna() & (parent == cols["code"]), "parent_code", "a territory cannot be its own parent")
    return pd.DataFrame(cols)


def _accounts(chk: Checker, cols: dict[str, pd.Series], ctx: Context) -> pd.DataFrame:
    territory = cols["territory_code"]
    chk.flag(
        territory.notna() & ~territory.isin(set(ctx.territories)),
        "territory_code",
        "unknown territory: load the territories file first",
        territory,
    )
    mark = cols.pop("official_mark")
    low = mark.str.lower()
    flag = low.map({"0": False, "1": True, "false": False, "true": True})
    on = parse_date(mark.where(flag.isna(), ""))
    chk.flag(mark.ne("") & flag.isna() & on.isna(), "official_mark", "must be 0, 1 or the date it was granted", mark)
    chk.flag(on > pd.Timestamp(ctx.latest_day), "official_mark", "must not be in the future", mark)
    cols["official_mark"] = flag.fillna(on.notna())
    cols["official_mark_on"] = on
    created = cols["created_on"]
    chk.flag(created > pd.Timestamp(ctx.latest_day), "created_on", "must not be in the future")
    return pd.DataFrame(cols)


def _followers(chk: Checker, cols: dict[str, pd.Series], zones: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_pk": cols["account_pk"],
            "day": cols["date"],
            "followers": cols["followers"],
            "posts_total": cols["posts_total"],
            "handle": cols["handle"],
            "_line": cols["_line"],
        }
    )


def _posts(chk: Checker, cols: dict[str, pd.Series], zones: pd.Series) -> pd.DataFrame:
    chk.flag(cols["collected_at"] < cols["published_at"], "collected_at", "must not be before published_at")
    return pd.DataFrame(
        {
            "account_pk": cols["account_pk"],
            "post_id": cols["post_id"],
            "published_at": cols["published_at"],
            "published_on": local_date(cols["published_at"], zones.fillna("UTC")),
            "post_type": cols["post_type"],
            "likes": cols["likes"],
            "comments": cols["comments"],
            "shares": cols["shares"],
            "views": cols["views"],
            "collected_at": cols["collected_at"],
            "_line": cols["_line"],
        }
    )


def _inquiries(chk: Checker, cols: dict[str, pd.Series], zones: pd.Series) -> pd.DataFrame:
    received, reply = cols["received_at"], cols["first_reply_at"]
    minutes = (reply - received).dt.total_seconds() / 60
    return pd.DataFrame(
        {
            "account_pk": cols["account_pk"],
            "inquiry_id": cols["inquiry_id"],
            "channel": cols["channel"],
            "post_id": cols["post_id"],
            "received_at": received,
            "received_on": local_date(received, zones.fillna("UTC")),
            "first_reply_at": reply,
            "reply_min": minutes.round(2).astype("float64"),
            "replied_by": cols["replied_by"],
            "topic": cols["topic"],
            "_line": cols["_line"],
        }
    )
