"""Data: load history, freshness per source, rejected uploads with their reasons, CSV or XLSX upload in the browser
(with a mapping of the files' own headers), who gets digests and alerts; the audit, and the users of an
administrator."""

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import access, access_ui, delivery_ui, queries, sidebar, ui, uploads
from dashboard.i18n import translator
from etl.store import audit

MAX_MB = 200  # per file; also Streamlit's own upload limit (server.maxUploadSize) by default
MAPPING_MB = 1  # a mapping file is a few lines
REJECTIONS = "rejections"

tr = translator(sidebar.current().lang)
person = access.user(tr)
st.title(tr("page.data"))
st.caption(tr("data.intro"))

st.subheader(tr("data.upload"))
TYPES = ["csv", "tsv", "txt", "xlsx"]
if not person.may("loader"):
    st.info(tr("access.no_upload"), icon=":material/lock:")
else:
    if person.territory:
        st.caption(tr("access.upload_scope", territory=access_ui.names(tr).get(person.territory, person.territory)))
    files = st.file_uploader(
        tr("data.files", mb=MAX_MB), type=TYPES, accept_multiple_files=True, max_upload_size=MAX_MB
    )
    ui.uploader_words(tr, MAX_MB, TYPES)
    mapping = st.file_uploader(
        tr("data.mapping"), type=["toml"], max_upload_size=MAPPING_MB, help=tr("data.mapping_help"), key="mapping"
    )
    ui.uploader_words(tr, MAPPING_MB, ["toml"], key="mapping")
    if files and st.button(tr("data.load"), type="primary"):
        with st.spinner(tr("data.loading")):
            own = (mapping.name, mapping.getvalue()) if mapping else None
            summary = uploads.load([(f.name, f.getvalue()) for f in files], MAX_MB, access_ui.loader(person), own)
        st.session_state["last_load"] = summary
        rejected = [s for s in summary if s["status"] == "rejected"]
        st.session_state[REJECTIONS] = (rejected + st.session_state.get(REJECTIONS, []))[:20]
for row in st.session_state.get("last_load", []):
    uploads.show(row, tr)

st.subheader(tr("data.rejected"))
rejections = st.session_state.get(REJECTIONS, [])
if not rejections:
    st.caption(tr("data.no_rejections"))
for row in rejections:
    with st.expander(f"{row['time']} · {ui.literal(row['file'])} — {uploads.message(row, tr)}"):
        uploads.errors(row, tr)

access_ui.users_section(tr, person)
if person.may("admin"):  # a subscription sends the territory's figures out of the dashboard
    delivery_ui.subscriptions(tr, sidebar.current().parent)

span = queries.data_range()
st.subheader(tr("data.freshness"))
if span is None:
    st.info(tr("empty.database"))
    st.stop()
sources = queries.sources(span[1] - dt.timedelta(days=6))
sources = sources.assign(platform=sources["platform"].map(lambda p: tr.label("platform", p)))
ui.table(
    sources,
    {
        "platform": ("col.platform", "text"), "pages": ("col.pages", "int"), "followers": ("col.last_snapshot", "date"),
        "posts": ("col.last_post", "date"), "inquiries": ("col.last_inquiry", "date"), "recent": ("col.recent", "int"),
    },
    tr,
)  # fmt: skip
st.caption(tr("data.freshness_help", day=tr.date(span[1])))

st.subheader(tr("data.collections"))
runs = queries.collections()
if runs.empty:
    st.caption(tr("data.no_collections"))
else:
    runs = runs.assign(
        platform=runs["platform"].map(lambda p: tr.label("platform", p)),
        finished_at=pd.to_datetime(runs["finished_at"]).dt.strftime("%Y-%m-%d %H:%M"),
    )
    ui.table(
        runs,
        {
            "platform": ("col.platform", "text"), "finished_at": ("col.collected_at", "text"),
            "pages": ("col.pages", "int"), "collected": ("col.collected", "int"), "skipped": ("col.skipped", "int"),
            "posts": ("col.posts", "int"), "inquiries": ("col.inquiries", "int"), "requests": ("col.requests", "int"),
            "errors": ("col.errors", "int"),
        },
        tr,
    )  # fmt: skip
    for run in runs.itertuples():
        # A run's skipped pages are named by their ids: for people of the whole database only.
        if (run.skipped_detail or run.notices) and not person.territory:
            with st.expander(tr("data.skipped_pages", platform=run.platform, n=run.skipped)):
                st.text("\n".join(filter(None, [str(run.skipped_detail), str(run.notices)])))
    st.caption(tr("data.collections_help"))

st.subheader(tr("data.history"))
log = queries.load_log()
if person.territory:  # a district's people see the files the audit records for their territory, not the others'
    log = log[log["sha256"].isin(audit.entries(queries.engine(), within=person.territory)["sha256"])]
if log.empty:
    st.caption(tr("data.no_history"))
else:
    log = log.assign(
        loaded_at=pd.to_datetime(log["loaded_at"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
        file=log["source_path"].map(lambda p: Path(str(p)).name),
        kind=log["kind"].map(lambda k: tr.label("kind", k)),
    )
    ui.table(
        log,
        {
            "loaded_at": ("col.loaded_at", "text"), "file": ("col.file", "text"), "kind": ("col.kind", "text"),
            "encoding": ("col.encoding", "text"), "rows_read": ("col.rows_read", "int"),
            "rows_inserted": ("col.rows_inserted", "int"), "rows_updated": ("col.rows_updated", "int"),
            "rows_unchanged": ("col.rows_unchanged", "int"), "duration_s": ("col.seconds", "num1"),
        },
        tr,
        height=360,
    )  # fmt: skip
access_ui.audit_section(tr, person)
