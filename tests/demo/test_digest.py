"""The generator's output is pinned: a fixed seed writes files with these exact sha256 digests."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from etl import demo

END = dt.date(2026, 10, 31)

# The locked numpy and holidays versions are part of what these digests pin.
DEMO = {
    "accounts.csv": "b391430fe7cce884b305fd43bf912f5b68536c26b7c0b98e64a1da17e191e3f8",
    "followers.csv": "1d2b2d8a4158ec4818ac14176b31573c5c62b303dea63db5d268bdef05ac695b",
    "inquiries.csv": "fa9fab8d4e06190cdaddb5d910a4719012e81351cbab5051511ce17490b86d3a",
    "posts.csv": "7ea6f80585576ff8fd1dfa15c0aa7c389a4264c37d52eb1b65577d29e06738bd",
    "territories.csv": "c9539cddf7683fc15165770c2566777a6d735eeee32ced97f210302657825f66",
}

NATIONAL = {
    "README.md": "aae9c13aed454ef5f8a7ca4d04aa243d660d6c9dd120a6c6557730eb27ddf898",
    "accounts.csv": "11c3862ec7a204892694c5145c304931a8ead19d57c3bba2bcfa994ef06ddfe9",
    "followers.csv": "47a4337d7a5524a3ceae84f6f2245e1f933f232ea17d15e33bcec4aef526c877",
    "inquiries.csv": "7d0725d0e490fe9c2936c82107863fc2adcab712f829f9748e3ee466be4afcb5",
    "posts.csv": "79b5a3eeb1d332f374cc68978127058416276c3a40a864a651bb68861516f627",
    "territories.csv": "b87387139d165263f91eb190791b841422055a5369e4175020276ea41a0deeed",
}


def digests(folder: Path) -> dict[str, str]:
    """The sha256 digest of every file in `folder`, by file name."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_demo_bytes_are_pinned(tmp_path: Path) -> None:
    """Three months of the demo (seed 7, to 2026-10-31) are byte for byte the pinned files."""
    demo.write_demo(tmp_path, seed=7, end=END, months=3)
    assert digests(tmp_path) == DEMO


def test_national_bytes_are_pinned(tmp_path: Path) -> None:
    """A small national set (seed 7, 40 pages, one month to 2026-10-31) is byte for byte the pinned files."""
    demo.write_national(tmp_path, seed=7, end=END, months=1, accounts=40, batch=9)
    assert digests(tmp_path) == NATIONAL
