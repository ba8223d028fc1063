"""The digest of a territory's last week or month: the pack's headline sentences, the backlog, laggards and leaders
of its ranking and a link to the dashboard's view, as a message with the pack's PDF attached."""

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from dashboard import cards, queries, queries_posts, ranking
from dashboard.brief import BriefError, filters_for, territory_row
from dashboard.deliver import Message
from dashboard.exports import translator
from dashboard.filters import Filters, Period
from dashboard.headlines import SENTENCES, headlines, kpi_values
from dashboard.i18n import Tr, territory_names
from etl.settings import get_settings

KINDS = ("week", "month")
# The KPI slide's sentences and a fifth on engagement, the one card of the slide that has no sentence there.
DIGEST_SENTENCES = (*SENTENCES, ("er",))
RANKED = 3  # leaders and laggards named


class DigestError(ValueError):
    """No digest for these arguments (unknown territory, no data); the message says why."""


def last_period(kind: str, today: dt.date, complete: dt.date) -> Period:
    """The last whole week (Monday to Sunday) or calendar month that ended before `today` and by `complete`, the
    scope's last complete day of data."""
    end = min(today - dt.timedelta(days=1), complete)
    if kind == "week":
        sunday = end - dt.timedelta(days=(end.weekday() + 1) % 7)
        return Period(sunday - dt.timedelta(days=6), sunday)
    if kind != "month":
        raise DigestError(f"period {kind!r}: must be week or month")
    last = end if (end + dt.timedelta(days=1)).day == 1 else end.replace(day=1) - dt.timedelta(days=1)
    return Period(last.replace(day=1), last)


@dataclass(frozen=True)
class Ranked:
    """A territory's place in the ranking: rank, name and index (0–100)."""

    rank: int
    name: str
    score: float


@dataclass
class Digest:
    """What a digest says, before it is written as text, chat HTML or e-mail."""

    lang: str
    code: str
    name: str
    kind: str
    period: Period
    before: Period | None  # None when the data begin inside the previous period: nothing is compared
    data_date: dt.date | None
    headlines: list[str]
    waiting: int
    oldest: tuple[float, str] | None  # working days waited, the page
    level: str
    rated: int
    leaders: list[Ranked] = field(default_factory=list)
    laggards: list[Ranked] = field(default_factory=list)
    link: str = ""
    first: dt.date | None = None  # the first day with data, said when the previous period is not compared

    @property
    def tr(self) -> Tr:
        """The digest's translator, speaking of its country's pages in that country's terms."""
        return translator(self.lang).in_country(self.code.split("-")[0])

    @property
    def file_name(self) -> str:
        """The attached pack's file name, as the Overview's download names it."""
        return f"govpulse_{self.code}_{self.period.start.isoformat()}_{self.period.end.isoformat()}.pdf"

    def sections(self) -> list[tuple[str, list[str]]]:
        """The digest's sections as (heading, lines) of plain text."""
        tr = self.tr
        out = [(tr("brief.kpis"), self.headlines or [tr("brief.no_data")])]  # the pack's own heading
        end = tr.date(self.period.end)
        n = tr.num(self.waiting)
        waiting = [tr("digest.waiting", day=end, n=n) if self.waiting else tr("digest.none_waiting", day=end)]
        if self.oldest is not None:
            age, page = self.oldest
            waiting.append(tr("digest.oldest", age=tr.num(age, 0 if age >= 10 else 1), page=page))
        out.append((tr("digest.backlog"), waiting))
        levels = tr(f"level.{self.level}_plural")
        if self.leaders:
            out.append((tr("digest.leaders", level=levels), [self._line(r) for r in self.leaders]))
            if self.laggards:
                out.append((tr("digest.laggards", level=levels), [self._line(r) for r in self.laggards]))
        else:
            out.append((tr("digest.ranking", level=levels), [tr("digest.not_ranked")]))
        return out

    def _line(self, r: Ranked) -> str:
        return self.tr("digest.rank_line", rank=r.rank, name=r.name, score=self.tr.num(r.score, 1))

    def message(self, pdf: bytes | None = None) -> Message:
        """The digest as a message, with the pack's PDF attached when given."""
        tr = self.tr
        intro = [
            tr(f"digest.{self.kind}", span=tr.span(*self.period)),
            tr("digest.compared", before=tr.span(*self.before), day=tr.date(self.data_date))
            if self.before
            else tr("digest.as_of", day=tr.date(self.data_date)),
        ]
        if not self.before:
            intro.append(tr("kpi.no_before", span=tr.span(*self.period.previous()), first=tr.date(self.first)))
        notes = [tr("digest.rank_note", n=tr.num(self.rated), min=tr.num(get_settings().min_sample_inquiries))]
        return Message(
            lang=self.lang,
            subject=tr("digest.subject", name=self.name, span=tr.span(*self.period)),
            title=f"govpulse · {self.name}",
            intro=intro,
            sections=self.sections(),
            link=self.link,
            link_text=tr("digest.open"),
            notes=[*(notes if self.rated else []), tr("digest.attached")],
            attachment=None if pdf is None else (self.file_name, pdf),
        )


def link(public_url: str, f: Filters, period: Period | None = None) -> str:
    """The dashboard's Overview of the filters' territory over the period (its default period without one), as the
    sidebar writes it in the URL; empty without the dashboard's public address."""
    if not public_url:
        return ""
    view = Filters(lang=f.lang, country=f.country, region=f.region, district=f.district)
    if period is not None:
        view = replace(view, period="custom", start=period.start, end=period.end)
    return f"{public_url.rstrip('/')}/?{urlencode(view.to_query())}"


def _ranked(table: pd.DataFrame, min_sample: int) -> tuple[int, list[Ranked], list[Ranked]]:
    """How many territories are rated, the leaders and the laggards (worst last) by the rankings' index."""
    if table.empty:
        return 0, [], []
    scored = ranking.score(table, ranking.DEFAULT_WEIGHTS, min_sample)
    rated = scored.dropna(subset=["score"]).sort_values(["rank", "territory_name"])
    places = [Ranked(int(r["rank"]), str(r["territory_name"]), float(r["score"])) for _, r in rated.iterrows()]
    top = places[: min(RANKED, (len(places) + 1) // 2)]
    return len(places), top, places[len(top) :][-RANKED:]


def _page(tr: Tr, scope: Any, page: int) -> str:
    """A page named as the pack names it: 'Owner (Platform handle)'."""
    reg = queries.registry(scope.parent, scope.column)
    if page not in reg.index:
        return str(page)
    row = reg.loc[page]
    return f"{row['owner_name']} ({tr.label('platform', row['platform'])} {row['handle']})"


def compose(code: str, kind: str, today: dt.date, lang: str) -> Digest:
    """The digest of a country, region or district for its last complete week or month before `today`."""
    if kind not in KINDS:
        raise DigestError(f"period {kind!r}: must be week or month")
    try:
        f = filters_for(code, lang)
    except BriefError as exc:
        raise DigestError(str(exc)) from None
    span = queries.complete_range(f.scope())
    if span is None:
        raise DigestError(translator(lang)("brief.empty", name=code, span="—"))
    return compose_period(code, kind, last_period(kind, today, span[0]), lang)


def compose_period(code: str, kind: str, period: Period, lang: str) -> Digest:
    """The digest of a territory and a given period, with the figures of the pack's key-figures slide."""
    tr = translator(lang).in_country(code.split("-")[0])
    try:
        f = filters_for(code, tr.lang)
    except BriefError as exc:
        raise DigestError(str(exc)) from None
    scope, conf = f.scope(), queries.settings(tr.lang)
    places = queries.territories()
    name = str(territory_names(places.loc[[code]], tr.lang).iloc[0])
    # A previous period the data begin inside would compare a whole period with a part of one.
    first = queries_posts.first_day(scope)
    before = cards.covered(period.previous(), first)
    now_row = territory_row(queries.kpis(f.parent_level, *period, scope, tr.lang), code)
    if now_row is None or not now_row.get("accounts"):
        raise DigestError(tr("brief.empty", name=name, span=tr.span(*period)))
    before_row = before and territory_row(queries.kpis(f.parent_level, *before, scope, tr.lang, period.days), code)
    sentences = headlines(tr, kpi_values(now_row), kpi_values(before_row), DIGEST_SENTENCES)
    fresh = queries.freshness(*period, scope)
    data_date = max((d for d in (fresh.get("snapshot"), fresh.get("post"), fresh.get("inquiry")) if d), default=None)
    buckets, oldest = queries.backlog(period.end, scope)
    longest = None if oldest.empty else (float(oldest["age_wd"].iloc[0]), _page(tr, scope, int(oldest["id"].iloc[0])))
    level = f.row_level
    rated, leaders, laggards = _ranked(queries.kpis(level, *period, scope, tr.lang), conf.min_sample_inquiries)
    return Digest(tr.lang, code, name, kind, period, before, data_date, sentences, int(buckets["count"].sum()),
                  longest, level, rated, leaders, laggards, link(get_settings().public_url, f, period),
                  first)  # fmt: skip


def is_due(last_sent: dt.date | None, period: Period) -> bool:
    """Whether a subscription whose latest digest was of a period ending on `last_sent` is due this period's."""
    return last_sent is None or last_sent < period.end
