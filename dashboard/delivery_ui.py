"""The pages' parts of digests and alerts: the Overview's open alerts and the Data page's subscriptions."""

import pandas as pd
import streamlit as st

from dashboard import delivery_queries, queries, ui
from dashboard.filters import Scope
from dashboard.i18n import LANGUAGES, Tr
from etl.settings import get_settings
from etl.store.subscriptions import LEVELS, PERIODS, SubscriptionError

SHOWN_ROWS = 8  # rows the Overview's block shows before it scrolls
REMOVED = "delivery_removed"  # the subscription just removed, told after the page reruns


def _detail(tr: Tr, row: pd.Series) -> str:
    if row["kind"] == "silent":
        return tr("stored_alert.silent_detail", days=tr.num(row["figure"]))
    if row["kind"] == "overdue":
        return tr("stored_alert.overdue_detail", n=tr.num(row["figure"]))
    return tr("stored_alert.jump_detail", change=tr.signed(row["figure"]), day=tr.date(row["day"]))


def open_alerts(tr: Tr, scope: Scope) -> None:
    """The Overview's compact list of the open alerts of the pages in scope, as subscribers were told them."""
    rows = delivery_queries.open_alerts(scope)
    rows = rows[rows["id"].isin(queries.in_scope(scope).index)]
    conf = get_settings()
    st.markdown(f"**{tr('stored_alert.heading', n=tr.num(len(rows)))}**")
    st.caption(tr("stored_alert.help", days=conf.active_days, k=tr.num(conf.alert_overdue)))
    if rows.empty:
        st.caption(tr("stored_alert.none"))
        return
    # Each detail says its kind ("no post for 15 days", "+2,600 followers on 20 Nov"): no column of kinds. Said once
    # per kind, figure and day: a country's thousands of alerts share a few hundred.
    said = rows[["kind", "figure", "day"]].drop_duplicates()
    said = said.assign(detail=[_detail(tr, r) for _, r in said.iterrows()])
    rows = rows.merge(said, on=["kind", "figure", "day"], how="left")
    columns = {"detail": ("stored_alert.kind", "text"), "first_seen": ("stored_alert.since", "date")}
    ui.pages_table(rows, columns, tr, scope, height=35 * (SHOWN_ROWS + 1) + 3, most=ui.LIST_ROWS)


def subscriptions(tr: Tr, current: str) -> None:
    """The Data page's subscriptions: a form to add one, the table, and a removal; `current` is the sidebar's
    territory, the form's first choice."""
    st.subheader(tr("delivery.heading"))
    st.caption(tr("delivery.intro"))
    places = queries.territories()
    names = ui.labels(tr.lang)
    order = {level: i for i, level in enumerate(LEVELS)}
    chosen = places[places["level"].isin(LEVELS)]
    if chosen.empty:
        st.caption(tr("delivery.none"))
        return
    country, level = chosen["country_code"].astype(str).to_dict(), chosen["level"].to_dict()
    codes = sorted(map(str, chosen.index), key=lambda c: (country[c], order[level[c]], names.get(c, c)))
    with st.form("subscribe", border=True):
        left, right = st.columns(2)
        channel = left.text_input(tr("delivery.channel"), placeholder="telegram:-1001234567890",
                                  help=tr("delivery.channel_help"))  # fmt: skip
        territory = right.selectbox(tr("delivery.territory"), codes, index=codes.index(current) if current in codes
                                    else 0, format_func=lambda c: names.get(c, c))  # fmt: skip
        a, b, c = st.columns(3)
        period = a.segmented_control(tr("delivery.period"), list(PERIODS), default="week", required=True,
                                     format_func=lambda p: tr(f"delivery.{p}"))  # fmt: skip
        language = b.selectbox(tr("delivery.language"), list(LANGUAGES), index=list(LANGUAGES).index(tr.lang),
                               format_func=lambda code: LANGUAGES[code])  # fmt: skip
        alerts_on = c.checkbox(tr("delivery.alerts"), value=True)
        added = st.form_submit_button(tr("delivery.add"), type="primary")
    if added:
        try:
            found = delivery_queries.subscribe(channel, str(territory), str(period), str(language), alerts_on)
            st.success(tr("delivery.added", id=found))
        except SubscriptionError as exc:
            st.error(tr(f"delivery.error_{exc.rule}", value=exc.value))
    if REMOVED in st.session_state:
        st.success(tr("delivery.removed", id=st.session_state.pop(REMOVED)))
    subs = delivery_queries.subscriptions()
    if subs.empty:
        st.caption(tr("delivery.none"))
        return
    kind_address = subs["channel"].str.split(":", n=1, expand=True)
    shown = subs.assign(
        kind=kind_address[0].map(lambda k: tr(f"delivery.{k}")),
        address=kind_address[1],
        territory=subs["territory_code"].map(lambda c: names.get(c, c)),
        period=subs["period"].map(lambda p: tr(f"delivery.{p}")),
        language=subs["language"].map(LANGUAGES),
        alerts=subs["alerts"].map(lambda on: tr("delivery.yes" if on else "delivery.no")),
    )
    columns = {
        "id": ("delivery.id", "int"), "kind": ("delivery.kind", "text"), "address": ("delivery.address", "text"),
        "territory": ("delivery.territory", "text"), "period": ("delivery.period", "text"),
        "language": ("delivery.language", "text"), "alerts": ("delivery.with_alerts", "text"),
        "last_sent_end": ("delivery.last", "date"),
    }  # fmt: skip
    ui.table(shown, columns, tr)
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    ids = subs["id"].astype("int64").tolist()
    gone = left.selectbox(tr("delivery.remove"), ids, format_func=lambda i: _label(shown, i))
    if right.button(tr("delivery.remove_button")) and gone is not None:
        delivery_queries.unsubscribe(int(gone))
        st.session_state[REMOVED] = int(gone)
        st.rerun()


def _label(shown: pd.DataFrame, subscription: int) -> str:
    row = shown[shown["id"] == subscription].iloc[0]
    return f"{subscription} · {row['kind']} {row['address']} · {row['territory']} · {row['period']}"
