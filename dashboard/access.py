"""Who is signed in and what they may see and do: sign-in (GOVPULSE_AUTH: off in the demo, OpenID Connect, or a
reverse proxy's header), roles (viewer, loader, admin) from the users table or the provider's groups, and the
territory whose pages, settlements and inquiries a person sees in full."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
import streamlit as st

from dashboard import queries, warm
from dashboard.filters import Scope
from dashboard.i18n import Tr
from etl.settings import get_settings
from etl.store import users
from etl.store.audit import Actor
from etl.store.users import ROLES, SCOPE_LEVELS

# A group that gives a role: govpulse:ROLE[:CODE], a Keycloak group path /govpulse/ROLE[/CODE], or the same with
# spaces (Active Directory's group names cannot hold ":" or "/"). No code: the whole database.
GROUP = re.compile(r"/?govpulse[:/\s]+(viewer|loader|admin)(?:[:/\s]+([A-Za-z0-9_.-]{1,40}))?\s*", re.IGNORECASE)
# Levels of rows that are a territory's own business: its pages and settlements (inquiries are read by page).
DETAIL_LEVELS = ("account", "settlement")
# The OpenID Connect settings Streamlit needs in [auth] (or in one [auth.PROVIDER] for the last three).
SHARED = ("redirect_uri", "cookie_secret")
PROVIDER = ("client_id", "client_secret", "server_metadata_url")
# The claims naming a person, in order of preference (Keycloak gives email and preferred_username, ADFS upn).
NAME_CLAIMS = ("email", "preferred_username", "upn", "sub")


@dataclass(frozen=True)
class User:
    """A person's name, role and territory ("" for the whole database); `source` says where the role came from."""

    name: str
    role: str
    territory: str = ""
    source: str = "demo"  # demo, table or groups

    def may(self, role: str) -> bool:
        """Whether the person may do what `role` does."""
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def actor(self) -> Actor:
        """The person as the audit names them, confined to their territory."""
        return Actor(self.name or "anonymous", "web", self.territory)


# The demo: nobody signs in, every visitor may do everything.
DEMO = User("", "admin")
# The server's own reader (dashboard/warm.py): it reads every page of the whole database, and shows it to nobody.
WARM = User("govpulse", "viewer", source="warm")


@dataclass(frozen=True)
class Denied:
    """Why a request gets no dashboard: a message key and its values, and whether a sign-in button helps."""

    key: str
    values: Mapping[str, str] = field(default_factory=dict)
    sign_in: bool = False


def from_groups(groups: Iterable[Any]) -> tuple[str, str] | None:
    """The role and territory given by a person's govpulse groups (the strongest role; of several territories at
    it, the whole database if one group gives it), None without such a group; ValueError for two territories."""
    grants = [(m[1].lower(), m[2] or "") for g in groups if (m := GROUP.fullmatch(str(g).strip()))]
    if not grants:
        return None
    best = max(ROLES.index(role) for role, _ in grants)
    places = {place for role, place in grants if ROLES.index(role) == best}
    if "" in places:
        return ROLES[best], ""
    if len(places) > 1:
        raise ValueError(", ".join(sorted(places)))
    return ROLES[best], places.pop()


def resolve(
    name: str, groups: Iterable[Any], row: tuple[str, str | None] | None, places: pd.DataFrame
) -> User | Denied:
    """The user a signed-in name becomes: the users table's row first, else the groups; a territory must be a
    country, region or district of `places` (the territory table)."""
    if row is not None:
        role, territory, source = row[0], row[1] or "", "table"
    else:
        try:
            found = from_groups(groups)
        except ValueError as exc:
            return Denied("access.groups_conflict", {"name": name, "territories": exc.args[0]})
        if found is None:
            return Denied("access.no_role", {"name": name})
        (role, territory), source = found, "groups"
    if territory and (territory not in places.index or places.at[territory, "level"] not in SCOPE_LEVELS):
        return Denied("access.bad_territory", {"name": name, "territory": territory})
    return User(name, role, territory, source)


def detail(scope: Scope, territory: str, places: pd.DataFrame) -> Scope | None:
    """The part of `scope` whose pages, settlements and inquiries a person of `territory` sees: all of it when it
    lies in the territory, the territory when the scope holds it, nothing when they are apart."""
    if not territory:
        return scope
    if scope.parent not in places.index or territory not in places.index:
        return None
    column = f"{places.at[territory, 'level']!s}_code"
    if places.at[scope.parent, column] == territory:
        return scope
    if places.at[territory, scope.column] == scope.parent:
        return Scope(territory, column, scope.platforms, scope.roles)
    return None


def oidc_missing(secrets: Mapping[str, Any] | None) -> list[str]:
    """The settings of OpenID Connect sign-in that `secrets` (the [auth] section) lacks."""
    auth = dict(secrets or {})
    missing = [f"[auth] {key}" for key in SHARED if not auth.get(key)]
    named = [name for name, value in auth.items() if isinstance(value, Mapping)]
    where = auth if not named or any(auth.get(k) for k in PROVIDER) else dict(auth[named[0]])
    prefix = "[auth]" if where is auth else f"[auth.{named[0]}]"
    return missing + [f"{prefix} {key}" for key in PROVIDER if not where.get(key)]


def provider(secrets: Mapping[str, Any]) -> str | None:
    """The provider st.login is given: None for settings in [auth] itself, else the one [auth.NAME]."""
    if any(secrets.get(k) for k in PROVIDER):
        return None
    return next((name for name, value in secrets.items() if isinstance(value, Mapping)), None)


def _secrets() -> Mapping[str, Any] | None:
    """The [auth] section of Streamlit's secrets, or None when there are no secrets at all."""
    try:
        found = st.secrets.get("auth")
    except FileNotFoundError:  # no secrets.toml anywhere
        return None
    return found if isinstance(found, Mapping) else None


def _listed(value: Any) -> list[str]:
    """A groups claim or header as a list: a list as it is, a text split at commas."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(v) for v in value] if isinstance(value, Iterable) else []


@st.cache_data(ttl=60, show_spinner=False)
def _row(name: str) -> tuple[str, str | None] | None:
    """A person's row of the users table (re-read every minute, and at once after a change here)."""
    return users.find(queries.engine(), name)


def forget() -> None:
    """Read the users table afresh (after a change of it)."""
    _row.clear()


def current() -> User | Denied:
    """The person behind this request, or why there is none."""
    conf = get_settings()
    if conf.auth == "off":
        return DEMO
    if warm.is_warming():
        return WARM
    if conf.auth == "header":
        headers = st.context.headers
        name = (headers.get(conf.auth_header) or "").strip()
        if not name:
            return Denied("access.no_header", {"header": conf.auth_header})
        groups = _listed(headers.get(conf.auth_groups_header) or "") if conf.auth_groups_header else []
    else:
        secrets = _secrets()
        missing = oidc_missing(secrets)
        if missing:
            return Denied("access.oidc_setup", {"missing": ", ".join(missing), "path": str(SECRETS)})
        if not st.user.get("is_logged_in"):
            return Denied("access.sign_in", sign_in=True)
        name = next((str(st.user[c]) for c in NAME_CLAIMS if st.user.get(c)), "")
        groups = _listed(st.user.get(conf.auth_groups_claim) or [])
    return resolve(name, groups, _row(name), queries.territories())


# Where Streamlit reads the secrets of a server started in the project's folder (`govpulse serve`).
SECRETS = Path(".streamlit") / "secrets.toml"
EXAMPLE = """[auth]
redirect_uri = "https://govpulse.example.org/oauth2callback"
cookie_secret = "…a long random string…"
client_id = "govpulse"
client_secret = "…"
server_metadata_url = "https://sso.example.org/realms/region/.well-known/openid-configuration"
"""


# Streamlit's sign-in always comes back to the root: the sign-in page keeps the address asked for (page, place,
# period, language) in the browser tab, and the first page after signing in goes on there. The address is the tab's
# own path and query, never one from elsewhere.
WANTED = "govpulse.wanted"
KEEP = f"<script>sessionStorage.setItem('{WANTED}', location.pathname + location.search);</script>"
RESUME = f"""<script>(() => {{
  const wanted = sessionStorage.getItem('{WANTED}');
  sessionStorage.removeItem('{WANTED}');
  if (wanted && wanted.startsWith('/') && !wanted.startsWith('//') && wanted !== location.pathname + location.search)
    location.replace(wanted);
}})();</script>"""


def refuse(denied: Denied, tr: Tr) -> NoReturn:
    """Say why this request gets no dashboard (with a sign-in or sign-out button where one helps) and stop."""
    st.title("govpulse")
    st.info(tr(denied.key, **denied.values), icon=":material/lock:")
    if denied.key == "access.oidc_setup":
        st.code(EXAMPLE, language="toml")
    if denied.sign_in:
        secrets = _secrets() or {}
        st.button(tr("access.sign_in_button"), type="primary", on_click=st.login, args=(provider(secrets),))
        st.html(KEEP, unsafe_allow_javascript=True)
    elif get_settings().auth == "oidc" and denied.key != "access.oidc_setup":
        st.button(tr("access.sign_out"), on_click=st.logout)
    st.stop()
    raise RuntimeError("unreachable")  # st.stop() raises; this satisfies the type checker


def user(tr: Tr) -> User:
    """The person behind this request; a request without one is told why and stopped."""
    found = current()
    if isinstance(found, Denied):
        refuse(found, tr)
    return found


def resume(person: User) -> None:
    """Send a person who has just signed in on to the address they asked for before (see KEEP)."""
    if person.source != "demo" and get_settings().auth == "oidc":
        st.sidebar.html(RESUME, unsafe_allow_javascript=True)


def note(tr: Tr, person: User, name: str) -> None:
    """The sidebar's line on who is signed in (and a sign-out button), or that the demo has no sign-in; `name` is the
    person's territory in the reader's language."""
    if person.source == "demo":
        st.sidebar.caption(tr("access.demo"))
        return
    where = name if person.territory else tr("access.everywhere")
    st.sidebar.caption(tr("access.signed_in", name=escape(person.name), role=tr(f"access.role_{person.role}"),
                          territory=escape(where)))  # fmt: skip
    if get_settings().auth == "oidc":
        st.sidebar.button(tr("access.sign_out"), on_click=st.logout, key="sign_out")


def escape(text: str) -> str:
    """Text from a header or a token shown as written in Markdown."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~$:])", r"\\\1", text)
