"""What signed-in roles add to the pages: the Data page's audit and its users section (administrators), and the
ranking weights everyone starts from (set by an administrator)."""

from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import access, queries, ranking, ui, uploads
from dashboard.i18n import Tr, territory_names
from etl.store import audit, users

WEIGHTS = "ranking_weights"
AUDIT_ROWS = 500


def loader(person: access.User) -> uploads.Loader:
    """The upload's loader for a person: the ETL's, audited and confined to their territory; loaders only."""
    if not person.may("loader"):
        raise PermissionError(f"{person.name} may not load files")
    return partial(queries.load_files, actor=person.actor)


@st.cache_data(ttl=queries.TTL, show_spinner=False)
def official_weights() -> str:
    """The ranking weights everyone starts from, as the URL writes them ("" for the built-in ones)."""
    return audit.stored(queries.engine(), WEIGHTS) or ""


def save_weights(tr: Tr, person: access.User, weights: dict[str, int]) -> None:
    """An administrator's button making the weights shown the ones everyone starts from (audited)."""
    if not person.may("admin"):
        return
    chosen = ranking.dump_weights(weights)
    if chosen == official_weights():
        st.caption(tr("access.weights_official"))
        return
    if st.button(tr("access.weights_save"), key="save_weights", icon=":material/save:"):
        audit.store(queries.engine(), person.actor, WEIGHTS, chosen, action="weights")
        official_weights.clear()
        st.rerun()


def names(tr: Tr) -> dict[str, str]:
    """Every territory's name in the reader's language, by code."""
    return {str(k): str(v) for k, v in territory_names(queries.territories(), tr.lang).items()}


def _what(row: dict[str, Any], tr: Tr, places: dict[str, str]) -> str:
    """An audit entry's change in the reader's words: a refusal's reason, the new role or weights."""
    action, detail = row["action"], str(row["detail"] or "")
    after = detail.split(" → ")[-1]
    if action == "load" and row["outcome"] == "rejected" and detail:
        return uploads.message({"message": detail, "error_count": row["rows_rejected"] or 0}, tr)
    if action == "users" and ", " in after:
        role, place = after.split(", ", 1)
        where = tr("access.everywhere") if place == "*" else places.get(place, place)
        return tr("audit.user_role", role=tr.label("access", f"role_{role}"), territory=where)
    if action == "weights":
        parts = ranking.parse_weights(after if after != "—" else "")
        return ", ".join(f"{tr(f'component.{n}')} {w}" for n, w in parts.items() if w)
    return detail if action == "settings" else ""


def _action(row: dict[str, Any], tr: Tr) -> str:
    """What was done and through what: "load (dashboard)"."""
    return f"{tr.label('audit', 'action_' + row['action'])} ({tr.label('audit', 'via_' + row['via'])})"


def audit_section(tr: Tr, person: access.User) -> None:
    """The audit, newest first: every entry for a person of the whole database, else those of their territory."""
    st.subheader(tr("audit.title"))
    log = audit.entries(queries.engine(), within=person.territory, limit=AUDIT_ROWS)
    if log.empty:
        st.caption(tr("audit.none"))
        return
    places, everywhere = names(tr), tr("access.everywhere")
    rows: list[dict[str, Any]] = log.to_dict("records")  # type: ignore[assignment]
    log = log.assign(
        at=log["at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
        actor=log["actor"].where(log["actor"] != "anonymous", tr("audit.anonymous")),
        action=[_action(r, tr) for r in rows],
        outcome=log["outcome"].map(lambda o: tr.label("audit", "outcome_" + o.replace(", ", "_").replace(" ", "_"))),
        territory=log["territory_code"].map(lambda c: places.get(c, c) if isinstance(c, str) else everywhere),
        sha=log["sha256"].map(lambda h: h[:12] if isinstance(h, str) else None),
        what=[_what(r, tr, places) for r in rows],
    )  # fmt: skip
    ui.table(
        log,
        {
            "at": ("audit.col_at", "text"), "actor": ("audit.col_actor", "text"),
            "action": ("audit.col_action", "text"), "target": ("audit.col_target", "text"),
            "outcome": ("audit.col_outcome", "text"), "territory": ("audit.col_territory", "text"),
            "rows_accepted": ("audit.col_accepted", "int"), "rows_rejected": ("audit.col_rejected", "int"),
            "what": ("audit.col_what", "text"), "sha": ("audit.col_sha", "text"),
        },
        tr,
        height=360,
    )  # fmt: skip
    st.caption(tr("audit.help", n=tr.num(AUDIT_ROWS)))


def users_section(tr: Tr, person: access.User) -> None:
    """An administrator's list of who has which role over which territory, with adding, changing and removing."""
    if not person.may("admin"):
        return
    st.subheader(tr("users.title"))
    engine = queries.engine()
    places = names(tr)
    found = users.listing(engine)
    if found.empty:
        st.caption(tr("users.none"))
    else:
        shown = found.assign(
            role=found["role"].map(lambda r: tr.label("access", f"role_{r}")),
            territory=found["territory_code"].map(lambda c: places.get(c, c) if c else tr("access.everywhere")),
            changed_at=pd.to_datetime(found["changed_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        )
        ui.table(
            shown,
            {
                "person": ("users.col_person", "text"), "role": ("users.col_role", "text"),
                "territory": ("users.col_territory", "text"), "changed_by": ("users.col_changed_by", "text"),
                "changed_at": ("users.col_changed_at", "text"),
            },
            tr,
        )  # fmt: skip
    levels = queries.territories()["level"]
    codes = ["", *sorted(str(c) for c, level in levels.items() if level in users.SCOPE_LEVELS)]
    with st.form("user_add", clear_on_submit=True, border=True):
        left, middle, right = st.columns(3)
        name = left.text_input(tr("users.col_person"), placeholder=tr("users.person_hint"))
        role = middle.selectbox(tr("users.col_role"), users.ROLES, format_func=lambda r: tr(f"access.role_{r}"))
        where = right.selectbox(
            tr("users.col_territory"), codes, format_func=lambda c: places.get(c, c) if c else tr("access.everywhere")
        )
        if st.form_submit_button(tr("users.add"), type="primary"):
            _change(tr, lambda: users.add(engine, name, str(role), str(where) or None, person.actor), name)
    if not found.empty:
        row = st.container(horizontal=True, vertical_alignment="bottom")
        gone = row.selectbox(tr("users.remove_who"), list(found["person"]), key="user_remove")
        if row.button(tr("users.remove"), icon=":material/person_remove:"):
            _change(tr, lambda: users.remove(engine, str(gone), person.actor), str(gone))
    st.caption(tr("users.help"))


def _change(tr: Tr, change: Any, name: str) -> None:
    """Make a change of the users table, say how it went, and let every page see it at once."""
    try:
        change()
    except users.UserError:
        st.error(tr("users.bad_person", name=access.escape(name)), icon=":material/error:")
        return
    access.forget()
    st.success(tr("users.done", name=access.escape(name.strip().lower())), icon=":material/check_circle:")
