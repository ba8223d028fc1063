"""A run's rows written as contract CSV files: followers.csv, posts.csv and inquiries.csv."""

import csv
from pathlib import Path

from etl.collect.base import Harvest
from etl.ingest.contract import kinds

FILES = ("followers", "posts", "inquiries")


def write_harvest(harvest: Harvest, folder: Path) -> list[Path]:
    """Write the run's rows in the contract's field order (UTF-8, one header row); the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in FILES:
        fields = kinds()[kind].field_names
        path = folder / f"{kind}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=fields, extrasaction="raise", lineterminator="\n")
            writer.writeheader()
            writer.writerows(getattr(harvest, kind))
        written.append(path)
    return written
