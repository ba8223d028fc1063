"""The files the generator writes and their columns, as the data contract defines them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CONTRACT_PATH = Path(__file__).parents[1] / "ingest" / "contract.json"
CONTRACT: dict[str, Any] = json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))
KINDS = ("territories", "accounts", "followers", "posts", "inquiries")
HEADERS: dict[str, list[str]] = {k: [f["name"] for f in CONTRACT["kinds"][k]["fields"]] for k in KINDS}
