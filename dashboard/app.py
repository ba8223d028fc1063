"""govpulse dashboard: the router and the shared sidebar."""

import streamlit as st

st.set_page_config(page_title="govpulse", page_icon="📊", layout="wide")

pages = [st.Page("app_pages/overview.py", title="Overview", icon="🏠", default=True)]
st.navigation(pages).run()
