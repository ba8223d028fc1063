"""The shared sidebar: filter widgets started from the URL, and the URL kept in step with them."""

import datetime as dt
from typing import Any

import streamlit as st

from dashboard import access, queries
from dashboard.filters import KEYS, PERIODS, ROLES, Filters
from dashboard.i18n import LANGUAGES, Tr, pick_language, territory_names, translator

STATE = "filters"


def browser_language() -> str | None:
    """The browser's language (Accept-Language), when Streamlit knows it."""
    try:
        return st.context.locale
    except Exception:  # no browser behind this run (bare mode, tests)
        return None


def current() -> Filters:
    """The filters of this run: set by the sidebar, or read from the URL when a page runs alone."""
    found = st.session_state.get(STATE)
    if isinstance(found, Filters):
        return found
    return Filters.from_query(st.query_params.to_dict(), pick_language(None, browser_language()))


def _keep(key: str, options: list[Any], default: Any) -> None:
    """Reset a widget's value that is not among its (changed) options."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


def _start_from_url(person: access.User) -> None:
    """Widget values of a new session, from the URL; a link naming no place opens on the person's territory."""
    f = Filters.from_query(st.query_params.to_dict(), pick_language(None, browser_language()))
    places = queries.territories()
    if person.territory in places.index and not (f.country or f.region or f.district):
        home = {lv: places.at[person.territory, f"{lv}_code"] for lv in ("country", "region", "district")}
        f = Filters(**{**f.__dict__, **{lv: code for lv, code in home.items() if isinstance(code, str)}})
    if f.region in places.index and not f.country:
        f = Filters(**{**f.__dict__, "country": places.at[f.region, "country_code"]})
    ss = st.session_state
    ss.f_lang, ss.f_country, ss.f_region, ss.f_district = f.lang, f.country, f.region, f.district
    ss.f_level, ss.f_platforms, ss.f_roles, ss.f_period = f.level, list(f.platforms), list(f.roles), f.period
    if f.start and f.end:
        ss.f_range = (f.start, f.end)
    ss.f_started = True


def render(person: access.User = access.DEMO) -> Filters:
    """Draw the filters in the sidebar, write them to the URL and return them; below them, who is signed in."""
    ss = st.session_state
    if "f_started" not in ss:
        _start_from_url(person)
    side = st.sidebar
    side.segmented_control(
        "language", list(LANGUAGES), format_func=lambda code: LANGUAGES[code], key="f_lang", required=True,
        label_visibility="collapsed",
    )  # fmt: skip
    tr = translator(ss.f_lang or "ru")
    places = queries.territories()
    names = territory_names(places, tr.lang).to_dict()

    def name(code: str) -> str:
        return str(names.get(code, code))

    def children(parent: str, level: str) -> list[str]:
        return list(places.index[(places["parent_code"] == parent) & (places["level"] == level)])

    countries = list(places.index[places["level"] == "country"])
    _keep("f_country", countries, countries[0] if countries else "")
    side.selectbox(tr("filter.country"), countries, format_func=name, key="f_country")
    regions = ["", *children(ss.f_country, "region")]
    _keep("f_region", regions, "")
    side.selectbox(
        tr("filter.region"), regions, format_func=lambda c: name(c) if c else tr("filter.all"), key="f_region"
    )
    districts = ["", *children(ss.f_region, "district")] if ss.f_region else [""]
    _keep("f_district", districts, "")
    side.selectbox(
        tr("filter.district"), districts, format_func=lambda c: name(c) if c else tr("filter.all"),
        key="f_district", disabled=not ss.f_region,
    )  # fmt: skip
    levels = list(Filters(region=ss.f_region, district=ss.f_district).levels())
    _keep("f_level", levels, levels[0])
    side.segmented_control(
        tr("filter.level"), levels, format_func=lambda v: tr(f"level.{v}"), key="f_level", required=True
    )
    platforms = queries.platforms()
    ss.f_platforms = [p for p in ss.get("f_platforms", []) if p in platforms]
    side.multiselect(
        tr("filter.platforms"), platforms, format_func=lambda p: tr(f"platform.{p}"), key="f_platforms",
        placeholder=tr("filter.all_platforms"),
    )  # fmt: skip
    side.multiselect(
        tr("filter.roles"), list(ROLES), format_func=lambda r: tr(f"role.{r}"), key="f_roles",
        placeholder=tr("filter.all_roles"),
    )  # fmt: skip
    side.selectbox(tr("filter.period"), list(PERIODS), format_func=lambda p: tr(f"period.{p}"), key="f_period")
    start, end = _custom_range(tr) if ss.f_period == "custom" else (None, None)
    f = Filters(
        lang=ss.f_lang,
        country=ss.f_country or "",
        region=ss.f_region or "",
        district=ss.f_district or "",
        level=ss.f_level,
        platforms=tuple(ss.f_platforms),
        roles=tuple(r for r in ROLES if r in ss.f_roles),
        period=ss.f_period if ss.f_period != "custom" or start else "30d",
        start=start,
        end=end,
    )
    write_url(f)
    ss[STATE] = f
    access.note(tr, person, name(person.territory))
    return f


def _custom_range(tr: Tr) -> tuple[dt.date | None, dt.date | None]:
    """The custom period's dates (both chosen), within the data's days."""
    span = queries.data_range()
    if span is None:
        return None, None
    first, last = span
    if "f_range" not in st.session_state:
        st.session_state.f_range = (max(first, last - dt.timedelta(days=29)), last)
    wanted = st.session_state.f_range
    if isinstance(wanted, tuple) and len(wanted) == 2:
        # A link's dates outside the data are brought inside it, and the reader is told so.
        inside = tuple(min(max(day, first), last) for day in wanted)
        if inside != wanted:
            st.session_state.f_range = inside
            st.sidebar.info(tr("filter.dates_moved", first=tr.date(first), last=tr.date(last)))
    picked = st.sidebar.date_input(
        tr("filter.dates"), min_value=first, max_value=last, key="f_range", format=tr("fmt.date_input")
    )
    if isinstance(picked, tuple) and len(picked) == 2:
        return picked[0], picked[1]
    return None, None


def write_url(f: Filters) -> None:
    """Put the filters in the URL (only the keys they own), so that a copied link opens the same view."""
    wanted = f.to_query()
    for key in KEYS:
        if key in wanted and st.query_params.get(key) != wanted[key]:
            st.query_params[key] = wanted[key]
        elif key not in wanted and key in st.query_params:
            del st.query_params[key]
