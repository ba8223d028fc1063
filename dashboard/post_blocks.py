"""The posts blocks of a page: the period's top posts with links to them, and the best time to post."""

import pandas as pd
import streamlit as st

from dashboard import charts, links, posts, queries, queries_posts, ui
from dashboard.filters import Scope
from dashboard.i18n import territory_names

TOP_COLUMNS = {
    "territory": ("col.territory", "text"),
    "handle": ("col.handle", "text"),
    "platform": ("col.platform", "text"),
    "post_type": ("axis.post_type", "text"),
    "local": ("col.published_local", "moment"),
    "er_pct": ("col.er", "pct2"),
    "interactions": ("col.interactions", "int"),
    "views": ("col.views", "int"),
    "link": ("col.url", "link"),
}
_BY = ("er_pct", "views")  # the top posts' tabs: by engagement, by views


def linked(page: ui.Page, rows: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """Posts of `scope` with their page's territory, handle and platform named, and the link to each post (or its
    page)."""
    tr = page.tr
    registry = queries.registry(scope.parent, scope.column)
    rows = rows.join(registry[["platform", "account_id", "handle", "url", "territory_code"]], on="id")
    where = zip(rows["platform"], rows["account_id"], rows["handle"], rows["post_id"], rows["url"], strict=True)
    return rows.assign(
        link=pd.Series([links.post_url(*post) for post in where], index=rows.index, dtype="object"),
        # Names as in every table of pages (without their parent's): the handle tells two namesakes apart.
        territory=rows["territory_code"].map(territory_names(queries.territories(), tr.lang)),
        platform=rows["platform"].map(lambda p: tr.label("platform", p)),
        post_type=rows["post_type"].astype("str").map(lambda t: tr.label("post_type", t)),
    )


def top_posts(page: ui.Page, scope: Scope) -> None:
    """The period's best posts of `scope` (pages the reader may see) by engagement and by views, each opening on its
    platform."""
    tr = page.tr
    st.subheader(tr("posts.top"), anchor="top-posts")
    found = {by: posts.engagement(queries_posts.top_posts(*page.period, scope, by, posts.TOP)) for by in _BY}
    if all(rows.empty for rows in found.values()):
        st.info(tr("posts.none"))
        return
    for tab, by in zip(st.tabs([tr("posts.by_er"), tr("posts.by_views")]), _BY, strict=True):
        with tab:
            best = posts.top(found[by], by)
            if best.empty:
                st.info(tr("posts.no_views"))
            else:
                best = linked(page, best, scope)
                # Without a link in any row (the synthetic demo's posts have none), no column of dashes.
                shown = TOP_COLUMNS if best["link"].notna().any() else dict(list(TOP_COLUMNS.items())[:-1])
                ui.table(best, shown, tr)
    st.caption(tr("posts.top_help"))


def best_time(page: ui.Page, scope: Scope) -> None:
    """The median engagement of the posts of `scope` by local weekday and hour, shown once there are enough."""
    tr = page.tr
    least = queries.settings(page.f.lang).min_sample_posts
    st.subheader(tr("posts.best_time"), anchor="best-time")
    medians, counts, rated, pages = queries_posts.best_time(*page.period, scope, least)
    if rated < posts.best_time_needs(least) or posts.rated_cells(medians) == 0:
        st.info(tr("posts.best_time_few", need=tr.num(posts.best_time_needs(least)), n=tr.num(rated)))
        return
    caption = tr("posts.best_time_help", n=tr.num(rated), pages=tr.num(pages), min=least)
    ui.chart(charts.best_time(medians, counts, tr, page.note(rated, "unit.posts")), caption)
