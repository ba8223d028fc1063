"""`python -m dashboard`: the whole govpulse command line."""

from dashboard.cli import app

app(prog_name="govpulse")
