"""`govpulse serve`: Streamlit's own command line, with the dashboard's modules imported before the first visit.

python -m dashboard.serve dashboard/app.py --server.port 8501 …   (the arguments of `streamlit run`)
"""

import sys

from streamlit.web import cli

# Imported now, while the server starts, not in the first visitor's page run (pandas, SQLAlchemy, plotly: ~2 s).
from dashboard import analysis, brief, brief_slides, cards, charts, queries, sidebar, ui  # noqa: F401

if __name__ == "__main__":
    cli.main(["run", *sys.argv[1:]], prog_name="streamlit")
