"""Deterministic synthetic demo CSV files in the govpulse data contract format."""

from etl.demo.columns import CONTRACT, CONTRACT_PATH, HEADERS, KINDS
from etl.demo.national import NATIONAL_BATCH, NATIONAL_MONTHS, write_national
from etl.demo.national_accounts import NATIONAL_ACCOUNTS, TooManyAccounts, national_pages
from etl.demo.period import months_before
from etl.demo.registry import Page
from etl.demo.stories import STORIES, Story
from etl.demo.territories import Territory
from etl.demo.writer import write_demo

__all__ = [
    "CONTRACT",
    "CONTRACT_PATH",
    "HEADERS",
    "KINDS",
    "NATIONAL_ACCOUNTS",
    "NATIONAL_BATCH",
    "NATIONAL_MONTHS",
    "STORIES",
    "Page",
    "Story",
    "Territory",
    "TooManyAccounts",
    "months_before",
    "national_pages",
    "write_demo",
    "write_national",
]
