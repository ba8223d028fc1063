"""Overview: the headline numbers of the latest 30 days against the 30 before."""

import datetime as dt

import streamlit as st

from dashboard import queries

st.title("govpulse")
st.caption("Synthetic demo data unless you loaded your own.")
span = queries.data_range()
if span is None:
    st.info("The database is empty. Load data with `govpulse load PATH` or build the demo with `govpulse demo`.")
    st.stop()
last = span[1]
start = last - dt.timedelta(days=29)
now = queries.kpis("country", start, last)
before = queries.kpis("country", start - dt.timedelta(days=30), start - dt.timedelta(days=1))
st.subheader(f"{start:%d.%m.%Y} – {last:%d.%m.%Y}")
for (_, row), (_, prev) in zip(now.iterrows(), before.iterrows(), strict=True):
    st.markdown(f"#### {row['territory_name']}")
    cols = st.columns(4)
    cols[0].metric("Followers", f"{row['followers_end']:,.0f}", f"{row['growth_abs']:+,.0f}")
    cols[1].metric("Accounts active", f"{row['accounts_active']:,} / {row['accounts']:,}")
    cols[2].metric("Posts", f"{row['posts']:,}", f"{row['posts'] - prev['posts']:+,}")
    rate = row["response_rate_pct"]
    cols[3].metric("Response rate", "—" if rate != rate else f"{rate:.0f} %")
