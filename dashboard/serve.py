"""`govpulse serve`: Streamlit's own command line, with the dashboard's modules imported before the first visit.

python -P -m dashboard.serve dashboard/app.py --server.port 8501 …   (the arguments of `streamlit run`)
"""

import logging
import sys

from streamlit.web import cli


def preload() -> None:
    """Import the dashboard's modules now, while the server starts, not in the first visitor's page run (pandas,
    SQLAlchemy, plotly: ~2 s)."""
    # Their cached functions are declared before the server's runtime exists, and Streamlit warns of each one that
    # it would use a memory cache then; the caches are made at the first call, in the runtime, as usual.
    declared = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    declared.disabled = True
    try:
        from dashboard import analysis, brief, brief_slides, cards, charts, queries, sidebar, ui, warm  # noqa: F401
    finally:
        declared.disabled = False


if __name__ == "__main__":
    preload()
    from dashboard import warm  # imported by preload already
    from etl.settings import get_settings

    if get_settings().warm_up:
        warm.start()  # its thread waits for the server's runtime
    cli.main(["run", *sys.argv[1:]], prog_name="streamlit")
