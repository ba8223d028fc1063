"""govpulse dashboard: the router (st.navigation) and the shared sidebar filters, kept in the URL."""

import streamlit as st

from dashboard import access, queries, sidebar
from dashboard.i18n import translator

st.set_page_config(page_title="govpulse", page_icon="📊", layout="wide")

PAGES = [
    ("overview", ":material/dashboard:"),
    ("growth", ":material/trending_up:"),
    ("rankings", ":material/leaderboard:"),
    ("responsiveness", ":material/forum:"),
    ("compare", ":material/compare_arrows:"),
    ("account", ":material/account_circle:"),
    ("coverage", ":material/verified:"),
    ("data", ":material/database:"),
]

queries.follow_changes()  # a load by another process drops this server's reads of the data before it
# Nobody reads a page before the sign-in says who it is (or, in the demo, that nobody signs in).
person = access.user(translator(sidebar.current().lang))
filters = sidebar.render(person)
access.resume(person)  # at the sidebar's foot: no gap among the filters, and before the page's own run
tr = translator(filters.lang).in_country((filters.parent or "").split("-")[0])
pages = [
    st.Page(f"app_pages/{name}.py", title=tr(f"page.{name}"), icon=icon, url_path=name, default=name == "overview")
    for name, icon in PAGES
]
st.navigation(pages).run()
