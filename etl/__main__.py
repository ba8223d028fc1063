"""`python -m etl` runs the govpulse command line."""

from etl.cli import app

app(prog_name="govpulse")
